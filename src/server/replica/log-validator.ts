/**
 * Record-level validation of a produced v2 batch before the leader appends it (Kafka
 * `storage/.../log/LogValidator.java`: `assignOffsetsNonCompressed` and
 * `validateMessagesAndAssignOffsetsCompressed`; `../shared/spec/storage-and-kraft.md` §1.4).
 *
 * Every record is walked (uncompressed batches in place, compressed ones after decompressing the
 * payload), as Kafka does, without allocating per record: lengths and varints are read, keys and
 * values skipped. The walk
 * - finds the batch's real max timestamp: a header `maxTimestamp` that disagrees (-1, or lower or
 *   higher than the records say) is rewritten in place with the CRC (Kafka `setMaxTimestamp`), so
 *   the time index, ListOffsets by timestamp / max timestamp and time retention see real times;
 * - refuses records without a key on a topic whose `cleanup.policy` contains `compact` (KIP-467):
 *   INVALID_RECORD with one record error per keyless record (`batchIndex` = record index);
 * - refuses CreateTime timestamps outside `message.timestamp.before.max.ms` /
 *   `message.timestamp.after.max.ms` of broker time (INVALID_TIMESTAMP, with record errors);
 * - refuses records whose framing disagrees with the header (count, lengths, header count):
 *   INVALID_RECORD, Kafka's `DefaultRecord.readFrom` / batch-iterator messages.
 * A compressed batch whose inner offset deltas are not 0..n-1 is rebuilt with sequential deltas
 * (Kafka rewrites rather than rejects, for old clients); a topic `compression.type` naming another
 * codec recompresses (replica/recompress.ts).
 *
 * The batch header's own checks (magic, size, CRC, lastOffsetDelta + 1 == count, control flag,
 * producer id without sequence) ran before, in produce-validation.ts.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {decompress} from '../../protocol/records/compression.js'
import {
  ATTRIBUTES_OFFSET, BASE_OFFSET_OFFSET, BASE_TIMESTAMP_OFFSET, COMPRESSION_CODEC_MASK, CompressionCodec, MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, TIMESTAMP_TYPE_MASK, readInt64At, updateCrc, writeInt64At,
} from '../../protocol/records/record-batch.js'
import {CorruptRecordError, decodeRecordBatch, encodeRecordBatch} from '../../protocol/records/records.js'
import {recompressForTopic, targetCodec, type CompressionLevels} from './recompress.js'

/** The topic settings the validator applies (from the topic's LogConfig). */
export interface LogValidatorConfig {
  /** cleanup.policy contains `compact`: records need a key. */
  compacted: boolean
  /** message.timestamp.type; LogAppendTime batches are stamped later by the log. */
  timestampType: 'CreateTime' | 'LogAppendTime'
  /** message.timestamp.before.max.ms (ms; Infinity = unbounded). */
  timestampBeforeMaxMs: number
  /** message.timestamp.after.max.ms (ms; Infinity = unbounded). */
  timestampAfterMaxMs: number
  /** compression.type (`producer` or undefined keeps the producer's codec). */
  compressionType?: string
  compressionLevels?: CompressionLevels
}

/** One refused record (ProduceResponse `RecordErrors`, KIP-467). */
export interface RecordError {
  batchIndex: number
  batchIndexErrorMessage: string | null
}

export type LogValidationResult =
  | {ok: true, records: Buffer, maxTimestamp: number}
  | {ok: false, errorCode: number, errorMessage: string, recordErrors: RecordError[]}

/** Kafka `ProduceResponse.RecordError.toString()`. */
function recordErrorText(e: RecordError): string {
  return `RecordError(batchIndex=${e.batchIndex}, message=${e.batchIndexErrorMessage === null ? 'null' : `'${e.batchIndexErrorMessage}'`})`
}

/** Structural problem in a record (Kafka InvalidRecordException → INVALID_RECORD). */
class InvalidRecord extends Error {}

/**
 * Zero-allocation record walk (Kafka `DefaultRecord.readFrom` with the key, value and header bytes
 * skipped). The hot loop keeps its cursor in a local and decodes one-byte varints inline; longer
 * ones go through `varintAt` / `varlongAt`, which leave the position after them in `next`.
 */
let next = 0

function invalid(): never {
  throw new InvalidRecord('Found invalid record structure')
}

/** Zig-zag varint (int32) starting at `p` (its first byte ≥ 0x80 or not); position after it in `next`. */
function varintAt(buf: Buffer, p: number, end: number): number {
  let raw = 0
  let shift = 0
  let b: number
  do {
    if (shift > 28 || p >= end) invalid()
    b = buf[p++]
    raw |= (b & 0x7f) << shift
    shift += 7
  } while (b >= 0x80)
  next = p
  return (raw >>> 1) ^ -(raw & 1)
}

