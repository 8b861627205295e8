/**
 * Options of `kts consumer-perf-test`, as Kafka's `ConsumerPerformance.ConsumerPerfOptions` [4.0]
 * (jopt-simple) reads them: `Missing required argument "[topic]"`, `Missing required argument
 * "[messages]"`, `Cannot parse argument 'x' of option messages`, `Reporting interval must be greater
 * than 0.`, and the consumer properties the tool sets over `--consumer.config`: bootstrap.servers,
 * group.id (`--group`, default `perf-consumer-<0..99999>`), receive.buffer.bytes,
 * max.partition.fetch.bytes (`--fetch-size`), auto.offset.reset (`--from-latest` → latest, else
 * earliest), check.crcs=false, client.id (default `perf-consumer-client`).
 *
 * `--bootstrap-server` defaults to `KTS_BOOTSTRAP_SERVER`, else `localhost:9092` (kts; Kafka 4.0
 * requires it).
 */
import {UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'
import {readPropertiesFile, type ClientProperties} from '../admin/client-properties.js'
import {booleanConfig, bootstrapServersConfig, choiceConfig, numberConfig, securityConfig} from './config-values.js'
import {DatePatternError, simpleDateFormat} from './java-format.js'
import type {PerfConsumerSettings} from './perf-consumer.js'

/** Flags as oclif parses them (numbers still strings, as jopt-simple sees them). */
export interface RawConsumerPerfFlags {
  'bootstrap-server'?: string
  topic?: string
  group?: string
  'fetch-size'?: string
  'from-latest'?: boolean
  'socket-buffer-size'?: string
  'consumer.config'?: string
  'print-metrics'?: boolean
  'show-detailed-stats'?: boolean
  timeout?: string
  messages?: string
  'reporting-interval'?: string
  'date-format'?: string
  'hide-header'?: boolean
}

export interface ConsumerPerfOptions {
  topic: string
  numMessages: number
  reportingIntervalMs: number
  showDetailedStats: boolean
  hideHeader: boolean
  printMetrics: boolean
  /** Longest gap between records before giving up (ms). */
  timeoutMs: number
  formatDate: (ms: number) => string
  consumer: PerfConsumerSettings
  properties: ClientProperties
}

/** Kafka's default of `--timeout` (also used when `--timeout` has no value). */
export const DEFAULT_TIMEOUT_MS = 10_000

/** Rewrites argv so that a bare `--timeout` (no value, or followed by another option) means its default, as jopt's optional argument does. */
export function expandOptionalTimeout(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    out.push(argv[i])
    if (argv[i] === '--timeout' && (i + 1 >= argv.length || argv[i + 1].startsWith('--'))) out.push(String(DEFAULT_TIMEOUT_MS))
  }
  return out
}

/** jopt's Long/Integer conversion. @throws UsageError `Cannot parse argument 'x' of option <name>`. */
function joptInteger(raw: string | undefined, option: string, type: 'Long' | 'Integer', def: number): number {
  if (raw === undefined) return def
  const limit = type === 'Long' ? 2n ** 63n : 2n ** 31n
  if (/^[+-]?\d+$/.test(raw)) {
    const b = BigInt(raw)
    if (b >= -limit && b < limit && b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= -BigInt(Number.MAX_SAFE_INTEGER)) return Number(b)
  }
  throw new UsageError(`Cannot parse argument '${raw}' of option ${option}`)
}

/**
 * Validates the flags and builds the consumer settings.
 * @throws UsageError with Kafka's messages (see the file comment) and consumer property errors
 *   (`Invalid value x for configuration isolation.level: ...`); DatePatternError text for a bad `--date-format`.
 */
