/**
 * Disk I/O and the event loop (issue 11, acceptance 7): what the broker's event loop goes through
 * under load, and the end-to-end latency a client sees.
 *
 * A kts broker (combined node, random loopback ports, temp dir, Kafka's defaults) runs with
 * bench/event-loop-probe.ts preloaded (`node --import`): on SIGUSR2 it writes the event-loop delay
 * histogram (`perf_hooks.monitorEventLoopDelay`, resolution 1 ms) since the previous signal to a file
 * and resets it, so every phase below is bracketed by two signals. Phases:
 *   - idle, 1 s (the floor: a 1 ms timer reads ~1.1 ms when nothing else runs);
 *   - `kcat -P` of N records x B bytes (KTS_BENCH_RECORDS, default 1,000,000; KTS_BENCH_RECORD_BYTES,
 *     100), acks=1, into a 1-partition and a 6-partition topic (records/s = N / kcat's spawn → exit,
 *     checked against the end offsets), then `kcat -C` of each (every record counted);
 *   - end-to-end latency: bench/latency_client.py (confluent-kafka, /usr/bin/python3) — a producer
 *     process (linger.ms=0, acks=1) sending KTS_BENCH_IO_RATE records/s (default 10,000) for
 *     KTS_BENCH_IO_SECONDS (default 10) after 1 s of warm-up, and a consumer process assign()ed to the
 *     1-partition topic; latency = consumer's CLOCK_MONOTONIC at poll() minus the producer's stamp
 *     in the record (one clock for all processes of the machine): p50/p99/p99.9/max in ms. On kts
 *     (consumer fetch.wait.max.ms=500, librdkafka's default), on a kts topic with flush.messages=1
 *     (every produce fsynced before its acknowledgement), and on librdkafka's mock cluster
 *     (../shared/tools/mockcluster.c, built with gcc, in memory) in the same run, after the kts broker
 *     stopped. The mock answers an empty Fetch only after its full wait (it is not woken by a
 *     produce) and returns one batch per Fetch, so its consumer polls with fetch.wait.max.ms=0 and
 *     still reads only a few thousand 1-record batches a second: its produce → ack figures are the
 *     reference, its e2e figures are its backlog. Beside each kts run: the broker's event-loop delay
 *     while the producer ran. A run is bounded: a server that cannot take RATE is reported as
 *     FELL BEHIND with the counts (see `latency()`), not waited for.
 * Targets (issue 11): event-loop delay p99 ≤ 5 ms under full produce load; latency p99 ≤ 3 ms.
 *
 * Run: `npm run build && node dist/bench/io.js`; `npm run bench` runs it unless KTS_BENCH_SKIP_IO=1.
 * Environment: KTS_BENCH_KCAT (kcat), KTS_BENCH_PYTHON (/usr/bin/python3), KTS_BENCH_SKIP_MOCK=1 (no
 * mock run), KTS_BENCH_KEEP=1 (keep the temp dir; the broker's output is in kts.out),
 * KTS_BENCH_CPU_PROF=<dir> (the broker runs under `node --cpu-prof`, its profile written there; for
 * the longest event-loop stall of each phase, the functions that ran during it are printed).
 * Stalls: the probe also notes every event-loop block of >= 50 ms with its wall-clock time; the
 * bench prints them per phase with the broker's log lines stamped during the longest.
 * Exit status: 1 with one line per problem when something broke (kcat or confluent-kafka missing, the
 * broker did not start, a client failed, a record count is wrong); 0 otherwise, also when a target
 * is missed (marked BELOW TARGET).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import {BrokerConnection} from '../src/protocol/client/broker-connection.js'
import {CreateTopicsApi, type CreateTopicsResponse} from '../src/protocol/generated/messages/create-topics.js'
import {FindCoordinatorApi, type FindCoordinatorResponse} from '../src/protocol/generated/messages/find-coordinator.js'
import {MetadataApi, type MetadataResponse} from '../src/protocol/generated/messages/metadata.js'
import {ZERO_UUID} from '../src/protocol/primitives/uuid-text.js'
import {summarizeCpuProfiles, type ProfileWindow} from './cpuprofile-top.js'
import {EventLoopProbeReader, eventLoopProbeSpawn, logLinesAround, type EventLoopProbeReport} from './event-loop-probe-reader.js'
import {canConnect, envInt, findRepoRoot, freePorts, killProcessGroup, kraftNodeProperties, renderProperties} from './support.js'

const ROOT = findRepoRoot()
const RUN_JS = path.join(ROOT, 'bin', 'run.js')
const LATENCY_PY = path.join(ROOT, 'bench', 'latency_client.py')
const MOCK_SOURCE = path.resolve(ROOT, '..', 'shared', 'tools', 'mockcluster.c')
const KCAT = process.env.KTS_BENCH_KCAT || 'kcat'
const PYTHON = process.env.KTS_BENCH_PYTHON || '/usr/bin/python3'
const RECORDS = envInt('KTS_BENCH_RECORDS', 1_000_000)
const RECORD_BYTES = envInt('KTS_BENCH_RECORD_BYTES', 100)
const RATE = envInt('KTS_BENCH_IO_RATE', 10_000)
const SECONDS = envInt('KTS_BENCH_IO_SECONDS', 10)
const WARMUP_SECONDS = 1
const SKIP_MOCK = process.env.KTS_BENCH_SKIP_MOCK === '1'
const KEEP = process.env.KTS_BENCH_KEEP === '1'
/** KTS_BENCH_CPU_PROF=<dir>: the broker runs under `node --cpu-prof`; what it ran during the longest stalls is printed. */
const CPU_PROF_DIR = process.env.KTS_BENCH_CPU_PROF ? path.resolve(process.env.KTS_BENCH_CPU_PROF) : null

