/**
 * Replication bench (issue "5 — Replicated partitions"): three combined nodes, each a separate
 * `kts server start` process on loopback (Kafka's defaults, e.g. broker.session.timeout.ms 9000),
 * measuring
 *   - produce throughput: kcat KTS_BENCH_RECORDS x KTS_BENCH_RECORD_BYTES (default 1,000,000 x 100 B),
 *     acks=all, into a 6-partition topic with replication factor 3 (min.insync.replicas=2), and the
 *     same into a 6-partition topic with replication factor 1, in the same run (target ≥ 300,000
 *     records/s at RF=3); spawn → exit of kcat, checked against the end offsets afterwards;
 *   - produce latency at a steady 20,000 records/s, acks=all, RF=3: `kts producer-perf-test
 *     --throughput 20000` (linger.ms=0), its p50/p99 send → acknowledgement in ms (target p99 ≤ 10),
 *     and the same at RF=1 (what the machine's load costs without replication);
 *   - failover: SIGKILL of the leader of a partition → first successful acks=all Produce to that
 *     partition (bounded by broker.session.timeout.ms), and SIGTERM (controlled shutdown) → first
 *     successful acks=all Produce answered by another broker (target ≤ 1 s), with the longest gap
 *     between two successful Produce calls of a probe that sends one record at a time;
 *   - follower catch-up: a follower SIGKILLed, KTS_BENCH_CATCHUP_MB (default 1024) MB produced to a
 *     6-partition RF=3 topic meanwhile, then restarted: the bytes its segment files gain per second
 *     from its first fetched byte until it holds everything (target ≥ 100 MB/s).
 * Run: `node dist/bench/replication.js` (`npm run bench` runs it unless KTS_BENCH_SKIP_REPLICATION=1).
 * KTS_BENCH_REPLICATION_SECTIONS=throughput,latency,failover,catchup (default: all) picks the parts;
 * KTS_BENCH_KEEP=1 keeps the temp dir (node logs in node-<id>.out).
 * Exit status: 1 when something broke (a node did not start, a record count is wrong), else 0.
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {BrokerConnection} from '../src/protocol/client/broker-connection.js'
import {CreateTopicsApi, type CreateTopicsResponse} from '../src/protocol/generated/messages/create-topics.js'
import {MetadataApi, type MetadataResponse} from '../src/protocol/generated/messages/metadata.js'
import {ProduceApi, type ProduceResponse} from '../src/protocol/generated/messages/produce.js'
import {ZERO_UUID} from '../src/protocol/primitives/uuid-text.js'
import {encodeRecordBatch} from '../src/protocol/records/records.js'
import {formatProfileSummary, summarizeCpuProfiles} from './cpuprofile-top.js'
import {envInt, findRepoRoot, freePorts, renderProperties} from './support.js'

const ROOT = findRepoRoot()
const RUN_JS = path.join(ROOT, 'bin', 'run.js')
const KCAT = process.env.KTS_BENCH_KCAT || 'kcat'
const RECORDS = envInt('KTS_BENCH_RECORDS', 1_000_000)
const RECORD_BYTES = envInt('KTS_BENCH_RECORD_BYTES', 100)
const CATCHUP_MB = envInt('KTS_BENCH_CATCHUP_MB', 1024)
const KEEP = process.env.KTS_BENCH_KEEP === '1'
/** KTS_BENCH_CPU_PROF=<dir>: nodes run under `node --cpu-prof` (profiles written when they are stopped at the end, top functions printed). */
const CPU_PROF_DIR = process.env.KTS_BENCH_CPU_PROF ? path.resolve(process.env.KTS_BENCH_CPU_PROF) : null
const SECTIONS = new Set((process.env.KTS_BENCH_REPLICATION_SECTIONS || 'throughput,latency,failover,catchup').split(','))
const PARTITIONS = 6
const LATENCY_RATE = 20_000
const LATENCY_SECONDS = 10
const CATCHUP_RECORD_BYTES = 10_000
const PRODUCE_ARGS = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']

interface Node {
  id: number
  brokerPort: number
  controllerPort: number
  configFile: string
  logDir: string
  proc: ChildProcess | null
}

