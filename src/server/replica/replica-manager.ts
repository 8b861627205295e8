/**
 * The partitions this node hosts (Kafka `ReplicaManager`): follows the metadata image (creating,
 * deleting, leading and following partitions with their epochs), appends Produce data with acks
 * 0/1/all, serves Fetch to consumers and followers, and runs one fetcher per leader broker for the
 * partitions it follows.
 *
 * Waiting requests sit in the purgatory of delayed operations (watch lists on each Partition):
 * acks=all produces until the high watermark passes them, fetches until `minBytes` are readable;
 * they complete on the events that can satisfy them, or on their own timer.
 *
 * Partitions are keyed `<topic>-<partition>`.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {batchHeaders, lastOffsetOf} from '../../protocol/records/record-batch.js'
import {OffsetOutOfRangeError, type LogConfig, type LogManager} from '../log/index.js'
import type {Logger} from '../util/logger.js'
import {AlterPartitionManager, type AlterPartitionSender} from './alter-partition-manager.js'
import {DelayedFetch, type FetchWait} from './delayed-fetch.js'
import {DelayedProduce, type ProduceWait} from './delayed-produce.js'
import {FetchSessionCache} from './fetch-session-cache.js'
import type {LeaderEndpoint} from './leader-endpoint.js'
import {Partition, type BrokerStatus, type PartitionContext, type PartitionState, type ProduceResult} from './partition.js'
import {ReplicaFetcher, type InitialFetchState, type ReplicaFetcherConfig} from './replica-fetcher.js'
import {systemReplicaTime, type ReplicaTime} from './replica-time.js'
import {describeLogDirs, type LogDirUsage} from '../log/log-dir-usage.js'

export interface FetchPartitionRequest {
  topic: string
  partition: number
  fetchOffset: number
  partitionMaxBytes: number
  /** -1 = not checked */
  currentLeaderEpoch: number
  /** Epoch of the fetcher's last batch (Fetch v12+, KIP-320), -1 = none. */
  lastFetchedEpoch?: number
  /** A follower's log start offset (Fetch v5+), -1 = unknown. */
  logStartOffset?: number
}

export interface FetchPartitionResult {
  topic: string
  partition: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  records: Buffer | null
  /** Where the fetcher's last epoch ends on the leader when its log diverged (KIP-320), else null. */
  divergingEpoch: {epoch: number, endOffset: number} | null
  /** read_committed consumers: aborted transactions overlapping the records returned; else null. */
  abortedTransactions?: {producerId: number, firstOffset: number}[] | null
}

export interface FetchParams {
  /** -1 for consumers, the broker id of a follower. */
  replicaId: number
  /** A follower's broker epoch (ReplicaState.ReplicaEpoch, v15+), -1 = not sent. */
  replicaEpoch?: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number
  partitions: FetchPartitionRequest[]
}

/** A partition a Produce appended to, for `awaitReplication`. */
export interface AppendedPartition {
  topic: string
  partition: number
  result: ProduceResult
}

export interface ReplicaManagerOptions {
  nodeId: number
  logManager: LogManager
  logConfigFor(topic: string): LogConfig
  minInsyncReplicasFor(topic: string): number
  logger: Logger
  /** Sends AlterPartition to the active controller. */
  alterPartition: AlterPartitionSender
  /** The endpoint of a leader broker for this node's fetchers. */
  leaderEndpoint(brokerId: number): LeaderEndpoint
  /** Registration facts of a broker (ISR eligibility), undefined when not registered. */
  brokerStatus(brokerId: number): BrokerStatus | undefined
  /** This broker's broker epoch (-1 before registration). */
  brokerEpoch(): number
  /** replica.lag.time.max.ms (default 30000). */
  replicaLagTimeMaxMs?: number
  /** replica.fetch.* settings (Kafka defaults). */
  fetcher?: Partial<ReplicaFetcherConfig>
  /** Pause before re-sending AlterPartition after an error (ms, default 100). */
  alterPartitionRetryBackoffMs?: number
  time?: ReplicaTime
  /** Run each fetcher's loop (default true); tests drive `ReplicaFetcher.doWork()` by hand instead. */
  runFetchers?: boolean
}

const DEFAULT_FETCHER: ReplicaFetcherConfig = {maxWaitMs: 500, minBytes: 1, maxBytes: 10 * 1024 * 1024, partitionMaxBytes: 1024 * 1024, backoffMs: 1000}

