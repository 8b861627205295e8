/**
 * End-to-end benchmark of a kts broker driven by a fast real client (kcat / librdkafka), next to
 * the same runs against librdkafka's in-memory mock cluster (../shared/tools/mockcluster.c).
 *
 * Run: `npm run bench` (builds, then `node dist/bench/run.js`).
 *
 * For kts it writes a server.properties on random free loopback ports into a fresh temp dir, runs
 * `kts storage format`, spawns `node bin/run.js server start <file>` and measures
 *   - start-up: spawn -> first accepted TCP connection on the PLAINTEXT port (polled every 5 ms),
 *     and also -> first ApiVersions response and -> the "Kafka Server started" log line;
 *   - idle RSS: VmRSS of the server process (node itself, spawned directly) after ~2 s idle;
 *   - produce acks=1 and acks=all of N records of B bytes (`kcat -P -l <file>`, one line a record)
 *     into fresh 1-partition topics; a figure counts only if the partition's end offset is N after
 *     kcat exits (and the segment files hold at least N*B bytes);
 *   - consume of the N records (`kcat -C -o beginning -e`, one output byte per record, counted);
 *   - the same on a 3-partition topic (information only);
 *   - `kts producer-perf-test` (acks=1, Kafka's producer defaults batch.size=16384 linger.ms=5, and
 *     again with batch.size=1048576 linger.ms=20) and `kts consumer-perf-test` of the same N records
 *     into/from fresh 1-partition topics, printed beside kcat's figures from the same run (the
 *     tools' own reported records/s; the target applies to those).
 * The mock cluster keeps only the newest ~5 MiB of each partition, so its consume run reads a
 * 128-partition topic (filled once, untimed, with the sticky partitioner off so that every
 * partition stays far below that) instead of the 1-partition one.
 *
 * Environment: KTS_BENCH_RECORDS (default 1000000), KTS_BENCH_RECORD_BYTES (default 100),
 * KTS_BENCH_SKIP_GROUPS=1 (no consumer group bench), KTS_BENCH_SKIP_TXN=1 (no transactions bench, bench/transactions.ts), KTS_BENCH_SKIP_CLEANER=1 (no log cleaner bench, bench/cleaner.ts), KTS_BENCH_SKIP_IO=1 (no event-loop delay / end-to-end latency bench, bench/io.ts), KTS_BENCH_SKIP_SECURITY=1 (no SASL/SSL bench, bench/security.ts), KTS_BENCH_SKIP_CLUSTER=1 (no 3-node cluster bench, bench/cluster.ts), KTS_BENCH_SKIP_REPLICATION=1 (no RF=3 replication bench, bench/replication.ts; KTS_BENCH_CATCHUP_MB sets its follower catch-up size, default 1024), KTS_BENCH_SKIP_START_KAFKA=1 (no startKafka() start-to-ready figures, bench/start-kafka.ts), KTS_BENCH_SKIP_MOCK=1 (kts only), KTS_BENCH_KCAT (kcat binary, default `kcat`),
 * KTS_BENCH_CPU_PROF=<dir> (run the kts server under `node --cpu-prof`, write the profile there and
 * print its top functions; start-up figures then include the profiler's overhead),
 * KTS_BENCH_METRICS=1 (start kts with a `kts.metrics.listeners` metrics listener and, after the
 * runs, scrape /metrics once: its time, and messagesin_total checked against the records produced),
 * KTS_BENCH_KEEP=1 (keep the temp dir and print its path), KTS_BENCH_REPEAT=n (run every scenario n
 * times, default 1, and report the median; produce runs then append to the same topics, and each
 * is checked against the end offset it must have reached).
 *
 * Exit status: 0 when everything ran, also when a target is missed (marked BELOW TARGET);
 * 1 when something broke (the broker did not start, a kcat run failed, a record count is wrong).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {formatProfileSummary, summarizeCpuProfiles} from './cpuprofile-top.js'
import {envInt, findRepoRoot, freePorts, killProcessGroup, kraftNodeProperties, renderProperties} from './support.js'

// ---- settings ---------------------------------------------------------------------------------

const RECORDS = envInt('KTS_BENCH_RECORDS', 1_000_000)
const RECORD_BYTES = envInt('KTS_BENCH_RECORD_BYTES', 100)
const KCAT = process.env.KTS_BENCH_KCAT || 'kcat'
const SKIP_MOCK = process.env.KTS_BENCH_SKIP_MOCK === '1'
const CPU_PROF_DIR = process.env.KTS_BENCH_CPU_PROF ? path.resolve(process.env.KTS_BENCH_CPU_PROF) : null
const KEEP = process.env.KTS_BENCH_KEEP === '1'
const REPEAT = envInt('KTS_BENCH_REPEAT', 1)
const METRICS = process.env.KTS_BENCH_METRICS === '1'

const TARGET_RECORDS_PER_S = 500_000
const TARGET_STARTUP_MS = 500
const TARGET_IDLE_RSS_MB = 100
const IDLE_MS = 2000
const STARTUP_DEADLINE_MS = 30_000
const STOP_GRACE_MS = 15_000
/** Per kcat run: generous, so that only a hang trips it. */
const RUN_DEADLINE_MS = Math.max(120_000, Math.ceil(RECORDS * RECORD_BYTES / 1e6) * 2000)
/** Records produced so far per `server/topic` (the end offset each produce run must reach). */
const produced = new Map<string, number>()

const PRODUCE_ARGS = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']
const CONSUME_ARGS = ['-X', 'queued.min.messages=1000000', '-X', 'fetch.wait.max.ms=10']

const STARTED_MARKER = 'Kafka Server started'
const MOCK_CONSUME_PARTITIONS = 128

const ROOT = findRepoRoot()
const RUN_JS = path.join(ROOT, 'bin', 'run.js')

// ---- process and temp-dir bookkeeping (everything is torn down on exit or Ctrl-C) -------------

const liveChildren = new Set<ChildProcess>()
const tempDirs = new Set<string>()

function cleanupSync(): void {
  for (const c of liveChildren) killProcessGroup(c, 'SIGKILL')
  liveChildren.clear()
  if (!KEEP) {
    for (const d of tempDirs) fs.rmSync(d, {recursive: true, force: true})
    tempDirs.clear()
  }
}