const children = new Set<ChildProcess>()
process.once('exit', () => { for (const c of children) try { process.kill(-c.pid!, 'SIGKILL') } catch { /* gone */ } })

const delay = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

function spawnNode(n: Node): ChildProcess {
  const out = fs.openSync(path.join(path.dirname(n.configFile), `node-${n.id}.out`), 'a')
  const prof = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []
  const c = spawn(process.execPath, [...prof, RUN_JS, 'server', 'start', n.configFile], {cwd: ROOT, detached: true, stdio: ['ignore', out, out],
    env: {...process.env, KTS_PID_DIR: path.join(path.dirname(n.configFile), 'pids')}})
  fs.closeSync(out)
  children.add(c)
  c.once('exit', () => children.delete(c))
  n.proc = c
  return c
}

/** Sends `signal` to the node's process group; resolves (with performance.now()) once it exited. */
async function signalNode(n: Node, signal: NodeJS.Signals): Promise<number> {
  const c = n.proc
  if (!c || c.exitCode !== null || c.signalCode !== null) return performance.now()
  const exited = new Promise<number>(resolve => c.once('exit', () => resolve(performance.now())))
  process.kill(-c.pid!, signal)
  const at = await exited
  n.proc = null
  return at
}

async function ask<T>(port: number, fn: (c: BrokerConnection) => Promise<T>, timeoutMs = 3000): Promise<T | null> {
  let c: BrokerConnection | null = null
  try {
    c = await BrokerConnection.connect({host: '127.0.0.1', port, clientId: 'replication-bench', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs})
    return await fn(c)
  } catch {
    return null
  } finally {
    c?.close()
  }
}

function metadata(port: number, topics: string[] | null = null): Promise<MetadataResponse | null> {
  return ask(port, async c => await c.send(MetadataApi, c.version(MetadataApi, 12), {topics: topics?.map(name => ({topicId: ZERO_UUID, name})) ?? null, allowAutoTopicCreation: false}) as MetadataResponse)
}

async function until<T>(what: string, timeoutMs: number, cond: () => Promise<T | null | false>, intervalMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const v = await cond()
    if (v !== null && v !== false) return v
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await delay(intervalMs)
  }
}

interface PartitionView { partition: number, leader: number, replicas: number[], isr: number[] }

async function partitionsOf(port: number, topic: string): Promise<PartitionView[] | null> {
  const md = await metadata(port, [topic])
  const t = md?.topics.find(x => x.name === topic)
  if (!t || t.errorCode !== 0) return null
  return t.partitions.map(p => ({partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes})).sort((a, b) => a.partition - b.partition)
}

async function createTopic(port: number, name: string, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
  const r = await ask(port, async c => await c.send(CreateTopicsApi, c.version(CreateTopicsApi, 7), {
    topics: [{name, numPartitions: PARTITIONS, replicationFactor, assignments: [], configs: Object.entries(configs).map(([k, value]) => ({name: k, value}))}],
    timeoutMs: 10_000, validateOnly: false,
  }) as CreateTopicsResponse, 15_000)
  const code = r?.topics[0]?.errorCode
  if (code !== 0) throw new Error(`CreateTopics ${name}: ${code ?? 'no answer'}`)
  await until(`${name} with leaders and full ISRs`, 30_000, async () => {
    const ps = await partitionsOf(port, name)
    return ps !== null && ps.length === PARTITIONS && ps.every(p => p.leader >= 0 && p.isr.length === replicationFactor)
  })
}

interface Run { code: number | null, ms: number, stdout: string, stderr: string }

/** Runs a command to completion, `input` written to its stdin (a file path or a generator of chunks). */
function run(cmd: string, args: string[], input?: () => AsyncIterable<Buffer>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const c = spawn(cmd, args, {cwd: ROOT, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-16_384)))
    c.once('error', reject)
    c.once('close', code => resolve({code, ms: performance.now() - t0, stdout, stderr}))
    if (input) {
      void (async () => {
        try {
          for await (const chunk of input()) {
            if (!c.stdin!.write(chunk)) await new Promise(r => c.stdin!.once('drain', r))
          }
        } catch { /* the process went away: its exit code tells */ }
        c.stdin!.end()
      })()
    }
  })
}

