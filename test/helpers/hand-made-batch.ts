/**
 * Record batches built by hand for tests that must not depend on the code under test.
 */
import {crc32c} from '@node-rs/crc32'
import {Writer} from '../../src/protocol/primitives/writer.js'

/**
 * A magic-2 record batch of uncompressed records (null keys), built by hand here so that the test
 * does not depend on the code under test (layout: Kafka's DefaultRecordBatch / KIP-98).
 * `corruptCrc` stores a CRC that does not match the content.
 */
export function handMadeRecordBatch(values: string[], opts: {corruptCrc?: boolean} = {}): Buffer {
  const now = Date.now()
  const records = new Writer()
  values.forEach((v, i) => {
    const value = Buffer.from(v)
    const body = new Writer()
    body.writeInt8(0).writeVarlong(0).writeVarint(i).writeVarint(-1).writeVarint(value.length).writeRaw(value).writeVarint(0)
    const b = body.toBuffer()
    records.writeVarint(b.length).writeRaw(b)
  })
  const afterCrc = new Writer()
  afterCrc.writeInt16(0) // attributes: no compression, create time
    .writeInt32(values.length - 1) // last offset delta
    .writeInt64(now).writeInt64(now) // base / max timestamp
    .writeInt64(-1).writeInt16(-1).writeInt32(-1) // producer id, epoch, base sequence
    .writeInt32(values.length)
    .writeRaw(records.toBuffer())
  const tail = afterCrc.toBuffer()
  let crc = crc32c(tail)
  if (opts.corruptCrc) crc = (crc ^ 0x5a5a5a5a) >>> 0
  const head = new Writer()
  head.writeInt64(0) // base offset
    .writeInt32(4 + 1 + 4 + tail.length) // batch length: from partition leader epoch to the end
    .writeInt32(-1) // partition leader epoch
    .writeInt8(2) // magic
    .writeUInt32(crc)
  return Buffer.concat([head.toBuffer(), tail])
}
