/**
 * server.properties → typed `ServerConfig` (Kafka's `KafkaConfig` for a KRaft node).
 *
 * `loadServerConfig(path, overrides)` reads a Java properties file (dot-properties), applies
 * `--override k=v` (which beat the file, like `kafka.Kafka`), parses every known key with Kafka's
 * name, type and default (`broker-config-defs.ts`), and checks the KRaft combinations
 * (`KafkaConfig.validateValues`). Unknown keys are collected in `unknownKeys` so the node can warn once.
 * Every problem is a `ConfigError` whose message is ONE line naming the key and value.
 * Sources: Kafka 3.9 KafkaConfig.scala, SocketServerConfigs, QuorumConfig; kafka-tools.md §8.2.
 */
import fs from 'node:fs'
import {parse as parseProperties} from 'dot-properties'
import {BROKER_CONFIG_DEFS, isKnownBrokerKey} from './broker-config-defs.js'
import {ConfigError, invalidValue, resolveValue, type ConfigValue} from './config-def.js'
import {TOPIC_CONFIG_DEFS} from './topic-config-defs.js'

export {ConfigError} from './config-def.js'
export {TOPIC_CONFIG_DEFS, validateTopicConfig, type TopicConfigDef} from './topic-config-defs.js'

/** One listener: `NAME://host:port`. `host` '' means all interfaces (bind) for `listeners`. */
export interface Endpoint {
  name: string
  host: string
  port: number
  securityProtocol: string
}

/** One static voter of `controller.quorum.voters` (`id@host:port`). */
export interface QuorumVoter {
  id: number
  host: string
  port: number
}

export type ProcessRole = 'broker' | 'controller'

/** The typed configuration of one node. Durations in ms, sizes in bytes. */
export interface ServerConfig {
  /** Effective string properties (file + overrides), keys as written. */
  originals: Readonly<Record<string, string>>
  /** Keys that kts does not know (the node logs one warning naming them). */
  unknownKeys: string[]
  /** Parsed value of any known key by its Kafka name (defaults applied); see `BROKER_CONFIG_DEFS`. */
  get(name: string): ConfigValue

  processRoles: ProcessRole[]
  nodeId: number
  controllerQuorumVoters: QuorumVoter[]
  /** `controller.quorum.bootstrap.servers` parsed to host/port. */
  controllerQuorumBootstrapServers: {host: string, port: number}[]
  controllerListenerNames: string[]
  controllerQuorumElectionTimeoutMs: number
  controllerQuorumFetchTimeoutMs: number
  controllerQuorumElectionBackoffMaxMs: number
  controllerQuorumRequestTimeoutMs: number
  controllerQuorumRetryBackoffMs: number
  controllerQuorumAppendLingerMs: number

  /** All `listeners` (broker and controller). */
  listeners: Endpoint[]
  /** Advertised endpoints of the broker listeners (advertised.listeners, else listeners; '' host → 'localhost'). */
  advertisedListeners: Endpoint[]
  /** Advertised endpoints of the controller listeners. */
  controllerAdvertisedListeners: Endpoint[]
  interBrokerListenerName: string
  /** listener name → security protocol (effective, including implicit PLAINTEXT for controller listeners). */
  listenerSecurityProtocolMap: Record<string, string>

  /** log.dirs (or log.dir), trimmed, in the configured order. */
  logDirs: string[]
  /** metadata.log.dir, else the first log dir. */
  metadataLogDir: string

  numPartitions: number
  defaultReplicationFactor: number
  minInsyncReplicas: number
  autoCreateTopicsEnable: boolean
  deleteTopicEnable: boolean
  uncleanLeaderElectionEnable: boolean
  socketRequestMaxBytes: number
  messageMaxBytes: number
  logSegmentBytes: number
  /** log.roll.ms, else log.roll.hours × 3600000. */
  logRollMs: number
  /** log.retention.ms, else .minutes, else .hours; -1 = forever. */
  logRetentionMs: number
  logRetentionBytes: number
  logRetentionCheckIntervalMs: number
  logCleanupPolicy: string[]
  logIndexSizeMaxBytes: number
  logIndexIntervalBytes: number
  /** null = Kafka's Long.MAX default (never flush by count). */
  logFlushIntervalMessages: number | null
  /** null = not set (never flush by time). */
  logFlushIntervalMs: number | null
  logSegmentDeleteDelayMs: number
  logMessageTimestampType: 'CreateTime' | 'LogAppendTime'
  compressionType: string

