/**
 * The rows of `kts consumer-groups --describe` (Kafka [4.0-pre] `ConsumerGroupService.collectGroupsOffsets`
 * and `collectGroupsMembers`), computed from a group description, its committed offsets and the log
 * end offsets. Pure.
 */
import {compareTp, tpKey, type CommittedOffset, type GroupDescription, type TopicPartition} from './group-model.js'

/** One row of the offsets view; null prints as `-`. */
export interface OffsetRow {
  group: string
  topic: string | null
  partition: number | null
  currentOffset: number | null
  logEndOffset: number | null
  lag: number | null
  consumerId: string | null
  host: string | null
  clientId: string | null
}

/** One row of the members view. `groupInstanceId` is '' without static membership. */
export interface MemberRow {
  group: string
  consumerId: string
  groupInstanceId: string
  host: string
  clientId: string
  numPartitions: number
  /** Only filled for `--verbose`. */
  assignment: TopicPartition[]
}

/** Partitions whose log end offset the offsets view needs: assigned ones, then committed ones. */
export function partitionsToDescribe(d: GroupDescription, committed: ReadonlyMap<string, CommittedOffset>): TopicPartition[] {
  const seen = new Map<string, TopicPartition>()
  for (const m of d.members) for (const tp of m.assignment) seen.set(tpKey(tp), tp)
  for (const c of committed.values()) seen.set(tpKey(c), {topic: c.topic, partition: c.partition})
  return [...seen.values()]
}

/**
 * Offsets view rows: members with partitions (most partitions first), one row per partition
 * (by topic, then partition); then committed partitions nobody owns, with `-` for the member.
 * Lag = log end offset − committed offset, when both are known.
 */
export function offsetRows(d: GroupDescription, committed: ReadonlyMap<string, CommittedOffset>, logEndOffsets: ReadonlyMap<string, number>): OffsetRow[] {
  const rows: OffsetRow[] = []
  const row = (tp: TopicPartition, member: {consumerId: string, host: string, clientId: string} | null): OffsetRow => {
    const current = committed.get(tpKey(tp))?.offset ?? null
    const end = logEndOffsets.get(tpKey(tp)) ?? null
    return {
      group: d.groupId, topic: tp.topic, partition: tp.partition,
      currentOffset: current, logEndOffset: end,
      lag: current !== null && current !== -1 && end !== null ? end - current : null,
      consumerId: member?.consumerId ?? null, host: member?.host ?? null, clientId: member?.clientId ?? null,
    }
  }
  const assigned = new Set<string>()
  const members = d.members.filter((m) => m.assignment.length > 0)
    .map((m, i) => ({m, i}))
    .sort((a, b) => b.m.assignment.length - a.m.assignment.length || a.i - b.i)
  for (const {m} of members) {
    for (const tp of [...m.assignment].sort(compareTp)) {
      assigned.add(tpKey(tp))
      rows.push(row(tp, m))
    }
  }
  const unassigned = [...committed.values()].filter((c) => !assigned.has(tpKey(c))).map((c) => ({topic: c.topic, partition: c.partition})).sort(compareTp)
  for (const tp of unassigned) rows.push(row(tp, null))
  return rows
}

/** Members view rows, in the order the coordinator listed the members. */
export function memberRows(d: GroupDescription, verbose: boolean): MemberRow[] {
  return d.members.map((m) => ({
    group: d.groupId,
    consumerId: m.consumerId,
    groupInstanceId: m.groupInstanceId ?? '',
    host: m.host,
    clientId: m.clientId,
    numPartitions: m.assignment.length,
    assignment: verbose ? m.assignment : [],
  }))
}

