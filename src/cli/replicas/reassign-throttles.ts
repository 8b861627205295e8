/**
 * Replication throttles of `kts reassign-partitions --execute --throttle` and their removal by
 * `--verify` / `--cancel` (Kafka 3.9 `ReassignPartitionsCommand`: `calculateProposedMoveMap`,
 * `calculateLeaderThrottles`, `calculateFollowerThrottles`, `modifyInterBrokerThrottle`,
 * `clearAllThrottles`). Pure: computes the IncrementalAlterConfigs changes; kts brokers store these
 * configs but do not throttle replication (docs/COMPATIBILITY.md).
 */
import {OpType, ResourceType, type ConfigChange, type PartitionReassignment} from './partition-admin.js'

export const LEADER_THROTTLED_RATE = 'leader.replication.throttled.rate'
export const FOLLOWER_THROTTLED_RATE = 'follower.replication.throttled.rate'
export const LOG_DIRS_THROTTLE = 'replica.alter.log.dirs.io.max.bytes.per.second'
export const LEADER_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas'
export const FOLLOWER_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas'

/** Brokers a partition's data moves from and to (Kafka `PartitionMove`). */
export interface PartitionMove {
  sources: Set<number>
  destinations: Set<number>
}

/** topic → partition → move. */
export type MoveMap = Map<string, Map<number, PartitionMove>>

type Part = {topic: string, partition: number}

/**
 * The moves of the ongoing reassignments plus the proposed ones (Kafka `calculateProposedMoveMap`):
 * sources are the current replicas (of an ongoing reassignment: its replicas without the adding
 * ones), destinations the proposed replicas that are not sources.
 */
export function proposedMoveMap(current: Iterable<PartitionReassignment & Part>, proposed: Iterable<Part & {replicas: readonly number[]}>,
  currentReplicas: ReadonlyMap<string, readonly number[]>): MoveMap {
  const moves: MoveMap = new Map()
  const movesOf = (topic: string): Map<number, PartitionMove> => {
    let m = moves.get(topic)
    if (!m) moves.set(topic, m = new Map())
    return m
  }
  for (const r of current) {
    movesOf(r.topic).set(r.partition, {sources: new Set(r.replicas.filter(id => !r.addingReplicas.includes(id))), destinations: new Set(r.addingReplicas)})
  }
  for (const p of proposed) {
    const m = movesOf(p.topic)
    const sources = new Set(m.get(p.partition)?.sources ?? currentReplicas.get(`${p.topic}-${p.partition}`) ?? [])
    m.set(p.partition, {sources, destinations: new Set(p.replicas.filter(id => !sources.has(id)))})
  }
  return moves
}

/** Topic configs `leader/follower.replication.throttled.replicas` = `partition:broker,...` (sorted as strings, Kafka's TreeSet). */
export function topicThrottles(moves: MoveMap): ConfigChange[] {
  return [...moves.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([topic, parts]) => {
    const leader = new Set<string>()
    const follower = new Set<string>()
    for (const [partition, move] of parts) {
      for (const s of move.sources) leader.add(`${partition}:${s}`)
      for (const d of move.destinations) if (!move.sources.has(d)) follower.add(`${partition}:${d}`)
    }
    return {resourceType: ResourceType.TOPIC, resourceName: topic, ops: [
      {name: LEADER_THROTTLED_REPLICAS, op: OpType.SET, value: [...leader].sort().join(',')},
      {name: FOLLOWER_THROTTLED_REPLICAS, op: OpType.SET, value: [...follower].sort().join(',')},
    ]}
  })
}

/** Every broker a partition moves from or to, ascending. */
export function reassigningBrokers(moves: MoveMap): number[] {
  const out = new Set<number>()
  for (const parts of moves.values()) {
    for (const m of parts.values()) {
      for (const s of m.sources) out.add(s)
      for (const d of m.destinations) out.add(d)
    }
  }
  return [...out].sort((a, b) => a - b)
}

/** Broker configs `leader/follower.replication.throttled.rate` = `throttle` (B/s). */
export function brokerThrottles(brokers: readonly number[], throttle: number): ConfigChange[] {
  return brokers.map(id => ({resourceType: ResourceType.BROKER, resourceName: String(id), ops: [
    {name: LEADER_THROTTLED_RATE, op: OpType.SET, value: String(throttle)},
    {name: FOLLOWER_THROTTLED_RATE, op: OpType.SET, value: String(throttle)},
  ]}))
}

/** The DELETE operations of `clearAllThrottles`: every broker-level throttle, then the topics' throttled replica lists. */
export function clearThrottles(brokers: readonly number[], topics: readonly string[]): {brokers: ConfigChange[], topics: ConfigChange[]} {
  return {
    brokers: brokers.map(id => ({resourceType: ResourceType.BROKER, resourceName: String(id),
      ops: [LEADER_THROTTLED_RATE, FOLLOWER_THROTTLED_RATE, LOG_DIRS_THROTTLE].map(name => ({name, op: OpType.DELETE, value: null}))})),
    topics: topics.map(t => ({resourceType: ResourceType.TOPIC, resourceName: t,
      ops: [LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS].map(name => ({name, op: OpType.DELETE, value: null}))})),
  }
}
