/**
 * Text output of `kts consumer-groups` in Kafka's layout ([4.0-pre] `ConsumerGroupCommand`,
 * `../shared/spec/kafka-tools.md` §5.2-5.8): Java `printf` formats (`%-Ns` = left-aligned,
 * padded to N, never cut), the same leading/trailing newlines, the same stdout/stderr split.
 * Pure: returns text (and which stream it goes to); the caller writes it. Table functions take
 * an optional `style` whose `header` marks the header row (bold on a colour terminal, see
 * `output/style.ts`); the default adds nothing, so the text is Kafka's byte for byte.
 */
import {ErrorCode, errorName} from '../../protocol/errors.js'
import {GroupCommandError, javaExceptionText} from './group-errors.js'
import type {GroupDescription, GroupListing, TopicPartition} from './group-model.js'
import type {MemberRow, OffsetRow} from './describe-rows.js'
import type {GroupPlan} from './reset-csv.js'
import {PLAIN, type Style} from '../output/style.js'

/** A piece of output: stdout unless `stderr`; `kind` lets a colour terminal show errors and warnings. */
export interface Chunk {
  text: string
  stderr?: boolean
  kind?: 'error' | 'warning'
}

/** What the table renderers need from a `Style`. */
export type HeaderStyle = Pick<Style, 'header'>

const MISSING = '-'
const pad = (s: string | number, width: number): string => String(s).padEnd(width)
const orMissing = (v: string | number | null): string => (v === null ? MISSING : String(v))

/** Kafka's `printError`: a blank line, then `Error: <message>`, on stdout. */
export function errorChunk(message: string): Chunk {
  return {text: `\nError: ${message}\n`, kind: 'error'}
}

/** `--list` without `--state`/`--type`: one group id per line. */
export function renderListPlain(groups: readonly GroupListing[]): string {
  return groups.map((g) => g.groupId + '\n').join('')
}

/**
 * `--list --state`/`--type` ([3.8+] `printGroupInfo`): GROUP padded to max(15, longest id) + 10,
 * then ` %-20s` for TYPE and/or STATE; every line keeps its padding. Unknown values print `Unknown`.
 */
export function renderListTable(groups: readonly GroupListing[], includeType: boolean, includeState: boolean, style: HeaderStyle = PLAIN): string {
  const width = Math.max(15, ...groups.map((g) => g.groupId.length)) + 10
  const cells = (id: string, type: string, state: string): string =>
    pad(id, width) + (includeType ? ' ' + pad(type, 20) : '') + (includeState ? ' ' + pad(state, 20) : '')
  const line = (id: string, type: string, state: string): string => cells(id, type, state) + '\n'
  return style.header(cells('GROUP', 'TYPE', 'STATE')) + '\n' + groups.map((g) => line(g.groupId, g.type ?? 'Unknown', g.state ?? 'Unknown')).join('')
}

/**
 * The state check before each describe table (`shouldPrintMemberState`): Dead → stdout
 * `Error: Consumer group 'g' does not exist.`; Empty → stderr `Consumer group 'g' has no active
 * members.`; rebalancing states → stderr `Warning: Consumer group 'g' is rebalancing.`. `print` is
 * true when the table follows (not Dead and at least one row). `numRows` null = nothing was
 * learnt about the group (`The consumer group 'g' does not exist.`).
 * @throws GroupCommandError for a state Kafka does not know (`Expected a valid consumer group state, but found 'X'.`).
 */
export function stateCheck(groupId: string, state: string | null, numRows: number | null): {chunks: Chunk[], print: boolean, missing: boolean} {
  if (numRows === null || state === null) return {chunks: [errorChunk(`The consumer group '${groupId}' does not exist.`)], print: false, missing: true}
  switch (state) {
    case 'Dead':
      return {chunks: [errorChunk(`Consumer group '${groupId}' does not exist.`)], print: false, missing: true}
    case 'Empty':
      return {chunks: [{text: `\nConsumer group '${groupId}' has no active members.\n`, stderr: true}], print: numRows > 0, missing: false}
    case 'PreparingRebalance':
    case 'CompletingRebalance':
    case 'Assigning':
    case 'Reconciling':
      return {chunks: [{text: `\nWarning: Consumer group '${groupId}' is rebalancing.\n`, stderr: true, kind: 'warning'}], print: numRows > 0, missing: false}
    case 'Stable':
      return {chunks: [], print: numRows > 0, missing: false}
    default:
      throw new GroupCommandError(`Expected a valid consumer group state, but found '${state}'.`)
  }
}

