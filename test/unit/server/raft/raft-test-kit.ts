/**
 * Helpers for unit tests of the Raft core: nodes on in-memory stores, direct requests to one core,
 * and a tiny synchronous network that delivers every message (optionally dropping some links).
 */
import {KafkaRaftClient, type CommittedBatch, type LeaderAndEpoch} from '../../../../src/server/raft/kafka-raft-client.js'
import {DEFAULT_RAFT_CONFIG, type RaftConfig} from '../../../../src/server/raft/raft-config.js'
import type {InboundRequest, OutboundMessage, OutboundResponse, RaftRequestBody, RaftResponseBody} from '../../../../src/server/raft/raft-messages.js'
import type {SnapshotId} from '../../../../src/server/raft/replicated-log.js'
import {encodeSnapshot} from '../../../../src/server/raft/snapshot-file.js'
import {SUPPORTED_KRAFT_VERSION, type VoterNode} from '../../../../src/server/raft/voter-set.js'
import {uuidToString} from '../../../../src/protocol/primitives/uuid-text.js'
import {MemoryLog, MemoryQuorumStateStore, MemorySnapshotStore} from './sim/memory-log.js'
import {prng} from './sim/raft-sim.js'

/** A node's metadata directory id in dynamic-quorum tests. */
export function dirId(id: number): string {
  const b = Buffer.alloc(16, 7)
  b.writeUInt32BE(id, 12)
  return uuidToString(b)
}

/** Node `id` as a voter of a dynamic quorum, at `node<id>:9093` (or `port`). */
export function voterNode(id: number, port = 9093): VoterNode {
  return {id, directoryId: dirId(id), endpoints: [{name: 'CONTROLLER', host: `node${id}`, port}], kraftVersion: {...SUPPORTED_KRAFT_VERSION}}
}

/** Requests a test sends to a core directly have ids from here (the cluster's own start at 1). */
const DIRECT_REQUEST_IDS = 1_000_000

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
  private nextRequestId = DIRECT_REQUEST_IDS

  /** Responses to direct requests that came after `request` returned (AddRaftVoter, RemoveRaftVoter), by request id. */
  readonly lateResponses = new Map<number, RaftResponseBody['data']>()
  lastRequestId = 0

  /**
   * `voters`: static voter ids; with `opts.dynamic` a dynamic quorum (KIP-853) whose bootstrap
   * servers are `opts.dynamic.bootstrap` and whose bootstrap snapshot, if `opts.dynamic.initial`,
   * holds those voters.
   */
  constructor(readonly id: number, readonly voters: number[], readonly config: RaftConfig = DEFAULT_RAFT_CONFIG,
    readonly opts: {maxRetentionBytes?: number, clusterId?: string, dynamic?: {bootstrap: number[], initial?: VoterNode[]}} = {}) {
    const initial = opts.dynamic?.initial
    if (initial) this.snaps.write({endOffset: 0, epoch: 0}, encodeSnapshot({endOffset: 0, epoch: 0}, [], 0, 0, initial))
    this.restart(false)
  }

  /** A new core on the same stores (a restart); `initialize` unless told otherwise. */
  restart(init = true, now = 0): this {
    const dynamic = this.opts.dynamic
    this.core = new KafkaRaftClient<string>({
      nodeId: this.id, clusterId: this.opts.clusterId ?? 'test-cluster', log: this.log, quorumStateStore: this.qs,
      ...(dynamic
        ? {directoryId: dirId(this.id), bootstrapServers: dynamic.bootstrap.length, listenerName: 'CONTROLLER', localEndpoints: voterNode(this.id).endpoints}
        : {voters: this.voters}),
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
    this.lastRequestId = requestId
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
  private readonly pending = new Map<number, Map<number, {from: number, correlationId: number, asked: number}>>()
  private nextRequestId = 1

  /** Dynamic quorum: the bootstrap servers are these node ids (-2, -3, ... in order). */
  private bootstrap: number[] = []

  constructor(voters: number[], observers: number[] = [], config: RaftConfig = DEFAULT_RAFT_CONFIG, opts: {maxRetentionBytes?: number} = {}) {
    for (const id of [...voters, ...observers]) this.add(new TestNode(id, voters, config, opts))
  }

  /**
   * A dynamic quorum (KIP-853): `initialVoters` have the bootstrap snapshot (as formatted with
   * `--standalone` / `--initial-controllers`), `others` none (`--no-initial-controllers`); every
   * node is a bootstrap server.
   */
  static dynamic(initialVoters: VoterNode[], others: number[], config: RaftConfig = DEFAULT_RAFT_CONFIG): TestCluster {
    const c = new TestCluster([], [], config)
    const ids = [...initialVoters.map(v => v.id), ...others]
    c.bootstrap = ids
    for (const id of ids) c.add(new TestNode(id, [], config, {dynamic: {bootstrap: ids, initial: initialVoters.some(v => v.id === id) ? initialVoters : undefined}}))
    return c
  }

  private add(n: TestNode): void {
    n.core.initialize(this.now)
    this.nodes.set(n.id, n)
    this.pending.set(n.id, new Map())
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
      const toId = m.destination >= 0 ? m.destination : this.bootstrap[-m.destination - 2]
      if (!this.linked(from, toId)) return
      const to = this.node(toId)
      if (m.apiKey === 18) {
        // ApiVersions is the network layer's: kraft.version 0-1
        this.node(from).core.handleResponse({source: m.destination, correlationId: m.correlationId, apiKey: 18, data: {errorCode: 0, apiKeys: [], throttleTimeMs: 0,
          supportedFeatures: [{name: 'kraft.version', minVersion: 0, maxVersion: 1}], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false}}, this.now)
        return
      }
      const requestId = this.nextRequestId++
      this.pending.get(to.id)!.set(requestId, {from, correlationId: m.correlationId, asked: m.destination})
      to.core.handleRequest({apiKey: m.apiKey, data: m.data, requestId, apiVersion: 17} as InboundRequest, this.now)
    } else {
      const r = this.pending.get(from)!.get(m.requestId)
      if (!r) {
        if (m.requestId >= DIRECT_REQUEST_IDS) this.node(from).lateResponses.set(m.requestId, m.data)
        return
      }
      this.pending.get(from)!.delete(m.requestId)
      if (!this.linked(from, r.from)) return
      this.node(r.from).core.handleResponse({...m, source: r.asked, correlationId: r.correlationId} as never, this.now)
    }
  }
}
