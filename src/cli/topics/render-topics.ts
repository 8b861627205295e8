/**
 * Text output of `kts topics` in Kafka's layout (`../shared/spec/kafka-tools.md` §2.2-2.3,
 * Kafka `TopicCommand.TopicDescription` / `PartitionDescription`). Pure: returns lines without `\n`.
 */

/** One partition of a described topic. `leader` is -1 (or null) when there is none. */
export interface PartitionInfo {
  partition: number
  leader: number | null
  replicas: number[]
  isr: number[]
  /** Eligible leader replicas; null when unknown (Metadata fallback → `N/A`). */
  elr: number[] | null
  lastKnownElr: number[] | null
  /** The partition's ongoing reassignment (ListPartitionReassignments), if any. */
  reassignment?: {replicas: number[], addingReplicas: number[], removingReplicas: number[]} | null
}

/**
 * Whether a reassignment is still running: some replica is being added or removed (Kafka
 * `TopicCommand.isReassignmentInProgress`; one that completed between the two requests is ignored).
 */
export function isReassignmentInProgress(p: PartitionInfo): boolean {
  const r = p.reassignment
  return r !== undefined && r !== null && p.replicas.some((id) => r.addingReplicas.includes(id) || r.removingReplicas.includes(id))
}

/** The replication factor of a partition: its replicas, without the adding ones while a reassignment runs (Kafka `getReplicationFactor`). */
export function replicationFactor(p: PartitionInfo): number {
  return isReassignmentInProgress(p) ? p.reassignment!.replicas.length - p.reassignment!.addingReplicas.length : p.replicas.length
}

/** One described topic. `configs` are the entries whose source is not DEFAULT_CONFIG, in broker order. */
export interface TopicInfo {
  name: string
  /** Kafka text uuid; null or all-zero when unknown (then `TopicId:` is omitted). */
  topicId: string | null
  partitions: PartitionInfo[]
  configs: Array<{name: string, value: string | null}>
  internal: boolean
}

export const PERIOD_UNDERSCORE_WARNING = 'WARNING: Due to limitations in metric names, topics with a period (\'.\') or underscore (\'_\') could collide. To avoid issues it is best to use either, but not both.'

/** Lines printed by `--create` (the warning first for names with `.` or `_`). */
export function renderCreated(name: string): string[] {
  const lines: string[] = []
  if (name.includes('.') || name.includes('_')) lines.push(PERIOD_UNDERSCORE_WARNING)
  lines.push(`Created topic ${name}.`)
  return lines
}

/** Lines printed by `--list`: names as given (the service sorts them); no topics → one empty line. */
export function renderList(names: readonly string[]): string[] {
  return names.length === 0 ? [''] : [...names]
}

/** Header line of a topic: `Topic: t\tTopicId: id\tPartitionCount: n\tReplicationFactor: rf\tConfigs: k=v,...`. */
export function renderTopicHeader(t: TopicInfo): string {
  const fields = [`Topic: ${t.name}`]
  if (t.topicId !== null && t.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA') fields.push(`TopicId: ${t.topicId}`)
  const rf = t.partitions.length > 0 ? replicationFactor([...t.partitions].sort((a, b) => a.partition - b.partition)[0]) : 0
  fields.push(`PartitionCount: ${t.partitions.length}`, `ReplicationFactor: ${rf}`,
    `Configs: ${t.configs.map((c) => `${c.name}=${c.value ?? ''}`).join(',')}`)
  return fields.join('\t')
}

/**
 * Partition line: `\tTopic: t\tPartition: p\tLeader: l|none\tReplicas: a,b\tIsr: a,b` then, while it
 * is being reassigned, `\tAdding Replicas: c\tRemoving Replicas: d`, then `\tElr: ...\tLastKnownElr: ...`.
 */
export function renderPartition(topic: string, p: PartitionInfo): string {
  const leader = p.leader === null || p.leader < 0 ? 'none' : String(p.leader)
  const list = (ids: number[] | null): string => ids === null ? 'N/A' : ids.join(',')
  const reassigning = p.reassignment ? [`Adding Replicas: ${p.reassignment.addingReplicas.join(',')}`, `Removing Replicas: ${p.reassignment.removingReplicas.join(',')}`] : []
  return ['', `Topic: ${topic}`, `Partition: ${p.partition}`, `Leader: ${leader}`, `Replicas: ${p.replicas.join(',')}`,
    `Isr: ${p.isr.join(',')}`, ...reassigning, `Elr: ${list(p.elr)}`, `LastKnownElr: ${list(p.lastKnownElr)}`].join('\t')
}

/** Describe filters (`--under-replicated-partitions`, ...) plus the facts they need. */
export interface DescribeFilter {
  reportUnderReplicated: boolean
  reportUnavailable: boolean
  reportUnderMinIsr: boolean
  reportAtMinIsr: boolean
  topicsWithOverrides: boolean
  /** Ids of live brokers (for `--unavailable-partitions`). */
  liveBrokers: ReadonlySet<number>
  /** `min.insync.replicas` of each topic (default 1). */
  minIsr: ReadonlyMap<string, number>
}

/**
 * Whether a partition line is printed under the active report option (all when none), as Kafka's
 * `PartitionDescription` decides: under-replicated = fewer ISR members than the replication factor
 * (`replicationFactor`); unavailable = no leader or a leader that is not a live broker; under min
 * ISR = no leader or an ISR below the topic's `min.insync.replicas`; at min ISR = an ISR of exactly it.
 */
export function partitionSelected(topic: string, p: PartitionInfo, f: DescribeFilter): boolean {
  const noLeader = p.leader === null || p.leader < 0
  const minIsr = f.minIsr.get(topic) ?? 1
  if (f.reportUnderReplicated) return replicationFactor(p) - p.isr.length > 0
  if (f.reportUnavailable) return noLeader || !f.liveBrokers.has(p.leader as number)
  if (f.reportUnderMinIsr) return noLeader || p.isr.length < minIsr
  if (f.reportAtMinIsr) return p.isr.length === minIsr
  return true
}

/**
 * Lines of `--describe` for the given topics, in the given order: a header per topic (only without
 * a report option; with `--topics-with-overrides` only for topics with configs, and no partitions),
 * then the selected partitions sorted by id.
 */
export function renderDescribe(topics: readonly TopicInfo[], f: DescribeFilter): string[] {
  const lines: string[] = []
  const report = f.reportUnderReplicated || f.reportUnavailable || f.reportUnderMinIsr || f.reportAtMinIsr
  for (const t of topics) {
    if (f.topicsWithOverrides) {
      if (t.configs.length > 0) lines.push(renderTopicHeader(t))
      continue
    }
    if (!report) lines.push(renderTopicHeader(t))
    for (const p of [...t.partitions].sort((a, b) => a.partition - b.partition)) {
      if (partitionSelected(t.name, p, f)) lines.push(renderPartition(t.name, p))
    }
  }
  return lines
}

/** The line printed on stdout for a failed topic command. */
export function renderTopicCommandError(message: string): string {
  return `Error while executing topic command : ${message}`
}
