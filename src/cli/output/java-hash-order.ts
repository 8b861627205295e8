/**
 * Iteration order of a Java `HashMap` / `HashSet`, for tools whose output Kafka prints straight from
 * one (`kafka-delete-records.sh` results, `kafka-log-dirs.sh` JSON). Java iterates a `HashMap` by
 * bucket (`(h ^ (h >>> 16)) & (capacity - 1)`), entries of one bucket in insertion order; the
 * capacity is the smallest power of two ≥ 16 that holds the entries at load factor 0.75.
 * (Buckets turned into trees, at 8+ colliding entries, are not modelled.)
 */
import {javaStringHashCode} from '../../server/group/group-partition.js'

/** `items` in the order a Java HashMap keyed by them (inserted in the given order) iterates. */
export function javaHashOrder<T>(items: readonly T[], hashCode: (item: T) => number): T[] {
  let capacity = 16
  while (items.length > capacity * 0.75) capacity *= 2
  const bucket = (item: T): number => {
    const h = hashCode(item) | 0
    return (h ^ (h >>> 16)) & (capacity - 1)
  }
  return items.map((item, i) => ({item, i, b: bucket(item)})).sort((x, y) => x.b - y.b || x.i - y.i).map(e => e.item)
}

/** Java `String.hashCode()`. */
export const stringHash = javaStringHashCode

/** Java `Integer.hashCode()`. */
export function intHash(n: number): number {
  return n | 0
}

/** Kafka `TopicPartition.hashCode()`: `31 * (31 + partition) + topic.hashCode()`. */
export function topicPartitionHash(tp: {topic: string, partition: number}): number {
  return (Math.imul(31, (31 + tp.partition) | 0) + javaStringHashCode(tp.topic)) | 0
}
