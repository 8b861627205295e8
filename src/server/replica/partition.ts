/**
 * One partition replica hosted by this node (Kafka `cluster.Partition`): its log, its role from the
 * metadata image (leader or follower, leader and partition epochs), idempotent-producer state, and
 * the watch lists of the delayed produces and fetches waiting on it.
 *
 * As leader it tracks every follower's fetch position (`FollowerReplica`), moves the high
 * watermark to the smallest log end offset of the "maximal" ISR (KIP-497: the committed ISR plus a
 * replica whose addition is in flight) — never backwards, and not while the ISR is smaller than
 * `min.insync.replicas` — and proposes ISR expansions (a follower reached the high watermark and
 * the start of this leader epoch) and shrinks (a follower not caught up for
 * `replica.lag.time.max.ms`) to the controller with AlterPartition, one at a time; the controller
 * decides, the answer or the next metadata image makes it real.
 *
 * As follower it appends what the leader sent with the leader's offsets and epochs, rebuilding
 * producer state from the batch headers, truncates when the fetcher found a divergence, and takes
 * its high watermark from the leader's.
 *
 * Single-threaded by construction: state changes only between awaits.
 */
import fs from 'node:fs'
import {ErrorCode, KafkaError} from '../../protocol/errors.js'
import {TRANSACTIONAL_FLAG_MASK, batchHeaders, lastOffsetOf, type RecordBatchHeader} from '../../protocol/records/record-batch.js'
import {UnexpectedAppendOffsetError, type LogAppendInfo} from '../log/log-config.js'
import type {UnifiedLog} from '../log/unified-log.js'
import {deleteProducerSnapshots, listProducerSnapshotOffsets, producerSnapshotFile, readProducerSnapshot, writeProducerSnapshot, writeProducerSnapshotAsync, type ProducerSnapshotEntry} from '../log/producer-snapshot.js'
import type {Logger} from '../util/logger.js'
import type {AlterPartitionItem, AlterPartitionResult} from './alter-partition-manager.js'
import {checkAndComplete, type WatchList} from './delayed-operation.js'
import {FollowerReplica} from './follower-replica.js'
import {ProducerStateManager, lastSequenceOf} from './producer-state-manager.js'
import {validateProducedRecords} from './produce-validation.js'
import {logValidatorConfig, validateRecords, type LogValidatorConfig, type RecordError} from './log-validator.js'
import type {ReplicaTime} from './replica-time.js'
import {encodeTxnMarker, isTxnControlBatch, readTxnMarker} from '../txn/end-txn-marker.js'

/** A partition's registration as the metadata image has it. */
export interface PartitionState {
  topic: string
  topicId: string
  partition: number
  replicas: number[]
  isr: number[]
  /** Leader broker id, -1 if none. */
  leader: number
  leaderEpoch: number
  partitionEpoch: number
}

export interface ProduceResult {
  errorCode: number
  errorMessage: string | null
  baseOffset: number
  logAppendTimeMs: number
  logStartOffset: number
  /** Offset of the last appended record (-1 when nothing was appended): acks=all waits for the high watermark to pass it. */
  lastOffset: number
  /** Records refused by the LogValidator (KIP-467), when the error is about single records. */
  recordErrors?: RecordError[]
}

/** What the leader needs to know about a broker to let it join an ISR (from the metadata image). */
export interface BrokerStatus {
  fenced: boolean
  inControlledShutdown: boolean
  /** Broker epoch of its registration. */
  epoch: number
}

/** The node-wide services every partition uses (one object, built by the ReplicaManager). */
export interface PartitionContext {
  nodeId: number
  time: ReplicaTime
  /** replica.lag.time.max.ms */
  replicaLagTimeMaxMs: number
  /** This broker's current broker epoch (sent with its own ISR entry). */
  brokerEpoch(): number
  /** Registration facts of a broker, undefined when it is not registered. */
  brokerStatus(brokerId: number): BrokerStatus | undefined
  /** Sends one ISR proposal to the controller (AlterPartitionManager). */
  alterPartition(item: AlterPartitionItem): Promise<AlterPartitionResult>
  logger: Logger
}

/** An ISR change sent to the controller and not answered yet (Kafka `PendingExpandIsr` / `PendingShrinkIsr`). */
interface PendingIsrChange {
  /** The ISR proposed. */
  isr: number[]
  /** The ISR the high watermark follows meanwhile: the proposal for an expansion, the committed ISR for a shrink. */
  maximalIsr: readonly number[]
}

/** Where truncation leaves a follower (Kafka `OffsetTruncationState`). */
export interface TruncationState {
  offset: number
  /** False when the follower must ask again (the leader named an epoch it does not know). */
  completed: boolean
}

const NONE = ErrorCode.NONE

