/**
 * Effective configs of a resource as DescribeConfigs and CreateTopics (v5+) report them (Kafka
 * `ConfigHelper.describeConfigs`, `ConfigEntry.ConfigSource`): a topic's override
 * (DYNAMIC_TOPIC_CONFIG), then its broker key's synonyms set per broker (DYNAMIC_BROKER_CONFIG), as
 * cluster default (DYNAMIC_DEFAULT_BROKER_CONFIG), in server.properties (STATIC_BROKER_CONFIG) or
 * by Kafka's default (DEFAULT_CONFIG) — a synonym only when it has a value there, as Kafka lists them.
 */
import {TOPIC_CONFIG_DEFS, topicLogConfigFromServer, type ServerConfig} from '../config/server-config.js'
import {BROKER_CONFIG_DEFS} from '../config/broker-config-defs.js'
import {LONG_MAX, LONG_MAX_STRING, type ConfigType} from '../config/config-def.js'
import {brokerConfigSynonyms, DYNAMIC_BROKER_CONFIGS, effectiveServerConfig} from '../config/dynamic-broker-config.js'
import {ConfigResourceType, type MetadataImage} from '../metadata/metadata-image.js'

/** Kafka `DescribeConfigsResponse.ConfigSource` ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const

/** Kafka `DescribeConfigsResponse.ConfigType` ids (DescribeConfigs v3+). */
const CONFIG_TYPE: Record<ConfigType, number> = {boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9}

export interface ConfigSynonym {
  name: string
  value: string | null
  source: number
}

export interface DescribedConfig {
  name: string
  value: string | null
  readOnly: boolean
  isDefault: boolean
  configSource: number
  isSensitive: boolean
  /** Effective value first, then lower-precedence ones (always filled; handlers drop them unless asked). */
  synonyms: ConfigSynonym[]
  configType: number
  /** The key's documentation (DescribeConfigs v3+ IncludeDocumentation); null when kts has none. */
  documentation: string | null
}

/**
 * A double as Java's `Double.toString` writes it (Kafka's `ConfigDef.convertToString` of a DOUBLE):
 * at least one digit after the point, `E` notation below 1e-3 and from 1e7 (`1.7976931348623157E308`, `10.0`).
 */
