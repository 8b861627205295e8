import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {encodeRecordBatch, decodeRecordBatches} from '../../../../src/protocol/records/records.js'
import {KafkaMetadataLog} from '../../../../src/server/raft/kafka-metadata-log.js'
import {MemoryLog} from './sim/memory-log.js'
import {prng} from './sim/raft-sim.js'

function batch(epoch: number, base: number, n: number, tag = 'v'): Buffer {
  return encodeRecordBatch({baseOffset: base, partitionLeaderEpoch: epoch, records: Array.from({length: n}, (_, i) => ({key: null, value: Buffer.from(`${tag}${base + i}`), timestamp: 1000}))})
}

describe('KafkaMetadataLog (the metadata log over UnifiedLog)', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-mlog-')) })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('appends as leader and follower, reads whole batches, answers end offsets per epoch', () => {
    const log = KafkaMetadataLog.open({metadataLogDir: dir})
    assert.equal(log.endOffset(), 0)
    assert.equal(log.lastEpoch(), null)
    assert.equal(log.endOffsetForEpoch(1), null)
    assert.deepEqual(log.appendAsLeader(batch(0, 0, 2), 1), {firstOffset: 0, lastOffset: 1})
    log.appendAsFollower(batch(3, 2, 3))
    assert.throws(() => log.appendAsFollower(batch(3, 9, 1)), /does not start at the log end offset/)
    log.flush()
    assert.equal(log.endOffset(), 5)
    assert.equal(log.lastEpoch(), 3)
    assert.deepEqual(log.endOffsetForEpoch(1), {epoch: 1, offset: 2})
    assert.deepEqual(log.endOffsetForEpoch(2), {epoch: 1, offset: 2})
    assert.deepEqual(log.endOffsetForEpoch(3), {epoch: 3, offset: 5})
    assert.deepEqual(log.endOffsetForEpoch(7), {epoch: 3, offset: 5})
    assert.deepEqual(log.endOffsetForEpoch(0), {epoch: 0, offset: 0})
    const read = decodeRecordBatches(log.read(2, 1))
    assert.equal(read.length, 1, 'at least one batch')
    assert.equal(read[0].baseOffset, 2)
    assert.equal(log.read(5, 100).length, 0)
    const pm = fs.readFileSync(path.join(dir, '__cluster_metadata-0', 'partition.metadata'), 'utf8')
    assert.match(pm, /topic_id: AAAAAAAAAAAAAAAAAAAAAQ/)
    log.close()
  })

  it('recovers a torn tail on open and opens the index-less single segment earlier versions wrote', () => {
    const pdir = path.join(dir, '__cluster_metadata-0')
    fs.mkdirSync(pdir)
    const good = Buffer.concat([batch(1, 0, 2), batch(1, 2, 1)])
    fs.writeFileSync(path.join(pdir, '00000000000000000000.log'), Buffer.concat([good, batch(1, 3, 4).subarray(0, 30)]))
    const log = KafkaMetadataLog.open({metadataLogDir: dir})
    assert.equal(log.bytesTruncatedOnLoad, 30)
    assert.equal(log.endOffset(), 3)
    assert.equal(log.lastEpoch(), 1)
    assert.ok(fs.existsSync(path.join(pdir, '00000000000000000000.index')))
    assert.deepEqual(log.read(0, 1 << 20), good)
    log.close()
  })

  it('behaves like the simulation log under random appends, truncations, log start moves and reopens', () => {
    const random = prng(42)
    let file = KafkaMetadataLog.open({metadataLogDir: dir, segmentBytes: 400})
    const mem = new MemoryLog()
    const boundaries = (): number[] => mem.allBatches().map(b => b.baseOffset)
    let epoch = 1
    for (let step = 0; step < 400; step++) {
      const r = random()
      if (r < 0.45) {
        if (random() < 0.2) epoch++
        const b = batch(epoch, mem.endOffset(), 1 + Math.floor(random() * 3))
        if (random() < 0.5) {
          mem.appendAsLeader(Buffer.from(b), epoch)
          file.appendAsLeader(Buffer.from(b), epoch)
        } else {
          mem.appendAsFollower(b)
          file.appendAsFollower(b)
        }
      } else if (r < 0.55 && boundaries().length > 0) {
        const to = boundaries()[Math.floor(random() * boundaries().length)]
        mem.truncateTo(to)
        file.truncateTo(to)
      } else if (r < 0.62 && boundaries().length > 1) {
        const to = boundaries()[1 + Math.floor(random() * (boundaries().length - 1))]
        mem.deleteBefore(to)
        file.deleteBefore(to)
      } else if (r < 0.64) {
        const to = mem.endOffset() + Math.floor(random() * 5)
        mem.truncateFullyAndStartAt(to)
        file.truncateFullyAndStartAt(to)
      } else if (r < 0.7) {
        mem.flush()
        file.flush()
        file.close()
        file = KafkaMetadataLog.open({metadataLogDir: dir, segmentBytes: 400})
        file.deleteBefore(mem.startOffset()) // the Raft core moves the start back to its snapshot
      }
      const where = `step ${step}`
      assert.equal(file.startOffset(), mem.startOffset(), `${where}: start offset`)
      assert.equal(file.endOffset(), mem.endOffset(), `${where}: end offset`)
      if (mem.allBatches().length > 0) assert.equal(file.lastEpoch(), mem.lastEpoch(), `${where}: last epoch`)
      for (let e = 0; e <= epoch + 1; e++) {
        if (mem.allBatches().length > 0) assert.deepEqual(file.endOffsetForEpoch(e), mem.endOffsetForEpoch(e), `${where}: end offset for epoch ${e}`)
      }
      for (const o of boundaries()) {
        // a read stops at a segment end: it must be a non-empty prefix of the whole tail
        const f = file.read(o, 1 << 20)
        assert.ok(f.length > 0 && mem.read(o, 1 << 20).subarray(0, f.length).equals(f), `${where}: read at ${o}`)
      }
    }
    file.close()
  })
})