const TARGET_LOOP_P99_MS = 5
const TARGET_LATENCY_P99_MS = 3
const IDLE_MS = 1000
const STEP_DEADLINE_MS = 120_000
/** The latency consumer's fetch.wait.max.ms on kts: librdkafka's default (a Fetch waits at most this long for data). */
const CONSUMER_FETCH_WAIT_MS = 500
/** The group.id latency_client.py's consumer gives librdkafka (it assign()s, so the group is never joined). */
const LATENCY_GROUP = 'kts-bench-latency'
/** How long the latency producer waits for its last acknowledgements (then: the server fell behind). */
const FLUSH_SECONDS = 10
/** How long the latency consumer gets, after the last acknowledgement, to read every record. */
const CATCH_UP_MS = 15_000

/** As bench/run.ts: kcat's producer tuned so that the broker, not kcat, is the limit. */
const PRODUCE_ARGS = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']
const CONSUME_ARGS = ['-X', 'queued.min.messages=1000000', '-X', 'fetch.wait.max.ms=10']

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-')
const fmtMs = (n: number | null | undefined): string => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '-')
const loadAverage = (): string => os.loadavg().map((x) => x.toFixed(2)).join(' ')

/** Problems found; any makes the exit status 1. */
const failures: string[] = []

// ---- child processes ------------------------------------------------------------------------------

/** Every child started and not seen exit; all are SIGKILLed (process group) on exit or Ctrl-C. */
const live = new Set<ChildProcess>()
const tempDirs = new Set<string>()

function cleanupSync(): void {
  for (const c of live) killProcessGroup(c, 'SIGKILL')
  live.clear()
  if (!KEEP) for (const d of tempDirs) fs.rmSync(d, {recursive: true, force: true})
  tempDirs.clear()
}

/** A started process: exit info once it closed, the last 16 KiB of its stderr (and stdout unless taken). */
class Child {
  readonly child: ChildProcess
  readonly closed: Promise<void>
  exit: string | null = null
  code: number | null = null
  /** Resolves once the output copied to `logFile` (if any) is on disk, after the process closed. */
  readonly logWritten: Promise<void>
  private out = ''

  constructor(cmd: string, args: string[], opts: {env?: NodeJS.ProcessEnv, onStdout?: (chunk: Buffer) => void, onLine?: (line: string) => void, logFile?: string, stdin?: boolean} = {}) {
    this.child = spawn(cmd, args, {cwd: ROOT, env: opts.env ?? process.env, detached: true, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe']})
    this.child.stdin?.on('error', () => undefined)
    live.add(this.child)
    const log = opts.logFile ? fs.createWriteStream(opts.logFile) : null
    this.logWritten = log ? new Promise((resolve) => log.once('close', () => resolve())) : Promise.resolve()
    const keep = (s: string): void => {
      this.out = (this.out + s).slice(-16_384)
      log?.write(s)
    }
    if (opts.onStdout) this.child.stdout!.on('data', opts.onStdout)
    else if (opts.onLine) readline.createInterface({input: this.child.stdout!}).on('line', (l) => {
      keep(`${l}\n`)
      opts.onLine!(l)
    })
    else this.child.stdout!.setEncoding('utf8').on('data', keep)
    this.child.stderr!.setEncoding('utf8').on('data', keep)
    this.closed = new Promise((resolve) => {
      this.child.once('error', (err) => {
        if (this.child.pid === undefined) {
          this.exit = `${cmd}: ${err.message}`
          live.delete(this.child)
          log?.end()
          resolve()
        }
      })
      this.child.once('close', (code, signal) => {
        this.code = code
        this.exit = signal ? `killed by ${signal}` : `exit code ${code}`
        live.delete(this.child)
        log?.end()
        resolve()
      })
    })
  }

  get output(): string {
    return this.out
  }

  /** Its output's last lines, on one line (for a one-line failure). */
  lastLines(n = 3): string {
    return this.out.trim().split('\n').slice(-n).join(' | ')
  }

  /** Waits for exit; SIGKILL after `deadlineMs` (then `exit` says so). */
  async wait(deadlineMs: number): Promise<void> {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killProcessGroup(this.child, 'SIGKILL')
    }, deadlineMs)
    await this.closed
    clearTimeout(timer)
    if (timedOut) this.exit = `killed after the ${deadlineMs} ms deadline`
  }

