/**
 * A seeded, deterministic simulation of a KRaft quorum (model: Kafka's `RaftEventSimulationTest`):
 * KafkaRaftClient cores on in-memory logs, a network that loses, delays, duplicates and reorders
 * messages and partitions nodes, crashes (losing unflushed log writes) and restarts, graceful
 * shutdowns, client appends and snapshots with log trimming. Half of the seeds run a dynamic
 * quorum (KIP-853): the first voters come from bootstrap snapshots (one voter, as `--standalone`,
 * or all of them, as `--initial-controllers`), the other nodes find the leader through bootstrap
 * servers, and an operator adds and removes voters (AddRaftVoter / RemoveRaftVoter to the leader)
 * while the faults happen; some voters start with stale endpoints and send UpdateRaftVoter.
 *
 * Checked after every event:
 * - at most one leader per epoch;
 * - committed entries never change: every batch below a node's high watermark is identical on
 *   every node, every delivered record matches every other node's record at that offset, and
 *   deliveries come in offset order;
 * - a node's high watermark never goes back unless it restarted;
 * - a new leader's log (and snapshot) holds every committed entry;
 * - the voter sets of a log change by at most one voter at a time, each once the previous one is
 *   committed, and a leader not in the committed voter set resigns.
 * Liveness: after the faults stop and everything heals, a leader is elected and a new record is
 * committed and delivered on every node within `livenessBoundMs`; then every node's delivered
 * state equals the committed log.
 */
import {ErrorCode} from '../../../../../src/protocol/errors.js'
import {KafkaRaftClient} from '../../../../../src/server/raft/kafka-raft-client.js'
import {DEFAULT_RAFT_CONFIG} from '../../../../../src/server/raft/raft-config.js'
import {ApiKey, type InboundResponse, type OutboundMessage, type OutboundRequest} from '../../../../../src/server/raft/raft-messages.js'
import {decodeSnapshot, encodeSnapshot} from '../../../../../src/server/raft/snapshot-file.js'
import {SUPPORTED_KRAFT_VERSION, type VoterNode} from '../../../../../src/server/raft/voter-set.js'
import {uuidToString} from '../../../../../src/protocol/primitives/uuid-text.js'
import {MemoryLog, MemoryQuorumStateStore, MemorySnapshotStore} from './memory-log.js'

export interface SimOptions {
  seed: number
  /** Faults and client appends run this long (simulated ms). */
  faultPhaseMs?: number
  /** After healing, a record must commit everywhere within this time. */
  livenessBoundMs?: number
  /** Keep the last events for the failure message. */
  trace?: boolean
}

export interface SimResult {
  dynamic: boolean
  voters: number
  observers: number
  events: number
  committedRecords: number
  elections: number
  crashes: number
  snapshotsInstalled: number
  simulatedMs: number
  /** From healing to a record committed and delivered everywhere. */
  recoveryMs: number
  counts: Record<string, number>
}

export class SimulationFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SimulationFailure'
  }
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const stringSerde = {
  encode: (s: string): Buffer => Buffer.from(s, 'utf8'),
  decode: (b: Buffer): string => b.toString('utf8'),
}

interface Event {
  time: number
  seq: number
  run: () => void
}

/** A binary min-heap of events by (time, seq): a deterministic order. */
class EventQueue {
  private heap: Event[] = []
  private seq = 0

  get size(): number {
    return this.heap.length
  }

  push(time: number, run: () => void): void {
    const h = this.heap
    h.push({time, seq: this.seq++, run})
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (this.less(h[p], h[i])) break
      ;[h[p], h[i]] = [h[i], h[p]]
      i = p
    }
  }

  pop(): Event | undefined {
    const h = this.heap
    if (h.length === 0) return undefined
    const top = h[0]
    const last = h.pop()!
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && this.less(h[l], h[m])) m = l
        if (r < h.length && this.less(h[r], h[m])) m = r
        if (m === i) break
        ;[h[m], h[i]] = [h[i], h[m]]
        i = m
      }
    }
    return top
  }

  private less(a: Event, b: Event): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq)
  }
}

/** `from` of a request the operator hands to a node directly. */
const OPERATOR = -1
/** Events kept for a failure message (KTS_RAFT_SIM_TRACE lines, default 400). */
const TRACE_LINES = Number(process.env.KTS_RAFT_SIM_TRACE ?? 400)

