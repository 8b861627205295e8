/**
 * Options of `kts console-consumer` (Kafka `ConsoleConsumerOptions`, `../shared/spec/kafka-tools.md`
 * §4.1-4.2): rejected combinations with Kafka's messages, consumer property merge, start position.
 */
import {UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'
import {parseKeyValueArgs, readPropertiesFile, type ClientProperties} from '../admin/admin-client.js'
import {formatterConfig, type FormatterConfig} from './message-formatter.js'

/** Raw flags as oclif parses them. */
export interface RawConsumerFlags {
  'bootstrap-server'?: string
  topic?: string
  include?: string
  whitelist?: string
  partition?: string
  offset?: string
  'from-beginning'?: boolean
  group?: string
  'consumer-property'?: string[]
  'consumer.config'?: string
  'max-messages'?: string
  'timeout-ms'?: string
  property?: string[]
  'formatter-config'?: string
  'isolation-level'?: string
  'skip-message-on-error'?: boolean
}

/** Where assigned partitions start: earliest, latest, or an exact offset. */
export type StartOffset = 'earliest' | 'latest' | number

/** Effective options of one run. */
export interface ConsoleConsumerOptions {
  bootstrapServer: string
  topic?: string
  /**
   * True when neither `--topic` nor `--include` was given: the caller picks the cluster's only
   * non-internal topic (`topicFromCluster` in default-topic.ts) and sets `topic` before running.
   */
  topicFromCluster: boolean
  /** Notes for stderr, one line each (e.g. `--from-beginning` ignored in favour of `--offset`). */
  warnings: string[]
  /** `--include` as a whole-name regex. */
  include?: RegExp
  partition?: number
  /** Start for `--partition` (its `--offset`), and `auto.offset.reset` otherwise (`earliest`/`latest`). */
  start: StartOffset
  /** Group id when one was given (`--group`, `group.id` property); then a kafkajs group consumer is used. */
  groupId?: string
  maxMessages?: number
  timeoutMs?: number
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: 0 | 1
  skipMessageOnError: boolean
  /** Consumer properties after the merge (Java names). */
  properties: ClientProperties
  formatter: FormatterConfig
}

function longArg(v: string, option: string): number {
  const t = v.trim()
  if (!/^[+-]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) throw new UsageError(`Cannot parse argument '${v}' of option ${option}`)
  return Number(t)
}

/**
 * Validates the flags (Kafka's order of checks) and merges the consumer properties.
 *
 * Deliberate differences from Kafka's `ConsoleConsumerOptions` (README "Deliberate differences"):
 * - neither `--topic` nor `--include` is not an error here: `topicFromCluster` is set and the
 *   caller reads the cluster's only topic (or fails with Kafka's message plus the topic list);
 *   `--partition` is then allowed without `--topic`;
 * - `--partition` with both `--from-beginning` and `--offset`: `--offset` wins and a warning says
 *   `--from-beginning` is ignored (Kafka: `Options from-beginning and offset cannot be specified together.`);
 * - `--bootstrap-server` defaults (`resolveBootstrapServer`).
 * @throws UsageError with Kafka's messages, e.g. `Exactly one of --include/--topic is required. ` (both given),
 *   `The topic is required when partition is specified.`, `Options group and partition cannot be specified together.`
 */
export function resolveConsumerOptions(raw: RawConsumerFlags): ConsoleConsumerOptions {
  const bootstrapServer = resolveBootstrapServer(raw['bootstrap-server'])
  const include = raw.include ?? raw.whitelist
  if (raw.topic !== undefined && include !== undefined) {
    throw new UsageError('Exactly one of --include/--topic is required. ' +
      (raw.whitelist !== undefined ? '--whitelist is DEPRECATED use --include instead; ignored if --include specified.' : ''))
  }
  const topicFromCluster = raw.topic === undefined && include === undefined
  if (raw.partition !== undefined && include !== undefined) throw new UsageError('The topic is required when partition is specified.')
  const warnings: string[] = []
  let fromBeginning = raw['from-beginning'] === true
  if (raw.partition !== undefined && fromBeginning && raw.offset !== undefined) {
    warnings.push(`--from-beginning is ignored: --offset ${raw.offset} is given.`)
    fromBeginning = false
  }
  let start: StartOffset = fromBeginning ? 'earliest' : 'latest'
  if (raw.offset !== undefined) {
    if (raw.partition === undefined) throw new UsageError('The partition is required when offset is specified.')
    const o = raw.offset.trim().toLowerCase()
    if (o === 'earliest' || o === 'latest') {
      start = o
    } else if (/^\d+$/.test(o) && Number.isSafeInteger(Number(o))) {
      start = Number(o)
    } else {
      throw new UsageError(`The provided offset value '${raw.offset}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`)
    }
  }
  const fileProps = raw['consumer.config'] === undefined ? {} : readPropertiesFile(raw['consumer.config'])
  const cliProps = parseKeyValueArgs(raw['consumer-property'])
  const groupIds: string[] = []
  for (const g of [raw.group, cliProps['group.id'], fileProps['group.id']]) if (g !== undefined && !groupIds.includes(g)) groupIds.push(g)
  if (groupIds.length > 1) {
    throw new UsageError('The group ids provided in different places (directly using \'--group\', via \'--consumer-property\', or via \'--consumer.config\') do not match. ' +
      `Detected group ids: ${groupIds.map((g) => `'${g}'`).join(', ')}`)
  }
  const groupId = groupIds[0]
  if (groupId !== undefined && raw.partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.')

  const properties: ClientProperties = {...fileProps, ...cliProps}
  const reset = properties['auto.offset.reset']
  if (reset !== undefined && raw.partition === undefined) {
    if (fromBeginning && reset.trim().toLowerCase() !== 'earliest') {
      throw new UsageError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${reset}', please remove one option`)
    }
    const r = reset.trim().toLowerCase()
    if (r === 'earliest' || r === 'latest') start = r
  }
  properties['client.id'] ??= 'console-consumer'
  const isolation = (raw['isolation-level'] ?? properties['isolation.level'] ?? 'read_uncommitted').trim().toLowerCase()
  if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new UsageError(`Invalid value ${isolation} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`)
  }
  const formatterProps = {
    ...(raw['formatter-config'] === undefined ? {} : readPropertiesFile(raw['formatter-config'])),
    ...parseKeyValueArgs(raw.property),
  }
  let include_: RegExp | undefined
  if (include !== undefined) {
    try {
      include_ = new RegExp(`^(?:${include.trim()})$`)
    } catch {
      throw new UsageError(`${include} is an invalid regex.`)
    }
  }
  return {
    bootstrapServer,
    topic: raw.topic,
    topicFromCluster,
    warnings,
    include: include_,
    partition: raw.partition === undefined ? undefined : longArg(raw.partition, 'partition'),
    start,
    groupId,
    maxMessages: raw['max-messages'] === undefined ? undefined : longArg(raw['max-messages'], 'max-messages'),
    timeoutMs: raw['timeout-ms'] === undefined ? undefined : longArg(raw['timeout-ms'], 'timeout-ms'),
    isolationLevel: isolation === 'read_committed' ? 1 : 0,
    skipMessageOnError: raw['skip-message-on-error'] === true,
    properties,
    formatter: formatterConfig(formatterProps),
  }
}
