/**
 * Micro benchmark for record batch encode/decode and CRC-32C.
 * Run: `npx tsx bench/records.ts` (prints MB/s and records/s per codec).
 */
import {crc32c} from '../src/protocol/records/crc32c.js'
import {CompressionCodec, decodeRecordBatches, encodeRecordBatch, type RecordInput} from '../src/protocol/records/records.js'

function bench(name: string, bytesPerOp: number, recordsPerOp: number, fn: () => void): void {
  for (let i = 0; i < 20; i++) fn()
  const start = process.hrtime.bigint()
  let ops = 0
  let elapsedNs = 0n
  while (elapsedNs < 500_000_000n) {
    fn()
    ops++
    elapsedNs = process.hrtime.bigint() - start
  }
  const s = Number(elapsedNs) / 1e9
  console.log(`${name.padEnd(28)} ${(bytesPerOp * ops / s / 1e6).toFixed(1).padStart(8)} MB/s ${(recordsPerOp * ops / s / 1e6).toFixed(2).padStart(7)} M records/s`)
}

const records: RecordInput[] = []
for (let i = 0; i < 1000; i++) {
  records.push({key: Buffer.from(`key-${i}`), value: Buffer.alloc(100, i & 0xff), headers: i % 10 === 0 ? [{key: 'trace', value: Buffer.from('abc')}] : undefined, timestamp: 1_700_000_000_000 + i})
}
const rawSize = encodeRecordBatch({records}).length

const big = Buffer.alloc(1 << 20, 7)
bench('crc32c 1 MiB', big.length, 0, () => crc32c(big))

for (const codec of [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd]) {
  const name = CompressionCodec[codec]
  bench(`encode ${name}`, rawSize, records.length, () => encodeRecordBatch({records, compression: codec}))
  const buf = encodeRecordBatch({records, compression: codec})
  bench(`decode ${name}`, rawSize, records.length, () => decodeRecordBatches(buf))
}
