/**
 * One partition replica hosted by this node (Kafka `Partition`): its log, leadership (leader
 * epoch, ISR), high watermark, idempotent-producer state, and the waiters of long-poll fetches.
 *
 * Single-threaded by construction: state changes only between awaits.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {KafkaError} from '../../protocol/errors.js'
import {lastOffsetOf, batchHeaders} from '../../protocol/records/record-batch.js'
import type {UnifiedLog} from '../log/unified-log.js'
import {ProducerStateManager, lastSequenceOf} from './producer-state-manager.js'
import {validateProducedRecords} from './produce-validation.js'
import {recompressForTopic} from './recompress.js'

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
}

export class Partition {
  state: PartitionState
  highWatermark: number
  readonly producerState = new ProducerStateManager()
  private readonly waiters = new Set<(bytes: number) => void>()

  constructor(
    state: PartitionState,
    readonly log: UnifiedLog,
    private readonly nodeId: number,
    initialHighWatermark: number,
  ) {
    this.state = state
    this.highWatermark = Math.min(Math.max(initialHighWatermark, log.logStartOffset), log.logEndOffset)
    this.rebuildProducerState()
    this.maybeIncrementHighWatermark()
  }

  get topic(): string { return this.state.topic }
  get partitionIndex(): number { return this.state.partition }
  get isLeader(): boolean { return this.state.leader === this.nodeId }
  get leaderEpoch(): number { return this.state.leaderEpoch }
  get logStartOffset(): number { return this.log.logStartOffset }
  get logEndOffset(): number { return this.log.logEndOffset }
  /** Last stable offset: no transactions yet, so the high watermark. */
  get lastStableOffset(): number { return this.highWatermark }

  update(state: PartitionState): void {
    this.state = state
    this.maybeIncrementHighWatermark()
  }

  /**
   * Appends one partition's Produce data as leader. Returns a per-partition result (Kafka error
   * codes), never throws for bad input.
   * @param requiredAcks 0, 1 or -1 (all); with -1 the ISR must hold min.insync.replicas replicas
   */
  appendRecordsToLeader(records: Buffer | null, produceVersion: number, requiredAcks: number, minInsyncReplicas: number): ProduceResult {
    const result: ProduceResult = {errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: this.log.logStartOffset}
    if (!this.isLeader) {
      result.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER
      return result
    }
    const v = validateProducedRecords(records, produceVersion, this.log.config.maxMessageBytes)
    if (v.errorCode !== ErrorCode.NONE) {
      result.errorCode = v.errorCode
      result.errorMessage = v.errorMessage
      return result
    }
    if (requiredAcks === -1 && this.state.isr.length < Math.min(minInsyncReplicas, this.state.replicas.length)) {
      result.errorCode = ErrorCode.NOT_ENOUGH_REPLICAS
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
        return result
      }
      if (check.kind === 'error') {
        result.errorCode = check.errorCode
        result.errorMessage = check.message
        return result
      }
    }
    // The topic's compression.type (Kafka LogValidator): recompress when it names another codec.
    let stored = records!
    const config = this.log.config
    if (config.compressionType !== undefined && config.compressionType !== 'producer') {
      try {
        stored = recompressForTopic(stored, config.compressionType, {gzip: config.compressionGzipLevel, zstd: config.compressionZstdLevel})
      } catch (err) {
        result.errorCode = ErrorCode.CORRUPT_MESSAGE
        result.errorMessage = (err as Error).message
        return result
      }
      if (stored.length > config.maxMessageBytes) {
        result.errorCode = ErrorCode.MESSAGE_TOO_LARGE
        result.errorMessage = `The request included a message larger than the max message size the server will accept (${stored.length} > ${config.maxMessageBytes}).`
        return result
      }
    }
    const nowMs = Date.now()
    const info = this.log.appendAsLeader(stored, this.state.leaderEpoch, nowMs)
    if (h.producerId >= 0) {
      this.producerState.update(h.producerId, h.producerEpoch, {
        firstSeq: h.baseSequence, lastSeq, firstOffset: info.firstOffset, lastOffset: info.lastOffset, timestampMs: nowMs,
      })
    }
    result.baseOffset = info.firstOffset
    result.logAppendTimeMs = info.logAppendTimeMs
    result.logStartOffset = this.log.logStartOffset
    this.maybeIncrementHighWatermark()
    this.notifyWaiters(stored.length)
    return result
  }

  /**
   * Appends already-encoded batches (internal topics: coordinator records) as leader; throws
   * KafkaError NOT_LEADER_OR_FOLLOWER when not leader.
   */
  appendInternal(records: Buffer): {firstOffset: number, lastOffset: number} {
    if (!this.isLeader) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `Not the leader of ${this.topic}-${this.partitionIndex}`)
    const info = this.log.appendAsLeader(records, this.state.leaderEpoch, Date.now())
    this.maybeIncrementHighWatermark()
    this.notifyWaiters(records.length)
    return {firstOffset: info.firstOffset, lastOffset: info.lastOffset}
  }

  /**
   * High watermark = min log end offset over the ISR. Only the leader's own replica exists until
   * follower replication lands, so with an ISR of {leader} it follows the log end offset.
   */
  maybeIncrementHighWatermark(): void {
    if (!this.isLeader) return
    const others = this.state.isr.filter((id) => id !== this.nodeId)
    if (others.length === 0) {
      const leo = this.log.logEndOffset
      if (leo > this.highWatermark) this.highWatermark = leo
    }
  }

  /** Registers a callback fired with the byte count of each append (long-poll fetches). */
  addWaiter(fn: (bytes: number) => void): () => void {
    this.waiters.add(fn)
    return () => this.waiters.delete(fn)
  }

  private notifyWaiters(bytes: number): void {
    for (const w of [...this.waiters]) w(bytes)
  }

  /**
   * Rebuilds idempotent-producer state from the batch headers of the last two segments (Kafka
   * keeps producer-state snapshots instead; producers idle for longer than that are forgotten and
   * their next batch is accepted as a new sequence).
   */
  private rebuildProducerState(): void {
    const log = this.log
    const end = log.logEndOffset
    const bases = log.segmentBaseOffsets()
    let offset = Math.max(log.logStartOffset, bases.length >= 2 ? bases[bases.length - 2] : log.logStartOffset)
    while (offset < end) {
      const chunk = log.read(offset, 8 * 1024 * 1024, end, true)
      if (chunk.records.length === 0) return
      let next = offset
      for (const h of batchHeaders(chunk.records)) {
        if (h.producerId >= 0 && h.baseSequence >= 0) {
          this.producerState.update(h.producerId, h.producerEpoch, {
            firstSeq: h.baseSequence,
            lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
            firstOffset: h.baseOffset,
            lastOffset: lastOffsetOf(h),
            timestampMs: h.maxTimestamp,
          })
        }
        next = lastOffsetOf(h) + 1
      }
      if (next <= offset) return
      offset = next
    }
  }
}
