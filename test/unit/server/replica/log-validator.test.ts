import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {CompressionCodec, isCrcValid, readBatchHeader} from '../../../../src/protocol/records/record-batch.js'
import {decodeRecordBatch, encodeRecordBatch, type RecordInput} from '../../../../src/protocol/records/records.js'
import {logValidatorConfig, validateRecords, type LogValidatorConfig} from '../../../../src/server/replica/log-validator.js'

const T0 = 1_700_000_000_000
const NOW = T0 + 10_000
const DELETE: LogValidatorConfig = logValidatorConfig({cleanupPolicy: 'delete', messageTimestampType: 'CreateTime'})
const COMPACT: LogValidatorConfig = logValidatorConfig({cleanupPolicy: 'compact,delete', messageTimestampType: 'CreateTime'})

function records(timestamps: number[], keys: (string | null)[] = timestamps.map((_, i) => `k${i}`)): RecordInput[] {
  return timestamps.map((timestamp, i) => ({key: keys[i] === null ? null : Buffer.from(keys[i]!), value: Buffer.from(`v${i}`), timestamp}))
}

function batch(rs: RecordInput[], opts: {maxTimestamp?: number, compression?: CompressionCodec} = {}): Buffer {
  return encodeRecordBatch({records: rs, compression: opts.compression ?? CompressionCodec.None, ...(opts.maxTimestamp === undefined ? {} : {maxTimestamp: opts.maxTimestamp})})
}

function ok(r: ReturnType<typeof validateRecords>): Buffer {
  if (!r.ok) assert.fail(`expected success, got error ${r.errorCode}: ${r.errorMessage}`)
  return r.records
}

