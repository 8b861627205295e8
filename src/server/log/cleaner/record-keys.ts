/**
 * The keys, offsets and value presence of the records of one v2 batch, for the cleaner (Kafka's
 * `buildOffsetMap` and retention decision only need those): walks the records
 * (`../shared/spec/storage-and-kraft.md` §2: length varint, attributes int8, timestampDelta varlong,
 * offsetDelta varint, key, value length) without building record objects or reading values and
 * headers. Compressed batches are decompressed first.
 */
import {COMPRESSION_CODEC_MASK, RECORD_BATCH_OVERHEAD, type RecordBatchHeader} from '../../../protocol/records/record-batch.js'
import {decompress} from '../../../protocol/records/compression.js'
import {CorruptRecordError} from '../../../protocol/records/record-errors.js'

/**
 * Calls `fn(data, keyStart, keyEnd, offset, hasValue)` for each record of the batch `h` in `buf`, in
 * offset order, until `fn` returns false: the key is `data[keyStart, keyEnd)`, or null when
 * `keyStart` is -1; `hasValue` is false for a tombstone (null value). Returns false when stopped by `fn`.
 * @throws CorruptRecordError for a record that overruns the batch; UnsupportedCompressionTypeError
 */
export function forEachRecordKey(buf: Buffer, h: RecordBatchHeader,
  fn: (data: Buffer, keyStart: number, keyEnd: number, offset: number, hasValue: boolean) => boolean): boolean {
  let data = buf
  let p = h.position + RECORD_BATCH_OVERHEAD
  let stop = h.position + h.sizeInBytes
  const codec = h.attributes & COMPRESSION_CODEC_MASK
  if (codec !== 0) {
    data = decompress(codec, buf.subarray(p, stop))
    p = 0
    stop = data.length
  }
  const v = {pos: p, end: stop}
  for (let i = 0; i < h.recordsCount; i++) {
    v.end = stop
    const length = readVarint(data, v)
    const recordEnd = v.pos + length
    if (length <= 0 || recordEnd > stop) throw new CorruptRecordError(`Record ${i} of batch at offset ${h.baseOffset} overruns the batch`)
    v.end = recordEnd
    v.pos++ // attributes
    skipVarint(data, v) // timestampDelta
    const offsetDelta = readVarint(data, v)
    const keyLength = readVarint(data, v)
    const keyStart = keyLength >= 0 ? v.pos : -1
    if (keyLength > 0) v.pos += keyLength
    if (v.pos > recordEnd) throw new CorruptRecordError(`Key of ${keyLength} bytes overruns record ${i} of batch at offset ${h.baseOffset}`)
    const hasValue = readVarint(data, v) >= 0
    if (!fn(data, keyStart, keyStart < 0 ? -1 : keyStart + keyLength, h.baseOffset + offsetDelta, hasValue)) return false
    v.pos = recordEnd
  }
  return true
}

/** A zigzag varint (≤ 10 bytes) at `v.pos`, advancing it. */
function readVarint(data: Buffer, v: {pos: number, end: number}): number {
  let u = 0
  let mul = 1
  for (let i = 0; i < 10; i++) {
    if (v.pos >= v.end) throw new CorruptRecordError('Record ends inside a varint')
    const b = data[v.pos++]
    u += (b & 0x7f) * mul
    if ((b & 0x80) === 0) return u % 2 === 0 ? u / 2 : -(u + 1) / 2
    mul *= 128
  }
  throw new CorruptRecordError('Varint is longer than 10 bytes')
}

function skipVarint(data: Buffer, v: {pos: number, end: number}): void {
  for (let i = 0; i < 10; i++) {
    if (v.pos >= v.end) throw new CorruptRecordError('Record ends inside a varint')
    if ((data[v.pos++] & 0x80) === 0) return
  }
  throw new CorruptRecordError('Varint is longer than 10 bytes')
}