/** Aborted transactions of `p` overlapping the batches read from `fetchOffset` (Kafka `addAbortedTransactions`). */
function abortedWithin(p: Partition, fetchOffset: number, records: Buffer): {producerId: number, firstOffset: number}[] {
  // Cheap first: the in-memory .txnindex entries from the fetch offset on (usually none).
  const candidates = p.log.collectAbortedTransactions(fetchOffset, Number.MAX_SAFE_INTEGER)
  if (candidates.length === 0) return []
  let upper = fetchOffset
  for (const h of batchHeaders(records)) upper = lastOffsetOf(h) + 1
  return candidates.filter(t => t.firstOffset < upper).map(t => ({producerId: t.producerId, firstOffset: t.firstOffset}))
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

const EMPTY = Buffer.alloc(0)

export class ReplicaManager {
  /** Incremental fetch sessions of this broker's consumers (KIP-227). */
  readonly fetchSessions = new FetchSessionCache()
  readonly alterPartitionManager: AlterPartitionManager
  private readonly partitions = new Map<string, Partition>()
  private readonly fetchers = new Map<number, ReplicaFetcher>()
  /** Follower partition key → the broker it fetches from. */
  private readonly fetchingFrom = new Map<string, number>()
  private readonly initialHighWatermarks: Map<string, number>
  /** Listeners told when this node becomes/stops being leader of a partition (coordinators). */
  private readonly leadershipListeners: ((p: Partition, isLeader: boolean) => void)[] = []
  private readonly time: ReplicaTime
  private readonly ctx: PartitionContext
  private readonly fetcherConfig: ReplicaFetcherConfig
  private cancelIsrTimer: (() => void) | null = null
  private readonly nodeId: number
  private readonly logger: Logger

  constructor(private readonly o: ReplicaManagerOptions) {
    this.nodeId = o.nodeId
    this.logger = o.logger
    this.time = o.time ?? systemReplicaTime
    this.fetcherConfig = {...DEFAULT_FETCHER, ...o.fetcher}
    this.initialHighWatermarks = o.logManager.readHighWatermarks()
    this.alterPartitionManager = new AlterPartitionManager({
      brokerId: o.nodeId, brokerEpoch: o.brokerEpoch, send: o.alterPartition,
      retryBackoffMs: o.alterPartitionRetryBackoffMs ?? 100, time: this.time, logger: o.logger,
    })
    this.ctx = {
      nodeId: o.nodeId, time: this.time, replicaLagTimeMaxMs: o.replicaLagTimeMaxMs ?? 30_000,
      brokerEpoch: o.brokerEpoch, brokerStatus: o.brokerStatus,
      alterPartition: item => this.alterPartitionManager.submit(item), logger: o.logger,
    }
  }

  /** Starts the ISR expiration check (every replica.lag.time.max.ms / 2, Kafka `isr-expiration`). */
  startup(): void {
    const interval = Math.max(1, Math.floor(this.ctx.replicaLagTimeMaxMs / 2))
    const tick = (): void => {
      try {
        this.maybeShrinkIsr()
      } catch (err) {
        this.logger.error('ISR expiration check failed', err)
      }
      this.cancelIsrTimer = this.time.schedule(interval, tick)
    }
    this.cancelIsrTimer = this.time.schedule(interval, tick)
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey(topic, partition))
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()]
  }

  /**
   * DescribeLogDirs: every log dir with the partition logs `wanted` selects (see `log-dir-usage.ts`);
   * reads file system usage (statfs).
   */
  describeLogDirs(wanted: (topic: string, partition: number) => boolean): LogDirUsage[] {
    const lm = this.o.logManager
    return describeLogDirs(lm.logDirs, lm.allLogs(), wanted, (log) => this.getPartition(log.topicPartition.topic, log.topicPartition.partition)?.highWatermark)
  }

  onLeadershipChange(fn: (p: Partition, isLeader: boolean) => void): void {
    this.leadershipListeners.push(fn)
  }

  /** The fetcher replicating from `brokerId`, if any (tests, metrics). */
  fetcherFor(brokerId: number): ReplicaFetcher | undefined {
    return this.fetchers.get(brokerId)
  }

  /** Every running fetcher (tests). */
  allFetchers(): ReplicaFetcher[] {
    return [...this.fetchers.values()]
  }

  // ---- following the metadata image ---------------------------------------------------------------

  /**
   * Brings hosted partitions in line with the metadata image (Kafka `ReplicaManager.applyDelta`):
   * `states` are all partitions of all topics; those listing this node as a replica are created
   * and, when their partition epoch moved, made leader (a new leader epoch starts at the log end
   * offset) or follower (fetching from the new leader, truncating as the fetcher finds divergence);
   * hosted ones that are gone (deleted topics, reassigned away) are removed and their logs deleted.
   */
  applyPartitionStates(states: Iterable<PartitionState>): void {
    const seen = new Set<string>()
    const toFetch = new Map<number, InitialFetchState[]>()
    for (const s of states) {
      if (!s.replicas.includes(this.nodeId)) continue
      const key = tpKey(s.topic, s.partition)
      seen.add(key)
      let p = this.partitions.get(key)
      if (p && p.topicId !== s.topicId) {
        this.removePartition(key, p)
        p = undefined
      }
      if (!p) {
        const log = this.o.logManager.getOrCreateLog({topic: s.topic, partition: s.partition}, s.topicId, this.o.logConfigFor(s.topic))
        p = new Partition(s.topic, s.partition, s.topicId, log, this.ctx, this.initialHighWatermarks.get(key) ?? 0)
        p.minInsyncReplicas = this.o.minInsyncReplicasFor(s.topic)
        this.partitions.set(key, p)
      } else if (s.partitionEpoch <= p.partitionEpoch) {
        continue // unchanged, or already known from an AlterPartition answer
      }
      const wasLeader = p.isLeader
      const previousEpoch = p.leaderEpoch
      if (s.leader === this.nodeId) {
        if (!p.makeLeader(s)) continue
        this.stopFetching(key)
        if (!wasLeader || p.leaderEpoch !== previousEpoch) this.fireLeadership(p)
      } else {
        if (!p.makeFollower(s)) continue
        this.stopFetching(key)
        if (s.leader >= 0) {
          const initOffset = p.log.latestEpoch() !== null ? p.logEndOffset : p.highWatermark
          const list = toFetch.get(s.leader) ?? []
          list.push({topic: s.topic, partition: s.partition, topicId: s.topicId, currentLeaderEpoch: s.leaderEpoch, initOffset})
          toFetch.set(s.leader, list)
        }
        // Produces and fetches waiting here can no longer be served by this node.
        p.tryCompleteDelayedRequests()
        if (wasLeader) this.fireLeadership(p)
      }
    }
    for (const [key, p] of this.partitions) {
      if (seen.has(key)) continue
      this.removePartition(key, p)
    }
    for (const [leader, list] of toFetch) this.startFetching(leader, list)
  }

  private removePartition(key: string, p: Partition): void {
    this.partitions.delete(key)
    this.stopFetching(key)
    const wasLeader = p.isLeader
    p.markRemoved()
    if (wasLeader) this.fireLeadership(p)
    this.o.logManager.deleteLog({topic: p.topic, partition: p.partitionIndex})
    this.logger.info(`Deleted log for partition ${key}`)
  }

  private startFetching(leader: number, list: InitialFetchState[]): void {
    let f = this.fetchers.get(leader)
    if (!f) {
      f = new ReplicaFetcher({
        ...this.fetcherConfig, nodeId: this.nodeId, sourceBrokerId: leader, endpoint: this.o.leaderEndpoint(leader),
        partition: key => this.partitions.get(key), brokerEpoch: this.o.brokerEpoch, time: this.time,
        logger: this.logger,
      })
      this.fetchers.set(leader, f)
      if (this.o.runFetchers !== false) f.start()
    }
    f.addPartitions(list)
    for (const s of list) this.fetchingFrom.set(tpKey(s.topic, s.partition), leader)
  }

  private stopFetching(key: string): void {
    const leader = this.fetchingFrom.get(key)
    if (leader === undefined) return
    this.fetchingFrom.delete(key)
    const f = this.fetchers.get(leader)
    if (!f) return
    f.removePartitions([key])
    if (f.partitionCount === 0) {
      this.fetchers.delete(leader)
      f.shutdown().catch((err: unknown) => this.logger.error(`Error stopping the fetcher of broker ${leader}`, err))
    }
  }

  /** Re-reads topic configs into the open logs and partitions (after AlterConfigs). */
  refreshLogConfigs(topic: string): void {
    const minIsr = this.o.minInsyncReplicasFor(topic)
    for (const p of this.partitions.values()) {
      if (p.topic !== topic) continue
      p.log.config = this.o.logConfigFor(topic)
      p.minInsyncReplicas = minIsr
      if (p.maybeIncrementLeaderHW(this.time.now())) p.tryCompleteDelayedRequests()
    }
  }

  private fireLeadership(p: Partition): void {
    for (const l of this.leadershipListeners) {
      try {
        l(p, p.isLeader)
      } catch (err) {
        this.logger.error(`Leadership listener failed for ${p.topic}-${p.partitionIndex}`, err)
      }
    }
  }

  /** Proposes ISR shrinks for followers that fell behind (run every replica.lag.time.max.ms / 2). */
  maybeShrinkIsr(): void {
    for (const p of this.partitions.values()) if (p.isLeader) p.maybeShrinkIsr()
  }

  // ---- produce ------------------------------------------------------------------------------------

  /** Appends one partition's produce data; unknown partitions get UNKNOWN_TOPIC_OR_PARTITION. */
  appendRecords(topic: string, partition: number, records: Buffer | null, produceVersion: number, requiredAcks: number): ProduceResult {
    const p = this.partitions.get(tpKey(topic, partition))
    if (!p) {
      return {errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, lastOffset: -1}
    }
    return p.appendRecordsToLeader(records, produceVersion, requiredAcks)
  }

  /**
   * acks=all: waits until every partition appended to has its high watermark past the appended
   * batch (Kafka `DelayedProduce`), updating each result's error code (REQUEST_TIMED_OUT after
   * `timeoutMs`, NOT_ENOUGH_REPLICAS_AFTER_APPEND, NOT_LEADER_OR_FOLLOWER).
   * @returns null when nothing needs waiting for (results already final), else a promise
   */
  awaitReplication(appended: AppendedPartition[], timeoutMs: number): Promise<void> | null {
    const waits: ProduceWait[] = []
    for (const a of appended) {
      if (a.result.errorCode !== ErrorCode.NONE || a.result.lastOffset < 0) continue
      const p = this.partitions.get(tpKey(a.topic, a.partition))
      if (!p) {
        a.result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
        continue
      }
      const requiredOffset = a.result.lastOffset + 1
      const check = p.checkEnoughReplicasReachOffset(requiredOffset)
      if (check.done) a.result.errorCode = check.errorCode
      else waits.push({partition: p, requiredOffset, result: a.result})
    }
    if (waits.length === 0) return null
    return new Promise(resolve => {
      const op = new DelayedProduce(waits, resolve)
      op.tryCompleteElseWatch(waits.map(w => w.partition.delayedProduces), timeoutMs, this.time)
    })
  }

  /**
   * Resolves when the appends of `appended` are in their log files (write-behind I/O): a Produce
   * with acks=1 or all is answered only then. A partition whose log I/O failed gets
   * KAFKA_STORAGE_ERROR. Null when nothing is waiting to be written.
   */
  awaitWritten(appended: AppendedPartition[]): Promise<void> | null {
    let waits: Promise<void>[] | null = null
    for (const a of appended) {
      if (a.result.errorCode !== ErrorCode.NONE || a.result.lastOffset < 0) continue
      const p = this.partitions.get(tpKey(a.topic, a.partition))
      if (!p || p.log.writtenEndOffset > a.result.lastOffset) continue
      const result = a.result
      ;(waits ??= []).push(p.log.whenIoDone().catch((err: unknown) => {
        this.logger.error(`Writing to the log of ${a.topic}-${a.partition} failed`, err)
        result.errorCode = ErrorCode.KAFKA_STORAGE_ERROR
      }))
    }
    return waits === null ? null : Promise.all(waits).then(() => undefined)
  }

  // ---- fetch --------------------------------------------------------------------------------------

  /**
   * Reads every requested partition once; a follower's fetch records its position (which can move
   * the high watermark and the ISR). When fewer than `minBytes` were found and nothing errored or
   * diverged, the fetch waits (Kafka `DelayedFetch`) for data, a leadership change or `maxWaitMs`,
   * and reads again. `maxBytes` bounds the whole response; the first partition with data returns at
   * least one batch even when larger (KIP-74). Consumers read up to the high watermark (last
   * stable offset for read_committed), followers up to the log end offset.
   */
  async fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    const results = await this.readFromLocalLog(params, true)
    if (params.maxWaitMs <= 0 || params.partitions.length === 0) return results
    let bytes = 0
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE || r.divergingEpoch) return results
      bytes += r.records?.length ?? 0
    }
    if (bytes >= params.minBytes) return results
    const waits: FetchWait[] = params.partitions.map(req => {
      const p = this.partitions.get(tpKey(req.topic, req.partition))
      return {partition: p, fetchOffset: req.fetchOffset, partitionMaxBytes: req.partitionMaxBytes, appendedBytes: p?.appendedBytes ?? 0, leaderEpoch: p?.leaderEpoch ?? -1}
    })
    const watched = waits.filter(w => w.partition !== undefined).map(w => w.partition!.delayedFetches)
    if (watched.length === 0) return results
    await new Promise<void>(resolve => {
      const op = new DelayedFetch({
        waits, minBytes: params.minBytes, initialBytes: bytes, fromFollower: params.replicaId >= 0,
        readCommitted: params.isolationLevel === 1, isCurrent: p => this.partitions.get(tpKey(p.topic, p.partitionIndex)) === p,
        done: resolve,
      })
      op.tryCompleteElseWatch(watched, params.maxWaitMs, this.time)
    })
    return this.readFromLocalLog(params, false)
  }

  /**
   * One read of every requested partition (Kafka `readFromLocalLog` + `Partition.fetchRecords`).
   * @param updateFetchState record a follower's fetch position (only on the first read of a request)
   */
  async readFromLocalLog(params: FetchParams, updateFetchState: boolean): Promise<FetchPartitionResult[]> {
    let remaining = params.maxBytes
    let first = true
    const now = this.time.now()
    const fromFollower = params.replicaId >= 0
    const out: FetchPartitionResult[] = []
    for (const req of params.partitions) {
      const base: FetchPartitionResult = {
        topic: req.topic, partition: req.partition, errorCode: ErrorCode.NONE,
        highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null, divergingEpoch: null,
      }
      out.push(base)
      const p = this.partitions.get(tpKey(req.topic, req.partition))
      if (!p) {
        base.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        continue
      }
      const epochError = p.checkCurrentLeaderEpoch(req.currentLeaderEpoch)
      if (epochError !== ErrorCode.NONE) {
        base.errorCode = epochError
        continue
      }
      if (!p.isLeader) {
        base.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
        continue
      }
      const follower = fromFollower ? p.follower(params.replicaId) : undefined
      if (fromFollower && !follower) {
        // Not a replica of this partition in this leader epoch (Kafka `followerReplicaOrThrow`).
        base.errorCode = req.currentLeaderEpoch >= 0 ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.NOT_LEADER_OR_FOLLOWER
        continue
      }
      // Offsets as they are before the read: appends that follow do not keep a follower from catching up.
      const epochAtCheck = p.leaderEpoch
      const leo = p.logEndOffset
      base.highWatermark = p.highWatermark
      base.lastStableOffset = p.lastStableOffset
      base.logStartOffset = p.logStartOffset
      const lastFetchedEpoch = req.lastFetchedEpoch ?? -1
      if (lastFetchedEpoch >= 0) {
        const e = p.log.endOffsetForEpoch(lastFetchedEpoch)
        if (e.endOffset < 0 || e.epoch < 0 || req.fetchOffset < p.logStartOffset) {
          base.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
          continue
        }
        if (e.epoch < lastFetchedEpoch || e.endOffset < req.fetchOffset) {
          base.divergingEpoch = {epoch: e.epoch, endOffset: e.endOffset}
          base.records = EMPTY
          continue
        }
      }
      const maxOffset = fromFollower ? leo : params.isolationLevel === 1 ? p.lastStableOffset : p.highWatermark
      if (req.fetchOffset === maxOffset || remaining <= 0) {
        base.records = EMPTY
      } else {
        try {
          const read = await p.log.readAsync(req.fetchOffset, Math.min(req.partitionMaxBytes, remaining), maxOffset, first)
          base.records = read.records
          if (read.records.length > 0) {
            first = false
            remaining -= read.records.length
            if (!fromFollower && params.isolationLevel === 1) base.abortedTransactions = abortedWithin(p, req.fetchOffset, read.records)
          }
        } catch (err) {
          if (err instanceof OffsetOutOfRangeError) {
            // An offset between the high watermark and the log end offset is valid but not yet readable.
            if (req.fetchOffset > maxOffset && req.fetchOffset <= leo) base.records = EMPTY
            else base.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
          } else {
            this.logger.error(`Error reading ${req.topic}-${req.partition} at offset ${req.fetchOffset}`, err)
            base.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
          }
        }
      }
      // The read may have waited for the thread pool: answer only for the leadership it was checked
      // against (Kafka holds the partition's leaderIsrUpdateLock across the read).
      if (base.errorCode === ErrorCode.NONE && (p.leaderEpoch !== epochAtCheck || !p.isLeader || this.partitions.get(tpKey(req.topic, req.partition)) !== p)) {
        base.errorCode = p.isLeader ? p.checkCurrentLeaderEpoch(req.currentLeaderEpoch) : ErrorCode.NOT_LEADER_OR_FOLLOWER
        if (base.errorCode === ErrorCode.NONE) base.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
        base.records = EMPTY
        continue
      }
      if (follower && updateFetchState && base.errorCode === ErrorCode.NONE) {
        p.updateFollowerFetchState(follower, req.fetchOffset, req.logStartOffset ?? -1, now, leo, params.replicaEpoch ?? -1)
      }
    }
    return out
  }

  // ---- transaction markers -------------------------------------------------------------------------

  /**
   * WriteTxnMarkers on this leader (Kafka `ReplicaManager.appendRecords` with origin Coordinator):
   * appends one marker per partition and waits, as acks=all, until each is replicated (or
   * `timeoutMs`). Per-partition Kafka error codes; UNKNOWN_TOPIC_OR_PARTITION when not hosted.
   */
  async appendTxnMarkers(producerId: number, producerEpoch: number, coordinatorEpoch: number, committed: boolean,
    partitions: {topic: string, partition: number}[], timeoutMs: number): Promise<{topic: string, partition: number, errorCode: number}[]> {
    const appended: AppendedPartition[] = []
    for (const tp of partitions) {
      const p = this.partitions.get(tpKey(tp.topic, tp.partition))
      const result: ProduceResult = {errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, lastOffset: -1}
      if (!p) {
        result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      } else {
        const r = p.appendTxnMarker(producerId, producerEpoch, coordinatorEpoch, committed)
        result.errorCode = r.errorCode
        result.baseOffset = r.offset
        result.lastOffset = r.offset
      }
      appended.push({topic: tp.topic, partition: tp.partition, result})
    }
    await Promise.all([this.awaitWritten(appended), this.awaitReplication(appended, timeoutMs)])
    return appended.map(a => ({topic: a.topic, partition: a.partition, errorCode: a.result.errorCode}))
  }

  // ---- checkpoints, retention, shutdown -------------------------------------------------------------

  /** Checkpoints high watermarks (replication-offset-checkpoint) and recovery points. */
  checkpoint(): void {
    this.o.logManager.checkpoint(this.highWatermarks())
  }

  highWatermarks(): Map<string, number> {
    const m = new Map<string, number>()
    for (const [k, p] of this.partitions) m.set(k, p.highWatermark)
    return m
  }

  /** Runs retention on all logs (log.retention.check.interval.ms). */
  cleanupLogs(nowMs: number): void {
    this.o.logManager.cleanupLogs(nowMs, (tp) => this.partitions.get(tpKey(tp.topic, tp.partition))?.highWatermark ?? 0)
  }

  /** Forgets producers idle longer than `producer.id.expiration.ms` on every partition (Kafka `removeExpiredProducers`). */
  removeExpiredProducers(nowMs: number, expirationMs: number): void {
    for (const p of this.partitions.values()) p.removeExpiredProducers(nowMs, expirationMs)
  }

  /** Stops the fetchers and the ISR check, writes every partition's producer snapshot (at its LEO), then checkpoints. */
  async shutdown(): Promise<void> {
    this.cancelIsrTimer?.()
    this.cancelIsrTimer = null
    this.alterPartitionManager.close()
    const fetchers = [...this.fetchers.values()]
    this.fetchers.clear()
    this.fetchingFrom.clear()
    await Promise.all(fetchers.map(f => f.shutdown().catch((err: unknown) => this.logger.error('Error stopping a replica fetcher', err))))
    for (const p of this.partitions.values()) p.writeProducerSnapshot()
    this.checkpoint()
  }
}
