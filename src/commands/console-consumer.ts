import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {ConsoleConsumerRun} from '../cli/console/console-consumer.js'
import {resolveConsumerOptions} from '../cli/console/consumer-options.js'
import {topicFromCluster} from '../cli/console/default-topic.js'
import {bootstrapServerFlag} from '../cli/flags.js'
import {warnLine} from '../cli/output/style.js'

const str = (summary: string, helpValue: string) => Flags.string({summary, helpValue})

/**
 * `kts console-consumer --bootstrap-server h:p --topic t` (kafka-console-consumer.sh, kafka-tools.md §4).
 * Without `--topic`/`--include` it reads the cluster's only non-internal topic (see default-topic.ts).
 */
export default class ConsoleConsumer extends KtsCommand {
  static override summary = 'Read data from Kafka topics and output it to standard output.'
  static override examples = [
    '<%= config.bin %> console-consumer --bootstrap-server localhost:9092 --topic quickstart-events --from-beginning',
    '<%= config.bin %> console-consumer --partition 0 --offset 4    # the only topic of localhost:9092',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('The server(s) to connect to.'),
    topic: str('The topic to consume on (default: the only topic of the cluster besides internal ones).', '<String: topic>'),
    include: str('Regular expression specifying list of topics to include for consumption.', '<String: Java regex (String)>'),
    whitelist: str('DEPRECATED, use --include instead; ignored if --include specified.', '<String: Java regex (String)>'),
    partition: str('The partition to consume from. Consumption starts from the end of the partition unless \'--offset\' is specified.', '<Integer: partition>'),
    offset: str('The offset to start consuming from (a non-negative number), or \'earliest\' or \'latest\' (default: latest). Wins over --from-beginning.', '<String: consume offset>'),
    'from-beginning': Flags.boolean({summary: 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.'}),
    group: str('The consumer group id of the consumer.', '<String: consumer group id>'),
    'consumer-property': Flags.string({summary: 'A mechanism to pass user-defined properties in the form key=value to the consumer.', helpValue: '<String: consumer_prop>', multiple: true}),
    'consumer.config': str('Consumer config properties file. Note that [consumer-property] takes precedence over this config.', '<String: config file>'),
    'max-messages': str('The maximum number of messages to consume before exiting. If not set, consumption is continual.', '<Integer: num_messages>'),
    'timeout-ms': str('If specified, exit if no message is available for consumption for the specified interval.', '<Long: timeout_ms>'),
    property: Flags.string({summary: 'The properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.partition, print.headers, print.value, key.separator, line.separator, headers.separator, null.literal.', helpValue: '<String: prop>', multiple: true}),
    'formatter-config': str('Config properties file to initialize the message formatter. Note that [property] takes precedence over this config.', '<String: config file>'),
    'isolation-level': str('Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages. (default: read_uncommitted)', '<String>'),
    'skip-message-on-error': Flags.boolean({summary: 'If there is an error when processing a message, skip it instead of halt.'}),
  }

  async run(): Promise<{processed: number}> {
    const {flags} = await this.parse(ConsoleConsumer)
    let opts = resolveConsumerOptions(flags)
    for (const w of opts.warnings) warnLine(w)
    if (opts.topicFromCluster) {
      const topic = await topicFromCluster(opts.bootstrapServer, opts.properties)
      warnLine(`No --topic given: consuming the only topic on ${opts.bootstrapServer}, ${topic}.`)
      opts = {...opts, topic}
    }
    const consumer = new ConsoleConsumerRun(opts)
    const stop = (): void => consumer.stop()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      await consumer.run()
    } finally {
      process.stderr.write(`Processed a total of ${consumer.processed} messages\n`)
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
    return {processed: consumer.processed}
  }
}
