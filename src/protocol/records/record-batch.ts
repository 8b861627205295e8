/**
 * Header view over record batches (magic 2) held in a Buffer: the broker's hot path reads and
 * patches batch headers without decoding records (Tansu's "deflated" batch).
 *
 * Layout (61-byte header, big-endian; `../shared/spec/storage-and-kraft.md` §1.1, Kafka
 * `DefaultRecordBatch.java`): baseOffset int64 @0, batchLength int32 @8 (bytes after this field),
 * partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C of bytes 21..end),
 * attributes int16 @21, lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35,
 * producerId int64 @43, producerEpoch int16 @51, baseSequence int32 @53, recordsCount int32 @57.
 */
import {crc32c} from './crc32c.js'

export const BASE_OFFSET_OFFSET = 0
export const BATCH_LENGTH_OFFSET = 8
export const PARTITION_LEADER_EPOCH_OFFSET = 12
export const MAGIC_OFFSET = 16
export const CRC_OFFSET = 17
export const ATTRIBUTES_OFFSET = 21
export const LAST_OFFSET_DELTA_OFFSET = 23
export const BASE_TIMESTAMP_OFFSET = 27
export const MAX_TIMESTAMP_OFFSET = 35
export const PRODUCER_ID_OFFSET = 43
export const PRODUCER_EPOCH_OFFSET = 51
export const BASE_SEQUENCE_OFFSET = 53
export const RECORDS_COUNT_OFFSET = 57
/** Size of the v2 batch header in bytes. */
export const RECORD_BATCH_OVERHEAD = 61
/** baseOffset + batchLength: the bytes before the part that batchLength counts. */
export const LOG_OVERHEAD = 12
/** Smallest header that holds the magic byte (legacy formats included). */
export const HEADER_SIZE_UP_TO_MAGIC = 17

export const COMPRESSION_CODEC_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_FLAG_MASK = 0x10
export const CONTROL_FLAG_MASK = 0x20
export const DELETE_HORIZON_FLAG_MASK = 0x40

export enum CompressionCodec { None = 0, Gzip = 1, Snappy = 2, Lz4 = 3, Zstd = 4 }

const TWO_32 = 4294967296

export function readInt64At(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4)
}

export function writeInt64At(buf: Buffer, at: number, v: number): void {
  const hi = Math.floor(v / TWO_32)
  buf.writeInt32BE(hi, at)
  buf.writeUInt32BE(v - hi * TWO_32, at + 4)
}

/** Decoded header fields of one batch; `position` is its byte offset in the containing buffer. */
export interface RecordBatchHeader {
  position: number
  /** Total size in bytes (batchLength + 12). */
  sizeInBytes: number
  baseOffset: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/** The header fields a writer chooses (magic is 2, batchLength and crc are computed). */
export interface BatchHeaderFields {
  baseOffset: number
  partitionLeaderEpoch: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
}

/**
 * Writes the 61-byte v2 header at the start of `buf`, whose records (possibly compressed) already
 * fill bytes 61..`size`, and stores the CRC-32C of bytes 21..`size`.
 */
export function writeBatchHeader(buf: Buffer, size: number, h: BatchHeaderFields): void {
  writeInt64At(buf, BASE_OFFSET_OFFSET, h.baseOffset)
  buf.writeInt32BE(size - LOG_OVERHEAD, BATCH_LENGTH_OFFSET)
  buf.writeInt32BE(h.partitionLeaderEpoch, PARTITION_LEADER_EPOCH_OFFSET)
  buf.writeInt8(2, MAGIC_OFFSET)
  buf.writeInt16BE(h.attributes, ATTRIBUTES_OFFSET)
  buf.writeInt32BE(h.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET)
  writeInt64At(buf, BASE_TIMESTAMP_OFFSET, h.baseTimestamp)
  writeInt64At(buf, MAX_TIMESTAMP_OFFSET, h.maxTimestamp)
  writeInt64At(buf, PRODUCER_ID_OFFSET, h.producerId)
  buf.writeInt16BE(h.producerEpoch, PRODUCER_EPOCH_OFFSET)
  buf.writeInt32BE(h.baseSequence, BASE_SEQUENCE_OFFSET)
  buf.writeInt32BE(h.recordsCount, RECORDS_COUNT_OFFSET)
  buf.writeUInt32BE(crc32c(buf, ATTRIBUTES_OFFSET, size), CRC_OFFSET)
}

/** Reads the header of the v2 batch starting at `position` (caller ensures ≥ 61 bytes). */
export function readBatchHeader(buf: Buffer, position = 0): RecordBatchHeader {
  const p = position
  return {
    position: p,
    sizeInBytes: buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD,
    baseOffset: readInt64At(buf, p + BASE_OFFSET_OFFSET),
    partitionLeaderEpoch: buf.readInt32BE(p + PARTITION_LEADER_EPOCH_OFFSET),
    magic: buf.readInt8(p + MAGIC_OFFSET),
    crc: buf.readUInt32BE(p + CRC_OFFSET),
    attributes: buf.readInt16BE(p + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buf.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64At(buf, p + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64At(buf, p + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64At(buf, p + PRODUCER_ID_OFFSET),
    producerEpoch: buf.readInt16BE(p + PRODUCER_EPOCH_OFFSET),
    baseSequence: buf.readInt32BE(p + BASE_SEQUENCE_OFFSET),
    recordsCount: buf.readInt32BE(p + RECORDS_COUNT_OFFSET),
  }
}

export function lastOffsetOf(h: RecordBatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta
}

export function compressionOf(attributes: number): CompressionCodec {
  return (attributes & COMPRESSION_CODEC_MASK) as CompressionCodec
}

export function isControlBatch(attributes: number): boolean {
  return (attributes & CONTROL_FLAG_MASK) !== 0
}

export function isTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_FLAG_MASK) !== 0
}

/** True if the stored CRC-32C matches bytes 21..end of the batch at `position`. */
export function isCrcValid(buf: Buffer, position: number, sizeInBytes: number): boolean {
  const stored = buf.readUInt32BE(position + CRC_OFFSET)
  return crc32c(buf, position + ATTRIBUTES_OFFSET, position + sizeInBytes) === stored
}

/** Recomputes and stores the CRC after header fields covered by it were changed. */
export function updateCrc(buf: Buffer, position: number, sizeInBytes: number): void {
  buf.writeUInt32BE(crc32c(buf, position + ATTRIBUTES_OFFSET, position + sizeInBytes), position + CRC_OFFSET)
}

/** Rewrites baseOffset (not covered by the CRC). */
export function setBaseOffset(buf: Buffer, position: number, baseOffset: number): void {
  writeInt64At(buf, position + BASE_OFFSET_OFFSET, baseOffset)
}

/** Rewrites partitionLeaderEpoch (not covered by the CRC). */
export function setPartitionLeaderEpoch(buf: Buffer, position: number, epoch: number): void {
  buf.writeInt32BE(epoch, position + PARTITION_LEADER_EPOCH_OFFSET)
}

/**
 * Iterates the complete batches in `buf[start, end)`, yielding header views; stops at a
 * trailing partial batch (as a Fetch response may end with one). Does not check CRCs.
 */
export function* batchHeaders(buf: Buffer, start = 0, end = buf.length): Generator<RecordBatchHeader> {
  let p = start
  while (p + LOG_OVERHEAD <= end) {
    const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (size < RECORD_BATCH_OVERHEAD || p + size > end) return
    yield readBatchHeader(buf, p)
    p += size
  }
}