process.once('exit', cleanupSync)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\n${sig}: stopping the bench, killing its processes\n`)
    cleanupSync()
    process.exit(130)
  })
}

function makeTempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.add(d)
  return d
}

// ---- child processes ---------------------------------------------------------------------------

interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
  error?: string
  /** performance.now() when the process exited. */
  at: number
}

interface Proc {
  child: ChildProcess
  /** performance.now() right before spawn. */
  startedAt: number
  /** Resolves when the process has exited and its output pipes are closed. */
  closed: Promise<ExitInfo>
  exit: ExitInfo | null
  /** The last 64 KiB of stdout and stderr, interleaved. */
  tail(): string
}

const TAIL_BYTES = 64 * 1024

interface StartOptions {
  env?: NodeJS.ProcessEnv
  /** Called with every stdout chunk (then stdout is not kept in the tail). */
  onStdout?: (chunk: Buffer) => void
  /** Called after each chunk of output is added to the tail. */
  onOutput?: (tail: string) => void
}

function startProcess(cmd: string, args: string[], opts: StartOptions = {}): Proc {
  let tail = ''
  const add = (s: string): void => {
    tail += s
    if (tail.length > 2 * TAIL_BYTES) tail = tail.slice(-TAIL_BYTES)
    opts.onOutput?.(tail)
  }
  const startedAt = performance.now()
  const child = spawn(cmd, args, {cwd: ROOT, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe']})
  liveChildren.add(child)
  const proc: Proc = {
    child,
    startedAt,
    exit: null,
    closed: new Promise<ExitInfo>((resolve) => {
      let exitAt = 0
      let spawnError: string | undefined
      child.once('exit', () => (exitAt = performance.now()))
      child.once('error', (err) => {
        spawnError = err.message
        add(`\n[bench] ${cmd}: ${err.message}\n`)
        // A process that never started emits no 'close'.
        if (child.pid === undefined) {
          liveChildren.delete(child)
          proc.exit = {code: null, signal: null, error: spawnError, at: performance.now()}
          resolve(proc.exit)
        }
      })
      child.once('close', (code, signal) => {
        liveChildren.delete(child)
        proc.exit = {code, signal, error: spawnError, at: exitAt || performance.now()}
        resolve(proc.exit)
      })
    }),
    tail: () => tail.slice(-TAIL_BYTES),
  }
  if (opts.onStdout) child.stdout!.on('data', opts.onStdout)
  else child.stdout!.setEncoding('utf8').on('data', add)
  child.stderr!.setEncoding('utf8').on('data', add)
  return proc
}

interface RunResult extends ExitInfo {
  ms: number
  tail: string
  stdout: string
}

/** Runs a command to completion (SIGKILL after `deadlineMs`); collects stdout unless `onStdout` takes it. */
async function runProcess(cmd: string, args: string[], deadlineMs: number, opts: StartOptions = {}): Promise<RunResult> {
  let stdout = ''
  const p = startProcess(cmd, args, {
    ...opts,
    onStdout: opts.onStdout ?? ((b) => {
      stdout += b.toString('utf8')
    }),
  })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    killProcessGroup(p.child, 'SIGKILL')
  }, deadlineMs)
  const exit = await p.closed
  clearTimeout(timer)
  const error = timedOut ? `killed after the ${deadlineMs} ms deadline` : exit.error
  return {...exit, error, ms: exit.at - p.startedAt, tail: p.tail(), stdout}
}

function describeExit(r: ExitInfo): string {
  if (r.error) return r.error
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`
}

function ok(r: ExitInfo): boolean {
  return !r.error && r.code === 0
}

/** SIGTERM (to the process group), wait for exit; SIGKILL after the grace period. Returns ms to exit. */
async function stopProcess(p: Proc, graceMs = STOP_GRACE_MS): Promise<{ms: number, forced: boolean}> {
  if (p.exit) return {ms: 0, forced: false}
  const t0 = performance.now()
  killProcessGroup(p.child, 'SIGTERM')
  let forced = false
  let timer: NodeJS.Timeout | undefined
  await Promise.race([p.closed, new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      forced = true
      killProcessGroup(p.child, 'SIGKILL')
      resolve()
    }, graceMs)
  })])
  await p.closed
  clearTimeout(timer)
  return {ms: performance.now() - t0, forced}
}

// ---- network probes ------------------------------------------------------------------------------

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A connected socket to 127.0.0.1:port, or null when refused / not accepted within `timeoutMs`. */
function connectOnce(port: number, timeoutMs: number): Promise<net.Socket | null> {
  return new Promise((resolve) => {
    const socket = net.connect({port, host: '127.0.0.1'})
    const fail = (): void => {
      socket.destroy()
      resolve(null)
    }
    socket.setTimeout(timeoutMs, fail)
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.setTimeout(0)
      socket.removeListener('error', fail)
      resolve(socket)
    })
  })
}

/** Sends ApiVersions v0 on a connected socket; true once a whole response frame is back. */
function apiVersionsAnswered(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const clientId = Buffer.from('kts-bench')
    const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length)
    req.writeInt32BE(req.length - 4, 0)
    req.writeInt16BE(18, 4) // ApiVersions
    req.writeInt16BE(0, 6) // v0
    req.writeInt32BE(1, 8) // correlation id
    req.writeInt16BE(clientId.length, 12)
    clientId.copy(req, 14)
    let got = Buffer.alloc(0)
    const finish = (answered: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      resolve(answered)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d])
      if (got.length >= 8 && got.length >= 4 + got.readInt32BE(0)) finish(got.readInt32BE(4) === 1)
    })
    socket.once('error', () => finish(false))
    socket.once('close', () => finish(false))
    socket.write(req)
  })
}

interface StartupTimes {
  /** ms from spawn to the first accepted TCP connection. */
  connectMs: number
  /** ms from spawn to the first ApiVersions response. */
  firstResponseMs: number
}

/**
 * Polls 127.0.0.1:port every 5 ms until a connection is accepted and an ApiVersions request on it
 * is answered; fails when the process exits or the deadline passes.
 */
async function waitForServer(p: Proc, port: number, deadlineMs: number): Promise<StartupTimes> {
  const deadline = p.startedAt + deadlineMs
  let connectMs: number | null = null
  while (performance.now() < deadline) {
    if (p.exit) throw new Error(`the server ${describeExit(p.exit)} before it accepted connections`)
    const socket = await connectOnce(port, 250)
    if (socket) {
      connectMs ??= performance.now() - p.startedAt
      if (await apiVersionsAnswered(socket, Math.max(1, deadline - performance.now()))) {
        return {connectMs, firstResponseMs: performance.now() - p.startedAt}
      }
    }
    await delay(5)
  }
  throw new Error(`no ${connectMs === null ? 'accepted connection' : 'ApiVersions response'} on 127.0.0.1:${port} within ${deadlineMs} ms`)
}

