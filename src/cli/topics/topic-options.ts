/**
 * Option validation of `kts topics` (Kafka `TopicCommand.TopicCommandOptions.checkArgs`,
 * `../shared/spec/kafka-tools.md` §2.1): exactly one action, required and forbidden option
 * combinations, and the client-side checks Kafka makes before sending any request. Pure: no I/O.
 */
import {UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'

export type TopicAction = 'create' | 'list' | 'describe' | 'alter' | 'delete'
export const TOPIC_ACTIONS: readonly TopicAction[] = ['create', 'list', 'describe', 'alter', 'delete']

/** Raw command-line values, as parsed by oclif (flag names in Kafka's spelling). */
export interface RawTopicFlags {
  create?: boolean
  list?: boolean
  describe?: boolean
  alter?: boolean
  delete?: boolean
  'bootstrap-server'?: string
  'command-config'?: string
  topic?: string
  'topic-id'?: string
  partitions?: string
  'replication-factor'?: string
  'replica-assignment'?: string
  config?: string[]
  'if-exists'?: boolean
  'if-not-exists'?: boolean
  'exclude-internal'?: boolean
  'under-replicated-partitions'?: boolean
  'unavailable-partitions'?: boolean
  'under-min-isr-partitions'?: boolean
  'at-min-isr-partitions'?: boolean
  'topics-with-overrides'?: boolean
  yes?: boolean
}

/** Validated options of one `kts topics` run. */
export interface TopicCommandOptions {
  action: TopicAction
  bootstrapServer: string
  commandConfig?: string
  /** The literal name (create) or the raw pattern (other actions; see `topicPattern`). */
  topic?: string
  topicId?: string
  partitions?: number
  replicationFactor?: number
  /** Replica lists of partitions 0, 1, ...; the first replica is the preferred leader. */
  replicaAssignment?: number[][]
  /** `--config` entries in command-line order. */
  configs: Record<string, string>
  ifExists: boolean
  ifNotExists: boolean
  excludeInternal: boolean
  reportUnderReplicated: boolean
  reportUnavailable: boolean
  reportUnderMinIsr: boolean
  reportAtMinIsr: boolean
  topicsWithOverrides: boolean
  /** `--yes` (kts only): delete several matching topics without asking, even on a terminal. */
  yes: boolean
}

const REPORT_OPTS = ['under-replicated-partitions', 'unavailable-partitions', 'under-min-isr-partitions', 'at-min-isr-partitions'] as const

/** Which actions each option may be combined with (Kafka's `invalidParametersMap` inverted). */
const ALLOWED: Record<string, readonly TopicAction[]> = {
  config: ['create', 'alter'],
  partitions: ['create', 'alter'],
  'replication-factor': ['create'],
  'replica-assignment': ['create', 'alter'],
  'under-replicated-partitions': ['describe'],
  'unavailable-partitions': ['describe'],
  'under-min-isr-partitions': ['describe'],
  'at-min-isr-partitions': ['describe'],
  'topics-with-overrides': ['describe'],
  'if-exists': ['alter', 'delete', 'describe'],
  'if-not-exists': ['create'],
  'exclude-internal': ['list', 'describe'],
  yes: ['delete'],
}

/**
 * Validates the flags of `kts topics` and converts the numeric ones.
 * @throws UsageError with Kafka's wording (`Command must include exactly one action: ...`,
 *   `Missing required argument "[topic]"`, `Option "[partitions]" can't be used with option "[list]"`,
 *   `The replication factor must be between 1 and 32767 inclusive`, ...).
 */
export function validateTopicOptions(raw: RawTopicFlags): TopicCommandOptions {
  const actions = TOPIC_ACTIONS.filter((a) => raw[a] === true)
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --create, --alter or --delete')
  const action = actions[0]
  const bootstrapServer = resolveBootstrapServer(raw['bootstrap-server'])

  if (action !== 'list' && action !== 'describe' && raw.topic === undefined) throw new UsageError('Missing required argument "[topic]"')
  if (action === 'alter' && raw.config !== undefined && raw.config.length > 0) {
    throw new UsageError('Option combination "[[bootstrap-server], [config]]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)')
  }
  if (action === 'alter' && raw.partitions === undefined) throw new UsageError('Missing required argument "[partitions]"')

  for (const [opt, allowed] of Object.entries(ALLOWED)) {
    const v = (raw as Record<string, unknown>)[opt]
    const given = Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false
    if (given && !allowed.includes(action)) throw new UsageError(`Option "[${opt}]" can't be used with option "[${action}]"`)
  }
  if (raw['topics-with-overrides']) {
    for (const r of REPORT_OPTS) if (raw[r]) throw new UsageError(`Option "[topics-with-overrides]" can't be used with option "[${r}]"`)
  }
  const reports = REPORT_OPTS.filter((r) => raw[r])
  if (reports.length > 1) throw new UsageError(`Option "[${reports[0]}]" can't be used with option "[${reports[1]}]"`)
  if (action === 'create' && raw['replica-assignment'] !== undefined) {
    if (raw.partitions !== undefined) throw new UsageError('Option "[replica-assignment]" can\'t be used with option "[partitions]"')
    if (raw['replication-factor'] !== undefined) throw new UsageError('Option "[replica-assignment]" can\'t be used with option "[replication-factor]"')
  }

  const partitions = raw.partitions === undefined ? undefined : parseIntArg(raw.partitions, 'partitions')
  const replicationFactor = raw['replication-factor'] === undefined ? undefined : parseIntArg(raw['replication-factor'], 'replication-factor')
  if (action === 'create') {
    if (replicationFactor !== undefined && (replicationFactor < 1 || replicationFactor > 32767)) {
      throw new UsageError('The replication factor must be between 1 and 32767 inclusive')
    }
    if (partitions !== undefined && partitions < 1) throw new UsageError('The partitions must be greater than 0')
  }
  const replicaAssignment = raw['replica-assignment'] === undefined ? undefined : parseReplicaAssignment(raw['replica-assignment'])

  return {
    action,
    bootstrapServer,
    commandConfig: raw['command-config'],
    topic: raw.topic,
    topicId: raw['topic-id'],
    partitions,
    replicationFactor,
    replicaAssignment,
    configs: parseTopicConfigs(raw.config ?? []),
    ifExists: raw['if-exists'] === true,
    ifNotExists: raw['if-not-exists'] === true,
    excludeInternal: raw['exclude-internal'] === true,
    reportUnderReplicated: raw['under-replicated-partitions'] === true,
    reportUnavailable: raw['unavailable-partitions'] === true,
    reportUnderMinIsr: raw['under-min-isr-partitions'] === true,
    reportAtMinIsr: raw['at-min-isr-partitions'] === true,
    topicsWithOverrides: raw['topics-with-overrides'] === true,
    yes: raw.yes === true,
  }
}

/** jopt-simple's integer conversion. @throws UsageError `Cannot parse argument 'abc' of option partitions`. */
export function parseIntArg(value: string, option: string): number {
  const t = value.trim()
  const n = Number(t)
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(n) || n > 2147483647 || n < -2147483648) {
    throw new UsageError(`Cannot parse argument '${value}' of option ${option}`)
  }
  return n
}

