/**
 * Measures the recovery of an unclean partition log in this process (issue 11, acceptance 7: disk
 * I/O never stalls the event loop): the event-loop delay (perf_hooks.monitorEventLoopDelay,
 * resolution 1 ms) p99/max while the log loads, and the recovery rate (MB/s of log checked).
 *
 *   node dist/scripts/measure-recovery.js [--mb 1024] [--mode async|sync|both] [--runs 2] [--dir /tmp/x] [--lib <log/index.js>]
 *   node dist/scripts/measure-recovery.js --logs 8 [--mb 1024] [--threads 2]
 *   (`--batch 65536`: bytes per batch written)
 *
 * `--mode sync` opens with `UnifiedLog.open` (the loading before the move off the event loop, still
 * used by the metadata log and tools), `async` with `UnifiedLog.openAsync` (the broker's start-up).
 * `--lib` loads `UnifiedLog` from another build (e.g. main's dist) for a before/after comparison.
 * The log (one segment, 64 KiB batches by default) is written once and kept while the script runs; before
 * each run 100 garbage bytes are appended (a torn tail) and the log is opened as after an unclean
 * shutdown with recovery point 0, so every batch is read and CRC-checked.
 * `--logs N` writes N logs of `mb / N` MiB in one log dir and loads them all with a `LogManager`:
 * `startupSync()` (one after another) beside `startup()` with `--threads` logs at a time.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {monitorEventLoopDelay} from 'node:perf_hooks'
import {parseArgs} from 'node:util'
import {DEFAULT_LOG_CONFIG, LogManager, UnifiedLog, type LogConfig, type UnifiedLogOpenOptions} from '../src/server/log/index.js'
import {updateCrc, writeInt64At} from '../src/protocol/records/record-batch.js'

interface LogClass { open(o: UnifiedLogOpenOptions): UnifiedLog, openAsync?(o: UnifiedLogOpenOptions): Promise<UnifiedLog> }

const {values} = parseArgs({options: {
  mb: {type: 'string', default: '1024'}, mode: {type: 'string', default: 'both'}, runs: {type: 'string', default: '2'},
  dir: {type: 'string'}, lib: {type: 'string'}, logs: {type: 'string', default: '1'}, threads: {type: 'string', default: '2'}, batch: {type: 'string', default: '65536'},
}})
const totalBytes = Number(values.mb) * (1 << 20)
const config: LogConfig = {...DEFAULT_LOG_CONFIG, segmentBytes: Math.max(DEFAULT_LOG_CONFIG.segmentBytes, totalBytes + (1 << 20)), maxMessageBytes: 1 << 20}
const tp = {topic: 'recovery', partition: 0}
/** Bytes per batch (`--batch`), ~100 B per record. */
const batchBytes = Number(values.batch)
const root = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kts-measure-recovery-'))
const dir = path.join(root, 'recovery-0')

/** A v2 batch of `count` records in `size` bytes (dummy record bytes; recovery checks headers and CRCs only). */
function batch(size: number, count: number, ts: number): Buffer {
  const b = Buffer.alloc(size, 0x61)
  writeInt64At(b, 0, 0); b.writeInt32BE(size - 12, 8); b.writeInt32BE(-1, 12); b.writeInt8(2, 16); b.writeInt16BE(0, 21); b.writeInt32BE(count - 1, 23)
  writeInt64At(b, 27, ts); writeInt64At(b, 35, ts); writeInt64At(b, 43, -1); b.writeInt16BE(-1, 51); b.writeInt32BE(-1, 53); b.writeInt32BE(count, 57)
  updateCrc(b, 0, size)
  return b
}

/** Event-loop delay over `fn` (resolution 1 ms), and its duration. */
async function measured(fn: () => Promise<void> | void): Promise<{ms: number, line: string}> {
  const h = monitorEventLoopDelay({resolution: 1})
  h.enable()
  await new Promise(resolve => setTimeout(resolve, 20))
  const start = process.hrtime.bigint()
  await fn()
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  await new Promise(resolve => setTimeout(resolve, 20))
  h.disable()
  return {ms, line: `event-loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms (${h.count} samples)`}
}

