import assert from 'node:assert/strict'
import {RecordBatchBuilder} from '../../../../src/protocol/records/batch-builder.js'
import {CompressionCodec, isCrcValid} from '../../../../src/protocol/records/record-batch.js'
import {decodeRecordBatch, encodeRecordBatch} from '../../../../src/protocol/records/records.js'

const producer = {producerId: 7, producerEpoch: 2, baseSequence: 40}

describe('RecordBatchBuilder', () => {
  it('builds the same bytes as encodeRecordBatch for keyless, headerless records', () => {
    const b = new RecordBatchBuilder(16384)
    const values = ['a', 'bb', '', 'x'.repeat(300)].map((s) => Buffer.from(s))
    values.forEach((v, i) => assert.ok(b.appendValue(1_700_000_000_000 + i * 3, v)))
    const built = b.build({compression: CompressionCodec.None, ...producer})
    const expected = encodeRecordBatch({
      ...producer,
      records: values.map((value, i) => ({key: null, value, timestamp: 1_700_000_000_000 + i * 3})),
    })
    assert.deepEqual(built, expected)
  })

  it('writes values in place at the returned position; every codec decodes back with a valid CRC', () => {
    for (const codec of [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd]) {
      const b = new RecordBatchBuilder(4096)
      for (let i = 0; i < 20; i++) {
        const at = b.appendValueSlot(1000 + i, 4)
        b.buffer.write(`v${String(i).padStart(3, '0')}`, at, 'latin1')
      }
      const built = b.build({compression: codec, ...producer})
      assert.ok(isCrcValid(built, 0, built.length))
      const d = decodeRecordBatch(built)
      assert.equal(d.compression, codec)
      assert.equal(d.recordsCount, 20)
      assert.deepEqual([d.producerId, d.producerEpoch, d.baseSequence], [7, 2, 40])
      assert.deepEqual(d.records.map((r) => r.value!.toString()), Array.from({length: 20}, (_, i) => `v${String(i).padStart(3, '0')}`))
      assert.deepEqual(d.records.map((r) => r.timestamp), Array.from({length: 20}, (_, i) => 1000 + i))
      assert.ok(d.records.every((r) => r.key === null && r.headers.length === 0))
    }
  })

  it('refuses a record beyond the capacity but always takes the first; refuses appends once built', () => {
    const small = new RecordBatchBuilder(100)
    assert.ok(small.appendValueSlot(1, 500) >= 0, 'a first record larger than the capacity still goes in')
    assert.equal(small.appendValueSlot(1, 1), -1)
    assert.equal(decodeRecordBatch(small.build({compression: CompressionCodec.None, producerId: -1, producerEpoch: -1, baseSequence: -1})).records[0].value!.length, 500)
    const b = new RecordBatchBuilder(61 + 3 * 11) // 11 bytes a record: length, attributes, 2 deltas, key -1, value length, 4 value bytes, 0 headers
    let n = 0
    while (b.appendValueSlot(5, 4) >= 0) n++
    assert.equal(n, 3)
    assert.equal(b.sizeInBytes, 61 + 3 * 11)
    b.build({compression: CompressionCodec.None, producerId: -1, producerEpoch: -1, baseSequence: -1})
    assert.equal(new RecordBatchBuilder(1000).appendValueSlot(1, 1) >= 0, true)
    assert.equal(b.appendValueSlot(5, 0), -1)
  })
})
