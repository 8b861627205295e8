/**
 * Log cleaner bench (issue 11), in one process on real files:
 *
 * 1. Cleaner throughput (MB of log cleaned per second): a compacted log of N records (KTS_BENCH_CLEANER_RECORDS, default 1,000,000)
 *    of B bytes (KTS_BENCH_RECORD_BYTES, 100) over K keys (KTS_BENCH_CLEANER_KEYS, 10,000), in batches
 *    of 1000 records, 16 MiB segments; one pass of LogCleaner: MB of log per second, size before
 *    and after, and the event-loop delay (perf_hooks.monitorEventLoopDelay, p50/p99/max) while it
 *    runs (the reading, deduplicating and writing run on the cleaner's worker thread; the event loop
 *    keeps the swaps). The logs write behind as the broker's partition logs do (`asyncIo`).
 * 2. Appends while it runs: the same batches appended to another log in a loop that yields to the
 *    event loop after each batch (as the broker's request handling does), records/s without and
 *    with a cleaner pass running. This is what the cleaner takes from the event loop (and, on a
 *    machine with few cores, from the CPU); network and client costs are not in it.
 * 3. Produce while it runs, end to end: a kts broker (own process, random ports) and kcat producing P
 *    keyed records (KTS_BENCH_RECORDS, default 1,000,000; 10,000 keys) into a `cleanup.policy=delete`
 *    topic, then into a compacted topic with 8 MiB segments, min.cleanable.dirty.ratio 0.1 and
 *    log.cleaner.backoff.ms 100, so the cleaner keeps cleaning while kcat produces: records/s of each.
 *    Skipped when kcat is missing.
 * 4. `__consumer_offsets`: C commits (KTS_BENCH_OFFSET_COMMITS, default 1,000,000) of 100
 *    group-partitions (10 groups × 10 partitions, one batch per OffsetCommit of 10 partitions),
 *    10 MiB segments: its size and the GroupCoordinator load time (onElection) before and after
 *    cleaning, with the loaded offsets checked.
 *
 * Run: `npm run build && node dist/bench/cleaner.js`; `npm run bench` runs it unless
 * KTS_BENCH_SKIP_CLEANER=1. Exit status 1 when a check fails.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {monitorEventLoopDelay} from 'node:perf_hooks'
import {spawn, spawnSync} from 'node:child_process'
import {encodeRecordBatch, type RecordInput} from '../src/protocol/records/records.js'
import {DEFAULT_LOG_CONFIG, UnifiedLog, type LogConfig} from '../src/server/log/index.js'
import {DEFAULT_CLEANER_CONFIG, LogCleaner} from '../src/server/log/cleaner/log-cleaner.js'
import {DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type CoordinatorPartitionStorage} from '../src/server/group/group-coordinator.js'
import {encodeOffsetCommitKey, encodeOffsetCommitValue} from '../src/server/group/group-records.js'
import {canConnect, envInt, findRepoRoot, freePorts, kraftNodeProperties, renderProperties} from './support.js'
import {EventLoopProbeReader, eventLoopProbeSpawn, formatLoopDelay} from './event-loop-probe-reader.js'

const RECORDS = envInt('KTS_BENCH_CLEANER_RECORDS', 1_000_000)
const RECORD_BYTES = envInt('KTS_BENCH_RECORD_BYTES', 100)
const KEYS = envInt('KTS_BENCH_CLEANER_KEYS', 10_000)
const COMMITS = envInt('KTS_BENCH_OFFSET_COMMITS', 1_000_000)
const BATCH = 1000

const MB = 1024 * 1024
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-cleaner-'))
let seq = 0

function openLog(name: string, config: Partial<LogConfig>): UnifiedLog {
  return UnifiedLog.open({dir: path.join(root, `${name}-0`), topicPartition: {topic: name, partition: 0},
    config: {...DEFAULT_LOG_CONFIG, cleanupPolicy: 'compact', minCleanableDirtyRatio: 0.01, fileDeleteDelayMs: 0, ...config},
    recoveryPoint: 0, hadCleanShutdown: true, asyncIo: true})
}

function keyedBatch(): Buffer {
  const value = Buffer.alloc(Math.max(1, RECORD_BYTES - 10), 0x76)
  const records: RecordInput[] = []
  for (let i = 0; i < BATCH; i++) records.push({key: Buffer.from(`key-${(seq++ * 7919) % KEYS}`), value, timestamp: 1_700_000_000_000})
  return encodeRecordBatch({records})
}

function cleanerFor(logs: UnifiedLog[]): LogCleaner {
  return new LogCleaner({config: {...DEFAULT_CLEANER_CONFIG}, logDirs: [root], logs: () => logs, lastStableOffsetOf: l => l.logEndOffset})
}

/** Appends `batches` batches, yielding to the event loop after each; records/s. */
async function appendLoop(log: UnifiedLog, batch: Buffer, batches: number): Promise<number> {
  const t = performance.now()
  for (let i = 0; i < batches; i++) {
    log.appendAsLeader(Buffer.from(batch), 0)
    await new Promise<void>(r => setImmediate(r))
  }
  await log.whenIoDone()
  return batches * BATCH / ((performance.now() - t) / 1000)
}

