import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {DEFAULT_LOG_CONFIG, LogManager, UnifiedLog, type LogConfig, type UnifiedLogOpenOptions} from '../../../../src/server/log/index.js'
import {LEADER_EPOCH_CHECKPOINT_FILE} from '../../../../src/server/log/leader-epoch-cache.js'
import {awaitFileWrites} from '../../../../src/server/log/atomic-file-writer.js'
import {makeBatch} from './batch-helper.js'

const tp = {topic: 't', partition: 0}
const cfg = (o: Partial<LogConfig> = {}): LogConfig => ({...DEFAULT_LOG_CONFIG, segmentBytes: 3 << 20, maxMessageBytes: 2 << 20, indexIntervalBytes: 4096, segmentIndexBytes: 1 << 16, fileDeleteDelayMs: 0, ...o})
const segFile = (dir: string, base: number, suffix = '.log'): string => path.join(dir, String(base).padStart(20, '0') + suffix)

/**
 * Writes a log of ~9 MiB over 3+ segments: 10 KiB batches, every 40th a 1.5 MiB one (longer than a
 * recovery read), leader epochs 1..4, increasing timestamps. Returns the segments' base offsets.
 */
function writeLog(dir: string): number[] {
  const log = UnifiedLog.open({dir, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true})
  for (let i = 0; i < 300; i++) {
    const payloadBytes = i % 40 === 39 ? 1536 * 1024 : 10 * 1024
    log.appendAsLeader(makeBatch({count: 1 + (i % 3), timestamp: 10_000 + i * 10, payloadBytes}), 1 + Math.floor(i / 80))
  }
  const segs = log.segmentBaseOffsets()
  log.close()
  // the epoch cache is rebuilt from the batches recovery reads
  fs.rmSync(path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE), {force: true})
  return segs
}

