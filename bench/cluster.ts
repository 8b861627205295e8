/**
 * Cluster bench (issue "4 — A real KRaft quorum"): three combined nodes, each a separate
 * `kts server start` process on loopback, measuring
 *   - cold start: spawn of all three → every broker's Metadata lists three live brokers (target ≤ 3 s);
 *   - controller failover: SIGKILL of the active controller → first successful CreateTopics through
 *     a surviving broker, median of KTS_BENCH_FAILOVERS (default 5) rounds (target ≤ 3 s);
 *   - metadata at scale: 100 topics x 100 partitions (RF 1) created through one broker → every
 *     broker's Metadata shows all 10,000 partitions (target ≤ 10 s), and each node's RSS afterwards.
 * Run: `node dist/bench/cluster.js` (`npm run bench` runs it unless KTS_BENCH_SKIP_CLUSTER=1).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {BrokerConnection} from '../src/protocol/client/broker-connection.js'
import {CreateTopicsApi, type CreateTopicsResponse} from '../src/protocol/generated/messages/create-topics.js'
import {DescribeQuorumApi, type DescribeQuorumResponse} from '../src/protocol/generated/messages/describe-quorum.js'
import {MetadataApi, type MetadataResponse} from '../src/protocol/generated/messages/metadata.js'
import {envInt, findRepoRoot, freePorts, renderProperties} from './support.js'

const ROOT = findRepoRoot()
const RUN_JS = path.join(ROOT, 'bin', 'run.js')
const FAILOVERS = envInt('KTS_BENCH_FAILOVERS', 5)
const TOPICS = envInt('KTS_BENCH_CLUSTER_TOPICS', 100)
const PARTITIONS = envInt('KTS_BENCH_CLUSTER_PARTITIONS', 100)
/** KTS_BENCH_CPU_PROF=<dir>: run the nodes under `node --cpu-prof` (profiles written at the final SIGTERM). */
const CPU_PROF_DIR = process.env.KTS_BENCH_CPU_PROF ? path.resolve(process.env.KTS_BENCH_CPU_PROF) : null

interface Node {
  id: number
  brokerPort: number
  controllerPort: number
  configFile: string
  proc: ChildProcess | null
}

const children = new Set<ChildProcess>()
process.once('exit', () => { for (const c of children) try { process.kill(-c.pid!, 'SIGKILL') } catch { /* gone */ } })

function spawnNode(n: Node): void {
  const prof = CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []
  const c = spawn(process.execPath, [...prof, RUN_JS, 'server', 'start', n.configFile], {cwd: ROOT, detached: true, stdio: 'ignore', env: {...process.env, KTS_PID_DIR: path.join(path.dirname(n.configFile), 'pids')}})
  children.add(c)
  c.once('exit', () => children.delete(c))
  n.proc = c
}

async function killNode(n: Node): Promise<void> {
  const c = n.proc
  if (!c || c.exitCode !== null) return
  const exited = new Promise<void>(resolve => c.once('exit', () => resolve()))
  process.kill(-c.pid!, 'SIGKILL')
  await exited
  n.proc = null
}

async function ask<T>(port: number, fn: (c: BrokerConnection) => Promise<T>, timeoutMs = 3000): Promise<T | null> {
  let c: BrokerConnection | null = null
  try {
    c = await BrokerConnection.connect({host: '127.0.0.1', port, clientId: 'cluster-bench', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs})
    return await fn(c)
  } catch {
    return null
  } finally {
    c?.close()
  }
}

function metadata(port: number): Promise<MetadataResponse | null> {
  return ask(port, async c => await c.send(MetadataApi, c.version(MetadataApi, 12), {topics: null, allowAutoTopicCreation: false}) as MetadataResponse, 10_000)
}

async function leaderId(nodes: Node[]): Promise<number> {
  for (const n of nodes) {
    if (!n.proc) continue
    const id = await ask(n.controllerPort, async c => {
      const r = await c.send(DescribeQuorumApi, c.version(DescribeQuorumApi), {topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}) as DescribeQuorumResponse
      const p = r.topics[0]?.partitions[0]
      return p && p.errorCode === 0 ? p.leaderId : null
    })
    if (id !== null) return id
  }
  return -1
}

