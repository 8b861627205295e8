/**
 * Effective configs of a resource as DescribeConfigs and CreateTopics (v5+) report them (Kafka
 * `ConfigHelper.describeConfigs`, `ConfigEntry.ConfigSource`): topic values come from the topic's
 * overrides (DYNAMIC_TOPIC_CONFIG), else a broker synonym set in server.properties
 * (STATIC_BROKER_CONFIG), else Kafka's default (DEFAULT_CONFIG). Broker resources list every known
 * broker key: dynamic per-broker (DYNAMIC_BROKER_CONFIG), cluster default
 * (DYNAMIC_DEFAULT_BROKER_CONFIG), server.properties (STATIC_BROKER_CONFIG), or default.
 */
import {TOPIC_CONFIG_DEFS, topicLogConfigFromServer, type ServerConfig} from '../config/server-config.js'
import {BROKER_CONFIG_DEFS} from '../config/broker-config-defs.js'
import type {ConfigType} from '../config/config-def.js'
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
}

function brokerValueString(config: ServerConfig, name: string): string | null {
  const v = config.get(name)
  if (v === null || v === undefined) return null
  return Array.isArray(v) ? v.join(',') : String(v)
}

/** Effective configs of topic `name` (caller checks the topic exists), sorted by name. */
export function describeTopicConfigs(image: MetadataImage, config: ServerConfig, topic: string): DescribedConfig[] {
  const overrides = image.configsOf(ConfigResourceType.TOPIC, topic)
  const defaults = topicLogConfigFromServer(config)
  const out: DescribedConfig[] = []
  for (const def of [...TOPIC_CONFIG_DEFS.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const d = defaults[def.name]
    const synonyms: ConfigSynonym[] = []
    const override = overrides.get(def.name)
    if (override !== undefined) synonyms.push({name: def.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG})
    for (const s of d.setSynonyms) synonyms.push({name: s.name, value: s.value, source: ConfigSource.STATIC_BROKER_CONFIG})
    const sensitive = def.type === 'password'
    if (override === undefined && d.source === 'DEFAULT_CONFIG') synonyms.push({name: def.synonyms[0]?.name ?? def.name, value: d.value, source: ConfigSource.DEFAULT_CONFIG})
    const source = override !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : d.source === 'STATIC_BROKER_CONFIG' ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG
    out.push({
      name: def.name,
      value: sensitive ? null : override ?? d.value,
      readOnly: false,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: sensitive,
      synonyms,
      configType: CONFIG_TYPE[def.type] ?? 0,
    })
  }
  return out
}

/** Effective configs of broker `brokerId` ('' = cluster default resource), sorted by name. */
export function describeBrokerConfigs(image: MetadataImage, config: ServerConfig, brokerId: string): DescribedConfig[] {
  const perBroker = brokerId === '' ? new Map<string, string>() : image.configsOf(ConfigResourceType.BROKER, brokerId)
  const clusterDefault = image.configsOf(ConfigResourceType.BROKER, '')
  const out: DescribedConfig[] = []
  for (const def of [...BROKER_CONFIG_DEFS.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const synonyms: ConfigSynonym[] = []
    const dyn = perBroker.get(def.name)
    if (dyn !== undefined) synonyms.push({name: def.name, value: dyn, source: ConfigSource.DYNAMIC_BROKER_CONFIG})
    const dflt = clusterDefault.get(def.name)
    if (dflt !== undefined) synonyms.push({name: def.name, value: dflt, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG})
    const isStatic = brokerId !== '' && config.originals[def.name] !== undefined
    const staticValue = brokerValueString(config, def.name)
    if (isStatic) synonyms.push({name: def.name, value: staticValue, source: ConfigSource.STATIC_BROKER_CONFIG})
    // For the cluster-default resource only dynamic defaults are reported (Kafka).
    if (brokerId === '' && dflt === undefined) continue
    if (!isStatic && dyn === undefined && dflt === undefined) synonyms.push({name: def.name, value: staticValue, source: ConfigSource.DEFAULT_CONFIG})
    const sensitive = def.type === 'password'
    const top = synonyms[0]
    out.push({
      name: def.name,
      value: sensitive ? null : top.value,
      readOnly: dyn === undefined && dflt === undefined,
      isDefault: top.source === ConfigSource.DEFAULT_CONFIG,
      configSource: top.source,
      isSensitive: sensitive,
      synonyms,
      configType: CONFIG_TYPE[def.type] ?? 0,
    })
  }
  return out
}
