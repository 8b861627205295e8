/**
 * Reader over a Buffer for Kafka's wire types (fixed-width big-endian integers, varints,
 * classic and compact strings/bytes/arrays, uuids, tagged-field sections).
 *
 * Every read is bounds-checked against `end`; a short or malformed input throws
 * {@link ProtocolDecodeError}, which the network layer answers by closing the connection.
 * Byte fields are returned as zero-copy `subarray` views of the input buffer.
 *
 * Source: Kafka's `protocol/types/Type.java`, `ByteUtils.java` and the encoding rules in
 * `../shared/kafka-protocol/README.md`.
 */
export class ProtocolDecodeError extends Error {
  override name = 'ProtocolDecodeError'
}

const TWO_32 = 4294967296

export class Reader {
  /** Byte position of the next read, relative to the start of `buf`. */
  offset: number
  readonly end: number

  constructor(readonly buf: Buffer, offset = 0, end = buf.length) {
    this.offset = offset
    this.end = end
  }

  /** Bytes left before `end`. */
  remaining(): number {
    return this.end - this.offset
  }

  private need(n: number): number {
    const at = this.offset
    if (n < 0 || at + n > this.end) {
      throw new ProtocolDecodeError(`short read: need ${n} bytes at ${at}, have ${this.end - at}`)
    }
    this.offset = at + n
    return at
  }

  readInt8(): number { return this.buf.readInt8(this.need(1)) }
  readUInt8(): number { return this.buf[this.need(1)] }
  readBool(): boolean { return this.buf[this.need(1)] !== 0 }
  readInt16(): number { return this.buf.readInt16BE(this.need(2)) }
  readUInt16(): number { return this.buf.readUInt16BE(this.need(2)) }
  readInt32(): number { return this.buf.readInt32BE(this.need(4)) }
  readUInt32(): number { return this.buf.readUInt32BE(this.need(4)) }
  readFloat64(): number { return this.buf.readDoubleBE(this.need(8)) }

  /** int64 as a JS number: exact for |value| < 2^53 (offsets, timestamps, producer ids). */
  readInt64(): number {
    const at = this.need(8)
    return this.buf.readInt32BE(at) * TWO_32 + this.buf.readUInt32BE(at + 4)
  }

  /** int64 as a bigint, for the rare field that needs all 64 bits. */
  readBigInt64(): bigint { return this.buf.readBigInt64BE(this.need(8)) }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  readUVarint(): number {
    let value = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1)]
      value += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return value
      shift += 7
    }
    throw new ProtocolDecodeError('varint longer than 5 bytes')
  }

  /** Zigzag signed varint (32 bits). */
  readVarint(): number {
    const u = this.readUVarint()
    return (u % 2 === 0 ? u / 2 : -(u + 1) / 2)
  }

  /** Zigzag signed varlong (64 bits), as a number (exact below 2^53). */
  readVarlong(): number {
    let value = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.need(1)]
      value |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return Number((value >> 1n) ^ -(value & 1n))
      shift += 7n
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes')
  }

  /** 16 bytes, returned in Kafka's text form: URL-safe base64 without padding (22 chars). */
  readUuid(): string {
    const at = this.need(16)
    return this.buf.toString('base64url', at, at + 16)
  }

  readRaw(n: number): Buffer {
    const at = this.need(n)
    return this.buf.subarray(at, at + n)
  }

  private utf8(n: number): string {
    const at = this.need(n)
    return this.buf.toString('utf8', at, at + n)
  }

  /** int16 length + UTF-8; throws on null (-1). */
  readString(): string {
    const n = this.readInt16()
    if (n < 0) throw new ProtocolDecodeError('non-nullable string is null')
    return this.utf8(n)
  }

  readNullableString(): string | null {
    const n = this.readInt16()
    return n < 0 ? null : this.utf8(n)
  }

  /** uvarint length+1 + UTF-8 (flexible versions); throws on null. */
  readCompactString(): string {
    const n = this.readUVarint() - 1
    if (n < 0) throw new ProtocolDecodeError('non-nullable compact string is null')
    return this.utf8(n)
  }

  readCompactNullableString(): string | null {
    const n = this.readUVarint() - 1
    return n < 0 ? null : this.utf8(n)
  }

  readBytes(): Buffer {
    const n = this.readInt32()
    if (n < 0) throw new ProtocolDecodeError('non-nullable bytes is null')
    return this.readRaw(n)
  }

  readNullableBytes(): Buffer | null {
    const n = this.readInt32()
    return n < 0 ? null : this.readRaw(n)
  }

  readCompactBytes(): Buffer {
    const n = this.readUVarint() - 1
    if (n < 0) throw new ProtocolDecodeError('non-nullable compact bytes is null')
    return this.readRaw(n)
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUVarint() - 1
    return n < 0 ? null : this.readRaw(n)
  }

  /** int32 element count; -1 for a null array. Guards against absurd counts. */
  readArrayLength(): number {
    const n = this.readInt32()
    if (n > this.remaining()) throw new ProtocolDecodeError(`array length ${n} exceeds remaining bytes`)
    return n
  }

  /** uvarint count+1 (flexible); -1 for a null array. */
  readCompactArrayLength(): number {
    const n = this.readUVarint() - 1
    if (n > this.remaining()) throw new ProtocolDecodeError(`array length ${n} exceeds remaining bytes`)
    return n
  }

  /**
   * Reads a tagged-field section. `onTag(tag, reader)` gets a sub-reader bounded to the field's
   * bytes; unknown tags may be ignored (their bytes are skipped either way).
   */
  readTaggedFields(onTag?: (tag: number, r: Reader) => void): void {
    const count = this.readUVarint()
    for (let i = 0; i < count; i++) {
      const tag = this.readUVarint()
      const size = this.readUVarint()
      const at = this.need(size)
      if (onTag) onTag(tag, new Reader(this.buf, at, at + size))
    }
  }
}
