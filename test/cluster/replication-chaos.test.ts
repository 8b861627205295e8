// Replication chaos across real processes (issue "5 — Replicated partitions"): three combined nodes,
// a topic with replication factor 3 and min.insync.replicas=2, a librdkafka idempotent producer
// (confluent-kafka) sending sequence-numbered records with acks=all, while a seeded fault schedule
// SIGKILLs and restarts the current leader of a partition and SIGSTOPs/SIGCONTs another node for a
// while. Then everything is read back: every acknowledged record is there exactly once, at the
// offset its delivery report gave, in per-partition send order; and the three replicas of every
// partition hold byte-identical logs.
//
// Three known librdkafka bugs are told apart from broker faults (seen with Debian's 2.0.2 and
// reported against Apache Kafka brokers too):
// - before 2.3.0 (confluentinc/librdkafka#4438, confluent-kafka-python#1128), a request whose outcome
//   is unknown (its leader was killed with it in flight) makes the client advance its next expected
//   sequence; when the retry then fails with a retriable error, the next request's correct
//   OUT_OF_ORDER_SEQUENCE_NUMBER answer is taken as fatal ("sequence desynchronization", "rewound
//   sequence number"). The producer process is then replaced by a new one (a new producer id, new
//   values): what the old one had acknowledged is still checked.
// - (confluentinc/librdkafka#4953) a skipped-sequence error on one partition bumps the producer
//   epoch of all; a request of another partition whose outcome is unknown is then sent again under
//   the new epoch, with sequence 0, which no broker can tell from new data. Such a second copy is
//   accepted only when the batch holding it has the same producer id and a higher producer epoch
//   than the batch holding the first copy (read from the segment files).
// - (confluentinc/librdkafka#4976) after a broker restart a partition can stay on a broker that is
//   no longer its leader ("leader N unchanged, not migrating away from preferred replica M" in the
//   producer's topic debug log), answered NOT_LEADER_OR_FOLLOWER for ever: its records are left
//   undelivered at the end (never acknowledged, so nothing to check).
// A duplicate within one producer epoch, a lost or moved acknowledged record, or any other fatal
// client error fails the test.
//
// Replay: KTS_CHAOS_SEED=<seed> (printed at start and on failure) repeats the fault schedule
// (timings vary with the machine); KTS_CHAOS_SECONDS sets how long faults are injected (default 60);
// KTS_CHAOS_DEBUG=1 puts librdkafka's debug log of the producer in the failure log.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {PYTHON, pyScript, pythonHasModule} from '../interop/python-client.js'
import {runProcess} from '../helpers/run-process.js'
import {brokerMetadata, createTopics, latestOffsets, type PartitionMetadata} from './cluster-client.js'
import {batchHeaders, type RecordBatchHeader} from '../../src/protocol/records/record-batch.js'

const TOPIC = 'chaos'
const PARTITIONS = 3
/** Records per second the producer offers. */
const RATE = 1500
const SEED = Number(process.env.KTS_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31))
const CHAOS_MS = Number(process.env.KTS_CHAOS_SECONDS ?? 60) * 1000
/** Values of producer session k start at k * SESSION_SPAN (a session sends well under 10 M). */
const SESSION_SPAN = 10_000_000
/** Replacement producers allowed after the known librdkafka < 2.3.0 fatal error. */
const MAX_RESTARTS = 5
/** The fatal errors of confluentinc/librdkafka#4438 (see the header). */
const KNOWN_CLIENT_FATAL = /sequence desynchronization|rewound sequence number/
/** librdkafka#4976 in the producer's topic debug log (a producer has no preferred replica). */
const KNOWN_CLIENT_STUCK = /not migrating away from preferred replica/
/** librdkafka 2.3.0, the first release with the #4438 fix. */
const LIBRDKAFKA_FIXED = 0x020300ff

