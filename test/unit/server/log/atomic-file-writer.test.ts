import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {AtomicFileWriter, awaitFileWrites, promiseFileOps, type AtomicFileOps} from '../../../../src/server/log/atomic-file-writer.js'
import {
  LogManager, DEFAULT_LOG_CONFIG, readCheckpointFile, writeCheckpointFile, writeCheckpointFileAsync, type LogConfig,
} from '../../../../src/server/log/index.js'
import {LeaderEpochCache} from '../../../../src/server/log/leader-epoch-cache.js'
import {
  deleteProducerSnapshots, listProducerSnapshotOffsets, producerSnapshotFile, readProducerSnapshot, writeProducerSnapshot,
  writeProducerSnapshotAsync, type ProducerSnapshotEntry,
} from '../../../../src/server/log/producer-snapshot.js'
import {makeBatch} from './batch-helper.js'

type OpName = keyof AtomicFileOps

/** fs.promises ops that record each call and can be held before a given op runs. */
class GatedOps implements AtomicFileOps {
  readonly calls: string[] = []
  private gates = new Map<OpName, {opened: Promise<void>, open: () => void, reached: Promise<void>, arrive: () => void}>()
  /** Makes the next call of `op` wait until `release(op)`; `reached(op)` resolves when it is waiting. */
  hold(op: OpName): void {
    let open!: () => void; let arrive!: () => void
    const opened = new Promise<void>(r => { open = r })
    const reached = new Promise<void>(r => { arrive = r })
    this.gates.set(op, {opened, open, reached, arrive})
  }
  reached(op: OpName): Promise<void> { return this.gates.get(op)!.reached }
  release(op: OpName): void { const g = this.gates.get(op)!; this.gates.delete(op); g.open() }
  private async gate(op: OpName): Promise<void> {
    const g = this.gates.get(op)
    if (g) { g.arrive(); await g.opened }
  }
  fail?: {op: OpName, partial?: boolean}
  async writeFile(tmp: string, data: string | Buffer, fsync: boolean): Promise<void> {
    this.calls.push(`write ${String(data).split('\n')[2] ?? ''}`)
    await this.gate('writeFile')
    if (this.fail?.op === 'writeFile') {
      if (this.fail.partial) fs.writeFileSync(tmp, String(data).slice(0, 5))
      throw new Error('simulated crash while writing')
    }
    await promiseFileOps.writeFile(tmp, data, fsync)
  }
  async rename(from: string, to: string): Promise<void> {
    this.calls.push('rename')
    await this.gate('rename')
    if (this.fail?.op === 'rename') throw new Error('simulated crash before the rename')
    await promiseFileOps.rename(from, to)
  }
  async fsyncDir(dir: string): Promise<void> { this.calls.push('fsyncDir'); await promiseFileOps.fsyncDir(dir) }
  async remove(file: string): Promise<void> { this.calls.push('remove'); await promiseFileOps.remove(file) }
}

const text = (v: string): string => `0\n1\n${v}\n`

