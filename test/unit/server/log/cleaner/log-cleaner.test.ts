import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {DEFAULT_LOG_CONFIG, UnifiedLog, awaitFileWrites, type LogConfig} from '../../../../../src/server/log/index.js'
import {LogCleaner, DEFAULT_CLEANER_CONFIG} from '../../../../../src/server/log/cleaner/log-cleaner.js'
import {OffsetMap} from '../../../../../src/server/log/cleaner/offset-map.js'
import {Throttler, createThrottleState} from '../../../../../src/server/log/cleaner/throttler.js'
import {CLEANER_OFFSET_CHECKPOINT_FILE} from '../../../../../src/server/log/cleaner/cleaner-manager.js'
import {waitFor} from '../../../../helpers/wait-for.js'
import {CompressionCodec, decodeRecordBatches, encodeRecordBatch, type DecodedRecordBatch} from '../../../../../src/protocol/records/records.js'

const tp = {topic: 'compacted', partition: 0}
const KEYS = 20

describe('LogCleaner', () => {
  let root: string
  let dir: string
  let now: number
  const cfg = (o: Partial<LogConfig> = {}): LogConfig => ({...DEFAULT_LOG_CONFIG, segmentBytes: 2048, indexIntervalBytes: 256,
    segmentIndexBytes: 4096, fileDeleteDelayMs: 0, cleanupPolicy: 'compact', deleteRetentionMs: 1000, minCleanableDirtyRatio: 0.01, ...o})
  const open = (o: Partial<LogConfig> = {}, clean = true): UnifiedLog =>
    UnifiedLog.open({dir, topicPartition: tp, config: cfg(o), recoveryPoint: 0, hadCleanShutdown: clean})
  const cleanerFor = (log: UnifiedLog, extra: {pauseAfterSwapMs?: number} = {}): LogCleaner => new LogCleaner({
    config: {...DEFAULT_CLEANER_CONFIG, backoffMs: 10, dedupeBufferSize: 1 << 20}, logDirs: [root], logs: () => [log],
    lastStableOffsetOf: l => l.logEndOffset, now: () => now, ...extra,
  })

  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-cleaner-')); dir = path.join(root, 'compacted-0'); now = 1_000_000 })
  afterEach(async () => {
    await awaitFileWrites() // checkpoint files written on the thread pool
    fs.rmSync(root, {recursive: true, force: true})
  })

  /** Round r writes every key k with value `k:r` (keys divisible by 5 get a tombstone in the last round). */
  function writeRounds(log: UnifiedLog, rounds: number, opts: {compression?: CompressionCodec, producerId?: number, tombstones?: boolean} = {}): Map<string, string | null> {
    const latest = new Map<string, string | null>()
    let seq = 0
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < KEYS; k += 4) {
        const records = [0, 1, 2, 3].map(i => {
          const key = `key-${k + i}`
          const value = opts.tombstones && r === rounds - 1 && (k + i) % 5 === 0 ? null : `${key}:${r}`
          latest.set(key, value)
          return {key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestamp: now}
        })
        log.appendAsLeader(encodeRecordBatch({records, compression: opts.compression,
          ...(opts.producerId !== undefined ? {producerId: opts.producerId, producerEpoch: 0, baseSequence: seq} : {})}), 0)
        seq += 4
      }
    }
    log.roll()
    return latest
  }

  function readAll(log: UnifiedLog): DecodedRecordBatch[] {
    const out: DecodedRecordBatch[] = []
    let offset = log.logStartOffset
    while (offset < log.logEndOffset) {
      const {records} = log.read(offset, 1 << 20, log.logEndOffset, true)
      if (records.length === 0) break
      const batches = decodeRecordBatches(records)
      out.push(...batches)
      offset = batches[batches.length - 1].lastOffset + 1
    }
    return out
  }
  const recordsOf = (log: UnifiedLog): Array<{offset: number, key: string, value: string | null}> =>
    readAll(log).flatMap(b => b.records.map(r => ({offset: r.offset, key: r.key!.toString(), value: r.value === null ? null : r.value.toString()})))

  function assertLatest(log: UnifiedLog, latest: Map<string, string | null>, withTombstones: boolean): void {
    const recs = recordsOf(log)
    const offsets = recs.map(r => r.offset)
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), 'records in offset order')
    const expected = [...latest].filter(([, v]) => withTombstones || v !== null)
    assert.deepEqual(new Map(recs.map(r => [r.key, r.value])), new Map(expected))
    assert.equal(recs.length, expected.length, 'one record per key')
  }

  it('keeps the latest record of each key in offset order, offsets unchanged, tombstones until delete.retention.ms', async () => {
    const log = open()
    const latest = writeRounds(log, 10, {tombstones: true})
    const all = new Map(recordsOf(log).map(r => [`${r.key}=${r.value}`, r.offset]))
    const leo = log.logEndOffset
    const sizeBefore = log.size
    const cleaner = cleanerFor(log)
    const res = await cleaner.cleanFilthiestLog()
    assert.ok(res && !res.stats.aborted)
    assert.equal(log.logEndOffset, leo)
    assert.ok(log.size < sizeBefore / 3, `size ${log.size} vs ${sizeBefore}`)
    assertLatest(log, latest, true)
    for (const r of recordsOf(log)) assert.equal(r.offset, all.get(`${r.key}=${r.value}`), 'offset preserved')
    // tombstone batches carry a delete horizon now + delete.retention.ms
    const horizonBatches = readAll(log).filter(b => b.hasDeleteHorizon)
    assert.ok(horizonBatches.length > 0)
    for (const b of horizonBatches) assert.equal(b.baseTimestamp, now + 1000)
    await awaitFileWrites([root]) // the checkpoint is written on the thread pool
    assert.match(fs.readFileSync(path.join(root, CLEANER_OFFSET_CHECKPOINT_FILE), 'utf8'), new RegExp(`^0\\n1\\ncompacted 0 ${res.stats.endOffset}\\n$`))
    assert.equal(await cleaner.cleanFilthiestLog(), null, 'nothing dirty: no pass')
    // Kafka's LogCleaner / LogCleanerManager gauges from that pass
    const g = cleaner.metricsSnapshot()
    assert.ok(g.maxBufferUtilizationPercent > 0 && g.maxBufferUtilizationPercent <= 100, `buffer ${g.maxBufferUtilizationPercent}`)
    assert.ok(g.cleanerRecopyPercent > 0 && g.cleanerRecopyPercent < 34, `recopy ${g.cleanerRecopyPercent}`)
    assert.equal(g.maxDirtyPercent, 0, 'the last selection found nothing dirty')
    assert.equal(g.deadThreadCount, 0)
    assert.deepEqual([...g.uncleanable.values()], [{partitions: 0, bytes: 0}])

    // after the horizon, the next pass (new dirty data) drops the tombstones
    now += 2000
    log.appendAsLeader(encodeRecordBatch({records: [{key: Buffer.from('key-1'), value: Buffer.from('key-1:last'), timestamp: now}]}), 0)
    log.roll()
    latest.set('key-1', 'key-1:last')
    assert.ok(await cleaner.cleanFilthiestLog())
    assertLatest(log, latest, false)
    assert.ok([...latest.values()].includes(null), 'the test wrote tombstones')
    log.close()
    // and it reopens the same
    const again = open({}, false)
    assertLatest(again, latest, false)
    again.close()
  })

  it('a write-behind log (asyncIo, as partition logs): appends still in flight are in the files before the worker reads them', async () => {
    const log = UnifiedLog.open({dir, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true, asyncIo: true})
    const latest = writeRounds(log, 10, {tombstones: true})
    const sizeBefore = log.size
    // no whenIoDone() here: the cleaner waits for the queued writes itself
    const cleaner = cleanerFor(log)
    const res = await cleaner.cleanFilthiestLog()
    assert.ok(res && !res.stats.aborted)
    assert.equal(res.stats.recordsRead, 10 * KEYS, 'every record written was read')
    assert.ok(log.size < sizeBefore / 3)
    assertLatest(log, latest, true)
    await cleaner.shutdown()
    await log.whenIoDone()
    log.close()
    await log.whenIoDone()
    const again = open({}, false)
    assertLatest(again, latest, true)
    again.close()
  })

  for (const codec of [CompressionCodec.Gzip, CompressionCodec.Lz4, CompressionCodec.Zstd, CompressionCodec.Snappy]) {
    it(`rewrites compressed batches with the same codec (${CompressionCodec[codec]})`, async () => {
      const log = open()
      const latest = writeRounds(log, 6, {compression: codec})
      assert.ok(await cleanerFor(log).cleanFilthiestLog())
      assertLatest(log, latest, true)
      for (const b of readAll(log)) assert.equal(b.compression, codec)
      log.close()
    })
  }

  it('keeps producer id, epoch and sequences; the last batch of a producer survives as an empty header', async () => {
    const log = open()
    const latest = writeRounds(log, 5, {producerId: 42})
    // a later write of every key by another producer supersedes all of producer 42's records
    for (let k = 0; k < KEYS; k++) {
      log.appendAsLeader(encodeRecordBatch({records: [{key: Buffer.from(`key-${k}`), value: Buffer.from('other'), timestamp: now}], producerId: 7, producerEpoch: 3, baseSequence: k}), 0)
      latest.set(`key-${k}`, 'other')
    }
    log.roll()
    const last42 = readAll(log).filter(b => b.producerId === 42).pop()!
    log.activeProducerLastOffsets = () => new Map([[42, last42.lastOffset], [7, log.logEndOffset - 1]])
    assert.ok(await cleanerFor(log).cleanFilthiestLog())
    assertLatest(log, latest, true)
    const batches = readAll(log)
    const of42 = batches.filter(b => b.producerId === 42)
    assert.equal(of42.length, 1, 'only the last batch of producer 42 remains')
    assert.deepEqual({base: of42[0].baseOffset, last: of42[0].lastOffset, seq: of42[0].baseSequence, epoch: of42[0].producerEpoch, n: of42[0].records.length},
      {base: last42.baseOffset, last: last42.lastOffset, seq: last42.baseSequence, epoch: 0, n: 0})
    const of7 = batches.filter(x => x.producerId === 7)
    assert.equal(of7.length, KEYS)
    for (const b of of7) assert.deepEqual([b.producerEpoch, b.records[0].key!.toString()], [3, `key-${b.baseSequence}`])
    log.close()
  })

  it('never cleans the active segment nor above the last stable offset', async () => {
    const log = open()
    writeRounds(log, 4)
    const activeBase = log.activeSegmentBaseOffset
    for (let r = 0; r < 3; r++) log.appendAsLeader(encodeRecordBatch({records: [{key: Buffer.from('key-0'), value: Buffer.from(`active-${r}`), timestamp: now}]}), 0)
    let lso = 8
    const cleaner = new LogCleaner({config: {...DEFAULT_CLEANER_CONFIG, dedupeBufferSize: 1 << 20}, logDirs: [root], logs: () => [log],
      lastStableOffsetOf: () => lso, now: () => now})
    const res = await cleaner.cleanFilthiestLog()
    assert.ok(res)
    assert.equal(res.stats.endOffset, 8)
    const recs = recordsOf(log)
    assert.deepEqual(recs.filter(r => r.offset < 8).length, 8, 'nothing below the LSO was superseded within [0, 8)')
    lso = log.logEndOffset
    assert.ok(await cleaner.cleanFilthiestLog())
    assert.deepEqual(recordsOf(log).filter(r => r.offset >= activeBase).map(r => r.value), ['active-0', 'active-1', 'active-2'])
    log.close()
  })

  it('a crash after the .swap rename is completed at load; one before it (.cleaned) is rolled back', async () => {
    const log = open()
    const latest = writeRounds(log, 8, {tombstones: true})
    const original = recordsOf(log)
    const snapshotSwap = path.join(root, 'at-swap')
    const snapshotCleaned = path.join(root, 'at-cleaned')
    const copyDir = (to: string): void => { fs.mkdirSync(to, {recursive: true}); for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(to, f)) }
    const cleaner = cleanerFor(log, {pauseAfterSwapMs: 1})
    const origReplace = log.replaceSegments.bind(log)
    log.replaceSegments = async (cleaned, old, version, beforeSwap) => origReplace(cleaned, old, version, async () => {
      if (!fs.existsSync(snapshotSwap)) {
        copyDir(snapshotSwap)
        // the same state one step earlier: the cleaned files not renamed yet
        copyDir(snapshotCleaned)
        for (const f of fs.readdirSync(snapshotCleaned)) if (f.endsWith('.swap')) fs.renameSync(path.join(snapshotCleaned, f), path.join(snapshotCleaned, f.replace(/\.swap$/, '.cleaned')))
      }
      await beforeSwap?.()
    })
    assert.ok(await cleaner.cleanFilthiestLog())
    log.close()
    assert.ok(fs.readdirSync(snapshotSwap).some(f => f.endsWith('.log.swap')), 'the crash image holds a .log.swap')
    const fromSwap = UnifiedLog.open({dir: snapshotSwap, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: false})
    assert.ok(!fs.readdirSync(snapshotSwap).some(f => f.endsWith('.swap') || f.endsWith('.cleaned')))
    // the first group was swapped in by recovery; later groups were not cleaned: every key's latest value is there
    const recovered = recordsOf(fromSwap)
    assert.deepEqual(new Map(recovered.map(r => [r.key, r.value])), latest)
    assert.ok(recovered.length < original.length)
    fromSwap.close()
    const fromCleaned = UnifiedLog.open({dir: snapshotCleaned, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: false})
    assert.deepEqual(recordsOf(fromCleaned), original)
    fromCleaned.close()
  })

  it('aborts a pass when the log changes under it, and keeps the log intact', async () => {
    const log = open()
    writeRounds(log, 6)
    const original = recordsOf(log)
    const cleaner = cleanerFor(log)
    const pass = cleaner.cleanFilthiestLog()
    log.segmentsVersion++ // as retention or a truncation would
    const res = await pass
    assert.ok(res?.stats.aborted)
    assert.deepEqual(recordsOf(log), original)
    assert.ok(!fs.readdirSync(dir).some(f => f.endsWith('.cleaned') || f.endsWith('.swap')))
    log.close()
  })

  it('a batch that does not decode fails the pass on the worker: that log becomes uncleanable, the thread cleans the next log', async () => {
    const bad = open()
    writeRounds(bad, 6, {compression: CompressionCodec.Gzip})
    // garble the gzip stream of the first batch (the CRC is not checked while cleaning)
    const first = path.join(dir, '00000000000000000000.log')
    const fd = fs.openSync(first, 'r+')
    fs.writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, 61 + 4)
    fs.closeSync(fd)
    const otherDir = path.join(root, 'other-0')
    const good = UnifiedLog.open({dir: otherDir, topicPartition: {topic: 'other', partition: 0}, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true})
    const latest = writeRounds(good, 6)
    const sizeOfBad = bad.size
    const warnings: string[] = []
    const cleaner = new LogCleaner({config: {...DEFAULT_CLEANER_CONFIG, dedupeBufferSize: 1 << 20}, logDirs: [root], logs: () => [bad, good],
      lastStableOffsetOf: l => l.logEndOffset, now: () => now, logger: {info: () => {}, warn: (m: string) => { warnings.push(m) }}})
    try {
      // both logs are picked, one after the other
      const results = [await cleaner.cleanFilthiestLog(), await cleaner.cleanFilthiestLog()]
      const ofBad = results.find(r => r?.log === bad)
      const ofGood = results.find(r => r?.log === good)
      assert.ok(ofBad?.stats.aborted, 'the bad log\'s pass failed')
      assert.ok(ofGood && !ofGood.stats.aborted, 'the good log was cleaned')
      assert.match(warnings.join('\n'), /error cleaning compacted-0, marking it uncleanable/)
      assert.equal(await cleaner.cleanFilthiestLog(), null, 'the bad log is not picked again')
      assert.equal(bad.size, sizeOfBad, 'the bad log is untouched')
      assert.ok(!fs.readdirSync(dir).some(f => f.endsWith('.cleaned') || f.endsWith('.swap')), 'no .cleaned files left')
      assertLatest(good, latest, true)
    } finally {
      await cleaner.shutdown()
      bad.close()
      good.close()
    }
  })

  it('shutdown() during a throttled pass aborts it on the worker promptly, removing its .cleaned files', async () => {
    const log = open()
    writeRounds(log, 4)
    const original = recordsOf(log)
    const size = log.size
    // log.cleaner.io.max.bytes.per.second: the map alone takes about size / rate seconds
    const rate = Math.ceil(size / 1.5)
    const cleaner = new LogCleaner({config: {...DEFAULT_CLEANER_CONFIG, dedupeBufferSize: 1 << 20, maxIoBytesPerSecond: rate}, logDirs: [root], logs: () => [log],
      lastStableOffsetOf: l => l.logEndOffset, now: () => now})
    const pass = cleaner.cleanFilthiestLog()
    try {
      await waitFor(() => fs.readdirSync(dir).some(f => f.endsWith('.log.cleaned')), {timeoutMs: 10_000, message: 'the worker writing a .cleaned segment'})
      const t = performance.now()
      await cleaner.shutdown()
      const res = await pass
      const ms = performance.now() - t
      assert.ok(res?.stats.aborted, 'the pass aborted')
      // the rest of the pass would read the log once more at `rate` (≥ 1.5 s): the abort woke the throttled worker
      assert.ok(ms < 1000, `shutdown took ${ms.toFixed(0)} ms`)
      assert.deepEqual(recordsOf(log), original)
      assert.ok(!fs.readdirSync(dir).some(f => f.endsWith('.cleaned') || f.endsWith('.swap')))
      assert.ok(!fs.existsSync(path.join(root, CLEANER_OFFSET_CHECKPOINT_FILE)), 'no checkpoint')
    } finally {
      await cleaner.shutdown()
      log.close()
    }
  })

  it('running workers clean in the background; reconfigure() restarts them (new threads) and they clean again; shutdown() stops them', async () => {
    const log = open()
    const latest = writeRounds(log, 6)
    const cleaner = cleanerFor(log)
    const passes: number[] = []
    cleaner.onPass((_l, stats) => { if (!stats.aborted) passes.push(stats.endOffset) })
    cleaner.startup()
    try {
      await waitFor(() => passes.length >= 1, {message: 'a background pass'})
      await cleaner.reconfigure({numThreads: 2, dedupeBufferSize: 1 << 19, maxIoBytesPerSecond: 10 * 1024 * 1024})
      const more = writeRounds(log, 2)
      for (const [k, v] of more) latest.set(k, v)
      cleaner.wakeup()
      await waitFor(() => passes.length >= 2 && passes[passes.length - 1] === log.activeSegmentBaseOffset, {message: 'a pass after reconfigure'})
      assertLatest(log, latest, true)
    } finally {
      await cleaner.shutdown()
      log.close()
    }
  })

  it('honours min.cleanable.dirty.ratio, min.compaction.lag.ms and max.compaction.lag.ms', async () => {
    const log = open({minCleanableDirtyRatio: 0.5, minCompactionLagMs: 10_000})
    writeRounds(log, 4)
    const cleaner = cleanerFor(log)
    assert.equal(await cleaner.cleanFilthiestLog(), null, 'everything is younger than min.compaction.lag.ms')
    now += 20_000
    assert.ok(await cleaner.cleanFilthiestLog(), 'old enough now')
    // a little new dirty data: ratio far below 0.5
    log.appendAsLeader(encodeRecordBatch({records: [{key: Buffer.from('key-1'), value: Buffer.from('x'), timestamp: now}]}), 0)
    log.roll()
    now += 20_000
    assert.equal(await cleaner.cleanFilthiestLog(), null, 'dirty ratio below min.cleanable.dirty.ratio')
    log.config = {...log.config, maxCompactionLagMs: 15_000}
    const res = await cleaner.cleanFilthiestLog()
    assert.ok(res && !res.stats.aborted, 'max.compaction.lag.ms forces the pass')
    assert.equal(res.stats.endOffset, log.logEndOffset)
    log.close()
  })
})

