import {KtsCommand} from '../../cli/base-command.js'
import {groupOptionFlags, normalizeOptionalArgs, runGroupCommand, type GroupCommandResult} from '../../cli/groups/group-flags.js'

/** `kts consumer-groups delete-offsets ...`: the same as `kts consumer-groups --delete-offsets ...` (kafka-consumer-groups.sh, kafka-tools.md §5). */
export default class ConsumerGroupsDeleteOffsets extends KtsCommand {
  static override summary = 'Same as kts consumer-groups --delete-offsets.'
  static override flags = groupOptionFlags

  async run(): Promise<GroupCommandResult> {
    const {flags} = await this.parse(ConsumerGroupsDeleteOffsets, normalizeOptionalArgs(this.argv))
    return runGroupCommand(flags, this.jsonEnabled(), 'delete-offsets')
  }
}
