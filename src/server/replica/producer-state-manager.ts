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
 * Transactions (§8.2, Kafka `ProducerStateEntry.currentTxnFirstOffset`, `TxnMetadata`): the first
 * transactional batch of a producer opens its transaction at that batch's offset; a COMMIT/ABORT
 * marker closes it. The first unstable offset (the smallest first offset of an open transaction, or
 * of a completed one whose marker is not yet below the high watermark) bounds the last stable
 * offset (LSO) that read_committed consumers read up to.
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

/** One producer's state; `currentTxnFirstOffset` is what producer-state snapshots persist. */
export interface ProducerStateEntry {
  producerEpoch: number
  batches: BatchMetadata[]
  lastTimestampMs: number
  /** Epoch of the transaction coordinator that wrote this producer's last marker, -1 if none. */
  coordinatorEpoch: number
  /** First offset of the producer's open transaction, -1 when none is open. */
  currentTxnFirstOffset: number
}

/** A transaction closed by a marker (Kafka `CompletedTxn`). */
export interface CompletedTxn {
  producerId: number
  firstOffset: number
  /** Offset of the marker. */
  lastOffset: number
  isAborted: boolean
}

export type SequenceCheck =
  | {kind: 'ok'}
  | {kind: 'duplicate'; batch: BatchMetadata}
  | {kind: 'error'; errorCode: number; message: string}

const MAX_SEQ = 2147483647

export class ProducerStateManager {
  private readonly entries = new Map<number, ProducerStateEntry>()
  /** Open transactions: producer id → first offset. */
  private readonly ongoing = new Map<number, number>()
  /** Completed transactions whose marker the high watermark has not passed yet (Kafka `unreplicatedTxns`). */
  private unreplicated: CompletedTxn[] = []

  get producerCount(): number {
    return this.entries.size
  }

  /** The state of one producer (read-only use: DescribeProducers, snapshots), undefined when unknown. */
  entry(producerId: number): Readonly<ProducerStateEntry> | undefined {
    return this.entries.get(producerId)
  }

  /**
   * Restores one producer's state (a producer-state snapshot being loaded): its open transaction,
   * if `currentTxnFirstOffset` ≥ 0, counts for the LSO again.
   */
  restore(producerId: number, entry: ProducerStateEntry): void {
    this.entries.set(producerId, {...entry, batches: [...entry.batches]})
    if (entry.currentTxnFirstOffset >= 0) this.ongoing.set(producerId, entry.currentTxnFirstOffset)
    else this.ongoing.delete(producerId)
  }

  /** Every producer with state, by id. */
  allEntries(): ReadonlyMap<number, Readonly<ProducerStateEntry>> {
    return this.entries
  }

  /** Open transactions: producer id → first offset. */
  ongoingTransactions(): ReadonlyMap<number, number> {
    return this.ongoing
  }

  /**
   * The first offset not yet decided (Kafka `firstUnstableOffset`): the smallest first offset of an
   * open transaction or of a completed one whose marker is at or above `highWatermark`; null if none.
   */
  firstUnstableOffset(highWatermark: number): number | null {
    if (this.unreplicated.length > 0) this.unreplicated = this.unreplicated.filter(t => t.lastOffset >= highWatermark)
    let first: number | null = null
    for (const o of this.ongoing.values()) if (first === null || o < first) first = o
    for (const t of this.unreplicated) if (first === null || t.firstOffset < first) first = t.firstOffset
    return first
  }

