/**
 * A deterministic replication cluster for unit tests: real ReplicaManagers over real logs in temp
 * dirs, a fake clock, an in-memory network between them (fetches go straight to the leader's
 * ReplicaManager; brokers can be cut off), and a fake controller that keeps a real MetadataImage and
 * decides AlterPartition, fencing and elections with the controller's own pure functions. Fetchers
 * do not run by themselves: `replicate()` drives them round by round.
 */
import {randomBytes, randomUUID} from 'node:crypto'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import type {AlterPartitionRequest, AlterPartitionResponse} from '../../../../src/protocol/generated/messages/alter-partition.js'
import {batchHeaders, lastOffsetOf} from '../../../../src/protocol/records/record-batch.js'
import {listOffset} from '../../../../src/server/apis/list-offsets.js'
import {alterPartition, leaderAndIsrUpdates} from '../../../../src/server/controller/replication-control.js'
import {LogManager} from '../../../../src/server/log/index.js'
import {DEFAULT_LOG_CONFIG} from '../../../../src/server/log/log-config.js'
import {metadataViewOf} from '../../../../src/server/metadata/image-metadata-view.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {ConfigResourceType, MetadataImage} from '../../../../src/server/metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'
import type {EpochEndOffset, LeaderEndpoint, ReplicaFetchRequest} from '../../../../src/server/replica/leader-endpoint.js'
import type {PartitionState, ProduceResult} from '../../../../src/server/replica/partition.js'
import type {ReplicaTime} from '../../../../src/server/replica/replica-time.js'
import {ReplicaManager, type FetchParams, type FetchPartitionResult} from '../../../../src/server/replica/replica-manager.js'
import type {Logger} from '../../../../src/server/util/logger.js'
import {makeTempDir, removeTempDir} from '../../../helpers/temp-dir.js'
import {makeBatch} from './batch-fixture.js'

/** Lets pending promise callbacks and immediates run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

interface Timer { at: number, seq: number, fn: () => void, cancelled: boolean }

/** A clock moved by hand; timers fire in deadline order during `advance`. */
export class FakeTime implements ReplicaTime {
  private t = 1_700_000_000_000
  private seq = 0
  private timers: Timer[] = []

  now(): number { return this.t }

  schedule(ms: number, fn: () => void): () => void {
    const timer = {at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false}
    this.timers.push(timer)
    return () => { timer.cancelled = true }
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      this.timers = this.timers.filter(t => !t.cancelled)
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.timers[0]
      if (!next || next.at > end) break
      this.timers.shift()
      this.t = next.at
      next.fn()
      await flush()
    }
    this.t = end
    await flush()
  }
}

/** A logger that keeps its lines (assertions may look at them). */
export function memoryLogger(lines: string[]): Logger {
  const push = (level: string) => (m: string): void => { lines.push(`${level} ${m}`) }
  return {trace: () => undefined, debug: () => undefined, info: push('INFO'), warn: push('WARN'), error: push('ERROR'), isDebugEnabled: () => false}
}

/** Header facts of every batch of a log, for comparing replicas. */
export interface BatchFact { baseOffset: number, lastOffset: number, epoch: number, crc: number }

export class TestBroker {
  logManager!: LogManager
  rm!: ReplicaManager
  readonly lines: string[] = []
  open = false

  constructor(readonly id: number, readonly dir: string, private readonly cluster: Cluster) {}