async function waitUntil(what: string, pred: () => boolean, deadlineMs: number, p?: Proc): Promise<void> {
  const deadline = performance.now() + deadlineMs
  while (!pred()) {
    if (p?.exit) throw new Error(`the process ${describeExit(p.exit)} while waiting for ${what}`)
    if (performance.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await delay(5)
  }
}

// ---- /proc -----------------------------------------------------------------------------------------

/** VmRSS and VmHWM of a process in kB (KiB), from /proc/<pid>/status. */
function memoryKb(pid: number): {rssKb: number, hwmKb: number} | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return {rssKb: field('VmRSS'), hwmKb: field('VmHWM')}
  } catch {
    return null
  }
}

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], {encoding: 'utf8'})
  const v = Number(r.stdout?.trim())
  return Number.isFinite(v) && v > 0 ? v : 100
})()

/** User + system CPU seconds used so far by a process (from /proc/<pid>/stat), or NaN. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return NaN
  }
}

// ---- the servers under test ------------------------------------------------------------------------

interface Server {
  name: string
  bootstrap: string
  proc: Proc
  startup: StartupTimes
  /** ms from spawn to the "started" log line (kts) or the BOOTSTRAP line (mock). */
  readyLineMs: number
  /** What the server's own start-up log line says it took, if it says so (kts: node start-up excluded). */
  selfReportedMs: number | null
  idleRssKb: number
  createTopic(topic: string, partitions: number): Promise<void>
  /** Bytes in the segment files of the topic (kts) or null (mock: in memory). */
  logBytes(topic: string): number | null
  /** `http://127.0.0.1:port/metrics` when KTS_BENCH_METRICS=1 (kts only). */
  metricsUrl?: string
}

async function startKts(dir: string): Promise<Server> {
  const [port, controllerPort, metricsPort] = await freePorts(3)
  const metricsUrl = METRICS ? `http://127.0.0.1:${metricsPort}/metrics` : undefined
  const logDir = path.join(dir, 'kts-logs')
  const configFile = path.join(dir, 'server.properties')
  // The keys of config/kraft/server.properties, on our own ports and dirs.
  fs.writeFileSync(configFile, renderProperties({
    ...kraftNodeProperties(port, controllerPort, logDir),
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'num.network.threads': 3,
    'num.io.threads': 8,
    'socket.send.buffer.bytes': 102400,
    'socket.receive.buffer.bytes': 102400,
    'socket.request.max.bytes': 104857600,
    'num.partitions': 1,
    'num.recovery.threads.per.data.dir': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'log.retention.hours': 168,
    'log.segment.bytes': 1073741824,
    'log.retention.check.interval.ms': 300000,
    ...(METRICS ? {'kts.metrics.listeners': `http://127.0.0.1:${metricsPort}`} : {}),
  }))

  const uuid = await runProcess(process.execPath, [RUN_JS, 'storage', 'random-uuid'], 60_000)
  const clusterId = uuid.stdout.trim()
  if (!ok(uuid) || !/^[A-Za-z0-9_-]{22}$/.test(clusterId)) {
    throw new Error(`kts storage random-uuid failed (${describeExit(uuid)}): ${uuid.stdout}${uuid.tail}`)
  }
  const format = await runProcess(process.execPath, [RUN_JS, 'storage', 'format', '-t', clusterId, '-c', configFile], 60_000)
  if (!ok(format)) throw new Error(`kts storage format failed (${describeExit(format)}):\n${format.stdout}${format.tail}`)

  const nodeArgs = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []
  let readyLineAt: number | null = null
  // spawn(node) directly: the pid is the node process that serves, not a wrapper.
  const proc = startProcess(process.execPath, [...nodeArgs, RUN_JS, 'server', 'start', configFile], {
    onOutput: (tail) => {
      if (readyLineAt === null && tail.includes(STARTED_MARKER)) readyLineAt = performance.now()
    },
  })
  // stdout goes through onOutput too (no onStdout given).
  let startup: StartupTimes
  try {
    startup = await waitForServer(proc, port, STARTUP_DEADLINE_MS)
    await waitUntil(`"${STARTED_MARKER}"`, () => readyLineAt !== null, STARTUP_DEADLINE_MS, proc)
  } catch (err) {
    await stopProcess(proc, 2000)
    throw new Error(`kts server did not start: ${(err as Error).message}\n--- server output ---\n${proc.tail()}`)
  }
  const bootstrap = `127.0.0.1:${port}`
  return {
    name: 'kts',
    bootstrap,
    metricsUrl,
    proc,
    startup,
    readyLineMs: readyLineAt! - proc.startedAt,
    selfReportedMs: Number(new RegExp(`${STARTED_MARKER} \\(.*, (\\d+) ms\\)`).exec(proc.tail())?.[1] ?? NaN),
    idleRssKb: NaN,
    async createTopic(topic: string, partitions: number): Promise<void> {
      const r = await runProcess(process.execPath, [RUN_JS, 'topics', '--create', '--topic', topic, '--partitions', String(partitions),
        '--replication-factor', '1', '--bootstrap-server', bootstrap], 60_000)
      if (!ok(r)) throw new Error(`kts topics --create --topic ${topic} failed (${describeExit(r)}):\n${r.stdout}${r.tail}`)
    },
    logBytes(topic: string): number {
      let bytes = 0
      for (const d of fs.readdirSync(logDir)) {
        if (!d.startsWith(`${topic}-`) || !/^\d+$/.test(d.slice(topic.length + 1))) continue
        for (const f of fs.readdirSync(path.join(logDir, d))) {
          if (f.endsWith('.log')) bytes += fs.statSync(path.join(logDir, d, f)).size
        }
      }
      return bytes
    },
  }
}

/** Builds mockcluster.c into `dir`; returns the binary, or the reason it could not be built. */
async function buildMock(dir: string): Promise<{binary: string} | {skipped: string}> {
  const source = path.resolve(ROOT, '..', 'shared', 'tools', 'mockcluster.c')
  if (!fs.existsSync(source)) return {skipped: `${source} not found`}
  const flags = await runProcess('pkg-config', ['--cflags', '--libs', 'rdkafka'], 30_000)
  if (!ok(flags)) return {skipped: `pkg-config --cflags --libs rdkafka failed (${describeExit(flags)}; is librdkafka-dev installed?) ${flags.tail.trim()}`}
  const binary = path.join(dir, 'mockcluster')
  const gcc = await runProcess('gcc', ['-O2', '-Wall', '-pthread', '-o', binary, source, ...flags.stdout.trim().split(/\s+/).filter(Boolean)], 120_000)
  if (!ok(gcc)) return {skipped: `gcc failed (${describeExit(gcc)}): ${gcc.tail.trim()}`}
  return {binary}
}