  /**
   * Opens `producerId`'s transaction at `firstOffset` unless one is open (a transactional batch was
   * appended).
   */
  beginTxn(producerId: number, producerEpoch: number, firstOffset: number, timestampMs: number): void {
    let entry = this.entries.get(producerId)
    if (!entry) {
      entry = {producerEpoch, batches: [], lastTimestampMs: timestampMs, coordinatorEpoch: -1, currentTxnFirstOffset: -1}
      this.entries.set(producerId, entry)
    }
    if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch
      entry.batches = []
    }
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, timestampMs)
    if (entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = firstOffset
      this.ongoing.set(producerId, firstOffset)
    }
  }

  /**
   * Checks a transaction marker before it is appended (Kafka `ProducerAppendInfo.appendEndTxnMarker`):
   * INVALID_PRODUCER_EPOCH for an epoch below the producer's, TRANSACTION_COORDINATOR_FENCED for a
   * coordinator epoch below the last marker's; else NONE.
   */
  checkMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number): number {
    const entry = this.entries.get(producerId)
    if (!entry) return ErrorCode.NONE
    if (producerEpoch < entry.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
    if (coordinatorEpoch < entry.coordinatorEpoch) return ErrorCode.TRANSACTION_COORDINATOR_FENCED
    return ErrorCode.NONE
  }

  /**
   * Closes `producerId`'s open transaction with the marker at `markerOffset`.
   * @returns the completed transaction, or null when none was open (a marker for a partition with no data)
   */
  completeTxn(producerId: number, producerEpoch: number, coordinatorEpoch: number, markerOffset: number, isAborted: boolean, timestampMs: number): CompletedTxn | null {
    let entry = this.entries.get(producerId)
    if (!entry) {
      entry = {producerEpoch, batches: [], lastTimestampMs: timestampMs, coordinatorEpoch, currentTxnFirstOffset: -1}
      this.entries.set(producerId, entry)
    }
    if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch
      entry.batches = []
    }
    entry.coordinatorEpoch = Math.max(entry.coordinatorEpoch, coordinatorEpoch)
    entry.lastTimestampMs = Math.max(entry.lastTimestampMs, timestampMs)
    const first = entry.currentTxnFirstOffset
    entry.currentTxnFirstOffset = -1
    this.ongoing.delete(producerId)
    if (first < 0) return null
    const txn: CompletedTxn = {producerId, firstOffset: first, lastOffset: markerOffset, isAborted}
    this.unreplicated.push(txn)
    return txn
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
    if (!entry) {
      entry = {producerEpoch, batches: [], lastTimestampMs: batch.timestampMs, coordinatorEpoch: -1, currentTxnFirstOffset: -1}
      this.entries.set(producerId, entry)
    } else if (producerEpoch > entry.producerEpoch) {
      entry.producerEpoch = producerEpoch
      entry.batches = []
    }
    entry.batches.push(batch)
    if (entry.batches.length > NUM_BATCHES_TO_RETAIN) entry.batches.shift()
    entry.lastTimestampMs = batch.timestampMs
  }

  /**
   * The state as producer-snapshot entries (Kafka `ProducerStateManager.writeSnapshot`): the last
   * batch of each producer (lastSequence and lastOffset -1 for a producer known only from a marker or
   * an open transaction), its coordinator epoch and the first offset of its open transaction.
   */
  snapshotEntries(): ProducerSnapshotEntry[] {
    const out: ProducerSnapshotEntry[] = []
    for (const [producerId, e] of this.entries) {
      const last = e.batches[e.batches.length - 1]
      if (!last && e.currentTxnFirstOffset < 0 && e.coordinatorEpoch < 0) continue
      out.push({producerId, epoch: e.producerEpoch, lastSequence: last?.lastSeq ?? -1, lastOffset: last?.lastOffset ?? -1,
        offsetDelta: last ? last.lastOffset - last.firstOffset : 0, timestamp: last?.timestampMs ?? e.lastTimestampMs,
        coordinatorEpoch: e.coordinatorEpoch, currentTxnFirstOffset: e.currentTxnFirstOffset})
    }
    return out
  }

  /**
   * Replaces the state with a snapshot's entries (one batch remembered per producer, as Kafka loads
   * them); open transactions (`currentTxnFirstOffset` ≥ 0) hold the LSO again.
   */
  loadSnapshot(entries: readonly ProducerSnapshotEntry[]): void {
    this.clear()
    for (const e of entries) {
      const firstSeq = e.lastSequence - e.offsetDelta
      const batches: BatchMetadata[] = e.lastOffset < 0 ? [] : [{
        firstSeq: firstSeq < 0 ? firstSeq + MAX_SEQ + 1 : firstSeq, lastSeq: e.lastSequence,
        firstOffset: e.lastOffset - e.offsetDelta, lastOffset: e.lastOffset, timestampMs: e.timestamp,
      }]
      this.restore(e.producerId, {producerEpoch: e.epoch, lastTimestampMs: e.timestamp, batches,
        coordinatorEpoch: e.coordinatorEpoch, currentTxnFirstOffset: e.currentTxnFirstOffset})
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

  /** Drops producers idle for longer than `producer.id.expiration.ms` (not those with an open transaction). */
  removeExpired(nowMs: number, expirationMs: number): void {
    for (const [id, e] of this.entries) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestampMs > expirationMs) this.entries.delete(id)
    }
  }

  clear(): void {
    this.entries.clear()
    this.ongoing.clear()
    this.unreplicated = []
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