class SimNode {
  readonly log = new MemoryLog()
  readonly quorumStateStore = new MemoryQuorumStateStore()
  readonly snapshotStore = new MemorySnapshotStore()
  core: KafkaRaftClient<string> | null = null
  incarnation = 0
  wakeGen = 0
  stopping = false
  /** Requests this node answers: who asked (-1: the operator), and as which destination id it was asked (a bootstrap id is negative). */
  readonly pendingRequests = new Map<number, {from: number, fromIncarnation: number, correlationId: number, asked: number}>()
  nextRequestId = 1
  /** Delivered records as `offset:value`, the listener's state. */
  entries: string[] = []
  lastDeliveredOffset = -1
  lastHw = 0
  checkedTo = 0
  leaderEpochChecked = -1
  /** Epoch in which the listener was told this node leads, -1 otherwise. */
  activeEpoch = -1
  /** Marker records delivered. */
  markers = new Set<string>()

  constructor(readonly id: number, readonly voter: boolean, readonly maxRetentionBytes: number, readonly random: () => number) {}

  /** Its metadata log directory id (dynamic quorum). */
  get directoryId(): string {
    const b = Buffer.alloc(16)
    b.writeUInt32BE(0x4b545300 + this.id, 0)
    b.writeUInt32BE(this.id, 12)
    return uuidToString(b)
  }

  get endpoint(): {name: string, host: string, port: number} {
    return {name: 'CONTROLLER', host: `node${this.id}`, port: 9093}
  }
}

export function runSimulation(opts: SimOptions): SimResult {
  return new Simulation(opts).run()
}

class Simulation {
  private now = 0
  private readonly queue = new EventQueue()
  private readonly rng: () => number
  private readonly nodes: SimNode[] = []
  private readonly voterIds: number[] = []
  private readonly faultPhaseMs: number
  private readonly livenessBoundMs: number
  // network
  private dropP: number
  private dupP: number
  private maxDelay: number
  private readonly failNotifyP: number
  private group: Map<number, number> | null = null
  // global knowledge
  private readonly committedData = new Map<number, string>()
  private readonly committedBatches = new Map<number, {lastOffset: number, epoch: number, crc: number}>()
  private readonly leaders = new Map<number, number>()
  private values = 0
  private events = 0
  private crashes = 0
  private snapshotsInstalled = 0
  private readonly trace: string[] | null
  private faultsOn = true
  /**
   * Dynamic quorum: the voters of the bootstrap snapshots, else null. The controllers (`voterIds`,
   * the nodes that may become voters) are the bootstrap servers; the other nodes are brokers.
   */
  private readonly initialVoters: number[] | null
  private readonly staleEndpoints = new Set<number>()
  private readonly seenVoterSets = new Set<string>()
  /** The highest high watermark any node had. */
  private maxHw = 0

  constructor(private readonly opts: SimOptions) {
    this.rng = prng(opts.seed)
    const voters = this.rng() < 0.5 ? 3 : 5
    const observers = 1 + Math.floor(this.rng() * 2)
    this.faultPhaseMs = opts.faultPhaseMs ?? 12_000
    this.livenessBoundMs = opts.livenessBoundMs ?? 10_000
    this.dropP = this.rng() * 0.1
    this.dupP = this.rng() * 0.05
    this.maxDelay = 2 + Math.floor(this.rng() * 40)
    this.failNotifyP = this.rng()
    this.trace = opts.trace ? [] : null
    for (let i = 0; i < voters + observers; i++) {
      const id = i + 1
      const retention = [0, 4096, Infinity][Math.floor(this.rng() * 3)]
      this.nodes.push(new SimNode(id, i < voters, retention, prng(Math.floor(this.rng() * 2 ** 32))))
      if (i < voters) this.voterIds.push(id)
    }
    if (this.rng() < 0.5) {
      this.initialVoters = this.rng() < 0.3 ? [1] : [...this.voterIds]
      for (const id of this.initialVoters) if (this.rng() < 0.2) this.staleEndpoints.add(id)
      const voterNodes: VoterNode[] = this.initialVoters.map(id => {
        const n = this.node(id)
        const e = this.staleEndpoints.has(id) ? {...n.endpoint, port: 1} : n.endpoint
        return {id, directoryId: n.directoryId, endpoints: [e], kraftVersion: {...SUPPORTED_KRAFT_VERSION}}
      })
      const bootstrap = encodeSnapshot({endOffset: 0, epoch: 0}, [], 0, 0, voterNodes)
      for (const id of this.initialVoters) this.node(id).snapshotStore.write({endOffset: 0, epoch: 0}, bootstrap)
    } else this.initialVoters = null
  }

