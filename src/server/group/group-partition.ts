/**
 * Group → `__consumer_offsets` partition mapping, as Kafka computes it:
 * `Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions`
 * (`GroupCoordinatorService.partitionFor`, `Utils.abs`: Integer.MIN_VALUE → 0).
 */

/** Java's `String.hashCode()`: `h = 31*h + c` over UTF-16 code units with int32 overflow. */
export function javaStringHashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

/** Kafka's `Utils.abs`: absolute value, with Integer.MIN_VALUE mapped to 0. */
export function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n)
}

/** Partition of `__consumer_offsets` that stores group `groupId` (0 ≤ result < numPartitions). */
export function groupPartitionFor(groupId: string, numPartitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % numPartitions
}

/** Name of the internal offsets topic. */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets'
