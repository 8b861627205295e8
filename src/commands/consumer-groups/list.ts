import {KtsCommand} from '../../cli/base-command.js'
import {groupOptionFlags, normalizeOptionalArgs, runGroupCommand, type GroupCommandResult} from '../../cli/groups/group-flags.js'

/** `kts consumer-groups list ...`: the same as `kts consumer-groups --list ...` (kafka-consumer-groups.sh, kafka-tools.md §5). */
export default class ConsumerGroupsList extends KtsCommand {
  static override summary = 'Same as kts consumer-groups --list.'
  static override flags = groupOptionFlags

  async run(): Promise<GroupCommandResult> {
    const {flags} = await this.parse(ConsumerGroupsList, normalizeOptionalArgs(this.argv))
    return runGroupCommand(flags, this.jsonEnabled(), 'list')
  }
}