/** Every file of `dir` by name → bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(fs.readdirSync(dir).sort().map(n => [n, fs.readFileSync(path.join(dir, n))]))
}

describe('Log recovery off the event loop (UnifiedLog.openAsync, LogManager.startup)', function () {
  this.timeout(60_000)
  let root: string
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-arec-')) })
  afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

  /** Opens copies of `dir` with the sync and the async loader and checks that they agree on everything. */
  async function compareLoaders(dir: string, recoveryPoint: number): Promise<{sync: UnifiedLog, async: UnifiedLog}> {
    const syncDir = path.join(root, 'sync', 't-0'); const asyncDir = path.join(root, 'async', 't-0')
    fs.cpSync(dir, syncDir, {recursive: true}); fs.cpSync(dir, asyncDir, {recursive: true})
    const opts = (d: string): UnifiedLogOpenOptions => ({dir: d, topicPartition: tp, config: cfg(), recoveryPoint, hadCleanShutdown: false})
    const s = UnifiedLog.open(opts(syncDir))
    const a = await UnifiedLog.openAsync({...opts(asyncDir), asyncIo: true})
    assert.equal(a.logEndOffset, s.logEndOffset)
    assert.equal(a.bytesTruncatedOnLoad, s.bytesTruncatedOnLoad)
    assert.equal(a.recoveryPoint, s.recoveryPoint)
    assert.deepEqual(a.segmentBaseOffsets(), s.segmentBaseOffsets())
    assert.deepEqual(a.leaderEpochEntries(), s.leaderEpochEntries())
    for (let off = 0; off < s.logEndOffset; off += 37) {
      assert.deepEqual(a.read(off, 50_000, s.logEndOffset, true), s.read(off, 50_000, s.logEndOffset, true), `read at ${off}`)
    }
    const facts = (l: UnifiedLog): unknown[] => l.nonActiveSegments().map(g => ({base: g.baseOffset, next: g.nextOffset, size: g.size, first: g.firstBatchTimestamp,
      maxTs: g.maxTimestampSoFar, maxTsOffset: g.offsetOfMaxTimestampSoFar, index: g.offsetIndex.entries, timeIndex: g.timeIndex.entries,
      lookups: [0, 50, 120, 1e9].map(o => g.offsetIndex.lookup(g.baseOffset + o)), times: [10_500, 12_000, 1e15].map(t => g.timeIndex.lookup(t))}))
    assert.deepEqual(facts(a), facts(s))
    // both go on the same way
    s.appendAsLeader(makeBatch({count: 2, timestamp: 99_999}), 9); a.appendAsLeader(makeBatch({count: 2, timestamp: 99_999}), 9)
    await a.whenIoDone(); await awaitFileWrites()
    assert.deepEqual(snapshot(asyncDir), snapshot(syncDir), 'same files, same bytes (segments, rebuilt indexes, epoch checkpoint)')
    s.close(); a.close()
    await a.whenIoDone(); await awaitFileWrites()
    assert.deepEqual(snapshot(asyncDir), snapshot(syncDir), 'same files after close')
    return {sync: s, async: a}
  }

  it('a torn last batch: the same log end offset, bytes truncated, indexes and epoch cache as the sync path', async () => {
    const dir = path.join(root, 'src', 't-0')
    const segs = writeLog(dir)
    assert.ok(segs.length >= 3, `${segs.length} segments`)
    const last = segFile(dir, segs.at(-1)!)
    fs.truncateSync(last, fs.statSync(last).size - 30)
    const {async: a} = await compareLoaders(dir, 0)
    assert.ok(a.bytesTruncatedOnLoad > 0 && a.bytesTruncatedOnLoad < 20_000, String(a.bytesTruncatedOnLoad))
    assert.deepEqual(a.leaderEpochEntries().map(e => e.epoch), [1, 2, 3, 4, 9])
  })

  it('a corrupt CRC in a middle segment: cut there, later segments deleted, as the sync path does', async () => {
    const dir = path.join(root, 'src', 't-0')
    const segs = writeLog(dir)
    const f = segFile(dir, segs[1])
    const buf = fs.readFileSync(f)
    const at = Math.floor(buf.length / 2)
    buf[at] ^= 0xff
    fs.writeFileSync(f, buf)
    const {async: a} = await compareLoaders(dir, segs[1])
    assert.deepEqual(a.segmentBaseOffsets(), segs.slice(0, 2))
    assert.ok(a.logEndOffset > segs[1] && a.logEndOffset < segs[2])
    assert.ok(a.bytesTruncatedOnLoad > buf.length - at, String(a.bytesTruncatedOnLoad))
  })

  it('missing indexes and a recovery point in the last segment: only what the sync path recovers', async () => {
    const dir = path.join(root, 'src', 't-0')
    const segs = writeLog(dir)
    fs.rmSync(segFile(dir, segs[0], '.index'))
    fs.rmSync(segFile(dir, segs[0], '.timeindex'))
    const last = segFile(dir, segs.at(-1)!)
    fs.appendFileSync(last, Buffer.alloc(100, 0x7f))
    const {async: a} = await compareLoaders(dir, segs.at(-1)! + 5)
    assert.equal(a.bytesTruncatedOnLoad, 100)
  })

  it('removes the leftovers of an interrupted deletion or cleaning, as the sync loader does', async () => {
    const dir = path.join(root, 'src', 't-0')
    const segs = writeLog(dir)
    fs.writeFileSync(segFile(dir, 5000, '.log.deleted'), 'x')
    fs.writeFileSync(segFile(dir, segs[1], '.log.cleaned'), 'x')
    fs.writeFileSync(path.join(dir, 'leader-epoch-checkpoint.tmp'), 'x')
    fs.writeFileSync(segFile(dir, 7000, '.index'), 'orphan')
    await compareLoaders(dir, 0)
    assert.deepEqual(fs.readdirSync(path.join(root, 'async', 't-0')).filter(n => /deleted|cleaned|tmp|00000000000000007000/.test(n)), [])
  })

  it('lets the event loop run between the 1 MiB reads of a recovery', async () => {
    const dir = path.join(root, 'big', 't-0')
    const log = UnifiedLog.open({dir, topicPartition: tp, config: cfg({segmentBytes: 64 << 20}), recoveryPoint: 0, hadCleanShutdown: true})
    for (let i = 0; i < 800; i++) log.appendAsLeader(makeBatch({count: 2, payloadBytes: 10 * 1024}), 1)
    log.close()
    let turns = 0
    let running = true
    const spin = (): void => { turns++; if (running) setImmediate(spin) }
    setImmediate(spin)
    const re = await UnifiedLog.openAsync({dir, topicPartition: tp, config: cfg({segmentBytes: 64 << 20}), recoveryPoint: 0, hadCleanShutdown: false, asyncIo: true})
    running = false
    assert.equal(re.logEndOffset, 1600)
    assert.ok(turns >= 8, `the loop turned ${turns} times during the recovery of 8 MiB`)
    re.close()
    await re.whenIoDone()
  })

  it('LogManager.startup loads many logs, at most num.recovery.threads.per.data.dir of a dir at a time', async () => {
    const dirs = [path.join(root, 'a'), path.join(root, 'b')]
    for (const [d, dir] of dirs.entries()) {
      for (let p = 0; p < 7; p++) {
        const log = UnifiedLog.open({dir: path.join(dir, `t${d}-${p}`), topicPartition: {topic: `t${d}`, partition: p}, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true})
        for (let i = 0; i <= p; i++) log.appendAsLeader(makeBatch({count: 3}), 1)
        log.close()
      }
    }
    const original = UnifiedLog.openAsync.bind(UnifiedLog)
    const inFlight = new Map<string, number>(); const maxInFlight = new Map<string, number>()
    UnifiedLog.openAsync = async (o: UnifiedLogOpenOptions): Promise<UnifiedLog> => {
      const d = path.dirname(o.dir)
      inFlight.set(d, (inFlight.get(d) ?? 0) + 1)
      maxInFlight.set(d, Math.max(maxInFlight.get(d) ?? 0, inFlight.get(d)!))
      try {
        await new Promise(resolve => setImmediate(resolve))
        return await original(o)
      } finally {
        inFlight.set(d, inFlight.get(d)! - 1)
      }
    }
    const lm = new LogManager({logDirs: dirs, defaultConfig: cfg(), asyncIo: true})
    try {
      await lm.startup({recoveryThreadsPerDataDir: 3})
    } finally {
      UnifiedLog.openAsync = original
    }
    assert.deepEqual([...maxInFlight.values()], [3, 3])
    assert.equal(lm.allLogs().length, 14)
    for (const [d] of dirs.entries()) {
      for (let p = 0; p < 7; p++) assert.equal(lm.getLog({topic: `t${d}`, partition: p})!.logEndOffset, 3 * (p + 1))
    }
    await lm.shutdown()
  })

  it('LogManager.startup rejects with the error of a log that cannot load, and duplicate partitions before opening any', async () => {
    const dir = path.join(root, 'a')
    fs.mkdirSync(path.join(dir, 'bad-0', '00000000000000000000.log'), {recursive: true})
    const lm = new LogManager({logDirs: [dir], defaultConfig: cfg(), asyncIo: true})
    await assert.rejects(lm.startup(), /EISDIR/)
    fs.rmSync(path.join(dir, 'bad-0'), {recursive: true})
    fs.mkdirSync(path.join(dir, 'x-0')); fs.mkdirSync(path.join(root, 'b', 'x-0'), {recursive: true})
    const lm2 = new LogManager({logDirs: [dir, path.join(root, 'b')], defaultConfig: cfg(), asyncIo: true})
    await assert.rejects(lm2.startup(), /Duplicate log directories for x-0/)
    assert.deepEqual(fs.readdirSync(path.join(dir, 'x-0')), [])
  })
})
