import {KtsCommand} from '../../cli/base-command.js'
import {runTopicCommand, topicOptionFlags, type TopicCommandResult} from '../../cli/topics/topic-flags.js'

/** `kts topics list --topic t ...`: the same as `kts topics --list ...` (kafka-topics.sh, kafka-tools.md §2). */
export default class TopicsList extends KtsCommand {
  static override summary = 'Same as kts topics --list.'
  static override flags = topicOptionFlags

  async run(): Promise<TopicCommandResult> {
    const {flags} = await this.parse(TopicsList)
    return runTopicCommand(flags, this.jsonEnabled(), 'list')
  }
}
