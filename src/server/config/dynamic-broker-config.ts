/**
 * Dynamic broker configs (Kafka `DynamicBrokerConfig`, KIP-226): which broker keys
 * IncrementalAlterConfigs / AlterConfigs may set per broker (`--entity-name 1`) or cluster-wide
 * (`--entity-default`), their validation with Kafka's messages, the synonym groups DescribeConfigs
 * reports, and the effective config of a node (precedence: per-broker dynamic > cluster-default
 * dynamic > server.properties > Kafka's default).
 *
 * kts accepts the keys Kafka allows dynamically that it applies at run time: the topic-config
 * defaults (`log.retention.*`, `log.segment.bytes`, `log.roll.*`, `log.cleanup.policy`,
 * `message.max.bytes`, `min.insync.replicas`, `compression.*`, `log.message.timestamp.*`,
 * `log.flush.interval.*`, `log.cleaner.*` of LogCleaner/LogConfig, ...), `unclean.leader.election.enable`
 * and `producer.id.expiration.ms`. Keys Kafka allows but kts has nothing to reconfigure for (thread
 * pools, listeners, SSL/SASL, quotas of connections) are refused like non-dynamic keys.
 */
import {KafkaError, ErrorCode} from '../../protocol/errors.js'
import {BROKER_CONFIG_DEFS} from './broker-config-defs.js'
import {ConfigError, resolveValue} from './config-def.js'
import {buildServerConfig, type ServerConfig} from './server-config.js'
import {TOPIC_CONFIG_DEFS} from './topic-config-defs.js'

/** Broker synonyms of every topic config (Kafka `DynamicLogConfig.ReconfigurableConfigs`) minus the format version. */
const LOG_CONFIGS = new Set<string>()
for (const def of TOPIC_CONFIG_DEFS.values()) for (const s of def.synonyms) if (BROKER_CONFIG_DEFS.has(s.name)) LOG_CONFIGS.add(s.name)
LOG_CONFIGS.delete('log.message.format.version')

/** Kafka `LogCleaner.ReconfigurableConfigs` (applied by the log cleaner). */
const CLEANER_CONFIGS = ['log.cleaner.threads', 'log.cleaner.dedupe.buffer.size', 'log.cleaner.io.buffer.size', 'log.cleaner.io.max.bytes.per.second', 'log.cleaner.backoff.ms', 'message.max.bytes']

/** The dynamic broker keys kts applies at run time. */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([
  ...LOG_CONFIGS, ...CLEANER_CONFIGS, 'unclean.leader.election.enable', 'min.insync.replicas', 'producer.id.expiration.ms',
])

/** Java's `Set(a, b)` rendering, as Kafka's messages print key sets. */
function javaSet(names: string[]): string {
  return `Set(${names.join(', ')})`
}

/**
 * Validates one dynamic broker config change (Kafka `DynamicBrokerConfig.validate` via
 * `ConfigAdminManager.validateBrokerConfigChange`).
 * @param perBroker true for a broker id resource, false for the cluster default (`''`)
 * @returns the normalized value
 * @throws KafkaError INVALID_REQUEST `Cannot update these configs dynamically: Set(log.dirs)` or
 *   `Invalid value abc for configuration log.retention.ms: Not a number of type LONG`;
 *   INVALID_CONFIG `Unknown broker config name: foo` for keys kts does not know
 */
export function validateDynamicBrokerConfig(name: string, value: string): string {
  const def = BROKER_CONFIG_DEFS.get(name)
  if (!def && !name.startsWith('log.cleaner.')) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown broker config name: ${name}`)
  if (!DYNAMIC_BROKER_CONFIGS.has(name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${javaSet([name])}`)
  if (!def) return value.trim()
  try {
    const v = resolveValue(def, value)
    return Array.isArray(v) ? v.join(',') : String(v)
  } catch (err) {
    if (err instanceof ConfigError) throw new KafkaError(ErrorCode.INVALID_REQUEST, err.message)
    throw err
  }
}

/**
 * The broker keys that supply the same setting, in precedence order (Kafka
 * `DynamicBrokerConfig.brokerConfigSynonyms`): `log.retention.ms/minutes/hours`, `log.roll.ms/hours`,
 * `log.roll.jitter.ms/hours`, `log.flush.interval.ms` with `log.flush.scheduler.interval.ms`; else the key alone.
 */
export function brokerConfigSynonyms(name: string): string[] {
  switch (name) {
    case 'log.roll.ms': case 'log.roll.hours': return ['log.roll.ms', 'log.roll.hours']
    case 'log.roll.jitter.ms': case 'log.roll.jitter.hours': return ['log.roll.jitter.ms', 'log.roll.jitter.hours']
    case 'log.flush.interval.ms': return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']
    case 'log.retention.ms': case 'log.retention.minutes': case 'log.retention.hours': return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']
    default: return [name]
  }
}

/**
 * The node's effective config: server.properties overlaid with the cluster-default and then this
 * broker's dynamic configs. Dynamic values that no longer validate are skipped (logged by the caller
 * through `skipped`).
 */
export function effectiveServerConfig(staticConfig: ServerConfig, clusterDefaults: ReadonlyMap<string, string>, perBroker: ReadonlyMap<string, string>,
  skipped?: (name: string, reason: string) => void): ServerConfig {
  if (clusterDefaults.size === 0 && perBroker.size === 0) return staticConfig
  const props: Record<string, string> = {...staticConfig.originals}
  for (const layer of [clusterDefaults, perBroker]) {
    for (const [name, value] of layer) {
      if (!BROKER_CONFIG_DEFS.has(name)) continue
      try {
        resolveValue(BROKER_CONFIG_DEFS.get(name)!, value)
        props[name] = value
      } catch (err) {
        skipped?.(name, (err as Error).message)
      }
    }
  }
  return buildServerConfig(props)
}
