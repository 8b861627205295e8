import {KtsCommand} from '../../cli/base-command.js'
import {groupActionFlags, groupOptionFlags, normalizeOptionalArgs, runGroupCommand, type GroupCommandResult} from '../../cli/groups/group-flags.js'

/**
 * `kts consumer-groups --list|--describe|--delete|--reset-offsets|--delete-offsets ...`
 * (kafka-consumer-groups.sh, kafka-tools.md §5).
 */
export default class ConsumerGroups extends KtsCommand {
  static override summary = 'List all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.'
  static override examples = [
    '<%= config.bin %> consumer-groups --bootstrap-server localhost:9092 --list --state',
    '<%= config.bin %> consumer-groups --bootstrap-server localhost:9092 --describe --group my-group',
    '<%= config.bin %> consumer-groups --bootstrap-server localhost:9092 --reset-offsets --group my-group --topic orders --to-earliest --execute',
  ]

  static override flags = {...groupActionFlags, ...groupOptionFlags}

  async run(): Promise<GroupCommandResult> {
    const {flags} = await this.parse(ConsumerGroups, normalizeOptionalArgs(this.argv))
    return runGroupCommand(flags, this.jsonEnabled())
  }
}
