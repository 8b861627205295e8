/**
 * Whole record batches with their records: encode and decode record batch v2 (magic 2), plus
 * read-only decoding of legacy magic 0/1 message sets. For the places that need record contents:
 * the CLI, the metadata log, coordinators and compaction. The broker's produce/fetch hot path uses
 * the header view in `record-batch.ts` instead and never decodes records it only stores.
 *
 * Source: `../shared/spec/storage-and-kraft.md` §1.1-1.6; Kafka `DefaultRecordBatch.java`,
 * `DefaultRecord.java`, `ControlRecordType.java`, `EndTransactionMarker.java`, `LegacyRecord.java`.
 *
 * Encoding makes two tight passes (sizes, then bytes) into one preallocated buffer; decoding
 * returns key/value/header values as zero-copy views over the (decompressed) input.
 */
import {crc32 as crc32Ieee} from '@node-rs/crc32'
import {crc32c} from './crc32c.js'
import {compress, decompress, fixLz4HeaderChecksum} from './compression.js'
import {CorruptRecordError, UnsupportedCompressionTypeError} from './record-errors.js'
import {
  ATTRIBUTES_OFFSET, BATCH_LENGTH_OFFSET, COMPRESSION_CODEC_MASK, CONTROL_FLAG_MASK, CRC_OFFSET,
  CompressionCodec, DELETE_HORIZON_FLAG_MASK, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD,
  TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK, readInt64At, writeBatchHeader,
} from './record-batch.js'

export {CorruptRecordError, UnsupportedCompressionTypeError}
export {CompressionCodec}

/** Batch timestamp type (attribute bit 3). */
export enum TimestampType { CreateTime = 0, LogAppendTime = 1 }

/** Control record types (`ControlRecordType.java`); the key of a control record is `int16 version, int16 type`. */
export enum ControlRecordType {
  ABORT = 0,
  COMMIT = 1,
  LEADER_CHANGE = 2,
  SNAPSHOT_HEADER = 3,
  SNAPSHOT_FOOTER = 4,
  KRAFT_VERSION = 5,
  KRAFT_VOTERS = 6,
}

/** One record header; the key is UTF-8 text, the value nullable bytes. */
export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** A record to encode. `timestamp` defaults to now (ms), `offsetDelta` to its index in the batch. */
export interface RecordInput {
  key: Buffer | null
  value: Buffer | null
  headers?: RecordHeader[]
  /** CreateTime in ms since the epoch. */
  timestamp?: number
  offsetDelta?: number
}

/** Options of `encodeRecordBatch`; all but `records` have Kafka's producer defaults. */
export interface EncodeRecordBatchOptions {
  baseOffset?: number
  /** -1 from producers; the leader stamps its epoch. */
  partitionLeaderEpoch?: number
  compression?: CompressionCodec
  /** Codec level (gzip 1-9, zstd); default: the codec's default. */
  compressionLevel?: number
  timestampType?: TimestampType
  isTransactional?: boolean
  isControl?: boolean
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  /** Overrides maxTimestamp (e.g. the broker's append time with LogAppendTime); default: the largest record timestamp. */
  maxTimestamp?: number
  /** Overrides baseTimestamp (e.g. a delete horizon, with `deleteHorizon: true`); default: the first record's timestamp. */
  baseTimestamp?: number
  /** Sets attribute bit 6 (KIP-534): baseTimestamp holds the delete horizon. */
  deleteHorizon?: boolean
  records: RecordInput[]
}