describe('AtomicFileWriter and async checkpoint files', () => {
  let root: string
  let file: string
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-afw-'))
    file = path.join(root, 'replication-offset-checkpoint')
  })
  afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

  it('serializes writes of a file and coalesces those made while one is in flight: the newest lands last', async () => {
    const ops = new GatedOps()
    const w = new AtomicFileWriter(file, ops)
    ops.hold('writeFile')
    const first = w.write(text('t 0 1'))
    await ops.reached('writeFile')
    const later = [w.write(text('t 0 2')), w.write(text('t 0 3')), w.write(text('t 0 4'))]
    assert.ok(w.busy)
    ops.release('writeFile')
    await Promise.all([first, ...later])
    await w.idle()
    assert.equal(fs.readFileSync(file, 'utf8'), text('t 0 4'))
    // one write for the first content, one for the latest; each renamed before the next starts
    assert.deepEqual(ops.calls, ['write t 0 1', 'rename', 'fsyncDir', 'write t 0 4', 'rename', 'fsyncDir'])
    assert.ok(!fs.existsSync(`${file}.tmp`))
    assert.ok(!w.busy)
  })

  it('many concurrent writeCheckpointFileAsync calls leave the last content and no .tmp', async () => {
    const all: Promise<void>[] = []
    for (let i = 0; i < 50; i++) all.push(writeCheckpointFileAsync(file, 0, [`t 0 ${i}`, `t 1 ${i * 2}`]))
    await Promise.all(all)
    assert.equal(fs.readFileSync(file, 'utf8'), '0\n2\nt 0 49\nt 1 98\n')
    assert.deepEqual(fs.readdirSync(root), ['replication-offset-checkpoint'])
    await awaitFileWrites([root])
  })

  it('a crash before the rename or in the middle of the .tmp write leaves the old file whole', async () => {
    writeCheckpointFile(file, 0, ['t 0 1'])
    const ops = new GatedOps()
    ops.fail = {op: 'rename'}
    await assert.rejects(new AtomicFileWriter(file, ops).write(text('t 0 2')), /before the rename/)
    assert.deepEqual(readCheckpointFile(file), [['t', '0', '1']])
    assert.equal(fs.readFileSync(`${file}.tmp`, 'utf8'), text('t 0 2'), 'the complete new content waited in .tmp')
    ops.fail = {op: 'writeFile', partial: true}
    await assert.rejects(new AtomicFileWriter(file, ops).write(text('t 0 3')), /while writing/)
    assert.deepEqual(readCheckpointFile(file), [['t', '0', '1']])
    assert.equal(fs.readFileSync(`${file}.tmp`, 'utf8'), '0\n1\nt', 'a torn .tmp')
    // the next write (after a restart) truncates the leftover .tmp
    await writeCheckpointFileAsync(file, 0, ['t 0 4'])
    assert.equal(fs.readFileSync(file, 'utf8'), text('t 0 4'))
    assert.ok(!fs.existsSync(`${file}.tmp`))
  })

  it('a sync write while an async one is in flight wins: the in-flight one stands aside or is redone after', async () => {
    writeCheckpointFile(file, 0, ['t 0 0'])
    // during the .tmp write: the async write does not rename
    let ops = new GatedOps()
    let w = new AtomicFileWriter(file, ops)
    ops.hold('writeFile')
    const a = w.write(text('t 0 1'))
    await ops.reached('writeFile')
    w.writeSync(text('t 0 2'))
    assert.equal(fs.readFileSync(file, 'utf8'), text('t 0 2'))
    ops.release('writeFile')
    await a
    await w.idle()
    assert.equal(fs.readFileSync(file, 'utf8'), text('t 0 2'))
    assert.deepEqual(ops.calls, ['write t 0 1', 'remove'])
    assert.deepEqual(fs.readdirSync(root).sort(), ['replication-offset-checkpoint'])

    // during the rename: the sync content is written again after it
    ops = new GatedOps()
    w = new AtomicFileWriter(file, ops)
    ops.hold('rename')
    const b = w.write(text('t 0 3'))
    await ops.reached('rename')
    w.writeSync(text('t 0 4'))
    ops.release('rename')
    await b
    await w.idle()
    assert.equal(fs.readFileSync(file, 'utf8'), text('t 0 4'))
    assert.deepEqual(ops.calls, ['write t 0 3', 'rename', 'fsyncDir', 'write t 0 4', 'rename', 'fsyncDir'])

    // a sync write without fsync does not supersede an fsynced one: that lands, then the newest again
    ops = new GatedOps()
    w = new AtomicFileWriter(file, ops)
    ops.hold('writeFile')
    const c = w.write(text('t 0 5'))
    await ops.reached('writeFile')
    w.writeSync(text('t 0 6'), {fsync: false})
    ops.release('writeFile')
    await c
    await w.idle()
    assert.equal(fs.readFileSync(file, 'utf8'), text('t 0 6'))
    assert.deepEqual(ops.calls, ['write t 0 5', 'rename', 'fsyncDir', 'write t 0 6', 'rename'])
  })

  it('discard() keeps an in-flight write from landing', async () => {
    const ops = new GatedOps()
    const w = new AtomicFileWriter(file, ops)
    ops.hold('rename')
    const a = w.write(text('t 0 1'))
    await ops.reached('rename')
    const pending = w.write(text('t 0 2'))
    w.discard()
    assert.ok(w.mayHoldDiscarded)
    ops.release('rename')
    await Promise.all([a, pending])
    await w.idle()
    assert.ok(!fs.existsSync(file))
    assert.ok(!w.mayHoldDiscarded)
    assert.deepEqual(ops.calls, ['write t 0 1', 'rename', 'remove'])
  })

  it('producer snapshots: async write is atomic, deletion cancels an in-flight write, shutdown write is safe', async () => {
    const e: ProducerSnapshotEntry = {producerId: 7, epoch: 1, lastSequence: 9, lastOffset: 99, offsetDelta: 9, timestamp: 5, coordinatorEpoch: -1, currentTxnFirstOffset: -1}
    const f = await writeProducerSnapshotAsync(root, 100, [e])
    assert.equal(f, producerSnapshotFile(root, 100))
    assert.deepEqual(readProducerSnapshot(f), [e])
    assert.deepEqual(listProducerSnapshotOffsets(root), [100])
    // deleted while in flight: never shows up
    const inFlight = writeProducerSnapshotAsync(root, 200, [e])
    deleteProducerSnapshots(root, o => o >= 200)
    await inFlight
    await awaitFileWrites([root])
    assert.deepEqual(listProducerSnapshotOffsets(root), [100])
    // a sync (shutdown) write of the same snapshot while the async one is in flight
    const again = writeProducerSnapshotAsync(root, 300, [e])
    writeProducerSnapshot(root, 300, [{...e, lastSequence: 10}])
    await again
    await awaitFileWrites([root])
    assert.equal(readProducerSnapshot(producerSnapshotFile(root, 300))[0].lastSequence, 10)
    assert.deepEqual(fs.readdirSync(root).sort(), ['00000000000000000100.snapshot', '00000000000000000300.snapshot'])
    // written only once the log data it describes is (`after`), and cancelled by a deletion meanwhile
    let dataWritten!: () => void
    const gate = new Promise<void>(r => { dataWritten = r })
    const gated = writeProducerSnapshotAsync(root, 400, [e], gate)
    const doomed = writeProducerSnapshotAsync(root, 500, [e], gate)
    await new Promise(r => setTimeout(r, 20))
    assert.deepEqual(listProducerSnapshotOffsets(root), [100, 300], 'nothing before the data is written')
    deleteProducerSnapshots(root, o => o === 500)
    dataWritten()
    await Promise.all([gated, doomed])
    await awaitFileWrites([root])
    assert.deepEqual(listProducerSnapshotOffsets(root), [100, 300, 400])
    assert.ok(!fs.existsSync(producerSnapshotFile(root, 500)))
    // a deletion does not wait for data writes that may never settle (a deleted log)
    const never = writeProducerSnapshotAsync(root, 600, [e], new Promise<void>(() => undefined))
    deleteProducerSnapshots(root, o => o === 600)
    await never
    await awaitFileWrites([root])
    assert.deepEqual(listProducerSnapshotOffsets(root), [100, 300, 400])
  })

  it('LeaderEpochCache.flushAsync writes the same file as flush(), only when dirty', async () => {
    const c = new LeaderEpochCache(root, {backgroundWrites: true})
    c.assign(1, 0, false); c.assign(3, 10, false)
    const f = path.join(root, 'leader-epoch-checkpoint')
    assert.ok(!fs.existsSync(f))
    await Promise.all([c.flushAsync(), c.flushAsync()])
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n2\n1 0\n3 10\n')
    fs.rmSync(f)
    await c.flushAsync()
    assert.ok(!fs.existsSync(f), 'nothing changed: no write')
    c.assign(4, 20)
    const flushing = c.flushAsync()
    c.truncateFromEnd(15) // a truncation (written in the background) while the flush is in flight
    assert.deepEqual(c.all(), [{epoch: 1, startOffset: 0}, {epoch: 3, startOffset: 10}])
    await flushing
    await awaitFileWrites([root])
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n2\n1 0\n3 10\n')
    assert.deepEqual(new LeaderEpochCache(root).all(), [{epoch: 1, startOffset: 0}, {epoch: 3, startOffset: 10}])
    // a sync flush() (close) while a flushAsync is in flight has the file in place when it returns
    c.assign(5, 30, false)
    const inFlight = c.flushAsync()
    c.flush()
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n3\n1 0\n3 10\n5 30\n')
    await inFlight
    await awaitFileWrites([root])
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n3\n1 0\n3 10\n5 30\n')
    // DeleteRecords/retention: the truncated entries are written on the thread pool, not at once
    c.truncateFromStart(12)
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n3\n1 0\n3 10\n5 30\n')
    await awaitFileWrites([root])
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n2\n3 12\n5 30\n')
    // a log with synchronous I/O (the metadata log, tools) writes truncations at once
    const s = new LeaderEpochCache(root)
    s.truncateFromStart(20)
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n2\n3 20\n5 30\n')
  })

  it('LogManager.checkpointAsync writes what checkpoint() writes; shutdown waits for it', async () => {
    const cfg: LogConfig = {...DEFAULT_LOG_CONFIG, segmentBytes: 1000, indexIntervalBytes: 100, segmentIndexBytes: 4096, fileDeleteDelayMs: 0}
    const dir = path.join(root, 'logs')
    const lm = new LogManager({logDirs: [dir], defaultConfig: cfg})
    await lm.startup()
    const l = lm.getOrCreateLog({topic: 't', partition: 0}, 'AAAAAAAAAAAAAAAAAAAAAQ')
    for (let i = 0; i < 10; i++) l.appendAsLeader(makeBatch({count: 2}), 0)
    l.flush()
    const names = ['recovery-point-offset-checkpoint', 'log-start-offset-checkpoint', 'replication-offset-checkpoint']
    lm.checkpoint(new Map([['t-0', 12]]))
    const sync = names.map(n => fs.readFileSync(path.join(dir, n), 'utf8'))
    for (const n of names) fs.rmSync(path.join(dir, n))
    await lm.checkpointAsync({recoveryPoints: true, logStartOffsets: true, highWatermarks: new Map([['t-0', 12]])})
    assert.deepEqual(names.map(n => fs.readFileSync(path.join(dir, n), 'utf8')), sync)
    assert.equal(sync[2], '0\n1\nt 0 12\n')
    const inFlight = lm.checkpointAsync({highWatermarks: new Map([['t-0', 20]])})
    await lm.shutdown(3)
    await inFlight
    assert.equal(fs.readFileSync(path.join(dir, 'replication-offset-checkpoint'), 'utf8'), '0\n1\nt 0 20\n')
    assert.equal(fs.readFileSync(path.join(dir, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n1\nt 0 20\n')
    assert.deepEqual(fs.readdirSync(dir).filter(n => n.endsWith('.tmp')), [])
  })
})
