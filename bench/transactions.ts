/**
 * Transactions benchmark (issue 12), driven by librdkafka through `/usr/bin/python3` confluent_kafka
 * (bench/txn_client.py) against a kts broker it starts:
 *
 * - throughput: N records of B bytes (default 1,000,000 × 100 B) to a fresh 1-partition topic with
 *   an idempotent producer, and with a transactional one committing every 1,000 records, in the
 *   same run (best of KTS_BENCH_TXN_ROUNDS, default 2, each). Target: transactional ≥ 70 % of plain;
 * - commit latency: EndTxn (commit_transaction) sent → a read_committed consumer receives the
 *   transaction's record, over KTS_BENCH_TXN_LATENCY_ROUNDS (default 200) transactions: p50, p99.
 *
 * Standalone: `npm run build && node dist/bench/transactions.js [bootstrap]`; `npm run bench` runs it
 * unless KTS_BENCH_SKIP_TXN=1 (also skipped, with a note, when confluent_kafka is missing).
 * Environment: KTS_BENCH_RECORDS, KTS_BENCH_RECORD_BYTES, KTS_BENCH_TXN_PER_TXN (1000),
 * KTS_BENCH_TXN_LINGER_MS (linger.ms of both producers, default 5), KTS_BENCH_PYTHON (/usr/bin/python3). Exit status 1 when something broke, 0 otherwise (also when the
 * target is missed: marked BELOW TARGET).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {canConnect, envInt, findRepoRoot, freePorts, kraftNodeProperties, renderProperties} from './support.js'

const ROOT = findRepoRoot()
const PYTHON = process.env.KTS_BENCH_PYTHON || '/usr/bin/python3'
const CLIENT = path.join(ROOT, 'bench', 'txn_client.py')
const TARGET_RATIO = 0.7
const live = new Set<ChildProcess>()

function killAll(): void {
  for (const c of live) {
    try {
      process.kill(-c.pid!, 'SIGKILL')
    } catch {
      // gone
    }
  }
}

/** Runs a program; resolves with its stdout, rejects with its stderr on a non-zero exit. */
function run(cmd: string, args: string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} exited with ${code}: ${err.slice(-2000)}`))
    })
  })
}

/** A kts broker+controller on random loopback ports in `dir`. */
async function startOwnBroker(dir: string): Promise<{bootstrap: string, stop(): Promise<void>}> {
  const [port, controllerPort] = await freePorts(2)
  const config = path.join(dir, 'server.properties')
  fs.writeFileSync(config, renderProperties({
    ...kraftNodeProperties(port, controllerPort, path.join(dir, 'logs')),
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
  }))
  const runJs = path.join(ROOT, 'bin', 'run.js')
  const uuid = (await run(process.execPath, [runJs, 'storage', 'random-uuid'])).trim()
  await run(process.execPath, [runJs, 'storage', 'format', '-t', uuid, '-c', config])
  const child = spawn(process.execPath, [runJs, 'server', 'start', config], {cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
  live.add(child)
  let out = ''
  let exited = false
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-20_000)))
  const closed = new Promise<void>((resolve) => child.once('close', () => {
    exited = true
    live.delete(child)
    resolve()
  }))
  const deadline = Date.now() + 30_000
  while (!(out.includes('Kafka Server started') && await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      killAll()
      throw new Error(`the kts broker did not start\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    bootstrap: `127.0.0.1:${port}`,
    stop: async () => {
      if (exited) return
      process.kill(-child.pid!, 'SIGTERM')
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000)
      await closed
      clearTimeout(timer)
    },
  }
}

/** Figures of one bench run. Rates per second, times in ms. */
export interface TxnBenchResult {
  records: number
  recordBytes: number
  perTxn: number
  plainRecordsPerSec: number
  txnRecordsPerSec: number
  ratio: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyRounds: number
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

async function createTopic(bootstrap: string, topic: string): Promise<void> {
  await run(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'topics', '--bootstrap-server', bootstrap, '--create', '--topic', topic, '--partitions', '1', '--replication-factor', '1'])
}