/** A decoded record with absolute offset and effective timestamp. Buffers are views, not copies. */
export interface DecodedRecord {
  offset: number
  /** Effective timestamp (ms): baseTimestamp + delta for CreateTime, the batch maxTimestamp for LogAppendTime. */
  timestamp: number
  offsetDelta: number
  timestampDelta: number
  /** Record attributes byte (unused by Kafka, 0). */
  attributes: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/** A decoded batch: header fields (`record-batch.ts` names), flags from attributes, and its records. */
export interface DecodedRecordBatch {
  /** Byte offset of the batch in the input buffer. */
  position: number
  /** Total size in bytes, including baseOffset and batchLength. */
  sizeInBytes: number
  baseOffset: number
  lastOffset: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  compression: CompressionCodec
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  hasDeleteHorizon: boolean
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordsCount: number
  records: DecodedRecord[]
}

/** Name used in docs/CONTRACTS.md. */
export type DecodedBatch = DecodedRecordBatch

/** Options of `decodeRecordBatches`. */
export interface DecodeRecordBatchesOptions {
  /** Check each batch's CRC (default true). */
  verifyCrc?: boolean
  /** Byte range of `buf` to decode (default: all). */
  start?: number
  end?: number
}

// ---------------------------------------------------------------------------------------------
// varints (zig-zag, as in protobuf; `ByteUtils.java`)

function zigZag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1
}

function uvarintSize(u: number): number {
  let n = 1
  while (u >= 128) {
    u = Math.floor(u / 128)
    n++
  }
  return n
}

function varintSize(v: number): number {
  return uvarintSize(zigZag(v))
}

function writeUVarintAt(buf: Buffer, pos: number, u: number): number {
  while (u >= 128) {
    buf[pos++] = (u % 128) | 0x80
    u = Math.floor(u / 128)
  }
  buf[pos++] = u
  return pos
}

function writeVarintAt(buf: Buffer, pos: number, v: number): number {
  return writeUVarintAt(buf, pos, zigZag(v))
}

// Decoder state for the hot loop: a single cursor, no per-record closures.
let rpos = 0
let rend = 0

function readVarintFrom(buf: Buffer): number {
  let u = 0
  let mul = 1
  for (let i = 0; i < 10; i++) {
    if (rpos >= rend) throw new CorruptRecordError('Record ends inside a varint')
    const b = buf[rpos++]
    u += (b & 0x7f) * mul
    if ((b & 0x80) === 0) return u % 2 === 0 ? u / 2 : -(u + 1) / 2
    mul *= 128
  }
  throw new CorruptRecordError('Varint is longer than 10 bytes')
}

// ---------------------------------------------------------------------------------------------
// encode

/**
 * Encodes one record batch v2 with a correct CRC-32C.
 * @returns the batch bytes (61-byte header + records, compressed when `compression` ≠ none).
 * Offsets: record i gets `offsetDelta ?? i`; lastOffsetDelta is the largest delta. Timestamps:
 * baseTimestamp = first record's, maxTimestamp = largest (both overridable); -1 for an empty batch.
 * @throws UnsupportedCompressionTypeError for an unknown codec.
 */
