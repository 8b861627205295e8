import {KtsCommand} from '../../cli/base-command.js'
import {runTopicCommand, topicActionFlags, topicOptionFlags, type TopicCommandResult} from '../../cli/topics/topic-flags.js'

/** `kts topics --create|--list|--describe|--alter|--delete ...` (kafka-topics.sh, kafka-tools.md §2). */
export default class Topics extends KtsCommand {
  static override summary = 'Create, delete, describe, or change a topic.'
  static override examples = [
    '<%= config.bin %> topics --bootstrap-server localhost:9092 --create --topic quickstart-events --partitions 3',
    '<%= config.bin %> topics --bootstrap-server localhost:9092 --describe --topic quickstart-events',
  ]

  static override flags = {...topicActionFlags, ...topicOptionFlags}

  async run(): Promise<TopicCommandResult> {
    const {flags} = await this.parse(Topics)
    return runTopicCommand(flags, this.jsonEnabled())
  }
}
