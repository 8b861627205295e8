/**
 * Text output of `kts leader-election` (Kafka 3.9 `LeaderElectionCommand.electLeaders`). Pure:
 * returns lines without `\n`. Partitions are sorted by topic, then partition, where Kafka prints a
 * HashSet's order.
 */
import type {ElectionTypeName} from './leader-election-options.js'
import {tpName, type PartitionOutcome} from './partition-admin.js'

/** ElectionNotNeededException. */
const ELECTION_NOT_NEEDED = 84

/** The outcomes grouped as Kafka's tool groups them. */
export interface ElectionSummary {
  succeeded: string[]
  /** Valid replica already elected (ELECTION_NOT_NEEDED). */
  noop: string[]
  failed: {partition: string, error: string}[]
}

function byPartition(a: PartitionOutcome, b: PartitionOutcome): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
}

export function summarizeElection(outcomes: readonly PartitionOutcome[]): ElectionSummary {
  const sorted = [...outcomes].sort(byPartition)
  return {
    succeeded: sorted.filter(o => o.error === null).map(o => tpName(o.topic, o.partition)),
    noop: sorted.filter(o => o.errorCode === ELECTION_NOT_NEEDED).map(o => tpName(o.topic, o.partition)),
    failed: sorted.filter(o => o.error !== null && o.errorCode !== ELECTION_NOT_NEEDED).map(o => ({partition: tpName(o.topic, o.partition), error: o.error!.message})),
  }
}

/**
 * `Successfully completed leader election (PREFERRED) for partitions a-0, a-1`,
 * `Valid replica already elected for partitions b-0`, then per failure
 * `Error completing leader election (PREFERRED) for partition: c-0: <exception>`.
 */
export function renderElection(type: ElectionTypeName, s: ElectionSummary): string[] {
  const lines: string[] = []
  if (s.succeeded.length > 0) lines.push(`Successfully completed leader election (${type}) for partitions ${s.succeeded.join(', ')}`)
  if (s.noop.length > 0) lines.push(`Valid replica already elected for partitions ${s.noop.join(', ')}`)
  for (const f of s.failed) lines.push(`Error completing leader election (${type}) for partition: ${f.partition}: ${f.error}`)
  return lines
}

/** The failure after the lines: `2 replica(s) could not be elected`. */
export function electionFailureMessage(s: ElectionSummary): string | null {
  return s.failed.length > 0 ? `${s.failed.length} replica(s) could not be elected` : null
}