export function encodeRecordBatch(opts: EncodeRecordBatchOptions): Buffer {
  const records = opts.records
  const n = records.length
  const now = Date.now()
  const codec = opts.compression ?? CompressionCodec.None
  if (codec < 0 || codec > CompressionCodec.Zstd) throw new UnsupportedCompressionTypeError(codec)

  let baseTimestamp = n > 0 ? (records[0].timestamp ?? now) : -1
  let maxTimestamp = -1
  let lastOffsetDelta = n > 0 ? -1 : 0
  for (let i = 0; i < n; i++) {
    const r = records[i]
    const ts = r.timestamp ?? now
    if (ts > maxTimestamp) maxTimestamp = ts
    const od = r.offsetDelta ?? i
    if (od > lastOffsetDelta) lastOffsetDelta = od
  }
  if (opts.baseTimestamp !== undefined) baseTimestamp = opts.baseTimestamp
  if (opts.maxTimestamp !== undefined) maxTimestamp = opts.maxTimestamp

  // Pass 1: sizes.
  const bodySizes = new Int32Array(n)
  let total = 0
  for (let i = 0; i < n; i++) {
    const r = records[i]
    const key = r.key
    const value = r.value
    const headers = r.headers
    let size = 1 + varintSize((r.timestamp ?? now) - baseTimestamp) + varintSize(r.offsetDelta ?? i)
    size += key === null ? 1 : varintSize(key.length) + key.length
    size += value === null ? 1 : varintSize(value.length) + value.length
    const hc = headers === undefined ? 0 : headers.length
    size += varintSize(hc)
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]
      const kl = Buffer.byteLength(hdr.key, 'utf8')
      size += varintSize(kl) + kl
      size += hdr.value === null ? 1 : varintSize(hdr.value.length) + hdr.value.length
    }
    bodySizes[i] = size
    total += varintSize(size) + size
  }

  // Pass 2: bytes, straight after the header when uncompressed.
  const uncompressed = codec === CompressionCodec.None
  const out0 = Buffer.allocUnsafe(uncompressed ? RECORD_BATCH_OVERHEAD + total : total)
  let p = uncompressed ? RECORD_BATCH_OVERHEAD : 0
  for (let i = 0; i < n; i++) {
    const r = records[i]
    const key = r.key
    const value = r.value
    const headers = r.headers
    p = writeVarintAt(out0, p, bodySizes[i])
    out0[p++] = 0
    p = writeVarintAt(out0, p, (r.timestamp ?? now) - baseTimestamp)
    p = writeVarintAt(out0, p, r.offsetDelta ?? i)
    if (key === null) {
      out0[p++] = 1 // zig-zag(-1)
    } else {
      p = writeVarintAt(out0, p, key.length)
      p += key.copy(out0, p)
    }
    if (value === null) {
      out0[p++] = 1
    } else {
      p = writeVarintAt(out0, p, value.length)
      p += value.copy(out0, p)
    }
    const hc = headers === undefined ? 0 : headers.length
    p = writeVarintAt(out0, p, hc)
    for (let h = 0; h < hc; h++) {
      const hdr = headers![h]
      const kl = Buffer.byteLength(hdr.key, 'utf8')
      p = writeVarintAt(out0, p, kl)
      p += out0.write(hdr.key, p, kl, 'utf8')
      const hv = hdr.value
      if (hv === null) {
        out0[p++] = 1
      } else {
        p = writeVarintAt(out0, p, hv.length)
        p += hv.copy(out0, p)
      }
    }
  }

  let out: Buffer
  if (uncompressed) {
    out = out0
  } else {
    const body = compress(codec, out0, opts.compressionLevel)
    out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length)
    body.copy(out, RECORD_BATCH_OVERHEAD)
  }

  let attributes = codec & COMPRESSION_CODEC_MASK
  if (opts.timestampType === TimestampType.LogAppendTime) attributes |= TIMESTAMP_TYPE_MASK
  if (opts.isTransactional) attributes |= TRANSACTIONAL_FLAG_MASK
  if (opts.isControl) attributes |= CONTROL_FLAG_MASK
  if (opts.deleteHorizon) attributes |= DELETE_HORIZON_FLAG_MASK

  writeBatchHeader(out, out.length, {
    baseOffset: opts.baseOffset ?? 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    attributes,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    recordsCount: n,
  })
  return out
}

// ---------------------------------------------------------------------------------------------
// decode

/**
 * Decodes every complete batch in `buf` (magic 2, and legacy magic 0/1 message sets), with
 * records, decompressing as needed. A trailing partial batch (as a Fetch response may end with)
 * is ignored.
 * @throws CorruptRecordError on a CRC mismatch, a batch shorter than its header, or records that
 *   overrun their batch or do not decompress; UnsupportedCompressionTypeError for codec ids 5-7.
 */
export function decodeRecordBatches(buf: Buffer, options: DecodeRecordBatchesOptions = {}): DecodedRecordBatch[] {
  const verifyCrc = options.verifyCrc ?? true
  const end = options.end ?? buf.length
  let p = options.start ?? 0
  const batches: DecodedRecordBatch[] = []
  while (p + LOG_OVERHEAD <= end) {
    const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (p + size > end || p + MAGIC_OFFSET >= end) break
    const magic = buf.readInt8(p + MAGIC_OFFSET)
    if (magic === 2) {
      batches.push(decodeBatchAt(buf, p, size, verifyCrc))
    } else if (magic === 0 || magic === 1) {
      decodeLegacyEntry(buf, p, size, verifyCrc, batches)
    } else {
      throw new CorruptRecordError(`Unknown record batch magic ${magic} at byte ${p}`)
    }
    p += size
  }
  return batches
}

