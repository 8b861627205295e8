import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {bootstrapServerFlag, commandConfig} from '../cli/flags.js'
import {getOffsetsError, parseOffsetSpec, topicAndPartitionsFilter, topicPartitionsFilter} from '../cli/logs/get-offsets-options.js'
import {LogAdmin, tpString, type TopicPartition} from '../cli/logs/log-admin.js'
import {adminTarget} from '../cli/quorum/admin-target.js'

const PROG = 'kts get-offsets'

/** `--json` result: one entry per printed line. */
export type GetOffsetsResult = {topic: string, partition: number, offset: number}[]

/**
 * `kts get-offsets --bootstrap-server ... [--topic REGEX [--partitions 0,1] | --topic-partitions t:0,u:1-3]
 * [--time latest|earliest|max-timestamp|-1|-2|-3|<ms>] [--exclude-internal-topics] [--command-config F]`
 * (kafka-get-offsets.sh, Kafka 3.9 `GetOffsetShell`): `topic:partition:offset` lines on stdout,
 * sorted by the text `topic-partition`; partitions without an offset for the time are left out,
 * partitions that failed are reported on stderr (`Skip getting offsets for topic-partition t-0 due
 * to error: ...`). Failures: `Error occurred: <message>` on stderr, exit 1.
 */
export default class GetOffsets extends KtsCommand {
  static override summary = 'Get the offsets of topic partitions for a time: latest, earliest, max timestamp or a timestamp (kafka-get-offsets.sh).'
  static override description = 'An interactive shell for getting topic-partition offsets.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic orders',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic-partitions \'orders:0-3,audit\' --time earliest',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.'),
    'broker-list': Flags.string({summary: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.', helpValue: '<String: HOST1:PORT1,...,HOST3:PORT3>'}),
    'topic-partitions': Flags.string({
      summary: 'Comma separated list of topic-partition patterns to get the offsets for, with the format of \'([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?\'. The first group is an optional regex for the topic name, if omitted, it matches any topic name. The section after \':\' describes a \'partition\' pattern, which can be: a number, a range in the format of \'NUMBER-NUMBER\' (lower inclusive, upper exclusive), an inclusive lower bound in the format of \'NUMBER-\', an exclusive upper bound in the format of \'-NUMBER\' or may be omitted to accept all partitions.',
      helpValue: '<String: topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3>',
    }),
    topic: Flags.string({summary: 'The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present.', helpValue: '<String: topic>'}),
    partitions: Flags.string({summary: 'Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present.', helpValue: '<String: partition ids>'}),
    time: Flags.string({
      summary: 'timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.]',
      helpValue: '<String: <timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered>',
      default: 'latest',
    }),
    'command-config': commandConfig,
    'exclude-internal-topics': Flags.boolean({summary: 'By default, internal topics are included. If specified, internal topics are excluded.'}),
  }

  async run(): Promise<GetOffsetsResult> {
    const {flags} = await this.parse(GetOffsets)
    if (flags['topic-partitions'] !== undefined && (flags.topic !== undefined || flags.partitions !== undefined)) {
      throw getOffsetsError('--topic-partitions cannot be used with --topic or --partitions')
    }
    const timestamp = parseOffsetSpec(flags.time)
    const filter = flags['topic-partitions'] !== undefined
      ? topicPartitionsFilter(flags['topic-partitions'])
      : topicAndPartitionsFilter(flags.topic, flags.partitions)
    const target = adminTarget({bootstrapServer: flags['bootstrap-server'] ?? flags['broker-list']}, {prog: PROG}, flags['command-config'])
    const admin = new LogAdmin(target)
    try {
      const topics = await admin.listTopicPartitions(flags['exclude-internal-topics'])
      const partitions: TopicPartition[] = []
      for (const [topic, ids] of topics) {
        if (!filter.isTopicAllowed(topic)) continue
        for (const partition of ids) if (filter.isTopicPartitionAllowed(topic, partition)) partitions.push({topic, partition})
      }
      if (partitions.length === 0) throw getOffsetsError('Could not match any topic-partitions with the specified filters')
      const results = await admin.listOffsets(partitions, timestamp)
      const out: GetOffsetsResult = []
      for (const tp of partitions) {
        const r = results.get(tpString(tp))
        if (r === undefined) continue
        if (!r.ok) {
          process.stderr.write(`Skip getting offsets for topic-partition ${tpString(tp)} due to error: ${r.error}\n`)
          continue
        }
        if (r.value !== -1) out.push({...tp, offset: r.value})
      }
      out.sort((a, b) => compareJava(tpString(a), tpString(b)))
      if (!this.jsonEnabled()) process.stdout.write(out.map(o => `${o.topic}:${o.partition}:${o.offset}\n`).join(''))
      return out
    } catch (err) {
      if (err instanceof Error && !err.message.startsWith('Error occurred: ')) throw getOffsetsError(err.message)
      throw err
    } finally {
      admin.close()
    }
  }
}

/** Java `String.compareTo` (UTF-16 code units). */
function compareJava(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