export class Partition {
  replicas: readonly number[] = []
  /** The committed ISR (on followers: as the image has it, for information). */
  isr: readonly number[] = []
  /** Leader broker id, -1 if none. */
  leaderId = -1
  leaderEpoch = -1
  partitionEpoch = -1
  highWatermark: number
  /** min.insync.replicas of the topic. */
  minInsyncReplicas = 1
  readonly producerState = new ProducerStateManager()
  /** acks=all produces waiting for the high watermark. */
  readonly delayedProduces: WatchList = new Set()
  /** Fetches waiting for data (consumers: below the high watermark; followers: the log end offset). */
  readonly delayedFetches: WatchList = new Set()
  /** Bytes appended to the log since this object was created (delayed fetches count new data with it). */
  appendedBytes = 0
  private pending: PendingIsrChange | null = null
  private readonly followers = new Map<number, FollowerReplica>()
  /** The log end offset when this node became leader in the current epoch, -1 as follower. */
  private leaderEpochStartOffset = -1
  private removed = false
  /** The LogValidator settings and the LogConfig object they were derived from (configs change live). */
  private validatorFor: {config: object, validator: LogValidatorConfig} | null = null
  /**
   * A roll happened at `offset` during the current append: the producer state of the offsets below
   * it, taken at the roll, to write once the append is done.
   */
  private pendingSnapshot: {offset: number, entries: ProducerSnapshotEntry[]} | null = null

  constructor(
    readonly topic: string,
    readonly partitionIndex: number,
    public topicId: string,
    readonly log: UnifiedLog,
    private readonly ctx: PartitionContext,
    initialHighWatermark: number,
  ) {
    this.highWatermark = Math.min(Math.max(initialHighWatermark, log.logStartOffset), log.logEndOffset)
    this.rebuildProducerState()
    log.activeProducerLastOffsets = () => this.producerState.lastDataOffsets()
    // Kafka `UnifiedLog.roll`: the snapshot named after the new segment holds the state before the append that rolled
    log.onRoll = (newBaseOffset) => { this.pendingSnapshot = {offset: newBaseOffset, entries: this.producerState.snapshotEntries()} }
    // appended bytes became readable: fetches waiting for them may complete
    log.onWritten = () => { if (!this.removed) checkAndComplete(this.delayedFetches) }
  }

  get isLeader(): boolean { return this.leaderId === this.ctx.nodeId && !this.removed }
  get logStartOffset(): number { return this.log.logStartOffset }
  get logEndOffset(): number { return this.log.logEndOffset }
  /**
   * Last stable offset (Kafka `UnifiedLog.lastStableOffset`): the first offset of the earliest
   * undecided transaction, or the high watermark when that is smaller or none is open.
   */
  get lastStableOffset(): number {
    const first = this.producerState.firstUnstableOffset(this.highWatermark)
    return first === null ? this.highWatermark : Math.min(first, this.highWatermark)
  }
  /** The ISR the high watermark waits for (KIP-497). */
  get maximalIsr(): readonly number[] { return this.pending?.maximalIsr ?? this.isr }
  /** True while an AlterPartition of this partition is unanswered. */
  get isIsrChangeInFlight(): boolean { return this.pending !== null }

  /** The registration as this replica knows it. */
  get state(): PartitionState {
    return {
      topic: this.topic, topicId: this.topicId, partition: this.partitionIndex, replicas: [...this.replicas], isr: [...this.isr],
      leader: this.leaderId, leaderEpoch: this.leaderEpoch, partitionEpoch: this.partitionEpoch,
    }
  }

  /** What this leader knows of follower `brokerId`, undefined when it is not a replica (or this node is not leader). */
  follower(brokerId: number): FollowerReplica | undefined {
    return this.followers.get(brokerId)
  }

