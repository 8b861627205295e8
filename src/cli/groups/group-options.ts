/**
 * Option validation of `kts consumer-groups` (Kafka [4.0-pre] `ConsumerGroupCommandOptions.checkArgs`
 * and the action check of `ConsumerGroupCommand.main`, `../shared/spec/kafka-tools.md` §5.1): exactly
 * one action, required and forbidden option combinations, the reset scenario and scope, numbers,
 * `--topic t:0,1` arguments, `--state`/`--type` lists, `--to-datetime`/`--by-duration` values.
 * Pure: no I/O (the `--from-file` CSV is read by the service).
 */
import {UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'
import {GroupCommandError} from './group-errors.js'
import {javaSplit} from './java-split.js'
import {parseJavaDuration, parseKafkaDateTime} from './reset-time.js'

export type GroupAction = 'list' | 'describe' | 'delete' | 'reset-offsets' | 'delete-offsets'
export const GROUP_ACTIONS: readonly GroupAction[] = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets']

/** Raw command-line values as parsed by oclif (Kafka's option names). `state`/`type` are '' when given without a value. */
export interface RawGroupFlags {
  list?: boolean
  describe?: boolean
  delete?: boolean
  'reset-offsets'?: boolean
  'delete-offsets'?: boolean
  'bootstrap-server'?: string
  'command-config'?: string
  group?: string[]
  'all-groups'?: boolean
  topic?: string[]
  'all-topics'?: boolean
  timeout?: string
  'dry-run'?: boolean
  execute?: boolean
  export?: boolean
  'to-offset'?: string
  'shift-by'?: string
  'to-datetime'?: string
  'by-duration'?: string
  'from-file'?: string
  'to-earliest'?: boolean
  'to-latest'?: boolean
  'to-current'?: boolean
  members?: boolean
  verbose?: boolean
  offsets?: boolean
  state?: string
  type?: string
}

/** One reset scenario (`--to-earliest`, `--to-offset n`, ...). Times in ms since the epoch / ms. */
export type ResetScenario =
  | {kind: 'to-offset', offset: number}
  | {kind: 'shift-by', shift: number}
  | {kind: 'to-datetime', timestamp: number}
  | {kind: 'by-duration', durationMs: number}
  | {kind: 'to-earliest'}
  | {kind: 'to-latest'}
  | {kind: 'to-current'}
  | {kind: 'from-file', file: string}

/** A `--topic` argument: `t` (every partition) or `t:0,1,2`. */
export interface TopicArg {
  /** The argument as given (printed by `--delete-offsets`). */
  raw: string
  topic: string
  /** null = every partition of the topic. */
  partitions: number[] | null
}

/** Validated options of one `kts consumer-groups` run. */
export interface GroupCommandOptions {
  action: GroupAction
  bootstrapServer: string
  commandConfig?: string
  /** `--group` values in command-line order (empty with `--all-groups`). */
  groups: string[]
  allGroups: boolean
  topics: TopicArg[]
  allTopics: boolean
  /** `--timeout` in ms (default 5000). */
  timeoutMs: number
  /** `--describe` view: `--offsets` (default), `--members` or `--state`. */
  describeView: 'offsets' | 'members' | 'state'
  verbose: boolean
  /** `--list --state [a,b]`: null without `--state`; [] = STATE column without a filter. Kafka spelling (`Stable`). */
  listStates: string[] | null
  /** `--list --type [classic,consumer]`: null without `--type`; [] = TYPE column without a filter (`Classic`). */
  listTypes: string[] | null
  /** Present for `--reset-offsets`. */
  reset?: {scenario: ResetScenario, execute: boolean, export: boolean}
  /** Lines Kafka prints on stderr while checking the options (the missing `--execute` WARN). */
  warnings: string[]
}

/** Kafka's `ConsumerGroupState` names (without `Unknown`), in enum order. */
export const CONSUMER_GROUP_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'] as const
/** Kafka's `GroupType` names (without `Unknown`), in enum order. */
export const GROUP_TYPES = ['Consumer', 'Classic'] as const

const SCENARIOS = ['to-offset', 'shift-by', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'from-file'] as const

export const MISSING_EXECUTE_WARNING = 'WARN: No action will be performed as the --execute option is missing.' +
  'In a future major release, the default behavior of this command will be to prompt the user before executing the reset ' +
  'rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want ' +
  'to keep the current default behavior without prompting.'

/** Options taking an optional argument (jopt `withOptionalArg`). */
export const OPTIONAL_ARG_FLAGS = ['state', 'type'] as const

/**
 * Rewrites `--state` / `--type` given without a value (last token, or followed by another option)
 * as `--state=` so oclif, which has no optional-argument flags, accepts them; jopt-simple takes the
 * next token as the argument unless it looks like an option (starts with `-`).
 */
export function normalizeOptionalArgs(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') {
      out.push(...argv.slice(i))
      break
    }
    const next = argv[i + 1]
    if ((OPTIONAL_ARG_FLAGS as readonly string[]).includes(a.replace(/^--/, '')) && a.startsWith('--') &&
      (next === undefined || (next.startsWith('-') && next.length > 1))) {
      out.push(`${a}=`)
    } else {
      out.push(a)
    }
  }
  return out
}

