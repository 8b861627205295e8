/**
 * Replicates the partitions this broker follows from one leader broker (Kafka
 * `AbstractFetcherThread` + `ReplicaFetcherThread`, KIP-101, KIP-279, KIP-320): one loop per
 * source broker sends one Fetch at a time for all its partitions (replica id and broker epoch, the
 * last fetched epoch of each partition), appends what comes back with the leader's offsets and
 * epochs, takes the leader's high watermark and log start offset, and truncates:
 * - on a DivergingEpoch in the answer: to where this log and the leader's agree
 *   (`Partition.offsetTruncationState`), asking again while the leader names an epoch unknown here;
 * - before fetching, with OffsetForLeaderEpoch, when the leader only speaks Fetch below v12;
 * - to the high watermark when the log has no leader epochs at all;
 * - on OFFSET_OUT_OF_RANGE: to the leader's end offset when it is below ours, or restarting at the
 *   leader's start offset when ours is below it.
 * A partition whose leader reports a newer epoch (FENCED_LEADER_EPOCH) leaves the fetcher until the
 * metadata image brings that epoch; other errors (and an unreachable leader) back off for
 * `replica.fetch.backoff.ms`.
 *
 * The loop is a driver around synchronous state changes: `doWork()` is one round, tests call it by
 * hand with an in-memory leader endpoint and a fake clock.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {LOG_OVERHEAD, PARTITION_LEADER_EPOCH_OFFSET, RECORD_BATCH_OVERHEAD} from '../../protocol/records/record-batch.js'
import type {Logger} from '../util/logger.js'
import {EARLIEST_OFFSET, LATEST_OFFSET, type LeaderEndpoint, type ReplicaFetchPartition} from './leader-endpoint.js'
import type {Partition} from './partition.js'
import type {FetchPartitionResult} from './replica-manager.js'
import type {ReplicaTime} from './replica-time.js'

/** Where a follower partition starts fetching (Kafka `InitialFetchState`). */
export interface InitialFetchState {
  topic: string
  partition: number
  topicId: string
  currentLeaderEpoch: number
  /** The log end offset, or the high watermark for a log without leader epochs. */
  initOffset: number
}

type Phase = 'init' | 'truncating' | 'fetching'

interface FetchState {
  key: string
  topic: string
  partition: number
  topicId: string
  fetchOffset: number
  currentLeaderEpoch: number
  /** Epoch of the last batch in the log, -1 when none. */
  lastFetchedEpoch: number
  phase: Phase
  /** No fetching before this time (ms): backoff after an error. */
  delayedUntil: number
}

export interface ReplicaFetcherConfig {
  /** replica.fetch.wait.max.ms */
  maxWaitMs: number
  /** replica.fetch.min.bytes */
  minBytes: number
  /** replica.fetch.response.max.bytes */
  maxBytes: number
  /** replica.fetch.max.bytes */
  partitionMaxBytes: number
  /** replica.fetch.backoff.ms */
  backoffMs: number
}

export interface ReplicaFetcherOptions extends ReplicaFetcherConfig {
  nodeId: number
  sourceBrokerId: number
  endpoint: LeaderEndpoint
  /** The local replica of a partition (`<topic>-<partition>`), undefined when no longer hosted. */
  partition(key: string): Partition | undefined
  /** This broker's broker epoch. */
  brokerEpoch(): number
  time: ReplicaTime
  logger: Logger
}

