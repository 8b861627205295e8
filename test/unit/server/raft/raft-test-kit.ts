/**
 * Helpers for unit tests of the Raft core: nodes on in-memory stores, direct requests to one core,
 * and a tiny synchronous network that delivers every message (optionally dropping some links).
 */
import {KafkaRaftClient, type CommittedBatch, type LeaderAndEpoch} from '../../../../src/server/raft/kafka-raft-client.js'
import {DEFAULT_RAFT_CONFIG, type RaftConfig} from '../../../../src/server/raft/raft-config.js'
import type {InboundRequest, OutboundMessage, OutboundResponse, RaftRequestBody, RaftResponseBody} from '../../../../src/server/raft/raft-messages.js'
import type {SnapshotId} from '../../../../src/server/raft/replicated-log.js'
import {MemoryLog, MemoryQuorumStateStore, MemorySnapshotStore} from './sim/memory-log.js'
import {prng} from './sim/raft-sim.js'

export const serde = {
  encode: (s: string): Buffer => Buffer.from(s, 'utf8'),
  decode: (b: Buffer): string => b.toString('utf8'),
}

type ResponseOf = {[B in RaftResponseBody as B['apiKey']]: B['data']}

export class TestNode {
  readonly log = new MemoryLog()
  readonly qs = new MemoryQuorumStateStore()
  readonly snaps = new MemorySnapshotStore()
  core!: KafkaRaftClient<string>
  committed: {offset: number, value: string}[] = []
  snapshotsLoaded: SnapshotId[] = []
  leaderChanges: LeaderAndEpoch[] = []
  batches: CommittedBatch<string>[] = []
  /** What the core logged. */
  logs: string[] = []
  private nextRequestId = 1

  constructor(readonly id: number, readonly voters: number[], readonly config: RaftConfig = DEFAULT_RAFT_CONFIG, readonly opts: {maxRetentionBytes?: number, clusterId?: string} = {}) {
    this.restart(false)
  }

  /** A new core on the same stores (a restart); `initialize` unless told otherwise. */
  restart(init = true, now = 0): this {
    this.core = new KafkaRaftClient<string>({
      nodeId: this.id, clusterId: this.opts.clusterId ?? 'test-cluster', voters: this.voters, log: this.log, quorumStateStore: this.qs,
      snapshotStore: this.snaps, serde, config: this.config, random: prng(this.id * 7919), maxRetentionBytes: this.opts.maxRetentionBytes,
      logger: {debug: m => this.logs.push(m), info: m => this.logs.push(m), warn: m => this.logs.push(m), error: (m, err) => { throw err ?? new Error(m) }},
    })
    this.committed = []
    this.core.register({
      handleLoadSnapshot: ({id, records}) => {
        this.snapshotsLoaded.push(id)
        this.committed = records.map(r => ({offset: Number(r.split(':')[0]), value: r.split(':')[1]}))
      },
      handleCommit: (b) => {
        this.batches.push(b)
        b.records.forEach((value, i) => this.committed.push({offset: b.baseOffset + i, value}))
      },
      handleLeaderChange: (l) => { this.leaderChanges.push(l) },
    })
    if (init) this.core.initialize(now)
    return this
  }

  /** Sends one request straight to this core and returns its immediate response (null when parked). */
  request<K extends keyof ResponseOf>(body: Extract<RaftRequestBody, {apiKey: K}>, now: number, apiVersion = 17): ResponseOf[K] | null {
    const requestId = this.nextRequestId++
    this.core.handleRequest({...body, requestId, apiVersion} as InboundRequest, now)
    const out = this.core.takeOutbound()
    const res = out.find((m): m is OutboundResponse => m.kind === 'response' && m.requestId === requestId)
    this.unsent.push(...out.filter(m => m !== res))
    return res ? res.data as unknown as ResponseOf[K] : null
  }

  /** Messages the core produced that a test did not consume. */
  unsent: OutboundMessage[] = []
}

/**
 * Nodes wired by a synchronous network: `run(ms)` advances time in 1 ms steps, polling every core
 * and delivering every message within the same step. `cut` links drop messages both ways.
 */
export class TestCluster {
  readonly nodes = new Map<number, TestNode>()
  now = 0
  private readonly cut = new Set<string>()
  readonly down = new Set<number>()
  private readonly pending = new Map<number, Map<number, {from: number, correlationId: number}>>()
  private nextRequestId = 1

  constructor(voters: number[], observers: number[] = [], config: RaftConfig = DEFAULT_RAFT_CONFIG, opts: {maxRetentionBytes?: number} = {}) {
    for (const id of [...voters, ...observers]) {
      const n = new TestNode(id, voters, config, opts)
      n.core.initialize(0)
      this.nodes.set(id, n)
      this.pending.set(id, new Map())
    }
  }

  node(id: number): TestNode {
    return this.nodes.get(id)!
  }

  isolate(id: number): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut.add(`${Math.min(id, other)}-${Math.max(id, other)}`)
  }

  heal(): void {
    this.cut.clear()
  }

  private linked(a: number, b: number): boolean {
    return !this.down.has(a) && !this.down.has(b) && !this.cut.has(`${Math.min(a, b)}-${Math.max(a, b)}`)
  }

  leader(): TestNode | undefined {
    return [...this.nodes.values()].find(n => !this.down.has(n.id) && n.core.isLeader())
  }

  /** Runs until `until()` holds or `maxMs` passed. @returns whether `until` held */
  run(maxMs: number, until: () => boolean = () => false): boolean {
    const end = this.now + maxMs
    while (this.now < end) {
      this.step()
      if (until()) return true
      this.now++
    }
    return until()
  }

  private step(): void {
    for (let round = 0; round < 50; round++) {
      let moved = false
      for (const n of this.nodes.values()) {
        if (this.down.has(n.id)) continue
        n.core.poll(this.now)
        for (const m of [...n.unsent.splice(0), ...n.core.takeOutbound()]) {
          moved = true
          this.route(n.id, m)
        }
      }
      if (!moved) return
    }
  }

  private route(from: number, m: OutboundMessage): void {
    if (m.kind === 'request') {
      if (!this.linked(from, m.destination)) return
      const to = this.node(m.destination)
      const requestId = this.nextRequestId++
      this.pending.get(to.id)!.set(requestId, {from, correlationId: m.correlationId})
      to.core.handleRequest({apiKey: m.apiKey, data: m.data, requestId, apiVersion: 17} as InboundRequest, this.now)
    } else {
      const r = this.pending.get(from)!.get(m.requestId)
      if (!r) return
      this.pending.get(from)!.delete(m.requestId)
      if (!this.linked(from, r.from)) return
      this.node(r.from).core.handleResponse({...m, source: from, correlationId: r.correlationId} as never, this.now)
    }
  }
}