/** `count` lines of `bytes` bytes each (+ '\n'), in 4 MiB chunks. */
async function* lines(count: number, bytes: number): AsyncIterable<Buffer> {
  const line = Buffer.alloc(bytes + 1, 'x')
  line[bytes] = 0x0a
  const perChunk = Math.max(1, Math.floor((4 << 20) / line.length))
  const chunk = Buffer.concat(Array.from({length: perChunk}, () => line))
  for (let i = 0; i < count; i += perChunk) {
    const n = Math.min(perChunk, count - i)
    yield n === perChunk ? chunk : chunk.subarray(0, n * line.length)
  }
}

/** Sum of the topic's end offsets (kcat -Q, timestamp -1 = latest). */
async function endOffsets(bootstrap: string, topic: string): Promise<number> {
  const args = ['-Q', '-b', bootstrap]
  for (let p = 0; p < PARTITIONS; p++) args.push('-t', `${topic}:${p}:-1`)
  const r = await run(KCAT, args)
  const offsets = [...r.stdout.matchAll(/^\S+ \[(\d+)\] offset (-?\d+)$/gm)].map(m => Number(m[2]))
  if (r.code !== 0 || offsets.length !== PARTITIONS) throw new Error(`kcat -Q ${topic}: ${r.stdout}${r.stderr}`)
  return offsets.reduce((a, b) => a + b, 0)
}

/** kcat -P of `count` records of `bytes` bytes with acks=all; records/s (spawn → exit), checked against the end offsets. */
async function kcatProduce(bootstrap: string, topic: string, count: number, bytes: number): Promise<{seconds: number, perSecond: number}> {
  const before = await endOffsets(bootstrap, topic)
  const r = await run(KCAT, ['-P', '-b', bootstrap, '-t', topic, '-X', 'acks=all', ...PRODUCE_ARGS], () => lines(count, bytes))
  if (r.code !== 0 || /fail|error/i.test(r.stderr)) throw new Error(`kcat -P ${topic}: exit ${r.code} ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`)
  const after = await endOffsets(bootstrap, topic)
  if (after - before !== count) throw new Error(`${topic}: end offsets grew by ${after - before}, expected ${count}`)
  return {seconds: r.ms / 1000, perSecond: count / (r.ms / 1000)}
}

/** Bytes of the `.log` segment files of each partition of `topic` in a node's log dir. */
function segmentBytes(n: Node, topic: string): number[] {
  return Array.from({length: PARTITIONS}, (_, p) => {
    const dir = path.join(n.logDir, `${topic}-${p}`)
    if (!fs.existsSync(dir)) return 0
    let sum = 0
    for (const f of fs.readdirSync(dir)) {
      if (f.endsWith('.log')) {
        try {
          sum += fs.statSync(path.join(dir, f)).size
        } catch { /* rolled or deleted meanwhile */ }
      }
    }
    return sum
  })
}

function loadAverage(): string {
  return os.loadavg().map(x => x.toFixed(2)).join(' ')
}

/**
 * A probe producing one record at a time with acks=all to one partition: it asks a survivor for the
 * leader, sends the Produce there, and notes when each one succeeded and which broker answered.
 */
class ProduceProbe {
  readonly successes: {at: number, broker: number}[] = []
  private stopped = false
  private readonly conns = new Map<number, BrokerConnection>()
  private leader = -1
  private loop: Promise<void> | null = null

  constructor(private readonly nodes: Node[], private readonly topic: string, private readonly partition: number, private readonly survivors: () => Node[]) {}

  start(): void {
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.loop
    for (const c of this.conns.values()) c.close()
  }

  private async conn(id: number): Promise<BrokerConnection> {
    const existing = this.conns.get(id)
    if (existing && !existing.isClosed) return existing
    const node = this.nodes.find(n => n.id === id)!
    const c = await BrokerConnection.connect({host: '127.0.0.1', port: node.brokerPort, clientId: 'replication-bench-probe', connectTimeoutMs: 1000, requestTimeoutMs: 5000})
    this.conns.set(id, c)
    return c
  }

  private async refreshLeader(): Promise<void> {
    for (const n of this.survivors()) {
      const ps = await partitionsOf(n.brokerPort, this.topic)
      const p = ps?.[this.partition]
      if (p) {
        this.leader = p.leader
        return
      }
    }
    this.leader = -1
  }