  /** SIGTERM, SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.exit !== null) return
    killProcessGroup(this.child, 'SIGTERM')
    const timer = setTimeout(() => killProcessGroup(this.child, 'SIGKILL'), graceMs)
    await this.closed
    clearTimeout(timer)
  }
}

/** Runs a command to completion; `ms` from spawn to exit. Throws (one line) unless it exits 0. */
async function run(what: string, cmd: string, args: string[], opts: {onStdout?: (chunk: Buffer) => void} = {}): Promise<{ms: number, out: string}> {
  const t0 = performance.now()
  const c = new Child(cmd, args, opts)
  await c.wait(STEP_DEADLINE_MS)
  const ms = performance.now() - t0
  if (c.code !== 0) throw new Error(`${what}: ${c.exit}: ${c.lastLines()}`)
  return {ms, out: c.output}
}

async function until(what: string, cond: () => boolean | Promise<boolean>, deadlineMs: number, proc?: Child): Promise<void> {
  const deadline = performance.now() + deadlineMs
  while (!(await cond())) {
    if (proc?.exit) throw new Error(`${what}: the process ended (${proc.exit}) first: ${proc.lastLines()}`)
    if (performance.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`)
    await delay(5)
  }
}

/** User + system CPU seconds of a process so far (/proc/<pid>/stat; clock ticks assumed 100/s), or NaN. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return NaN
  }
}

// ---- servers --------------------------------------------------------------------------------------

interface Kts {
  /** The broker's stdout + stderr (its log), complete once the process closed and `proc.logWritten` resolved. */
  logFile: string
  bootstrap: string
  port: number
  proc: Child
  probe: EventLoopProbeReader
}

/** A kts combined node on random loopback ports, Kafka's defaults, the probe preloaded. */
async function startKts(dir: string): Promise<Kts> {
  const [port, controllerPort] = await freePorts(2)
  const config = path.join(dir, 'server.properties')
  fs.writeFileSync(config, renderProperties({
    ...kraftNodeProperties(port, controllerPort, path.join(dir, 'kts-logs')),
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
  }))
  const uuid = (await run('kts storage random-uuid', process.execPath, [RUN_JS, 'storage', 'random-uuid'])).out.trim()
  await run('kts storage format', process.execPath, [RUN_JS, 'storage', 'format', '-t', uuid, '-c', config])
  const probe = eventLoopProbeSpawn(path.join(dir, 'event-loop.json'))
  const logFile = path.join(dir, 'kts.out')
  const prof = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []
  const proc = new Child(process.execPath, [...probe.nodeArgs, ...prof, RUN_JS, 'server', 'start', config], {
    env: {...process.env, ...probe.env}, logFile,
  })
  try {
    await until('kts broker start', async () => proc.output.includes('Kafka Server started') && await canConnect(port), 30_000, proc)
  } catch (err) {
    await proc.stop(2000)
    throw err
  }
  return {logFile, bootstrap: `127.0.0.1:${port}`, port, proc, probe: new EventLoopProbeReader(proc.child.pid!, probe.file, () => proc.exit === null)}
}

async function withConnection<T>(port: number, fn: (c: BrokerConnection) => Promise<T>): Promise<T> {
  const c = await BrokerConnection.connect({host: '127.0.0.1', port, clientId: 'kts-bench-io', connectTimeoutMs: 5000, requestTimeoutMs: 15_000})
  try {
    return await fn(c)
  } finally {
    c.close()
  }
}

/** CreateTopics (replication factor 1), then waits until Metadata shows a leader for every partition. */
async function createTopic(kts: Kts, name: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  const res = await withConnection(kts.port, async (c) => await c.send(CreateTopicsApi, c.version(CreateTopicsApi, 7), {
    topics: [{name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, value]) => ({name: k, value}))}],
    timeoutMs: 10_000, validateOnly: false,
  }) as CreateTopicsResponse)
  const t = res.topics[0]
  if (t?.errorCode !== 0) throw new Error(`CreateTopics ${name}: error code ${t?.errorCode} ${t?.errorMessage ?? ''}`)
  await until(`leaders of ${name}`, async () => {
    const md = await withConnection(kts.port, async (c) => await c.send(MetadataApi, c.version(MetadataApi, 12), {
      topics: [{topicId: ZERO_UUID, name}], allowAutoTopicCreation: false,
    }) as MetadataResponse)
    const ps = md.topics.find((x) => x.name === name)?.partitions ?? []
    return ps.length === partitions && ps.every((p) => p.errorCode === 0 && p.leaderId >= 0)
  }, 30_000, kts.proc)
}

/**
 * Waits until FindCoordinator finds the coordinator of the latency consumer's group: librdkafka's
 * consumer looks it up even when it only assign()s, and on a fresh broker that creates and loads
 * the 50 partitions of __consumer_offsets, which must not happen inside a measured phase.
 */
async function groupCoordinatorReady(kts: Kts): Promise<void> {
  await until('the group coordinator (__consumer_offsets created and loaded)', async () => {
    const r = await withConnection(kts.port, async (c) => await c.send(FindCoordinatorApi, c.version(FindCoordinatorApi, 4), {
      key: LATENCY_GROUP, keyType: 0, coordinatorKeys: [LATENCY_GROUP],
    }) as FindCoordinatorResponse)
    return (r.coordinators[0]?.errorCode ?? r.errorCode) === 0
  }, 60_000, kts.proc)
}

/** Builds and starts librdkafka's mock cluster with `topics`; its bootstrap, or why it cannot run. */
async function startMock(dir: string, topics: string[]): Promise<{bootstrap: string, proc: Child} | {skipped: string}> {
  if (!fs.existsSync(MOCK_SOURCE)) return {skipped: `${MOCK_SOURCE} not found`}
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], {encoding: 'utf8'})
  if (flags.status !== 0) return {skipped: `pkg-config --cflags --libs rdkafka failed (is librdkafka-dev installed?) ${flags.error?.message ?? flags.stderr.trim()}`}
  const binary = path.join(dir, 'mockcluster')
  try {
    await run('gcc mockcluster.c', 'gcc', ['-O2', '-Wall', '-pthread', '-o', binary, MOCK_SOURCE, ...flags.stdout.trim().split(/\s+/).filter(Boolean)])
  } catch (err) {
    return {skipped: (err as Error).message}
  }
  let bootstrap: string | null = null
  const proc = new Child(binary, ['-b', '1', ...topics.flatMap((t) => ['-t', t])], {
    onLine: (l) => {
      bootstrap ??= /^BOOTSTRAP=(\S+)$/.exec(l)?.[1] ?? null
    },
  })
  await until('the mock cluster\'s BOOTSTRAP= line', () => bootstrap !== null, 30_000, proc)
  return {bootstrap: bootstrap!, proc}
}

// ---- scenarios ------------------------------------------------------------------------------------

/** Sum of the topic's end offsets (kcat -Q, timestamp -1 = latest). */
async function endOffsets(bootstrap: string, topic: string, partitions: number): Promise<number> {
  const args = ['-Q', '-b', bootstrap]
  for (let p = 0; p < partitions; p++) args.push('-t', `${topic}:${p}:-1`)
  const {out} = await run(`kcat -Q ${topic}`, KCAT, args)
  const offsets = [...out.matchAll(/^\S+ \[(\d+)\] offset (-?\d+)$/gm)].map((m) => Number(m[2]))
  if (offsets.length !== partitions) throw new Error(`kcat -Q ${topic}: ${partitions} offsets expected, got: ${out.trim().split('\n').join(' | ')}`)
  return offsets.reduce((a, b) => a + b, 0)
}

/** One line per record of exactly RECORD_BYTES bytes (`kcat -P -l`). */
function writeDataFile(file: string): void {
  const line = Buffer.alloc(RECORD_BYTES + 1, 'x')
  line[RECORD_BYTES] = 0x0a
  const perChunk = Math.max(1, Math.floor((4 << 20) / line.length))
  const chunk = Buffer.concat(Array.from({length: perChunk}, () => line))
  const fd = fs.openSync(file, 'w')
  try {
    for (let i = 0; i < RECORDS; i += perChunk) fs.writeSync(fd, chunk, 0, Math.min(perChunk, RECORDS - i) * line.length)
  } finally {
    fs.closeSync(fd)
  }
}

interface LoadRow {
  phase: string
  records: number
  seconds: number
  serverCpu: number
  loop: EventLoopProbeReport
  target: boolean
  /** The 1-minute load average at the end of the phase. */
  load: number
}

async function produceRow(kts: Kts, topic: string, partitions: number, dataFile: string): Promise<LoadRow> {
  const cpu0 = cpuSeconds(kts.proc.child.pid)
  const {result: ms, loop} = await kts.probe.around(async () => {
    const r = await run(`kcat -P ${topic}`, KCAT, ['-P', '-b', kts.bootstrap, '-t', topic, '-X', 'acks=1', ...PRODUCE_ARGS, '-l', dataFile])
    if (/fail|error/i.test(r.out)) throw new Error(`kcat -P ${topic} reported: ${r.out.trim().split('\n').slice(-2).join(' | ')}`)
    return r.ms
  })
  const serverCpu = cpuSeconds(kts.proc.child.pid) - cpu0
  const end = await endOffsets(kts.bootstrap, topic, partitions)
  if (end !== RECORDS) throw new Error(`kcat -P ${topic}: end offsets sum to ${end}, expected ${RECORDS}`)
  return {phase: `produce acks=1, ${partitions} partition${partitions > 1 ? 's' : ''} (kcat)`, records: RECORDS, seconds: ms / 1000, serverCpu, loop, target: true, load: os.loadavg()[0]}
}

async function consumeRow(kts: Kts, topic: string, partitions: number): Promise<LoadRow> {
  let count = 0
  const cpu0 = cpuSeconds(kts.proc.child.pid)
  const {result: ms, loop} = await kts.probe.around(async () => (await run(`kcat -C ${topic}`, KCAT,
    ['-C', '-b', kts.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-c', String(RECORDS), '-f', '\\n', ...CONSUME_ARGS], {
      onStdout: (chunk) => {
        for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) count++
      },
    })).ms)
  const serverCpu = cpuSeconds(kts.proc.child.pid) - cpu0
  if (count !== RECORDS) throw new Error(`kcat -C ${topic}: ${count} records, expected ${RECORDS}`)
  return {phase: `consume, ${partitions} partition${partitions > 1 ? 's' : ''} (kcat)`, records: count, seconds: ms / 1000, serverCpu, loop, target: false, load: os.loadavg()[0]}
}

/** latency_client.py's result lines. */
interface Consumed { ev: 'done', count: number, warmup: number, out_of_order: number, stopped: boolean, p50: number | null, p99: number | null, p999: number | null, max: number | null, mean: number | null }
interface Sent { ev: 'sent', count: number, warmup: number, seconds: number, errors: number, acked: number, unacked: number, ack_p50: number | null, ack_p99: number | null, ack_max: number | null }

/**
 * What one latency run measured; `behind` says why not every record made it in time (then the
 * percentiles cover those that did); `loop`: the server's event-loop delay while the producer ran.
 */
interface LatencyResult {
  consumed: Consumed
  sent: Sent
  behind: string | null
  loop?: EventLoopProbeReport
  /** The span `loop` covers, on the clock of the broker's CPU profile. */
  loopWindow?: ProfileWindow
}

interface LatencyRow extends LatencyResult {
  name: string
  serverCpu?: number
  /** The 1-minute load average at the end of the run. */
  load: number
}

/**
 * A consumer process (fetch.wait.max.ms = `fetchWaitMs`), ready, then a producer process at RATE
 * records/s for SECONDS. Bounded in time: the producer waits FLUSH_SECONDS at most for its last
 * acknowledgements; when everything was acknowledged the consumer gets CATCH_UP_MS to read it all,
 * otherwise (the server did not keep up with RATE) 2 s. Then the consumer is stopped and reports.
 * Throws (a failure, not a figure) when a client fails, records arrive out of sequence, or the end
 * offset did not grow by every acknowledged record.
 */
async function latency(bootstrap: string, topic: string, fetchWaitMs: number, probe?: EventLoopProbeReader): Promise<LatencyResult> {
  const measured = RATE * SECONDS
  const events: Array<{ev: string}> = []
  const parse = (who: string) => (line: string): void => {
    try {
      events.push(JSON.parse(line) as {ev: string})
    } catch {
      failures.push(`latency_client.py ${who}: unexpected output line: ${line}`)
    }
  }
  const endBefore = await endOffsets(bootstrap, topic, 1)
  const consumer = new Child(PYTHON, [LATENCY_PY, 'consume', bootstrap, topic, String(measured), String(STEP_DEADLINE_MS / 1000), String(fetchWaitMs)],
    {onLine: parse('consume'), stdin: true})
  let sent: Sent | undefined
  let loop: EventLoopProbeReport | undefined
  let loopWindow: ProfileWindow | undefined
  try {
    await until(`the latency consumer on ${topic} ready`, () => events.some((e) => e.ev === 'ready'), 30_000, consumer)
    const before = await probe?.report() // resets: the event-loop delay from here to the producer's exit
    const producer = new Child(PYTHON, [LATENCY_PY, 'produce', bootstrap, topic, String(RATE), String(SECONDS), String(WARMUP_SECONDS), String(RECORD_BYTES), String(FLUSH_SECONDS)],
      {onLine: parse('produce')})
    await producer.wait(STEP_DEADLINE_MS)
    loop = await probe?.report()
    if (before && loop) loopWindow = {fromUs: before.monoUs, toUs: loop.monoUs}
    sent = events.find((e) => e.ev === 'sent') as Sent | undefined
    if (producer.code !== 0 || !sent) throw new Error(`latency producer on ${topic}: ${producer.exit}: ${producer.lastLines()}`)
    const graceMs = sent.unacked === 0 ? CATCH_UP_MS : 2000
    const deadline = performance.now() + graceMs
    await until(`the latency consumer on ${topic}`, () => consumer.exit !== null || performance.now() > deadline, graceMs + 1000)
    consumer.child.stdin!.end('stop\n')
    await consumer.wait(30_000)
    if (consumer.code !== 0) throw new Error(`latency consumer on ${topic}: ${consumer.exit}: ${consumer.lastLines()}`)
  } finally {
    killProcessGroup(consumer.child, 'SIGKILL')
  }
  const consumed = events.find((e) => e.ev === 'done') as Consumed | undefined
  if (!consumed) throw new Error(`latency on ${topic}: no result line from the consumer`)
  if (sent.count !== measured || sent.errors !== 0) throw new Error(`latency on ${topic}: the producer sent ${sent.count} records with ${sent.errors} errors, expected ${measured}`)
  if (consumed.out_of_order !== 0) throw new Error(`latency on ${topic}: ${consumed.out_of_order} records arrived out of sequence (lost, duplicated or reordered)`)
  if (sent.unacked === 0) {
    const grew = await endOffsets(bootstrap, topic, 1) - endBefore
    if (grew !== sent.warmup + measured) throw new Error(`latency on ${topic}: every record acknowledged, but the end offset grew by ${grew}, expected ${sent.warmup + measured}`)
  }
  const behind = sent.unacked > 0
    ? `the server fell behind: ${fmtInt(sent.acked)} of ${fmtInt(measured)} acknowledged ${FLUSH_SECONDS} s after the last send, ${fmtInt(consumed.count)} consumed`
    : consumed.count < measured ? `the consumer fell behind: ${fmtInt(consumed.count)} of ${fmtInt(measured)} consumed ${CATCH_UP_MS / 1000} s after the last acknowledgement` : null
  return {consumed, sent, behind, loop, loopWindow}
}

async function ktsLatency(kts: Kts, name: string, topic: string): Promise<LatencyRow> {
  const cpu0 = cpuSeconds(kts.proc.child.pid)
  const result = await latency(kts.bootstrap, topic, CONSUMER_FETCH_WAIT_MS, kts.probe)
  return {name, ...result, serverCpu: cpuSeconds(kts.proc.child.pid) - cpu0, load: os.loadavg()[0]}
}

// ---- report ---------------------------------------------------------------------------------------

function table(header: string[], rows: string[][], right: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (c: string[]): string => c.map((s, i) => (i === c.length - 1 ? s : right.has(i) ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

function printLoadRows(idle: EventLoopProbeReport | null, idleLoad: number, rows: LoadRow[]): void {
  const cells = rows.map((r) => [r.phase, fmtInt(r.records), r.seconds.toFixed(3), fmtInt(r.records / r.seconds), r.serverCpu.toFixed(2),
    fmtMs(r.loop.p50), fmtMs(r.loop.p99), fmtMs(r.loop.p999), fmtMs(r.loop.max), fmtInt(r.loop.count), r.load.toFixed(2),
    r.target ? `${r.loop.p99 <= TARGET_LOOP_P99_MS ? 'ok' : 'BELOW TARGET'} (loop p99 <= ${TARGET_LOOP_P99_MS} ms)` : ''])
  if (idle) cells.unshift([`idle ${IDLE_MS / 1000} s`, '', '', '', '', fmtMs(idle.p50), fmtMs(idle.p99), fmtMs(idle.p999), fmtMs(idle.max), fmtInt(idle.count), idleLoad.toFixed(2), 'the floor'])
  console.log(table(['phase', 'records', 'seconds', 'records/s', 'srv CPU s', 'loop p50', 'p99', 'p99.9', 'max ms', 'samples', 'load 1m', 'status'], cells, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])))
}

function printLatencyRows(rows: LatencyRow[]): void {
  const cells = rows.map((r) => [r.name, fmtInt(r.sent.count / r.sent.seconds), fmtMs(r.consumed.p50), fmtMs(r.consumed.p99), fmtMs(r.consumed.p999), fmtMs(r.consumed.max),
    fmtMs(r.sent.ack_p50), fmtMs(r.sent.ack_p99), r.loop ? `${fmtMs(r.loop.p50)} / ${fmtMs(r.loop.p99)} / ${fmtMs(r.loop.max)}` : '-', r.serverCpu !== undefined ? r.serverCpu.toFixed(2) : '-', r.load.toFixed(2),
    [r.behind ? `FELL BEHIND (percentiles of what arrived): ${r.behind}` : '',
      !r.name.startsWith('kts') ? 'reference' : `${r.behind === null && (r.consumed.p99 ?? Infinity) <= TARGET_LATENCY_P99_MS ? 'ok' : 'BELOW TARGET'} (p99 <= ${TARGET_LATENCY_P99_MS} ms)`].filter(Boolean).join('; ')])
  console.log(table(['server / topic', 'sent/s', 'e2e p50', 'p99', 'p99.9', 'max ms', 'ack p50', 'ack p99', 'loop p50 / p99 / max', 'srv CPU s', 'load 1m', 'status'], cells, new Set([1, 2, 3, 4, 5, 6, 7, 9, 10])))
}

/** Per phase, the event-loop stalls (>= 50 ms) and the broker's log lines around the longest one. */
function printStalls(phases: Array<[string, EventLoopProbeReport | undefined]>, brokerLog: string, profile: string | null): void {
  const withStalls = phases.filter(([, r]) => r !== undefined && r.stallCount > 0) as Array<[string, EventLoopProbeReport]>
  if (withStalls.length === 0) {
    console.log('event-loop stalls >= 50 ms in the kts broker: none')
    return
  }
  console.log('event-loop stalls >= 50 ms in the kts broker (wall-clock UTC; with the broker log lines stamped during the longest):')
  for (const [phase, r] of withStalls) {
    console.log(`  ${phase}: ${r.stallCount}; longest ${r.stalls.slice(0, 5).map((s) => `${s.ms} ms at ${s.at.slice(11, 23)}`).join(', ')}`)
    for (const line of logLinesAround(brokerLog, r.stalls[0]).slice(0, 4)) console.log(`      ${line.length > 180 ? `${line.slice(0, 177)}...` : line}`)
    if (profile) {
      const st = r.stalls[0]
      const window = summarizeCpuProfiles([profile], ROOT, {fromUs: st.monoUs, toUs: st.monoUs + st.ms * 1000})
      console.log(`      CPU profile of the longest (${window.busyMs.toFixed(0)} ms busy of ${window.totalMs.toFixed(0)} ms sampled), self time by (function <- nearest caller in src/):`)
      for (const v of window.via.slice(0, 6)) console.log(`      ${v.selfMs.toFixed(0).padStart(6)} ms  ${v.label}  <-  ${v.caller}`)
    }
  }
}

/** The broker's busiest functions while each kts latency run's producer ran (KTS_BENCH_CPU_PROF). */
function printLatencyProfiles(rows: LatencyRow[], profile: string): void {
  for (const r of rows) {
    if (!r.loopWindow) continue
    const s = summarizeCpuProfiles([profile], ROOT, r.loopWindow)
    console.log(`kts broker CPU profile during "${r.name}" (${(s.busyMs / 1000).toFixed(2)} s busy of ${(s.totalMs / 1000).toFixed(2)} s sampled), self time by (function <- nearest caller in src/):`)
    for (const v of s.via.slice(0, 12)) console.log(`  ${v.selfMs.toFixed(0).padStart(6)} ms  ${v.label}  <-  ${v.caller}`)
  }
}

// ---- main -----------------------------------------------------------------------------------------

/** One readable line when a client the bench drives is missing. */
function checkClients(): void {
  const k = spawnSync(KCAT, ['-V'], {encoding: 'utf8'})
  if (k.error || k.status !== 0) throw new Error(`${KCAT} is needed (${k.error?.message ?? `exit ${k.status}`}): install kcat or set KTS_BENCH_KCAT`)
  const p = spawnSync(PYTHON, ['-c', 'import confluent_kafka; print(confluent_kafka.version()[0], confluent_kafka.libversion()[0])'], {encoding: 'utf8'})
  if (p.error || p.status !== 0) throw new Error(`${PYTHON} with confluent-kafka is needed (${p.error?.message ?? (p.stderr.trim().split('\n').pop() || `exit ${p.status}`)}): pip install confluent-kafka or set KTS_BENCH_PYTHON`)
  eventLoopProbeSpawn('') // throws when the probe is not built
  const kv = /librdkafka (\S+)/.exec(k.stdout)?.[1] ?? '?'
  const [ck, lib] = p.stdout.trim().split(' ')
  console.log(`I/O bench: kcat (librdkafka ${kv}), confluent-kafka ${ck} (librdkafka ${lib}); ${fmtInt(RECORDS)} records x ${RECORD_BYTES} B; latency at ${fmtInt(RATE)} records/s for ${SECONDS} s; ` +
    `node ${process.version}; ${os.cpus().length} CPUs; load average ${loadAverage()}`)
}

/** Runs `fn`; a thrown error becomes one failure line and null. */
async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn()
  } catch (err) {
    failures.push(`${what}: ${(err as Error).message.split('\n')[0]}`)
    return null
  }
}

async function main(): Promise<number> {
  checkClients()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-io-'))
  tempDirs.add(dir)
  if (CPU_PROF_DIR) fs.mkdirSync(CPU_PROF_DIR, {recursive: true})
  const dataFile = path.join(dir, 'records.txt')
  writeDataFile(dataFile)

  const loadRows: LoadRow[] = []
  const latencyRows: LatencyRow[] = []
  let idle: EventLoopProbeReport | null = null
  let idleLoad = NaN
  let brokerLog = ''
  let brokerProfile: string | null = null
  const notes: string[] = []

  process.stderr.write('io: starting kts ...\n')
  const kts = await startKts(dir)
  try {
    await createTopic(kts, 'io-p1', 1)
    await createTopic(kts, 'io-p6', 6)
    await createTopic(kts, 'io-latency', 1)
    await createTopic(kts, 'io-latency-flush', 1, {'flush.messages': '1'})
    await groupCoordinatorReady(kts)
    idle = (await kts.probe.around(() => delay(IDLE_MS))).loop
    idleLoad = os.loadavg()[0]
    for (const [topic, partitions] of [['io-p1', 1], ['io-p6', 6]] as const) {
      process.stderr.write(`io: produce ${topic} ...\n`)
      const row = await attempt(`kts produce ${topic}`, () => produceRow(kts, topic, partitions, dataFile))
      if (row) loadRows.push(row)
    }
    for (const [topic, partitions] of [['io-p1', 1], ['io-p6', 6]] as const) {
      process.stderr.write(`io: consume ${topic} ...\n`)
      const row = await attempt(`kts consume ${topic}`, () => consumeRow(kts, topic, partitions))
      if (row) loadRows.push(row)
    }
    for (const [name, topic] of [['kts', 'io-latency'], ['kts flush.messages=1', 'io-latency-flush']] as const) {
      process.stderr.write(`io: latency ${name} ...\n`)
      const row = await attempt(`latency ${name}`, () => ktsLatency(kts, name, topic))
      if (row) latencyRows.push(row)
    }
  } finally {
    await kts.proc.stop()
    await kts.proc.logWritten
    brokerLog = fs.readFileSync(kts.logFile, 'utf8')
    if (CPU_PROF_DIR) {
      const profiles = fs.readdirSync(CPU_PROF_DIR).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(CPU_PROF_DIR, f))
      brokerProfile = profiles.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0] ?? null
      if (brokerProfile === null) notes.push(`no .cpuprofile written into ${CPU_PROF_DIR}`)
    }
    if (kts.proc.exit === 'killed by SIGKILL') notes.push('the kts broker did not exit within 15 s of SIGTERM (a backlog of requests?) and was SIGKILLed')
    else if (kts.proc.code !== 0 && kts.proc.exit !== 'killed by SIGTERM') failures.push(`kts broker: ${kts.proc.exit} at stop: ${kts.proc.lastLines()}`)
  }

  if (SKIP_MOCK) {
    notes.push('mock cluster skipped (KTS_BENCH_SKIP_MOCK=1)')
  } else {
    process.stderr.write('io: latency on the mock cluster ...\n')
    const mock = await attempt('mock cluster', () => startMock(dir, ['io-latency:1']))
    if (mock && 'skipped' in mock) notes.push(`mock cluster skipped: ${mock.skipped}`)
    else if (mock) {
      try {
        const row = await attempt('latency mock', () => latency(mock.bootstrap, 'io-latency', 0))
        if (row) latencyRows.push({name: 'mock cluster, fetch.wait.max.ms=0', ...row, load: os.loadavg()[0]})
      } finally {
        await mock.proc.stop()
      }
    }
  }

  console.log('')
  console.log(`event-loop delay inside the kts broker (monitorEventLoopDelay, resolution 1 ms: a sample is the 1 ms timer's interval, so ~1.1 ms is an idle loop), per phase:`)
  printLoadRows(idle, idleLoad, loadRows)
  console.log('')
  console.log(`end-to-end latency, librdkafka producer (linger.ms=0, acks=1) -> consumer, 1 partition, ${fmtInt(RATE)} records/s x ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ms:`)
  printLatencyRows(latencyRows)
  console.log('  e2e = producer stamp before produce() -> consumer poll() (CLOCK_MONOTONIC); ack = produce() -> delivery report; loop = the broker\'s event-loop delay while the producer ran')
  console.log(`  kts consumer: fetch.wait.max.ms=${CONSUMER_FETCH_WAIT_MS} (librdkafka's default; kts answers a waiting Fetch as soon as records are appended).`)
  console.log('  The mock cluster answers an empty Fetch only after fetch.wait.max.ms (it is not woken by a produce) and returns one batch per partition')
  console.log('  per Fetch: its consumer polls (fetch.wait.max.ms=0), and still reads only a few thousand of these 1-record batches a second, so it falls')
  console.log('  behind at this rate and its e2e figures are its backlog; its ack (produce -> acknowledgement) figures are the reference to compare with.')
  console.log('')
  printStalls([[`idle ${IDLE_MS / 1000} s`, idle ?? undefined], ...loadRows.map((r): [string, EventLoopProbeReport] => [r.phase, r.loop]),
    ...latencyRows.map((r): [string, EventLoopProbeReport | undefined] => [`latency ${r.name}`, r.loop])], brokerLog, brokerProfile)
  if (brokerProfile) printLatencyProfiles(latencyRows, brokerProfile)
  for (const n of notes) console.log(n)
  console.log(`load average at the end ${loadAverage()}`)
  if (KEEP) console.log(`temp dir kept: ${dir}`)
  if (failures.length > 0) {
    console.error('\nFAILED:')
    for (const f of failures) console.error(`- ${f}`)
    return 1
  }
  return 0
}

process.once('exit', cleanupSync)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    cleanupSync()
    process.exit(130)
  })
}

main().then(
  (code) => {
    cleanupSync()
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`bench/io: ${(err as Error).message.split('\n')[0]}`)
    cleanupSync()
    process.exitCode = 1
  },
)
