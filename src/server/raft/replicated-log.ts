/**
 * The storage seams of the Raft core (Kafka `ReplicatedLog`, `QuorumStateStore`, the snapshot
 * half of `ReplicatedLog`, `RecordSerde`). All synchronous: the core calls them inside one step.
 * File-backed implementations: `kafka-metadata-log.ts`, `quorum-state-file.ts`,
 * `file-snapshot-store.ts`; in-memory ones live in the simulation (test/unit/server/raft/sim).
 */
import type {ElectionState} from './quorum-state-file.js'
import type {SnapshotId} from './snapshot-file.js'

export type {ElectionState, SnapshotId}

/** An end offset and the leader epoch of the record before it (Kafka `OffsetAndEpoch`). */
export interface OffsetAndEpoch {
  offset: number
  epoch: number
}

/**
 * The replicated log of one partition (`__cluster_metadata-0`): record batches v2 with
 * consecutive offsets from `startOffset()` to `endOffset()`, each stamped with the epoch of the
 * leader that wrote it.
 */
export interface ReplicatedLog {
  /** First offset held (0, or the end offset of the snapshot the log was trimmed to). */
  startOffset(): number
  /** Offset the next appended record gets. */
  endOffset(): number
  /** Epoch of the last batch; null when the log holds no batch. */
  lastEpoch(): number | null
  /**
   * Appends whole batches, assigning offsets from `endOffset()` and stamping `epoch`.
   * @throws Error for malformed batches
   */
  appendAsLeader(records: Buffer, epoch: number): {firstOffset: number, lastOffset: number}
  /**
   * Appends whole batches as fetched from the leader (offsets and epochs kept).
   * @throws Error when the first batch does not start at `endOffset()` or a batch is malformed
   */
  appendAsFollower(records: Buffer): {firstOffset: number, lastOffset: number}
  /**
   * Whole batches from the one holding `offset`, up to about `maxBytes` (at least one batch);
   * empty at the end of the log. Never reads the whole tail into memory.
   * @throws Error when `offset` is outside [startOffset, endOffset]
   */
  read(offset: number, maxBytes: number): Buffer
  /**
   * Kafka's `LeaderEpochFileCache.endOffsetFor`: for the largest epoch ≤ `epoch` held, that epoch
   * and its end offset (the start of the next epoch, or endOffset() for the latest); when `epoch`
   * is below every epoch held, `{epoch, offset: start of the first epoch}`; null when the log holds
   * no batch.
   */
  endOffsetForEpoch(epoch: number): OffsetAndEpoch | null
  /** Removes every record at or after `offset` (no-op when offset ≥ endOffset()). */
  truncateTo(offset: number): void
  /** Removes everything; the log restarts empty at `offset` (after a snapshot download). */
  truncateFullyAndStartAt(offset: number): void
  /** Raises the log start offset to `offset` (≤ endOffset(), at a snapshot) and deletes older data. */
  deleteBefore(offset: number): void
  /** Makes every appended batch durable (fsync). */
  flush(): void
  /** Bytes held. */
  sizeInBytes(): number
  close(): void
}

/** The `quorum-state` file: written (durably) on every change of epoch, vote or known leader. */
export interface QuorumStateStore {
  /** @throws Error when the stored state is unreadable */
  read(): ElectionState | null
  write(state: ElectionState): void
}

/**
 * Snapshot files `<endOffset>-<epoch>.checkpoint` as raw bytes (snapshot-file.ts format). Writes
 * are atomic and durable: a snapshot is either complete or absent.
 */
export interface SnapshotStore {
  /** Complete snapshots, ascending by end offset. */
  list(): SnapshotId[]
  /** Size in bytes, or -1 when absent. */
  size(id: SnapshotId): number
  /** Bytes [position, position + maxBytes) of a snapshot. */
  read(id: SnapshotId, position: number, maxBytes: number): Buffer
  write(id: SnapshotId, bytes: Buffer): void
  delete(id: SnapshotId): void
}

/** Turns the owner's records into record values and back (Kafka `RecordSerde`). */
export interface RecordSerde<T> {
  encode(record: T): Buffer
  /** @throws Error for an undecodable value */
  decode(value: Buffer): T
}

export function sameSnapshotId(a: SnapshotId | null, b: SnapshotId | null): boolean {
  return a !== null && b !== null && a.endOffset === b.endOffset && a.epoch === b.epoch
}
