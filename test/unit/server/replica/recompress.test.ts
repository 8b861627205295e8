import assert from 'node:assert/strict'
import {isCrcValid} from '../../../../src/protocol/records/record-batch.js'
import {CompressionCodec, CorruptRecordError, decodeRecordBatch, encodeRecordBatch, type RecordInput} from '../../../../src/protocol/records/records.js'
import {recompressForTopic, targetCodec} from '../../../../src/server/replica/recompress.js'

const records: RecordInput[] = [
  {key: Buffer.from('k1'), value: Buffer.from('v1'.repeat(50)), headers: [{key: 'h', value: Buffer.from('x')}], timestamp: 1_700_000_000_005},
  {key: null, value: null, timestamp: 1_700_000_000_001},
  {key: Buffer.from('k3'), value: Buffer.from('v3'), timestamp: 1_700_000_000_009},
]

function batch(compression: CompressionCodec): Buffer {
  return encodeRecordBatch({compression, records, producerId: 42, producerEpoch: 3, baseSequence: 17, isTransactional: false})
}

describe('recompressForTopic (topic compression.type)', () => {
  it('maps compression.type to the target codec; producer/unknown keep the source', () => {
    assert.equal(targetCodec('producer', CompressionCodec.Lz4), CompressionCodec.Lz4)
    assert.equal(targetCodec(undefined, CompressionCodec.Snappy), CompressionCodec.Snappy)
    assert.equal(targetCodec('uncompressed', CompressionCodec.Gzip), CompressionCodec.None)
    assert.equal(targetCodec('zstd', CompressionCodec.None), CompressionCodec.Zstd)
  })

  it('returns the same buffer when the batch already has the target codec or the topic says producer', () => {
    const g = batch(CompressionCodec.Gzip)
    assert.equal(recompressForTopic(g, 'gzip'), g)
    assert.equal(recompressForTopic(g, 'producer'), g)
    const n = batch(CompressionCodec.None)
    assert.equal(recompressForTopic(n, 'uncompressed'), n)
  })

  for (const [from, to, name] of [
    [CompressionCodec.None, CompressionCodec.Gzip, 'gzip'],
    [CompressionCodec.Lz4, CompressionCodec.Zstd, 'zstd'],
    [CompressionCodec.Gzip, CompressionCodec.None, 'uncompressed'],
    [CompressionCodec.Zstd, CompressionCodec.Snappy, 'snappy'],
    [CompressionCodec.Snappy, CompressionCodec.Lz4, 'lz4'],
  ] as const) {
    it(`codec ${from} under compression.type=${name}: same records, producer fields and timestamps, codec ${to}, valid CRC`, () => {
      const out = recompressForTopic(batch(from), name, {gzip: 9, zstd: 5})
      assert.ok(isCrcValid(out, 0, out.length))
      const a = decodeRecordBatch(batch(from))
      const b = decodeRecordBatch(out)
      assert.equal(b.compression, to)
      for (const f of ['producerId', 'producerEpoch', 'baseSequence', 'lastOffsetDelta', 'recordsCount', 'baseTimestamp', 'maxTimestamp', 'isTransactional', 'timestampType', 'partitionLeaderEpoch'] as const) {
        assert.equal(b[f], a[f], f)
      }
      const view = (r: typeof a.records[number]): unknown => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null, r.headers.map((h) => `${h.key}=${h.value}`)]
      assert.deepEqual(b.records.map(view), a.records.map(view))
    })
  }

  it('a batch whose compressed payload does not decode is CORRUPT_MESSAGE', () => {
    const g = batch(CompressionCodec.Gzip)
    g.fill(0x55, 70, 90) // inside the gzip stream (the CRC is not re-checked here)
    assert.throws(() => recompressForTopic(g, 'lz4'), CorruptRecordError)
  })
})