export function fetchKey(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/** The bytes of the whole batches at the start of `records` (a leader may cut the last one short). */
function wholeBatches(records: Buffer): Buffer {
  let p = 0
  while (p + RECORD_BATCH_OVERHEAD <= records.length) {
    const size = records.readInt32BE(p + 8) + LOG_OVERHEAD
    if (size < RECORD_BATCH_OVERHEAD || p + size > records.length) break
    p += size
  }
  return p === records.length ? records : records.subarray(0, p)
}

/** Partition leader epoch of the last batch in `records` (whole batches), -1 if none. */
function lastBatchEpoch(records: Buffer): number {
  let p = 0
  let epoch = -1
  while (p + RECORD_BATCH_OVERHEAD <= records.length) {
    epoch = records.readInt32BE(p + PARTITION_LEADER_EPOCH_OFFSET)
    p += records.readInt32BE(p + 8) + LOG_OVERHEAD
  }
  return epoch
}

export class ReplicaFetcher {
  private readonly states = new Map<string, FetchState>()
  private running = false
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null

  constructor(private readonly o: ReplicaFetcherOptions) {}

  get sourceBrokerId(): number {
    return this.o.sourceBrokerId
  }

  get partitionCount(): number {
    return this.states.size
  }

  /** The fetch offset of a partition (tests, metrics), undefined when not fetched here. */
  fetchOffset(key: string): number | undefined {
    return this.states.get(key)?.fetchOffset
  }

  /**
   * Adds partitions (Kafka `addPartitions`): a partition already fetched in the same leader epoch
   * keeps its state; otherwise it starts from `initOffset` with the log's latest epoch.
   */
  addPartitions(list: InitialFetchState[]): void {
    for (const s of list) {
      const key = fetchKey(s.topic, s.partition)
      const current = this.states.get(key)
      if (current && current.currentLeaderEpoch === s.currentLeaderEpoch) continue
      const p = this.o.partition(key)
      this.states.set(key, {
        key, topic: s.topic, partition: s.partition, topicId: s.topicId, fetchOffset: s.initOffset,
        currentLeaderEpoch: s.currentLeaderEpoch, lastFetchedEpoch: p?.log.latestEpoch() ?? -1, phase: 'init', delayedUntil: 0,
      })
    }
    this.wake?.()
  }

  removePartitions(keys: Iterable<string>): void {
    for (const k of keys) this.states.delete(k)
    this.wake?.()
  }

  /** Starts the fetch loop. */
  start(): void {
    if (this.loop) return
    this.running = true
    this.loop = this.run()
  }

  /** Stops the loop and closes the connection to the leader. */
  async shutdown(): Promise<void> {
    this.running = false
    this.o.endpoint.close()
    this.wake?.()
    await this.loop
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.doWork()
      } catch (err) {
        this.o.logger.error(`Error in the fetcher of broker ${this.o.sourceBrokerId}`, err)
        await this.sleep(this.o.backoffMs)
      }
    }
  }

  /** Waits `ms` or until partitions are added or removed. */
  private sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const cancel = this.o.time.schedule(ms, () => {
        this.wake = null
        resolve()
      })
      this.wake = () => {
        cancel()
        this.wake = null
        resolve()
      }
    })
  }

  private delayAll(states: Iterable<FetchState>): void {
    const until = this.o.time.now() + this.o.backoffMs
    for (const s of states) s.delayedUntil = until
  }

  /**
   * One round: resolves new partitions, truncates with OffsetForLeaderEpoch where needed, else
   * sends one Fetch and processes the answer; sleeps when nothing can be fetched yet.
   * @returns whether a request was sent
   */
  async doWork(): Promise<boolean> {
    if (this.states.size === 0) {
      if (this.running) await this.sleep(60_000)
      return false
    }
    let supported: boolean
    try {
      supported = await this.o.endpoint.truncationOnFetchSupported()
    } catch (err) {
      this.o.logger.warn(`Cannot reach broker ${this.o.sourceBrokerId} to fetch from it: ${(err as Error).message}`)
      this.delayAll(this.states.values())
      if (this.running) await this.sleep(this.o.backoffMs)
      return false
    }
    for (const s of this.states.values()) if (s.phase === 'init') this.resolveInitial(s, supported)

    const now = this.o.time.now()
    const truncating = [...this.states.values()].filter(s => s.phase === 'truncating' && s.delayedUntil <= now)
    if (truncating.length > 0) {
      await this.truncateToEpochEndOffsets(truncating, supported)
      return true
    }
    const ready = [...this.states.values()].filter(s => s.phase === 'fetching' && s.delayedUntil <= now)
    if (ready.length === 0) {
      let next = Infinity
      for (const s of this.states.values()) next = Math.min(next, s.delayedUntil)
      if (this.running) await this.sleep(Number.isFinite(next) ? Math.max(1, next - now) : 60_000)
      return false
    }
    await this.fetch(ready, supported)
    return true
  }

  /** A new partition: fetch at once (truncation on fetch), or truncate first. */
  private resolveInitial(s: FetchState, supported: boolean): void {
    if (s.lastFetchedEpoch >= 0) {
      s.phase = supported ? 'fetching' : 'truncating'
      return
    }
    // No leader epochs in the log: truncate to the initial offset (the high watermark).
    const p = this.o.partition(s.key)
    if (p && p.logEndOffset > s.fetchOffset) {
      this.o.logger.info(`Truncating partition ${s.key} to local high watermark ${s.fetchOffset}`)
      p.truncateTo(s.fetchOffset)
    }
    if (p) s.fetchOffset = p.logEndOffset
    s.phase = 'fetching'
  }

  private async truncateToEpochEndOffsets(states: FetchState[], supported: boolean): Promise<void> {
    let answers
    try {
      answers = await this.o.endpoint.fetchEpochEndOffsets(states.map(s => ({
        topic: s.topic, partition: s.partition, currentLeaderEpoch: s.currentLeaderEpoch, leaderEpoch: s.lastFetchedEpoch,
      })))
    } catch (err) {
      this.o.logger.warn(`OffsetForLeaderEpoch to broker ${this.o.sourceBrokerId} failed: ${(err as Error).message}`)
      this.delayAll(states)
      return
    }
    for (const s of states) {
      if (this.states.get(s.key) !== s) continue // removed or replaced meanwhile
      const a = answers.find(x => x.topic === s.topic && x.partition === s.partition)
      if (!a || a.errorCode !== ErrorCode.NONE) {
        if (a?.errorCode === ErrorCode.FENCED_LEADER_EPOCH) this.onPartitionFenced(s)
        else this.delayAll([s])
        continue
      }
      this.truncate(s, a.leaderEpoch, a.endOffset, supported)
    }
  }

  /** Truncates after the leader said its `epoch` ends at `endOffset`. */
  private truncate(s: FetchState, epoch: number, endOffset: number, supported: boolean): void {
    const p = this.o.partition(s.key)
    if (!p) {
      this.states.delete(s.key)
      return
    }
    const t = p.offsetTruncationState(epoch, endOffset, s.fetchOffset)
    if (t.offset < p.logEndOffset) {
      this.o.logger.info(`Truncating partition ${s.key} to offset ${t.offset} (log end offset ${p.logEndOffset}) after the leader's epoch ${epoch} ends at ${endOffset}`)
    }
    p.truncateTo(t.offset)
    s.fetchOffset = p.logEndOffset
    s.lastFetchedEpoch = p.log.latestEpoch() ?? -1
    s.phase = supported || t.completed ? 'fetching' : 'truncating'
  }

  /** The leader has a newer epoch than ours: stop fetching until the image brings it (Kafka `onPartitionFenced`). */
  private onPartitionFenced(s: FetchState): void {
    this.o.logger.info(`Partition ${s.key} has an older epoch (${s.currentLeaderEpoch}) than the current leader. Will await the new leader and epoch before resuming fetching.`)
    this.states.delete(s.key)
  }

  private async fetch(ready: FetchState[], supported: boolean): Promise<void> {
    const partitions: ReplicaFetchPartition[] = []
    const sent = new Map<string, {state: FetchState, fetchOffset: number}>()
    for (const s of ready) {
      const p = this.o.partition(s.key)
      if (!p) {
        this.states.delete(s.key)
        continue
      }
      sent.set(s.key, {state: s, fetchOffset: s.fetchOffset})
      partitions.push({
        topic: s.topic, topicId: s.topicId, partition: s.partition, fetchOffset: s.fetchOffset,
        currentLeaderEpoch: s.currentLeaderEpoch, lastFetchedEpoch: supported ? s.lastFetchedEpoch : -1,
        logStartOffset: p.logStartOffset, partitionMaxBytes: this.o.partitionMaxBytes,
      })
    }
    if (partitions.length === 0) return
    let results: FetchPartitionResult[]
    try {
      results = await this.o.endpoint.fetch({
        replicaId: this.o.nodeId, replicaEpoch: this.o.brokerEpoch(), maxWaitMs: this.o.maxWaitMs,
        minBytes: this.o.minBytes, maxBytes: this.o.maxBytes, partitions,
      })
    } catch (err) {
      if (this.running) this.o.logger.warn(`Error in the Fetch to broker ${this.o.sourceBrokerId}: ${(err as Error).message}`)
      this.delayAll([...sent.values()].map(x => x.state))
      return
    }
    const outOfRange: FetchState[] = []
    for (const r of results) {
      const key = fetchKey(r.topic, r.partition)
      const req = sent.get(key)
      const s = req?.state
      // The partition may have been removed, re-added or truncated while the fetch was out.
      if (!s || this.states.get(key) !== s || s.fetchOffset !== req.fetchOffset || s.phase !== 'fetching') continue
      switch (r.errorCode) {
        case ErrorCode.NONE:
          if (r.divergingEpoch) this.truncate(s, r.divergingEpoch.epoch, r.divergingEpoch.endOffset, supported)
          else this.processPartitionData(s, r)
          break
        case ErrorCode.OFFSET_OUT_OF_RANGE:
          outOfRange.push(s)
          break
        case ErrorCode.FENCED_LEADER_EPOCH:
          this.onPartitionFenced(s)
          break
        default:
          // UNKNOWN_LEADER_EPOCH (the leader has not seen our epoch yet), NOT_LEADER_OR_FOLLOWER,
          // UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID (being created or deleted), ...: retry later.
          this.delayAll([s])
      }
    }
    // The next Fetch tells the leader our log end offset, which counts toward its high watermark:
    // send it only once what we appended is in our files (write-behind I/O).
    const writing: Promise<void>[] = []
    for (const key of sent.keys()) {
      const log = this.o.partition(key)?.log
      if (log && log.writtenEndOffset < log.logEndOffset) {
        writing.push(log.whenIoDone().catch((err: unknown) => this.o.logger.error(`Writing to the log of ${key} failed`, err)))
      }
    }
    if (writing.length > 0) await Promise.all(writing)
    for (const s of outOfRange) await this.handleOutOfRange(s)
  }

  /** Appends the leader's batches (Kafka `ReplicaFetcherThread.processPartitionData`). */
  private processPartitionData(s: FetchState, r: FetchPartitionResult): void {
    const p = this.o.partition(s.key)
    if (!p) {
      this.states.delete(s.key)
      return
    }
    if (s.fetchOffset !== p.logEndOffset) {
      // Someone else changed the log: start again from its end.
      this.o.logger.warn(`Fetch offset ${s.fetchOffset} of ${s.key} is not its log end offset ${p.logEndOffset}; fetching from there`)
      s.fetchOffset = p.logEndOffset
      s.lastFetchedEpoch = p.log.latestEpoch() ?? -1
      return
    }
    const records = r.records ? wholeBatches(r.records) : null
    if (records && records.length > 0) {
      try {
        const info = p.appendRecordsAsFollower(records)
        s.fetchOffset = info.lastOffset + 1
        const epoch = lastBatchEpoch(records)
        if (epoch >= 0) s.lastFetchedEpoch = epoch
      } catch (err) {
        this.o.logger.error(`Found invalid records during fetch for partition ${s.key} offset ${s.fetchOffset}`, err)
        s.fetchOffset = p.logEndOffset
        s.lastFetchedEpoch = p.log.latestEpoch() ?? -1
        this.delayAll([s])
        return
      }
      // Move to the end: the next response's byte budget goes to the others first.
      this.states.delete(s.key)
      this.states.set(s.key, s)
    }
    p.updateFollowerHighWatermark(r.highWatermark)
    p.maybeIncrementLogStartOffset(r.logStartOffset)
  }

  /** OFFSET_OUT_OF_RANGE (Kafka `fetchOffsetAndTruncate`). */
  private async handleOutOfRange(s: FetchState): Promise<void> {
    try {
      const end = await this.o.endpoint.fetchOffset(s.topic, s.partition, s.currentLeaderEpoch, LATEST_OFFSET)
      const p = this.o.partition(s.key)
      if (this.states.get(s.key) !== s || !p) return
      if (end.errorCode !== ErrorCode.NONE) {
        if (end.errorCode === ErrorCode.FENCED_LEADER_EPOCH) this.onPartitionFenced(s)
        else this.delayAll([s])
        return
      }
      if (end.offset < p.logEndOffset) {
        this.o.logger.warn(`Truncating ${s.key} to the leader's log end offset ${end.offset} (ours is ${p.logEndOffset})`)
        p.truncateTo(end.offset)
      } else {
        const start = await this.o.endpoint.fetchOffset(s.topic, s.partition, s.currentLeaderEpoch, EARLIEST_OFFSET)
        if (this.states.get(s.key) !== s) return
        if (start.errorCode !== ErrorCode.NONE) {
          this.delayAll([s])
          return
        }
        if (start.offset > p.logEndOffset) {
          this.o.logger.warn(`Reset fetch offset of ${s.key} from ${p.logEndOffset} to the leader's start offset ${start.offset}`)
          p.truncateFullyAndStartAt(start.offset)
        }
      }
      s.fetchOffset = p.logEndOffset
      s.lastFetchedEpoch = p.log.latestEpoch() ?? -1
    } catch (err) {
      this.o.logger.warn(`Cannot resolve the out-of-range offset of ${s.key}: ${(err as Error).message}`)
      this.delayAll([s])
    }
  }
}
