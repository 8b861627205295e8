import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {encodeRecordBatch} from '../../../../../src/protocol/records/records.js'
import {MAX_TIMESTAMP_OFFSET, readInt64At} from '../../../../../src/protocol/records/record-batch.js'
import {CLEANED_FILE_SUFFIX, LogSegment, type BatchPosition} from '../../../../../src/server/log/log-segment.js'
import {CleanedSegmentWriter} from '../../../../../src/server/log/cleaner/cleaned-segment-writer.js'

describe('CleanedSegmentWriter', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-cleaned-writer-')) })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('lays out .log, .index, .timeindex and .txnindex as LogSegment does, and the files open as a LogSegment', () => {
    const base = 1000
    // batches with gaps in offsets (as after cleaning), timestamps not monotonic, varied sizes
    const batches: Buffer[] = []
    let offset = base
    for (let i = 0; i < 60; i++) {
      const n = 1 + (i % 4)
      const records = Array.from({length: n}, (_, j) => ({key: Buffer.from(`k${i}-${j}`), value: Buffer.alloc(30 + 17 * (i % 5), 0x61), timestamp: 5000 + ((i * 37) % 23) * 10}))
      const b = encodeRecordBatch({baseOffset: offset, records})
      batches.push(b)
      offset += n + (i % 3)
    }
    const indexBytes = 8 * 7 // a full offset index (7 entries) and time index (4 entries) before the end
    const interval = 200
    // reference: a LogSegment appending chunks of 5 batches, then rolled
    const refDir = path.join(dir, 'ref')
    fs.mkdirSync(refDir)
    const ref = new LogSegment(refDir, base, indexBytes, interval)
    const writer = new CleanedSegmentWriter({log: path.join(dir, '00000000000000001000.log.cleaned'), index: path.join(dir, '00000000000000001000.index.cleaned'),
      timeIndex: path.join(dir, '00000000000000001000.timeindex.cleaned'), txnIndex: path.join(dir, '00000000000000001000.txnindex.cleaned')}, base, indexBytes, interval)
    for (let i = 0; i < batches.length; i += 5) {
      const chunk = batches.slice(i, i + 5)
      const buf = Buffer.concat(chunk)
      const positions: BatchPosition[] = []
      let pos = 0
      for (const b of chunk) {
        const last = readInt64At(b, 0) + b.readInt32BE(23)
        positions.push({baseOffset: readInt64At(b, 0), lastOffset: last, position: pos, size: b.length, maxTimestamp: readInt64At(b, MAX_TIMESTAMP_OFFSET), epoch: 0})
        pos += b.length
      }
      ref.append(buf, 0, buf.length, positions)
      writer.append(buf, buf.length, positions.map(p => ({lastOffset: p.lastOffset, maxTimestamp: p.maxTimestamp, size: p.size})))
    }
    const txns = [{producerId: 7, firstOffset: 1001, lastOffset: 1010, lastStableOffset: 1001}, {producerId: 8, firstOffset: 1003, lastOffset: 1020, lastStableOffset: 1003}]
    for (const t of txns) ref.txnIndex.append(t)
    ref.onBecomeInactive()
    const facts = writer.finish(txns)
    assert.ok(ref.offsetIndex.isFull(), 'the test fills the offset index')
    for (const suffix of ['.log', '.index', '.timeindex', '.txnindex']) {
      assert.deepEqual(fs.readFileSync(path.join(dir, `00000000000000001000${suffix}.cleaned`)), fs.readFileSync(path.join(refDir, `00000000000000001000${suffix}`)), suffix)
    }
    assert.deepEqual(facts, {size: ref.size, nextOffset: ref.nextOffset, maxTimestamp: ref.maxTimestampSoFar, offsetOfMaxTimestamp: ref.offsetOfMaxTimestampSoFar,
      firstBatchTimestamp: ref.firstBatchTimestamp})
    const probes = [base, base + 1, 1050, 1100, 1150, facts.nextOffset - 1]
    const expected = probes.map(o => ref.translateOffset(o))
    ref.close()
    const opened = new LogSegment(dir, base, indexBytes, interval, Date.now(), CLEANED_FILE_SUFFIX)
    assert.equal(opened.size, facts.size)
    assert.deepEqual(opened.txnIndex.all(), txns)
    assert.deepEqual(probes.map(o => opened.translateOffset(o)), expected)
    assert.ok(expected.every(b => b !== null))
    opened.close()
  })

  it('discard() removes what it wrote', () => {
    const files = {log: path.join(dir, 'a.log.cleaned'), index: path.join(dir, 'a.index.cleaned'), timeIndex: path.join(dir, 'a.timeindex.cleaned'), txnIndex: path.join(dir, 'a.txnindex.cleaned')}
    const w = new CleanedSegmentWriter(files, 0, 4096, 4096)
    const b = encodeRecordBatch({records: [{key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1}]})
    w.append(b, b.length, [{lastOffset: 0, maxTimestamp: 1, size: b.length}])
    w.discard()
    assert.deepEqual(fs.readdirSync(dir), [])
  })
})
