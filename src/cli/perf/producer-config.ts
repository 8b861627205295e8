/**
 * Producer properties of `kts producer-perf-test` (`--producer-props`, `--producer.config`) turned
 * into the settings of our perf producer, with Kafka's names, defaults [4.0] and validation
 * messages (`ProducerConfig`, `ConfigDef`): `Invalid value 2 for configuration acks: String must be
 * one of: all, -1, 0, 1`, `Missing required configuration "bootstrap.servers" which has no default value.`
 *
 * Idempotence follows Kafka 3.2+: on by default (acks=all), turned off silently when not set
 * explicitly and acks ≠ all or max.in.flight.requests.per.connection > 5; set explicitly it
 * requires both (`Must set acks to all in order to use the idempotent producer. ...`).
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {UsageError} from '../errors.js'
import {booleanConfig, bootstrapServersConfig, invalidConfig, numberConfig, securityConfig} from './config-values.js'
import type {ClientProperties} from '../admin/client-properties.js'
import {CompressionCodec} from '../../protocol/records/record-batch.js'
import {COMPRESSION_LEVELS} from '../../protocol/records/compression.js'

/** Settings of `PerfProducer`. Times in ms, sizes in bytes. */
export interface PerfProducerSettings {
  bootstrapServers: string[]
  clientId: string
  /** security.protocol SSL. */
  tls: boolean
  /** TLS/SASL settings of security.protocol. */
  security: ClientSecurity
  /** -1 (all), 0 or 1. */
  acks: -1 | 0 | 1
  batchSize: number
  lingerMs: number
  bufferMemory: number
  compression: CompressionCodec
  compressionLevel?: number
  maxInFlight: number
  idempotence: boolean
  retries: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  requestTimeoutMs: number
  deliveryTimeoutMs: number
  maxRequestSize: number
  maxBlockMs: number
  metadataMaxAgeMs: number
}

const INT_MAX = 2147483647

const COMPRESSION: Record<string, CompressionCodec> = {
  none: CompressionCodec.None, gzip: CompressionCodec.Gzip, snappy: CompressionCodec.Snappy, lz4: CompressionCodec.Lz4, zstd: CompressionCodec.Zstd,
}

/**
 * Validates `props` (after the tool's own defaults are merged in) into producer settings.
 * @throws UsageError with Kafka's wording for a missing bootstrap.servers, bad numbers, acks,
 *   compression.type, booleans and idempotence conflicts; and for SASL, which the tool cannot speak.
 */
export function resolvePerfProducerSettings(props: ClientProperties): PerfProducerSettings {
  const bootstrapServers = bootstrapServersConfig(props)
  const security = securityConfig(props)

  const acksRaw = props.acks ?? 'all'
  let acks: -1 | 0 | 1
  switch (acksRaw.trim().toLowerCase()) {
    case 'all': case '-1': acks = -1; break
    case '0': acks = 0; break
    case '1': acks = 1; break
    default: throw invalidConfig(acksRaw, 'acks', 'String must be one of: all, -1, 0, 1')
  }

  const compressionRaw = props['compression.type'] ?? 'none'
  const compression = COMPRESSION[compressionRaw.trim().toLowerCase()]
  if (compression === undefined) throw invalidConfig(compressionRaw, 'compression.type', 'String must be one of: none, gzip, snappy, lz4, zstd')
  let compressionLevel: number | undefined
  const levelKey = compression === CompressionCodec.Gzip ? 'gzip' : compression === CompressionCodec.Lz4 ? 'lz4' : compression === CompressionCodec.Zstd ? 'zstd' : null
  if (levelKey !== null && props[`compression.${levelKey}.level`] !== undefined) {
    const key = `compression.${levelKey}.level`
    const range = COMPRESSION_LEVELS[levelKey]
    compressionLevel = numberConfig(props, key, range.default, 'INT')
    if (compressionLevel < range.min || compressionLevel > range.max) {
      throw invalidConfig(props[key]!, key, `Value must be between ${range.min} and ${range.max}`)
    }
  }

  const maxInFlight = numberConfig(props, 'max.in.flight.requests.per.connection', 5, 'INT', 1)
  const retries = numberConfig(props, 'retries', INT_MAX, 'INT', 0)
  const idempotenceSet = props['enable.idempotence'] !== undefined
  let idempotence = booleanConfig(props, 'enable.idempotence', true)
  if (idempotenceSet && idempotence) {
    if (acks !== -1) throw new UsageError('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.')
    if (maxInFlight > 5) throw new UsageError('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.')
    if (retries === 0) throw new UsageError('Must set retries to non-zero when using the idempotent producer.')
  } else if (!idempotenceSet && (acks !== -1 || maxInFlight > 5 || retries === 0)) {
    idempotence = false
  }

  const lingerMs = numberConfig(props, 'linger.ms', 5, 'LONG', 0)
  const requestTimeoutMs = numberConfig(props, 'request.timeout.ms', 30_000, 'INT', 0)
  let deliveryTimeoutMs = numberConfig(props, 'delivery.timeout.ms', 120_000, 'INT', 0)
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    if (props['delivery.timeout.ms'] !== undefined) {
      throw invalidConfig(props['delivery.timeout.ms'], 'delivery.timeout.ms', 'should be equal to or larger than linger.ms + request.timeout.ms')
    }
    deliveryTimeoutMs = lingerMs + requestTimeoutMs
  }

  return {
    bootstrapServers,
    clientId: props['client.id'] ?? 'perf-producer-client',
    tls: security.tls !== undefined,
    security,
    acks,
    batchSize: numberConfig(props, 'batch.size', 16_384, 'INT', 0),
    lingerMs,
    bufferMemory: numberConfig(props, 'buffer.memory', 33_554_432, 'LONG', 0),
    compression,
    compressionLevel,
    maxInFlight,
    idempotence,
    retries,
    retryBackoffMs: numberConfig(props, 'retry.backoff.ms', 100, 'LONG', 0),
    retryBackoffMaxMs: numberConfig(props, 'retry.backoff.max.ms', 1000, 'LONG', 0),
    requestTimeoutMs,
    deliveryTimeoutMs,
    maxRequestSize: numberConfig(props, 'max.request.size', 1_048_576, 'INT', 0),
    maxBlockMs: numberConfig(props, 'max.block.ms', 60_000, 'LONG', 0),
    metadataMaxAgeMs: numberConfig(props, 'metadata.max.age.ms', 300_000, 'LONG', 0),
  }
}