  /** Opens the logs and a ReplicaManager (again after `stop`), and applies the current image. */
  start(): void {
    const c = this.cluster
    this.logManager = new LogManager({logDirs: [this.dir], defaultConfig: {...DEFAULT_LOG_CONFIG, fileDeleteDelayMs: 0}})
    this.logManager.startupSync()
    this.rm = new ReplicaManager({
      nodeId: this.id,
      logManager: this.logManager,
      logConfigFor: () => ({...DEFAULT_LOG_CONFIG, fileDeleteDelayMs: 0}),
      minInsyncReplicasFor: topic => Number(c.image.configsOf(ConfigResourceType.TOPIC, topic).get('min.insync.replicas') ?? 1),
      logger: memoryLogger(this.lines),
      alterPartition: req => c.handleAlterPartition(req),
      leaderEndpoint: leaderId => new InMemoryEndpoint(c, leaderId, this.id),
      brokerStatus: id => {
        const b = c.image.brokers.get(id)
        return b && {fenced: b.fenced, inControlledShutdown: b.inControlledShutdown, epoch: b.epoch}
      },
      brokerEpoch: () => c.image.brokers.get(this.id)?.epoch ?? -1,
      replicaLagTimeMaxMs: 30_000,
      fetcher: {backoffMs: 1000},
      time: c.time,
      runFetchers: false,
    })
    this.open = true
    this.rm.applyPartitionStates(c.partitionStates())
  }

  /** Stops the ReplicaManager and closes the logs cleanly (a process restart keeps what was written). */
  async stop(): Promise<void> {
    if (!this.open) return
    this.open = false
    await this.rm.shutdown()
    await this.logManager.shutdown()
  }

  partition(topic: string, partition: number) {
    const p = this.rm.getPartition(topic, partition)
    if (!p) throw new Error(`broker ${this.id} does not host ${topic}-${partition}`)
    return p
  }

  /** Header facts of every batch of a partition's log. */
  batches(topic: string, partition: number): BatchFact[] {
    const log = this.partition(topic, partition).log
    const out: BatchFact[] = []
    let offset = log.logStartOffset
    while (offset < log.logEndOffset) {
      const {records} = log.read(offset, 1 << 20, log.logEndOffset, true)
      if (records.length === 0) break
      for (const h of batchHeaders(records)) {
        out.push({baseOffset: h.baseOffset, lastOffset: lastOffsetOf(h), epoch: h.partitionLeaderEpoch, crc: h.crc})
        offset = lastOffsetOf(h) + 1
      }
    }
    return out
  }
}

/** One follower's view of one leader, in memory (the leader's ReplicaManager answers directly). */
class InMemoryEndpoint implements LeaderEndpoint {
  constructor(private readonly cluster: Cluster, private readonly leaderId: number, private readonly followerId: number) {}

  private leader(): ReplicaManager {
    const b = this.cluster.brokers.get(this.leaderId)
    if (!b || !b.open || !this.cluster.reachable(this.leaderId, this.followerId)) throw new Error(`broker ${this.leaderId} is unreachable from ${this.followerId}`)
    return b.rm
  }

  async truncationOnFetchSupported(): Promise<boolean> {
    this.leader()
    return this.cluster.truncationOnFetch
  }

  async fetch(req: ReplicaFetchRequest): Promise<FetchPartitionResult[]> {
    const params: FetchParams = {
      replicaId: req.replicaId, replicaEpoch: req.replicaEpoch, maxWaitMs: 0, minBytes: req.minBytes, maxBytes: req.maxBytes, isolationLevel: 0,
      partitions: req.partitions.map(p => ({...p, lastFetchedEpoch: this.cluster.truncationOnFetch ? p.lastFetchedEpoch : -1})),
    }
    const results = await this.leader().fetchMessages(params)
    // Copy the bytes as a network would.
    return results.map(r => ({...r, records: r.records ? Buffer.from(r.records) : null}))
  }

  async fetchEpochEndOffsets(parts: {topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number}[]): Promise<EpochEndOffset[]> {
    const rm = this.leader()
    return parts.map(x => {
      const base = {topic: x.topic, partition: x.partition, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1}
      const p = rm.getPartition(x.topic, x.partition)
      if (!p) return {...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}
      const e = p.checkCurrentLeaderEpoch(x.currentLeaderEpoch)
      if (e !== ErrorCode.NONE) return {...base, errorCode: e}
      if (!p.isLeader) return {...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER}
      const r = p.log.endOffsetForEpoch(x.leaderEpoch)
      return {...base, leaderEpoch: r.epoch, endOffset: r.endOffset}
    })
  }