/** Whether an oclif flag value counts as "given" (jopt `options.has`). */
function has(raw: RawGroupFlags, name: string): boolean {
  const v = (raw as Record<string, unknown>)[name]
  if (Array.isArray(v)) return v.length > 0
  return v !== undefined && v !== false
}

/**
 * Validates the flags in Kafka's order: availability of `--members`/`--verbose`/`--offsets`/`--state`/`--type`
 * (jopt `availableIf`), `checkArgs`, then the action count.
 * The bootstrap server defaults per `resolveBootstrapServer` (flag, `KTS_BOOTSTRAP_SERVER`, `localhost:9092`).
 * @throws UsageError with Kafka's wording (
 *   `Option [describe] takes one of these options: [group], [all-groups]`, `Option "[to-offset]" can't be used with option "[to-latest]"`, ...).
 * @throws GroupCommandError for an unparsable `--to-datetime` / `--by-duration` (Kafka fails these at run time).
 */
export function validateGroupOptions(raw: RawGroupFlags): GroupCommandOptions {
  // jopt availableIf(describe) / availableIf(describe, list) / availableIf(list)
  for (const opt of ['members', 'verbose', 'offsets'] as const) {
    if (has(raw, opt) && !raw.describe) throw new UsageError(`Option(s) [${opt}] are unavailable given other options on the command line`)
  }
  if (raw.state !== undefined && !raw.describe && !raw.list) throw new UsageError('Option(s) [state] are unavailable given other options on the command line')
  if (raw.type !== undefined && !raw.list) throw new UsageError('Option(s) [type] are unavailable given other options on the command line')

  const bootstrapServer = resolveBootstrapServer(raw['bootstrap-server'])

  const warnings: string[] = []
  if (raw.describe) {
    if (!has(raw, 'group') && !raw['all-groups']) throw new UsageError('Option [describe] takes one of these options: [group], [all-groups]')
    const views = (['members', 'offsets', 'state'] as const).filter((v) => has(raw, v) || (v === 'state' && raw.state !== undefined))
    if (views.length > 1) throw new UsageError('Option [describe] takes at most one of these options: [members], [offsets], [state]')
    if (raw.state !== undefined && raw.state !== '') throw new UsageError('Option [describe] does not take a value for [state]')
  }
  if (raw.delete) {
    if (!has(raw, 'group') && !raw['all-groups']) throw new UsageError('Option [delete] takes one of these options: [group], [all-groups]')
    if (has(raw, 'topic')) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.')
  }
  if (raw['delete-offsets']) {
    if (!has(raw, 'group') || !has(raw, 'topic')) throw new UsageError('Option [delete-offsets] takes the following options: [group], [topic]')
  }
  let scenarios: string[] = []
  if (raw['reset-offsets']) {
    if (raw['dry-run'] && raw.execute) throw new UsageError('Option [reset-offsets] only accepts one of [execute] and [dry-run]')
    if (!raw['dry-run'] && !raw.execute) warnings.push(MISSING_EXECUTE_WARNING)
    if (!has(raw, 'group') && !raw['all-groups']) throw new UsageError('Option [reset-offsets] takes one of these options: [group], [all-groups]')
    scenarios = SCENARIOS.filter((s) => has(raw, s))
    if (scenarios.length > 1) throw new UsageError(`Option "[${scenarios[0]}]" can't be used with option "[${scenarios[1]}]"`)
  }
  if (has(raw, 'group') && raw['all-groups']) throw new UsageError('Option "[group]" can\'t be used with option "[all-groups]"')
  if (has(raw, 'group') && raw.list) throw new UsageError('Option "[group]" can\'t be used with option "[list]"')
  if (has(raw, 'topic') && raw.list) throw new UsageError('Option "[topic]" can\'t be used with option "[list]"')
  if (has(raw, 'topic') && raw.describe) throw new UsageError('Option "[topic]" can\'t be used with option "[describe]"')

  const actions = GROUP_ACTIONS.filter((a) => raw[a] === true)
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets')
  const action = actions[0]

  const timeoutMs = raw.timeout === undefined ? 5000 : parseLongArg(raw.timeout, 'timeout')
  const topics = (raw.topic ?? []).map(parseTopicArg)

  let reset: GroupCommandOptions['reset']
  if (action === 'reset-offsets') {
    if (scenarios.length === 0) {
      throw new UsageError(`Option '[reset-offsets]' requires one of the following scenarios: [${SCENARIOS.map((s) => `[${s}]`).join(', ')}]`)
    }
    if (!raw['all-topics'] && topics.length === 0 && raw['from-file'] === undefined) {
      throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.')
    }
    reset = {scenario: parseScenario(raw, scenarios[0] as typeof SCENARIOS[number]), execute: raw.execute === true, export: raw.export === true}
  }

  return {
    action,
    bootstrapServer,
    commandConfig: raw['command-config'],
    groups: raw.group ?? [],
    allGroups: raw['all-groups'] === true,
    topics,
    allTopics: raw['all-topics'] === true,
    timeoutMs,
    describeView: has(raw, 'members') ? 'members' : raw.state !== undefined && action === 'describe' ? 'state' : 'offsets',
    verbose: raw.verbose === true,
    listStates: action === 'list' && raw.state !== undefined ? parseStateList(raw.state) : null,
    listTypes: action === 'list' && raw.type !== undefined ? parseTypeList(raw.type) : null,
    reset,
    warnings,
  }
}