/** Zig-zag varlong starting at `p`, exact below 2^53; position after it in `next`. */
function varlongAt(buf: Buffer, p: number, end: number): number {
  let raw = 0
  let mul = 1
  let b: number
  do {
    if (mul > 2 ** 63 || p >= end) invalid()
    b = buf[p++]
    raw += (b & 0x7f) * mul
    mul *= 128
  } while (b >= 0x80)
  next = p
  const half = Math.floor(raw / 2)
  return raw % 2 === 0 ? half : -half - 1
}

/**
 * Validates the records of one v2 batch (`batch` starts at byte 0 and is exactly one batch, header
 * already checked) and returns the batch to append: `batch` itself, patched in place when its max
 * timestamp was wrong, or a rebuilt/recompressed copy.
 * @param topicPartition `t-0`, for Kafka's messages
 * @param nowMs broker time for the timestamp bounds (ms)
 * @returns ok with the records, or INVALID_RECORD / INVALID_TIMESTAMP / CORRUPT_MESSAGE
 *   with Kafka's error message and the record errors
 */
export function validateRecords(batch: Buffer, topicPartition: string, cfg: LogValidatorConfig, nowMs: number): LogValidationResult {
  const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET)
  const codec = (attributes & COMPRESSION_CODEC_MASK) as CompressionCodec
  const count = batch.readInt32BE(RECORDS_COUNT_OFFSET)
  const baseTimestamp = readInt64At(batch, BASE_TIMESTAMP_OFFSET)
  const baseOffset = readInt64At(batch, BASE_OFFSET_OFFSET)
  const createTime = cfg.timestampType === 'CreateTime'
  const checkTimestamps = createTime && (cfg.timestampBeforeMaxMs !== Infinity || cfg.timestampAfterMaxMs !== Infinity)
  let errors: RecordError[] | null = null
  let timestampError = false
  let maxTimestamp = -1
  let sequentialOffsets = true
  try {
    let payload = batch
    let start = RECORD_BATCH_OVERHEAD
    if (codec !== CompressionCodec.None) {
      payload = decompress(codec, batch.subarray(RECORD_BATCH_OVERHEAD))
      start = 0
    }
    const buf = payload
    const end = payload.length
    let p = start
    let b = 0
    for (let i = 0; i < count; i++) {
      // One-byte varints inline (b < 0x80), longer ones through varintAt/varlongAt.
      if (p >= end) invalid()
      b = buf[p]
      let size: number
      if (b < 0x80) { size = (b >>> 1) ^ -(b & 1); p++ } else { size = varintAt(buf, p, end); p = next }
      if (size < 0 || size > end - p) invalid()
      const recordEnd = p + size
      p++ // attributes (unused in v2)
      if (p >= recordEnd) invalid()
      b = buf[p]
      let timestampDelta: number
      if (b < 0x80) { timestampDelta = (b >>> 1) ^ -(b & 1); p++ } else { timestampDelta = varlongAt(buf, p, recordEnd); p = next }
      if (p >= recordEnd) invalid()
      b = buf[p]
      let offsetDelta: number
      if (b < 0x80) { offsetDelta = (b >>> 1) ^ -(b & 1); p++ } else { offsetDelta = varintAt(buf, p, recordEnd); p = next }
      if (p >= recordEnd) invalid()
      b = buf[p]
      let keyLength: number
      if (b < 0x80) { keyLength = (b >>> 1) ^ -(b & 1); p++ } else { keyLength = varintAt(buf, p, recordEnd); p = next }
      if (keyLength > 0) p += keyLength
      if (p >= recordEnd) invalid()
      b = buf[p]
      let valueLength: number
      if (b < 0x80) { valueLength = (b >>> 1) ^ -(b & 1); p++ } else { valueLength = varintAt(buf, p, recordEnd); p = next }
      if (valueLength > 0) p += valueLength
      if (p >= recordEnd) invalid()
      b = buf[p]
      let headers: number
      if (b < 0x80) { headers = (b >>> 1) ^ -(b & 1); p++ } else { headers = varintAt(buf, p, recordEnd); p = next }
      if (headers < 0) throw new InvalidRecord(`Found invalid number of record headers ${headers}`)
      for (let h = 0; h < headers; h++) {
        const kl = varintAt(buf, p, recordEnd)
        if (kl < 0) throw new InvalidRecord(`Invalid negative header key size ${kl}`)
        p = next + kl
        const vl = varintAt(buf, p, recordEnd)
        p = vl > 0 ? next + vl : next
      }
      if (p !== recordEnd) throw new InvalidRecord(`Invalid record size: expected to read ${size} bytes in record payload, but instead read ${p - recordEnd + size}`)
      const timestamp = baseTimestamp + timestampDelta
      if (offsetDelta !== i) sequentialOffsets = false
      if (timestamp > maxTimestamp) maxTimestamp = timestamp
      if (cfg.compacted && keyLength < 0) {
        (errors ??= []).push({batchIndex: i, batchIndexErrorMessage: `Compacted topic cannot accept message without key in topic partition ${topicPartition}.`})
      } else if (checkTimestamps && timestamp !== -1) {
        const diff = nowMs - timestamp
        if (diff > cfg.timestampBeforeMaxMs || -diff > cfg.timestampAfterMaxMs) {
          timestampError = true
          ;(errors ??= []).push({batchIndex: i, batchIndexErrorMessage: `Timestamp ${timestamp} of message with offset ${baseOffset + offsetDelta} is out of range. ` +
            `The timestamp should be within [${boundText(nowMs, -cfg.timestampBeforeMaxMs)}, ${boundText(nowMs, cfg.timestampAfterMaxMs)}]`})
        }
      }
    }
    if (p < end) throw new InvalidRecord('Incorrect declared batch size, records still remaining in file')
  } catch (err) {
    if (err instanceof InvalidRecord) return {ok: false, errorCode: ErrorCode.INVALID_RECORD, errorMessage: `${err.message} in topic partition ${topicPartition}`, recordErrors: []}
    if (err instanceof CorruptRecordError) return {ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: err.message, recordErrors: []}
    throw err
  }
  if (errors) {
    if (timestampError) return {ok: false, errorCode: ErrorCode.INVALID_TIMESTAMP, errorMessage: 'One or more records have been rejected due to invalid timestamp', recordErrors: errors}
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_RECORD,
      errorMessage: `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${errors.slice(0, 3).map(recordErrorText).join(', ')}]`,
      recordErrors: errors,
    }
  }

  const target = targetCodec(cfg.compressionType, codec)
  // Kafka `setMaxTimestamp`: rewrite (and re-CRC) only when the value changes. LogAppendTime is stamped by the log.
  if (createTime && readInt64At(batch, MAX_TIMESTAMP_OFFSET) !== maxTimestamp && (attributes & TIMESTAMP_TYPE_MASK) === 0) {
    writeInt64At(batch, MAX_TIMESTAMP_OFFSET, maxTimestamp)
    updateCrc(batch, 0, batch.length)
  }
  if (codec !== CompressionCodec.None && !sequentialOffsets) return {ok: true, records: rebuild(batch, target, cfg.compressionLevels ?? {}), maxTimestamp}
  if (target !== codec) {
    try {
      return {ok: true, records: recompressForTopic(batch, cfg.compressionType, cfg.compressionLevels), maxTimestamp}
    } catch (err) {
      return {ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: (err as Error).message, recordErrors: []}
    }
  }
  return {ok: true, records: batch, maxTimestamp}
}