/** Decodes the single v2 batch at `position` (whole buffer by default). */
export function decodeRecordBatch(buf: Buffer, position = 0, verifyCrc = true): DecodedRecordBatch {
  if (position + RECORD_BATCH_OVERHEAD > buf.length) throw new CorruptRecordError('Record batch is shorter than its 61-byte header')
  const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
  if (position + size > buf.length) throw new CorruptRecordError(`Record batch of ${size} bytes is truncated`)
  return decodeBatchAt(buf, position, size, verifyCrc)
}

function decodeBatchAt(buf: Buffer, p: number, size: number, verifyCrc: boolean): DecodedRecordBatch {
  if (size < RECORD_BATCH_OVERHEAD) throw new CorruptRecordError(`Record batch size ${size} is smaller than the header (61 bytes)`)
  const crc = buf.readUInt32BE(p + CRC_OFFSET)
  if (verifyCrc) {
    const actual = crc32c(buf, p + ATTRIBUTES_OFFSET, p + size)
    if (actual !== crc) {
      throw new CorruptRecordError(`Record batch at offset ${readInt64At(buf, p)} is corrupt (stored crc = ${crc}, computed crc = ${actual})`)
    }
  }
  const attributes = buf.readInt16BE(p + ATTRIBUTES_OFFSET)
  const codec = attributes & COMPRESSION_CODEC_MASK
  const baseOffset = readInt64At(buf, p)
  const lastOffsetDelta = buf.readInt32BE(p + 23)
  const baseTimestamp = readInt64At(buf, p + 27)
  const maxTimestamp = readInt64At(buf, p + 35)
  const recordsCount = buf.readInt32BE(p + 57)
  const timestampType = (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime
  const batch: DecodedRecordBatch = {
    position: p,
    sizeInBytes: size,
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    partitionLeaderEpoch: buf.readInt32BE(p + 12),
    magic: 2,
    crc,
    attributes,
    compression: codec as CompressionCodec,
    timestampType,
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_FLAG_MASK) !== 0,
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp,
    producerId: readInt64At(buf, p + 43),
    producerEpoch: buf.readInt16BE(p + 51),
    baseSequence: buf.readInt32BE(p + 53),
    recordsCount,
    records: [],
  }
  if (recordsCount < 0) throw new CorruptRecordError(`Record batch at offset ${baseOffset} has a negative record count ${recordsCount}`)
  let data = buf
  let start = p + RECORD_BATCH_OVERHEAD
  let stop = p + size
  if (codec !== CompressionCodec.None) {
    data = decompress(codec, buf.subarray(start, stop))
    start = 0
    stop = data.length
  }
  // A record takes at least 7 bytes: do not trust a huge count before reading.
  if (recordsCount > (stop - start)) throw new CorruptRecordError(`Record batch at offset ${baseOffset} claims ${recordsCount} records in ${stop - start} bytes`)
  const logAppend = timestampType === TimestampType.LogAppendTime
  const records = new Array<DecodedRecord>(recordsCount)
  rpos = start
  for (let i = 0; i < recordsCount; i++) {
    rend = stop
    const length = readVarintFrom(data)
    if (length < 0 || rpos + length > stop) throw new CorruptRecordError(`Record ${i} of batch at offset ${baseOffset} overruns the batch`)
    const recordEnd = rpos + length
    rend = recordEnd
    if (rpos >= rend) throw new CorruptRecordError('Empty record')
    const recAttributes = data[rpos++]
    const timestampDelta = readVarintFrom(data)
    const offsetDelta = readVarintFrom(data)
    const key = readNullableBytesFrom(data)
    const value = readNullableBytesFrom(data)
    const headerCount = readVarintFrom(data)
    if (headerCount < 0 || headerCount > recordEnd - rpos) throw new CorruptRecordError(`Invalid header count ${headerCount}`)
    const headers = new Array<RecordHeader>(headerCount)
    for (let h = 0; h < headerCount; h++) {
      const kl = readVarintFrom(data)
      if (kl < 0 || rpos + kl > rend) throw new CorruptRecordError(`Invalid header key length ${kl}`)
      const hk = data.toString('utf8', rpos, rpos + kl)
      rpos += kl
      headers[h] = {key: hk, value: readNullableBytesFrom(data)}
    }
    if (rpos !== recordEnd) throw new CorruptRecordError(`Record ${i} of batch at offset ${baseOffset} has ${recordEnd - rpos} unread bytes`)
    records[i] = {
      offset: baseOffset + offsetDelta,
      timestamp: logAppend ? maxTimestamp : baseTimestamp + timestampDelta,
      offsetDelta,
      timestampDelta,
      attributes: recAttributes,
      key,
      value,
      headers,
    }
  }
  batch.records = records
  return batch
}

