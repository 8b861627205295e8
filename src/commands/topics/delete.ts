import {KtsCommand} from '../../cli/base-command.js'
import {runTopicCommand, topicOptionFlags, type TopicCommandResult} from '../../cli/topics/topic-flags.js'

/** `kts topics delete --topic t ...`: the same as `kts topics --delete ...` (kafka-topics.sh, kafka-tools.md §2). */
export default class TopicsDelete extends KtsCommand {
  static override summary = 'Same as kts topics --delete.'
  static override flags = topicOptionFlags

  async run(): Promise<TopicCommandResult> {
    const {flags} = await this.parse(TopicsDelete)
    return runTopicCommand(flags, this.jsonEnabled(), 'delete')
  }
}