async function until(what: string, timeoutMs: number, cond: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-cluster-'))
  try {
    const ports = await freePorts(6)
    const nodes: Node[] = [1, 2, 3].map(id => ({id, brokerPort: ports[id * 2 - 2], controllerPort: ports[id * 2 - 1], configFile: path.join(dir, `node-${id}.properties`), proc: null}))
    const voters = nodes.map(n => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')
    const clusterId = spawnSync(process.execPath, [RUN_JS, 'storage', 'random-uuid'], {encoding: 'utf8'}).stdout.trim()
    for (const n of nodes) {
      fs.writeFileSync(n.configFile, renderProperties({
        'process.roles': 'broker,controller', 'node.id': n.id, 'controller.quorum.voters': voters,
        'listeners': `PLAINTEXT://127.0.0.1:${n.brokerPort},CONTROLLER://127.0.0.1:${n.controllerPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${n.brokerPort}`, 'controller.listener.names': 'CONTROLLER',
        'log.dirs': path.join(dir, `node-${n.id}`), 'offsets.topic.replication.factor': 1,
      }))
      const f = spawnSync(process.execPath, [RUN_JS, 'storage', 'format', '-t', clusterId, '-c', n.configFile], {encoding: 'utf8'})
      if (f.status !== 0) throw new Error(`storage format failed: ${f.stderr}`)
    }
    const allSeeThree = async (): Promise<boolean> => {
      for (const n of nodes) {
        const md = await metadata(n.brokerPort)
        if (!md || md.brokers.length !== 3) return false
      }
      return true
    }

    // --- cold start -------------------------------------------------------------------------
    const t0 = performance.now()
    for (const n of nodes) spawnNode(n)
    await until('three unfenced brokers', 60_000, allSeeThree)
    const coldStartMs = performance.now() - t0

    // --- controller failover ----------------------------------------------------------------
    const failovers: number[] = []
    for (let round = 0; round < FAILOVERS; round++) {
      let id = -1
      await until('a quorum leader', 30_000, async () => (id = await leaderId(nodes)) >= 0)
      const victim = nodes.find(n => n.id === id)!
      const survivor = nodes.find(n => n !== victim)!
      await killNode(victim)
      const t = performance.now()
      const name = `failover-${round}`
      await until('CreateTopics after the failover', 60_000, async () => {
        const r = await ask(survivor.brokerPort, async c => await c.send(CreateTopicsApi, c.version(CreateTopicsApi, 7), {
          topics: [{name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: []}], timeoutMs: 2000, validateOnly: false,
        }) as CreateTopicsResponse, 3000)
        // 36 TOPIC_ALREADY_EXISTS: an earlier attempt committed but its answer was lost with the old controller.
        return r !== null && (r.topics[0]?.errorCode === 0 || r.topics[0]?.errorCode === 36)
      })
      failovers.push(performance.now() - t)
      spawnNode(victim)
      await until('the killed node back', 60_000, allSeeThree)
    }

    // --- metadata at scale ---------------------------------------------------------------------
    const t1 = performance.now()
    const batch = 10
    let retriedBatches = 0
    for (let i = 0; i < TOPICS; i += batch) {
      let topics = Array.from({length: Math.min(batch, TOPICS - i)}, (_, k) => ({name: `scale-${i + k}`, numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: []}))
      // Clients retry NOT_CONTROLLER (41) and REQUEST_TIMED_OUT (7); TOPIC_ALREADY_EXISTS (36) after a retry means done.
      for (let attempt = 0; topics.length > 0; attempt++) {
        const r = await ask(nodes[0].brokerPort, async c => await c.send(CreateTopicsApi, c.version(CreateTopicsApi, 7), {topics, timeoutMs: 30_000, validateOnly: false}) as CreateTopicsResponse, 60_000)
        const codes = new Map(r?.topics.map(t => [t.name, t.errorCode]) ?? [])
        const failed = topics.filter(t => ![0, 36, 41, 7].includes(codes.get(t.name) ?? 7))
        if (failed.length > 0) throw new Error(`CreateTopics failed: ${failed.map(t => `${t.name}: ${codes.get(t.name)}`).join(', ')}`)
        topics = topics.filter(t => [41, 7].includes(codes.get(t.name) ?? 7))
        if (topics.length > 0) {
          retriedBatches++
          if (attempt > 20) throw new Error(`CreateTopics kept failing for ${topics.map(t => t.name).join(', ')}`)
          await new Promise(resolve => setTimeout(resolve, 200))
        }
      }
    }
    const createdMs = performance.now() - t1
    await until('every broker to list every partition', 120_000, async () => {
      for (const n of nodes) {
        const md = await metadata(n.brokerPort)
        const count = md?.topics.filter(t => t.name?.startsWith('scale-')).reduce((a, t) => a + t.partitions.length, 0) ?? 0
        if (count < TOPICS * PARTITIONS) return false
      }
      return true
    })
    const visibleMs = performance.now() - t1
    const rss = nodes.map(n => rssMb(n.proc!.pid!))

    console.log(`cluster (3 combined nodes, separate processes on loopback):`)
    console.log(`  cold start to three unfenced brokers: ${coldStartMs.toFixed(0)} ms (target ≤ 3000)`)
    console.log(`  controller failover, SIGKILL → CreateTopics ok: median ${median(failovers).toFixed(0)} ms of ${failovers.map(x => x.toFixed(0)).join(', ')} (target ≤ 3000)`)
    console.log(`  ${TOPICS} topics x ${PARTITIONS} partitions: created in ${createdMs.toFixed(0)} ms, on every broker's Metadata after ${visibleMs.toFixed(0)} ms (target ≤ 10000)${retriedBatches > 0 ? `; ${retriedBatches} CreateTopics retried after NOT_CONTROLLER/REQUEST_TIMED_OUT` : ''}`)
    console.log(`  RSS after: ${rss.map((r, i) => `node ${i + 1} ${r.toFixed(1)} MB`).join(', ')}`)
    if (CPU_PROF_DIR) {
      await Promise.all(nodes.map(n => new Promise<void>(resolve => {
        if (!n.proc || n.proc.exitCode !== null) return resolve()
        n.proc.once('exit', () => resolve())
        process.kill(-n.proc.pid!, 'SIGTERM')
      })))
      console.log(`  CPU profiles in ${CPU_PROF_DIR}`)
    }
    return 0
  } finally {
    for (const c of children) try { process.kill(-c.pid!, 'SIGKILL') } catch { /* gone */ }
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

main().then(code => process.exit(code), err => {
  console.error(`cluster bench failed: ${(err as Error).message}`)
  process.exit(1)
})