  private node(id: number): SimNode {
    return this.nodes[id - 1]
  }

  private note(msg: string): void {
    if (!this.trace) return
    this.trace.push(`${this.now} ${msg}`)
    if (this.trace.length > TRACE_LINES) this.trace.splice(0, TRACE_LINES / 4)
  }

  private fail(msg: string): never {
    const state = this.nodes.map(n => n.core
      ? `  node ${n.id}${n.voter ? '' : ' (observer)'}: ${n.core.quorum.role} epoch ${n.core.quorum.epoch} leader ${n.core.quorum.leaderId} voted ${n.core.quorum.votedId} ` +
        `log [${n.log.startOffset()}, ${n.log.endOffset()}) hw ${n.core.highWatermark()}`
      : `  node ${n.id}: down`).join('\n')
    const trace = this.trace ? `\nlast events:\n${this.trace.join('\n')}` : ''
    throw new SimulationFailure(`seed ${this.opts.seed} at ${this.now} ms: ${msg}\n${state}${trace}`)
  }

  run(): SimResult {
    for (const n of this.nodes) this.start(n)
    this.scheduleFaults()
    this.scheduleAppends()
    if (this.initialVoters) this.scheduleVoterChanges()
    const healAt = this.faultPhaseMs
    this.queue.push(healAt, () => this.heal())
    let done: string | null = null
    const markers: string[] = []
    const markerCheck = (): void => {
      // a marker record in every new epoch of a leader whose listener knows it leads
      for (const n of this.nodes) {
        const core = n.core
        if (!core?.isLeader() || n.stopping || n.activeEpoch !== core.leaderAndEpoch().epoch || this.markerEpochs.has(n.activeEpoch)) continue
        const value = `marker-${n.activeEpoch}`
        this.markerEpochs.add(n.activeEpoch)
        markers.push(value)
        this.note(`node ${n.id} appends ${value}`)
        core.scheduleAppend(n.activeEpoch, [value], this.now)
        this.afterEvent(n)
      }
      done = markers.find(m => this.nodes.every(n => n.markers.has(m))) ?? null
      if (done === null) this.queue.push(this.now + 20, markerCheck)
    }
    this.queue.push(healAt + 1, markerCheck)
    const deadline = healAt + this.livenessBoundMs
    while (done === null) {
      const ev = this.queue.pop()
      if (!ev) this.fail('the event queue ran dry')
      if (ev.time > deadline) this.fail(`liveness: no record committed on every node within ${this.livenessBoundMs} ms after healing`)
      this.now = ev.time
      ev.run()
      this.events++
      this.checkInvariants()
    }
    this.checkFinalState(done)
    return {
      dynamic: this.initialVoters !== null, voters: this.voterIds.length, observers: this.nodes.length - this.voterIds.length, events: this.events,
      committedRecords: this.committedData.size, elections: this.leaders.size, crashes: this.crashes,
      snapshotsInstalled: this.snapshotsInstalled, simulatedMs: this.now, recoveryMs: this.now - healAt, counts: {...this.counts, ...this.voterOps},
    }
  }

  private readonly markerEpochs = new Set<number>()
  /** Outcomes of the operator's AddRaftVoter / RemoveRaftVoter requests (`addVoter:<error code>`). */
  private readonly voterOps: Record<string, number> = {}
  /** How often the cores logged some notable events (coverage of the run). */
  readonly counts: Record<string, number> = {}

  private count(msg: string): void {
    for (const [k, re] of COVERAGE) if (re.test(msg)) this.counts[k] = (this.counts[k] ?? 0) + 1
  }

  // ---- nodes ----------------------------------------------------------------------------------

