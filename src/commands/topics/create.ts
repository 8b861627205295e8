import {KtsCommand} from '../../cli/base-command.js'
import {runTopicCommand, topicOptionFlags, type TopicCommandResult} from '../../cli/topics/topic-flags.js'

/** `kts topics create --topic t ...`: the same as `kts topics --create ...` (kafka-topics.sh, kafka-tools.md §2). */
export default class TopicsCreate extends KtsCommand {
  static override summary = 'Same as kts topics --create.'
  static override flags = topicOptionFlags

  async run(): Promise<TopicCommandResult> {
    const {flags} = await this.parse(TopicsCreate)
    return runTopicCommand(flags, this.jsonEnabled(), 'create')
  }
}