export function javaDoubleString(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity'
  const abs = Math.abs(x)
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(x)
    return s.includes('.') ? s : `${s}.0`
  }
  const [mantissa, exponent] = x.toExponential().split('e')
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`
}

function valueString(name: string, v: unknown): string {
  if (v === LONG_MAX) return LONG_MAX_STRING
  if (typeof v === 'number' && BROKER_CONFIG_DEFS.get(name)?.type === 'double') return javaDoubleString(v)
  return Array.isArray(v) ? v.join(',') : String(v)
}

function brokerValueString(config: ServerConfig, name: string): string | null {
  const v = config.get(name)
  if (v === null || v === undefined) return null
  return valueString(name, v)
}

/** Kafka's non-null broker defaults as strings (`DynamicBrokerConfig.staticDefaultConfigs`). */
let staticDefaults: Map<string, string> | null = null
function brokerDefaults(): ReadonlyMap<string, string> {
  if (staticDefaults) return staticDefaults
  staticDefaults = new Map()
  for (const def of BROKER_CONFIG_DEFS.values()) {
    const v = def.defaultValue
    if (v === null) continue
    staticDefaults.set(def.name, valueString(def.name, v))
  }
  return staticDefaults
}

/** The four layers a broker setting comes from, highest precedence first. */
interface BrokerLayers {
  perBroker: ReadonlyMap<string, string>
  clusterDefault: ReadonlyMap<string, string>
  staticConfig: Readonly<Record<string, string>>
}

/**
 * Kafka `ConfigHelper.configSynonyms`: every synonym of `names` set per broker, then as cluster
 * default, then in server.properties, then Kafka's default; leading entries for other synonyms than
 * `name` are dropped (so `log.retention.ms` lists nothing when only `log.retention.hours` is set).
 */
function configSynonyms(name: string, names: string[], layers: BrokerLayers, sensitive: boolean): ConfigSynonym[] {
  const out: ConfigSynonym[] = []
  const add = (get: (n: string) => string | undefined, source: number): void => {
    for (const n of names) {
      const v = get(n)
      if (v !== undefined) out.push({name: n, value: sensitive ? null : v, source})
    }
  }
  add(n => layers.perBroker.get(n), ConfigSource.DYNAMIC_BROKER_CONFIG)
  add(n => layers.clusterDefault.get(n), ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
  add(n => layers.staticConfig[n]?.trim(), ConfigSource.STATIC_BROKER_CONFIG)
  add(n => brokerDefaults().get(n), ConfigSource.DEFAULT_CONFIG)
  const first = out.findIndex(s => s.name === name)
  return first < 0 ? [] : out.slice(first)
}

/** The node's effective config with the image's dynamic broker configs (for the values of topic defaults). */
function effectiveConfig(image: MetadataImage, config: ServerConfig, layers: BrokerLayers): ServerConfig {
  try {
    return effectiveServerConfig(config, layers.clusterDefault, layers.perBroker)
  } catch {
    return config
  }
}

function layersOf(image: MetadataImage, config: ServerConfig, brokerId: string): BrokerLayers {
  return {
    perBroker: brokerId === '' ? new Map() : image.configsOf(ConfigResourceType.BROKER, brokerId),
    clusterDefault: image.configsOf(ConfigResourceType.BROKER, ''),
    staticConfig: config.originals,
  }
}

/**
 * Effective configs of topic `name` (caller checks the topic exists), sorted by name (Kafka
 * `ConfigHelper.createTopicConfigEntry`): the topic override (DYNAMIC_TOPIC_CONFIG) first, then the
 * broker synonyms of the topic config's broker key as `configSynonyms` lists them; the source is
 * the first synonym's, DEFAULT_CONFIG when there is none.
 */
export function describeTopicConfigs(image: MetadataImage, config: ServerConfig, topic: string): DescribedConfig[] {
  const overrides = image.configsOf(ConfigResourceType.TOPIC, topic)
  const layers = layersOf(image, config, String(config.nodeId))
  const defaults = topicLogConfigFromServer(effectiveConfig(image, config, layers))
  const out: DescribedConfig[] = []
  for (const def of [...TOPIC_CONFIG_DEFS.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const sensitive = def.type === 'password'
    const override = overrides.get(def.name)
    const primary = def.synonyms[0]?.name
    const synonyms: ConfigSynonym[] = primary === undefined ? [] : configSynonyms(primary, brokerConfigSynonyms(primary), layers, sensitive)
    if (override !== undefined) synonyms.unshift({name: def.name, value: sensitive ? null : override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG})
    const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG
    out.push({
      name: def.name,
      value: sensitive ? null : override ?? defaults[def.name].value,
      readOnly: false,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: sensitive,
      synonyms,
      configType: CONFIG_TYPE[def.type] ?? 0,
      documentation: null,
    })
  }
  return out
}

/**
 * Effective configs of broker `brokerId`, sorted by name (Kafka `ConfigHelper.createBrokerConfigEntry`):
 * every known key with its current value; for the cluster-default resource (`''`) only the keys
 * set there (DYNAMIC_DEFAULT_BROKER_CONFIG). `readOnly` unless kts applies the key dynamically.
 */
export function describeBrokerConfigs(image: MetadataImage, config: ServerConfig, brokerId: string): DescribedConfig[] {
  const layers = layersOf(image, config, brokerId)
  const perBroker = brokerId !== ''
  const current = perBroker ? effectiveConfig(image, config, layers) : config
  const out: DescribedConfig[] = []
  for (const def of [...BROKER_CONFIG_DEFS.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!perBroker && !layers.clusterDefault.has(def.name)) continue
    const sensitive = def.type === 'password'
    const synonyms = configSynonyms(def.name, brokerConfigSynonyms(def.name), layers, sensitive)
      .filter(s => perBroker || s.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG)
    const source = synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG
    const value = perBroker ? brokerValueString(current, def.name) : layers.clusterDefault.get(def.name) ?? null
    out.push({
      name: def.name,
      value: sensitive ? null : value,
      readOnly: !DYNAMIC_BROKER_CONFIGS.has(def.name),
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: sensitive,
      synonyms,
      configType: CONFIG_TYPE[def.type] ?? 0,
      documentation: null,
    })
  }
  return out
}