async function cleanerThroughput(): Promise<void> {
  const log = openLog('compacted', {segmentBytes: 16 * MB})
  const batches = Math.ceil(RECORDS / BATCH)
  for (let i = 0; i < batches; i++) log.appendAsLeader(keyedBatch(), 0)
  log.roll()
  await log.whenIoDone()
  const before = log.size
  const cleaner = cleanerFor([log])
  // the same measure with nothing to do, for scale (on a busy machine the OS scheduler alone delays the loop)
  const idle = monitorEventLoopDelay({resolution: 1})
  idle.enable()
  await new Promise(r => setTimeout(r, 1000))
  idle.disable()
  const h = monitorEventLoopDelay({resolution: 1})
  h.enable()
  const res = await cleaner.cleanFilthiestLog()
  h.disable()
  await cleaner.shutdown()
  assert.ok(res && !res.stats.aborted, 'the pass ran')
  const s = res.stats
  console.log(`cleaner: ${batches * BATCH} records of ${RECORD_BYTES} B over ${KEYS} keys, ${(before / MB).toFixed(1)} MB → ${(log.size / MB).toFixed(1)} MB ` +
    `in ${(s.elapsedMs / 1000).toFixed(2)} s: ${(before / MB / (s.elapsedMs / 1000)).toFixed(1)} MB/s of log cleaned ` +
    `(${(s.recordsRead / (s.elapsedMs / 1000) / 1e6).toFixed(2)} M records/s; ${(s.bytesRead / MB).toFixed(0)} MB read over both passes), ${s.recordsRetained} records kept; ` +
    `event-loop delay while cleaning p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms ` +
    `(idle, before the pass: p99 ${(idle.percentile(99) / 1e6).toFixed(1)} ms, max ${(idle.max / 1e6).toFixed(1)} ms)`)
  assert.equal(s.recordsRetained, KEYS)

  // appends alone, then appends while another pass cleans a second dirty log
  const target = openLog('plain', {cleanupPolicy: 'delete', segmentBytes: 64 * MB})
  const batch = keyedBatch()
  const appendBatches = Math.max(200, Math.ceil(batches / 2))
  const alone = await appendLoop(target, batch, appendBatches)
  const dirty = openLog('compacted2', {segmentBytes: 16 * MB})
  for (let i = 0; i < batches; i++) dirty.appendAsLeader(keyedBatch(), 0)
  dirty.roll()
  await dirty.whenIoDone()
  const cleaner2 = cleanerFor([dirty])
  let cleaning = true
  const pass = cleaner2.cleanFilthiestLog().finally(() => { cleaning = false })
  const t = performance.now()
  let n = 0
  while (cleaning) {
    target.appendAsLeader(Buffer.from(batch), 0)
    n++
    await new Promise<void>(r => setImmediate(r))
  }
  await target.whenIoDone()
  const during = n * BATCH / ((performance.now() - t) / 1000)
  const r2 = await pass
  await cleaner2.shutdown()
  console.log(`appends (batches of ${BATCH} × ${RECORD_BYTES} B, yielding after each): ${(alone / 1e6).toFixed(2)} M records/s alone, ` +
    `${(during / 1e6).toFixed(2)} M records/s while the cleaner runs (${(100 * during / alone).toFixed(0)} %; the pass took ${((r2?.stats.elapsedMs ?? 0) / 1000).toFixed(2)} s)`)
  for (const l of [log, target, dirty]) { await l.whenIoDone(); l.close(); await l.whenIoDone() }
}