  async fetchOffset(topic: string, partition: number, currentLeaderEpoch: number, timestamp: number): Promise<{errorCode: number, offset: number}> {
    const p = this.leader().getPartition(topic, partition)
    if (!p) return {errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1}
    const a = listOffset(p, timestamp, 0, currentLeaderEpoch, this.followerId)
    return {errorCode: a.errorCode, offset: a.offset}
  }

  close(): void {}
}

export interface ProduceCall {
  result: ProduceResult
  /** Resolves when the response would be sent. */
  done: Promise<void>
  /** True once the response would have been sent. */
  readonly answered: boolean
}

export class Cluster {
  image: MetadataImage
  readonly brokers = new Map<number, TestBroker>()
  readonly time = new FakeTime()
  /** Brokers cut off from everyone (no fetches to or from them, no metadata, no controller). */
  readonly isolated = new Set<number>()
  /** Whether leaders answer Fetch with DivergingEpoch (Fetch v12+); false makes followers use OffsetForLeaderEpoch. */
  truncationOnFetch = true
  /** When false, AlterPartition requests wait in `heldAlterPartitions` until `releaseAlterPartitions()`. */
  autoAlterPartition = true
  readonly heldAlterPartitions: {req: AlterPartitionRequest, resolve: (r: AlterPartitionResponse) => void}[] = []
  private readonly dirs: string[] = []

  constructor(ids: number[]) {
    const delta = new MetadataDelta(MetadataImage.empty('test-cluster'))
    let offset = 0
    for (const id of ids) {
      delta.replay({type: T.REGISTER_BROKER, version: 3, data: {
        brokerId: id, incarnationId: randomUUID(), brokerEpoch: 100 + id, endPoints: [], features: [], rack: null, fenced: false, logDirs: [],
      }}, offset++)
    }
    this.image = delta.apply()
    for (const id of ids) {
      const dir = makeTempDir(`kts-repl-${id}-`)
      this.dirs.push(dir)
      this.brokers.set(id, new TestBroker(id, dir, this))
    }
  }

  start(): this {
    for (const b of this.brokers.values()) b.start()
    return this
  }

  async close(): Promise<void> {
    for (const b of this.brokers.values()) await b.stop()
    for (const d of this.dirs) removeTempDir(d)
  }

  broker(id: number): TestBroker {
    return this.brokers.get(id)!
  }

  reachable(a: number, b: number): boolean {
    return !this.isolated.has(a) && !this.isolated.has(b)
  }

  partitionStates(): PartitionState[] {
    const out: PartitionState[] = []
    for (const t of metadataViewOf(this.image).topics()) out.push(...t.partitions)
    return out
  }

  /** Applies records to the image (the controller's view) without telling the brokers. */
  commit(records: MetadataRecord[]): void {
    if (records.length === 0) return
    const delta = new MetadataDelta(this.image)
    for (const r of records) delta.replay(r, this.image.offset + 1)
    this.image = delta.apply()
  }

  /** Every open, connected broker applies the current image. */
  publish(): void {
    const states = this.partitionStates()
    for (const b of this.brokers.values()) if (b.open && !this.isolated.has(b.id)) b.rm.applyPartitionStates(states)
  }

  replay(records: MetadataRecord[]): void {
    this.commit(records)
    this.publish()
  }

  /** Creates a topic; partition i gets replicas `assignment[i]` (leader first, all in sync). */
  createTopic(name: string, assignment: number[][], configs: Record<string, string> = {}): string {
    const topicId = randomBytes(16).toString('base64url')
    const records: MetadataRecord[] = [{type: T.TOPIC, version: 0, data: {name, topicId}}]
    for (const [k, v] of Object.entries(configs)) records.push({type: T.CONFIG, version: 0, data: {resourceType: ConfigResourceType.TOPIC, resourceName: name, name: k, value: v}})
    assignment.forEach((replicas, partitionId) => records.push({type: T.PARTITION, version: 0, data: {
      partitionId, topicId, replicas, isr: replicas, removingReplicas: [], addingReplicas: [], leader: replicas[0], leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0,
    }}))
    this.replay(records)
    return topicId
  }

