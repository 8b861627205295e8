/**
 * Text output of `kts reassign-partitions` (Kafka 3.9 `ReassignPartitionsCommand`). Pure: returns
 * text with Kafka's line breaks (some messages have no trailing newline, as Kafka prints them).
 * Partitions are sorted by topic then partition (`compareTopicPartitions`); sets Kafka prints in
 * HashSet order (brokers, topics) are sorted.
 */
import {tpName, type PartitionReassignment} from './partition-admin.js'
import {compareTopicPartitions, formatReassignmentJson} from './reassignment-json.js'

type Assignment = ReadonlyMap<string, {topic: string, partition: number, replicas: readonly number[]}>

export const CANNOT_EXECUTE_BECAUSE_OF_EXISTING_MESSAGE = 'Cannot execute because there is an existing partition assignment.  Use --additional to ' +
  'override this and create a new partition assignment in addition to the existing one. The --additional flag can also be used to change the ' +
  'throttle by resubmitting the current reassignment.'

export const YOU_MUST_RUN_VERIFY_PERIODICALLY_MESSAGE = 'Warning: You must run --verify periodically, until the reassignment completes, to ensure the throttle is removed.'

/** `--generate`: the current and the proposed assignment. */
export function renderGenerate(current: Assignment, proposed: Assignment): string {
  return `Current partition replica assignment\n${formatReassignmentJson(current)}\n\n` +
    `Proposed partition reassignment configuration\n${formatReassignmentJson(proposed)}\n`
}

/** `--execute`: the current assignment of the partitions being moved, to save for a rollback. */
export function renderCurrentAssignment(current: Assignment): string {
  return `Current partition replica assignment\n\n${formatReassignmentJson(current)}\n\nSave this to use as the --reassignment-json-file option during rollback\n`
}

const plural = (n: number): string => (n === 1 ? '' : 's')

function sortedNames(parts: readonly {topic: string, partition: number}[]): string[] {
  return [...parts].sort(compareTopicPartitions).map(p => tpName(p.topic, p.partition))
}

/** `Successfully started partition reassignment(s) for a-0,a-1`. */
export function renderStarted(parts: readonly {topic: string, partition: number}[]): string {
  return `Successfully started partition reassignment${plural(parts.length)} for ${sortedNames(parts).join(',')}\n`
}

/** `Successfully cancelled partition reassignment(s) for: a-0,a-1`. */
export function renderCancelled(parts: readonly {topic: string, partition: number}[]): string {
  return `Successfully cancelled partition reassignment${plural(parts.length)} for: ${sortedNames(parts).join(',')}\n`
}

/** A failure per partition: `<header>\na-0: <message>\n...` (the whole text is Kafka's TerseException message). */
export function renderPartitionErrors(header: string, errors: readonly {topic: string, partition: number, message: string}[]): string {
  return `${header}\n${[...errors].sort(compareTopicPartitions).map(e => `${tpName(e.topic, e.partition)}: ${e.message}`).join('\n')}`
}

/** The state `--verify` reports for a partition (Kafka `PartitionReassignmentState`). */
export interface PartitionReassignmentState {
  topic: string
  partition: number
  currentReplicas: number[]
  targetReplicas: number[]
  /** No reassignment of it is running. */
  done: boolean
}

/** `Status of partition reassignment:` and a line per partition. */
export function renderStates(states: readonly PartitionReassignmentState[]): string {
  const lines = ['Status of partition reassignment:']
  for (const s of [...states].sort(compareTopicPartitions)) {
    const name = tpName(s.topic, s.partition)
    if (!s.done) {
      lines.push(`Reassignment of partition ${name} is still in progress.`)
    } else if (s.currentReplicas.length === s.targetReplicas.length && s.currentReplicas.every((r, i) => r === s.targetReplicas[i])) {
      lines.push(`Reassignment of partition ${name} is completed.`)
    } else {
      lines.push(`There is no active reassignment of partition ${name}, but replica set is ${s.currentReplicas.join(',')} rather than ${s.targetReplicas.join(',')}.`)
    }
  }
  return lines.join('\n') + '\n'
}

/** `--list`: `Current partition reassignments:` and `a-0: replicas: 1,2,3. adding: 3. removing: 1.` lines, or `No partition reassignments found.` */
export function renderReassignments(reassignments: Iterable<PartitionReassignment & {topic: string, partition: number}>): string {
  const lines = [...reassignments].sort(compareTopicPartitions).map(r => `${tpName(r.topic, r.partition)}: replicas: ${r.replicas.join(',')}.` +
    (r.addingReplicas.length > 0 ? ` adding: ${r.addingReplicas.join(',')}.` : '') +
    (r.removingReplicas.length > 0 ? ` removing: ${r.removingReplicas.join(',')}.` : ''))
  return lines.length === 0 ? 'No partition reassignments found.\n' : `Current partition reassignments:\n${lines.join('\n')}\n`
}

/** `Clearing broker-level throttles on broker(s) 1,2,3` / `Clearing topic-level throttles on topic(s) a,b`. */
export function renderClearing(level: 'broker' | 'topic', names: readonly (string | number)[]): string {
  return `Clearing ${level}-level throttles on ${level}${plural(names.length)} ${names.join(',')}\n`
}
