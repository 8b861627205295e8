/**
 * The partitions this node hosts (Kafka `ReplicaManager`): creates and removes partition logs as
 * the metadata image changes, appends Produce data, serves Fetch with long polling (a simple
 * purgatory: a fetch that has fewer than `minBytes` waits for appends or `maxWaitMs`), and
 * answers offset lookups.
 *
 * Partitions are keyed `<topic>-<partition>`. Follower replication (fetching from another leader)
 * is not implemented yet: every replica hosted here with another leader is left idle.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {OffsetOutOfRangeError, type LogConfig, type LogManager} from '../log/index.js'
import type {Logger} from '../util/logger.js'
import {Partition, type PartitionState, type ProduceResult} from './partition.js'
import {FetchSessionCache} from './fetch-session-cache.js'

export interface FetchPartitionRequest {
  topic: string
  partition: number
  fetchOffset: number
  partitionMaxBytes: number
  /** -1 = not checked */
  currentLeaderEpoch: number
}

export interface FetchPartitionResult {
  topic: string
  partition: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  records: Buffer | null
}

export interface FetchParams {
  /** -1 for consumers. */
  replicaId: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number
  partitions: FetchPartitionRequest[]
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

export class ReplicaManager {
  /** Incremental fetch sessions of this broker's consumers (KIP-227). */
  readonly fetchSessions = new FetchSessionCache()
  private readonly partitions = new Map<string, Partition>()
  private readonly initialHighWatermarks: Map<string, number>
  /** Listeners told when this node becomes/stops being leader of a partition (coordinators). */
  private readonly leadershipListeners: ((p: Partition, isLeader: boolean) => void)[] = []

  constructor(
    private readonly nodeId: number,
    private readonly logManager: LogManager,
    private readonly logConfigFor: (topic: string) => LogConfig,
    private readonly minInsyncReplicasFor: (topic: string) => number,
    private readonly logger: Logger,
  ) {
    this.initialHighWatermarks = logManager.readHighWatermarks()
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(tpKey(topic, partition))
  }

  allPartitions(): Partition[] {
    return [...this.partitions.values()]
  }

  onLeadershipChange(fn: (p: Partition, isLeader: boolean) => void): void {
    this.leadershipListeners.push(fn)
  }

  /**
   * Brings hosted partitions in line with the metadata image: `states` are all partitions of all
   * topics; those listing this node as a replica are created/updated, hosted ones that are gone
   * (deleted topics, reassigned away) are removed and their logs deleted.
   */
  applyPartitionStates(states: Iterable<PartitionState>): void {
    const seen = new Set<string>()
    for (const s of states) {
      if (!s.replicas.includes(this.nodeId)) continue
      const key = tpKey(s.topic, s.partition)
      seen.add(key)
      const existing = this.partitions.get(key)
      if (existing) {
        const wasLeader = existing.isLeader
        existing.update(s)
        if (wasLeader !== existing.isLeader) this.fireLeadership(existing)
        continue
      }
      const log = this.logManager.getOrCreateLog({topic: s.topic, partition: s.partition}, s.topicId, this.logConfigFor(s.topic))
      const p = new Partition(s, log, this.nodeId, this.initialHighWatermarks.get(key) ?? 0)
      this.partitions.set(key, p)
      if (p.isLeader) this.fireLeadership(p)
    }
    for (const [key, p] of this.partitions) {
      if (seen.has(key)) continue
      this.partitions.delete(key)
      if (p.isLeader) {
        p.update({...p.state, leader: -1})
        this.fireLeadership(p)
      }
      this.logManager.deleteLog({topic: p.topic, partition: p.partitionIndex})
      this.logger.info(`Deleted log for partition ${key}`)
    }
  }

