/**
 * What `kts consumer-groups` learns about groups (Kafka admin's `ConsumerGroupDescription`,
 * `MemberDescription`, `GroupListing`), independent of how it was fetched.
 */

/** A topic partition; printed `topic-partition` like Kafka's `TopicPartition.toString()`. */
export interface TopicPartition {
  topic: string
  partition: number
}

/** A committed offset of a group (or a planned one, for `--reset-offsets`). */
export interface CommittedOffset extends TopicPartition {
  offset: number
}

/** Map key of a topic partition. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`
}

/** `orders-0`. */
export function tpString(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`
}

/** Sorts by topic, then partition (a fixed order where Kafka iterates a HashMap). */
export function compareTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
}

/** The broker coordinating a group (`host:port  (id)` in `--describe --state`). */
export interface Coordinator {
  nodeId: number
  host: string
  port: number
}

/** One member of a classic group. `consumerId` is the member id (`<client.id>-<uuid>`); `host` is `/<ip>`. */
export interface MemberDescription {
  consumerId: string
  groupInstanceId: string | null
  clientId: string
  host: string
  /** Partitions assigned by the leader (empty unless the group is Stable). */
  assignment: TopicPartition[]
}

/** A described group. `state` is Kafka's state name (`Stable`, `Empty`, `Dead`, ...). */
export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  /** The assignor (`range`, `cooperative-sticky`); '' unless Stable. */
  assignmentStrategy: string
  members: MemberDescription[]
  coordinator: Coordinator
}

/** One row of `--list` (state and type as Kafka names; null when the broker did not say). */
export interface GroupListing {
  groupId: string
  state: string | null
  type: string | null
}
