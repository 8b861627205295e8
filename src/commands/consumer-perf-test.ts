import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {UsageError} from '../cli/errors.js'
import {bootstrapServer} from '../cli/flags.js'
import {toolLog} from '../cli/console/tool-log.js'
import {expandOptionalTimeout, resolveConsumerPerfOptions} from '../cli/perf/consumer-perf-options.js'
import {runConsumerPerf, type ConsumerPerfResult} from '../cli/perf/consumer-perf.js'

const str = (summary: string, helpValue: string) => Flags.string({summary, helpValue})

/** `kts consumer-perf-test --bootstrap-server h:p --topic t --messages N` (kafka-consumer-perf-test.sh). */
export default class ConsumerPerfTest extends KtsCommand {
  static override summary = 'This tool is used to verify the consumer performance.'
  static override description = 'Consumes --messages records of --topic as one member of a consumer group and prints Kafka\'s CSV-style result row.'
  static override examples = ['<%= config.bin %> consumer-perf-test --bootstrap-server localhost:9092 --topic t --messages 1000000']

  static override flags = {
    'bootstrap-server': bootstrapServer,
    topic: str('REQUIRED: The topic to consume from.', '<String: topic>'),
    group: str('The group id to consume on. (default: perf-consumer-<random>)', '<String: gid>'),
    'fetch-size': str('The amount of data to fetch in a single request. (default: 1048576)', '<Integer: size>'),
    'from-latest': Flags.boolean({summary: 'If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.'}),
    'socket-buffer-size': str('The size of the tcp RECV size. (default: 2097152)', '<Integer: size>'),
    'consumer.config': str('Consumer config properties file.', '<String: config file>'),
    'print-metrics': Flags.boolean({summary: 'Print out the metrics.'}),
    'show-detailed-stats': Flags.boolean({summary: 'If set, stats are reported for each reporting interval as configured by reporting-interval'}),
    timeout: str('The maximum allowed time in milliseconds between returned records. (default: 10000)', '[Long: milliseconds]'),
    messages: str('REQUIRED: The number of messages to send or consume', '<Long: count>'),
    'reporting-interval': str('Interval in milliseconds at which to print progress info. (default: 5000)', '<Long: interval_ms>'),
    'date-format': str('The date format to use for formatting the time field. See java.text.SimpleDateFormat for options. (default: yyyy-MM-dd HH:mm:ss:SSS)', '<String: date format>'),
    'hide-header': Flags.boolean({summary: 'If set, skips printing the header for the stats'}),
  }

  async run(): Promise<ConsumerPerfResult> {
    // Kafka prints the tool's description and its usage, and exits 1, when run without arguments.
    if (this.argv.length === 0) throw new UsageError('This tool is used to verify the consumer performance.')
    this.argv = expandOptionalTimeout(this.argv)
    const {flags} = await this.parse(ConsumerPerfTest)
    const opts = resolveConsumerPerfOptions(flags)
    const json = this.jsonEnabled()
    const abort = new AbortController()
    const stop = (): void => abort.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      return await runConsumerPerf(opts, {
        out: (line) => {
          if (!json) process.stdout.write(line + '\n')
        },
        warn: (message) => toolLog('WARN', message, 'org.apache.kafka.clients.consumer.internals.ConsumerCoordinator'),
      }, abort.signal)
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