async function offsetsTopic(): Promise<void> {
  const log = openLog('__consumer_offsets', {segmentBytes: 10 * MB})
  const now = Date.now()
  const groups = 10
  const partitions = 10
  const last = new Map<string, number>()
  const t0 = performance.now()
  for (let c = 0; c < COMMITS / partitions; c++) {
    const g = c % groups
    const records: RecordInput[] = []
    for (let p = 0; p < partitions; p++) {
      records.push({key: encodeOffsetCommitKey({group: `group-${g}`, topic: 'orders', partition: p}),
        value: encodeOffsetCommitValue({offset: c, leaderEpoch: 0, metadata: '', commitTimestamp: now, expireTimestamp: -1}), timestamp: now})
      last.set(`group-${g}/${p}`, c)
    }
    log.appendAsLeader(encodeRecordBatch({records}), 0)
  }
  log.roll()
  await log.whenIoDone()
  const writeMs = performance.now() - t0
  const storage: CoordinatorPartitionStorage = {
    append: () => Promise.reject(new Error('read-only bench')),
    read(_partition, fromOffset, maxBytes) {
      const start = Math.max(fromOffset, log.logStartOffset)
      const end = log.logEndOffset
      if (start >= end) return {records: Buffer.alloc(0), nextOffset: start, logEndOffset: end}
      const {records} = log.read(start, maxBytes, end, true)
      return {records, nextOffset: start, logEndOffset: end}
    },
  }
  const load = async (): Promise<number> => {
    const coord = new GroupCoordinator(storage, {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 1})
    const t = performance.now()
    await coord.onElection(0, 0)
    const ms = performance.now() - t
    for (let g = 0; g < groups; g++) {
      const r = coord.fetchOffsets(`group-${g}`, [{name: 'orders', partitionIndexes: Array.from({length: partitions}, (_, p) => p)}])
      for (const p of r.topics[0].partitions) assert.equal(p.committedOffset, last.get(`group-${g}/${p.partitionIndex}`))
    }
    coord.close()
    return ms
  }
  const sizeBefore = log.size
  const loadBefore = await load()
  const offsetsCleaner = cleanerFor([log])
  const res = await offsetsCleaner.cleanFilthiestLog()
  await offsetsCleaner.shutdown()
  assert.ok(res && !res.stats.aborted)
  const loadAfter = await load()
  console.log(`__consumer_offsets-0: ${COMMITS} commits of ${groups * partitions} group-partitions (written in ${(writeMs / 1000).toFixed(1)} s): ` +
    `${(sizeBefore / MB).toFixed(1)} MB, groups loaded in ${loadBefore.toFixed(0)} ms before cleaning; ` +
    `${(log.size / 1024).toFixed(1)} KB, loaded in ${loadAfter.toFixed(1)} ms after (cleaning took ${(res.stats.elapsedMs / 1000).toFixed(2)} s)`)
  log.close()
  await log.whenIoDone()
}

function runOk(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, {encoding: 'utf8', timeout: 300_000, maxBuffer: 64 * MB})
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return r.stdout
}