  private start(n: SimNode): void {
    n.incarnation++
    n.stopping = false
    n.entries = []
    n.markers = new Set()
    n.lastDeliveredOffset = -1
    n.lastHw = 0
    n.activeEpoch = -1
    n.leaderEpochChecked = -1
    n.checkedTo = n.log.startOffset()
    const dynamic = this.initialVoters !== null
    const core = new KafkaRaftClient<string>({
      nodeId: n.id, clusterId: 'sim', log: n.log,
      ...(dynamic
        ? {directoryId: n.directoryId, bootstrapServers: this.voterIds.length, listenerName: 'CONTROLLER', localEndpoints: [n.endpoint]}
        : {voters: this.voterIds}), quorumStateStore: n.quorumStateStore, snapshotStore: n.snapshotStore,
      serde: stringSerde, config: DEFAULT_RAFT_CONFIG, random: n.random, maxRetentionBytes: n.maxRetentionBytes,
      logger: {info: msg => { this.count(msg); this.note(`node ${n.id}: ${msg}`) }, warn: msg => this.note(`node ${n.id} WARN: ${msg}`), error: (msg, err) => { throw err ?? new Error(msg) }},
    })
    n.core = core
    core.register({
      handleLoadSnapshot: ({id, records}) => {
        let prev = -1
        for (const e of records) {
          const [o, v] = this.splitEntry(e)
          if (o <= prev || o >= id.endOffset) this.fail(`node ${n.id}: snapshot ${id.endOffset}-${id.epoch} holds offset ${o} out of order`)
          this.checkData(n, o, v)
          prev = o
        }
        n.entries = [...records]
        n.markers = new Set(records.map(e => this.splitEntry(e)[1]).filter(v => v.startsWith('marker-')))
        n.lastDeliveredOffset = id.endOffset - 1
        this.snapshotsInstalled++
        this.note(`node ${n.id} loads snapshot ${id.endOffset}-${id.epoch}`)
      },
      handleCommit: (batch) => {
        if (batch.baseOffset <= n.lastDeliveredOffset) this.fail(`node ${n.id}: batch at ${batch.baseOffset} delivered after offset ${n.lastDeliveredOffset}`)
        batch.records.forEach((v, i) => {
          const o = batch.baseOffset + i
          this.checkData(n, o, v)
          n.entries.push(`${o}:${v}`)
          if (v.startsWith('marker-')) n.markers.add(v)
        })
        n.lastDeliveredOffset = batch.lastOffset
        if (n.random() < 0.05 && core === n.core) {
          core.createSnapshot(batch.lastOffset + 1, batch.epoch, n.entries, this.now)
        }
      },
      handleLeaderChange: ({leaderId, epoch}) => {
        n.activeEpoch = leaderId === n.id ? epoch : -1
        this.note(`node ${n.id} listener: leader ${leaderId} epoch ${epoch}`)
      },
    })
    this.note(`node ${n.id} starts`)
    core.initialize(this.now)
    this.afterEvent(n)
  }

  private crash(n: SimNode): void {
    if (!n.core) return
    this.note(`node ${n.id} crashes`)
    n.core = null
    n.incarnation++
    n.wakeGen++
    n.pendingRequests.clear()
    n.log.crash(n.random)
    this.crashes++
  }

  private gracefulStop(n: SimNode): void {
    const core = n.core
    if (!core || n.stopping) return
    n.stopping = true
    this.note(`node ${n.id} shuts down`)
    core.beginShutdown(this.now, 3000)
    this.afterEvent(n)
    const incarnation = n.incarnation
    const check = (): void => {
      if (n.incarnation !== incarnation || !n.core) return
      if (n.core.isShutdownComplete(this.now)) {
        n.log.flush()
        this.crash(n)
        this.queue.push(this.now + 50 + Math.floor(this.rng() * 1000), () => this.start(n))
      } else this.queue.push(this.now + 10, check)
    }
    this.queue.push(this.now + 10, check)
  }

  /** Polls the node, sends what it produced and schedules its next wake-up. */
  private afterEvent(n: SimNode): void {
    const core = n.core
    if (!core) return
    const next = core.poll(this.now)
    for (const m of core.takeOutbound()) this.send(n, m)
    const gen = ++n.wakeGen
    if (Number.isFinite(next)) {
      this.queue.push(next, () => {
        if (n.wakeGen !== gen || !n.core) return
        this.afterEvent(n)
      })
    }
  }

  // ---- network --------------------------------------------------------------------------------

