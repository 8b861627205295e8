/**
 * Idempotent-producer state of one partition: per producer id, its epoch and the metadata of
 * its last 5 appended batches (Kafka `ProducerStateManager` / `ProducerAppendInfo`,
 * `../shared/spec/storage-and-kraft.md` §8.1).
 *
 * Rules on append: a lower epoch → INVALID_PRODUCER_EPOCH; a batch whose sequence range equals a
 * cached one is a duplicate (not written, original offsets returned); a new epoch must start at
 * sequence 0; otherwise the first sequence must follow the last one (wrapping at 2^31−1), else
 * OUT_OF_ORDER_SEQUENCE_NUMBER. A producer with no state (new, expired, or lost with the log) may
 * start at any sequence.
 *
 * State is rebuilt at load by scanning batch headers of the tail of the log (no record decoding).
 */
import {ErrorCode} from '../../protocol/errors.js'
import type {ProducerSnapshotEntry} from '../log/producer-snapshot.js'

/** Batches remembered per producer for duplicate detection (Kafka's NUM_BATCHES_TO_RETAIN). */
export const NUM_BATCHES_TO_RETAIN = 5

export interface BatchMetadata {
  firstSeq: number
  lastSeq: number
  firstOffset: number
  lastOffset: number
  timestampMs: number
}

interface ProducerStateEntry {
  producerEpoch: number
  batches: BatchMetadata[]
  lastTimestampMs: number
}

export type SequenceCheck =
  | {kind: 'ok'}
  | {kind: 'duplicate'; batch: BatchMetadata}
  | {kind: 'error'; errorCode: number; message: string}

const MAX_SEQ = 2147483647

export class ProducerStateManager {
  private readonly entries = new Map<number, ProducerStateEntry>()

  get producerCount(): number {
    return this.entries.size
  }

  /** Checks an incoming batch of `producerId` (≥ 0) before it is appended. */
  check(producerId: number, producerEpoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    const entry = this.entries.get(producerId)
    if (!entry) return {kind: 'ok'}
    if (producerEpoch < entry.producerEpoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch of producer ${producerId} at offset is ${producerEpoch}, which is smaller than the last seen epoch ${entry.producerEpoch}`,
      }
    }
    if (producerEpoch > entry.producerEpoch) {
      if (firstSeq !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Invalid sequence number for new epoch of producer ${producerId} at epoch ${producerEpoch}: ${firstSeq} (request epoch), expected 0`,
        }
      }
      return {kind: 'ok'}
    }
    for (const b of entry.batches) {
      if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) return {kind: 'duplicate', batch: b}
    }
    const last = entry.batches[entry.batches.length - 1]
    if (last && firstSeq !== nextSeq(last.lastSeq)) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Out of order sequence number for producer ${producerId} at epoch ${producerEpoch}: ${firstSeq} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      }
    }
    return {kind: 'ok'}
  }

  /** Records an appended batch (also used when replaying the log at load). */
  update(producerId: number, producerEpoch: number, batch: BatchMetadata): void {
    let entry = this.entries.get(producerId)
    if (!entry || producerEpoch > entry.producerEpoch) {
      entry = {producerEpoch, batches: [], lastTimestampMs: batch.timestampMs}
      this.entries.set(producerId, entry)
    }
    entry.batches.push(batch)
    if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift()
    entry.lastTimestampMs = batch.timestampMs
  }

  /**
   * The state as producer-snapshot entries (Kafka `ProducerStateManager.writeSnapshot`): the last
   * batch of each producer. coordinatorEpoch and currentTxnFirstOffset are -1 (no transactions yet).
   */
  snapshotEntries(): ProducerSnapshotEntry[] {
    const out: ProducerSnapshotEntry[] = []
    for (const [producerId, e] of this.entries) {
      const last = e.batches[e.batches.length - 1]
      if (!last) continue
      out.push({producerId, epoch: e.producerEpoch, lastSequence: last.lastSeq, lastOffset: last.lastOffset,
        offsetDelta: last.lastOffset - last.firstOffset, timestamp: last.timestampMs, coordinatorEpoch: -1, currentTxnFirstOffset: -1})
    }
    return out
  }

  /** Replaces the state with a snapshot's entries (one batch remembered per producer, as Kafka loads them). */
  loadSnapshot(entries: readonly ProducerSnapshotEntry[]): void {
    this.entries.clear()
    for (const e of entries) {
      const firstSeq = e.lastSequence - e.offsetDelta
      this.entries.set(e.producerId, {producerEpoch: e.epoch, lastTimestampMs: e.timestamp, batches: [{
        firstSeq: firstSeq < 0 ? firstSeq + MAX_SEQ + 1 : firstSeq, lastSeq: e.lastSequence,
        firstOffset: e.lastOffset - e.offsetDelta, lastOffset: e.lastOffset, timestampMs: e.timestamp,
      }]})
    }
  }

  /** Last offset of the last batch recorded for `producerId`, -1 if none (replay skips batches at or below it). */
  lastOffsetOf(producerId: number): number {
    const e = this.entries.get(producerId)
    return e?.batches[e.batches.length - 1]?.lastOffset ?? -1
  }

  /** Producer id → last offset of its last appended batch (the log cleaner keeps those batches). */
  lastDataOffsets(): Map<number, number> {
    const m = new Map<number, number>()
    for (const [id, e] of this.entries) {
      const last = e.batches[e.batches.length - 1]
      if (last) m.set(id, last.lastOffset)
    }
    return m
  }

  /** Drops producers idle for longer than `producer.id.expiration.ms`. */
  removeExpired(nowMs: number, expirationMs: number): void {
    for (const [id, e] of this.entries) {
      if (nowMs - e.lastTimestampMs > expirationMs) this.entries.delete(id)
    }
  }

  /** Forgets state above a truncation point. */
  truncateAfter(offsetExclusive: number): void {
    for (const [id, e] of this.entries) {
      e.batches = e.batches.filter((b) => b.lastOffset < offsetExclusive)
      if (e.batches.length === 0) this.entries.delete(id)
    }
  }

  clear(): void {
    this.entries.clear()
  }
}

function nextSeq(seq: number): number {
  return seq === MAX_SEQ ? 0 : seq + 1
}

/** Last sequence of a batch (baseSequence + lastOffsetDelta, wrapping at 2^31−1). */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  const s = baseSequence + lastOffsetDelta
  return s > MAX_SEQ ? s - MAX_SEQ - 1 : s
}
