import {crc32c} from '../../../../src/protocol/records/crc32c.js'
import {writeInt64At} from '../../../../src/protocol/records/record-batch.js'

/** A valid v2 batch of `count` tiny uncompressed records (for header-level tests). */
export function makeBatch(opts: {count?: number, producerId?: number, producerEpoch?: number, baseSequence?: number, attributes?: number, timestamp?: number} = {}): Buffer {
  const count = opts.count ?? 3
  const records: Buffer[] = []
  for (let i = 0; i < count; i++) {
    // length varint, attributes, timestampDelta 0, offsetDelta i, key -1, value len 1 'x', headers 0
    const body = Buffer.from([0, 0, i * 2, 1, 2, 0x78, 0])
    records.push(Buffer.concat([Buffer.from([body.length * 2]), body]))
  }
  const recs = Buffer.concat(records)
  const b = Buffer.alloc(61 + recs.length)
  writeInt64At(b, 0, 0)
  b.writeInt32BE(b.length - 12, 8)
  b.writeInt32BE(-1, 12)
  b.writeInt8(2, 16)
  b.writeInt16BE(opts.attributes ?? 0, 21)
  b.writeInt32BE(count - 1, 23)
  writeInt64At(b, 27, opts.timestamp ?? 1_700_000_000_000)
  writeInt64At(b, 35, opts.timestamp ?? 1_700_000_000_000)
  writeInt64At(b, 43, opts.producerId ?? -1)
  b.writeInt16BE(opts.producerEpoch ?? -1, 51)
  b.writeInt32BE(opts.baseSequence ?? -1, 53)
  b.writeInt32BE(count, 57)
  recs.copy(b, 61)
  b.writeUInt32BE(crc32c(b, 21), 17)
  return b
}