  private async run(): Promise<void> {
    let seq = 0
    while (!this.stopped) {
      try {
        if (this.leader < 0) await this.refreshLeader()
        if (this.leader < 0) {
          await delay(5)
          continue
        }
        const broker = this.leader
        const c = await this.conn(broker)
        const records = encodeRecordBatch({records: [{key: null, value: Buffer.from(`probe-${seq++}`)}]})
        const res = await c.send(ProduceApi, c.version(ProduceApi, 9), {transactionalId: null, acks: -1, timeoutMs: 5000,
          topicData: [{name: this.topic, partitionData: [{index: this.partition, records}]}]}) as ProduceResponse
        const code = res.responses[0]?.partitionResponses[0]?.errorCode ?? -1
        if (code === 0) this.successes.push({at: performance.now(), broker})
        else {
          this.leader = -1
          await delay(5)
        }
      } catch {
        this.leader = -1
        await delay(5)
      }
    }
  }
}

/** The three nodes of a run and what the sections ask of them. */
interface Cluster {
  nodes: Node[]
  bootstrap: string
  /** The nodes whose process runs. */
  live(): Node[]
  brokersSeenBy(n: Node): Promise<number[]>
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US')

async function throughput(c: Cluster): Promise<void> {
  await createTopic(c.nodes[0].brokerPort, 'rf3', 3, {'min.insync.replicas': '2'})
  await createTopic(c.nodes[0].brokerPort, 'rf1', 1)
  const rf3 = await kcatProduce(c.bootstrap, 'rf3', RECORDS, RECORD_BYTES)
  const load3 = loadAverage()
  const rf1 = await kcatProduce(c.bootstrap, 'rf1', RECORDS, RECORD_BYTES)
  const load1 = loadAverage()
  console.log(`  kcat ${fmt(RECORDS)} x ${RECORD_BYTES} B, acks=all, ${PARTITIONS} partitions: RF=3 ${fmt(rf3.perSecond)} records/s (${rf3.seconds.toFixed(2)} s, load ${load3}; target ≥ 300,000), ` +
    `RF=1 ${fmt(rf1.perSecond)} records/s (${rf1.seconds.toFixed(2)} s, load ${load1})`)
}

/** Latency at a steady rate, RF=3 and RF=1 (what the machine's load costs without replication). */
async function latency(c: Cluster): Promise<void> {
  for (const rf of [3, 1]) {
    const topic = `latency-rf${rf}`
    await createTopic(c.nodes[0].brokerPort, topic, rf, rf === 3 ? {'min.insync.replicas': '2'} : {})
    const perf = await run(process.execPath, [RUN_JS, 'producer-perf-test', '--topic', topic, '--num-records', String(LATENCY_RATE * LATENCY_SECONDS),
      '--record-size', String(RECORD_BYTES), '--throughput', String(LATENCY_RATE), '--producer-props', `bootstrap.servers=${c.bootstrap}`, 'acks=all', 'linger.ms=0'])
    const total = /^(\d+) records sent, (\d+\.\d) records\/sec .*?, (\d+\.\d{2}) ms avg latency, (\d+\.\d{2}) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/m.exec(perf.stdout)
    if (perf.code !== 0 || !total) throw new Error(`producer-perf-test: exit ${perf.code}\n${perf.stdout}${perf.stderr}`)
    console.log(`  latency, kts producer-perf-test acks=all linger.ms=0 at ${fmt(LATENCY_RATE)} records/s for ${LATENCY_SECONDS} s, RF=${rf}: ` +
      `p50 ${total[5]} ms, p95 ${total[6]} ms, p99 ${total[7]} ms, p99.9 ${total[8]} ms, max ${total[4]} ms (${total[2]} records/s; load ${loadAverage()}${rf === 3 ? '; target p99 ≤ 10' : ''})`)
    // One record at a time: the round trip of a lone acks=all Produce (replication's share of the latency).
    const probe = new ProduceProbe(c.nodes, topic, 0, () => c.nodes)
    probe.start()
    await delay(3000)
    await probe.stop()
    const rtts = probe.successes.slice(1).map((x, i) => x.at - probe.successes[i].at).sort((a, b) => a - b)
    const pct = (q: number): string => (rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))] ?? NaN).toFixed(2)
    console.log(`    one acks=all Produce of one record at a time, RF=${rf}: ${rtts.length} round trips in 3 s, p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`)
  }
}

