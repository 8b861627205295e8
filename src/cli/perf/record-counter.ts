/**
 * Counting fetched records without decoding them into objects, for `kts consumer-perf-test`: record
 * counts come from batch headers; key and value sizes (what Kafka's tool adds up as bytes read)
 * from a walk over each record's length fields (records of a compressed batch after
 * decompressing it). Control batches are skipped; a trailing partial batch is ignored; legacy
 * (magic 0/1) message sets take the slow path through `decodeRecordBatches`.
 *
 * Layouts: `record-batch.ts` (header) and `DefaultRecord.java` (varint length, attributes,
 * varlong timestampDelta, varint offsetDelta, varint keyLength + key, varint valueLength + value, headers).
 */
import {
  ATTRIBUTES_OFFSET, BATCH_LENGTH_OFFSET, COMPRESSION_CODEC_MASK, CONTROL_FLAG_MASK, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD,
  MAGIC_OFFSET, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET, readInt64At,
} from '../../protocol/records/record-batch.js'
import {decompress} from '../../protocol/records/compression.js'
import {CorruptRecordError, decodeRecordBatches} from '../../protocol/records/records.js'

/** What `countRecords` found. */
export interface RecordCount {
  /** Records counted (at or after `fromOffset`, at most `limit`). */
  records: number
  /** Their key + value bytes. */
  bytes: number
  /** The offset after the last record counted, or after the last complete batch when all were counted (the consumer's position). */
  position: number
}

/**
 * The offset after the last complete batch in `buf` (control batches included), or `fromOffset`
 * when there is none: where the next fetch of the partition starts.
 */
export function nextFetchOffset(buf: Buffer, fromOffset: number): number {
  let next = fromOffset
  let p = 0
  while (p + LOG_OVERHEAD <= buf.length) {
    const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (p + size > buf.length || size < LOG_OVERHEAD + 5) break
    const magic = buf[p + MAGIC_OFFSET]
    const last = magic === 2 ? readInt64At(buf, p) + buf.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET) : readInt64At(buf, p)
    if (last + 1 > next) next = last + 1
    p += size
  }
  return next
}

/**
 * Counts up to `limit` non-control records at offsets ≥ `fromOffset` in the complete batches of
 * `buf` (a Fetch response's records) and sums their key and value sizes.
 * @throws CorruptRecordError when a record overruns its batch or a batch does not decompress.
 */
export function countRecords(buf: Buffer, fromOffset: number, limit: number): RecordCount {
  const out: RecordCount = {records: 0, bytes: 0, position: fromOffset}
  let p = 0
  while (p + LOG_OVERHEAD <= buf.length && out.records < limit) {
    const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (p + size > buf.length || p + MAGIC_OFFSET >= buf.length) break
    const magic = buf[p + MAGIC_OFFSET]
    if (magic !== 2) {
      countLegacy(buf, p, size, fromOffset, limit, out)
      p += size
      continue
    }
    if (size < RECORD_BATCH_OVERHEAD) throw new CorruptRecordError(`Record batch size ${size} is smaller than the header (61 bytes)`)
    const base = readInt64At(buf, p)
    const last = base + buf.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET)
    const attributes = buf.readInt16BE(p + ATTRIBUTES_OFFSET)
    if (last < fromOffset || (attributes & CONTROL_FLAG_MASK) !== 0) {
      if (last + 1 > out.position) out.position = last + 1
      p += size
      continue
    }
    const count = buf.readInt32BE(p + RECORDS_COUNT_OFFSET)
    const codec = attributes & COMPRESSION_CODEC_MASK
    let data = buf
    let start = p + RECORD_BATCH_OVERHEAD
    let end = p + size
    if (codec !== 0) {
      data = decompress(codec, buf.subarray(start, end))
      start = 0
      end = data.length
    }
    const whole = base >= fromOffset && count <= limit - out.records
    walkRecords(data, start, end, count, base, whole ? -1 : fromOffset, limit, out)
    if (whole || out.records < limit) {
      if (last + 1 > out.position) out.position = last + 1
    }
    p += size
  }
  return out
}

// Cursor of the record walk (module state keeps the hot loop free of closures).
let pos = 0

function readVarint(data: Buffer, end: number): number {
  let u = 0
  let mul = 1
  for (let i = 0; i < 5; i++) {
    if (pos >= end) throw new CorruptRecordError('Record ends inside a varint')
    const b = data[pos++]
    u += (b & 0x7f) * mul
    if ((b & 0x80) === 0) return (u & 1) === 0 ? u / 2 : -(u + 1) / 2
    mul *= 128
  }
  throw new CorruptRecordError('Varint is longer than 5 bytes')
}

function skipVarlong(data: Buffer, end: number): void {
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new CorruptRecordError('Record ends inside a varlong')
    if ((data[pos++] & 0x80) === 0) return
  }
  throw new CorruptRecordError('Varlong is longer than 10 bytes')
}

/**
 * Walks `count` records in `data[start, end)`; counts those at offsets ≥ `fromOffset` (all when
 * -1) until `limit`, adding key + value sizes; sets `out.position` after each one counted.
 */
function walkRecords(data: Buffer, start: number, end: number, count: number, base: number, fromOffset: number, limit: number, out: RecordCount): void {
  pos = start
  for (let i = 0; i < count && out.records < limit; i++) {
    const length = readVarint(data, end)
    const recordEnd = pos + length
    if (length < 0 || recordEnd > end) throw new CorruptRecordError(`Record ${i} of batch at offset ${base} overruns the batch`)
    pos++ // attributes
    skipVarlong(data, recordEnd)
    const offset = base + readVarint(data, recordEnd)
    if (fromOffset < 0 || offset >= fromOffset) {
      const keyLength = readVarint(data, recordEnd)
      if (keyLength > 0) pos += keyLength
      const valueLength = readVarint(data, recordEnd)
      out.bytes += (keyLength > 0 ? keyLength : 0) + (valueLength > 0 ? valueLength : 0)
      out.records++
      out.position = offset + 1
    }
    pos = recordEnd
  }
}

function countLegacy(buf: Buffer, p: number, size: number, fromOffset: number, limit: number, out: RecordCount): void {
  for (const b of decodeRecordBatches(buf, {start: p, end: p + size, verifyCrc: false})) {
    for (const r of b.records) {
      if (out.records >= limit) return
      if (r.offset < fromOffset) continue
      out.records++
      out.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0)
      out.position = r.offset + 1
    }
  }
}
