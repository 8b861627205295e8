/**
 * Option validation of `kts configs` (Kafka 3.9 `kafka.admin.ConfigCommand`: `ConfigCommandOptions.checkArgs`,
 * `parseConfigsToBeAdded`, `parseConfigsToBeDeleted`), with Kafka's messages. Pure apart from
 * reading `--add-config-file`.
 */
import {readPropertiesFile} from '../admin/client-properties.js'
import {TerseError, UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'

/** Entity types `--entity-type` accepts with `--bootstrap-server` (Kafka's `BrokerSupportedConfigTypes` order). */
export const ENTITY_TYPES = ['topics', 'clients', 'users', 'brokers', 'ips', 'broker-loggers', 'client-metrics', 'groups'] as const

/** Raw command-line values, as parsed by oclif (Kafka's option names). */
export interface RawConfigFlags {
  'bootstrap-server'?: string
  'command-config'?: string
  describe?: boolean
  alter?: boolean
  all?: boolean
  'entity-type'?: string[]
  'entity-name'?: string[]
  'entity-default'?: boolean
  topic?: string
  broker?: string
  'broker-defaults'?: boolean
  'broker-logger'?: string
  user?: string
  'user-defaults'?: boolean
  'add-config'?: string
  'add-config-file'?: string
  'delete-config'?: string[]
}

export interface ConfigCommandOptions {
  bootstrapServer: string
  commandConfig?: string
  action: 'describe' | 'alter'
  /** `--all`: every config, not only the entity's dynamic ones. */
  describeAll: boolean
  entityType: string
  /** The entity named, `''` for the default entity (`--entity-default`, `--broker-defaults`), null for every entity (describe). */
  entityName: string | null
  /** Configs to set, in the order given (`--add-config`, `--add-config-file`). */
  toAdd: Map<string, string>
  /** Configs to delete. */
  toDelete: string[]
}

/**
 * `k1=v1,k2=[a,b]` → pairs (Kafka `parseConfigsToBeAdded`: split at commas outside brackets, then
 * at the first `=` outside brackets; brackets removed from values, keys and values trimmed).
 * @throws TerseError `requirement failed: Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]".`
 */
export function parseAddConfig(text: string): [string, string][] {
  const items: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '[') depth++
    else if (c === ']') depth = Math.max(0, depth - 1)
    else if (c === ',' && depth === 0) { items.push(text.slice(start, i)); start = i + 1 }
  }
  items.push(text.slice(start))
  return items.map((item) => {
    const eq = splitOutsideBrackets(item)
    if (eq.length !== 2) throw new TerseError('requirement failed: Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]".')
    return [eq[0].trim(), eq[1].replace(/[[\]]/g, '').trim()]
  })
}

/** Splits at every `=` outside brackets (Java's `split("\\s*=\\s*(?=[^\\]]*(?:\\[|$))", -1)`). */
function splitOutsideBrackets(item: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < item.length; i++) {
    const c = item[i]
    if (c === '[') depth++
    else if (c === ']') depth = Math.max(0, depth - 1)
    else if (c === '=' && depth === 0) { parts.push(item.slice(start, i)); start = i + 1 }
  }
  parts.push(item.slice(start))
  return parts
}

/**
 * Validates the flags as ConfigCommand does and collects the entity and the changes.
 * @throws UsageError / TerseError with Kafka's messages: `Command must include exactly one action: --describe, --alter`,
 *   `At least one entity type must be specified`, `Invalid entity type foo, the entity type must be one of ...`,
 *   `--entity-{type,name,default} should not be used in conjunction with specific entity flags`,
 *   `The entity name for brokers must be a valid integer broker id, but it is: x`,
 *   `An entity name must be specified with --alter of topics`,
 *   `an entity-name or default entity must be specified with --alter of users, clients, brokers or ips`,
 *   `Only one of --add-config or --add-config-file must be specified`,
 *   `At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter`
 */