export function resolveConsumerPerfOptions(raw: RawConsumerPerfFlags, env: NodeJS.ProcessEnv = process.env): ConsumerPerfOptions {
  const fetchSize = joptInteger(raw['fetch-size'], 'fetch-size', 'Integer', 1024 * 1024)
  const socketBufferSize = joptInteger(raw['socket-buffer-size'], 'socket-buffer-size', 'Integer', 2 * 1024 * 1024)
  const timeoutMs = joptInteger(raw.timeout, 'timeout', 'Long', DEFAULT_TIMEOUT_MS)
  const numMessages = raw.messages === undefined ? undefined : joptInteger(raw.messages, 'messages', 'Long', 0)
  const reportingIntervalMs = joptInteger(raw['reporting-interval'], 'reporting-interval', 'Long', 5000)
  if (raw.topic === undefined) throw new UsageError('Missing required argument "[topic]"')
  if (numMessages === undefined) throw new UsageError('Missing required argument "[messages]"')
  if (reportingIntervalMs <= 0) throw new UsageError('Reporting interval must be greater than 0.')
  let formatDate: (ms: number) => string
  try {
    formatDate = simpleDateFormat(raw['date-format'] ?? 'yyyy-MM-dd HH:mm:ss:SSS')
  } catch (err) {
    if (err instanceof DatePatternError) throw new UsageError(err.message)
    throw err
  }

  const properties: ClientProperties = raw['consumer.config'] === undefined ? {} : readPropertiesFile(raw['consumer.config'])
  properties['bootstrap.servers'] = resolveBootstrapServer(raw['bootstrap-server'], env)
  properties['group.id'] = raw.group ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`
  properties['receive.buffer.bytes'] = String(socketBufferSize)
  properties['max.partition.fetch.bytes'] = String(fetchSize)
  properties['auto.offset.reset'] = raw['from-latest'] ? 'latest' : 'earliest'
  properties['check.crcs'] = 'false'
  properties['client.id'] ??= 'perf-consumer-client'

  return {
    topic: raw.topic,
    numMessages,
    reportingIntervalMs,
    showDetailedStats: raw['show-detailed-stats'] === true,
    hideHeader: raw['hide-header'] === true,
    printMetrics: raw['print-metrics'] === true,
    timeoutMs,
    formatDate,
    consumer: resolvePerfConsumerSettings(properties),
    properties,
  }
}

/**
 * Consumer properties → settings, with Kafka's defaults and `ConfigDef` messages.
 * @throws UsageError for bad values, `group.protocol=consumer` (KIP-848, not spoken yet) and SASL.
 */
export function resolvePerfConsumerSettings(props: ClientProperties): PerfConsumerSettings {
  const bootstrapServers = bootstrapServersConfig(props)
  const security = securityConfig(props)
  const protocol = choiceConfig(props, 'group.protocol', 'classic', ['classic', 'consumer'] as const)
  if (protocol === 'consumer') throw new UsageError('group.protocol=consumer (KIP-848) is not supported by kts consumer-perf-test yet; use classic')
  const sessionTimeoutMs = numberConfig(props, 'session.timeout.ms', 45_000, 'INT')
  const heartbeatIntervalMs = numberConfig(props, 'heartbeat.interval.ms', 3000, 'INT')
  if (heartbeatIntervalMs >= sessionTimeoutMs) throw new UsageError('Heartbeat must be set lower than the session timeout')
  const groupId = props['group.id']
  if (groupId === undefined || groupId.trim() === '') throw new UsageError('To use the group management or offset commit APIs, you must provide a valid group.id in the consumer configuration.')
  return {
    bootstrapServers,
    clientId: props['client.id'] ?? 'perf-consumer-client',
    tls: security.tls !== undefined,
    security,
    groupId,
    groupInstanceId: props['group.instance.id'] ?? null,
    autoOffsetReset: choiceConfig(props, 'auto.offset.reset', 'latest', ['latest', 'earliest', 'none'] as const),
    maxPartitionFetchBytes: numberConfig(props, 'max.partition.fetch.bytes', 1_048_576, 'INT', 0),
    fetchMaxBytes: numberConfig(props, 'fetch.max.bytes', 52_428_800, 'INT', 0),
    fetchMinBytes: numberConfig(props, 'fetch.min.bytes', 1, 'INT', 0),
    fetchMaxWaitMs: numberConfig(props, 'fetch.max.wait.ms', 500, 'INT', 0),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    maxPollIntervalMs: numberConfig(props, 'max.poll.interval.ms', 300_000, 'INT', 1),
    isolationLevel: choiceConfig(props, 'isolation.level', 'read_uncommitted', ['read_committed', 'read_uncommitted'] as const) === 'read_committed' ? 1 : 0,
    enableAutoCommit: booleanConfig(props, 'enable.auto.commit', true),
    autoCommitIntervalMs: numberConfig(props, 'auto.commit.interval.ms', 5000, 'INT', 0),
    requestTimeoutMs: numberConfig(props, 'request.timeout.ms', 30_000, 'INT', 0),
    retryBackoffMs: numberConfig(props, 'retry.backoff.ms', 100, 'LONG', 0),
  }
}