function parseScenario(raw: RawGroupFlags, kind: typeof SCENARIOS[number]): ResetScenario {
  switch (kind) {
    case 'to-offset': return {kind, offset: parseLongArg(raw['to-offset'] as string, 'to-offset')}
    case 'shift-by': return {kind, shift: parseLongArg(raw['shift-by'] as string, 'shift-by')}
    case 'to-datetime': return {kind, timestamp: asCommandError(() => parseKafkaDateTime(raw['to-datetime'] as string))}
    case 'by-duration': return {kind, durationMs: asCommandError(() => parseJavaDuration(raw['by-duration'] as string))}
    case 'from-file': return {kind, file: raw['from-file'] as string}
    default: return {kind}
  }
}

/** Kafka prints these parse failures as `Error: Executing consumer group command failed due to <message>`. */
function asCommandError<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    throw new GroupCommandError((err as Error).message, {cause: err})
  }
}

/** jopt-simple's Long conversion. @throws UsageError `Cannot parse argument 'abc' of option to-offset`. */
export function parseLongArg(value: string, option: string): number {
  const t = value.trim()
  const n = Number(t)
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(n)) throw new UsageError(`Cannot parse argument '${value}' of option ${option}`)
  return n
}

/**
 * `--topic t` or `--topic t:0,1,2` (Kafka `parseTopicsWithPartitions`).
 * @throws UsageError `Invalid topic arg 't:0:1', expected topic name and partitions` /
 *   `Invalid partition 'x' specified in topic arg 't:x''` (sic, Kafka's doubled quote).
 */
export function parseTopicArg(arg: string): TopicArg {
  if (!arg.includes(':')) return {raw: arg, topic: arg, partitions: null}
  const parts = javaSplit(arg, ':')
  if (parts.length !== 2) throw new UsageError(`Invalid topic arg '${arg}', expected topic name and partitions`)
  const partitions = javaSplit(parts[1], ',').map((p) => {
    if (!/^[+-]?\d+$/.test(p) || Number(p) > 2147483647 || Number(p) < -2147483648) {
      throw new UsageError(`Invalid partition '${p}' specified in topic arg '${arg}''`)
    }
    return Number(p)
  })
  return {raw: arg, topic: parts[0], partitions}
}

/**
 * `--state stable,empty` → Kafka names (`Stable`, `Empty`), case-insensitive; '' → [] (no filter).
 * @throws UsageError `Invalid state list 'x'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling`.
 */
export function parseStateList(value: string): string[] {
  if (value === '') return []
  const out = new Set<string>()
  for (const s of value.split(',')) {
    const found = CONSUMER_GROUP_STATES.find((x) => x.toUpperCase() === s.trim().toUpperCase())
    if (found === undefined) throw new UsageError(`Invalid state list '${value}'. Valid states are: ${CONSUMER_GROUP_STATES.join(', ')}`)
    out.add(found)
  }
  return [...out]
}

/**
 * `--type classic,consumer` → Kafka names (`Classic`, `Consumer`), case-insensitive; '' → [] (no filter).
 * @throws UsageError `Invalid types list 'x'. Valid types are: Consumer, Classic`.
 */
export function parseTypeList(value: string): string[] {
  if (value === '') return []
  const out = new Set<string>()
  for (const s of value.toLowerCase().split(',')) {
    const found = GROUP_TYPES.find((x) => x.toLowerCase() === s.trim())
    if (found === undefined) throw new UsageError(`Invalid types list '${value}'. Valid types are: ${GROUP_TYPES.join(', ')}`)
    out.add(found)
  }
  return [...out]
}