  offsetsTopicNumPartitions: number
  offsetsTopicReplicationFactor: number
  offsetsTopicSegmentBytes: number
  /** offsets.retention.minutes × 60000. */
  offsetsRetentionMs: number
  offsetsRetentionCheckIntervalMs: number
  offsetsCommitTimeoutMs: number
  groupInitialRebalanceDelayMs: number
  groupMinSessionTimeoutMs: number
  groupMaxSessionTimeoutMs: number
  groupMaxSize: number

  transactionStateLogNumPartitions: number
  transactionStateLogReplicationFactor: number
  transactionStateLogMinIsr: number
  transactionStateLogSegmentBytes: number
  transactionMaxTimeoutMs: number
  transactionalIdExpirationMs: number
  producerIdExpirationMs: number

  metadataLogSegmentBytes: number
  metadataLogSegmentMs: number
  metadataLogMaxRecordBytesBetweenSnapshots: number
  metadataLogMaxSnapshotIntervalMs: number
  metadataMaxRetentionBytes: number
  metadataMaxRetentionMs: number
  metadataMaxIdleIntervalMs: number
  replicaLagTimeMaxMs: number
  replicaFetchMaxBytes: number
  replicaFetchWaitMaxMs: number
  replicaHighWatermarkCheckpointIntervalMs: number
  brokerHeartbeatIntervalMs: number
  brokerSessionTimeoutMs: number
  unstableApiVersionsEnable: boolean
}

/** Reads `path` as Java properties. @throws ConfigError when the file cannot be read. */
export function readPropertiesFile(path: string): Record<string, string> {
  let text: string
  try {
    text = fs.readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(code === 'ENOENT' ? `${path} (No such file or directory)` : `Cannot read ${path}: ${(err as Error).message}`)
  }
  return parsePropertiesText(text)
}

/** Parses Java .properties text into flat string pairs (comments and blank lines dropped). */
export function parsePropertiesText(text: string): Record<string, string> {
  const tree = parseProperties(text)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(tree)) if (typeof v === 'string') out[k] = v
  return out
}

/**
 * Parses `--override` values `k=v` (split at the first `=`).
 * @throws ConfigError `Invalid override: abc (expected property=value)` when there is no `=` or no key.
 */
export function parseOverrides(overrides: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const o of overrides) {
    const i = o.indexOf('=')
    if (i <= 0) throw new ConfigError(`Invalid override: ${o} (expected property=value)`)
    out[o.slice(0, i).trim()] = o.slice(i + 1)
  }
  return out
}

/** Reads a server.properties file, applies overrides, and builds the typed config. @throws ConfigError */
export function loadServerConfig(path: string, overrides: readonly string[] = []): ServerConfig {
  return buildServerConfig({...readPropertiesFile(path), ...parseOverrides(overrides)})
}

/**
 * Builds a `ServerConfig` from raw string properties (defaults applied, values validated, KRaft
 * combinations checked when `process.roles` is set).
 * @throws ConfigError one line naming the key and value.
 */