/** SIGKILL, then SIGTERM, of the leader of failover-0 while a probe produces to it. */
async function failover(c: Cluster): Promise<void> {
  await createTopic(c.nodes[0].brokerPort, 'failover', 3, {'min.insync.replicas': '2'})
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    const ps = (await partitionsOf(c.nodes[0].brokerPort, 'failover'))!
    const victim = c.nodes.find(n => n.id === ps[0].leader)!
    const probe = new ProduceProbe(c.nodes, 'failover', 0, () => c.live().filter(n => n !== victim))
    probe.start()
    await until('the probe producing', 10_000, async () => probe.successes.length >= 20)
    const t0 = performance.now()
    const exitedAt = await signalNode(victim, signal)
    await until(`a produce answered by another broker after ${signal}`, 60_000, async () => probe.successes.some(s => s.at > t0 && s.broker !== victim.id))
    await until('more produces', 10_000, async () => probe.successes.filter(s => s.at > t0).length >= 20)
    await probe.stop()
    const after = probe.successes.filter(s => s.at > t0)
    const firstElsewhere = after.find(s => s.broker !== victim.id)!.at - t0
    let gap = 0
    let prev = probe.successes.filter(s => s.at <= t0).at(-1)?.at ?? t0
    for (const s of after) {
      gap = Math.max(gap, s.at - prev)
      prev = s.at
    }
    const exit = signal === 'SIGTERM' ? `, process exited after ${(exitedAt - t0).toFixed(0)} ms` : ''
    const target = signal === 'SIGTERM' ? ' (target ≤ 1000)' : ' (bounded by broker.session.timeout.ms 9000)'
    console.log(`  failover, ${signal} of the leader → first acks=all produce answered by another broker: ${firstElsewhere.toFixed(0)} ms${target}; ` +
      `longest gap between acknowledgements ${gap.toFixed(0)} ms${exit} (load ${loadAverage()})`)
    spawnNode(victim)
    await until('the stopped node back in every ISR', 120_000, async () => {
      const now = await partitionsOf(c.nodes.find(n => n !== victim)!.brokerPort, 'failover')
      return now !== null && now.every(p => p.isr.length === 3) && (await c.brokersSeenBy(victim)).length === 3
    })
  }
}

/** A follower SIGKILLed, CATCHUP_MB produced meanwhile, restarted: how fast its logs fill. */
async function catchUp(c: Cluster): Promise<void> {
  await createTopic(c.nodes[0].brokerPort, 'catchup', 3, {'min.insync.replicas': '2'})
  const follower = c.nodes[2]
  await signalNode(follower, 'SIGKILL')
  const others = c.nodes.filter(n => n !== follower)
  await until(`broker ${follower.id} out of the ISRs`, 60_000, async () => {
    const ps = await partitionsOf(others[0].brokerPort, 'catchup')
    return ps !== null && ps.every(p => !p.isr.includes(follower.id) && p.leader >= 0)
  }, 100)
  const count = Math.floor(CATCHUP_MB * 1e6 / CATCHUP_RECORD_BYTES)
  const fill = await kcatProduce(others.map(n => `127.0.0.1:${n.brokerPort}`).join(','), 'catchup', count, CATCHUP_RECORD_BYTES)
  const target = largestPerPartition(others.map(n => segmentBytes(n, 'catchup')))
  const start = segmentBytes(follower, 'catchup')
  const behind = target.reduce((a, b) => a + b, 0) - start.reduce((a, b) => a + b, 0)
  const spawnedAt = performance.now()
  spawnNode(follower)
  let firstAt = 0
  const doneAt = await until(`broker ${follower.id} holding every byte`, 600_000, async () => {
    const now = segmentBytes(follower, 'catchup')
    const t = performance.now()
    if (firstAt === 0 && now.some((b, i) => b > start[i])) firstAt = t
    return now.every((b, i) => b >= target[i]) ? t : null
  }, 10)
  const inIsrAt = await until(`broker ${follower.id} back in every ISR`, 60_000, async () => {
    const ps = await partitionsOf(others[0].brokerPort, 'catchup')
    return ps !== null && ps.every(p => p.isr.includes(follower.id)) ? performance.now() : null
  }, 10)
  const mb = behind / 1e6
  console.log(`  follower catch-up: ${mb.toFixed(0)} MB behind (${fmt(count)} x ${fmt(CATCHUP_RECORD_BYTES)} B produced in ${fill.seconds.toFixed(1)} s while it was down): ` +
    `${(mb / ((doneAt - firstAt) / 1000)).toFixed(0)} MB/s from its first fetched byte to the last (${((doneAt - firstAt) / 1000).toFixed(2)} s; target ≥ 100), ` +
    `restart → every byte ${((doneAt - spawnedAt) / 1000).toFixed(2)} s, → back in every ISR ${((inIsrAt - spawnedAt) / 1000).toFixed(2)} s (load ${loadAverage()})`)
}