/** mulberry32: a small seeded PRNG, [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Part of the fault schedule, not a synchronization. */
function pause(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

interface Ack { partition: number, offset: number }

/** The chaos_client.py producer: parses its delivery reports as they arrive. */
class ChaosProducer {
  readonly acked = new Map<number, Ack>()
  readonly failed: string[] = []
  stderr = ''
  done: {sent: number, undelivered: number} | null = null
  private readonly child: ChildProcess
  private rest = ''
  readonly exited: Promise<number | null>
  /** Set once the process has exited (a fatal client error ends it early). */
  exitCode: number | null | undefined = undefined

  constructor(bootstrap: string, readonly first: number) {
    this.child = spawn(PYTHON, [pyScript('chaos_client.py'), 'produce', bootstrap, TOPIC, String(PARTITIONS), String(RATE), String(first)], {stdio: ['pipe', 'pipe', 'pipe']})
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.onData(d))
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d))
    this.child.stdin!.on('error', () => undefined)
    // 'close': stdout and stderr are read to the end
    this.exited = new Promise(resolve => this.child.once('close', code => {
      this.exitCode = code
      resolve(code)
    }))
  }

  private onData(d: string): void {
    const lines = (this.rest + d).split('\n')
    this.rest = lines.pop()!
    for (const line of lines) {
      const f = line.split(' ')
      if (f[0] === 'A') this.acked.set(Number(f[3]), {partition: Number(f[1]), offset: Number(f[2])})
      else if (f[0] === 'E') this.failed.push(line)
      else if (f[0] === 'DONE') this.done = {sent: Number(f[1]), undelivered: Number(f[2])}
    }
  }

  /** Asks the producer to flush and exit; resolves with its exit code. */
  async stop(timeoutMs: number): Promise<number | null> {
    this.child.stdin!.end('stop\n')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }

  kill(): void {
    this.child.kill('SIGKILL')
  }
}

/**
 * The producer sessions of one run: a new chaos_client.py process (new producer id, values from
 * k * SESSION_SPAN) replaces one that died of the known librdkafka < 2.3.0 fatal error.
 */
class ChaosProducers {
  readonly sessions: ChaosProducer[]

  constructor(private readonly bootstrap: string, private readonly libVersion: number) {
    this.sessions = [new ChaosProducer(bootstrap, 0)]
  }

  get current(): ChaosProducer {
    return this.sessions[this.sessions.length - 1]
  }

  /** Producers replaced after the known client fatal error. */
  get restarts(): number {
    return this.sessions.length - 1
  }

  get ackedCount(): number {
    return this.sessions.reduce((n, p) => n + p.acked.size, 0)
  }

  /** Every acknowledged value of every session. */
  acked(): Map<number, Ack> {
    const all = new Map<number, Ack>()
    for (const p of this.sessions) for (const [v, a] of p.acked) all.set(v, a)
    return all
  }

  /**
   * Replaces a producer that exited with the known client fatal error (librdkafka < 2.3.0 only).
   * @returns false when the current producer has exited for another reason (or too many restarts)
   */
  keepAlive(note: (s: string) => void): boolean {
    const p = this.current
    if (p.exitCode === undefined) return true
    const fatal = KNOWN_CLIENT_FATAL.exec(p.stderr)
    if (!fatal || this.libVersion >= LIBRDKAFKA_FIXED || this.restarts >= MAX_RESTARTS) return false
    note(`producer ${this.sessions.length} ended by librdkafka#4438 ("${fatal[0]}"), ${p.acked.size} acknowledged; starting producer ${this.sessions.length + 1}`)
    this.sessions.push(new ChaosProducer(this.bootstrap, this.sessions.length * SESSION_SPAN))
    return true
  }

  kill(): void {
    for (const p of this.sessions) p.kill()
  }
}

/** The record batch headers of a partition replica's `.log` segments, in offset order. */
function replicaBatches(cluster: ClusterHandle, nodeId: number, partition: number): RecordBatchHeader[] {
  const bytes = replicaBytes(cluster, nodeId, partition)
  return [...batchHeaders(bytes)]
}

/** The batch holding `offset`, undefined when none does. */
function batchAt(batches: RecordBatchHeader[], offset: number): RecordBatchHeader | undefined {
  let lo = 0
  let hi = batches.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const b = batches[mid]
    if (offset < b.baseOffset) hi = mid - 1
    else if (offset > b.baseOffset + b.lastOffsetDelta) lo = mid + 1
    else return b
  }
  return undefined
}