export function buildServerConfig(props: Record<string, string>): ServerConfig {
  const values = new Map<string, ConfigValue>()
  for (const def of BROKER_CONFIG_DEFS.values()) values.set(def.name, resolveValue(def, props[def.name]))
  const unknownKeys = Object.keys(props).filter((k) => !isKnownBrokerKey(k)).sort()
  const get = (name: string): ConfigValue => {
    if (!values.has(name)) throw new Error(`Unknown config key ${name}`)
    return values.get(name)!
  }
  const num = (name: string): number => get(name) as number
  const optNum = (name: string): number | null => get(name) as number | null
  const bool = (name: string): boolean => get(name) as boolean
  const str = (name: string): string | null => get(name) as string | null
  const list = (name: string): string[] => get(name) as string[]

  const roles = list('process.roles') as ProcessRole[]
  const processRoles = [...new Set(roles)]
  const isKraft = processRoles.length > 0
  let nodeId = num('node.id')
  if (nodeId < 0 && num('broker.id') >= 0) nodeId = num('broker.id')
  const controllerListenerNames = list('controller.listener.names')

  const protocolMap = parseProtocolMap(str('listener.security.protocol.map')!, props['listener.security.protocol.map'] !== undefined, controllerListenerNames)
  const listeners = parseListeners('listeners', str('listeners')!, protocolMap)
  const advertisedRaw = str('advertised.listeners')
  const advertisedAll = advertisedRaw === null ? listeners : parseListeners('advertised.listeners', advertisedRaw, protocolMap)
  const advertise = (e: Endpoint): Endpoint => ({...e, host: e.host === '' ? 'localhost' : e.host})
  const isController = (e: Endpoint) => controllerListenerNames.includes(e.name)
  const advertisedListeners = advertisedAll.filter((e) => !isController(e)).map(advertise)
  const controllerAdvertisedListeners = controllerListenerNames
    .map((n) => advertisedAll.find((e) => e.name === n) ?? listeners.find((e) => e.name === n))
    .filter((e): e is Endpoint => e !== undefined)
    .map(advertise)

  const interBrokerListenerName = str('inter.broker.listener.name') ?? str('security.inter.broker.protocol')!
  const logDirsRaw = str('log.dirs') ?? str('log.dir')!
  const logDirs = logDirsRaw.split(',').map((d) => d.trim()).filter((d) => d.length > 0)
  const metadataLogDir = str('metadata.log.dir')?.trim() || logDirs[0] || ''

  const retentionMs = optNum('log.retention.ms') ?? (optNum('log.retention.minutes') !== null ? num('log.retention.minutes') * 60_000 : num('log.retention.hours') * 3_600_000)
  const rollMs = optNum('log.roll.ms') ?? num('log.roll.hours') * 3_600_000
  const voters = list('controller.quorum.voters').map(parseVoter)
  const bootstrapServers = list('controller.quorum.bootstrap.servers').map((s) => parseHostPort('controller.quorum.bootstrap.servers', s))

  const config: ServerConfig = {
    originals: Object.freeze({...props}),
    unknownKeys,
    get,
    processRoles,
    nodeId,
    controllerQuorumVoters: voters,
    controllerQuorumBootstrapServers: bootstrapServers,
    controllerListenerNames,
    controllerQuorumElectionTimeoutMs: num('controller.quorum.election.timeout.ms'),
    controllerQuorumFetchTimeoutMs: num('controller.quorum.fetch.timeout.ms'),
    controllerQuorumElectionBackoffMaxMs: num('controller.quorum.election.backoff.max.ms'),
    controllerQuorumRequestTimeoutMs: num('controller.quorum.request.timeout.ms'),
    controllerQuorumRetryBackoffMs: num('controller.quorum.retry.backoff.ms'),
    controllerQuorumAppendLingerMs: num('controller.quorum.append.linger.ms'),
    listeners,
    advertisedListeners,
    controllerAdvertisedListeners,
    interBrokerListenerName,
    listenerSecurityProtocolMap: protocolMap,
    logDirs,
    metadataLogDir,
    numPartitions: num('num.partitions'),
    defaultReplicationFactor: num('default.replication.factor'),
    minInsyncReplicas: num('min.insync.replicas'),
    autoCreateTopicsEnable: bool('auto.create.topics.enable'),
    deleteTopicEnable: bool('delete.topic.enable'),
    uncleanLeaderElectionEnable: bool('unclean.leader.election.enable'),
    socketRequestMaxBytes: num('socket.request.max.bytes'),
    messageMaxBytes: num('message.max.bytes'),
    logSegmentBytes: num('log.segment.bytes'),
    logRollMs: rollMs,
    logRetentionMs: retentionMs,
    logRetentionBytes: num('log.retention.bytes'),
    logRetentionCheckIntervalMs: num('log.retention.check.interval.ms'),
    logCleanupPolicy: list('log.cleanup.policy'),
    logIndexSizeMaxBytes: num('log.index.size.max.bytes'),
    logIndexIntervalBytes: num('log.index.interval.bytes'),
    logFlushIntervalMessages: props['log.flush.interval.messages'] === undefined ? null : num('log.flush.interval.messages'),
    logFlushIntervalMs: optNum('log.flush.interval.ms'),
    logSegmentDeleteDelayMs: num('log.segment.delete.delay.ms'),
    logMessageTimestampType: str('log.message.timestamp.type') as 'CreateTime' | 'LogAppendTime',
    compressionType: str('compression.type')!,
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: num('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: num('offsets.topic.segment.bytes'),
    offsetsRetentionMs: num('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms'),
    offsetsCommitTimeoutMs: num('offsets.commit.timeout.ms'),
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms'),
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms'),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms'),
    groupMaxSize: num('group.max.size'),
    transactionStateLogNumPartitions: num('transaction.state.log.num.partitions'),
    transactionStateLogReplicationFactor: num('transaction.state.log.replication.factor'),
    transactionStateLogMinIsr: num('transaction.state.log.min.isr'),
    transactionStateLogSegmentBytes: num('transaction.state.log.segment.bytes'),
    transactionMaxTimeoutMs: num('transaction.max.timeout.ms'),
    transactionalIdExpirationMs: num('transactional.id.expiration.ms'),
    producerIdExpirationMs: num('producer.id.expiration.ms'),
    metadataLogSegmentBytes: num('metadata.log.segment.bytes'),
    metadataLogSegmentMs: num('metadata.log.segment.ms'),
    metadataLogMaxRecordBytesBetweenSnapshots: num('metadata.log.max.record.bytes.between.snapshots'),
    metadataLogMaxSnapshotIntervalMs: num('metadata.log.max.snapshot.interval.ms'),
    metadataMaxRetentionBytes: num('metadata.max.retention.bytes'),
    metadataMaxRetentionMs: num('metadata.max.retention.ms'),
    metadataMaxIdleIntervalMs: num('metadata.max.idle.interval.ms'),
    replicaLagTimeMaxMs: num('replica.lag.time.max.ms'),
    replicaFetchMaxBytes: num('replica.fetch.max.bytes'),
    replicaFetchWaitMaxMs: num('replica.fetch.wait.max.ms'),
    replicaHighWatermarkCheckpointIntervalMs: num('replica.high.watermark.checkpoint.interval.ms'),
    brokerHeartbeatIntervalMs: num('broker.heartbeat.interval.ms'),
    brokerSessionTimeoutMs: num('broker.session.timeout.ms'),
    unstableApiVersionsEnable: bool('unstable.api.versions.enable'),
  }
  if (isKraft) validateKraft(config)
  return config
}

