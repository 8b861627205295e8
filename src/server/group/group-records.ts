/**
 * Key/value formats of the classic group records in `__consumer_offsets`
 * (`../shared/kafka-protocol/group-coordinator/{OffsetCommitKey,OffsetCommitValue,GroupMetadataKey,GroupMetadataValue}.json`,
 * `CoordinatorRecordSerde`): key = int16 key version + key fields; value = int16 value version +
 * value fields; a null value is a tombstone. Writers use OffsetCommitKey v1, OffsetCommitValue v3
 * (v1 when an expire timestamp is set), GroupMetadataKey v2, GroupMetadataValue v3. Readers accept
 * every version (0-4 values, v4 flexible).
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'

export interface OffsetCommitKey { group: string, topic: string, partition: number }
export interface OffsetCommitValue {
  /** Committed offset. */
  offset: number
  /** Leader epoch of the committed offset, -1 when unknown. */
  leaderEpoch: number
  metadata: string
  /** ms since the epoch. */
  commitTimestamp: number
  /** ms since the epoch, -1 when none (only v1 records carry it). */
  expireTimestamp: number
}
export interface GroupMemberMetadata {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** ms */
  rebalanceTimeout: number
  /** ms */
  sessionTimeout: number
  subscription: Buffer
  assignment: Buffer
}
export interface GroupMetadataValue {
  protocolType: string
  generation: number
  protocol: string | null
  leader: string | null
  /** ms since the epoch, -1 when unknown. */
  currentStateTimestamp: number
  members: GroupMemberMetadata[]
}

export type CoordinatorKey =
  | {type: 'offset', key: OffsetCommitKey}
  | {type: 'group', group: string}
  | {type: 'other', version: number}

export function encodeOffsetCommitKey(k: OffsetCommitKey): Buffer {
  return new Writer(64).writeInt16(1).writeString(k.group).writeString(k.topic).writeInt32(k.partition).toBuffer()
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new Writer(32).writeInt16(2).writeString(group).toBuffer()
}

/** Decodes a record key; key versions 3+ (KIP-848/KIP-932 records) come back as `other`. Throws ProtocolDecodeError. */
export function decodeCoordinatorKey(buf: Buffer): CoordinatorKey {
  const r = new Reader(buf)
  const version = r.readInt16()
  if (version === 0 || version === 1) {
    return {type: 'offset', key: {group: r.readString(), topic: r.readString(), partition: r.readInt32()}}
  }
  if (version === 2) return {type: 'group', group: r.readString()}
  return {type: 'other', version}
}

/** OffsetCommitValue v3, or v1 when `expireTimestamp` ≥ 0 (a client-given retention, OffsetCommit v2-4). */
export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const w = new Writer(64)
  if (v.expireTimestamp >= 0) {
    w.writeInt16(1).writeInt64(v.offset).writeString(v.metadata).writeInt64(v.commitTimestamp).writeInt64(v.expireTimestamp)
  } else {
    w.writeInt16(3).writeInt64(v.offset).writeInt32(v.leaderEpoch).writeString(v.metadata).writeInt64(v.commitTimestamp)
  }
  return w.toBuffer()
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf)
  const version = r.readInt16()
  const flexible = version >= 4
  const str = (): string => flexible ? r.readCompactString() : r.readString()
  const offset = r.readInt64()
  const leaderEpoch = version >= 3 ? r.readInt32() : -1
  const metadata = str()
  const commitTimestamp = r.readInt64()
  const expireTimestamp = version === 1 ? r.readInt64() : -1
  if (flexible) r.readTaggedFields()
  return {offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp}
}

/** GroupMetadataValue v3. */
export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new Writer(256)
  w.writeInt16(3).writeString(v.protocolType).writeInt32(v.generation).writeNullableString(v.protocol)
    .writeNullableString(v.leader).writeInt64(v.currentStateTimestamp).writeArrayLength(v.members.length)
  for (const m of v.members) {
    w.writeString(m.memberId).writeNullableString(m.groupInstanceId).writeString(m.clientId).writeString(m.clientHost)
      .writeInt32(m.rebalanceTimeout).writeInt32(m.sessionTimeout).writeBytes(m.subscription).writeBytes(m.assignment)
  }
  return w.toBuffer()
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf)
  const version = r.readInt16()
  const flexible = version >= 4
  const str = (): string => flexible ? r.readCompactString() : r.readString()
  const nstr = (): string | null => flexible ? r.readCompactNullableString() : r.readNullableString()
  const bytes = (): Buffer => flexible ? r.readCompactBytes() : r.readBytes()
  const protocolType = str()
  const generation = r.readInt32()
  const protocol = nstr()
  const leader = nstr()
  const currentStateTimestamp = version >= 2 ? r.readInt64() : -1
  const n = flexible ? r.readCompactArrayLength() : r.readArrayLength()
  const members: GroupMemberMetadata[] = []
  for (let i = 0; i < n; i++) {
    const memberId = str()
    const groupInstanceId = version >= 3 ? nstr() : null
    const clientId = str()
    const clientHost = str()
    const rebalanceTimeout = version >= 1 ? r.readInt32() : -1
    const sessionTimeout = r.readInt32()
    const subscription = bytes()
    const assignment = bytes()
    if (flexible) r.readTaggedFields()
    members.push({memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment})
  }
  if (flexible) r.readTaggedFields()
  return {protocolType, generation, protocol, leader, currentStateTimestamp, members}
}

/**
 * Topics of a `consumer` protocol subscription (ConsumerProtocolSubscription, int16 version
 * prefix, non-flexible). Returns null when it cannot be parsed.
 */
export function subscribedTopics(subscription: Buffer): string[] | null {
  try {
    const r = new Reader(subscription)
    r.readInt16()
    const n = r.readArrayLength()
    const topics: string[] = []
    for (let i = 0; i < n; i++) topics.push(r.readString())
    return topics
  } catch {
    return null
  }
}