describe('LogValidator (validateRecords)', () => {
  it('keeps a consistent uncompressed batch byte for byte', () => {
    const b = batch(records([T0, T0 + 5, T0 + 2]))
    const copy = Buffer.from(b)
    assert.equal(ok(validateRecords(b, 't-0', DELETE, NOW)), b)
    assert.deepEqual(b, copy)
  })

  for (const [name, codec] of [['uncompressed', CompressionCodec.None], ['lz4', CompressionCodec.Lz4], ['gzip', CompressionCodec.Gzip]] as const) {
    it(`recomputes a maxTimestamp of -1 and a stale one from the records (${name}), with a valid CRC`, () => {
      for (const stale of [-1, T0 + 1]) {
        const b = batch(records([T0, T0 + 7, T0 + 3]), {maxTimestamp: stale, compression: codec})
        assert.equal(readBatchHeader(b).maxTimestamp, stale)
        const out = ok(validateRecords(b, 't-0', DELETE, NOW))
        const h = readBatchHeader(out)
        assert.equal(h.maxTimestamp, T0 + 7)
        assert.ok(isCrcValid(out, 0, out.length))
        assert.deepEqual(decodeRecordBatch(out).records.map(r => r.value?.toString()), ['v0', 'v1', 'v2'])
      }
    })
  }

  it('lowers a maxTimestamp above every record timestamp (Kafka sets it from the records)', () => {
    const out = ok(validateRecords(batch(records([T0, T0 + 1]), {maxTimestamp: T0 + 999}), 't-0', DELETE, NOW))
    assert.equal(readBatchHeader(out).maxTimestamp, T0 + 1)
  })

  it('refuses keyless records on a compacted topic with one record error each (KIP-467)', () => {
    for (const codec of [CompressionCodec.None, CompressionCodec.Zstd]) {
      const r = validateRecords(batch(records([T0, T0, T0, T0], ['a', null, 'c', null]), {compression: codec}), 'orders-3', COMPACT, NOW)
      assert.ok(!r.ok)
      assert.equal(r.errorCode, ErrorCode.INVALID_RECORD)
      const msg = 'Compacted topic cannot accept message without key in topic partition orders-3.'
      assert.deepEqual(r.recordErrors, [{batchIndex: 1, batchIndexErrorMessage: msg}, {batchIndex: 3, batchIndexErrorMessage: msg}])
      assert.equal(r.errorMessage, 'One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: ' +
        `[RecordError(batchIndex=1, message='${msg}'), RecordError(batchIndex=3, message='${msg}')]`)
    }
    assert.ok(validateRecords(batch(records([T0], [null])), 't-0', DELETE, NOW).ok, 'keyless records are fine without compaction')
  })

  it('refuses CreateTime timestamps outside message.timestamp.before/after.max.ms with INVALID_TIMESTAMP', () => {
    const cfg = logValidatorConfig({cleanupPolicy: 'delete', messageTimestampType: 'CreateTime', messageTimestampBeforeMaxMs: 5000, messageTimestampAfterMaxMs: 1000})
    assert.ok(validateRecords(batch(records([NOW - 5000, NOW + 1000])), 't-0', cfg, NOW).ok)
    const r = validateRecords(batch(records([NOW, NOW - 5001, NOW + 1001])), 't-0', cfg, NOW)
    assert.ok(!r.ok)
    assert.equal(r.errorCode, ErrorCode.INVALID_TIMESTAMP)
    assert.equal(r.errorMessage, 'One or more records have been rejected due to invalid timestamp')
    assert.deepEqual(r.recordErrors.map(e => e.batchIndex), [1, 2])
    assert.equal(r.recordErrors[0].batchIndexErrorMessage, `Timestamp ${NOW - 5001} of message with offset 1 is out of range. The timestamp should be within [${NOW - 5000}, ${NOW + 1000}]`)
    // message.timestamp.difference.max.ms stands in when before/after are unbounded (KIP-937)
    const diff = logValidatorConfig({cleanupPolicy: 'delete', messageTimestampType: 'CreateTime', messageTimestampDifferenceMaxMs: 100})
    assert.equal(validateRecords(batch(records([NOW - 101])), 't-0', diff, NOW).ok, false)
    // LogAppendTime topics do not check producer timestamps
    const lat = logValidatorConfig({cleanupPolicy: 'delete', messageTimestampType: 'LogAppendTime', messageTimestampBeforeMaxMs: 1})
    assert.ok(validateRecords(batch(records([0])), 't-0', lat, NOW).ok)
  })

  it('refuses a record count that disagrees with the records (INVALID_RECORD, Kafka messages)', () => {
    const b = batch(records([T0, T0, T0]))
    const more = Buffer.from(b)
    more.writeInt32BE(2, 57) // count 2, three records present
    const r1 = validateRecords(more, 't-0', DELETE, NOW)
    assert.ok(!r1.ok)
    assert.equal(r1.errorCode, ErrorCode.INVALID_RECORD)
    assert.equal(r1.errorMessage, 'Incorrect declared batch size, records still remaining in file in topic partition t-0')
    const fewer = Buffer.from(b)
    fewer.writeInt32BE(4, 57)
    const r2 = validateRecords(fewer, 't-0', DELETE, NOW)
    assert.ok(!r2.ok)
    assert.equal(r2.errorCode, ErrorCode.INVALID_RECORD)
  })

  it('rebuilds a compressed batch whose inner offset deltas are not 0..n-1', () => {
    const rs = records([T0, T0 + 1, T0 + 2]).map((r, i) => ({...r, offsetDelta: i * 2}))
    const b = encodeRecordBatch({records: rs, compression: CompressionCodec.Gzip})
    // count 3 but lastOffsetDelta 4: make the header consistent as a client would
    b.writeInt32BE(2, 23)
    const out = ok(validateRecords(b, 't-0', DELETE, NOW))
    assert.notEqual(out, b)
    const d = decodeRecordBatch(out)
    assert.deepEqual(d.records.map(r => r.offsetDelta), [0, 1, 2])
    assert.equal(d.compression, CompressionCodec.Gzip)
  })

  it('recompresses to the topic codec after fixing the max timestamp', () => {
    const cfg = logValidatorConfig({cleanupPolicy: 'delete', messageTimestampType: 'CreateTime', compressionType: 'zstd'})
    const out = ok(validateRecords(batch(records([T0, T0 + 9]), {maxTimestamp: -1}), 't-0', cfg, NOW))
    const d = decodeRecordBatch(out)
    assert.equal(d.compression, CompressionCodec.Zstd)
    assert.equal(d.maxTimestamp, T0 + 9)
  })
})
