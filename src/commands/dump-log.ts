import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError, UsageError} from '../cli/errors.js'
import {decoderFor} from '../cli/dump-log/decoder-classes.js'
import {dumpLogs, DumpFailure} from '../cli/dump-log/dump-log.js'
import {MemorySink, ProcessSink} from '../cli/dump-log/dump-output.js'
import {offsetsParser} from '../cli/dump-log/offsets-parser.js'
import {clusterMetadataParser, transactionLogParser, type RecordParser} from '../cli/dump-log/record-parsers.js'
import {MAX_INT} from '../cli/dump-log/segment-dump.js'

/** `--json` result: what the dump printed on stdout and stderr. */
export interface DumpLogResult {
  stdout: string
  stderr: string
}

function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^[+-]?\d+$/.test(value.trim()) || Math.abs(Number(value)) > MAX_INT) throw new UsageError(`Cannot parse argument '${value}' of option ${name}`)
  return Number(value)
}

/**
 * `kts dump-log --files a.log,b.index,... [--print-data-log] [--deep-iteration] [--offsets-decoder |
 * --cluster-metadata-decoder | --transaction-log-decoder] [--verify-index-only] [--index-sanity-check]
 * [--max-bytes N] [--max-message-size N] [--skip-record-metadata]` (kafka-dump-log.sh, Kafka 3.9
 * `kafka.tools.DumpLogSegments`): Kafka's output line for line on stdout, problems on stderr.
 * A file that cannot be read ends the run with its Java exception text (exit 1).
 */
export default class DumpLog extends KtsCommand {
  static override summary = 'Dump log segments, indexes, producer snapshots and KRaft snapshots (kafka-dump-log.sh).'
  static override description = 'This tool helps to parse a log file and dump its contents to the console, useful for debugging a seemingly corrupt log segment.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --files /tmp/kraft-combined-logs/orders-0/00000000000000000000.log --print-data-log',
    '<%= config.bin %> <%= command.id %> --cluster-metadata-decoder --files /tmp/kraft-combined-logs/__cluster_metadata-0/00000000000000000000.log',
    '<%= config.bin %> <%= command.id %> --offsets-decoder --files /tmp/kraft-combined-logs/__consumer_offsets-12/00000000000000000000.log',
  ]

  static override flags = {
    files: Flags.string({summary: 'REQUIRED: The comma separated list of data and index log files to be dumped.', helpValue: '<String: file1, file2, ...>'}),
    'print-data-log': Flags.boolean({summary: 'If set, printing the messages content when dumping data logs. Automatically set if any decoder option is specified.'}),
    'verify-index-only': Flags.boolean({summary: 'If set, just verify the index log without printing its content.'}),
    'index-sanity-check': Flags.boolean({summary: 'If set, just checks the index sanity without printing its content. This is the same check that is executed on broker startup to determine if an index needs rebuilding or not.'}),
    'max-message-size': Flags.string({summary: 'Size of largest message.', helpValue: '<Integer: size>', default: '5242880'}),
    'max-bytes': Flags.string({summary: 'Limit the amount of total batches read in bytes avoiding reading the whole .log file(s).', helpValue: '<Integer: size>', default: String(MAX_INT)}),
    'deep-iteration': Flags.boolean({summary: 'If set, uses deep instead of shallow iteration. Automatically set if print-data-log is enabled.'}),
    'value-decoder-class': Flags.string({summary: 'If set, used to deserialize the messages. kts knows org.apache.kafka.tools.api.StringDecoder (the default), IntegerDecoder and LongDecoder.', helpValue: '<String>'}),
    'key-decoder-class': Flags.string({summary: 'If set, used to deserialize the keys. kts knows org.apache.kafka.tools.api.StringDecoder (the default), IntegerDecoder and LongDecoder.', helpValue: '<String>'}),
    'offsets-decoder': Flags.boolean({summary: 'If set, log data will be parsed as offset data from the __consumer_offsets topic.'}),
    'transaction-log-decoder': Flags.boolean({summary: 'If set, log data will be parsed as transaction metadata from the __transaction_state topic.'}),
    'cluster-metadata-decoder': Flags.boolean({summary: 'If set, log data will be parsed as cluster metadata records.'}),
    'skip-record-metadata': Flags.boolean({summary: 'Whether to skip printing metadata for each record.'}),
  }

  async run(): Promise<DumpLogResult> {
    const {flags} = await this.parse(DumpLog)
    if (flags.files === undefined) throw new UsageError('Missing required argument "[files]"')
    const json = this.jsonEnabled()
    const notices: string[] = []
    let parser: RecordParser
    if (flags['offsets-decoder']) {
      parser = offsetsParser
    } else if (flags['transaction-log-decoder']) {
      if (transactionLogParser === null) throw new UsageError('--transaction-log-decoder is not available in kts yet')
      parser = transactionLogParser
    } else if (flags['cluster-metadata-decoder']) {
      parser = clusterMetadataParser
    } else {
      // Kafka builds the value decoder first, then the key decoder (each may print a deprecation line).
      const value = decoderFor(flags['value-decoder-class'])
      const key = decoderFor(flags['key-decoder-class'])
      for (const n of [value.notice, key.notice]) if (n !== null) notices.push(n)
      parser = {parse: (r) => ({key: r.key === null ? null : key.decoder(r.key), payload: r.value === null ? null : value.decoder(r.value)})}
    }
    const printContents = flags['print-data-log'] || flags['offsets-decoder'] || flags['transaction-log-decoder'] || flags['cluster-metadata-decoder'] ||
      flags['value-decoder-class'] !== undefined || flags['key-decoder-class'] !== undefined
    const opts = {
      files: flags.files.split(','),
      printContents,
      deepIteration: flags['deep-iteration'] || printContents,
      skipRecordMetadata: flags['skip-record-metadata'],
      maxBytes: intFlag('max-bytes', flags['max-bytes'], MAX_INT),
      maxMessageSize: intFlag('max-message-size', flags['max-message-size'], 5 * 1024 * 1024),
      verifyOnly: flags['verify-index-only'],
      sanityOnly: flags['index-sanity-check'],
      parser,
    }
    const sink = json ? new MemorySink() : new ProcessSink()
    for (const n of notices) sink.out(n + '\n')
    try {
      dumpLogs(opts, sink)
    } catch (err) {
      if (err instanceof DumpFailure) throw new TerseError(err.message, {cause: err})
      throw err
    } finally {
      if (sink instanceof ProcessSink) sink.flush()
    }
    return sink instanceof MemorySink ? {stdout: sink.stdout, stderr: sink.stderr} : {stdout: '', stderr: ''}
  }
}