/** KafkaConfig.validateValues for KRaft nodes (messages follow Kafka's where it has one). */
function validateKraft(c: ServerConfig): void {
  if (c.nodeId < 0) throw new ConfigError('Missing required configuration "node.id" which has no default value.')
  if (c.controllerQuorumVoters.length === 0 && c.controllerQuorumBootstrapServers.length === 0) {
    throw new ConfigError('If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.')
  }
  if (c.controllerListenerNames.length === 0) {
    throw new ConfigError('controller.listener.names must contain at least one value when running KRaft with just the broker role')
  }
  const listenerNames = c.listeners.map((l) => l.name)
  const hasController = c.processRoles.includes('controller')
  const hasBroker = c.processRoles.includes('broker')
  if (hasController && !c.controllerListenerNames.some((n) => listenerNames.includes(n))) {
    throw new ConfigError(`controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role`)
  }
  if (!hasController && c.controllerListenerNames.some((n) => listenerNames.includes(n))) {
    throw new ConfigError('controller.listener.names must not contain a value appearing in the \'listeners\' configuration when running KRaft with just the broker role')
  }
  if (hasBroker) {
    if (c.advertisedListeners.length === 0) throw new ConfigError('There must be at least one broker advertised listener. Perhaps all listeners appear in controller.listener.names?')
    if (!c.listeners.some((l) => l.name === c.interBrokerListenerName)) {
      throw new ConfigError(`inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${c.listeners.filter((l) => !c.controllerListenerNames.includes(l.name)).map((l) => l.name).join(',')}`)
    }
  }
  if (hasController && c.controllerQuorumVoters.length > 0 && !c.controllerQuorumVoters.some((v) => v.id === c.nodeId)) {
    throw new ConfigError(`If process.roles contains just the 'controller' role, the node id ${c.nodeId} must be included in the set of voters controller.quorum.voters=${c.controllerQuorumVoters.map((v) => `${v.id}@${v.host}:${v.port}`).join(',')}`)
  }
  if (c.logDirs.length === 0) throw invalidValue('log.dirs', '', 'Empty list')
}

