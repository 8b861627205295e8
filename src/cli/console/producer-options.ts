/**
 * Options of `kts console-producer` (Kafka `ConsoleProducer.ProducerConfig`,
 * `../shared/spec/kafka-tools.md` §3.1): the merge of `--producer.config`, `--producer-property`
 * and the dedicated options into producer settings. Pure apart from reading the config files.
 */
import {UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'
import {parseKeyValueArgs, readPropertiesFile, type ClientProperties} from '../admin/admin-client.js'
import {lineReaderConfig, type LineReaderConfig} from './line-message-reader.js'

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** Raw flags as oclif parses them (numbers still strings, as jopt would see them). */
export interface RawProducerFlags {
  'bootstrap-server'?: string
  'broker-list'?: string
  topic?: string
  sync?: boolean
  'compression-codec'?: string
  'batch-size'?: string
  'max-partition-memory-bytes'?: string
  'message-send-max-retries'?: string
  'retry-backoff-ms'?: string
  timeout?: string
  'request-required-acks'?: string
  'request-timeout-ms'?: string
  'metadata-expiry-ms'?: string
  'max-block-ms'?: string
  'max-memory-bytes'?: string
  'socket-buffer-size'?: string
  property?: string[]
  'reader-config'?: string
  'producer-property'?: string[]
  'producer.config'?: string
}

/** Effective producer settings. Times in ms, sizes in bytes. */
export interface ConsoleProducerOptions {
  bootstrapServer: string
  topic: string
  sync: boolean
  /** `acks`: -1 (all), 0 or 1. */
  acks: -1 | 0 | 1
  compression: CompressionName
  /** `batch.size` (bytes buffered before a send). */
  batchSize: number
  /** `linger.ms` (`--timeout`). */
  lingerMs: number
  retries: number
  retryBackoffMs: number
  requestTimeoutMs: number
  /** All producer properties after the merge (Java names), for the client connection. */
  properties: ClientProperties
  reader: LineReaderConfig
}

const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

/**
 * Rewrites argv so that a bare `--compression-codec` (no value, or followed by another option)
 * means `gzip`, as Kafka's optional-argument option does.
 */
export function expandCompressionCodec(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i])
    if (argv[i] === '--compression-codec' && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))) out.push('gzip')
  }
  return out
}

function intOpt(raw: string | undefined, option: string): number | undefined {
  if (raw === undefined) return undefined
  const t = raw.trim()
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new UsageError(`Cannot parse argument '${raw}' of option ${option}`)
  return Number(t)
}

function propInt(props: ClientProperties, key: string, type = 'INT'): number | undefined {
  const v = props[key]
  if (v === undefined) return undefined
  const n = Number(v.trim())
  if (v.trim() === '' || !Number.isInteger(n)) throw new UsageError(`Invalid value ${v} for configuration ${key}: Not a number of type ${type}`)
  return n
}

/** `acks` value → -1/0/1. @throws UsageError `Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1`. */
export function parseAcks(v: string): -1 | 0 | 1 {
  switch (v.trim().toLowerCase()) {
    case 'all': case '-1': return -1
    case '0': return 0
    case '1': return 1
    default: throw new UsageError(`Invalid value ${v} for configuration acks: String must be one of: all, -1, 0, 1`)
  }
}

/**
 * Validates and merges the console producer's options: file → `--producer-property` → the
 * dedicated options (an explicit option wins; an unset option keeps a value from the properties,
 * else its Kafka default).
 * The bootstrap server: `--bootstrap-server`, else `--broker-list`, else the default of `resolveBootstrapServer`.
 * @throws UsageError `Missing required option(s) [topic]`,
 *   bad numbers, bad `acks`/`compression.type`; LineReaderError for bad reader properties.
 */
export function resolveProducerOptions(raw: RawProducerFlags): ConsoleProducerOptions {
  const bootstrapServer = resolveBootstrapServer(raw['bootstrap-server'] ?? raw['broker-list'])
  if (raw.topic === undefined) throw new UsageError('Missing required option(s) [topic]')
  const props: ClientProperties = {
    ...(raw['producer.config'] === undefined ? {} : readPropertiesFile(raw['producer.config'])),
    ...parseKeyValueArgs(raw['producer-property']),
  }
  const readerProps = {
    ...(raw['reader-config'] === undefined ? {} : readPropertiesFile(raw['reader-config'])),
    ...parseKeyValueArgs(raw.property),
  }
  const pick = (flag: keyof RawProducerFlags, key: string, def: number): number => {
    const explicit = intOpt(raw[flag] as string | undefined, flag)
    if (explicit !== undefined) return explicit
    return propInt(props, key) ?? def
  }
  const batchSize = raw['max-partition-memory-bytes'] !== undefined
    ? intOpt(raw['max-partition-memory-bytes'], 'max-partition-memory-bytes') as number
    : pick('batch-size', 'batch.size', 16384)
  const compression = (raw['compression-codec'] ?? props['compression.type'] ?? 'none').trim().toLowerCase()
  if (!COMPRESSIONS.includes(compression as CompressionName)) {
    throw new UsageError(`Invalid value ${compression} for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd`)
  }
  const acks = parseAcks(raw['request-required-acks'] ?? props.acks ?? '-1')
  const lingerMs = pick('timeout', 'linger.ms', 1000)
  const requestTimeoutMs = pick('request-timeout-ms', 'request.timeout.ms', 1500)
  const retries = pick('message-send-max-retries', 'retries', 3)
  const retryBackoffMs = pick('retry-backoff-ms', 'retry.backoff.ms', 100)
  for (const [name, v] of [['batch.size', batchSize], ['linger.ms', lingerMs], ['request.timeout.ms', requestTimeoutMs], ['retries', retries], ['retry.backoff.ms', retryBackoffMs]] as const) {
    if (v < 0) throw new UsageError(`Invalid value ${v} for configuration ${name}: Value must be at least 0`)
  }
  return {
    bootstrapServer,
    topic: raw.topic,
    sync: raw.sync === true,
    acks,
    compression: compression as CompressionName,
    batchSize,
    lingerMs,
    retries,
    retryBackoffMs,
    requestTimeoutMs,
    properties: {...props, 'client.id': props['client.id'] ?? 'console-producer', 'request.timeout.ms': String(requestTimeoutMs)},
    reader: lineReaderConfig(readerProps),
  }
}