/**
 * `--config k=v` entries: split on `\s*=\s*` (Kafka `parseTopicConfigsToBeAdded`).
 * @throws UsageError `requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".`
 */
export function parseTopicConfigs(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const entry of entries) {
    const parts = entry.split(/\s*=\s*/)
    if (parts.length !== 2 || parts[0] === '') {
      throw new UsageError('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".')
    }
    out[parts[0].trim()] = parts[1].trim()
  }
  return out
}

/**
 * `--replica-assignment 1:2,2:3` → `[[1,2],[2,3]]` (partition 0, 1, ...).
 * @throws UsageError on duplicate brokers (`Partition replica lists may not contain duplicate entries: 1`),
 *   unequal replica counts (`Partition 1 has different replication factor: [1, 2]`) or non-numbers.
 */
export function parseReplicaAssignment(value: string): number[][] {
  const partitions = value.split(',')
  const out: number[][] = []
  for (let p = 0; p < partitions.length; p++) {
    const replicas = partitions[p].split(':').map((s) => s.trim()).filter((s) => s.length > 0).map((s) => {
      const n = Number(s)
      if (!/^-?\d+$/.test(s)) throw new UsageError(`For input string: "${s}"`)
      return n
    })
    const dup = replicas.find((r, i) => replicas.indexOf(r) !== i)
    if (dup !== undefined) throw new UsageError(`Partition replica lists may not contain duplicate entries: ${dup}`)
    if (out.length > 0 && replicas.length !== out[0].length) {
      throw new UsageError(`Partition ${p} has different replication factor: [${replicas.join(', ')}]`)
    }
    out.push(replicas)
  }
  return out
}

/**
 * `--topic` as a whole-name regex (Kafka `TopicFilter.IncludeList`: trim, `,` → `|`, spaces removed,
 * outer quotes stripped). @throws UsageError for an invalid regular expression.
 */
export function topicPattern(topic: string): RegExp {
  let p = topic.trim().replace(/,/g, '|').replace(/ /g, '')
  if (p.length >= 2 && (p.startsWith('"') && p.endsWith('"') || p.startsWith('\'') && p.endsWith('\''))) p = p.slice(1, -1)
  try {
    return new RegExp(`^(?:${p})$`)
  } catch {
    throw new UsageError(`${topic} is an invalid regex.`)
  }
}

/**
 * Kafka's topic name rules (`Topic.validate`); returns the problem in Kafka's words, or null.
 * E.g. `Topic name is invalid: 'a b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`.
 */
export function topicNameProblem(name: string): string | null {
  const prefix = 'Topic name is invalid: '
  if (name.length === 0) return prefix + 'the empty string is not allowed'
  if (name === '.') return prefix + '\'.\' is not allowed'
  if (name === '..') return prefix + '\'..\' is not allowed'
  if (name.length > 249) return prefix + `the length of '${name}' is longer than the max allowed length 249`
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) return prefix + `'${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`
  return null
}

/** True if the name contains `.` or `_` (the metric-name collision WARNING on create). */
export function hasCollisionChars(name: string): boolean {
  return name.includes('.') || name.includes('_')
}