/** `A:B,C:D` → {A: B, C: D}; implicit PLAINTEXT for controller listener names when the map is not set (Kafka). */
function parseProtocolMap(raw: string, explicit: boolean, controllerNames: string[]): Record<string, string> {
  const map: Record<string, string> = {}
  for (const entry of raw.split(',').map((s) => s.trim()).filter((s) => s)) {
    const i = entry.indexOf(':')
    if (i <= 0) throw invalidValue('listener.security.protocol.map', raw, `Map entry '${entry}' is not of the form 'listener:protocol'`)
    const name = entry.slice(0, i).trim().toUpperCase()
    const protocol = entry.slice(i + 1).trim().toUpperCase()
    if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
      throw invalidValue('listener.security.protocol.map', raw, `No enum constant org.apache.kafka.common.security.auth.SecurityProtocol.${protocol}`)
    }
    map[name] = protocol
  }
  if (!explicit) for (const n of controllerNames) if (!(n in map)) map[n] = 'PLAINTEXT'
  return map
}

/** `NAME://host:port,...` (host may be empty or `[ipv6]`). @throws ConfigError */
export function parseListeners(key: string, raw: string, protocolMap: Record<string, string>): Endpoint[] {
  const out: Endpoint[] = []
  for (const item of raw.split(',').map((s) => s.trim()).filter((s) => s)) {
    const m = /^([A-Za-z0-9_-]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(-?\d+)$/.exec(item)
    if (!m) throw invalidValue(key, raw, `Unable to parse ${item} to a broker endpoint`)
    const name = m[1].toUpperCase()
    const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2]
    const port = Number(m[3])
    if (port < 0 || port > 65535) throw invalidValue(key, raw, `Invalid port in ${item}`)
    const securityProtocol = protocolMap[name]
    if (!securityProtocol) throw invalidValue(key, raw, `No security protocol defined for listener ${name}`)
    if (out.some((e) => e.name === name)) throw invalidValue(key, raw, `Each listener must have a different name, listeners: ${raw}`)
    out.push({name, host, port, securityProtocol})
  }
  return out
}

/** `id@host:port` (QuorumConfig.parseVoterConnections). @throws ConfigError */
function parseVoter(s: string): QuorumVoter {
  const m = /^(\d+)@(\[[0-9a-fA-F:.]+\]|[^:@]+):(\d+)$/.exec(s)
  if (!m) throw invalidValue('controller.quorum.voters', s, `Unable to parse voter connection ${s}: expected id@host:port`)
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2]
  return {id: Number(m[1]), host, port: Number(m[3])}
}

function parseHostPort(key: string, s: string): {host: string, port: number} {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+):(\d+)$/.exec(s)
  if (!m) throw invalidValue(key, s, `Unable to parse ${s}: expected host:port`)
  return {host: m[1].startsWith('[') ? m[1].slice(1, -1) : m[1], port: Number(m[2])}
}

/** Where a topic config's effective broker-level default comes from. */
export interface TopicConfigDefault {
  /** Effective value as Kafka prints it (`604800000`, `delete`). */
  value: string
  /** STATIC_BROKER_CONFIG when a broker synonym is set in server.properties, else DEFAULT_CONFIG. */
  source: 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG'
  /** The broker key that supplied the value (first set synonym), or null for Kafka's default. */
  synonym: string | null
  /** All broker synonyms set in server.properties, in precedence order, with their raw values. */
  setSynonyms: {name: string, value: string}[]
}

/**
 * Broker-level defaults of every topic config (kafka-tools.md §8.3): for each topic config, the
 * value of the first broker synonym set in server.properties (converted to the topic's unit, e.g.
 * log.retention.hours=168 → retention.ms 604800000), else Kafka's default.
 */