function readNullableBytesFrom(data: Buffer): Buffer | null {
  const len = readVarintFrom(data)
  if (len < 0) return null
  if (rpos + len > rend) throw new CorruptRecordError(`Record field of ${len} bytes overruns the record`)
  const v = data.subarray(rpos, rpos + len)
  rpos += len
  return v
}

// ---------------------------------------------------------------------------------------------
// legacy message sets (magic 0 and 1), read-only

/**
 * Decodes one legacy entry (`offset int64, size int32, crc, magic, attributes, [timestamp],
 * key, value`) into a pseudo-batch per message; a compressed wrapper's inner messages become
 * one batch with the wrapper's header fields (spec §1.6).
 */
function decodeLegacyEntry(buf: Buffer, p: number, size: number, verifyCrc: boolean, out: DecodedRecordBatch[]): void {
  const magic = buf.readInt8(p + MAGIC_OFFSET)
  const headerSize = LOG_OVERHEAD + (magic === 0 ? 14 : 22)
  if (size < headerSize) throw new CorruptRecordError(`Legacy message of ${size} bytes is smaller than its header`)
  const crc = buf.readUInt32BE(p + 12)
  if (verifyCrc) {
    const actual = crc32Ieee(buf.subarray(p + 16, p + size)) >>> 0
    if (actual !== crc) throw new CorruptRecordError(`Legacy message at offset ${readInt64At(buf, p)} is corrupt (stored crc = ${crc}, computed crc = ${actual})`)
  }
  const offset = readInt64At(buf, p)
  const attributes = buf.readInt8(p + 17)
  const codec = attributes & COMPRESSION_CODEC_MASK
  const timestampType = magic === 1 && (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime
  const timestamp = magic === 1 ? readInt64At(buf, p + 18) : -1
  let q = p + (magic === 0 ? 18 : 26) // keyLength follows crc, magic, attributes [, timestamp]
  const end = p + size
  const key = readLegacyBytes(buf, q, end)
  q += 4 + (key === null ? 0 : key.length)
  const value = readLegacyBytes(buf, q, end)
  const base = {
    position: p, sizeInBytes: size, partitionLeaderEpoch: -1, magic, crc, attributes,
    compression: codec as CompressionCodec, timestampType, isTransactional: false, isControl: false,
    hasDeleteHorizon: false, producerId: -1, producerEpoch: -1, baseSequence: -1,
  }
  if (codec === CompressionCodec.None) {
    out.push({
      ...base, baseOffset: offset, lastOffset: offset, lastOffsetDelta: 0, baseTimestamp: timestamp,
      maxTimestamp: timestamp, recordsCount: 1,
      records: [{offset, timestamp, offsetDelta: 0, timestampDelta: 0, attributes: 0, key, value, headers: []}],
    })
    return
  }
  if (value === null) throw new CorruptRecordError(`Compressed legacy wrapper at offset ${offset} has a null value`)
  // Magic 0 lz4 wrappers carry Kafka's broken frame header checksum (KAFKA-3160).
  const stream = magic === 0 && codec === CompressionCodec.Lz4 ? fixLz4HeaderChecksum(value) : value
  const inner = decodeRecordBatches(decompress(codec, stream), {verifyCrc})
  const records: DecodedRecord[] = []
  for (const b of inner) for (const r of b.records) records.push(r)
  if (records.length === 0) return
  // v1: inner offsets are relative and the wrapper carries the last absolute offset; v0: absolute.
  const shift = magic === 1 ? offset - records[records.length - 1].offset : 0
  let maxTimestamp = -1
  for (const r of records) {
    r.offset += shift
    if (timestampType === TimestampType.LogAppendTime) r.timestamp = timestamp
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp
  }
  const first = records[0].offset
  out.push({
    ...base, baseOffset: first, lastOffset: records[records.length - 1].offset,
    lastOffsetDelta: records[records.length - 1].offset - first, baseTimestamp: records[0].timestamp,
    maxTimestamp: magic === 1 ? timestamp : maxTimestamp, recordsCount: records.length, records,
  })
}

function readLegacyBytes(buf: Buffer, at: number, end: number): Buffer | null {
  if (at + 4 > end) throw new CorruptRecordError('Legacy message ends inside a length field')
  const len = buf.readInt32BE(at)
  if (len < 0) return null
  if (at + 4 + len > end) throw new CorruptRecordError(`Legacy message field of ${len} bytes overruns the message`)
  return buf.subarray(at + 4, at + 4 + len)
}

// ---------------------------------------------------------------------------------------------
// control records

/** Key of a control record (`ControlRecordType`): version 0 and a type (unknown types are kept as numbers). */
export interface ControlRecordKey {
  version: number
  type: ControlRecordType | number
}

/** Decodes a control record key (`int16 version, int16 type`). @throws CorruptRecordError when shorter than 4 bytes. */
export function decodeControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < 4) throw new CorruptRecordError(`Invalid control record key of ${key === null ? 'null' : key.length + ' bytes'}`)
  return {version: key.readInt16BE(0), type: key.readInt16BE(2)}
}