  private connected(a: number, b: number): boolean {
    if (!this.node(a).core || !this.node(b).core) return false
    return this.group === null || this.group.get(a) === this.group.get(b)
  }

  private delay(): number {
    return 1 + Math.floor(this.rng() * this.maxDelay)
  }

  private send(from: SimNode, m: OutboundMessage): void {
    if (m.kind === 'request') this.sendRequest(from, m)
    else {
      const r = from.pendingRequests.get(m.requestId)
      if (!r) return
      from.pendingRequests.delete(m.requestId)
      if (r.from === OPERATOR) return this.operatorResponse(m)
      const to = this.node(r.from)
      const fromIncarnation = from.incarnation
      this.transmit(from.id, to.id, () => {
        if (to.incarnation !== r.fromIncarnation || from.incarnation !== fromIncarnation || !to.core) return
        this.note(`${from.id} -> ${to.id} response ${m.apiKey}`)
        to.core.handleResponse({...m, source: r.asked, correlationId: r.correlationId} as InboundResponse, this.now)
        this.afterEvent(to)
      })
    }
  }

  /** Answers an operator's request sent straight to a node (no network). */
  private operatorResponse(m: Extract<OutboundMessage, {kind: 'response'}>): void {
    if (m.apiKey !== ApiKey.ADD_RAFT_VOTER && m.apiKey !== ApiKey.REMOVE_RAFT_VOTER) return
    const key = `${m.apiKey === ApiKey.ADD_RAFT_VOTER ? 'addVoter' : 'removeVoter'}:${m.data.errorCode}`
    this.voterOps[key] = (this.voterOps[key] ?? 0) + 1
    this.note(`operator: ${key} ${m.data.errorMessage ?? ''}`)
  }

  private sendRequest(from: SimNode, m: OutboundRequest): void {
    const to = this.node(m.destination >= 0 ? m.destination : this.voterIds[-m.destination - 2])
    const fromIncarnation = from.incarnation
    const toIncarnation = to.incarnation
    const failure = (): void => {
      // the sender sees a connection error (NETWORK_EXCEPTION) instead of a response
      if (this.rng() >= this.failNotifyP) return
      this.queue.push(this.now + this.delay(), () => {
        if (from.incarnation !== fromIncarnation || !from.core) return
        from.core.handleResponse({source: m.destination, correlationId: m.correlationId, apiKey: m.apiKey, error: ErrorCode.NETWORK_EXCEPTION}, this.now)
        this.afterEvent(from)
      })
    }
    if (m.apiKey === ApiKey.API_VERSIONS) {
      // answered by the node's network layer, not its Raft core: kraft.version 0-1
      this.transmit(from.id, to.id, () => {
        if (to.incarnation !== toIncarnation || !to.core) return
        this.transmit(to.id, from.id, () => {
          if (from.incarnation !== fromIncarnation || !from.core) return
          from.core.handleResponse({source: m.destination, correlationId: m.correlationId, apiKey: ApiKey.API_VERSIONS, data: {
            errorCode: 0, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [{name: 'kraft.version', minVersion: 0, maxVersion: 1}],
            finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false}}, this.now)
          this.afterEvent(from)
        })
      }, failure)
      return
    }
    this.transmit(from.id, to.id, () => {
      if (to.incarnation !== toIncarnation || from.incarnation !== fromIncarnation || !to.core) return
      const requestId = to.nextRequestId++
      to.pendingRequests.set(requestId, {from: from.id, fromIncarnation, correlationId: m.correlationId, asked: m.destination})
      this.note(`${from.id} -> ${to.id} request ${m.apiKey} ${JSON.stringify(summary(m))}`)
      const apiVersion = m.apiKey === ApiKey.FETCH ? 17 : m.apiKey === ApiKey.VOTE ? 2 : m.apiKey === ApiKey.UPDATE_RAFT_VOTER ? 0 : 1
      to.core.handleRequest({apiKey: m.apiKey, data: m.data, requestId, apiVersion} as Parameters<KafkaRaftClient<string>['handleRequest']>[0], this.now)
      this.afterEvent(to)
    }, failure)
  }

