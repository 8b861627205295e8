/** Builds a valid v2 record batch header + dummy record bytes + CRC-32C (test helper; no records.ts). */
import {updateCrc, writeInt64At} from '../../../../src/protocol/records/record-batch.js'

export function makeBatch(opts: {count?: number, baseOffset?: number, timestamp?: number, epoch?: number, payloadBytes?: number} = {}): Buffer {
  const count = opts.count ?? 1
  const payload = opts.payloadBytes ?? 20
  const size = 61 + payload
  const b = Buffer.alloc(size, 0x61)
  writeInt64At(b, 0, opts.baseOffset ?? 0)
  b.writeInt32BE(size - 12, 8)
  b.writeInt32BE(opts.epoch ?? -1, 12)
  b.writeInt8(2, 16)
  b.writeInt16BE(0, 21)
  b.writeInt32BE(count - 1, 23)
  const ts = opts.timestamp ?? 1000
  writeInt64At(b, 27, ts)
  writeInt64At(b, 35, ts)
  writeInt64At(b, 43, -1)
  b.writeInt16BE(-1, 51)
  b.writeInt32BE(-1, 53)
  b.writeInt32BE(count, 57)
  updateCrc(b, 0, size)
  return b
}
