/**
 * Client connections for the client-side tools (`kts topics`, `kts console-producer`,
 * `kts console-consumer`): a kafkajs `Kafka` built from `--bootstrap-server` plus a Java
 * `.properties` file (`--command-config`, `--producer.config`, ...), with kafkajs's own logging
 * silenced, and the mapping of kafkajs errors to the messages Kafka's Java clients print.
 *
 * Works against any Kafka cluster (the tools do not assume a kts broker).
 */
import {Kafka, logLevel, type KafkaConfig, type Admin, type SASLOptions} from 'kafkajs'
import {TerseError, UsageError} from '../errors.js'
import {clientSecurity, parseBootstrapServers, type ClientProperties} from './client-properties.js'
import type {SaslClientConfig} from '../../protocol/security/client-security.js'

export {parseBootstrapServers, parseKeyValueArgs, readPropertiesFile, type ClientProperties} from './client-properties.js'

/** Options for `createKafka`. */
export interface ClientOptions {
  /** `bootstrap.servers` as `host:port,...` (the flag wins over the properties). */
  bootstrapServer?: string
  /** Client properties (Java names: `client.id`, `security.protocol`, `sasl.mechanism`, `sasl.jaas.config`, `request.timeout.ms`, ...). */
  properties?: ClientProperties
  /** Default `client.id`. */
  clientId?: string
}

/**
 * Builds a kafkajs `Kafka` from Java client properties. Understood: `bootstrap.servers`,
 * `client.id`, `request.timeout.ms`, `socket.connection.setup.timeout.ms` (connect timeout, ms),
 * `security.protocol` (SSL / SASL_SSL → TLS with `ssl.truststore.*` / `ssl.keystore.*` /
 * `ssl.endpoint.identification.algorithm`), `sasl.mechanism` (PLAIN, SCRAM-SHA-256/512) with the
 * username/password from `sasl.jaas.config` (client-security.ts). kafkajs logging is off.
 * @throws UsageError when no bootstrap server is given; TerseError for unusable security settings.
 */
export function createKafka(opts: ClientOptions): Kafka {
  const props = opts.properties ?? {}
  const servers = opts.bootstrapServer ?? props['bootstrap.servers']
  if (servers === undefined || servers === '') throw new UsageError('--bootstrap-server must be specified')
  const config: KafkaConfig = {
    brokers: parseBootstrapServers(servers),
    clientId: props['client.id'] ?? opts.clientId ?? 'kts',
    logLevel: logLevel.NOTHING,
    connectionTimeout: intProp(props, 'socket.connection.setup.timeout.ms') ?? 10_000,
    requestTimeout: intProp(props, 'request.timeout.ms') ?? 30_000,
    retry: {retries: 5, initialRetryTime: 100, maxRetryTime: 1000},
  }
  const security = clientSecurity(props)
  if (security.tls) config.ssl = security.tls
  if (security.sasl) config.sasl = saslOptions(security.sasl)
  return new Kafka(config)
}

function intProp(props: ClientProperties, key: string): number | undefined {
  const v = props[key]
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v.trim())
  if (!Number.isInteger(n)) throw new UsageError(`Invalid value ${v} for configuration ${key}: Not a number of type INT`)
  return n
}

function saslOptions(sasl: SaslClientConfig): SASLOptions {
  const {username, password} = sasl
  switch (sasl.mechanism) {
    case 'PLAIN': return {mechanism: 'plain', username, password}
    case 'SCRAM-SHA-256': return {mechanism: 'scram-sha-256', username, password}
    case 'SCRAM-SHA-512': return {mechanism: 'scram-sha-512', username, password}
  }
}

/** Connects a kafkajs Admin (no auto topic creation); maps connection failures like `toKafkaMessage`. */
export async function connectAdmin(opts: ClientOptions): Promise<Admin> {
  const admin = createKafka(opts).admin({retry: {retries: 2, initialRetryTime: 100, maxRetryTime: 1000}})
  try {
    await admin.connect()
  } catch (err) {
    throw new TerseError(toKafkaMessage(err), {cause: err})
  }
  return admin
}

/** kafkajs error `type` (Kafka error name) → Kafka error code, for the ones the tools map. */
const CODE_BY_TYPE: Record<string, number> = {
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  REQUEST_TIMED_OUT: 7,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  TOPIC_ALREADY_EXISTS: 36,
  POLICY_VIOLATION: 44,
  TOPIC_AUTHORIZATION_FAILED: 29,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNKNOWN_TOPIC_ID: 100,
}

/** The Kafka error code carried by a kafkajs error (`type`), if any. */
export function kafkaErrorCodeOf(err: unknown): number | undefined {
  const e = err as {type?: string, errors?: unknown[]}
  if (Array.isArray(e?.errors) && e.errors.length > 0) return kafkaErrorCodeOf(e.errors[0])
  return e?.type !== undefined ? CODE_BY_TYPE[e.type] : undefined
}

/**
 * One-line message for a client failure, worded like Kafka's Java client where kafkajs differs:
 * no reachable broker → `Timed out waiting for a node assignment.`; aggregate errors → the first cause.
 */
export function toKafkaMessage(err: unknown): string {
  const e = err as {name?: string, message?: string, errors?: unknown[], originalError?: unknown, cause?: unknown}
  if (Array.isArray(e?.errors) && e.errors.length > 0) return toKafkaMessage(e.errors[0])
  const name = e?.name ?? ''
  const inner = e?.cause ?? e?.originalError
  if (name === 'KafkaJSNumberOfRetriesExceeded' && inner !== undefined) return toKafkaMessage(inner)
  if (name === 'KafkaJSConnectionError' || /^Connection error: /.test(e?.message ?? '')) {
    return 'Timed out waiting for a node assignment.'
  }
  return e?.message ?? String(err)
}

/** True for Kafka's internal topics (`Topic.isInternal`). */
export function isInternalTopic(name: string): boolean {
  return name === '__consumer_offsets' || name === '__transaction_state'
}
