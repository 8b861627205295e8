/**
 * Start-to-ready of the programmatic API (`import {startKafka} from 'kts'`), what a test suite pays:
 * - in-process, cold: a fresh Node process imports 'kts' and calls startKafka() once (module
 *   loading of the broker included); measured in KTS_BENCH_START_COLD (default 3) fresh processes;
 * - in-process, warm: later startKafka() calls in the same process;
 * - child-process: startKafka({mode: 'child-process'}) (spawn, module loading, node start-up, IPC);
 * - 3 nodes: startKafka({nodes: 3}) (three child processes started concurrently, quorum election,
 *   every broker registered and unfenced).
 * "Ready" = the startKafka() promise resolved: every node accepts connections and its broker is
 * unfenced. Also stop(): until the promise resolved (ports closed, temp dir removed); a 3-node
 * stop() includes the last node's controlled shutdown giving up without a quorum (2 heartbeats).
 *
 * Run: `npm run build && node dist/bench/start-kafka.js` (npm run bench runs it too).
 * Environment: KTS_BENCH_START_RUNS (warm and child-process samples, default 7), KTS_BENCH_START_COLD (3),
 * KTS_BENCH_START_CLUSTER_RUNS (3-node samples, default 3).
 * Exit status 1 when a start failed.
 */
import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {envInt} from './support.js'

const TARGET_MS = 1000

interface Sample {
  importMs: number
  startMs: number
  stopMs: number
}

async function once(mode: 'in-process' | 'child-process', nodes = 1): Promise<Sample> {
  const t0 = performance.now()
  const {startKafka} = await import('kts')
  const t1 = performance.now()
  const kafka = await startKafka({mode, nodes})
  const t2 = performance.now()
  await kafka.stop()
  return {importMs: t1 - t0, startMs: t2 - t1, stopMs: performance.now() - t2}
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (xs: number[]): string =>
  `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))}, n=${xs.length})`
const status = (ms: number): string => (ms <= TARGET_MS ? `target <= ${TARGET_MS} ms: ok` : `target <= ${TARGET_MS} ms: BELOW TARGET`)

async function main(): Promise<void> {
  const runs = envInt('KTS_BENCH_START_RUNS', 7)
  const coldRuns = envInt('KTS_BENCH_START_COLD', 3)
  const clusterRuns = envInt('KTS_BENCH_START_CLUSTER_RUNS', 3)
  const self = fileURLToPath(import.meta.url)

  const cold: Sample[] = []
  for (let i = 0; i < coldRuns; i++) {
    const r = spawnSync(process.execPath, [self, '--once'], {encoding: 'utf8', timeout: 60_000})
    if (r.status !== 0) throw new Error(`cold run failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`)
    cold.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Sample)
  }
  await once('in-process') // warm-up: module loading
  const warm: Sample[] = []
  for (let i = 0; i < runs; i++) warm.push(await once('in-process'))
  const child: Sample[] = []
  for (let i = 0; i < runs; i++) child.push(await once('child-process'))
  const cluster: Sample[] = []
  for (let i = 0; i < clusterRuns; i++) cluster.push(await once('child-process', 3))

  const coldMs = cold.map((s) => s.startMs)
  console.log(`startKafka() in-process, cold (fresh process): ${fmt(coldMs)} (${status(median(coldMs))}); import('kts') before it ${fmt(cold.map((s) => s.importMs))}`)
  console.log(`startKafka() in-process, warm:                 ${fmt(warm.map((s) => s.startMs))}; stop() ${fmt(warm.map((s) => s.stopMs))}`)
  console.log(`startKafka({mode: 'child-process'}):           ${fmt(child.map((s) => s.startMs))} (${status(median(child.map((s) => s.startMs)))}); stop() ${fmt(child.map((s) => s.stopMs))}`)
  if (cluster.length > 0) console.log(`startKafka({nodes: 3}):                        ${fmt(cluster.map((s) => s.startMs))}; stop() ${fmt(cluster.map((s) => s.stopMs))}`)
}

if (process.argv.includes('--once')) {
  once('in-process').then((s) => console.log(JSON.stringify(s)), (err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
} else if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`start-kafka bench failed: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 1
  })
}
