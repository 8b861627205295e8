/**
 * Partition logs with their file I/O queued off the event loop (LogIo, issue 11 acceptance 7):
 * order and durability as with synchronous I/O, readers never see bytes that are not appended,
 * Fetch reads (readAsync) never see bytes that are not written.
 */
import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {UnifiedLog, DEFAULT_LOG_CONFIG, awaitFileWrites, type LogConfig} from '../../../../src/server/log/index.js'
import {LogIo} from '../../../../src/server/log/log-io.js'
import {LogIoError} from '../../../../src/server/log/log-io.js'
import {LogManager, CLEAN_SHUTDOWN_FILE} from '../../../../src/server/log/log-manager.js'
import {batchHeaders} from '../../../../src/protocol/records/record-batch.js'
import {makeBatch} from './batch-helper.js'

const tp = {topic: 'orders', partition: 0}

describe('UnifiedLog with asynchronous file I/O', () => {
  let root: string
  let dir: string
  const cfg = (o: Partial<LogConfig> = {}): LogConfig => ({...DEFAULT_LOG_CONFIG, segmentBytes: 1000, indexIntervalBytes: 100, segmentIndexBytes: 4096, fileDeleteDelayMs: 0, ...o})
  const open = (o: Partial<LogConfig> = {}, asyncIo = true, clean = true): UnifiedLog =>
    UnifiedLog.open({dir, topicPartition: tp, config: cfg(o), recoveryPoint: 0, hadCleanShutdown: clean, asyncIo})
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-aio-')); dir = path.join(root, 'orders-0') })
  afterEach(async () => {
    await awaitFileWrites() // checkpoint files written on the thread pool
    fs.rmSync(root, {recursive: true, force: true})
  })

  const offsetsOf = (buf: Buffer): number[] => [...batchHeaders(buf)].map(h => h.baseOffset)
  const fill = (log: UnifiedLog, n: number, epoch = 0): void => {
    for (let i = 0; i < n; i++) log.appendAsLeader(makeBatch({count: 2, timestamp: 1000 + i}), epoch)
  }
  /** Every batch from offset 0 to `end`, one read per segment (reads stop at a segment's end). */
  const readAll = async (read: (o: number) => Buffer | Promise<Buffer>, end: number): Promise<Buffer> => {
    const parts: Buffer[] = []
    for (let o = 0; o < end;) {
      const r = await read(o)
      assert.ok(r.length > 0, `offset ${o}`)
      parts.push(r)
      const hs = [...batchHeaders(r)]
      o = hs[hs.length - 1].baseOffset + hs[hs.length - 1].lastOffsetDelta + 1
    }
    return Buffer.concat(parts)
  }
  const logBytesOnDisk = (): number => fs.readdirSync(dir).filter(f => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)

  it('writes behind: the in-memory log moves at once, the files and readAsync once the writes completed', async () => {
    const log = open()
    const notices: number[] = []
    log.onWritten = o => notices.push(o)
    fill(log, 3)
    assert.equal(log.logEndOffset, 6)
    assert.equal(log.writtenEndOffset, 0)
    assert.equal(logBytesOnDisk(), 0, 'nothing is written on the event loop')
    // synchronous readers (coordinator loading, producer-state rebuild) see the pending bytes
    assert.deepEqual(offsetsOf(log.read(0, 10_000, 6, false).records), [0, 2, 4])
    // Fetch sees only written bytes
    assert.equal((await log.readAsync(0, 10_000, 6, false)).records.length, 0)
    await log.whenIoDone()
    assert.equal(log.writtenEndOffset, 6)
    assert.equal(notices[notices.length - 1], 6)
    assert.equal(logBytesOnDisk(), 3 * 81)
    assert.deepEqual(offsetsOf((await log.readAsync(0, 10_000, 6, false)).records), [0, 2, 4])
    assert.deepEqual(offsetsOf((await log.readAsync(3, 10_000, 6, false)).records), [2, 4])
    assert.deepEqual(offsetsOf((await log.readAsync(0, 10_000, 4, false)).records), [0, 2])
    log.close()
    await log.whenIoDone()
  })

  it('serves tail reads of the active segment from the written chunks in memory, older ones from the file', async () => {
    const log = open({segmentBytes: 100_000})
    fill(log, 40)
    await log.whenIoDone()
    const original = fs.read
    let fileReads = 0
    fs.read = ((...args: Parameters<typeof fs.read>) => { fileReads++; return (original as (...a: unknown[]) => void)(...args) }) as typeof fs.read
    try {
      const tail = await log.readAsync(70, 10_000, 80, true)
      assert.deepEqual(offsetsOf(tail.records), [70, 72, 74, 76, 78])
      const across = await log.readAsync(3, 10_000, 80, true) // many chunks: joined
      assert.ok(across.records.equals(log.read(2, 10_000, 80, true).records))
      assert.equal(fileReads, 0)
      log.roll()
      fill(log, 1)
      await log.whenIoDone()
      const old = await log.readAsync(70, 10_000, 82, true)
      assert.deepEqual(offsetsOf(old.records), [70, 72, 74, 76, 78])
      assert.equal(fileReads, 1, 'a rolled segment reads its file')
    } finally {
      fs.read = original
    }
    log.close()
    await log.whenIoDone()
  })

  it('keeps order across rolls, truncation and re-appends while writes are queued; a reopened log holds exactly the in-memory log', async () => {
    const log = open()
    fill(log, 30)                       // 60 offsets over several 1000-byte segments
    log.truncateTo(40)                  // a follower truncation while nothing is written yet
    assert.equal(log.logEndOffset, 40)
    fill(log, 5, 1)                     // new epoch, offsets 40..49
    const expected = await readAll(o => log.read(o, 1_000_000, 50, false).records, 50)
    assert.deepEqual(offsetsOf(expected), Array.from({length: 25}, (_, i) => 2 * i))
    await log.whenIoDone()
    assert.equal(log.writtenEndOffset, 50)
    assert.ok((await readAll(async o => (await log.readAsync(o, 1_000_000, 50, true)).records, 50)).equals(expected))
    log.close()
    await log.whenIoDone()
    // reopened with recovery of every segment (CRCs, offsets, indexes rebuilt): the same batches
    const again = open({}, false, false)
    assert.equal(again.bytesTruncatedOnLoad, 0)
    assert.equal(again.logEndOffset, 50)
    assert.ok((await readAll(o => again.read(o, 1_000_000, 50, false).records, 50)).equals(expected))
    assert.equal(again.epochForOffset(45), 1)
    again.close()
  })

  it('truncation at any point of the writes in flight (0 to 8 event-loop turns after the appends) leaves the files as the in-memory log', async () => {
    for (let turns = 0; turns <= 8; turns++) {
      const sub = path.join(root, `t${turns}`, 'orders-0')
      const log = UnifiedLog.open({dir: sub, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: true, asyncIo: true})
      fill(log, 30)
      for (let i = 0; i < turns; i++) await new Promise<void>(resolve => setImmediate(resolve))
      log.truncateTo(34)
      fill(log, 8, 1)
      const expected = await readAll(o => log.read(o, 1_000_000, 50, false).records, 50)
      await log.whenIoDone()
      assert.equal(log.writtenEndOffset, 50, `turns ${turns}`)
      assert.ok((await readAll(async o => (await log.readAsync(o, 1_000_000, 50, true)).records, 50)).equals(expected), `turns ${turns}`)
      log.close()
      await log.whenIoDone()
      const again = UnifiedLog.open({dir: sub, topicPartition: tp, config: cfg(), recoveryPoint: 0, hadCleanShutdown: false})
      assert.equal(again.bytesTruncatedOnLoad, 0, `turns ${turns}`)
      assert.ok((await readAll(o => again.read(o, 1_000_000, 50, false).records, 50)).equals(expected), `turns ${turns}`)
      again.close()
    }
  })

  it('moves the recovery point only once the fsyncs completed (flush.messages=1)', async () => {
    const log = open({flushMessages: 1})
    fill(log, 2)
    assert.equal(log.recoveryPoint, 0)
    await log.whenIoDone()
    assert.equal(log.recoveryPoint, 4)
    log.close()
    await log.whenIoDone()
  })

  it('group commit: appends queued together with flush.messages=1 share one fsync per file', async () => {
    const log = open({flushMessages: 1, segmentBytes: 1_000_000})
    await log.whenIoDone()
    const original = fs.fsync
    let fsyncs = 0
    fs.fsync = ((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => { fsyncs++; original(fd, callback) }) as typeof fs.fsync
    try {
      fill(log, 50)
      await log.whenIoDone()
    } finally {
      fs.fsync = original
    }
    assert.equal(log.recoveryPoint, 100)
    // .log, .index, .timeindex once for the first append and once for the 49 queued behind the epoch checkpoint (a barrier)
    assert.ok(fsyncs <= 10, `${fsyncs} fsyncs for 50 appends`)
    log.close()
    await log.whenIoDone()
  })

  it('keeps a segment open for a read in flight while retention deletes it', async () => {
    const log = open({retentionBytes: 0})
    fill(log, 30)
    await log.whenIoDone()
    const reading = log.readAsync(0, 100_000, 60, true)
    assert.ok(log.deleteOldSegments(Date.now(), 60) > 0)
    const r = await reading
    assert.deepEqual(offsetsOf(r.records).slice(0, 2), [0, 2])
    await log.whenIoDone()
    assert.ok(fs.readdirSync(dir).every(f => !f.endsWith('.deleted')), 'the deleted segments are removed on the thread pool')
    log.close()
    await log.whenIoDone()
  })

  it('LogManager.shutdown waits for the queued writes before the clean-shutdown marker', async () => {
    const lm = new LogManager({logDirs: [root], defaultConfig: cfg(), asyncIo: true})
    await lm.startup()
    const log = lm.getOrCreateLog(tp, 'AAAAAAAAAAAAAAAAAAAAAA')
    fill(log, 20)
    const shutdown = lm.shutdown()
    assert.equal(fs.existsSync(path.join(root, CLEAN_SHUTDOWN_FILE)), false)
    await shutdown
    assert.ok(fs.existsSync(path.join(root, CLEAN_SHUTDOWN_FILE)))
    const lm2 = new LogManager({logDirs: [root], defaultConfig: cfg()})
    await lm2.startup()
    assert.equal(lm2.getLog(tp)!.logEndOffset, 40)
    await lm2.shutdown()
  })

  it('an I/O error stops the queue: whenIoDone rejects and appends fail with KAFKA_STORAGE_ERROR', async () => {
    const io = new LogIo(true)
    const fd = 1 << 29 // no such descriptor: EBADF
    io.submit({kind: 'write', fd, buf: Buffer.from('x'), position: 0})
    let called = false
    io.submit({kind: 'call', fn: () => { called = true }})
    await assert.rejects(io.idle(), /EBADF|bad file/i)
    assert.equal(called, false)
    assert.ok(io.failure)

    const log = open()
    fill(log, 1)
    await log.whenIoDone()
    // simulate a failed disk: the log's queue fails on its next op
    ;(log as unknown as {io: LogIo}).io.submit({kind: 'fsync', fd})
    await assert.rejects(log.whenIoDone())
    assert.throws(() => fill(log, 1), (e: unknown) => e instanceof LogIoError && e.errorCode === 56)
  })

  it('idle() waits only for the ops submitted before it: a queue that never empties does not starve a produce', async () => {
    const io = new LogIo(true)
    let rounds = 0
    let stop = false
    const again = (): void => {
      if (stop) return
      rounds++
      io.submit({kind: 'task', run: () => new Promise<void>(resolve => setImmediate(() => { again(); resolve() }))})
    }
    again()
    await io.idle()
    assert.ok(rounds >= 1 && rounds < 5, `rounds ${rounds}`)
    stop = true
    await io.idle()
  })

  it('runs synchronously without asyncIo (the metadata log, tools)', () => {
    const log = open({}, false)
    fill(log, 3)
    assert.equal(log.writtenEndOffset, 6)
    assert.equal(logBytesOnDisk(), 3 * 81)
    log.close()
  })
})