/** Encodes a control record key (version 0). */
export function encodeControlRecordKey(type: ControlRecordType | number, version = 0): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeInt16BE(version, 0)
  b.writeInt16BE(type, 2)
  return b
}

/** Kafka's name of a control record type, `UNKNOWN` for others (`ControlRecordType.parse`). */
export function controlRecordTypeName(type: number): string {
  return ControlRecordType[type] ?? 'UNKNOWN'
}

/** Value of an ABORT/COMMIT control record (`EndTransactionMarker`): int16 version (0), int32 coordinatorEpoch. */
export interface EndTxnMarker {
  version: number
  coordinatorEpoch: number
}

export function decodeEndTxnMarker(value: Buffer | null): EndTxnMarker {
  if (value === null || value.length < 6) throw new CorruptRecordError(`Invalid transaction marker value of ${value === null ? 'null' : value.length + ' bytes'}`)
  return {version: value.readInt16BE(0), coordinatorEpoch: value.readInt32BE(2)}
}

export function encodeEndTxnMarker(coordinatorEpoch: number): Buffer {
  const b = Buffer.allocUnsafe(6)
  b.writeInt16BE(0, 0)
  b.writeInt32BE(coordinatorEpoch, 2)
  return b
}

/**
 * A transaction marker batch (spec §1.5): control + transactional, the transaction's producer id
 * and epoch, baseSequence -1, one COMMIT or ABORT record.
 */
export function encodeEndTxnMarkerBatch(opts: {
  producerId: number
  producerEpoch: number
  coordinatorEpoch: number
  commit: boolean
  baseOffset?: number
  partitionLeaderEpoch?: number
  timestamp?: number
}): Buffer {
  return encodeRecordBatch({
    baseOffset: opts.baseOffset,
    partitionLeaderEpoch: opts.partitionLeaderEpoch,
    isTransactional: true,
    isControl: true,
    producerId: opts.producerId,
    producerEpoch: opts.producerEpoch,
    baseSequence: -1,
    records: [{
      key: encodeControlRecordKey(opts.commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT),
      value: encodeEndTxnMarker(opts.coordinatorEpoch),
      timestamp: opts.timestamp,
    }],
  })
}

// For other encoders that lay out records by hand.
export {uvarintSize, varintSize, writeVarintAt}
