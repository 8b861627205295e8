/**
 * The classic consumer group protocol's member metadata (Kafka `ConsumerProtocol`): a member's
 * subscription (JoinGroup protocol metadata) and assignment (SyncGroup), each an int16 version
 * followed by `ConsumerProtocolSubscription` / `ConsumerProtocolAssignment` (generated codecs,
 * versions 0-3; newer versions are read as version 3, as Kafka does for forward compatibility).
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {readConsumerProtocolAssignment, writeConsumerProtocolAssignment} from '../../protocol/generated/data/consumer-protocol-assignment.js'
import {readConsumerProtocolSubscription, writeConsumerProtocolSubscription} from '../../protocol/generated/data/consumer-protocol-subscription.js'
import type {TopicPartition} from './group-model.js'

/** The version Kafka 3.x/4.0 clients write (`ConsumerProtocol.CONSUMER_PROTOCOL_LATEST_VERSION`). */
export const CONSUMER_PROTOCOL_VERSION = 3

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

/** Assignment bytes for `partitions` (grouped by topic in first-seen order), no user data. */
export function encodeAssignment(partitions: readonly TopicPartition[], version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic)
    if (list) list.push(tp.partition)
    else byTopic.set(tp.topic, [tp.partition])
  }
  const w = new Writer(64)
  w.writeInt16(version)
  writeConsumerProtocolAssignment(w, {assignedPartitions: [...byTopic].map(([topic, ps]) => ({topic, partitions: ps})), userData: null}, Math.min(version, 3))
  return w.toBuffer()
}

/** A member's subscription: its topics (and, v1+, the partitions it owns). */
export interface Subscription {
  topics: string[]
  ownedPartitions: TopicPartition[]
}

/** Subscription bytes (JoinGroup protocol metadata) for `topics`; generation -1, no rack, no user data. */
export function encodeSubscription(topics: readonly string[], ownedPartitions: readonly TopicPartition[] = [], version = CONSUMER_PROTOCOL_VERSION): Buffer {
  const owned = new Map<string, number[]>()
  for (const tp of ownedPartitions) owned.set(tp.topic, [...(owned.get(tp.topic) ?? []), tp.partition])
  const w = new Writer(64)
  w.writeInt16(version)
  writeConsumerProtocolSubscription(w, {
    topics: [...topics],
    userData: null,
    ownedPartitions: [...owned].map(([topic, partitions]) => ({topic, partitions})),
    generationId: -1,
    rackId: null,
  }, Math.min(version, 3))
  return w.toBuffer()
}

/**
 * Decodes a member's subscription bytes.
 * @throws Error when the bytes are not a consumer protocol subscription.
 */
export function decodeSubscription(bytes: Buffer): Subscription {
  const r = new Reader(bytes)
  const version = r.readInt16()
  if (version < 0) throw new Error(`Unsupported consumer protocol subscription version ${version}`)
  const s = readConsumerProtocolSubscription(r, Math.min(version, 3))
  return {topics: s.topics, ownedPartitions: s.ownedPartitions.flatMap((t) => t.partitions.map((partition) => ({topic: t.topic, partition})))}
}
