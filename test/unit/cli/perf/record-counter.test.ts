import assert from 'node:assert/strict'
import {countRecords, nextFetchOffset} from '../../../../src/cli/perf/record-counter.js'
import {CompressionCodec} from '../../../../src/protocol/records/record-batch.js'
import {encodeEndTxnMarkerBatch, encodeRecordBatch} from '../../../../src/protocol/records/records.js'

function batch(baseOffset: number, values: string[], compression = CompressionCodec.None, key: string | null = null): Buffer {
  return encodeRecordBatch({baseOffset, compression, records: values.map((v) => ({key: key === null ? null : Buffer.from(key), value: Buffer.from(v)}))})
}

describe('perf tools: counting fetched records without decoding them', () => {
  const fetched = Buffer.concat([
    batch(0, ['a', 'bb', 'ccc']),
    batch(3, ['dddd', 'e'], CompressionCodec.Lz4, 'kk'),
    encodeEndTxnMarkerBatch({producerId: 1, producerEpoch: 0, coordinatorEpoch: 0, commit: true, baseOffset: 5}),
    batch(6, ['ff', 'ggg'], CompressionCodec.Zstd),
  ])

  it('counts records and key + value bytes across plain, compressed and control batches', () => {
    assert.deepEqual(countRecords(fetched, 0, 100), {records: 7, bytes: 1 + 2 + 3 + (2 + 4) + (2 + 1) + 2 + 3, position: 8})
    assert.equal(nextFetchOffset(fetched, 0), 8)
  })

  it('skips records before the fetch offset (inside a batch too) and stops at the limit', () => {
    assert.deepEqual(countRecords(fetched, 1, 100), {records: 6, bytes: 2 + 3 + 6 + 3 + 2 + 3, position: 8})
    assert.deepEqual(countRecords(fetched, 0, 4), {records: 4, bytes: 1 + 2 + 3 + 6, position: 4})
    assert.deepEqual(countRecords(fetched, 4, 2), {records: 2, bytes: 3 + 2, position: 7})
  })

  it('ignores a trailing partial batch', () => {
    const partial = fetched.subarray(0, fetched.length - 10)
    assert.deepEqual(countRecords(partial, 0, 100), {records: 5, bytes: 15, position: 6})
    assert.equal(nextFetchOffset(partial, 0), 6)
    assert.equal(nextFetchOffset(Buffer.alloc(0), 42), 42)
  })
})