async function startMock(binary: string, topics: [string, number][]): Promise<Server> {
  let bootstrap: string | null = null
  let readyLineAt: number | null = null
  let out = ''
  const args = ['-b', '1', ...topics.flatMap(([t, p]) => ['-t', `${t}:${p}`])]
  const proc = startProcess(binary, args, {
    onStdout: (chunk) => {
      out += chunk.toString('utf8')
      const m = /^BOOTSTRAP=(\S+)$/m.exec(out)
      if (m && bootstrap === null) {
        bootstrap = m[1]
        readyLineAt = performance.now()
      }
    },
  })
  let startup: StartupTimes
  try {
    // The mock listens on an ephemeral port that it prints once it is up.
    await waitUntil('the BOOTSTRAP= line', () => bootstrap !== null, STARTUP_DEADLINE_MS, proc)
    const port = Number(bootstrap!.split(',')[0].split(':').pop())
    startup = await waitForServer(proc, port, STARTUP_DEADLINE_MS)
  } catch (err) {
    await stopProcess(proc, 2000)
    throw new Error(`mock cluster did not start: ${(err as Error).message}\n--- output ---\n${out}${proc.tail()}`)
  }
  return {
    name: 'mock',
    bootstrap: bootstrap!,
    proc,
    startup,
    readyLineMs: readyLineAt! - proc.startedAt,
    selfReportedMs: null,
    idleRssKb: NaN,
    createTopic: async () => undefined,
    logBytes: () => null,
  }
}

// ---- the scenarios ---------------------------------------------------------------------------------

interface Row {
  server: string
  scenario: string
  records: number
  seconds: number
  /** Server CPU seconds (user + system) during the run. */
  serverCpu: number
  /** Records/s the scenario must reach, if it has a target. */
  target?: number
  /** Null when the figure is valid; otherwise why not. */
  invalid: string | null
  note?: string
  /** Seconds of every run when the scenario ran more than once (the row holds the median run). */
  runs?: number[]
  /** Records/s as a kts perf tool reports it itself (then the target applies to this figure). */
  reported?: number
}

const failures: string[] = []

/** One line per record of exactly RECORD_BYTES bytes: a 10-digit sequence number, then filler. */
async function writeDataFile(file: string): Promise<void> {
  const filler = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  const lineBytes = RECORD_BYTES + 1
  const perChunk = Math.max(1, Math.floor((4 << 20) / lineBytes))
  const fd = fs.openSync(file, 'w')
  try {
    const template = Buffer.alloc(lineBytes)
    for (let i = 0; i < RECORD_BYTES; i++) template[i] = filler.charCodeAt(i % filler.length)
    template[RECORD_BYTES] = 0x0a
    const chunk = Buffer.alloc(perChunk * lineBytes)
    for (let j = 0; j < perChunk; j++) template.copy(chunk, j * lineBytes)
    for (let i = 0; i < RECORDS; i += perChunk) {
      const n = Math.min(perChunk, RECORDS - i)
      if (RECORD_BYTES >= 10) {
        for (let j = 0; j < n; j++) chunk.write(String(i + j).padStart(10, '0'), j * lineBytes, 10, 'latin1')
      }
      let off = 0
      const len = n * lineBytes
      while (off < len) off += fs.writeSync(fd, chunk, off, len - off)
    }
  } finally {
    fs.closeSync(fd)
  }
}