/** Runs the throughput and latency scenarios against `bootstrap`. */
export async function runTxnBench(bootstrap: string): Promise<TxnBenchResult> {
  const records = envInt('KTS_BENCH_RECORDS', 1_000_000)
  const recordBytes = envInt('KTS_BENCH_RECORD_BYTES', 100)
  const perTxn = envInt('KTS_BENCH_TXN_PER_TXN', 1000)
  const rounds = envInt('KTS_BENCH_TXN_ROUNDS', 2)
  const latencyRounds = envInt('KTS_BENCH_TXN_LATENCY_ROUNDS', 200)
  let plain = 0
  let txn = 0
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['plain', 'transactional'] as const) {
      const topic = `bench-txn-${mode}-${r}-${Date.now()}`
      await createTopic(bootstrap, topic)
      const res = JSON.parse(await run(PYTHON, [CLIENT, 'throughput', bootstrap, topic, String(records), String(recordBytes), String(perTxn), mode])) as {records: number, seconds: number}
      const rate = res.records / res.seconds
      if (mode === 'plain') plain = Math.max(plain, rate)
      else txn = Math.max(txn, rate)
    }
  }
  const latTopic = `bench-txn-latency-${Date.now()}`
  await createTopic(bootstrap, latTopic)
  const lat = JSON.parse(await run(PYTHON, [CLIENT, 'latency', bootstrap, latTopic, String(latencyRounds)])) as {latenciesMs: number[]}
  const sorted = [...lat.latenciesMs].sort((a, b) => a - b)
  return {
    records, recordBytes, perTxn, plainRecordsPerSec: plain, txnRecordsPerSec: txn, ratio: txn / plain,
    latencyP50Ms: percentile(sorted, 0.5), latencyP99Ms: percentile(sorted, 0.99), latencyRounds,
  }
}

export function formatTxnBench(r: TxnBenchResult): string {
  const n = (v: number): string => Math.round(v).toLocaleString('en-US')
  return [
    `produce ${n(r.records)} × ${r.recordBytes} B, 1 partition, confluent-kafka:`,
    `  idempotent, not transactional   ${n(r.plainRecordsPerSec)} records/s`,
    `  transactional, ${n(r.perTxn)} per txn      ${n(r.txnRecordsPerSec)} records/s`,
    `  transactional / plain           ${(r.ratio * 100).toFixed(0)} %  (target ≥ ${TARGET_RATIO * 100} %)${r.ratio >= TARGET_RATIO ? '' : '  BELOW TARGET'}`,
    `commit latency, EndTxn → visible to read_committed (${r.latencyRounds} txns): p50 ${r.latencyP50Ms.toFixed(1)} ms, p99 ${r.latencyP99Ms.toFixed(1)} ms`,
  ].join('\n')
}

async function main(): Promise<void> {
  process.once('exit', killAll)
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAll()
      process.exit(130)
    })
  }
  if (spawnSync(PYTHON, ['-c', 'import confluent_kafka']).status !== 0) {
    process.stdout.write(`transactions bench skipped: ${PYTHON} cannot import confluent_kafka\n`)
    return
  }
  let bootstrap = process.argv[2]
  let broker: {stop(): Promise<void>} | null = null
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-txn-'))
  try {
    if (bootstrap === undefined) {
      const b = await startOwnBroker(dir)
      broker = b
      bootstrap = b.bootstrap
      process.stderr.write(`kts broker on ${bootstrap}\n`)
    }
    process.stdout.write(`${formatTxnBench(await runTxnBench(bootstrap))}\n`)
  } finally {
    await broker?.stop()
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench/transactions: ${(err as Error).stack ?? String(err)}\n`)
    killAll()
    process.exitCode = 1
  })
}