/** `now ± bound` as Java prints a long (saturating at Long.MIN/MAX for unbounded sides). */
function boundText(nowMs: number, delta: number): string {
  if (delta === Infinity || delta >= 2 ** 63 - nowMs) return '9223372036854775807'
  if (delta === -Infinity || -delta >= 2 ** 63) return String(BigInt(nowMs) - 9223372036854775807n)
  return String(nowMs + delta)
}

/** A compressed batch with non-sequential inner offsets, rebuilt with deltas 0..n-1 (Kafka `buildRecordsAndAssignOffsets`). */
function rebuild(batch: Buffer, codec: CompressionCodec, levels: CompressionLevels): Buffer {
  const b = decodeRecordBatch(batch, 0, false)
  const level = codec === CompressionCodec.Gzip ? levels.gzip : codec === CompressionCodec.Zstd ? levels.zstd : undefined
  return encodeRecordBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    compression: codec,
    ...(level === undefined ? {} : {compressionLevel: level}),
    timestampType: b.timestampType,
    isTransactional: b.isTransactional,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    maxTimestamp: b.maxTimestamp,
    records: b.records.map((r, i) => ({key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: i})),
  })
}

/**
 * The validator settings of a topic from its LogConfig fields (`message.timestamp.difference.max.ms`
 * stands in for before/after when they are unset, Kafka `LogConfig` KIP-937).
 */
export function logValidatorConfig(c: {
  cleanupPolicy: string, messageTimestampType: 'CreateTime' | 'LogAppendTime', compressionType?: string,
  compressionGzipLevel?: number, compressionZstdLevel?: number,
  messageTimestampBeforeMaxMs?: number, messageTimestampAfterMaxMs?: number, messageTimestampDifferenceMaxMs?: number,
}): LogValidatorConfig {
  const bound = (v: number | undefined): number => (v === undefined || v >= 2 ** 63 - 1 ? Infinity : v)
  const diff = bound(c.messageTimestampDifferenceMaxMs)
  const before = bound(c.messageTimestampBeforeMaxMs)
  const after = bound(c.messageTimestampAfterMaxMs)
  return {
    compacted: c.cleanupPolicy.split(',').some(p => p.trim() === 'compact'),
    timestampType: c.messageTimestampType,
    timestampBeforeMaxMs: before === Infinity ? diff : before,
    timestampAfterMaxMs: after === Infinity ? diff : after,
    compressionType: c.compressionType,
    compressionLevels: {gzip: c.compressionGzipLevel, zstd: c.compressionZstdLevel},
  }
}