/**
 * The offsets table: `\n%-Gs %-Ts %-10s %-15s %-15s %-15s %-Cs %-Hs %s` for the header and each
 * row (G/T/C/H = max(15, longest value)), then a newline.
 */
export function renderOffsets(rows: readonly OffsetRow[], style: HeaderStyle = PLAIN): string {
  const w = (f: (r: OffsetRow) => string | null): number => Math.max(15, ...rows.map((r) => orMissing(f(r)).length))
  const g = w((r) => r.group)
  const t = w((r) => r.topic)
  const c = w((r) => r.consumerId)
  const h = w((r) => r.host)
  const cells = (cols: string[]): string =>
    `${pad(cols[0], g)} ${pad(cols[1], t)} ${pad(cols[2], 10)} ${pad(cols[3], 15)} ${pad(cols[4], 15)} ${pad(cols[5], 15)} ${pad(cols[6], c)} ${pad(cols[7], h)} ${cols[8]}`
  const line = (cols: string[]): string => '\n' + cells(cols)
  let out = '\n' + style.header(cells(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']))
  for (const r of rows) {
    out += line([r.group, orMissing(r.topic), orMissing(r.partition), orMissing(r.currentOffset), orMissing(r.logEndOffset), orMissing(r.lag),
      orMissing(r.consumerId), orMissing(r.host), orMissing(r.clientId)])
  }
  return out + '\n'
}

/**
 * `--verbose` assignment: partitions of each topic sorted (as text, like Kafka) in parentheses, the
 * groups sorted and joined by `, `; [3.8+] without the topic name: `(0,1), (2)`. `-` when empty.
 */
export function assignmentText(assignment: readonly TopicPartition[]): string {
  if (assignment.length === 0) return MISSING
  const byTopic = new Map<string, string[]>()
  for (const tp of assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), String(tp.partition)])
  return [...byTopic.values()].map((ps) => `(${ps.sort().join(',')})`).sort().join(', ')
}

/**
 * The members table: header `\n%-Gs %-Cs [%-Is ]%-Hs %-Ls %-15s ` (+ `ASSIGNMENT` with `--verbose`),
 * each row the same format (+ the assignment). Widths are max(15, longest) (GROUP-INSTANCE-ID: 17),
 * computed only when `sized` (Kafka sizes them only when the state check passed; the header prints
 * either way). The GROUP-INSTANCE-ID column appears when a member has one.
 */
export function renderMembers(rows: readonly MemberRow[], verbose: boolean, sized: boolean, style: HeaderStyle = PLAIN): string {
  const w = (min: number, f: (r: MemberRow) => string): number => (sized ? Math.max(min, ...rows.map((r) => f(r).length)) : min)
  const g = w(15, (r) => r.group)
  const c = w(15, (r) => r.consumerId)
  const i = w(17, (r) => r.groupInstanceId)
  const h = w(15, (r) => r.host)
  const l = w(15, (r) => r.clientId)
  const withInstance = sized && rows.some((r) => r.groupInstanceId !== '')
  const line = (group: string, consumer: string, instance: string, host: string, client: string, n: string): string =>
    `${pad(group, g)} ${pad(consumer, c)} ${withInstance ? pad(instance, i) + ' ' : ''}${pad(host, h)} ${pad(client, l)} ${pad(n, 15)} `
  let out = '\n' + style.header(line('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS') + (verbose ? 'ASSIGNMENT' : '')) + '\n'
  for (const r of rows) {
    out += line(r.group, r.consumerId, r.groupInstanceId, r.host, r.clientId, String(r.numPartitions)) + (verbose ? assignmentText(r.assignment) : '') + '\n'
  }
  return out
}

/** `host:port  (id)` ([3.8+], two spaces). */
export function coordinatorText(d: GroupDescription): string {
  return `${d.coordinator.host}:${d.coordinator.port}  (${d.coordinator.nodeId})`
}

/**
 * The state table: `\n%-Ws %-25s %-20s %-15s %s` for header and row, then a newline; W =
 * max(25, coordinator text length) (Kafka sizes the GROUP column from the coordinator text).
 */
