/**
 * `kts dump-log --offsets-decoder`: `__consumer_offsets` records as Kafka 3.9 prints them
 * (`DumpLogSegments.OffsetsMessageParser`, `CoordinatorRecordSerde`): the key as
 * `{"type":"<key version>","data":{...}}` and the value as `{"version":"<value version>","data":{...}}`
 * (`<DELETE>` for a tombstone); for a classic group of protocol type `consumer` each member's
 * subscription and assignment bytes are shown decoded (`ConsumerProtocolSubscription`/`Assignment`).
 * Key versions: 0-1 offset commit, 2 group metadata, 3-8 KIP-848 consumer group records; others
 * print `Unknown record type N at offset O, skipping.`.
 */
import {Reader} from '../../protocol/primitives/reader.js'
import * as coordinator from '../../protocol/generated/coordinator/index.js'
import {readConsumerProtocolAssignment, readConsumerProtocolSubscription} from '../../protocol/generated/data/index.js'
import {kafkaJsonString, messageToJson, type KafkaJson} from '../../protocol/json/message-json.js'
import type {MessageSpec} from '../../protocol/generated/api-spec.js'
import type {DecodedRecord} from '../../protocol/records/records.js'
import type {ParsedRecord, RecordParser} from './record-parsers.js'

type Read = (r: Reader, version: number) => unknown
interface Schema {
  spec: MessageSpec
  read: Read
}

const s = (spec: MessageSpec, read: Read): Schema => ({spec, read})

/** Key version → [key schema, value schema] (Kafka 3.9 `CoordinatorRecordType` for the group coordinator). */
const RECORD_TYPES = new Map<number, [Schema, Schema]>([
  [0, [s(coordinator.OffsetCommitKeySpec, coordinator.readOffsetCommitKey), s(coordinator.OffsetCommitValueSpec, coordinator.readOffsetCommitValue)]],
  [1, [s(coordinator.OffsetCommitKeySpec, coordinator.readOffsetCommitKey), s(coordinator.OffsetCommitValueSpec, coordinator.readOffsetCommitValue)]],
  [2, [s(coordinator.GroupMetadataKeySpec, coordinator.readGroupMetadataKey), s(coordinator.GroupMetadataValueSpec, coordinator.readGroupMetadataValue)]],
  [3, [s(coordinator.ConsumerGroupMetadataKeySpec, coordinator.readConsumerGroupMetadataKey), s(coordinator.ConsumerGroupMetadataValueSpec, coordinator.readConsumerGroupMetadataValue)]],
  [4, [s(coordinator.ConsumerGroupPartitionMetadataKeySpec, coordinator.readConsumerGroupPartitionMetadataKey), s(coordinator.ConsumerGroupPartitionMetadataValueSpec, coordinator.readConsumerGroupPartitionMetadataValue)]],
  [5, [s(coordinator.ConsumerGroupMemberMetadataKeySpec, coordinator.readConsumerGroupMemberMetadataKey), s(coordinator.ConsumerGroupMemberMetadataValueSpec, coordinator.readConsumerGroupMemberMetadataValue)]],
  [6, [s(coordinator.ConsumerGroupTargetAssignmentMetadataKeySpec, coordinator.readConsumerGroupTargetAssignmentMetadataKey), s(coordinator.ConsumerGroupTargetAssignmentMetadataValueSpec, coordinator.readConsumerGroupTargetAssignmentMetadataValue)]],
  [7, [s(coordinator.ConsumerGroupTargetAssignmentMemberKeySpec, coordinator.readConsumerGroupTargetAssignmentMemberKey), s(coordinator.ConsumerGroupTargetAssignmentMemberValueSpec, coordinator.readConsumerGroupTargetAssignmentMemberValue)]],
  [8, [s(coordinator.ConsumerGroupCurrentMemberAssignmentKeySpec, coordinator.readConsumerGroupCurrentMemberAssignmentKey), s(coordinator.ConsumerGroupCurrentMemberAssignmentValueSpec, coordinator.readConsumerGroupCurrentMemberAssignmentValue)]],
])

class UnknownRecordType extends Error {
  constructor(readonly type: number) {
    super(`Unknown record type ${type}`)
  }
}

/** Reads a message of `schema` in `version` from `buf` (after the version prefix). */
function readMessage(schema: Schema, buf: Buffer, version: number, what: string): unknown {
  try {
    if (version < schema.spec.minVersion || version > schema.spec.maxVersion) throw new Error(`Unsupported version ${version}`)
    return schema.read(new Reader(buf.subarray(2)), version)
  } catch (err) {
    throw new Error(`Could not read record with version ${version} from ${what}'s buffer due to: ${(err as Error).message}.`)
  }
}

/** Replaces a member's `subscription`/`assignment` base64 by its decoded JSON; keeps the bytes when they do not decode. */
function decodeEmbedded(member: {[key: string]: KafkaJson}, field: string, schemaName: string, read: Read): void {
  const b64 = member[field]
  if (typeof b64 !== 'string') return
  try {
    const bytes = Buffer.from(b64, 'base64')
    const version = bytes.readInt16BE(0)
    const data = read(new Reader(bytes.subarray(2)), version) as object
    member[field] = messageToJson(schemaName, data, version)
  } catch {
    // Kafka swallows the error and keeps the original bytes.
  }
}

function valueJson(schema: Schema, data: object, version: number): {[key: string]: KafkaJson} {
  const json = messageToJson(schema.spec.name, data, version)
  if (schema.spec.name === 'GroupMetadataValue' && json.protocolType === 'consumer' && Array.isArray(json.members)) {
    for (const m of json.members) {
      if (m === null || typeof m !== 'object' || Array.isArray(m) || !('memberId' in m)) continue
      const member = m as {[key: string]: KafkaJson}
      decodeEmbedded(member, 'subscription', 'ConsumerProtocolSubscription', readConsumerProtocolSubscription)
      decodeEmbedded(member, 'assignment', 'ConsumerProtocolAssignment', readConsumerProtocolAssignment)
    }
  }
  return json
}

export const offsetsParser: RecordParser = {
  parse(record: DecodedRecord): ParsedRecord {
    if (record.key === null) {
      throw new Error(`Failed to decode message at offset ${record.offset} using offset topic decoder (message had a missing key)`)
    }
    try {
      const keyBuf = record.key
      if (keyBuf.length < 2) throw new Error('Record key is too short')
      const type = keyBuf.readInt16BE(0)
      const schemas = RECORD_TYPES.get(type)
      if (schemas === undefined) throw new UnknownRecordType(type)
      const [keySchema, valueSchema] = schemas
      const key = readMessage(keySchema, keyBuf, type, 'key') as object
      const keyText = `{"type":"${type}","data":${kafkaJsonString(messageToJson(keySchema.spec.name, key, type))}}`
      if (record.value === null) return {key: keyText, payload: '<DELETE>'}
      if (record.value.length < 2) throw new Error('Record value is too short')
      const version = record.value.readInt16BE(0)
      const value = readMessage(valueSchema, record.value, version, 'value') as object
      return {key: keyText, payload: `{"version":"${version}","data":${kafkaJsonString(valueJson(valueSchema, value, version))}}`}
    } catch (err) {
      if (err instanceof UnknownRecordType) return {key: `Unknown record type ${err.type} at offset ${record.offset}, skipping.`, payload: null}
      return {key: `Error at offset ${record.offset}, skipping. ${(err as Error).message}`, payload: null}
    }
  },
}