  /** Re-reads topic configs into the open logs (after AlterConfigs). */
  refreshLogConfigs(topic: string): void {
    for (const p of this.partitions.values()) if (p.topic === topic) p.log.config = this.logConfigFor(topic)
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

  /** Appends one partition's produce data; unknown partitions get UNKNOWN_TOPIC_OR_PARTITION. */
  appendRecords(topic: string, partition: number, records: Buffer | null, produceVersion: number, requiredAcks: number): ProduceResult {
    const p = this.partitions.get(tpKey(topic, partition))
    if (!p) {
      return {errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1}
    }
    return p.appendRecordsToLeader(records, produceVersion, requiredAcks, this.minInsyncReplicasFor(topic))
  }

  /**
   * Reads every requested partition once; if fewer than `minBytes` were found and no partition
   * errored, waits for appends (or `maxWaitMs`) and reads again (Kafka `DelayedFetch`).
   * `maxBytes` bounds the whole response; the first partition with data returns at least one
   * batch even when larger (KIP-74).
   */
  async fetchMessages(params: FetchParams): Promise<FetchPartitionResult[]> {
    let results = this.readFromLocalLog(params)
    if (params.maxWaitMs <= 0 || this.isSatisfied(results, params.minBytes)) return results
    const hosted = params.partitions
      .map((r) => this.partitions.get(tpKey(r.topic, r.partition)))
      .filter((p): p is Partition => p !== undefined)
    if (hosted.length === 0) return results
    let accumulated = results.reduce((n, r) => n + (r.records?.length ?? 0), 0)
    await new Promise<void>((resolve) => {
      const removers: (() => void)[] = []
      const done = (): void => {
        clearTimeout(timer)
        for (const r of removers) r()
        resolve()
      }
      const timer = setTimeout(done, params.maxWaitMs)
      for (const p of hosted) {
        removers.push(
          p.addWaiter((bytes) => {
            accumulated += bytes
            if (accumulated >= params.minBytes) done()
          }),
        )
      }
    })
    results = this.readFromLocalLog(params)
    return results
  }

  private isSatisfied(results: FetchPartitionResult[], minBytes: number): boolean {
    let bytes = 0
    for (const r of results) {
      if (r.errorCode !== ErrorCode.NONE) return true
      bytes += r.records?.length ?? 0
    }
    return bytes >= minBytes
  }

  private readFromLocalLog(params: FetchParams): FetchPartitionResult[] {
    let remaining = params.maxBytes
    let first = true
    const out: FetchPartitionResult[] = []
    for (const req of params.partitions) {
      const p = this.partitions.get(tpKey(req.topic, req.partition))
      const base: FetchPartitionResult = {
        topic: req.topic, partition: req.partition, errorCode: ErrorCode.NONE,
        highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null,
      }
      if (!p) {
        base.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        out.push(base)
        continue
      }
      if (!p.isLeader) {
        base.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
        out.push(base)
        continue
      }
      if (req.currentLeaderEpoch >= 0 && req.currentLeaderEpoch !== p.leaderEpoch) {
        base.errorCode = req.currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
        out.push(base)
        continue
      }
      base.highWatermark = p.highWatermark
      base.lastStableOffset = p.lastStableOffset
      base.logStartOffset = p.logStartOffset
      const maxOffset = params.replicaId >= 0 ? p.logEndOffset : params.isolationLevel === 1 ? p.lastStableOffset : p.highWatermark
      if (req.fetchOffset === maxOffset || remaining <= 0) {
        base.records = EMPTY
        out.push(base)
        continue
      }
      try {
        const limit = Math.min(req.partitionMaxBytes, remaining)
        const read = p.log.read(req.fetchOffset, limit, maxOffset, first)
        base.records = read.records
        if (read.records.length > 0) {
          first = false
          remaining -= read.records.length
        }
      } catch (err) {
        if (err instanceof OffsetOutOfRangeError) {
          // An offset between the high watermark and the log end offset is valid but not yet readable.
          if (req.fetchOffset > maxOffset && req.fetchOffset <= p.logEndOffset) base.records = EMPTY
          else base.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE
        } else {
          this.logger.error(`Error reading ${req.topic}-${req.partition} at offset ${req.fetchOffset}`, err)
          base.errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
        }
      }
      out.push(base)
    }
    return out
  }

  /** Checkpoints high watermarks (replication-offset-checkpoint) and recovery points. */
  checkpoint(): void {
    this.logManager.checkpoint(this.highWatermarks())
  }

  highWatermarks(): Map<string, number> {
    const m = new Map<string, number>()
    for (const [k, p] of this.partitions) m.set(k, p.highWatermark)
    return m
  }

  /** Runs retention on all logs (log.retention.check.interval.ms). */
  cleanupLogs(nowMs: number): void {
    this.logManager.cleanupLogs(nowMs, (tp) => this.partitions.get(tpKey(tp.topic, tp.partition))?.highWatermark ?? 0)
  }

  shutdown(): void {
    this.checkpoint()
  }
}

const EMPTY = Buffer.alloc(0)
