/**
 * Incremental builder of one record batch v2 for producers (Kafka `MemoryRecordsBuilder` for
 * magic 2): records are appended in place into one preallocated buffer, no object per record; the
 * header, compression and CRC-32C are done once by `build()`. Records have a null key and no
 * headers (what the perf tools send); the caller writes each value's bytes straight into the
 * buffer at the position `appendValueSlot` returns, or lets `appendValue` copy them.
 *
 * Record layout (`DefaultRecord.java`): varint length, int8 attributes (0), varlong timestampDelta,
 * varint offsetDelta, varint keyLength (-1), varint valueLength + value, varint header count (0).
 * Source: `../shared/spec/storage-and-kraft.md` §1.1-1.2.
 */
import {compress} from './compression.js'
import {CompressionCodec, RECORD_BATCH_OVERHEAD, TRANSACTIONAL_FLAG_MASK, writeBatchHeader} from './record-batch.js'
import {UnsupportedCompressionTypeError} from './record-errors.js'
import {varintSize, writeVarintAt} from './records.js'

/** Producer fields of `build()`; -1 ids/epoch/sequence for a plain (non-idempotent) producer. */
export interface BuildBatchOptions {
  compression: CompressionCodec
  /** Codec level (gzip 1-9, lz4, zstd); default: the codec's default. */
  compressionLevel?: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  isTransactional?: boolean
}

/** Size of the zig-zag varint of `v` (fast path for the int32 values records hold). */
function varintBytes(v: number): number {
  const u = v >= 0 ? v * 2 : -v * 2 - 1
  if (u < 0x80) return 1
  if (u < 0x4000) return 2
  if (u < 0x200000) return 3
  if (u < 0x10000000) return 4
  return u <= 0xffffffff ? 5 : varintSize(v)
}

/** Writes the zig-zag varint of `v` at `p`; returns the position after it. */
function putVarint(buf: Buffer, p: number, v: number): number {
  let u = v >= 0 ? v * 2 : -v * 2 - 1
  if (u > 0xffffffff) return writeVarintAt(buf, p, v)
  u = u >>> 0
  while (u >= 0x80) {
    buf[p++] = (u & 0x7f) | 0x80
    u >>>= 7
  }
  buf[p++] = u
  return p
}

/** Bytes of a record body (after its length varint) with a null key, `valueLength` value bytes and no headers. */
function bodySize(timestampDelta: number, offsetDelta: number, valueLength: number): number {
  return 1 + varintBytes(timestampDelta) + varintBytes(offsetDelta) + 1 + varintBytes(valueLength) + valueLength + 1
}

export class RecordBatchBuilder {
  private buf: Buffer
  private pos = RECORD_BATCH_OVERHEAD
  private n = 0
  private baseTimestamp = -1
  private maxTimestamp = -1
  private closed = false

  /**
   * @param capacity bytes the uncompressed batch (61-byte header included) may reach; a first record
   *   larger than that is still taken (the buffer grows), as Kafka does for a record bigger than batch.size.
   * @param reuse a buffer of at least `capacity` bytes to write into instead of a new one (a pool's).
   */
  constructor(private readonly capacity: number, reuse?: Buffer) {
    this.buf = reuse !== undefined && reuse.length >= capacity ? reuse : Buffer.allocUnsafe(Math.max(capacity, RECORD_BATCH_OVERHEAD))
  }

  /** Records appended so far. */
  get count(): number {
    return this.n
  }

  /** Uncompressed size so far in bytes, header included. */
  get sizeInBytes(): number {
    return this.pos
  }

  /** Timestamp (ms) of the first record, -1 while empty. */
  get firstTimestamp(): number {
    return this.baseTimestamp
  }

  /** Bytes a record with `valueLength` value bytes created at `timestamp` would add (length varint included). */
  recordSize(timestamp: number, valueLength: number): number {
    const body = bodySize(this.n === 0 ? 0 : timestamp - this.baseTimestamp, this.n, valueLength)
    return varintBytes(body) + body
  }

  /**
   * Appends a record (null key, no headers) created at `timestamp` (ms) whose `valueLength` value
   * bytes the caller then writes into `buffer` at the returned position.
   * @returns that position, or -1 when the record does not fit within the capacity (never for the
   *   first record) or the batch was built.
   */
  appendValueSlot(timestamp: number, valueLength: number): number {
    if (this.closed) return -1
    if (this.n === 0) this.baseTimestamp = timestamp
    const timestampDelta = timestamp - this.baseTimestamp
    const body = bodySize(timestampDelta, this.n, valueLength)
    const size = varintBytes(body) + body
    if (this.pos + size > this.capacity) {
      if (this.n > 0) return -1
      this.grow(this.pos + size)
    }
    const buf = this.buf
    let p = putVarint(buf, this.pos, body)
    buf[p++] = 0 // attributes
    p = putVarint(buf, p, timestampDelta)
    p = putVarint(buf, p, this.n)
    buf[p++] = 1 // key length -1 (zig-zag)
    p = putVarint(buf, p, valueLength)
    const valueAt = p
    buf[p + valueLength] = 0 // header count
    this.pos = p + valueLength + 1
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp
    this.n++
    return valueAt
  }

  /** Appends a record with a copy of `value`; false when it does not fit (see `appendValueSlot`). */
  appendValue(timestamp: number, value: Uint8Array): boolean {
    const at = this.appendValueSlot(timestamp, value.length)
    if (at < 0) return false
    this.buf.set(value, at)
    return true
  }

  /** The buffer records are written into (valid up to `sizeInBytes`). */
  get buffer(): Buffer {
    return this.buf
  }

  /**
   * The finished batch: header with baseOffset 0 and partitionLeaderEpoch -1 (the broker assigns
   * both), records compressed when asked, CRC-32C. Uncompressed, it is a view of the builder's
   * buffer (no copy); later appends are refused.
   * @throws UnsupportedCompressionTypeError for an unknown codec.
   */
  build(opts: BuildBatchOptions): Buffer {
    const codec = opts.compression
    this.closed = true
    if (codec < CompressionCodec.None || codec > CompressionCodec.Zstd) throw new UnsupportedCompressionTypeError(codec)
    let out: Buffer
    if (codec === CompressionCodec.None) {
      out = this.buf.subarray(0, this.pos)
    } else {
      const body = compress(codec, this.buf.subarray(RECORD_BATCH_OVERHEAD, this.pos), opts.compressionLevel)
      out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + body.length)
      body.copy(out, RECORD_BATCH_OVERHEAD)
    }
    writeBatchHeader(out, out.length, {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: codec | (opts.isTransactional ? TRANSACTIONAL_FLAG_MASK : 0),
      lastOffsetDelta: Math.max(this.n - 1, 0),
      baseTimestamp: this.baseTimestamp,
      maxTimestamp: this.maxTimestamp,
      producerId: opts.producerId,
      producerEpoch: opts.producerEpoch,
      baseSequence: opts.baseSequence,
      recordsCount: this.n,
    })
    return out
  }

  private grow(size: number): void {
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }
}
