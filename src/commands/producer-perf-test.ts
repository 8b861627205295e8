import {Flags, loadHelpClass} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {toolLog} from '../cli/console/tool-log.js'
import {resolveProducerPerfOptions} from '../cli/perf/producer-perf-options.js'
import {runProducerPerf, type ProducerPerfResult} from '../cli/perf/producer-perf.js'

const str = (summary: string, helpValue: string) => Flags.string({summary, helpValue})

/** `kts producer-perf-test --topic t --num-records N --record-size S --throughput -1 --producer-props bootstrap.servers=h:p` (kafka-producer-perf-test.sh). */
export default class ProducerPerfTest extends KtsCommand {
  static override summary = 'This tool is used to verify the producer performance.'
  static override description = 'Sends --num-records keyless records to --topic and prints Kafka\'s throughput and latency lines (every 5 s and a total). ' +
    'Transactions (--transactional-id, --transaction-duration-ms) are not supported yet.'
  static override examples = ['<%= config.bin %> producer-perf-test --topic t --num-records 1000000 --record-size 100 --throughput -1 --producer-props bootstrap.servers=localhost:9092 acks=1']

  static override flags = {
    topic: str('produce messages to this topic', 'TOPIC'),
    'num-records': str('number of messages to produce', 'NUM-RECORDS'),
    'record-size': str('message size in bytes. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.', 'RECORD-SIZE'),
    'payload-file': str('file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.', 'PAYLOAD-FILE'),
    'payload-monotonic': Flags.boolean({summary: 'payload is monotonically increasing integer. Note that you must provide exactly one of --record-size or --payload-file or --payload-monotonic.'}),
    'payload-delimiter': str('provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided. (default: \\n)', 'PAYLOAD-DELIMITER'),
    throughput: str('throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.', 'THROUGHPUT'),
    'producer-props': Flags.string({summary: 'kafka producer related configuration properties like bootstrap.servers,client.id etc. These configs take precedence over those passed via --producer.config.', helpValue: 'PROP-NAME=PROP-VALUE', multiple: true}),
    'producer.config': str('producer config properties file.', 'CONFIG-FILE'),
    'print-metrics': Flags.boolean({summary: 'print out metrics at the end of the test.'}),
    'transactional-id': str('Not supported yet by kts (Kafka: the transactional id to use).', 'TRANSACTIONAL-ID'),
    'transaction-duration-ms': str('Not supported yet by kts (Kafka: the max age of each transaction).', 'TRANSACTION-DURATION'),
  }

  async run(): Promise<ProducerPerfResult | null> {
    if (this.argv.length === 0) {
      // Kafka prints its help and exits 0 when run without arguments.
      const Help = await loadHelpClass(this.config)
      await new Help(this.config).showHelp([this.id ?? 'producer-perf-test'])
      return null
    }
    const {flags} = await this.parse(ProducerPerfTest)
    const opts = resolveProducerPerfOptions(flags)
    const json = this.jsonEnabled()
    const abort = new AbortController()
    const stop = (): void => abort.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    try {
      return await runProducerPerf(opts, {
        out: (line) => {
          if (!json) process.stdout.write(line + '\n')
        },
        err: (line) => process.stderr.write(line + '\n'),
        warn: (message) => toolLog('WARN', message, 'org.apache.kafka.clients.producer.internals.Sender'),
      }, abort.signal)
    } finally {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    }
  }
}