export function renderState(d: GroupDescription, style: HeaderStyle = PLAIN): string {
  const coordinator = coordinatorText(d)
  const w = Math.max(25, coordinator.length)
  const cells = (cols: string[]): string => `${pad(cols[0], w)} ${pad(cols[1], 25)} ${pad(cols[2], 20)} ${pad(cols[3], 15)} ${cols[4]}`
  const line = (cols: string[]): string => '\n' + cells(cols)
  return '\n' + style.header(cells(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'])) +
    line([d.groupId, coordinator, d.assignmentStrategy, d.state, String(d.members.length)]) + '\n'
}

/**
 * The reset plan table ([4.0-pre] `printOffsetsToReset`): with at least one group (even without
 * rows), `\n%-30s %-30s %-10s %-15s` for the header and each row; then a newline.
 */
export function renderResetPlan(plans: readonly GroupPlan[], style: HeaderStyle = PLAIN): string {
  const cells = (cols: Array<string | number>): string => `${pad(cols[0], 30)} ${pad(cols[1], 30)} ${pad(cols[2], 10)} ${pad(cols[3], 15)}`
  const line = (cols: Array<string | number>): string => '\n' + cells(cols)
  let out = ''
  if (plans.length > 0) out += '\n' + style.header(cells(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET']))
  for (const p of plans) for (const o of p.offsets) out += line([p.groupId, o.topic, o.partition, o.offset])
  return out + '\n'
}

/**
 * The outcome of `--delete`: success → `Deletion of requested consumer groups ('g1, g2') was successful.`;
 * failures → `Error: Deletion of some consumer groups failed:` and one `* Group 'g' could not be deleted due to: ...`
 * line each, then (sic, Kafka's quoting) `These consumer groups were deleted successfully: 'g2', '`.
 */
export function renderDeleteGroups(results: ReadonlyArray<{groupId: string, errorCode: number}>): Chunk[] {
  const ok = results.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.groupId)
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE)
  if (failed.length === 0) return [{text: `Deletion of requested consumer groups ('${ok.join(', ')}') was successful.\n`}]
  const chunks = [errorChunk('Deletion of some consumer groups failed:')]
  for (const f of failed) {
    chunks.push({text: `* Group '${f.groupId}' could not be deleted due to: java.util.concurrent.ExecutionException: ${javaExceptionText(f.errorCode)}\n`})
  }
  if (ok.length > 0) chunks.push({text: `\nThese consumer groups were deleted successfully: '${ok.join('\'')}', '\n`})
  return chunks
}

/** One partition of `--delete-offsets`; `partition` -1 = a topic whose partitions could not be listed (`Not Provided`). */
export interface DeleteOffsetsEntry {
  topic: string
  partition: number
  /** Java exception text, or null when the offset was deleted. */
  error: string | null
}

/**
 * The outcome of `--delete-offsets`: a line for the top-level result, then the
 * `%-30s %-15s %-15s` table `TOPIC PARTITION STATUS` (each line after a newline, then a newline),
 * rows sorted by topic + partition as text.
 */
export function renderDeleteOffsets(groupId: string, topicArgs: readonly string[], topLevelCode: number, entries: readonly DeleteOffsetsEntry[], style: HeaderStyle = PLAIN): Chunk[] {
  const chunks: Chunk[] = []
  switch (topLevelCode) {
    case ErrorCode.NONE:
      chunks.push({text: `Request succeed for deleting offsets with topic ${topicArgs.join(', ')} group ${groupId}\n`})
      break
    case ErrorCode.INVALID_GROUP_ID:
      chunks.push(errorChunk(`'${groupId}' is not valid.`))
      break
    case ErrorCode.GROUP_ID_NOT_FOUND:
      chunks.push(errorChunk(`'${groupId}' does not exist.`))
      break
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
      chunks.push(errorChunk(`Access to '${groupId}' is not authorized.`))
      break
    case ErrorCode.NON_EMPTY_GROUP:
      chunks.push(errorChunk(`Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.`))
      break
    case ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC:
    case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      chunks.push(errorChunk('Encounter some partition level error, see the follow-up details:'))
      break
    default:
      chunks.push(errorChunk(`Encounter some unknown error: ${errorName(topLevelCode)}`))
  }
  const cells = (cols: Array<string | number>): string => `${pad(cols[0], 30)} ${pad(cols[1], 15)} ${pad(cols[2], 15)}`
  const line = (cols: Array<string | number>): string => '\n' + cells(cols)
  let table = '\n' + style.header(cells(['TOPIC', 'PARTITION', 'STATUS']))
  const sorted = [...entries].sort((a, b) => {
    const ka = a.topic + a.partition
    const kb = b.topic + b.partition
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
  for (const e of sorted) table += line([e.topic, e.partition >= 0 ? e.partition : 'Not Provided', e.error !== null ? `Error: :${e.error}` : 'Successful'])
  chunks.push({text: table + '\n'})
  return chunks
}
