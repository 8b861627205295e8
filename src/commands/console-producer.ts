import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {runConsoleProducer, type ProducerRunResult} from '../cli/console/console-producer.js'
import {expandCompressionCodec, resolveProducerOptions} from '../cli/console/producer-options.js'
import {bootstrapServerFlag} from '../cli/flags.js'

const str = (summary: string, helpValue: string) => Flags.string({summary, helpValue})

/** `kts console-producer --bootstrap-server h:p --topic t` (kafka-console-producer.sh, kafka-tools.md §3). */
export default class ConsoleProducer extends KtsCommand {
  static override summary = 'Read data from standard input and publish it to Kafka.'
  static override examples = ['echo hello | <%= config.bin %> console-producer --bootstrap-server localhost:9092 --topic quickstart-events']

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('The server(s) to connect to (--broker-list, deprecated, is an alias).'),
    'broker-list': str('DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.', '<String: broker-list>'),
    topic: str('REQUIRED: The topic id to produce messages to.', '<String: topic>'),
    sync: Flags.boolean({summary: 'If set message send requests to the brokers are synchronously, one at a time as they arrive.'}),
    'compression-codec': str('The compression codec: either \'none\', \'gzip\', \'snappy\', \'lz4\', or \'zstd\'. If specified without value, then it defaults to \'gzip\'', '[String: compression-codec]'),
    'batch-size': str('Number of messages to send in a single batch if they are not being sent synchronously. (default: 16384)', '<Integer: size>'),
    'max-partition-memory-bytes': str('The buffer size allocated for a partition (overrides batch.size). (default: 16384)', '<Integer: memory in bytes per partition>'),
    'message-send-max-retries': str('The number of retries before the producer gives up. (default: 3)', '<Integer>'),
    'retry-backoff-ms': str('Wait before each retry. (default: 100)', '<Long>'),
    timeout: str('linger.ms: how long records wait for a batch to fill when not sending synchronously. (default: 1000)', '<Long: timeout_ms>'),
    'request-required-acks': str('The required acks of the producer requests (default: -1)', '<String: request required acks>'),
    'request-timeout-ms': str('The ack timeout of the producer requests. Value must be non-negative and non-zero. (default: 1500)', '<Integer: request timeout ms>'),
    'metadata-expiry-ms': str('metadata.max.age.ms (default: 300000)', '<Long: metadata expiration interval>'),
    'max-block-ms': str('max.block.ms (default: 60000)', '<Long: max block on send>'),
    'max-memory-bytes': str('buffer.memory (default: 33554432)', '<Long: total memory in bytes>'),
    'socket-buffer-size': str('send.buffer.bytes (default: 102400)', '<Integer: size>'),
    property: Flags.string({summary: 'Properties of the line reader: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, ignore.error, null.marker.', helpValue: '<String: prop>', multiple: true}),
    'reader-config': str('Config properties file for the message reader. --property values take precedence.', '<String: config file>'),
    'producer-property': Flags.string({summary: 'A mechanism to pass user-defined properties in the form key=value to the producer.', helpValue: '<String: producer_prop>', multiple: true}),
    'producer.config': str('Producer config properties file. --producer-property values take precedence.', '<String: config file>'),
  }

  async run(): Promise<ProducerRunResult> {
    this.argv = expandCompressionCodec(this.argv)
    const {flags} = await this.parse(ConsoleProducer)
    const opts = resolveProducerOptions(flags)
    const stop = (): void => {
      process.stdin.destroy()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return runConsoleProducer(opts, process.stdin)
  }
}