async function produceWhileCleaning(): Promise<void> {
  const kcat = process.env.KTS_BENCH_KCAT || 'kcat'
  if (spawnSync(kcat, ['-V']).status !== 0) { console.log('produce while cleaning: skipped (no kcat)'); return }
  const n = envInt('KTS_BENCH_RECORDS', 1_000_000)
  const rootDir = findRepoRoot()
  const runJs = path.join(rootDir, 'bin', 'run.js')
  const [port, controllerPort] = await freePorts(2)
  const config = path.join(root, 'server.properties')
  fs.writeFileSync(config, renderProperties({...kraftNodeProperties(port, controllerPort, path.join(root, 'broker-logs')),
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT', 'log.cleaner.backoff.ms': 100}))
  runOk(process.execPath, [runJs, 'storage', 'format', '-t', runOk(process.execPath, [runJs, 'storage', 'random-uuid']).trim(), '-c', config])
  const probe = eventLoopProbeSpawn(path.join(root, 'event-loop.json'))
  const child = spawn(process.execPath, [...probe.nodeArgs, runJs, 'server', 'start', config], {cwd: rootDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...probe.env}})
  const loop = new EventLoopProbeReader(child.pid!, probe.file, () => child.exitCode === null && child.signalCode === null)
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-50_000)))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-50_000)))
  const closed = new Promise<void>(resolve => child.once('close', () => resolve()))
  try {
    const deadline = Date.now() + 30_000
    while (!(out.includes('Kafka Server started') && await canConnect(port))) {
      if (Date.now() > deadline) throw new Error(`the kts broker did not start\n${out}`)
      await new Promise(r => setTimeout(r, 50))
    }
    const bootstrap = `127.0.0.1:${port}`
    const lines = path.join(root, 'keyed.txt')
    const value = 'v'.repeat(Math.max(1, RECORD_BYTES - 10))
    fs.writeFileSync(lines, Array.from({length: n}, (_, i) => `key-${(i * 7919) % 10_000}:${value}`).join('\n') + '\n')
    const produce = async (topic: string, configs: string[]): Promise<[number, string]> => {
      runOk(process.execPath, [runJs, 'topics', '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '1', ...configs.flatMap(c => ['--config', c])])
      await loop.report() // resets the broker's event-loop delay histogram
      const t = performance.now()
      runOk(kcat, ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-K:', '-l', lines, '-X', 'linger.ms=5', '-X', 'batch.num.messages=10000',
        '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576'])
      const secs = (performance.now() - t) / 1000
      const delay = formatLoopDelay(await loop.report())
      const end = Number(/offset (\d+)/.exec(runOk(kcat, ['-Q', '-b', bootstrap, '-t', `${topic}:0:-1`]))?.[1] ?? NaN)
      assert.equal(end, n, `${topic} end offset`)
      return [n / secs, delay]
    }
    const [plain, plainLoop] = await produce('bench-delete', ['segment.bytes=8388608'])
    const cleanedBefore = (out.match(/Cleaner \d+: cleaned log bench-compact-0/g) ?? []).length
    const [compacted, compactedLoop] = await produce('bench-compact', ['cleanup.policy=compact', 'segment.bytes=8388608', 'min.cleanable.dirty.ratio=0.1'])
    await new Promise(r => setTimeout(r, 2000))
    const passes = (out.match(/Cleaner \d+: cleaned log bench-compact-0/g) ?? []).length - cleanedBefore
    console.log(`produce (kcat, ${n} keyed records of ${RECORD_BYTES} B, 1 partition): ${(plain / 1e6).toFixed(2)} M records/s into a delete topic, ` +
      `${(compacted / 1e6).toFixed(2)} M records/s into a compacted one with the cleaner running (${(100 * compacted / plain).toFixed(0)} %, ${passes} cleaner passes logged by 2 s after it)`)
    console.log(`  event-loop delay in the broker during each: ${plainLoop} (delete topic); ${compactedLoop} (compacted, cleaner running)`)
  } finally {
    try { process.kill(-child.pid!, 'SIGTERM') } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch { /* gone */ } }, 15_000)
    await closed
    clearTimeout(timer)
  }
}

try {
  await cleanerThroughput()
  await produceWhileCleaning()
  await offsetsTopic()
} catch (err) {
  console.error(`bench/cleaner: ${(err as Error).stack ?? String(err)}`)
  process.exitCode = 1
} finally {
  fs.rmSync(root, {recursive: true, force: true})
}