  registration(topic: string, partition: number) {
    return this.image.topicsByName.get(topic)!.partitions.get(partition)!
  }

  /** A PartitionChangeRecord setting the leader (and optionally the ISR), as an election would. */
  elect(topic: string, partition: number, leader: number, isr?: number[]): void {
    const t = this.image.topicsByName.get(topic)!
    this.replay([{type: T.PARTITION_CHANGE, version: 0, data: {topicId: t.topicId, partitionId: partition, leader, isr: isr ?? null}}])
  }

  /** The controller fences a broker (session expiry): it leaves every ISR, leaderships move. */
  fence(id: number): void {
    const b = this.image.brokers.get(id)!
    this.replay([
      ...leaderAndIsrUpdates(this.image, {brokerToRemove: id, brokerToAdd: -1, partitions: 'brokerInIsr', uncleanDefault: false}),
      {type: T.BROKER_REGISTRATION_CHANGE, version: 1, data: {brokerId: id, brokerEpoch: b.epoch, fenced: 1, inControlledShutdown: 0}},
    ])
  }

  /** The controller unfences a broker; leaderless partitions it is in sync for get it as leader. */
  unfence(id: number): void {
    const b = this.image.brokers.get(id)!
    this.replay([
      {type: T.BROKER_REGISTRATION_CHANGE, version: 1, data: {brokerId: id, brokerEpoch: b.epoch, fenced: -1, inControlledShutdown: 0}},
      ...leaderAndIsrUpdates(this.image, {brokerToRemove: -1, brokerToAdd: id, partitions: 'noLeader', uncleanDefault: false}),
    ])
  }

  /** The controller's AlterPartition (the real decision function); the brokers learn the image a moment later. */
  handleAlterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    if (this.isolated.has(req.brokerId)) return Promise.reject(new Error(`broker ${req.brokerId} cannot reach the controller`))
    if (!this.autoAlterPartition) return new Promise(resolve => this.heldAlterPartitions.push({req, resolve}))
    return Promise.resolve(this.decide(req))
  }

  private decide(req: AlterPartitionRequest): AlterPartitionResponse {
    const {records, response} = alterPartition(this.image, req, 3, false)
    this.commit(records)
    if (records.length > 0) setImmediate(() => this.publish())
    return response
  }

  /** Answers the held AlterPartition requests. */
  releaseAlterPartitions(): void {
    for (const h of this.heldAlterPartitions.splice(0)) h.resolve(this.decide(h.req))
  }

  /** Runs `rounds` rounds of every connected broker's fetchers, letting callbacks run in between. */
  async replicate(rounds = 4): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      for (const b of this.brokers.values()) {
        if (!b.open || this.isolated.has(b.id)) continue
        for (const f of b.rm.allFetchers()) await f.doWork()
      }
      await flush()
    }
  }

  /** Appends `count` records to a partition on broker `brokerId` as a Produce would, with `acks`. */
  produce(brokerId: number, topic: string, partition: number, opts: {acks?: number, count?: number, timeoutMs?: number, producerId?: number, producerEpoch?: number, baseSequence?: number} = {}): ProduceCall {
    const rm = this.broker(brokerId).rm
    const acks = opts.acks ?? -1
    const batch = makeBatch({count: opts.count ?? 3, producerId: opts.producerId, producerEpoch: opts.producerEpoch, baseSequence: opts.baseSequence})
    const result = rm.appendRecords(topic, partition, batch, 9, acks)
    let answered = true
    let done: Promise<void> = Promise.resolve()
    if (acks === -1) {
      const wait = rm.awaitReplication([{topic, partition, result}], opts.timeoutMs ?? 30_000)
      if (wait) {
        answered = false
        done = wait.then(() => { answered = true })
      }
    }
    return {result, done, get answered() { return answered }}
  }
}
