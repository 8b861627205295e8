import {strict as assert} from 'node:assert'
import {CompressionCodec, decodeRecordBatch, encodeRecordBatch} from '../../../../../src/protocol/records/records.js'
import {readBatchHeader} from '../../../../../src/protocol/records/record-batch.js'
import {forEachRecordKey} from '../../../../../src/server/log/cleaner/record-keys.js'

describe('forEachRecordKey', () => {
  for (const compression of [CompressionCodec.None, CompressionCodec.Zstd]) {
    it(`yields the key, offset and value presence of every record as decoding does (${CompressionCodec[compression]}); stops when asked`, () => {
      const records = Array.from({length: 40}, (_, i) => ({
        key: i % 7 === 3 ? null : Buffer.from(`key-${i}-${'k'.repeat(i * 5)}`), value: i % 5 === 0 ? null : Buffer.alloc(i * 11, i),
        headers: i % 4 === 0 ? [{key: 'h', value: Buffer.from('v')}] : [], timestamp: 1_700_000_000_000 + i * 1_000_000_000, offsetDelta: i * 3,
      }))
      const batch = encodeRecordBatch({baseOffset: 5000, records, compression})
      const buf = Buffer.concat([Buffer.alloc(9), batch]) // not at position 0
      const h = readBatchHeader(buf, 9)
      const seen: Array<[string | null, number, boolean]> = []
      assert.equal(forEachRecordKey(buf, h, (data, s, e, offset, hasValue) => { seen.push([s < 0 ? null : data.toString('latin1', s, e), offset, hasValue]); return true }), true)
      const expected = decodeRecordBatch(buf, 9).records.map(r => [r.key === null ? null : r.key.toString('latin1'), r.offset, r.value !== null] as [string | null, number, boolean])
      assert.equal(expected.filter(r => r[0] !== null).length, 34)
      assert.equal(expected.filter(r => !r[2]).length, 8)
      assert.deepEqual(seen, expected)
      let n = 0
      assert.equal(forEachRecordKey(buf, h, () => ++n < 3), false)
      assert.equal(n, 3)
    })
  }

  it('refuses a record that overruns its batch', () => {
    const batch = encodeRecordBatch({records: [{key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1}]})
    batch[61] = 0x7e // record length 63 > what is left
    assert.throws(() => forEachRecordKey(batch, readBatchHeader(batch, 0), () => true), /overruns/)
  })
})