/** Per partition, the largest of the nodes' sizes (the leader's). */
function largestPerPartition(perNode: number[][]): number[] {
  return Array.from({length: PARTITIONS}, (_, p) => Math.max(...perNode.map(x => x[p])))
}

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-replication-'))
  try {
    const ports = await freePorts(6)
    const nodes: Node[] = [1, 2, 3].map(id => ({id, brokerPort: ports[id * 2 - 2], controllerPort: ports[id * 2 - 1],
      configFile: path.join(dir, `node-${id}.properties`), logDir: path.join(dir, `node-${id}`), proc: null}))
    const voters = nodes.map(n => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')
    const clusterId = spawnSync(process.execPath, [RUN_JS, 'storage', 'random-uuid'], {encoding: 'utf8'}).stdout.trim()
    for (const n of nodes) {
      fs.writeFileSync(n.configFile, renderProperties({
        'process.roles': 'broker,controller', 'node.id': n.id, 'controller.quorum.voters': voters,
        'listeners': `PLAINTEXT://127.0.0.1:${n.brokerPort},CONTROLLER://127.0.0.1:${n.controllerPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${n.brokerPort}`, 'controller.listener.names': 'CONTROLLER',
        'log.dirs': n.logDir,
      }))
      const f = spawnSync(process.execPath, [RUN_JS, 'storage', 'format', '-t', clusterId, '-c', n.configFile], {encoding: 'utf8'})
      if (f.status !== 0) throw new Error(`storage format failed: ${f.stderr}`)
    }
    const cluster: Cluster = {
      nodes,
      bootstrap: nodes.map(n => `127.0.0.1:${n.brokerPort}`).join(','),
      live: () => nodes.filter(n => n.proc !== null),
      brokersSeenBy: async n => (await metadata(n.brokerPort))?.brokers.map(b => b.nodeId).sort() ?? [],
    }
    for (const n of nodes) spawnNode(n)
    await until('three unfenced brokers', 60_000, async () => {
      for (const n of nodes) if ((await cluster.brokersSeenBy(n)).length !== 3) return false
      return true
    })
    console.log(`replication (3 combined nodes, separate processes on loopback; load average at start ${loadAverage()}):`)
    if (SECTIONS.has('throughput')) await throughput(cluster)
    if (SECTIONS.has('latency')) await latency(cluster)
    if (SECTIONS.has('failover')) await failover(cluster)
    if (SECTIONS.has('catchup')) await catchUp(cluster)
    if (CPU_PROF_DIR) {
      await Promise.all(cluster.live().map(n => signalNode(n, 'SIGTERM')))
      const files = fs.readdirSync(CPU_PROF_DIR).filter(f => f.endsWith('.cpuprofile')).map(f => path.join(CPU_PROF_DIR, f))
      console.log(`  CPU profiles in ${CPU_PROF_DIR}, all nodes together:\n${formatProfileSummary(summarizeCpuProfiles(files, ROOT), 25)}`)
    }
    return 0
  } finally {
    for (const c of children) try { process.kill(-c.pid!, 'SIGKILL') } catch { /* gone */ }
    if (KEEP) console.log(`  temp dir kept: ${dir}`)
    else fs.rmSync(dir, {recursive: true, force: true})
  }
}

main().then(code => process.exit(code), err => {
  console.error(`replication bench failed: ${(err as Error).message}`)
  process.exit(1)
})