describe('OffsetMap', () => {
  it('maps keys to their latest offset within its memory budget', () => {
    const m = new OffsetMap(24 * 100, 0.9)
    assert.equal(m.maxEntries, 90)
    for (let i = 0; i < 50; i++) m.put(Buffer.from(`k${i % 25}`), i)
    assert.equal(m.size, 25)
    assert.equal(m.get(Buffer.from('k3')), 28)
    assert.equal(m.get(Buffer.from('nope')), -1)
    assert.equal(m.latestOffset, 49)
    for (let i = 25; !m.isFull; i++) m.put(Buffer.from(`k${i}`), 100 + i)
    assert.equal(m.size, 90)
    assert.throws(() => m.put(Buffer.from('one-more'), 1000), /full/)
    m.clear()
    assert.equal(m.size, 0)
    assert.equal(m.get(Buffer.from('k3')), -1)
  })
})

describe('Throttler', () => {
  it('sleeps so that bytes per second stay under the cap, across threads sharing its state', async () => {
    let t = 0
    const slept: number[] = []
    const state = createThrottleState(1000, t)
    const th = new Throttler(state, () => t, ms => { slept.push(ms); t += ms })
    th.maybeThrottle(500)
    t += 100
    // a second view on the same state (another cleaner thread) counts against the same cap
    new Throttler(state, () => t, ms => { slept.push(ms); t += ms }).maybeThrottle(500)
    assert.deepEqual(slept, [500, 400], "500 B at 1000 B/s take 500 ms; the next 500 B after 100 ms wait 400 ms")
    assert.equal(new Throttler(createThrottleState(Number.MAX_VALUE)).enabled, false)
    th.maxBytesPerSecond = Number.MAX_VALUE
    th.maybeThrottle(1e9)
    assert.equal(slept.length, 2, 'no cap: no sleep')
  })
})
