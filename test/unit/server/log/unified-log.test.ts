import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {UnifiedLog, OffsetOutOfRangeError, CorruptRecordError, DEFAULT_LOG_CONFIG, type LogConfig} from '../../../../src/server/log/index.js'
import {batchHeaders} from '../../../../src/protocol/records/record-batch.js'
import {makeBatch} from './batch-helper.js'
import {CompressionCodec, encodeRecordBatch} from '../../../../src/protocol/records/records.js'

const tp = {topic: 'orders', partition: 0}

describe('UnifiedLog', () => {
  let root: string
  let dir: string
  const cfg = (o: Partial<LogConfig> = {}): LogConfig => ({...DEFAULT_LOG_CONFIG, segmentBytes: 1000, indexIntervalBytes: 100, segmentIndexBytes: 4096, fileDeleteDelayMs: 0, ...o})
  const open = (o: Partial<LogConfig> = {}, clean = true, recoveryPoint = 0): UnifiedLog =>
    UnifiedLog.open({dir, topicPartition: tp, config: cfg(o), recoveryPoint, hadCleanShutdown: clean})
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-log-')); dir = path.join(root, 'orders-0') })
  afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

  function fill(log: UnifiedLog, n: number, epoch = 0, ts = (i: number) => 1000 + i): void {
    for (let i = 0; i < n; i++) log.appendAsLeader(makeBatch({count: 2, timestamp: ts(i)}), epoch)
  }
  /** Like fill, with decodable records (timestamp lookups decode the batch they land in). */
  function fillRecords(log: UnifiedLog, n: number, ts: (i: number) => number): void {
    for (let i = 0; i < n; i++) {
      log.appendAsLeader(encodeRecordBatch({records: [0, 1].map(() => ({key: null, value: Buffer.from('v'), timestamp: ts(i)}))}), 0)
    }
  }
  const offsetsOf = (buf: Buffer): number[] => [...batchHeaders(buf)].map(h => h.baseOffset)

  it('assigns offsets, rolls segments and reads across them', () => {
    const log = open()
    fill(log, 50)
    assert.equal(log.logEndOffset, 100)
    assert.ok(log.numberOfSegments > 3, `segments ${log.numberOfSegments}`)
    const names = fs.readdirSync(dir).sort()
    assert.ok(names.includes('00000000000000000000.log'))
    assert.ok(names.includes('00000000000000000000.index'))
    assert.ok(names.includes('00000000000000000000.timeindex'))
    assert.ok(names.includes('leader-epoch-checkpoint'))
    for (const s of log.segmentBaseOffsets().slice(0, -1)) {
      const st = fs.statSync(path.join(dir, String(s).padStart(20, '0') + '.log'))
      assert.ok(st.size <= 1000)
    }
    // every offset readable, batch containing it first
    for (let o = 0; o < 100; o++) {
      const r = log.read(o, 100000, 100, false)
      const offs = offsetsOf(r.records)
      assert.equal(offs[0], o - (o % 2), `offset ${o}`)
      assert.equal(r.firstOffset, o - (o % 2))
    }
    const all: number[] = []
    let next = 0
    while (next < 100) { const r = log.read(next, 100000, 100, false); const o = offsetsOf(r.records); all.push(...o); next = o[o.length - 1] + 2 }
    assert.deepEqual(all, Array.from({length: 50}, (_, i) => i * 2))
    log.close()
  })

  it('read honours maxOffsetExclusive, maxBytes and minOneBatch; out of range throws', () => {
    const log = open({segmentBytes: 1 << 20})
    fill(log, 10)
    assert.deepEqual(offsetsOf(log.read(0, 1 << 20, 6, false).records), [0, 2, 4])
    assert.equal(log.read(6, 1 << 20, 6, false).records.length, 0)
    assert.equal(log.read(0, 10, 20, false).records.length, 0)
    assert.deepEqual(offsetsOf(log.read(0, 10, 20, true).records), [0])
    assert.deepEqual(offsetsOf(log.read(0, 81 * 2, 20, true).records), [0, 2])
    assert.equal(log.read(20, 100, 20, true).records.length, 0)
    assert.throws(() => log.read(21, 100, 30, true), OffsetOutOfRangeError)
    assert.throws(() => log.read(-1, 100, 30, true), OffsetOutOfRangeError)
    log.close()
  })

  it('rejects corrupt input without changing the log', () => {
    const log = open()
    const b = makeBatch(); b[70] ^= 0xff
    assert.throws(() => log.appendAsLeader(b, 0), CorruptRecordError)
    assert.throws(() => log.appendAsLeader(makeBatch().subarray(0, 50), 0), CorruptRecordError)
    assert.equal(log.logEndOffset, 0)
    assert.equal(log.size, 0)
    log.close()
  })

  it('timestamp lookup and max timestamp', () => {
    const log = open()
    fillRecords(log, 40, i => 10_000 + i * 10)
    assert.deepEqual(log.fetchOffsetByTimestamp(0), {offset: 0, timestamp: 10_000, leaderEpoch: 0})
    assert.equal(log.fetchOffsetByTimestamp(10_205)!.offset, 42)
    assert.equal(log.fetchOffsetByTimestamp(10_210)!.offset, 42)
    assert.equal(log.fetchOffsetByTimestamp(10_390)!.offset, 78)
    assert.equal(log.fetchOffsetByTimestamp(10_391), null)
    assert.deepEqual(log.fetchMaxTimestamp(), {offset: 78, timestamp: 10_390, leaderEpoch: 0}, 'the first record with the max timestamp')
    log.close()
  })

  it('timestamp lookups answer with the record, not the batch (Kafka FileRecords.searchForTimestamp, offsetOfMaxTimestamp)', () => {
    const log = open()
    const batch = (compression: CompressionCodec, ts: number[]): Buffer =>
      encodeRecordBatch({compression, records: ts.map((timestamp) => ({key: null, value: Buffer.from('v'), timestamp}))})
    log.appendAsLeader(batch(CompressionCodec.None, [5, 1, 9, 3]), 0)
    log.appendAsLeader(batch(CompressionCodec.Gzip, [5, 1, 9, 3]), 0)
    assert.deepEqual(log.fetchOffsetByTimestamp(2), {offset: 0, timestamp: 5, leaderEpoch: 0})
    assert.deepEqual(log.fetchOffsetByTimestamp(6), {offset: 2, timestamp: 9, leaderEpoch: 0})
    assert.deepEqual(log.fetchMaxTimestamp(), {offset: 2, timestamp: 9, leaderEpoch: 0})
    log.maybeIncrementLogStartOffset(5)
    assert.deepEqual(log.fetchOffsetByTimestamp(2), {offset: 6, timestamp: 9, leaderEpoch: 0}, 'records before the log start offset are skipped')
    log.appendAsLeader(batch(CompressionCodec.Gzip, [1, 20, 7, 20]), 0)
    assert.deepEqual(log.fetchOffsetByTimestamp(10), {offset: 9, timestamp: 20, leaderEpoch: 0})
    assert.deepEqual(log.fetchMaxTimestamp(), {offset: 9, timestamp: 20, leaderEpoch: 0})
    log.close()
  })

  it('leader-epoch cache, truncateTo and endOffsetForEpoch', () => {
    const log = open()
    fill(log, 5, 1); fill(log, 5, 3); fill(log, 5, 4)
    assert.equal(log.latestEpoch(), 4)
    assert.deepEqual(log.leaderEpochEntries(), [{epoch: 1, startOffset: 0}, {epoch: 3, startOffset: 10}, {epoch: 4, startOffset: 20}])
    assert.deepEqual(log.endOffsetForEpoch(2), {epoch: 1, endOffset: 10})
    assert.deepEqual(log.endOffsetForEpoch(4), {epoch: 4, endOffset: 30})
    assert.deepEqual(log.endOffsetForEpoch(5), {epoch: -1, endOffset: -1})
    assert.deepEqual(log.endOffsetForEpoch(0), {epoch: 0, endOffset: 0})
    assert.equal(log.epochForOffset(15), 3)
    assert.equal(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8'), '0\n3\n1 0\n3 10\n4 20\n')
    log.truncateTo(12)
    assert.equal(log.logEndOffset, 12)
    assert.equal(log.latestEpoch(), 3)
    assert.deepEqual(offsetsOf(log.read(10, 1 << 20, 100, false).records), [10])
    log.truncateTo(3) // mid-batch: the whole batch containing 3 goes with it? Kafka keeps batches ending below 3
    assert.equal(log.logEndOffset, 2)
    log.appendAsLeader(makeBatch(), 7)
    assert.equal(log.logEndOffset, 3)
    assert.deepEqual(log.leaderEpochEntries(), [{epoch: 1, startOffset: 0}, {epoch: 7, startOffset: 2}])
    log.truncateFullyAndStartAt(50)
    assert.equal(log.logStartOffset, 50); assert.equal(log.logEndOffset, 50)
    assert.deepEqual(fs.readdirSync(dir).filter(n => n.endsWith('.log')), ['00000000000000000050.log'])
    log.close()
  })

  it('appendAsFollower keeps offsets and rejects going backwards', () => {
    const log = open()
    log.appendAsFollower(Buffer.concat([makeBatch({baseOffset: 0, count: 3, epoch: 2}), makeBatch({baseOffset: 5, count: 1, epoch: 3})]))
    assert.equal(log.logEndOffset, 6)
    assert.equal(log.latestEpoch(), 3)
    assert.throws(() => log.appendAsFollower(makeBatch({baseOffset: 4})))
    log.close()
  })

  it('LogAppendTime sets maxTimestamp and the attribute bit with a valid CRC', () => {
    const log = open({messageTimestampType: 'LogAppendTime'})
    const info = log.appendAsLeader(makeBatch({timestamp: 5}), 0, 123456)
    assert.equal(info.logAppendTimeMs, 123456)
    const h = [...batchHeaders(log.read(0, 1000, 10, true).records)][0]
    assert.equal(h.maxTimestamp, 123456)
    assert.equal(h.attributes & 0x08, 0x08)
    log.close()
    const re = open({}, false)
    assert.equal(re.logEndOffset, 1) // CRC valid after recovery
    re.close()
  })

  it('retention by size, time and log start offset', () => {
    const log = open()
    fill(log, 50, 0, () => 1000)
    const segs = log.numberOfSegments
    const segSize = fs.statSync(path.join(dir, '00000000000000000000.log')).size
    // nothing below HW 0
    assert.equal(log.deleteOldSegments(Date.now(), 0), 0)
    log.config = cfg({retentionBytes: log.size - segSize * 2, retentionMs: -1})
    assert.equal(log.deleteOldSegments(Date.now(), 100), 2)
    assert.equal(log.numberOfSegments, segs - 2)
    assert.equal(log.logStartOffset, log.segmentBaseOffsets()[0])
    assert.ok(!fs.readdirSync(dir).some(n => n.startsWith('00000000000000000000.')))
    assert.throws(() => log.read(0, 100, 100, true), OffsetOutOfRangeError)
    log.maybeIncrementLogStartOffset(log.segmentBaseOffsets()[2] + 1)
    assert.equal(log.numberOfSegments, segs - 4)
    assert.equal(log.logStartOffset % 2, 1)
    log.config = cfg({retentionMs: 1000})
    const n = log.deleteOldSegments(1_000_000, 100)
    assert.equal(n, segs - 4)
    assert.equal(log.numberOfSegments, 1)
    assert.equal(log.logStartOffset, 100); assert.equal(log.logEndOffset, 100)
    log.close()
  })

  it('reopening after a clean close yields the same state; index files trimmed', () => {
    const log = open()
    fill(log, 30)
    const segs = log.segmentBaseOffsets()
    log.close()
    for (const n of fs.readdirSync(dir).filter(x => x.endsWith('.index'))) assert.equal(fs.statSync(path.join(dir, n)).size % 8, 0)
    const idx0 = fs.statSync(path.join(dir, '00000000000000000000.index')).size
    assert.ok(idx0 > 0 && idx0 < 4096)
    const re = open()
    assert.equal(re.logEndOffset, 60)
    assert.deepEqual(re.segmentBaseOffsets(), segs)
    re.appendAsLeader(makeBatch(), 0)
    assert.equal(re.logEndOffset, 61)
    re.close()
  })

  it('recovery truncates a torn tail batch', () => {
    const log = open({segmentBytes: 1 << 20})
    fill(log, 10)
    log.close()
    const f = path.join(dir, '00000000000000000000.log')
    const size = fs.statSync(f).size
    fs.truncateSync(f, size - 30)
    const re = open({segmentBytes: 1 << 20}, false)
    assert.equal(re.logEndOffset, 18)
    assert.equal(re.bytesTruncatedOnLoad, 81 - 30)
    assert.equal(fs.statSync(f).size, 81 * 9)
    re.appendAsLeader(makeBatch(), 0)
    assert.equal(re.logEndOffset, 19)
    re.close()
  })

  it('recovery truncates at a bad CRC in the middle of the last segment and deletes nothing valid before it', () => {
    const log = open()
    fill(log, 30)
    const segs = log.segmentBaseOffsets()
    log.close()
    const last = segs[segs.length - 1]
    const f = path.join(dir, String(last).padStart(20, '0') + '.log')
    const buf = fs.readFileSync(f)
    const batches = buf.length / 81
    assert.ok(batches >= 2)
    const bad = Math.floor(batches / 2)
    buf[bad * 81 + 70] ^= 0xff
    fs.writeFileSync(f, buf)
    const re = open({}, false, 0)
    assert.equal(re.logEndOffset, last + bad * 2)
    assert.equal(fs.statSync(f).size, bad * 81)
    re.close()
  })

  it('rebuilds missing index files', () => {
    const log = open({segmentBytes: 1 << 20})
    fillRecords(log, 40, i => 5000 + i)
    const before = log.read(41, 1 << 20, 80, false)
    log.close()
    fs.rmSync(path.join(dir, '00000000000000000000.index'))
    fs.rmSync(path.join(dir, '00000000000000000000.timeindex'))
    const re = open({segmentBytes: 1 << 20})
    assert.ok(fs.existsSync(path.join(dir, '00000000000000000000.index')))
    assert.equal(re.logEndOffset, 80)
    assert.deepEqual(re.read(41, 1 << 20, 80, false), before)
    assert.equal(re.fetchOffsetByTimestamp(5020)!.offset, 40)
    re.close()
    assert.ok(fs.statSync(path.join(dir, '00000000000000000000.index')).size > 0)
  })

  it('delete() removes the directory; partition.metadata is written', async () => {
    const log = UnifiedLog.open({dir, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ'})
    assert.equal(fs.readFileSync(path.join(dir, 'partition.metadata'), 'utf8'), 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ\n')
    fill(log, 3)
    const removal = log.delete()
    assert.ok(!fs.existsSync(dir), 'the live name is gone at once')
    await removal
    assert.deepEqual(fs.readdirSync(root), [])
  })

  it('index files hold Kafka entry layouts (8-byte offset, 12-byte time entries)', () => {
    const log = open({segmentBytes: 1 << 20})
    fill(log, 20, 0, i => 7000 + i)
    log.close()
    const idx = fs.readFileSync(path.join(dir, '00000000000000000000.index'))
    const data = fs.readFileSync(path.join(dir, '00000000000000000000.log'))
    assert.ok(idx.length >= 8 && idx.length % 8 === 0)
    for (let p = 0; p < idx.length; p += 8) {
      const rel = idx.readInt32BE(p); const pos = idx.readInt32BE(p + 4)
      const base = Number(data.readBigInt64BE(pos))
      assert.ok(rel >= base && rel <= base + data.readInt32BE(pos + 23), `entry ${rel}@${pos}`)
    }
    const tix = fs.readFileSync(path.join(dir, '00000000000000000000.timeindex'))
    assert.ok(tix.length >= 12 && tix.length % 12 === 0)
    const lastTs = Number(tix.readBigInt64BE(tix.length - 12)); const lastRel = tix.readInt32BE(tix.length - 4)
    assert.deepEqual([lastTs, lastRel], [7019, 39])
  })

  it('refuses a partition.metadata with another topic id', () => {
    UnifiedLog.open({dir, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ'}).close()
    assert.throws(() => UnifiedLog.open({dir, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true, topicId: 'BBBBBBBBBBBBBBBBBBBBBQ'}), /Inconsistent topic id/)
  })

  it('rolls on segment.ms by batch timestamps; flush advances the recovery point', () => {
    const log = open({segmentBytes: 1 << 20, segmentMs: 1000})
    log.appendAsLeader(makeBatch({timestamp: 10_000}), 0)
    log.appendAsLeader(makeBatch({timestamp: 10_900}), 0)
    assert.equal(log.numberOfSegments, 1)
    log.appendAsLeader(makeBatch({timestamp: 11_001}), 0)
    assert.deepEqual(log.segmentBaseOffsets(), [0, 2])
    assert.equal(log.recoveryPoint, 2)
    log.flush()
    assert.equal(log.recoveryPoint, 3)
    log.roll()
    assert.deepEqual(log.segmentBaseOffsets(), [0, 2, 3])
    log.roll() // empty active segment: no-op
    assert.deepEqual(log.segmentBaseOffsets(), [0, 2, 3])
    log.close()
  })
})