  /** Delivers `deliver` after a random delay unless the message is lost; may duplicate it. */
  private transmit(from: number, to: number, deliver: () => void, onLost?: () => void): void {
    if (!this.connected(from, to) || this.rng() < this.dropP) {
      onLost?.()
      return
    }
    const copies = this.rng() < this.dupP ? 2 : 1
    for (let i = 0; i < copies; i++) {
      this.queue.push(this.now + this.delay(), () => {
        if (this.connected(from, to)) deliver()
      })
    }
  }

  // ---- faults and load ------------------------------------------------------------------------

  private scheduleFaults(): void {
    const next = (): void => {
      if (!this.faultsOn) return
      const r = this.rng()
      // half of the faults hit the leader
      const leader = this.nodes.find(x => x.core?.isLeader())
      const n = leader && this.rng() < 0.5 ? leader : this.nodes[Math.floor(this.rng() * this.nodes.length)]
      if (r < 0.3) {
        if (n.core) {
          this.crash(n)
          this.queue.push(this.now + 50 + Math.floor(this.rng() * 2500), () => { if (!n.core) this.start(n) })
        }
      } else if (r < 0.4) {
        this.gracefulStop(n)
      } else if (r < 0.65) {
        // a random split, or one node cut off
        const g = new Map<number, number>()
        const isolate = this.rng() < 0.5 ? n.id : -1
        for (const x of this.nodes) g.set(x.id, isolate >= 0 ? (x.id === isolate ? 1 : 0) : (this.rng() < 0.5 ? 1 : 0))
        this.group = g
        this.note(`partition ${JSON.stringify([...g])}`)
        this.queue.push(this.now + 100 + Math.floor(this.rng() * (this.rng() < 0.3 ? 8000 : 2000)), () => {
          if (this.group === g) {
            this.group = null
            this.note('partition healed')
          }
        })
      } else if (r < 0.8) {
        this.dropP = this.rng() < 0.3 ? this.rng() * 0.5 : this.rng() * 0.05
        this.dupP = this.rng() * 0.1
        this.maxDelay = 2 + Math.floor(this.rng() * (this.rng() < 0.2 ? 400 : 60))
      }
      this.queue.push(this.now + 50 + Math.floor(this.rng() * 600), next)
    }
    this.queue.push(200 + Math.floor(this.rng() * 1000), next)
  }

  private scheduleAppends(): void {
    const next = (): void => {
      if (!this.faultsOn) return
      for (const n of this.nodes) {
        const core = n.core
        if (!core?.isLeader() || n.activeEpoch !== core.leaderAndEpoch().epoch || n.stopping || this.rng() < 0.3) continue
        const count = 1 + Math.floor(this.rng() * 3)
        const values = Array.from({length: count}, () => `v${++this.values}`)
        core.scheduleAppend(n.activeEpoch, values, this.now)
        if (this.rng() < 0.3) core.flushAppends()
        this.afterEvent(n)
      }
      this.queue.push(this.now + 10 + Math.floor(this.rng() * 150), next)
    }
    this.queue.push(50, next)
  }

  /**
   * The operator adds a node that is not a voter or removes a voter (the leader too), through
   * the leader, every few hundred ms while the faults happen.
   */
  private scheduleVoterChanges(): void {
    const next = (): void => {
      if (!this.faultsOn) return
      const leader = this.nodes.find(n => n.core?.isLeader() && !n.stopping)
      const core = leader?.core
      if (leader && core) {
        const voters = core.voters()
        const others = this.nodes.filter(n => n.voter && n.core && !voters.some(v => v.id === n.id))
        const add = voters.length < 5 && others.length > 0 && (voters.length <= 1 || this.rng() < 0.5)
        const requestId = leader.nextRequestId++
        leader.pendingRequests.set(requestId, {from: OPERATOR, fromIncarnation: 0, correlationId: 0, asked: leader.id})
        if (add) {
          const n = others[Math.floor(this.rng() * others.length)]
          this.note(`operator: add voter ${n.id} at leader ${leader.id}`)
          core.handleRequest({apiKey: ApiKey.ADD_RAFT_VOTER, requestId, apiVersion: 0, data: {
            clusterId: 'sim', timeoutMs: 2000, voterId: n.id, voterDirectoryId: n.directoryId, listeners: [n.endpoint]}}, this.now)
        } else if (voters.length > 1) {
          const v = voters[Math.floor(this.rng() * voters.length)]
          this.note(`operator: remove voter ${v.id} at leader ${leader.id}`)
          core.handleRequest({apiKey: ApiKey.REMOVE_RAFT_VOTER, requestId, apiVersion: 0, data: {clusterId: 'sim', voterId: v.id, voterDirectoryId: v.directoryId}}, this.now)
        }
        this.afterEvent(leader)
      }
      this.queue.push(this.now + 100 + Math.floor(this.rng() * 900), next)
    }
    this.queue.push(300, next)
  }

