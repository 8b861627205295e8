import {KtsCommand} from '../../cli/base-command.js'
import {runTopicCommand, topicOptionFlags, type TopicCommandResult} from '../../cli/topics/topic-flags.js'

/** `kts topics alter --topic t ...`: the same as `kts topics --alter ...` (kafka-topics.sh, kafka-tools.md §2). */
export default class TopicsAlter extends KtsCommand {
  static override summary = 'Same as kts topics --alter.'
  static override flags = topicOptionFlags

  async run(): Promise<TopicCommandResult> {
    const {flags} = await this.parse(TopicsAlter)
    return runTopicCommand(flags, this.jsonEnabled(), 'alter')
  }
}
