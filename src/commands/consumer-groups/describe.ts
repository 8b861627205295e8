import {KtsCommand} from '../../cli/base-command.js'
import {groupOptionFlags, normalizeOptionalArgs, runGroupCommand, type GroupCommandResult} from '../../cli/groups/group-flags.js'

/** `kts consumer-groups describe ...`: the same as `kts consumer-groups --describe ...` (kafka-consumer-groups.sh, kafka-tools.md §5). */
export default class ConsumerGroupsDescribe extends KtsCommand {
  static override summary = 'Same as kts consumer-groups --describe.'
  static override flags = groupOptionFlags

  async run(): Promise<GroupCommandResult> {
    const {flags} = await this.parse(ConsumerGroupsDescribe, normalizeOptionalArgs(this.argv))
    return runGroupCommand(flags, this.jsonEnabled(), 'describe')
  }
}