  /** FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a request's current leader epoch (-1 = not checked), else NONE. */
  checkCurrentLeaderEpoch(currentLeaderEpoch: number): number {
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.leaderEpoch) return NONE
    return currentLeaderEpoch < this.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
  }

  // ---- role changes ------------------------------------------------------------------------------

  /**
   * Makes this replica the leader (Kafka `Partition.makeLeader`): takes the image's replicas and
   * ISR; in a new leader epoch it records where the epoch starts in its log (the log end offset)
   * and resets what it knows of the followers. A state older than the partition epoch already known
   * (from an AlterPartition answer) is ignored.
   * @returns whether the state was applied
   */
  makeLeader(s: PartitionState): boolean {
    if (s.partitionEpoch < this.partitionEpoch) return false
    const now = this.ctx.time.now()
    const isNewLeader = !this.isLeader
    const isNewLeaderEpoch = s.leaderEpoch > this.leaderEpoch
    this.updateAssignmentAndIsr(s, true)
    if (isNewLeaderEpoch) {
      const start = this.log.logEndOffset
      this.log.assignEpochStartOffset(s.leaderEpoch, start)
      for (const f of this.followers.values()) f.reset(now, start, isNewLeader, this.isr.includes(f.brokerId))
      this.ctx.logger.info(`Leader ${this.topic}-${this.partitionIndex} starts at leader epoch ${s.leaderEpoch} from offset ${start} ` +
        `with partition epoch ${s.partitionEpoch}, high watermark ${this.highWatermark}, ISR [${this.isr.join(',')}]. ` +
        `Previous leader ${this.leaderId} and previous leader epoch was ${this.leaderEpoch}.`)
      this.leaderEpoch = s.leaderEpoch
      this.leaderEpochStartOffset = start
    }
    this.partitionEpoch = s.partitionEpoch
    this.leaderId = this.ctx.nodeId
    if (this.maybeIncrementLeaderHW(now)) this.tryCompleteDelayedRequests()
    return true
  }

  /**
   * Makes this replica a follower of `s.leader` (-1: none) (Kafka `Partition.makeFollower`).
   * @returns true when the fetcher must (re)start: a new leader epoch, or this replica led before
   */
  makeFollower(s: PartitionState): boolean {
    if (s.partitionEpoch < this.partitionEpoch) return false
    const restart = s.leaderEpoch > this.leaderEpoch || this.isLeader
    if (s.leaderEpoch > this.leaderEpoch) {
      this.ctx.logger.info(`Follower ${this.topic}-${this.partitionIndex} starts at leader epoch ${s.leaderEpoch} from offset ${this.log.logEndOffset} ` +
        `with partition epoch ${s.partitionEpoch} and high watermark ${this.highWatermark}. Current leader is ${s.leader}. ` +
        `Previous leader ${this.leaderId} and previous leader epoch was ${this.leaderEpoch}.`)
    }
    this.leaderId = s.leader
    this.leaderEpoch = s.leaderEpoch
    this.leaderEpochStartOffset = -1
    this.partitionEpoch = s.partitionEpoch
    this.updateAssignmentAndIsr(s, false)
    return restart
  }

  /** The replica is no longer hosted here: waiting produces and fetches complete (with errors). */
  markRemoved(): void {
    this.removed = true
    this.followers.clear()
    this.pending = null
    this.tryCompleteDelayedRequests()
  }

  private updateAssignmentAndIsr(s: PartitionState, isLeader: boolean): void {
    this.replicas = s.replicas
    this.isr = s.isr
    this.pending = null
    if (!isLeader) {
      this.followers.clear()
      return
    }
    for (const id of s.replicas) if (id !== this.ctx.nodeId && !this.followers.has(id)) this.followers.set(id, new FollowerReplica(id))
    for (const id of this.followers.keys()) if (!s.replicas.includes(id)) this.followers.delete(id)
  }

  // ---- leader: appends -------------------------------------------------------------------------

  private validatorConfig(): LogValidatorConfig {
    const config = this.log.config
    if (this.validatorFor?.config !== config) this.validatorFor = {config, validator: logValidatorConfig(config)}
    return this.validatorFor.validator
  }

  /** min(min.insync.replicas, replication factor) (Kafka `effectiveMinIsr`). */
  private get effectiveMinIsr(): number {
    return Math.min(this.minInsyncReplicas, this.followers.size + 1)
  }

  /** The committed ISR is smaller than the effective min.insync.replicas (and this node leads). */
  get isUnderMinIsr(): boolean {
    return this.isLeader && this.isr.length < this.effectiveMinIsr
  }

  /**
   * Appends one partition's Produce data as leader. Returns a per-partition result (Kafka error
   * codes), never throws for bad input: NOT_LEADER_OR_FOLLOWER, the validation errors,
   * NOT_ENOUGH_REPLICAS (acks=all while the ISR is below min.insync.replicas, nothing appended),
   * the idempotence errors; a duplicate idempotent batch gets its original offset.
   * @param requiredAcks 0, 1 or -1 (all)
   */
  appendRecordsToLeader(records: Buffer | null, produceVersion: number, requiredAcks: number): ProduceResult {
    const result: ProduceResult = {errorCode: NONE, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: this.log.logStartOffset, lastOffset: -1}
    if (!this.isLeader) {
      result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
      return result
    }
    const v = validateProducedRecords(records, produceVersion, this.log.config.maxMessageBytes, `${this.topic}-${this.partitionIndex}`)
    if (v.errorCode !== NONE) {
      result.errorCode = v.errorCode
      result.errorMessage = v.errorMessage
      return result
    }
    if (requiredAcks === -1 && this.isr.length < this.effectiveMinIsr) {
      result.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS
      result.errorMessage = `The size of the current ISR [${this.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${this.effectiveMinIsr} for partition ${this.topic}-${this.partitionIndex}`
      return result
    }
    // Kafka LogValidator: record-level checks, the real max timestamp, the topic's compression.type.
    const nowMs = this.ctx.time.now()
    const checked = validateRecords(records!, `${this.topic}-${this.partitionIndex}`, this.validatorConfig(), nowMs)
    if (!checked.ok) {
      result.errorCode = checked.errorCode
      result.errorMessage = checked.errorMessage
      result.recordErrors = checked.recordErrors
      return result
    }
    // Idempotence: one batch per partition in Produce v3+.
    const h = v.headers[0]
    let lastSeq = -1
    if (h.producerId >= 0) {
      lastSeq = lastSequenceOf(h.baseSequence, h.lastOffsetDelta)
      const check = this.producerState.check(h.producerId, h.producerEpoch, h.baseSequence, lastSeq)
      if (check.kind === 'duplicate') {
        result.baseOffset = check.batch.firstOffset
        result.lastOffset = check.batch.lastOffset
        return result
      }
      if (check.kind === 'error') {
        result.errorCode = check.errorCode
        result.errorMessage = check.message
        return result
      }
    }
    const stored = checked.records
    const config = this.log.config
    if (stored.length > config.maxMessageBytes) {
      result.errorCode = ErrorCode.MESSAGE_TOO_LARGE
      result.errorMessage = `The request included a message larger than the max message size the server will accept (${stored.length} > ${config.maxMessageBytes}).`
      return result
    }
    const info = this.log.appendAsLeader(stored, this.leaderEpoch, nowMs)
    if (h.producerId >= 0) {
      this.producerState.update(h.producerId, h.producerEpoch, {
        firstSeq: h.baseSequence, lastSeq, firstOffset: info.firstOffset, lastOffset: info.lastOffset, timestampMs: nowMs,
      })
      if ((h.attributes & TRANSACTIONAL_FLAG_MASK) !== 0) this.producerState.beginTxn(h.producerId, h.producerEpoch, info.firstOffset, nowMs)
    }
    this.maybeWritePendingSnapshot()
    result.baseOffset = info.firstOffset
    result.lastOffset = info.lastOffset
    result.logAppendTimeMs = info.logAppendTimeMs
    result.logStartOffset = this.log.logStartOffset
    this.afterLeaderAppend(stored.length, nowMs)
    return result
  }

  /**
   * Appends already-encoded batches (internal topics: coordinator records) as leader, with acks=all
   * rules.
   * @throws KafkaError NOT_LEADER_OR_FOLLOWER when not leader, NOT_ENOUGH_REPLICAS when the ISR is below min.insync.replicas
   */
  appendInternal(records: Buffer): {firstOffset: number, lastOffset: number} {
    if (!this.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Not the leader of ${this.topic}-${this.partitionIndex}`)
    if (this.isr.length < this.effectiveMinIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR [${this.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${this.effectiveMinIsr} for partition ${this.topic}-${this.partitionIndex}`)
    }
    const nowMs = this.ctx.time.now()
    const info = this.log.appendAsLeader(records, this.leaderEpoch, nowMs)
    // Transactional coordinator records (TxnOffsetCommit) open their producer's transaction here.
    for (const h of batchHeaders(records)) {
      if (h.producerId >= 0 && (h.attributes & TRANSACTIONAL_FLAG_MASK) !== 0) this.producerState.beginTxn(h.producerId, h.producerEpoch, h.baseOffset, nowMs)
    }
    this.maybeWritePendingSnapshot()
    this.afterLeaderAppend(records.length, nowMs)
    return {firstOffset: info.firstOffset, lastOffset: info.lastOffset}
  }

  /** True when `producerId` has an open transaction in this partition (KIP-890 verification is then not needed). */
  hasOngoingTxn(producerId: number): boolean {
    return this.producerState.ongoingTransactions().has(producerId)
  }

  /**
   * Appends a COMMIT/ABORT marker as leader (Kafka `Partition.appendRecordsToLeader` with origin
   * Coordinator, `ProducerAppendInfo.appendEndTxnMarker`): closes the producer's transaction, moves
   * the LSO and records an aborted transaction in the `.txnindex`. Markers follow min.insync.replicas
   * like acks=all.
   * @returns NONE with the marker's offset, or NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
   *   INVALID_PRODUCER_EPOCH (an epoch below the producer's), TRANSACTION_COORDINATOR_FENCED
   */
  appendTxnMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number, committed: boolean): {errorCode: number, offset: number} {
    if (!this.isLeader) return {errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, offset: -1}
    if (this.isr.length < this.effectiveMinIsr) return {errorCode: ErrorCode.NOT_ENOUGH_REPLICAS, offset: -1}
    const check = this.producerState.checkMarker(producerId, producerEpoch, coordinatorEpoch)
    if (check !== NONE) return {errorCode: check, offset: -1}
    const nowMs = this.ctx.time.now()
    const records = encodeTxnMarker(producerId, producerEpoch, coordinatorEpoch, committed, nowMs)
    const info = this.log.appendAsLeader(records, this.leaderEpoch, nowMs)
    this.completeTxn(producerId, producerEpoch, coordinatorEpoch, info.firstOffset, !committed, nowMs)
    this.afterLeaderAppend(records.length, nowMs)
    return {errorCode: NONE, offset: info.firstOffset}
  }

  private completeTxn(producerId: number, producerEpoch: number, coordinatorEpoch: number, markerOffset: number, aborted: boolean, timestampMs: number): void {
    const done = this.producerState.completeTxn(producerId, producerEpoch, coordinatorEpoch, markerOffset, aborted, timestampMs)
    if (!done || !aborted) return
    let lso = markerOffset + 1
    for (const o of this.producerState.ongoingTransactions().values()) if (o < lso) lso = o
    this.log.appendAbortedTxn({producerId, firstOffset: done.firstOffset, lastOffset: markerOffset, lastStableOffset: lso})
  }

  private afterLeaderAppend(bytes: number, nowMs: number): void {
    this.appendedBytes += bytes
    // With an ISR of one the high watermark follows the append; delayed fetches of followers wait for the LEO.
    if (this.maybeIncrementLeaderHW(nowMs)) checkAndComplete(this.delayedProduces)
    checkAndComplete(this.delayedFetches)
  }

  /**
   * Whether the high watermark has reached `requiredOffset` (Kafka `checkEnoughReplicasReachOffset`):
   * done with NOT_ENOUGH_REPLICAS_AFTER_APPEND when it has but the ISR shrank below
   * min.insync.replicas meanwhile, done with NOT_LEADER_OR_FOLLOWER when this node no longer leads.
   */
  checkEnoughReplicasReachOffset(requiredOffset: number): {done: boolean, errorCode: number} {
    if (!this.isLeader) return {done: true, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER}
    if (this.highWatermark < requiredOffset) return {done: false, errorCode: NONE}
    return {done: true, errorCode: this.effectiveMinIsr <= this.maximalIsr.length ? NONE : ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND}
  }

  /** Tries to complete the produces and fetches waiting on this partition. */
  tryCompleteDelayedRequests(): void {
    checkAndComplete(this.delayedProduces)
    checkAndComplete(this.delayedFetches)
  }

  // ---- leader: followers, high watermark, ISR ----------------------------------------------------

  /**
   * Records a follower's Fetch at `fetchOffset` (Kafka `Partition.updateFollowerFetchState`): the
   * follower may join the ISR, the high watermark may move, waiting produces may complete.
   * @param leaderEndOffset this log's end offset before the read that answers the fetch
   * @param brokerEpoch the follower's broker epoch from the request (-1: not sent)
   */
  updateFollowerFetchState(f: FollowerReplica, fetchOffset: number, followerStartOffset: number, fetchTimeMs: number, leaderEndOffset: number, brokerEpoch: number): void {
    const previousEnd = f.logEndOffset
    f.updateFetchState(fetchOffset, followerStartOffset, fetchTimeMs, leaderEndOffset, brokerEpoch)
    this.maybeExpandIsr(f)
    if (previousEnd !== f.logEndOffset && this.maybeIncrementLeaderHW(fetchTimeMs)) this.tryCompleteDelayedRequests()
  }

  /**
   * Moves the high watermark up to the smallest log end offset among the maximal ISR and the
   * caught-up followers about to join it (Kafka `maybeIncrementLeaderHW`); not while the ISR is
   * below min.insync.replicas.
   * @returns whether it moved
   */
  maybeIncrementLeaderHW(nowMs: number): boolean {
    if (!this.isLeader || this.isUnderMinIsr) return false
    const leo = this.log.logEndOffset
    let hw = leo
    if (this.followers.size > 0) {
      const maximal = this.maximalIsr
      const lag = this.ctx.replicaLagTimeMaxMs
      for (const f of this.followers.values()) {
        if (f.logEndOffset < hw && (maximal.includes(f.brokerId) || (f.isCaughtUp(leo, nowMs, lag) && this.isReplicaIsrEligible(f)))) hw = f.logEndOffset
      }
    }
    if (hw <= this.highWatermark) return false
    this.highWatermark = hw
    return true
  }

  /**
   * A follower may join the ISR when it is not fenced or shutting down, fetched with its current
   * broker epoch (KIP-903), and has reached both the high watermark and the start of this leader
   * epoch (so that it holds everything committed before this leader took over).
   */
  private maybeExpandIsr(f: FollowerReplica): void {
    if (this.pending || this.isr.includes(f.brokerId) || !this.isReplicaIsrEligible(f)) return
    if (f.logEndOffset < this.highWatermark || this.leaderEpochStartOffset < 0 || f.logEndOffset < this.leaderEpochStartOffset) return
    const isr = [...this.isr, f.brokerId]
    this.ctx.logger.info(`Expanding ISR of ${this.topic}-${this.partitionIndex} from ${this.isr.join(',')} to ${isr.join(',')}`)
    this.submitAlterPartition({isr, maximalIsr: isr})
  }

  private isReplicaIsrEligible(f: FollowerReplica): boolean {
    const b = this.ctx.brokerStatus(f.brokerId)
    return b !== undefined && !b.fenced && !b.inControlledShutdown && f.brokerEpoch !== null && (f.brokerEpoch === -1 || f.brokerEpoch === b.epoch)
  }

  /**
   * Proposes removing the followers that have not been caught up for replica.lag.time.max.ms (Kafka
   * `maybeShrinkIsr`, run every replica.lag.time.max.ms / 2); the high watermark keeps waiting for
   * them until the controller agrees.
   */
  maybeShrinkIsr(): void {
    if (!this.isLeader || this.pending) return
    const now = this.ctx.time.now()
    const leo = this.log.logEndOffset
    const outOfSync = this.isr.filter(id => {
      if (id === this.ctx.nodeId) return false
      const f = this.followers.get(id)
      return f === undefined || !f.isCaughtUp(leo, now, this.ctx.replicaLagTimeMaxMs)
    })
    if (outOfSync.length === 0) return
    const isr = this.isr.filter(id => !outOfSync.includes(id))
    const detail = outOfSync.map(id => {
      const f = this.followers.get(id)
      return `(brokerId: ${id}, endOffset: ${f?.logEndOffset ?? 'unknown'}, lastCaughtUpTimeMs: ${f?.lastCaughtUpTimeMs ?? 'unknown'})`
    }).join(' ')
    this.ctx.logger.info(`Shrinking ISR of ${this.topic}-${this.partitionIndex} from ${this.isr.join(',')} to ${isr.join(',')}. ` +
      `Leader: (highWatermark: ${this.highWatermark}, endOffset: ${leo}). Out of sync replicas: ${detail}.`)
    this.submitAlterPartition({isr, maximalIsr: this.isr})
  }

  private submitAlterPartition(proposal: PendingIsrChange): void {
    this.pending = proposal
    const item: AlterPartitionItem = {
      topic: this.topic, topicId: this.topicId, partition: this.partitionIndex,
      leaderEpoch: this.leaderEpoch, partitionEpoch: this.partitionEpoch,
      newIsr: proposal.isr.map(brokerId => ({brokerId, brokerEpoch: this.isrMemberEpoch(brokerId)})),
    }
    this.ctx.alterPartition(item).then(r => this.onAlterPartitionResult(proposal, r), (err: unknown) => {
      this.ctx.logger.warn(`AlterPartition of ${this.topic}-${this.partitionIndex} failed: ${(err as Error).message}`)
      this.onAlterPartitionResult(proposal, {errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, leaderId: -1, leaderEpoch: -1, isr: [], partitionEpoch: -1})
    })
  }

  /** Broker epoch sent for an ISR member (KIP-903): ours, the one a follower fetched with, or -1. */
  private isrMemberEpoch(brokerId: number): number {
    if (brokerId === this.ctx.nodeId) return this.ctx.brokerEpoch()
    return this.followers.get(brokerId)?.brokerEpoch ?? -1
  }

  /** Kafka `handleAlterPartitionUpdate` / `handleAlterPartitionError`. */
  private onAlterPartitionResult(proposal: PendingIsrChange, r: AlterPartitionResult): void {
    if (this.pending !== proposal) return // a newer image replaced the state meanwhile
    if (r.errorCode === NONE) {
      if (r.leaderEpoch !== this.leaderEpoch || r.partitionEpoch < this.partitionEpoch) return // stale: wait for the image
      this.pending = null
      this.isr = r.isr
      this.partitionEpoch = r.partitionEpoch
      this.ctx.logger.info(`ISR of ${this.topic}-${this.partitionIndex} updated to ${r.isr.join(',')}${this.isUnderMinIsr ? ' (under-min-isr)' : ''} and version updated to ${r.partitionEpoch}`)
      if (this.maybeIncrementLeaderHW(this.ctx.time.now())) this.tryCompleteDelayedRequests()
      return
    }
    switch (r.errorCode) {
      case ErrorCode.OPERATION_NOT_ATTEMPTED:
      case ErrorCode.INELIGIBLE_REPLICA:
        // The controller says the partition epoch is current and nothing was applied: back to the committed ISR.
        this.pending = null
        this.ctx.logger.info(`Failed to alter the ISR of ${this.topic}-${this.partitionIndex} to ${proposal.isr.join(',')}: error ${r.errorCode}; back to ${this.isr.join(',')}`)
        return
      case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      case ErrorCode.UNKNOWN_TOPIC_ID:
      case ErrorCode.FENCED_LEADER_EPOCH:
      case ErrorCode.INVALID_UPDATE_VERSION:
      case ErrorCode.INVALID_REQUEST:
      case ErrorCode.NEW_LEADER_ELECTED:
        // Our view is out of date: stay pending until the next metadata image resets the state.
        return
      default:
        this.submitAlterPartition(proposal)
    }
  }

  // ---- follower -----------------------------------------------------------------------------------

  /**
   * Appends batches fetched from the leader, keeping the leader's offsets and epochs (Kafka
   * `appendRecordsToFollowerOrFutureReplica`), and records their producers' sequences. A first
   * batch starting below an empty log's start offset restarts the log at that batch.
   * @throws CorruptRecordError, UnexpectedAppendOffsetError
   */
  appendRecordsAsFollower(records: Buffer): LogAppendInfo {
    let info: LogAppendInfo
    try {
      info = this.log.appendAsFollower(records)
    } catch (err) {
      const log = this.log
      const first = records.length >= 8 ? Number(records.readBigInt64BE(0)) : -1
      if (!(err instanceof UnexpectedAppendOffsetError) || log.logEndOffset !== log.logStartOffset || first >= log.logEndOffset) throw err
      this.ctx.logger.info(`Unexpected offset in append to ${this.topic}-${this.partitionIndex}: first offset ${first} is below the log start offset ${log.logStartOffset}; restarting the empty log at ${first}`)
      this.truncateFullyAndStartAt(first)
      info = this.log.appendAsFollower(records)
    }
    this.appendedBytes += records.length
    for (const h of batchHeaders(records)) this.recordProducer(h, records)
    this.maybeWritePendingSnapshot()
    return info
  }

  /** Sets the follower's high watermark from the leader's, capped by the log end offset (it may go down). */
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    this.highWatermark = Math.max(this.log.logStartOffset, Math.min(leaderHighWatermark, this.log.logEndOffset))
  }

  /** Follows the leader's log start offset (DeleteRecords, retention) once it is below our high watermark. */
  maybeIncrementLogStartOffset(leaderLogStartOffset: number): void {
    if (leaderLogStartOffset > this.log.logStartOffset && leaderLogStartOffset <= this.highWatermark) this.log.maybeIncrementLogStartOffset(leaderLogStartOffset)
  }

  /** Removes the log from `offset` on (follower truncation); the high watermark follows, producer state is rebuilt. */
  truncateTo(offset: number): void {
    const before = this.log.logEndOffset
    this.log.truncateTo(offset)
    if (this.highWatermark > this.log.logEndOffset) this.highWatermark = this.log.logEndOffset
    if (this.log.logEndOffset < before) {
      this.producerState.clear()
      this.rebuildProducerState()
    }
  }

  /** Empties the log and restarts it at `offset` (a follower far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset)
    this.highWatermark = offset
    this.producerState.clear()
    deleteProducerSnapshots(this.log.dir, () => true)
  }

  /**
   * Where to truncate after the leader answered `epoch` ends at `endOffset` for our last epoch
   * (Kafka `AbstractFetcherThread.getOffsetTruncationState`, KIP-101/KIP-279): to the smaller of
   * the leader's end offset and our own end offset for that epoch; when we do not know the leader's
   * epoch, to our end offset of the largest epoch below it, and ask again.
   */
  offsetTruncationState(epoch: number, endOffset: number, fetchOffset: number): TruncationState {
    const leo = this.log.logEndOffset
    if (endOffset < 0) return {offset: fetchOffset, completed: true}
    if (epoch < 0) return {offset: Math.min(endOffset, leo), completed: true}
    const local = this.log.endOffsetForEpoch(epoch)
    if (local.endOffset < 0) return {offset: Math.min(endOffset, leo), completed: true}
    if (local.epoch !== epoch) return {offset: Math.min(local.endOffset, leo), completed: false}
    return {offset: Math.min(local.endOffset, endOffset, leo), completed: true}
  }

  // ---- producer state -----------------------------------------------------------------------------

  /** Producer state from one batch read back (follower appends, rebuild): sequences, transactions, markers. */
  private recordProducer(h: RecordBatchHeader, buf: Buffer): void {
    if (h.producerId < 0) return
    if (isTxnControlBatch(h)) {
      const marker = readTxnMarker(buf, h)
      if (marker) this.completeTxn(h.producerId, h.producerEpoch, marker.coordinatorEpoch, h.baseOffset, !marker.committed, h.maxTimestamp)
      return
    }
    if (h.baseSequence >= 0) {
      this.producerState.update(h.producerId, h.producerEpoch, {
        firstSeq: h.baseSequence,
        lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
        firstOffset: h.baseOffset,
        lastOffset: lastOffsetOf(h),
        timestampMs: h.maxTimestamp,
      })
    }
    if ((h.attributes & TRANSACTIONAL_FLAG_MASK) !== 0) this.producerState.beginTxn(h.producerId, h.producerEpoch, h.baseOffset, h.maxTimestamp)
  }

  /**
   * Writes the producer-state snapshot `<LEO>.snapshot` (Kafka `ProducerStateManager.takeSnapshot`:
   * at clean shutdown; rolls write theirs through `maybeWritePendingSnapshot`).
   */
  writeProducerSnapshot(offset = this.log.logEndOffset): void {
    // as Kafka, only a new offset is worth a snapshot
    if (this.log.isClosed || offset === 0 || fs.existsSync(producerSnapshotFile(this.log.dir, offset))) return
    try {
      writeProducerSnapshot(this.log.dir, offset, this.producerState.snapshotEntries())
    } catch (err) {
      this.ctx.logger.warn(`Failed to write the producer snapshot of ${this.topic}-${this.partitionIndex} at offset ${offset}: ${(err as Error).message}`)
    }
  }

  /**
   * After an append that rolled the log: the snapshot named after the new segment's base offset,
   * with the state taken at the roll (the offsets below it, as Kafka), written on the thread pool
   * (Kafka flushes it asynchronously too) once the log's queued writes are done (`whenIoDone`): a
   * snapshot must never claim batches a crash can still lose, or hold batches a truncation to its
   * offset removes (a retried one would be taken for a duplicate and not stored).
   */
  private maybeWritePendingSnapshot(): void {
    const pending = this.pendingSnapshot
    if (pending === null) return
    this.pendingSnapshot = null
    if (this.log.isClosed || pending.offset === 0) return
    const log = this.log
    writeProducerSnapshotAsync(log.dir, pending.offset, pending.entries, log.whenIoDone()).catch((err: unknown) => {
      if (!log.isClosed) this.ctx.logger.warn(`Failed to write the producer snapshot of ${this.topic}-${this.partitionIndex} at offset ${pending.offset}: ${(err as Error).message}`)
    })
  }

  /** Drops producers idle for longer than `producer.id.expiration.ms` (checked every producer.id.expiration.check.interval.ms). */
  removeExpiredProducers(nowMs: number, expirationMs: number): void {
    this.producerState.removeExpired(nowMs, expirationMs)
  }

  /**
   * Rebuilds idempotent-producer and transaction state at load and after truncation (Kafka
   * `UnifiedLog.rebuildProducerState`): from the
   * latest valid `<offset>.snapshot` at or below the log end offset (later ones are deleted, a
   * corrupt one is deleted and the previous one tried), then replays the batch headers of the log
   * from that offset. Without a snapshot it replays the last two segments (as Kafka does for a log
   * without snapshots after a clean shutdown). A snapshot holds the state of the offsets below its
   * own; entries at or above it (older kts versions wrote the append that rolled into the roll's
   * snapshot) are dropped, the replay finds those batches again if the log still has them.
   * Markers replayed re-add their aborted transaction to the `.txnindex` if recovery lost it (an
   * entry already there is not duplicated).
   */
  private rebuildProducerState(): void {
    const log = this.log
    const end = log.logEndOffset
    deleteProducerSnapshots(log.dir, o => o > end)
    let offset = -1
    const snapshots = listProducerSnapshotOffsets(log.dir)
    for (let i = snapshots.length - 1; i >= 0 && offset < 0; i--) {
      const file = producerSnapshotFile(log.dir, snapshots[i])
      try {
        const at = snapshots[i]
        this.producerState.loadSnapshot(readProducerSnapshot(file).filter(e => e.lastOffset < at && e.currentTxnFirstOffset < at))
        offset = at
      } catch (err) {
        this.ctx.logger.warn(`Deleting the producer snapshot ${file}: ${(err as Error).message}`)
        fs.rmSync(file, {force: true})
      }
    }
    if (offset < 0) {
      const bases = log.segmentBaseOffsets()
      offset = bases.length >= 2 ? bases[bases.length - 2] : log.logStartOffset
    }
    offset = Math.max(offset, log.logStartOffset)
    while (offset < end) {
      const chunk = log.read(offset, 8 * 1024 * 1024, end, true)
      if (chunk.records.length === 0) return
      let next = offset
      for (const h of batchHeaders(chunk.records)) {
        if (h.producerId < 0 || lastOffsetOf(h) > this.producerState.lastOffsetOf(h.producerId)) this.recordProducer(h, chunk.records)
        next = lastOffsetOf(h) + 1
      }
      if (next <= offset) return
      offset = next
    }
  }
}