  private heal(): void {
    this.faultsOn = false
    this.group = null
    this.dropP = 0
    this.dupP = 0
    this.maxDelay = 10
    this.note('heal')
    for (const n of this.nodes) if (!n.core) this.start(n)
  }

  // ---- invariants -----------------------------------------------------------------------------

  private splitEntry(e: string): [number, string] {
    const i = e.indexOf(':')
    return [Number(e.slice(0, i)), e.slice(i + 1)]
  }

  private checkData(n: SimNode, offset: number, value: string): void {
    const known = this.committedData.get(offset)
    if (known === undefined) this.committedData.set(offset, value)
    else if (known !== value) this.fail(`node ${n.id} delivered ${value} at offset ${offset}, another node delivered ${known}`)
  }

  private checkInvariants(): void {
    for (const n of this.nodes) {
      const core = n.core
      if (!core) continue
      const hw = core.highWatermark()
      if (hw < n.lastHw) this.fail(`node ${n.id}: high watermark went back from ${n.lastHw} to ${hw}`)
      n.lastHw = hw
      this.maxHw = Math.max(this.maxHw, hw)
      this.checkCommittedBatches(n, hw)
      if (this.initialVoters) this.checkVoterChanges(n, core)
      if (core.isLeader()) {
        const epoch = core.leaderAndEpoch().epoch
        const other = this.leaders.get(epoch)
        if (other !== undefined && other !== n.id) this.fail(`two leaders in epoch ${epoch}: ${other} and ${n.id}`)
        this.leaders.set(epoch, n.id)
        if (n.leaderEpochChecked !== epoch) {
          n.leaderEpochChecked = epoch
          this.note(`node ${n.id} leads epoch ${epoch}`)
          this.checkLeaderHasCommitted(n)
        }
      }
    }
  }

  /**
   * Consecutive voter sets of a log differ by at most one voter, a leader appends a new set only
   * once the previous one is committed (one change at a time), and a leader not in the committed
   * voter set resigns.
   */
  private checkVoterChanges(n: SimNode, core: KafkaRaftClient<string>): void {
    const sets = core.voterHistory.entries()
    const latest = sets[sets.length - 1]
    if (core.isLeader() && latest && latest.offset < core.highWatermark() && !latest.voters.some(v => v.id === n.id)) {
      this.fail(`node ${n.id} still leads epoch ${core.leaderAndEpoch().epoch} though the committed voter set ${JSON.stringify(latest.voters.map(v => v.id))} does not hold it`)
    }
    for (let i = 1; i < sets.length; i++) {
      const key = `${sets[i].offset}:${sets[i].voters.map(v => `${v.id}@${v.endpoints[0]?.port}`).join(',')}`
      if (!this.seenVoterSets.has(key)) {
        this.seenVoterSets.add(key)
        if (sets[i - 1].offset >= this.maxHw) this.fail(`node ${n.id}: voter set appended at ${sets[i].offset} while the previous one at ${sets[i - 1].offset} is not committed (high watermark ${this.maxHw})`)
      }
      const a = new Set(sets[i - 1].voters.map(v => v.id))
      const b = new Set(sets[i].voters.map(v => v.id))
      const diff = [...a].filter(x => !b.has(x)).length + [...b].filter(x => !a.has(x)).length
      if (diff > 1) this.fail(`node ${n.id}: voter set at ${sets[i].offset} ${JSON.stringify([...b])} differs from the one at ${sets[i - 1].offset} ${JSON.stringify([...a])} by ${diff} voters`)
      if (b.size === 0) this.fail(`node ${n.id}: empty voter set at ${sets[i].offset}`)
    }
  }

