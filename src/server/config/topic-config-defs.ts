/**
 * Topic-level configs: names, types, Kafka's defaults, validators and broker synonyms
 * (Kafka `LogConfig` / `TopicConfig` / `ServerTopicConfigSynonyms`; `../shared/spec/kafka-tools.md` §8.3).
 * Used to validate `--config k=v` / CreateTopics / AlterConfigs and to answer DescribeConfigs.
 */
import {atLeast, between, LONG_MAX_STRING, listOf, oneOf, parseValue, invalidValue, ConfigError, type ConfigKeyDef, type ConfigType, type ConfigValue, type Validator} from './config-def.js'

/** A broker key that supplies a topic config's default, with its unit conversion to the topic unit. */
export interface BrokerSynonym {
  name: string
  /** Multiply the broker value by this to get the topic value (hours → ms = 3600000). */
  factor: number
}

export interface TopicConfigDef {
  name: string
  type: ConfigType
  /** Kafka's default, as DescribeConfigs prints it (`1073741824`, `delete`, `9223372036854775807`). */
  defaultValue: string
  /** Broker keys in precedence order (first set wins), e.g. retention.ms: log.retention.ms, .minutes, .hours. */
  synonyms: BrokerSynonym[]
  validator?: Validator
}

const ms = (name: string): BrokerSynonym => ({name, factor: 1})
const minutes = (name: string): BrokerSynonym => ({name, factor: 60_000})
const hours = (name: string): BrokerSynonym => ({name, factor: 3_600_000})

type Row = [name: string, type: ConfigType, defaultValue: string, synonyms: BrokerSynonym[], validator?: Validator]

const ROWS: Row[] = [
  ['cleanup.policy', 'list', 'delete', [ms('log.cleanup.policy')], listOf('compact', 'delete')],
  ['compression.type', 'string', 'producer', [ms('compression.type')], oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')],
  ['compression.gzip.level', 'int', '-1', [ms('compression.gzip.level')], between(-1, 9)],
  ['compression.lz4.level', 'int', '9', [ms('compression.lz4.level')], between(1, 17)],
  ['compression.zstd.level', 'int', '3', [ms('compression.zstd.level')], between(-131072, 22)],
  ['delete.retention.ms', 'long', '86400000', [ms('log.cleaner.delete.retention.ms')], atLeast(0)],
  ['file.delete.delay.ms', 'long', '60000', [ms('log.segment.delete.delay.ms')], atLeast(0)],
  ['flush.messages', 'long', LONG_MAX_STRING, [ms('log.flush.interval.messages')], atLeast(1)],
  ['flush.ms', 'long', LONG_MAX_STRING, [ms('log.flush.interval.ms')], atLeast(0)],
  ['follower.replication.throttled.replicas', 'list', '', []],
  ['index.interval.bytes', 'int', '4096', [ms('log.index.interval.bytes')], atLeast(0)],
  ['leader.replication.throttled.replicas', 'list', '', []],
  ['local.retention.bytes', 'long', '-2', [ms('log.local.retention.bytes')], atLeast(-2)],
  ['local.retention.ms', 'long', '-2', [ms('log.local.retention.ms')], atLeast(-2)],
  ['max.compaction.lag.ms', 'long', LONG_MAX_STRING, [ms('log.cleaner.max.compaction.lag.ms')], atLeast(1)],
  ['max.message.bytes', 'int', '1048588', [ms('message.max.bytes')], atLeast(0)],
  ['message.downconversion.enable', 'boolean', 'true', [ms('log.message.downconversion.enable')]],
  ['message.format.version', 'string', '3.0-IV1', [ms('log.message.format.version')]],
  ['message.timestamp.after.max.ms', 'long', LONG_MAX_STRING, [ms('log.message.timestamp.after.max.ms')], atLeast(0)],
  ['message.timestamp.before.max.ms', 'long', LONG_MAX_STRING, [ms('log.message.timestamp.before.max.ms')], atLeast(0)],
  ['message.timestamp.difference.max.ms', 'long', LONG_MAX_STRING, [ms('log.message.timestamp.difference.max.ms')], atLeast(0)],
  ['message.timestamp.type', 'string', 'CreateTime', [ms('log.message.timestamp.type')], oneOf('CreateTime', 'LogAppendTime')],
  ['min.cleanable.dirty.ratio', 'double', '0.5', [ms('log.cleaner.min.cleanable.ratio')], between(0, 1)],
  ['min.compaction.lag.ms', 'long', '0', [ms('log.cleaner.min.compaction.lag.ms')], atLeast(0)],
  ['min.insync.replicas', 'int', '1', [ms('min.insync.replicas')], atLeast(1)],
  ['preallocate', 'boolean', 'false', [ms('log.preallocate')]],
  ['remote.storage.enable', 'boolean', 'false', []],
  ['retention.bytes', 'long', '-1', [ms('log.retention.bytes')]],
  ['retention.ms', 'long', '604800000', [ms('log.retention.ms'), minutes('log.retention.minutes'), hours('log.retention.hours')], atLeast(-1)],
  ['segment.bytes', 'int', '1073741824', [ms('log.segment.bytes')], atLeast(14)],
  ['segment.index.bytes', 'int', '10485760', [ms('log.index.size.max.bytes')], atLeast(4)],
  ['segment.jitter.ms', 'long', '0', [ms('log.roll.jitter.ms'), hours('log.roll.jitter.hours')], atLeast(0)],
  ['segment.ms', 'long', '604800000', [ms('log.roll.ms'), hours('log.roll.hours')], atLeast(1)],
  ['unclean.leader.election.enable', 'boolean', 'false', [ms('unclean.leader.election.enable')]],
]

/** Every topic config Kafka 3.9 accepts, by name (sorted by name). */
export const TOPIC_CONFIG_DEFS: ReadonlyMap<string, TopicConfigDef> = new Map(
  ROWS.map(([name, type, defaultValue, synonyms, validator]) => [name, {name, type, defaultValue, synonyms, validator}]),
)

/**
 * Validates one topic config value (CreateTopics / AlterConfigs / `--config k=v`).
 * @returns the normalized value string (trimmed; lists re-joined with `,`).
 * @throws ConfigError `Unknown topic config name: foo` (Kafka's InvalidConfigurationException text,
 *   error code INVALID_CONFIG 40) or `Invalid value abc for configuration segment.bytes: Not a number of type INT`.
 */
export function validateTopicConfig(name: string, value: string): string {
  const def = TOPIC_CONFIG_DEFS.get(name)
  if (!def) throw new ConfigError(`Unknown topic config name: ${name}`)
  // Throttled-replica lists are `partition:broker,...` or `*`; accept any text.
  if (name.endsWith('.replication.throttled.replicas')) return value.trim()
  const keyDef: ConfigKeyDef = {name, type: def.type, defaultValue: null}
  const parsed: ConfigValue = parseValue(keyDef, value)
  const reason = def.validator?.(parsed)
  if (reason) throw invalidValue(name, Array.isArray(parsed) ? value.trim() : parsed, reason)
  return Array.isArray(parsed) ? parsed.join(',') : String(parsed)
}