/** `--logs N`: N logs in one dir, loaded by a LogManager synchronously, then asynchronously. */
async function manyLogs(n: number): Promise<void> {
  const logDir = path.join(root, 'many')
  for (let p = 0; p < n; p++) {
    const log = UnifiedLog.open({dir: path.join(logDir, `recovery-${p}`), topicPartition: {topic: 'recovery', partition: p}, config, recoveryPoint: 0, hadCleanShutdown: true})
    while (log.size < totalBytes / n) log.appendAsLeader(batch(batchBytes, Math.max(1, Math.floor(batchBytes / 100)), Date.now()), 1)
    log.close()
  }
  console.log(`wrote ${n} logs of ${(totalBytes / n / 1e6).toFixed(0)} MB`)
  for (let run = 0; run < Number(values.runs); run++) {
    for (const mode of ['sync', 'async']) {
      const lm = new LogManager({logDirs: [logDir], defaultConfig: config, asyncIo: mode === 'async'})
      const r = await measured(() => (mode === 'async' ? lm.startup({recoveryThreadsPerDataDir: Number(values.threads)}) : lm.startupSync()))
      const mb = lm.allLogs().reduce((a, l) => a + l.size, 0) / 1e6
      console.log(`${mode.padEnd(5)} run ${run + 1}: loaded ${n} logs, recovered ${mb.toFixed(0)} MB in ${r.ms.toFixed(0)} ms = ${(mb / (r.ms / 1000)).toFixed(0)} MB/s` +
        `${mode === 'async' ? ` (${values.threads} at a time)` : ''}; ${r.line}`)
      for (const l of lm.allLogs()) { l.close(); await l.whenIoDone() }
    }
  }
}

async function main(): Promise<void> {
  if (Number(values.logs) > 1) { await manyLogs(Number(values.logs)); return }
  const lib: LogClass = values.lib ? ((await import(path.resolve(values.lib))) as {UnifiedLog: LogClass}).UnifiedLog : UnifiedLog
  const log = UnifiedLog.open({dir, topicPartition: tp, config, recoveryPoint: 0, hadCleanShutdown: true})
  const t0 = Date.now()
  while (log.size < totalBytes) log.appendAsLeader(batch(batchBytes, Math.max(1, Math.floor(batchBytes / 100)), Date.now()), 1)
  const segmentFile = path.join(dir, '00000000000000000000.log')
  log.close()
  console.log(`wrote ${(log.size / 1e6).toFixed(0)} MB (${log.logEndOffset} records, ${log.numberOfSegments} segment) in ${Date.now() - t0} ms`)
  const modes = values.mode === 'both' ? ['sync', 'async'] : [values.mode ?? 'async']
  for (let run = 0; run < Number(values.runs); run++) {
    for (const mode of modes) {
      fs.appendFileSync(segmentFile, Buffer.alloc(100, 0x7f))
      const h = monitorEventLoopDelay({resolution: 1})
      h.enable()
      await new Promise(resolve => setTimeout(resolve, 20))
      const start = process.hrtime.bigint()
      const opts: UnifiedLogOpenOptions = {dir, topicPartition: tp, config, recoveryPoint: 0, hadCleanShutdown: false, asyncIo: mode === 'async'}
      const re = mode === 'async' ? await lib.openAsync!(opts) : lib.open(opts)
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      await new Promise(resolve => setTimeout(resolve, 20))
      h.disable()
      const mb = re.size / 1e6
      console.log(`${mode.padEnd(5)} run ${run + 1}: recovered ${mb.toFixed(0)} MB in ${ms.toFixed(0)} ms = ${(mb / (ms / 1000)).toFixed(0)} MB/s, ` +
        `truncated ${re.bytesTruncatedOnLoad} B; event-loop delay p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, ` +
        `max ${(h.max / 1e6).toFixed(1)} ms (${h.count} samples)`)
      re.close()
      await re.whenIoDone?.()
    }
  }
}

main().then(() => { if (!values.dir) fs.rmSync(root, {recursive: true, force: true}) }, (err: unknown) => {
  fs.rmSync(root, {recursive: true, force: true})
  console.error(err)
  process.exit(1)
})
