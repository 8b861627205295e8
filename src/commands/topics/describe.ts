import {KtsCommand} from '../../cli/base-command.js'
import {runTopicCommand, topicOptionFlags, type TopicCommandResult} from '../../cli/topics/topic-flags.js'

/** `kts topics describe --topic t ...`: the same as `kts topics --describe ...` (kafka-topics.sh, kafka-tools.md §2). */
export default class TopicsDescribe extends KtsCommand {
  static override summary = 'Same as kts topics --describe.'
  static override flags = topicOptionFlags

  async run(): Promise<TopicCommandResult> {
    const {flags} = await this.parse(TopicsDescribe)
    return runTopicCommand(flags, this.jsonEnabled(), 'describe')
  }
}
