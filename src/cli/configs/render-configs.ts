/**
 * `kts configs --describe` output, as Kafka's `ConfigCommand.describeResourceConfig` prints it:
 * a header per entity, then one line per config, sorted by name:
 * `  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}`.
 */
import type {DescribedConfigEntry} from '../replicas/partition-admin.js'

/** Kafka `ConfigEntry.ConfigSource` names by DescribeConfigs source id. */
const SOURCE_NAMES: Record<number, string> = {
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'DYNAMIC_CLIENT_METRICS_CONFIG',
  8: 'DYNAMIC_GROUP_CONFIG',
}

export function sourceName(id: number): string {
  return SOURCE_NAMES[id] ?? 'UNKNOWN'
}

/**
 * The header line: `Default configs for brokers in the cluster are:` for the default entity (`''`),
 * else `<All|Dynamic> configs for <entity type minus its s> <name> are:`.
 */
export function describeHeader(entityType: string, entityName: string, describeAll: boolean): string {
  if (entityName === '') return `Default configs for ${entityType} in the cluster are:`
  return `${describeAll ? 'All' : 'Dynamic'} configs for ${entityType.slice(0, -1)} ${entityName} are:`
}

/** One config line (Java prints a null value as `null`). */
export function describeLine(e: DescribedConfigEntry): string {
  const synonyms = e.synonyms.map((s) => `${sourceName(s.source)}:${s.name}=${s.value}`).join(', ')
  return `  ${e.name}=${e.value} sensitive=${e.isSensitive} synonyms={${synonyms}}`
}

/** Entries to print: all with `--all`, else only those from the entity's dynamic source; sorted by name. */
export function selectEntries(entries: DescribedConfigEntry[], dynamicSource: number | null, describeAll: boolean): DescribedConfigEntry[] {
  return entries.filter((e) => describeAll || dynamicSource === null || e.source === dynamicSource)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