async function topicPartitions(cluster: ClusterHandle): Promise<PartitionMetadata[] | null> {
  for (const n of cluster.nodes) {
    if (!n.process.running) continue
    try {
      const t = (await brokerMetadata(n.brokerPort)).topics.get(TOPIC)
      if (t && t.partitions.length === PARTITIONS) return [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex)
    } catch {
      // down or paused: ask the next one
    }
  }
  return null
}

/** The bytes of every `.log` segment of a partition replica, in offset order. */
function replicaBytes(cluster: ClusterHandle, nodeId: number, partition: number): Buffer {
  const dir = path.join(cluster.node(nodeId).logDir, `${TOPIC}-${partition}`)
  const files = fs.readdirSync(dir).filter(f => f.endsWith('.log')).sort()
  return Buffer.concat(files.map(f => fs.readFileSync(path.join(dir, f))))
}

describe('Replication chaos: RF=3, min.insync.replicas=2, leaders SIGKILLed, followers SIGSTOPped (real processes)', function () {
  this.timeout(CHAOS_MS + 150_000)
  let cluster: ClusterHandle | undefined
  let producers: ChaosProducers | undefined
  let libVersion = 0
  const schedule: string[] = []

  before(async function () {
    if (!await pythonHasModule('confluent_kafka')) this.skip()
    const v = await runProcess(PYTHON, [pyScript('chaos_client.py'), 'libversion'], {timeoutMs: 15_000})
    libVersion = Number(v.stdout.trim())
    assert.ok(v.code === 0 && Number.isInteger(libVersion), `librdkafka version: ${v.stdout} ${v.stderr}`)
    cluster = await startCluster({controllers: 3, overrides: {'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500}})
  })
  after(async () => {
    producers?.kill()
    await cluster?.close()
  })
  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || !cluster) return
    const file = path.join(os.tmpdir(), `kts-chaos-${SEED}-${Date.now()}.log`)
    fs.writeFileSync(file, `seed ${SEED}\n--- fault schedule ---\n${schedule.join('\n')}\n${(producers?.sessions ?? []).map((p, i) => `--- producer ${i + 1} stderr ---\n${p.stderr}`).join('\n')}\n--- nodes ---\n${cluster.output()}`)
    console.log(`      chaos seed ${SEED} (replay: KTS_CHAOS_SEED=${SEED}); fault schedule:\n${schedule.join('\n')}\n      node logs: ${file}\n${cluster.output().slice(-15_000)}`)
  })

  it('loses no acknowledged record and duplicates none', async () => {
    const c = cluster!
    const rand = prng(SEED)
    const t0 = Date.now()
    const note = (s: string): void => {
      schedule.push(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${s}`)
    }
    console.log(`      chaos seed ${SEED}, ${CHAOS_MS / 1000} s of faults`)
    assert.equal((await createTopics(c.node(1).brokerPort, [{name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configs: {'min.insync.replicas': '2'}}])).get(TOPIC), 0)
    await waitFor(async () => (await topicPartitions(c))?.every(p => p.leaderId >= 0 && p.isrNodes.length === 3), {timeoutMs: 15_000, message: 'leaders and full ISRs'})

    const ps = new ChaosProducers(c.bootstrap, libVersion)
    producers = ps
    // Waits for `atLeast` acknowledged records in all, or for the producer to exit for good.
    const progress = (atLeast: number, what: string): Promise<unknown> => waitFor(() => ps.ackedCount >= atLeast || !ps.keepAlive(note), {
      timeoutMs: 40_000, intervalMs: 100, message: () => `${what}: ${atLeast} acknowledged records (have ${ps.ackedCount}; producer stderr: ${ps.current.stderr.slice(-2000)})`,
    })
    await progress(500, 'the producer to start')
    note(`producer running, ${ps.ackedCount} acknowledged`)

    let kills = 0
    let pauses = 0
    const end = Date.now() + CHAOS_MS
    while (Date.now() < end && ps.keepAlive(note)) {
      const partition = Math.floor(rand() * PARTITIONS)
      const downMs = 300 + Math.floor(rand() * 2500)
      const pauseOther = rand() < 0.5
      const pauseDelayMs = Math.floor(rand() * 1500)
      const pauseMs = 1000 + Math.floor(rand() * 5000)
      const otherPick = rand()
      const parts = await waitFor(async () => {
        const ps = await topicPartitions(c)
        return ps && ps[partition].leaderId >= 0 ? ps : null
      }, {timeoutMs: 30_000, message: `a leader of ${TOPIC}-${partition}`})
      const leader = parts[partition].leaderId
      note(`SIGKILL node ${leader}, leader of ${TOPIC}-${partition} (leaders ${parts.map(x => x.leaderId).join(',')}, ISRs ${parts.map(x => `[${x.isrNodes.join(',')}]`).join(' ')}); back in ${downMs} ms`)
      await c.kill(leader)
      kills++
      let paused: Promise<void> = Promise.resolve()
      if (pauseOther) {
        const others = c.nodes.filter(n => n.id !== leader)
        const victim = others[Math.floor(otherPick * others.length)].id
        pauses++
        paused = (async () => {
          await pause(pauseDelayMs)
          note(`SIGSTOP node ${victim} for ${pauseMs} ms`)
          await c.pause(victim)
          await pause(pauseMs)
          await c.resume(victim)
          note(`SIGCONT node ${victim}`)
        })()
      }
      await pause(downMs)
      note(`restart node ${leader}`)
      await c.start(leader, false)
      await paused
      await c.node(leader).process.waitReady(60_000)
      note(`node ${leader} up, ${ps.ackedCount} acknowledged`)
      await progress(ps.ackedCount + 300, `progress after the fault on node ${leader}`)
    }
    const alive = ps.keepAlive(note)
    note(`faults over: ${kills} kills, ${pauses} pauses${alive ? '' : `; the producer exited early (${ps.current.exitCode})`}`)

    // Quiesce: every replica back in sync, then the producer drains.
    await waitFor(async () => (await topicPartitions(c))?.every(x => x.leaderId >= 0 && x.isrNodes.length === 3), {timeoutMs: 60_000, message: 'full ISRs after the faults'})
    const p = ps.current
    const code = await p.stop(90_000)
    const acked = ps.acked()
    note(`producer stopped (exit ${code}): ${JSON.stringify(p.done)}, ${acked.size} acknowledged, ${p.failed.length} failed`)

    // The leaders' high watermarks cover every acknowledged offset.
    const needed = new Array<number>(PARTITIONS).fill(0)
    for (const a of acked.values()) needed[a.partition] = Math.max(needed[a.partition], a.offset + 1)
    const hws = new Array<number>(PARTITIONS).fill(-1)
    const covered = await waitFor(async () => {
      const parts = await topicPartitions(c)
      if (!parts) return null
      for (const x of parts) hws[x.partitionIndex] = (await latestOffsets(c.node(x.leaderId).brokerPort, TOPIC, [x.partitionIndex])).get(x.partitionIndex) ?? -1
      return hws.every((hw, i) => hw >= needed[i])
    }, {timeoutMs: 30_000}).catch(() => false)
    // Below an acknowledged offset means records were lost: read what there is and report them.
    if (!covered) note(`high watermarks ${hws.join(',')} below the acknowledged ends ${needed.join(',')}`)
    const final = await waitFor(() => topicPartitions(c), {timeoutMs: 10_000, message: 'final metadata'})

    // Read everything back: where each value is, in offset order.
    const read = await runProcess(PYTHON, [pyScript('chaos_client.py'), 'consume', c.bootstrap, TOPIC, String(PARTITIONS)], {timeoutMs: 90_000})
    assert.equal(read.code, 0, `consumer: ${read.stderr.slice(-3000)}`)
    const at = new Map<number, Ack[]>()
    const readOrder: Array<{seq: number} & Ack> = []
    for (const line of read.stdout.split('\n')) {
      const f = line.split(' ')
      if (f[0] !== 'R') continue
      const r = {partition: Number(f[1]), offset: Number(f[2]), seq: Number(f[3])}
      readOrder.push(r)
      const list = at.get(r.seq)
      if (list) list.push(r)
      else at.set(r.seq, [r])
    }
    // A later copy is a client resend after an epoch bump (librdkafka#4953) when its batch has the
    // same producer id and a higher producer epoch than the copy before it; any other is a duplicate.
    const batches = new Map<number, RecordBatchHeader[]>()
    const batchOf = (a: Ack): RecordBatchHeader | undefined => {
      let list = batches.get(a.partition)
      if (!list) batches.set(a.partition, (list = replicaBatches(c, final[a.partition].leaderId, a.partition)))
      return batchAt(list, a.offset)
    }
    const resent = new Set<string>()
    const dupSamples: string[] = []
    let duplicates = 0
    for (const [seq, list] of at) {
      for (let k = 1; k < list.length; k++) {
        const before = batchOf(list[k - 1])
        const after = batchOf(list[k])
        if (list[k].partition === list[k - 1].partition && before && after && before.producerId === after.producerId && after.producerEpoch > before.producerEpoch) {
          resent.add(`${list[k].partition}/${list[k].offset}`)
          continue
        }
        duplicates++
        if (dupSamples.length < 5) {
          dupSamples.push(`${seq} at ${list[k - 1].partition}/${list[k - 1].offset} (producer ${before?.producerId} epoch ${before?.producerEpoch}) and ` +
            `${list[k].partition}/${list[k].offset} (producer ${after?.producerId} epoch ${after?.producerEpoch})`)
        }
      }
    }
    // Send order per partition within each producer session (resent copies aside).
    const orderErrors: string[] = []
    const lastSeq = new Map<string, number>()
    for (const r of readOrder) {
      if (resent.has(`${r.partition}/${r.offset}`)) continue
      const key = `${r.partition}/${Math.floor(r.seq / SESSION_SPAN)}`
      const last = lastSeq.get(key) ?? -1
      if (r.seq <= last && orderErrors.length < 5) orderErrors.push(`partition ${r.partition}: ${r.seq} at offset ${r.offset} after ${last}`)
      lastSeq.set(key, Math.max(last, r.seq))
    }
    const lost: string[] = []
    const moved: string[] = []
    for (const [seq, a] of acked) {
      const list = at.get(seq)
      if (!list) lost.push(`${seq} (acked at ${a.partition}/${a.offset})`)
      else if (!list.some(r => r.partition === a.partition && (a.offset < 0 || r.offset === a.offset))) {
        moved.push(`${seq} acked at ${a.partition}/${a.offset}, read at ${list.map(r => `${r.partition}/${r.offset}`).join(' and ')}`)
      }
    }
    const elections = final.reduce((n, x) => n + x.leaderEpoch, 0)
    const noOffset = [...acked.values()].filter(a => a.offset < 0).length
    console.log(`      acked=${acked.size} (${noOffset} without offset) read=${readOrder.length} lost=${lost.length} duplicates=${duplicates} ` +
      `kills=${kills} pauses=${pauses} elections=${elections} (seed ${SEED}); librdkafka 0x${libVersion.toString(16)}: ` +
      `${ps.restarts} producer restarts (#4438), ${resent.size} records resent under a new epoch (#4953)`)
    assert.deepEqual(lost.slice(0, 10), [], `${lost.length} acknowledged records lost`)
    assert.deepEqual(moved.slice(0, 10), [], `${moved.length} records not at the offset of their delivery report`)
    assert.deepEqual(dupSamples, [], `${duplicates} duplicates`)
    assert.deepEqual(orderErrors, [], 'per-partition order')
    // Any other fatal idempotence error (OUT_OF_ORDER_SEQUENCE_NUMBER: the broker lost what it had taken) ends the producer early.
    assert.equal(code, 0, `producer exit code; stderr: ${p.stderr.slice(-3000)}`)
    assert.ok(p.done, 'producer summary line')
    if (p.done.undelivered > 0 && KNOWN_CLIENT_STUCK.test(p.stderr)) {
      console.log(`      ${p.done.undelivered} records undelivered at the end: a partition left on a non-leader by librdkafka#4976`)
    } else {
      assert.equal(p.done.undelivered, 0, 'records left undelivered at the end')
    }
    assert.deepEqual(p.failed.slice(0, 5), [], `${p.failed.length} deliveries failed`)
    assert.ok(kills >= 3, `only ${kills} kills`)

    // Every replica holds the same batches at the same offsets with the same leader epochs.
    await waitFor(() => {
      for (let x = 0; x < PARTITIONS; x++) {
        const leader = replicaBytes(c, final[x].leaderId, x)
        for (const n of c.nodes) if (!replicaBytes(c, n.id, x).equals(leader)) return false
      }
      return true
    }, {timeoutMs: 20_000, message: 'byte-identical replica logs'})
  })
})
