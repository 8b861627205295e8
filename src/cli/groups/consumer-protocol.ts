/**
 * Decoding of a classic consumer group member's assignment (Kafka `ConsumerProtocol.deserializeAssignment`):
 * an int16 version, then `ConsumerProtocolAssignment` (generated codec, versions 0-3; newer versions
 * are read as version 3, as Kafka does for forward compatibility).
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {readConsumerProtocolAssignment} from '../../protocol/generated/data/consumer-protocol-assignment.js'
import type {TopicPartition} from './group-model.js'

/**
 * The partitions in a member's assignment bytes; empty bytes → none.
 * @throws Error when the bytes are not a consumer protocol assignment.
 */
export function decodeAssignment(bytes: Buffer | null | undefined): TopicPartition[] {
  if (bytes === null || bytes === undefined || bytes.length === 0) return []
  const r = new Reader(bytes)
  const version = r.readInt16()
  if (version < 0) throw new Error(`Unsupported consumer protocol assignment version ${version}`)
  const assignment = readConsumerProtocolAssignment(r, Math.min(version, 3))
  return assignment.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({topic: t.topic, partition})))
}
