/**
 * The cleaner's per-batch decision (Kafka `MemoryRecords.filterTo` with `LogCleaner`'s
 * `RecordFilter`): which records of one batch survive a cleaning pass, and the bytes to write.
 *
 * A record is kept when its offset is ≥ the pass's end offset, or it has a key, is the latest
 * offset of that key in the offset map, and has a value or is a tombstone whose delete horizon
 * (KIP-534: set to now + delete.retention.ms the first time its batch is rewritten, in
 * baseTimestamp with attribute bit 6) has not passed. Keyless records go. A rewritten batch keeps
 * its base offset, last offset delta, partition leader epoch, producer id/epoch/base sequence,
 * timestamp type and codec (recompressed with it); untouched batches are copied byte for byte (an
 * uncompressed one is not even decoded: its keys are looked up in place).
 * The last batch of a producer the partition still tracks is kept as an empty header when all its
 * records go (the producer's sequence survives), and dropped once that producer wrote later.
 *
 * Transactional batches and control batches (COMMIT/ABORT markers) are copied unchanged and their
 * records are not put in the offset map: kts does not tell aborted from committed data while
 * cleaning, so it keeps both (Kafka drops aborted data, and markers after their delete horizon).
 */
import {
  COMPRESSION_CODEC_MASK, CONTROL_FLAG_MASK, DELETE_HORIZON_FLAG_MASK, LAST_OFFSET_DELTA_OFFSET, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK, lastOffsetOf, updateCrc,
  type RecordBatchHeader,
} from '../../../protocol/records/record-batch.js'
import {decodeRecordBatch, encodeRecordBatch, type DecodedRecord} from '../../../protocol/records/records.js'
import type {OffsetMap} from './offset-map.js'
import {forEachRecordKey} from './record-keys.js'

/** The context of a pass. */
export interface BatchFilterContext {
  map: OffsetMap
  /** Records at or above it are kept. */
  endOffset: number
  nowMs: number
  /** delete.retention.ms (ms). */
  deleteRetentionMs: number
  /** producer id → last offset of its last data batch; null: every batch with a producer id counts as its producer's last. */
  producers: ReadonlyMap<number, number> | null
}

/** Records read and kept (added to by `filterBatch`). */
export interface RecordCounts {
  recordsRead: number
  recordsRetained: number
}

/**
 * The bytes to keep of the batch `h` in `buf`: the same bytes (a view of `buf`), a rebuilt batch,
 * an empty header, or null to drop it. Throws CorruptRecordError / UnsupportedCompressionTypeError
 * for a batch that does not decode.
 */
export function filterBatch(buf: Buffer, h: RecordBatchHeader, ctx: BatchFilterContext, counts: RecordCounts): Buffer | null {
  const original = buf.subarray(h.position, h.position + h.sizeInBytes)
  counts.recordsRead += Math.max(0, h.recordsCount)
  if ((h.attributes & (CONTROL_FLAG_MASK | TRANSACTIONAL_FLAG_MASK)) !== 0) {
    counts.recordsRetained += h.recordsCount
    return original
  }
  const lastOfProducer = h.producerId >= 0 && (ctx.producers === null || ctx.producers.get(h.producerId) === lastOffsetOf(h))
  const hasHorizon = (h.attributes & DELETE_HORIZON_FLAG_MASK) !== 0
  const retainDeletes = !hasHorizon || ctx.nowMs < h.baseTimestamp
  if ((h.attributes & COMPRESSION_CODEC_MASK) === 0 && h.recordsCount > 0 && unchanged(buf, h, ctx, hasHorizon, retainDeletes)) {
    counts.recordsRetained += h.recordsCount
    return original
  }
  const batch = decodeRecordBatch(buf, h.position, false)
  // an empty header kept for a producer goes once that producer has written a later batch or expired
  if (batch.records.length === 0) return lastOfProducer ? original : null
  const retained: DecodedRecord[] = []
  let tombstones = false
  for (const r of batch.records) {
    let keep: boolean
    if (r.offset >= ctx.endOffset) keep = true
    else if (r.key === null) keep = false
    else keep = r.offset >= ctx.map.get(r.key) && (r.value !== null || retainDeletes)
    if (!keep) continue
    retained.push(r)
    if (r.value === null) tombstones = true
  }
  counts.recordsRetained += retained.length
  const needHorizon = tombstones && !hasHorizon
  if (retained.length === batch.records.length && !needHorizon) return original
  if (retained.length === 0 && !lastOfProducer) return null
  const horizon = needHorizon ? ctx.nowMs + ctx.deleteRetentionMs : hasHorizon ? h.baseTimestamp : undefined
  const logAppendTime = (h.attributes & TIMESTAMP_TYPE_MASK) !== 0
  const rebuilt = encodeRecordBatch({
    baseOffset: h.baseOffset,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    compression: retained.length === 0 ? 0 : batch.compression,
    timestampType: batch.timestampType,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    ...(retained.length === 0 ? {baseTimestamp: h.maxTimestamp, maxTimestamp: h.maxTimestamp} : {}),
    ...(retained.length > 0 && logAppendTime ? {maxTimestamp: h.maxTimestamp} : {}),
    ...(retained.length > 0 && horizon !== undefined ? {baseTimestamp: horizon, deleteHorizon: true} : {}),
    records: retained.map(r => ({key: r.key, value: r.value, headers: r.headers, timestamp: batch.baseTimestamp + r.timestampDelta, offsetDelta: r.offsetDelta})),
  })
  // keep the original last offset: the producer's last sequence is baseSequence + lastOffsetDelta
  rebuilt.writeInt32BE(h.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET)
  updateCrc(rebuilt, 0, rebuilt.length)
  return rebuilt
}

/**
 * True when every record of the (uncompressed) batch is kept and none is a tombstone that still
 * needs its delete horizon: the batch is copied as it is, without decoding it (the decision of
 * `filterBatch` from keys, offsets and value presence alone).
 */
function unchanged(buf: Buffer, h: RecordBatchHeader, ctx: BatchFilterContext, hasHorizon: boolean, retainDeletes: boolean): boolean {
  return forEachRecordKey(buf, h, (data, keyStart, keyEnd, offset, hasValue) => {
    if (!hasValue && !hasHorizon) return false
    if (offset >= ctx.endOffset) return true
    return keyStart >= 0 && offset >= ctx.map.getRange(data, keyStart, keyEnd) && (hasValue || retainDeletes)
  })
}