  /** Batches newly below the node's high watermark must equal what other nodes committed there. */
  private checkCommittedBatches(n: SimNode, hw: number): void {
    if (n.checkedTo < n.log.startOffset()) n.checkedTo = n.log.startOffset()
    if (n.checkedTo >= hw) return
    for (const b of n.log.allBatches()) {
      if (b.lastOffset < n.checkedTo) continue
      if (b.lastOffset >= hw) break
      const id = {lastOffset: b.lastOffset, epoch: b.epoch, crc: b.bytes.readUInt32BE(17)}
      const known = this.committedBatches.get(b.baseOffset)
      if (!known) this.committedBatches.set(b.baseOffset, id)
      else if (known.lastOffset !== id.lastOffset || known.epoch !== id.epoch || known.crc !== id.crc) {
        this.fail(`node ${n.id}: committed batch at ${b.baseOffset} (epoch ${id.epoch}, last ${id.lastOffset}) differs from another node's (epoch ${known.epoch}, last ${known.lastOffset})`)
      }
      n.checkedTo = b.lastOffset + 1
    }
  }

  private checkLeaderHasCommitted(n: SimNode): void {
    const start = n.log.startOffset()
    for (const [base, c] of this.committedBatches) {
      if (c.lastOffset < start) continue
      const b = n.log.batchAt(base)
      if (!b || b.lastOffset !== c.lastOffset || b.epoch !== c.epoch || b.bytes.readUInt32BE(17) !== c.crc) {
        this.fail(`new leader ${n.id} lacks the committed batch at ${base} (epoch ${c.epoch})`)
      }
    }
    if (start > 0) {
      const snap = n.snapshotStore.list().find(s => s.endOffset === start)
      if (!snap) this.fail(`leader ${n.id}: no snapshot at its log start ${start}`)
      const held = new Map(decodeSnapshot(n.snapshotStore.read(snap, 0, n.snapshotStore.size(snap))).map(v => this.splitEntry(v.toString('utf8'))))
      for (const [o, v] of this.committedData) {
        if (o < start && held.get(o) !== v) this.fail(`leader ${n.id}: snapshot at ${start} lacks committed record ${o}:${v}`)
      }
    }
  }

  private checkFinalState(marker: string): void {
    const markerOffset = [...this.committedData].find(([, v]) => v === marker)![0]
    const expected = [...this.committedData].filter(([o]) => o <= markerOffset).sort((a, b) => a[0] - b[0]).map(([o, v]) => `${o}:${v}`)
    for (const n of this.nodes) {
      const got = n.entries.filter(e => this.splitEntry(e)[0] <= markerOffset)
      if (got.length !== expected.length || got.some((e, i) => e !== expected[i])) {
        const i = got.findIndex((e, j) => e !== expected[j])
        this.fail(`node ${n.id}: delivered state differs from the committed log (first difference at index ${i}: ${got[i]} vs ${expected[i]}; ${got.length} vs ${expected.length} records)`)
      }
    }
  }
}

const COVERAGE: [string, RegExp][] = [
  ['truncations', /^Truncating the log to/],
  ['snapshotDownloads', /^Installed snapshot/],
  ['resignations', /^Resigned as leader/],
  ['checkQuorumResignations', /^Did not receive Fetch from a majority/],
  ['lostElections', /^(Lost the election|Election in epoch \d+ timed out)/],
  ['logTrims', /^Log start offset moved/],
  ['voterUpdates', /^Updating voter/],
  ['removedLeaderResignations', /^Resigning in epoch \d+: this node is not in the committed voter set/],
]

function summary(m: OutboundRequest): unknown {
  switch (m.apiKey) {
    case ApiKey.VOTE: {
      const p = m.data.topics[0].partitions[0]
      return {epoch: p.candidateEpoch, pre: p.preVote, last: [p.lastOffsetEpoch, p.lastOffset]}
    }
    case ApiKey.FETCH: {
      const p = m.data.topics[0].partitions[0]
      return {epoch: p.currentLeaderEpoch, offset: p.fetchOffset, lastEpoch: p.lastFetchedEpoch}
    }
    case ApiKey.BEGIN_QUORUM_EPOCH: return {epoch: m.data.topics[0].partitions[0].leaderEpoch}
    case ApiKey.END_QUORUM_EPOCH: return {epoch: m.data.topics[0].partitions[0].leaderEpoch}
    case ApiKey.FETCH_SNAPSHOT: return {position: m.data.topics[0].partitions[0].position}
    default: return {}
  }
}
