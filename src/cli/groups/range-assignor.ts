/**
 * Kafka's `RangeAssignor` (the default first strategy of Java consumers), without rack awareness:
 * per topic, the members subscribed to it in member-id order get consecutive ranges of its
 * partitions; the first `partitions % members` members get one extra.
 */
import type {TopicPartition} from './group-model.js'

/** A member as the group leader sees it in the JoinGroup response. */
export interface AssignorMember {
  memberId: string
  /** Static members are ordered by their instance id (Kafka `MemberInfo.compareTo`). */
  groupInstanceId: string | null
  topics: readonly string[]
}

/**
 * @param partitionCounts partitions per topic (topics unknown to the cluster are absent and get nothing).
 * @returns each member's partitions, by member id (every member present, possibly with none).
 */
export function rangeAssign(members: readonly AssignorMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]))
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort()
  for (const topic of topics) {
    const count = partitionCounts.get(topic)
    if (count === undefined || count <= 0) continue
    const subscribed = members.filter((m) => m.topics.includes(topic)).sort(compareMembers)
    const per = Math.floor(count / subscribed.length)
    const extra = count % subscribed.length
    subscribed.forEach((m, i) => {
      const start = per * i + Math.min(i, extra)
      const length = per + (i < extra ? 1 : 0)
      for (let p = start; p < start + length; p++) out.get(m.memberId)!.push({topic, partition: p})
    })
  }
  return out
}

function compareMembers(a: AssignorMember, b: AssignorMember): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return a.groupInstanceId < b.groupInstanceId ? -1 : a.groupInstanceId > b.groupInstanceId ? 1 : 0
  if (a.groupInstanceId !== null) return -1
  if (b.groupInstanceId !== null) return 1
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}
