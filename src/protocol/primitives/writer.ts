/**
 * Growable writer for Kafka's wire types; the mirror of {@link Reader}.
 *
 * Small values are copied into an internal scratch buffer; large byte fields (`records`,
 * big `bytes`) are kept as separate chunks and not copied (see {@link Writer.writeRaw}), so a Fetch
 * response that carries segment bytes is assembled without copying them. `toChunks()` returns
 * the pieces for a vectored socket write; `toBuffer()` concatenates them.
 */
const TWO_32 = 4294967296
const INT64_MAX = 2n ** 63n - 1n
const INT64_MIN = -(2n ** 63n)
/** Byte fields at least this long are appended as their own chunk instead of being copied. */
const ZERO_COPY_THRESHOLD_BYTES = 512

export class Writer {
  private chunks: Buffer[] = []
  private buf: Buffer
  private pos = 0
  private flushedBytes = 0

  constructor(initialBytes = 256) {
    this.buf = Buffer.allocUnsafe(initialBytes)
  }

  /** Total bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.pos
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  writeInt8(v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this }
  writeUInt8(v: number): this { this.ensure(1); this.buf[this.pos++] = v & 0xff; return this }
  writeBool(v: boolean): this { return this.writeUInt8(v ? 1 : 0) }
  writeInt16(v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this }
  writeUInt16(v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; return this }
  writeInt32(v: number): this { this.ensure(4); this.buf.writeInt32BE(v | 0, this.pos); this.pos += 4; return this }
  writeUInt32(v: number): this { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; return this }
  writeFloat64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this }

  /** int64 from a JS number; values beyond ±2^63 are clamped (Long.MAX_VALUE defaults). */
  writeInt64(v: number): this {
    this.ensure(8)
    if (Number.isSafeInteger(v)) {
      const hi = Math.floor(v / TWO_32)
      this.buf.writeInt32BE(hi, this.pos)
      this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4)
    } else {
      let b = BigInt(Math.trunc(v))
      if (b > INT64_MAX) b = INT64_MAX
      if (b < INT64_MIN) b = INT64_MIN
      this.buf.writeBigInt64BE(b, this.pos)
    }
    this.pos += 8
    return this
  }

  writeBigInt64(v: bigint): this { this.ensure(8); this.buf.writeBigInt64BE(v, this.pos); this.pos += 8; return this }

  writeUVarint(v: number): this {
    this.ensure(5)
    let value = v
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80
      value = Math.floor(value / 128)
    }
    this.buf[this.pos++] = value
    return this
  }

  /** Zigzag signed varint (32 bits). */
  writeVarint(v: number): this {
    return this.writeUVarint(v >= 0 ? v * 2 : -v * 2 - 1)
  }

  /** Zigzag signed varlong (64 bits). */
  writeVarlong(v: number): this {
    if (Number.isSafeInteger(v) && Math.abs(v) < 2 ** 52) return this.writeUVarint(v >= 0 ? v * 2 : -v * 2 - 1)
    let z = BigInt(v)
    z = (z << 1n) ^ (z >> 63n)
    z = BigInt.asUintN(64, z)
    this.ensure(10)
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80
      z >>= 7n
    }
    this.buf[this.pos++] = Number(z)
    return this
  }

  /** Kafka text form (URL-safe base64, 22 chars) to 16 bytes. */
  writeUuid(v: string): this {
    const bytes = Buffer.from(v, 'base64url')
    if (bytes.length !== 16) throw new RangeError(`invalid uuid '${v}'`)
    this.ensure(16)
    bytes.copy(this.buf, this.pos)
    this.pos += 16
    return this
  }

  /** Appends bytes; large buffers become their own chunk (not copied; do not mutate them later). */
  writeRaw(b: Buffer): this {
    if (b.length >= ZERO_COPY_THRESHOLD_BYTES) {
      this.flushScratch()
      this.chunks.push(b)
      this.flushedBytes += b.length
      return this
    }
    this.ensure(b.length)
    b.copy(this.buf, this.pos)
    this.pos += b.length
    return this
  }

  /** Appends everything another writer holds. */
  writeWriter(w: Writer): this {
    for (const c of w.toChunks()) this.writeRaw(c)
    return this
  }

  private writeUtf8(s: string, len: number): void {
    this.ensure(len)
    this.buf.write(s, this.pos, len, 'utf8')
    this.pos += len
  }

  writeString(s: string): this {
    const len = Buffer.byteLength(s)
    this.writeInt16(len)
    this.writeUtf8(s, len)
    return this
  }

  writeNullableString(s: string | null | undefined): this {
    if (s == null) return this.writeInt16(-1)
    return this.writeString(s)
  }

  writeCompactString(s: string): this {
    const len = Buffer.byteLength(s)
    this.writeUVarint(len + 1)
    this.writeUtf8(s, len)
    return this
  }

  writeCompactNullableString(s: string | null | undefined): this {
    if (s == null) return this.writeUVarint(0)
    return this.writeCompactString(s)
  }

  writeBytes(b: Buffer): this { this.writeInt32(b.length); return this.writeRaw(b) }
  writeNullableBytes(b: Buffer | null | undefined): this { return b == null ? this.writeInt32(-1) : this.writeBytes(b) }
  writeCompactBytes(b: Buffer): this { this.writeUVarint(b.length + 1); return this.writeRaw(b) }
  writeCompactNullableBytes(b: Buffer | null | undefined): this { return b == null ? this.writeUVarint(0) : this.writeCompactBytes(b) }

  writeArrayLength(n: number | null): this { return this.writeInt32(n == null ? -1 : n) }
  writeCompactArrayLength(n: number | null): this { return this.writeUVarint(n == null ? 0 : n + 1) }

  /** An empty tagged-field section (count 0). */
  writeEmptyTaggedFields(): this { return this.writeUVarint(0) }

  private flushScratch(): void {
    if (this.pos === 0) return
    this.chunks.push(this.buf.subarray(0, this.pos))
    this.flushedBytes += this.pos
    this.buf = this.buf.subarray(this.pos)
    this.pos = 0
    if (this.buf.length < 64) this.buf = Buffer.allocUnsafe(256)
  }

  /** The written bytes as a list of buffers, in order (for `socket.cork()` + writes). */
  toChunks(): Buffer[] {
    this.flushScratch()
    return this.chunks
  }

  /** The written bytes as one buffer. */
  toBuffer(): Buffer {
    const chunks = this.toChunks()
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.flushedBytes)
  }
}