/** Sum of the partitions' end offsets (kcat -Q with timestamp -1 = latest). */
async function endOffset(server: Server, topic: string, partitions: number): Promise<number> {
  const args = ['-Q', '-b', server.bootstrap]
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:-1`)
  const r = await runProcess(KCAT, args, 60_000)
  if (!ok(r)) throw new Error(`kcat -Q ${topic} failed (${describeExit(r)}): ${r.tail.trim()}`)
  let sum = 0
  let seen = 0
  for (const m of r.stdout.matchAll(/^\S+ \[(\d+)\] offset (-?\d+)$/gm)) {
    sum += Number(m[2])
    seen++
  }
  if (seen !== partitions) throw new Error(`kcat -Q ${topic}: expected ${partitions} partition offsets, got:\n${r.stdout}${r.tail}`)
  return sum
}

async function produce(server: Server, topic: string, partitions: number, acks: '1' | 'all', dataFile: string, target?: number, extraArgs: string[] = []): Promise<Row> {
  const scenario = `produce acks=${acks} (${partitions} partition${partitions === 1 ? '' : 's'})`
  const expected = (produced.get(`${server.name}/${topic}`) ?? 0) + RECORDS
  produced.set(`${server.name}/${topic}`, expected)
  const bytesBefore = server.logBytes(topic)
  const cpu0 = cpuSeconds(server.proc.child.pid)
  const r = await runProcess(KCAT, ['-P', '-b', server.bootstrap, '-t', topic, '-X', `acks=${acks}`, ...PRODUCE_ARGS, ...extraArgs, '-l', dataFile], RUN_DEADLINE_MS)
  const row: Row = {server: server.name, scenario, records: RECORDS, seconds: r.ms / 1000, serverCpu: cpuSeconds(server.proc.child.pid) - cpu0, target, invalid: null}
  const problems: string[] = []
  if (!ok(r)) problems.push(`kcat ${describeExit(r)}`)
  if (/fail|error/i.test(r.tail)) problems.push(`kcat reported: ${r.tail.trim().split('\n').slice(-3).join(' | ')}`)
  try {
    const end = await endOffset(server, topic, partitions)
    if (end !== expected) problems.push(`end offset ${end} != ${expected}`)
  } catch (err) {
    problems.push((err as Error).message)
  }
  const bytesAfter = server.logBytes(topic)
  if (bytesAfter !== null && bytesBefore !== null) {
    const added = bytesAfter - bytesBefore
    if (added < RECORDS * RECORD_BYTES) problems.push(`the segment files grew by only ${added} bytes`)
    row.note = `segment files +${(added / 1e6).toFixed(1)} MB`
  }
  if (problems.length > 0) {
    row.invalid = problems.join('; ')
    failures.push(`${server.name} ${scenario}: ${row.invalid}\n${r.tail}`)
  }
  return row
}

async function consume(server: Server, topic: string, partitions: number, target?: number, note?: string): Promise<Row> {
  const scenario = `consume (${partitions} partition${partitions === 1 ? '' : 's'})`
  let count = 0
  const cpu0 = cpuSeconds(server.proc.child.pid)
  // One '\n' per record: cheap to print and to count, and every record is accounted for.
  const r = await runProcess(KCAT, ['-C', '-b', server.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(RECORDS), '-f', '\\n', ...CONSUME_ARGS], RUN_DEADLINE_MS, {
    onStdout: (chunk) => {
      for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) count++
    },
  })
  const row: Row = {server: server.name, scenario, records: count, seconds: r.ms / 1000, serverCpu: cpuSeconds(server.proc.child.pid) - cpu0, target, invalid: null, note}
  const problems: string[] = []
  if (!ok(r)) problems.push(`kcat ${describeExit(r)}`)
  if (count !== RECORDS) problems.push(`consumed ${count} records, expected ${RECORDS}`)
  if (problems.length > 0) {
    row.invalid = problems.join('; ')
    failures.push(`${server.name} ${scenario}: ${row.invalid}\n${r.tail}`)
  }
  return row
}

/** The total line of `kts producer-perf-test` (Kafka's `ProducerPerformance` format). */
const PERF_TOTAL = /^(\d+) records sent, (\d+\.\d) records\/sec \((\d+\.\d{2}) MB\/sec\), (\d+\.\d{2}) ms avg latency, (\d+\.\d{2}) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/m

/**
 * `kts producer-perf-test` of RECORDS x RECORD_BYTES, acks=1, Kafka's producer defaults plus
 * `extraProps`, into a fresh 1-partition topic. Valid when the tool exits 0, reports RECORDS sent and
 * the end offset says so too. Seconds: the tool process, spawn to exit (as for kcat); `reported`:
 * the records/sec of the tool's own total line (its clock starts after node and module start-up).
 */
async function perfProduce(server: Server, topic: string, extraProps: string[], target?: number): Promise<Row> {
  const scenario = `producer-perf-test acks=1${extraProps.length > 0 ? ` ${extraProps.join(' ')}` : ' (batch.size=16384 linger.ms=5)'}`
  const expected = (produced.get(`${server.name}/${topic}`) ?? 0) + RECORDS
  produced.set(`${server.name}/${topic}`, expected)
  const cpu0 = cpuSeconds(server.proc.child.pid)
  const r = await runProcess(process.execPath, [RUN_JS, 'producer-perf-test', '--topic', topic, '--num-records', String(RECORDS), '--record-size', String(RECORD_BYTES),
    '--throughput', '-1', '--producer-props', `bootstrap.servers=${server.bootstrap}`, 'acks=1', ...extraProps], RUN_DEADLINE_MS)
  const row: Row = {server: server.name, scenario, records: RECORDS, seconds: r.ms / 1000, serverCpu: cpuSeconds(server.proc.child.pid) - cpu0, target, invalid: null}
  const problems: string[] = []
  if (!ok(r)) problems.push(`producer-perf-test ${describeExit(r)}`)
  const m = PERF_TOTAL.exec(r.stdout)
  if (m === null) problems.push(`no total line in: ${r.stdout.trim().split('\n').slice(-2).join(' | ')}`)
  else if (Number(m[1]) !== RECORDS) problems.push(`reported ${m[1]} records sent`)
  else row.reported = Number(m[2])
  if (m !== null) row.note = `tool: ${fmtInt(Number(m[2]))} records/s, ${m[4]} ms avg latency, p99 ${m[8]} ms`
  try {
    const end = await endOffset(server, topic, 1)
    if (end !== expected) problems.push(`end offset ${end} != ${expected}`)
  } catch (err) {
    problems.push((err as Error).message)
  }
  if (problems.length > 0) {
    row.invalid = problems.join('; ')
    failures.push(`${server.name} ${scenario}: ${row.invalid}\n${r.stdout}${r.tail}`)
  }
  return row
}

/** The result row of `kts consumer-perf-test` (Kafka's `ConsumerPerformance` format). */
const PERF_ROW = /^(.+?), (.+?), (\d+\.\d{4}), (\d+\.\d{4}), (\d+), (\d+\.\d{4}), (\d+), (\d+), (\d+\.\d{4}), (\d+\.\d{4})$/m

/**
 * `kts consumer-perf-test --messages RECORDS` of a topic holding them, in a fresh group. Valid when
 * it exits 0 and reports RECORDS messages. `reported`: its fetch.nMsg.sec (records/s once the
 * group is joined; nMsg.sec, which includes the join, goes in the note).
 */
async function perfConsume(server: Server, topic: string, target?: number): Promise<Row> {
  const scenario = 'consumer-perf-test'
  const cpu0 = cpuSeconds(server.proc.child.pid)
  const r = await runProcess(process.execPath, [RUN_JS, 'consumer-perf-test', '--bootstrap-server', server.bootstrap, '--topic', topic,
    '--messages', String(RECORDS), '--group', `bench-perf-${Date.now()}`, '--timeout', '30000'], RUN_DEADLINE_MS)
  const row: Row = {server: server.name, scenario, records: RECORDS, seconds: r.ms / 1000, serverCpu: cpuSeconds(server.proc.child.pid) - cpu0, target, invalid: null}
  const problems: string[] = []
  if (!ok(r)) problems.push(`consumer-perf-test ${describeExit(r)}`)
  const m = PERF_ROW.exec(r.stdout)
  if (m === null) problems.push(`no result row in: ${r.stdout.trim()}`)
  else if (Number(m[5]) !== RECORDS) problems.push(`consumed ${m[5]} records, expected ${RECORDS}`)
  else row.reported = Number(m[10])
  if (m !== null) row.note = `tool: fetch.nMsg.sec ${fmtInt(Number(m[10]))}, nMsg.sec ${fmtInt(Number(m[6]))}, rebalance ${m[7]} ms, fetch ${m[8]} ms`
  if (problems.length > 0) {
    row.invalid = problems.join('; ')
    failures.push(`${server.name} ${scenario}: ${row.invalid}\n${r.stdout}${r.tail}`)
  }
  return row
}

/** The perf tools' own figures next to kcat's from the same run (kcat: records / process seconds). */
function printPerfComparison(rows: Row[]): void {
  const kts = rows.filter((r) => r.server === 'kts')
  const find = (prefix: string): Row | undefined => kts.find((r) => r.scenario.startsWith(prefix) && r.invalid === null)
  const kcatProduce = find('produce acks=1 (1 partition)')
  const kcatConsume = find('consume (1 partition)')
  const lines: Array<[Row | undefined, Row | undefined]> = [
    [kts.find((r) => r.scenario.startsWith('producer-perf-test acks=1 (') && r.invalid === null), kcatProduce],
    [kts.find((r) => r.scenario.startsWith('producer-perf-test acks=1 batch.size') && r.invalid === null), kcatProduce],
    [find('consumer-perf-test'), kcatConsume],
  ]
  if (lines.every(([t]) => t === undefined)) return
  console.log('')
  console.log('kts perf tools vs kcat, same run, same broker (1 partition; tool = its own reported records/s; kcat = records / process seconds):')
  for (const [tool, kcat] of lines) {
    if (tool === undefined || tool.reported === undefined) continue
    const kcatRps = kcat ? kcat.records / kcat.seconds : NaN
    const wall = tool.records / tool.seconds
    console.log(`  ${tool.scenario.padEnd(66)} tool ${fmtInt(tool.reported).padStart(9)}/s (process ${fmtInt(wall).padStart(9)}/s)` +
      `   kcat ${kcat ? kcat.scenario.split(' (')[0] : '-'} ${fmtInt(kcatRps).padStart(9)}/s   tool/kcat ${Number.isFinite(kcatRps) ? fmtFixed(100 * tool.reported / kcatRps, 0) : '-'}%`)
  }
}

/** Runs one scenario; a thrown error (not a bad figure) becomes an invalid row. */
async function attempt(server: string, scenario: string, fn: () => Promise<Row>): Promise<Row> {
  try {
    return await fn()
  } catch (err) {
    const msg = (err as Error).message
    failures.push(`${server} ${scenario}: ${msg}`)
    return {server, scenario, records: 0, seconds: NaN, serverCpu: NaN, invalid: msg.split('\n')[0]}
  }
}

// ---- report ------------------------------------------------------------------------------------------

interface ServerReport {
  name: string
  startupMs: StartupTimes
  readyLineMs: number
  readyLineName: string
  selfReportedMs: number | null
  idleRssKb: number
  peakRssKb: number
  stopMs: number
  stopForced: boolean
}

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-')
const fmtFixed = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : '-')

function printTable(rows: Row[]): void {
  const header = ['server', 'scenario', 'records', 'seconds', 'records/s', 'MB/s', 'srv CPU s', 'target', 'status']
  const cells = rows.map((r) => {
    const rps = r.reported ?? r.records / r.seconds
    const status = r.invalid !== null
      ? `INVALID: ${r.invalid}`
      : r.target !== undefined && rps < r.target ? 'BELOW TARGET' : r.target !== undefined ? 'ok' : ''
    return [
      r.server, r.scenario, fmtInt(r.records), fmtFixed(r.seconds, 3), r.invalid === null ? fmtInt(rps) : '-',
      r.invalid === null ? fmtFixed(rps * RECORD_BYTES / 1e6, 1) : '-', fmtFixed(r.serverCpu, 2),
      r.target !== undefined ? `>= ${fmtInt(r.target)}/s` : '',
      [status, r.runs ? `median of ${r.runs.length}: ${r.runs.map((x) => fmtFixed(x, 2)).join(' ')} s` : '', r.note].filter(Boolean).join('; '),
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (i === header.length - 1 ? 0 : c[i].length))))
  const right = new Set([2, 3, 4, 5, 6])
  const line = (c: string[]): string => c.map((s, i) => (i === c.length - 1 ? s : right.has(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd()
  console.log(line(header))
  console.log(line(widths.map((w, i) => '-'.repeat(i === header.length - 1 ? header[i].length : w))))
  for (const c of cells) console.log(line(c))
}

function printServerReport(s: ServerReport): void {
  const startupStatus = s.startupMs.connectMs <= TARGET_STARTUP_MS ? 'ok' : 'BELOW TARGET'
  const rssMb = s.idleRssKb * 1024 / 1e6
  const rssStatus = rssMb <= TARGET_IDLE_RSS_MB ? 'ok' : 'BELOW TARGET'
  const target = s.name === 'kts'
  console.log(`${s.name.padEnd(5)} start-up to first accepted connection ${fmtInt(s.startupMs.connectMs)} ms${target ? ` (target <= ${TARGET_STARTUP_MS} ms: ${startupStatus})` : ''}; ` +
    `first ApiVersions response ${fmtInt(s.startupMs.firstResponseMs)} ms; ${s.readyLineName} ${fmtInt(s.readyLineMs)} ms` +
    (s.selfReportedMs !== null ? ` (the line itself says ${fmtInt(s.selfReportedMs)} ms: node start-up and module loading come before that)` : ''))
  console.log(`${s.name.padEnd(5)} idle RSS ${fmtFixed(rssMb, 1)} MB (${fmtFixed(s.idleRssKb / 1024, 1)} MiB) after ${IDLE_MS / 1000} s idle${target ? ` (target <= ${TARGET_IDLE_RSS_MB} MB: ${rssStatus})` : ''}; ` +
    `peak RSS over the run ${fmtFixed(s.peakRssKb * 1024 / 1e6, 1)} MB; stop (SIGTERM -> exit) ${fmtInt(s.stopMs)} ms${s.stopForced ? ' (SIGKILLed: no exit within the grace period)' : ''}`)
}

// ---- main --------------------------------------------------------------------------------------------

/** The run with the median time (the slower middle one for an even count); an invalid run wins. */
function medianRow(runs: Row[]): Row {
  const bad = runs.find((r) => r.invalid !== null)
  const row = bad ?? [...runs].sort((x, y) => x.seconds - y.seconds)[Math.floor(runs.length / 2)]
  return runs.length > 1 ? {...row, runs: runs.map((r) => r.seconds)} : row
}

/**
 * One GET of the metrics listener (KTS_BENCH_METRICS=1): `seconds` is the scrape time; the
 * all-topics `kafka_server_brokertopicmetrics_messagesin_total` must equal every record produced so far.
 */
async function scrapeMetrics(server: Server, url: string): Promise<Row> {
  const started = performance.now()
  const res = await fetch(url)
  const text = await res.text()
  const seconds = (performance.now() - started) / 1000
  const m = /^kafka_server_brokertopicmetrics_messagesin_total (\d+)$/m.exec(text)
  const messagesIn = m ? Number(m[1]) : NaN
  let expected = 0
  for (const [key, n] of produced) if (key.startsWith(`${server.name}/`)) expected += n
  const invalid = res.status !== 200 ? `HTTP ${res.status}` : messagesIn !== expected ? `messagesin_total ${messagesIn}, expected ${expected}` : null
  return {server: server.name, scenario: 'scrape /metrics', records: 0, seconds, serverCpu: NaN, invalid,
    note: `${fmtInt(text.length)} bytes; messagesin_total ${fmtInt(messagesIn)} = records produced`}
}

async function benchServer(server: Server, scenarios: Array<() => Promise<Row>>, readyLineName: string): Promise<{rows: Row[], report: ServerReport}> {
  const pid = server.proc.child.pid!
  // Idle: nothing else talks to the server in this window.
  await delay(IDLE_MS)
  const idle = memoryKb(pid)
  if (idle === null) throw new Error(`${server.name}: cannot read /proc/${pid}/status`)
  const runs: Row[][] = scenarios.map(() => [])
  outer: for (let rep = 1; rep <= REPEAT; rep++) {
    for (const [i, s] of scenarios.entries()) {
      if (server.proc.exit) {
        failures.push(`${server.name}: the server ${describeExit(server.proc.exit)} during the bench\n${server.proc.tail()}`)
        break outer
      }
      const row = await s()
      runs[i].push(row)
      process.stderr.write(`  ${row.server} ${row.scenario}${REPEAT > 1 ? ` (run ${rep}/${REPEAT})` : ''}: ${fmtFixed(row.seconds, 3)} s${row.invalid ? ` INVALID: ${row.invalid}` : ''}\n`)
    }
  }
  const rows = runs.filter((r) => r.length > 0).map(medianRow)
  const peak = memoryKb(pid)
  const stop = await stopProcess(server.proc)
  if (server.proc.exit && !stop.forced && server.proc.exit.code !== 0 && server.proc.exit.signal !== 'SIGTERM') {
    failures.push(`${server.name}: stopped with ${describeExit(server.proc.exit)}\n${server.proc.tail()}`)
  }
  return {
    rows,
    report: {
      name: server.name, startupMs: server.startup, readyLineMs: server.readyLineMs, readyLineName, selfReportedMs: server.selfReportedMs,
      idleRssKb: idle.rssKb, peakRssKb: peak?.hwmKb ?? NaN, stopMs: stop.ms, stopForced: stop.forced,
    },
  }
}

function toolVersion(): string {
  const r = spawnSync(KCAT, ['-V'], {encoding: 'utf8'})
  if (r.error || r.status !== 0) throw new Error(`${KCAT} is needed to drive the bench (${r.error?.message ?? `exit ${r.status}`}); install kcat or set KTS_BENCH_KCAT`)
  return /Version (\S+)[^\n]*?librdkafka (\S+)/.exec(r.stdout)?.slice(1).join(', librdkafka ') ?? r.stdout.split('\n')[3] ?? '?'
}

async function main(): Promise<number> {
  const versions = toolVersion()
  console.log(`kts bench: ${fmtInt(RECORDS)} records x ${RECORD_BYTES} bytes${REPEAT > 1 ? `, median of ${REPEAT} runs` : ''}; kcat ${versions}; node ${process.version}; ${os.cpus().length} CPUs; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'commands'))) throw new Error(`${ROOT}/dist is missing: run npm run build (npm run bench does)`)
  const dir = makeTempDir('kts-bench-')
  if (CPU_PROF_DIR) fs.mkdirSync(CPU_PROF_DIR, {recursive: true})
  const dataFile = path.join(dir, 'records.txt')
  await writeDataFile(dataFile)
  process.stderr.write(`data file ${dataFile}: ${fmtInt(fs.statSync(dataFile).size)} bytes\n`)

  const rows: Row[] = []
  const reports: ServerReport[] = []
  const notes: string[] = []

  // kts
  process.stderr.write('starting kts ...\n')
  let kts: Server | null = null
  try {
    kts = await startKts(dir)
  } catch (err) {
    failures.push((err as Error).message)
  }
  if (kts) {
    const k = kts
    const topics: [string, number][] = [['bench', 1], ['bench-all', 1], ['bench-p3', 3], ['bench-perf', 1], ['bench-perf-big', 1]]
    const created = await attempt('kts', 'create topics', async () => {
      for (const [t, p] of topics) await k.createTopic(t, p)
      return {server: 'kts', scenario: 'create topics', records: 0, seconds: 0, serverCpu: NaN, invalid: null}
    })
    if (created.invalid === null) {
      const r = await benchServer(k, [
        () => attempt('kts', 'produce acks=1', () => produce(k, 'bench', 1, '1', dataFile, TARGET_RECORDS_PER_S)),
        () => attempt('kts', 'produce acks=all', () => produce(k, 'bench-all', 1, 'all', dataFile)),
        () => attempt('kts', 'consume', () => consume(k, 'bench', 1, TARGET_RECORDS_PER_S)),
        () => attempt('kts', 'produce acks=1 (3 partitions)', () => produce(k, 'bench-p3', 3, '1', dataFile)),
        () => attempt('kts', 'consume (3 partitions)', () => consume(k, 'bench-p3', 3)),
        () => attempt('kts', 'producer-perf-test acks=1', () => perfProduce(k, 'bench-perf', [], TARGET_RECORDS_PER_S)),
        () => attempt('kts', 'producer-perf-test acks=1 big batches', () => perfProduce(k, 'bench-perf-big', ['batch.size=1048576', 'linger.ms=20'])),
        () => attempt('kts', 'consumer-perf-test', () => perfConsume(k, 'bench-perf', TARGET_RECORDS_PER_S)),
        ...(k.metricsUrl ? [() => attempt('kts', 'scrape /metrics', () => scrapeMetrics(k, k.metricsUrl!))] : []),
      ], `"${STARTED_MARKER}" line`)
      rows.push(...r.rows)
      reports.push(r.report)
    } else {
      rows.push(created)
      await stopProcess(k.proc)
    }
  }

  // librdkafka's mock cluster
  if (SKIP_MOCK) {
    notes.push('reference mock cluster skipped (KTS_BENCH_SKIP_MOCK=1)')
  } else {
    process.stderr.write('building and starting the mock cluster ...\n')
    const built = await buildMock(dir)
    if ('skipped' in built) {
      notes.push(`reference mock cluster skipped: ${built.skipped}`)
    } else {
      let mock: Server | null = null
      try {
        mock = await startMock(built.binary, [['bench', 1], ['bench-all', 1], ['bench-p3', 3], ['bench-c128', MOCK_CONSUME_PARTITIONS]])
      } catch (err) {
        notes.push(`reference mock cluster skipped: ${(err as Error).message}`)
      }
      if (mock) {
        const m = mock
        const c128 = `${MOCK_CONSUME_PARTITIONS} partitions: the mock keeps only ~5 MiB per partition`
        // Filled once, untimed, without the sticky partitioner: sticky runs of tens of thousands of
        // records into one partition would push it past the mock's 5 MiB and lose records.
        let fill: Row | null = null
        const fillThenConsume = async (): Promise<Row> => {
          fill ??= await produce(m, 'bench-c128', MOCK_CONSUME_PARTITIONS, '1', dataFile, undefined, ['-X', 'sticky.partitioning.linger.ms=0'])
          if (fill.invalid !== null) throw new Error(`filling bench-c128 failed: ${fill.invalid}`)
          return consume(m, 'bench-c128', MOCK_CONSUME_PARTITIONS, undefined, c128)
        }
        const r = await benchServer(m, [
          () => attempt('mock', 'produce acks=1', () => produce(m, 'bench', 1, '1', dataFile)),
          () => attempt('mock', 'produce acks=all', () => produce(m, 'bench-all', 1, 'all', dataFile)),
          () => attempt('mock', 'produce acks=1 (3 partitions)', () => produce(m, 'bench-p3', 3, '1', dataFile)),
          () => attempt('mock', `consume (${MOCK_CONSUME_PARTITIONS} partitions)`, fillThenConsume),
        ], 'BOOTSTRAP= line')
        rows.push(...r.rows)
        reports.push(r.report)
        notes.push('mock figures: in memory, nothing persisted; its 1-partition topics cannot be consumed in full, so its consume row reads a 128-partition topic;',
          '  its start-up includes creating its topics (it has no CreateTopics), which now and then takes ~1 s inside librdkafka')
      }
    }
  }

  console.log('')
  printTable(rows)
  printPerfComparison(rows)
  console.log('')
  for (const r of reports) printServerReport(r)
  for (const n of notes) console.log(n)
  console.log('seconds: from spawning kcat (or the kts tool) until it exits (includes its start-up and metadata round trips); MB = record payload bytes / 1e6;')
  console.log('  records/s of the kts perf tools: the figure they report themselves (producer: its total line; consumer: fetch.nMsg.sec, after the group join)')

  if (CPU_PROF_DIR) {
    const files = fs.readdirSync(CPU_PROF_DIR).filter((f) => f.endsWith('.cpuprofile'))
    if (files.length === 0) {
      console.log(`\nno .cpuprofile written into ${CPU_PROF_DIR}`)
    } else {
      const newest = files.map((f) => path.join(CPU_PROF_DIR, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0]
      console.log(`\nkts server CPU profile ${newest}:`)
      console.log(formatProfileSummary(summarizeCpuProfiles([newest], ROOT), 15))
    }
  }

  // startKafka() start-to-ready (issue 3), in its own process (its cold figure needs fresh processes).
  if (process.env.KTS_BENCH_SKIP_START_KAFKA === '1') {
    console.log('\nstartKafka() bench skipped (KTS_BENCH_SKIP_START_KAFKA=1)')
  } else {
    console.log('\nstartKafka() start-to-ready (bench/start-kafka.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'start-kafka.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`startKafka() bench exited with ${code}`)
  }

  // Log cleaner (issue 11): in its own process, on files in a temp dir.
  if (process.env.KTS_BENCH_SKIP_CLEANER === '1') {
    console.log('\nlog cleaner bench skipped (KTS_BENCH_SKIP_CLEANER=1)')
  } else {
    console.log('\nlog cleaner (bench/cleaner.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'cleaner.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`log cleaner bench exited with ${code}`)
  }

  // Disk I/O and the event loop (issue 11, acceptance 7): its own broker, in its own process.
  if (process.env.KTS_BENCH_SKIP_IO === '1') {
    console.log('\nI/O bench skipped (KTS_BENCH_SKIP_IO=1)')
  } else {
    console.log('\nevent-loop delay and end-to-end latency (bench/io.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'io.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`I/O bench exited with ${code}`)
  }

  // Consumer groups (issue "2 — Consumer groups"): its own broker, in its own process.
  if (process.env.KTS_BENCH_SKIP_GROUPS === '1') {
    console.log('\nconsumer group bench skipped (KTS_BENCH_SKIP_GROUPS=1)')
  } else {
    console.log('\nconsumer groups (bench/groups.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'groups.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`consumer group bench exited with ${code}`)
  }

  if (process.env.KTS_BENCH_SKIP_TXN === '1') {
    console.log('\ntransactions bench skipped (KTS_BENCH_SKIP_TXN=1)')
  } else {
    console.log('\ntransactions (bench/transactions.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'transactions.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`transactions bench exited with ${code}`)
  }

  if (process.env.KTS_BENCH_SKIP_CLUSTER === '1') {
    console.log('\ncluster bench skipped (KTS_BENCH_SKIP_CLUSTER=1)')
  } else {
    console.log('\ncluster (bench/cluster.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'cluster.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`cluster bench exited with ${code}`)
  }

  if (process.env.KTS_BENCH_SKIP_REPLICATION === '1') {
    console.log('\nreplication bench skipped (KTS_BENCH_SKIP_REPLICATION=1)')
  } else {
    console.log('\nreplication (bench/replication.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'replication.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`replication bench exited with ${code}`)
  }

  if (process.env.KTS_BENCH_SKIP_SECURITY === '1') {
    console.log('\nsecurity bench skipped (KTS_BENCH_SKIP_SECURITY=1)')
  } else {
    console.log('\nsecured listeners (bench/security.ts):')
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'bench', 'security.js')], {stdio: 'inherit'})
      child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)))
      child.on('error', () => resolve(1))
    })
    if (code !== 0) failures.push(`security bench exited with ${code}`)
  }

  if (KEEP) console.log(`temp dir kept: ${dir}`)
  if (failures.length > 0) {
    console.error('\nFAILED:')
    for (const f of failures) console.error(`- ${f}`)
    return 1
  }
  return 0
}

main().then(
  (code) => {
    cleanupSync()
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`)
    cleanupSync()
    process.exitCode = 1
  },
)