export function validateConfigOptions(raw: RawConfigFlags): ConfigCommandOptions {
  const actions = [raw.describe === true, raw.alter === true].filter(Boolean).length
  if (actions !== 1) throw new UsageError('Command must include exactly one action: --describe, --alter')
  if (raw.describe && (raw['add-config'] !== undefined || raw['delete-config'] !== undefined || raw['add-config-file'] !== undefined)) {
    const opt = raw['add-config'] !== undefined ? 'add-config' : raw['delete-config'] !== undefined ? 'delete-config' : 'add-config-file'
    throw new UsageError(`Option "[describe]" can't be used with option "[${opt}]"`)
  }
  const generic = raw['entity-type'] !== undefined || raw['entity-name'] !== undefined || raw['entity-default'] === true
  const shortcuts: [string, string][] = []
  if (raw.topic !== undefined) shortcuts.push(['topics', raw.topic])
  if (raw.broker !== undefined) shortcuts.push(['brokers', raw.broker])
  if (raw['broker-defaults']) shortcuts.push(['brokers', ''])
  if (raw['broker-logger'] !== undefined) shortcuts.push(['broker-loggers', raw['broker-logger']])
  if (raw.user !== undefined) shortcuts.push(['users', raw.user])
  if (raw['user-defaults']) shortcuts.push(['users', ''])
  if (generic && shortcuts.length > 0) throw new TerseError('--entity-{type,name,default} should not be used in conjunction with specific entity flags')

  const types = generic ? [...(raw['entity-type'] ?? [])] : shortcuts.map(([t]) => t)
  const names = generic ? [...(raw['entity-name'] ?? []), ...(raw['entity-default'] ? [''] : [])] : shortcuts.map(([, n]) => n)
  const dup = types.filter((t, i) => types.indexOf(t) !== i)
  if (dup.length > 0) throw new TerseError(`Duplicate entity type(s) specified: ${[...new Set(dup)].join(',')}`)
  for (const t of types) {
    if (!(ENTITY_TYPES as readonly string[]).includes(t)) {
      throw new TerseError(`Invalid entity type ${t}, the entity type must be one of ${ENTITY_TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`)
    }
  }
  if (types.length === 0) throw new TerseError('At least one entity type must be specified')
  if (types.length > 1) throw new TerseError(`Only 'users' and 'clients' entity types may be specified together`)
  const entityType = types[0]
  const hasName = names.some((n) => n !== '')
  const hasDefault = names.some((n) => n === '')
  if (hasName && (entityType === 'brokers' || entityType === 'broker-loggers')) {
    for (const n of names.filter((x) => x !== '')) {
      if (!/^[+-]?\d+$/.test(n.trim()) || Math.abs(Number(n)) > 2147483647) {
        throw new TerseError(`The entity name for ${entityType} must be a valid integer broker id, but it is: ${n}`)
      }
    }
  }
  if (raw.describe && entityType === 'broker-loggers' && !hasName) throw new TerseError(`an entity name must be specified with --describe of ${entityType}`)

  const toAdd = new Map<string, string>()
  let toDelete: string[] = []
  if (raw.alter) {
    if (['users', 'clients', 'brokers', 'ips'].includes(entityType)) {
      if (!hasName && !hasDefault) throw new TerseError('an entity-name or default entity must be specified with --alter of users, clients, brokers or ips')
    } else if (!hasName) {
      throw new TerseError(`An entity name must be specified with --alter of ${entityType}`)
    }
    const add = raw['add-config']
    const addFile = raw['add-config-file']
    if (add !== undefined && addFile !== undefined) throw new TerseError('Only one of --add-config or --add-config-file must be specified')
    if (add === undefined && addFile === undefined && raw['delete-config'] === undefined) {
      throw new TerseError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter')
    }
    if (addFile !== undefined) for (const [k, v] of Object.entries(readPropertiesFile(addFile))) toAdd.set(k, v)
    if (add !== undefined) for (const [k, v] of parseAddConfig(add)) toAdd.set(k, v)
    toDelete = (raw['delete-config'] ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter((d) => d !== '')
  }
  // ConfigCommand uses the first entity name given (`entityNames.head`).
  const entityName = names.length > 0 ? names[0] : null
  return {
    bootstrapServer: resolveBootstrapServer(raw['bootstrap-server']),
    ...(raw['command-config'] === undefined ? {} : {commandConfig: raw['command-config']}),
    action: raw.describe ? 'describe' : 'alter',
    describeAll: raw.all === true,
    entityType,
    entityName: entityName === null ? null : entityName.trim(),
    toAdd,
    toDelete,
  }
}