export function topicLogConfigFromServer(config: ServerConfig): Record<string, TopicConfigDefault> {
  const out: Record<string, TopicConfigDefault> = {}
  for (const def of TOPIC_CONFIG_DEFS.values()) {
    const setSynonyms = def.synonyms
      .filter((s) => config.originals[s.name] !== undefined)
      .map((s) => ({name: s.name, value: String(config.originals[s.name]).trim()}))
    const first = def.synonyms.find((s) => config.originals[s.name] !== undefined)
    if (!first) {
      out[def.name] = {value: def.defaultValue, source: 'DEFAULT_CONFIG', synonym: null, setSynonyms}
      continue
    }
    const parsed = config.get(first.name)
    let value: string
    if (Array.isArray(parsed)) value = parsed.join(',')
    else if (typeof parsed === 'number' && first.factor !== 1) value = String(parsed * first.factor)
    else value = String(config.originals[first.name]).trim()
    out[def.name] = {value, source: 'STATIC_BROKER_CONFIG', synonym: first.name, setSynonyms}
  }
  return out
}

/**
 * The broker's default `LogConfig` for new logs (shape of `src/server/log/log-config.ts`'s LogConfig,
 * Kafka's topic names in comments): what LogManager uses for topics without overrides.
 */
export function logConfigFromServer(config: ServerConfig): {
  segmentBytes: number; segmentMs: number; segmentIndexBytes: number; indexIntervalBytes: number
  retentionMs: number; retentionBytes: number; maxMessageBytes: number; fileDeleteDelayMs: number
  cleanupPolicy: string; messageTimestampType: 'CreateTime' | 'LogAppendTime'; flushMessages?: number; flushMs?: number
  compressionType: string; compressionGzipLevel?: number; compressionZstdLevel?: number
  messageTimestampBeforeMaxMs?: number; messageTimestampAfterMaxMs?: number; messageTimestampDifferenceMaxMs?: number
  deleteRetentionMs: number; minCleanableDirtyRatio: number; minCompactionLagMs: number; maxCompactionLagMs: number
} {
  const level = (key: string): number | undefined => {
    const v = config.get(key)
    return typeof v === 'number' ? v : undefined
  }
  return {
    segmentBytes: config.logSegmentBytes, // segment.bytes
    segmentMs: config.logRollMs, // segment.ms
    segmentIndexBytes: config.logIndexSizeMaxBytes, // segment.index.bytes
    indexIntervalBytes: config.logIndexIntervalBytes, // index.interval.bytes
    retentionMs: config.logRetentionMs, // retention.ms
    retentionBytes: config.logRetentionBytes, // retention.bytes
    maxMessageBytes: config.messageMaxBytes, // max.message.bytes
    fileDeleteDelayMs: config.logSegmentDeleteDelayMs, // file.delete.delay.ms
    cleanupPolicy: config.logCleanupPolicy.join(','), // cleanup.policy
    deleteRetentionMs: config.get('log.cleaner.delete.retention.ms') as number, // delete.retention.ms
    minCleanableDirtyRatio: config.get('log.cleaner.min.cleanable.ratio') as number, // min.cleanable.dirty.ratio
    minCompactionLagMs: config.get('log.cleaner.min.compaction.lag.ms') as number, // min.compaction.lag.ms
    maxCompactionLagMs: config.get('log.cleaner.max.compaction.lag.ms') as number, // max.compaction.lag.ms
    messageTimestampType: config.logMessageTimestampType, // message.timestamp.type
    compressionType: config.compressionType, // compression.type
    compressionGzipLevel: level('compression.gzip.level'), // compression.gzip.level
    compressionZstdLevel: level('compression.zstd.level'), // compression.zstd.level
    messageTimestampBeforeMaxMs: level('log.message.timestamp.before.max.ms'), // message.timestamp.before.max.ms
    messageTimestampAfterMaxMs: level('log.message.timestamp.after.max.ms'), // message.timestamp.after.max.ms
    messageTimestampDifferenceMaxMs: level('log.message.timestamp.difference.max.ms'), // message.timestamp.difference.max.ms
    ...(config.logFlushIntervalMessages !== null ? {flushMessages: config.logFlushIntervalMessages} : {}),
    ...(config.logFlushIntervalMs !== null ? {flushMs: config.logFlushIntervalMs} : {}),
  }
}
