import {KtsCommand} from '../../cli/base-command.js'
import {groupOptionFlags, normalizeOptionalArgs, runGroupCommand, type GroupCommandResult} from '../../cli/groups/group-flags.js'

/** `kts consumer-groups reset-offsets ...`: the same as `kts consumer-groups --reset-offsets ...` (kafka-consumer-groups.sh, kafka-tools.md §5). */
export default class ConsumerGroupsResetOffsets extends KtsCommand {
  static override summary = 'Same as kts consumer-groups --reset-offsets.'
  static override flags = groupOptionFlags

  async run(): Promise<GroupCommandResult> {
    const {flags} = await this.parse(ConsumerGroupsResetOffsets, normalizeOptionalArgs(this.argv))
    return runGroupCommand(flags, this.jsonEnabled(), 'reset-offsets')
  }
}
