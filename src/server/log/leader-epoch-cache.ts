/**
 * Leader-epoch cache (Kafka `LeaderEpochFileCache`, spec §3.5, §6): epoch → start offset history,
 * persisted as the `leader-epoch-checkpoint` CheckpointFile (version 0, lines `epoch startOffset`).
 * Writes go through the file's AtomicFileWriter, so they never interleave and the newest entries
 * land last: `assign` (no fsync), `clear` and `flush()` synchronously; `flushAsync()` and, for a log
 * with asynchronous I/O (`backgroundWrites`), truncations on the thread pool.
 */
import path from 'node:path'
import {readCheckpointFile, writeCheckpointFile, writeCheckpointFileAsync} from './checkpoint-file.js'
import {busyFileWriter} from './atomic-file-writer.js'

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint'

export interface EpochEntry { epoch: number; startOffset: number }

export class LeaderEpochCache {
  private entries: EpochEntry[] = []
  readonly file: string
  private readonly backgroundWrites: boolean
  /** Written without fsync since the last `flush()`. */
  private dirty = false
  /** The last flushAsync's write (a clean cache's flushAsync waits for it). */
  private lastFlush: Promise<void> = Promise.resolve()

  /**
   * @param dir the log directory
   * @param opts.backgroundWrites truncations rewrite the file on the thread pool (logs whose I/O is
   *   asynchronous); otherwise durably at once (the metadata log, tools)
   */
  constructor(dir: string, opts: {backgroundWrites?: boolean} = {}) {
    this.backgroundWrites = opts.backgroundWrites ?? false
    this.file = path.join(dir, LEADER_EPOCH_CHECKPOINT_FILE)
    for (const f of readCheckpointFile(this.file)) {
      const epoch = Number(f[0]); const startOffset = Number(f[1])
      if (f.length !== 2 || !Number.isInteger(epoch) || !Number.isInteger(startOffset)) throw new Error(`Malformed line in checkpoint file ${this.file}: ${f.join(' ')}`)
      this.entries.push({epoch, startOffset})
    }
  }

  all(): EpochEntry[] { return this.entries.slice() }
  latestEpoch(): number | null { return this.entries.length ? this.entries[this.entries.length - 1].epoch : null }

  /**
   * Records that `epoch` starts at `startOffset` (Kafka `LeaderEpochFileCache.assign`): a no-op for
   * the latest epoch at the same or a later offset; otherwise entries that would break monotonicity
   * (an epoch ≥ `epoch` or a start offset ≥ `startOffset`) are dropped first. With `persist` the
   * file is rewritten without fsync (Kafka since KAFKA-15046): it is fsynced with the log's next
   * flush, and recovery of the unflushed part of a log re-assigns the epochs of its batches.
   * Returns true if added.
   */
  assign(epoch: number, startOffset: number, persist = true): boolean {
    if (epoch < 0 || startOffset < 0) return false
    const latest = this.entries[this.entries.length - 1]
    if (latest && latest.epoch === epoch && startOffset >= latest.startOffset) return false
    while (this.entries.length > 0) {
      const last = this.entries[this.entries.length - 1]
      if (last.epoch < epoch && last.startOffset < startOffset) break
      this.entries.pop()
    }
    this.entries.push({epoch, startOffset})
    this.dirty = true
    if (persist) this.write(false)
    return true
  }

  /** Kafka's endOffsetFor: (epoch, end offset) per OffsetForLeaderEpoch; (-1, -1) when unknown. */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): {epoch: number, endOffset: number} {
    if (requestedEpoch < 0 || this.entries.length === 0) return {epoch: -1, endOffset: -1}
    if (requestedEpoch === this.latestEpoch()) return {epoch: requestedEpoch, endOffset: logEndOffset}
    const hi = this.entries.findIndex(e => e.epoch > requestedEpoch)
    if (hi < 0) return {epoch: -1, endOffset: -1}
    if (hi === 0) return {epoch: requestedEpoch, endOffset: this.entries[0].startOffset}
    return {epoch: this.entries[hi - 1].epoch, endOffset: this.entries[hi].startOffset}
  }

  /** Epoch of the entry covering `offset`, or -1. */
  epochForOffset(offset: number): number {
    let e = -1
    for (const x of this.entries) { if (x.startOffset <= offset) e = x.epoch; else break }
    return e
  }

  /**
   * Removes entries with startOffset ≥ endOffset (log truncation). The file is rewritten in the
   * background (Kafka `truncateFromEndAsyncFlush`: a follower must not wait for an fsync); stale
   * entries a crash may leave are truncated again when the log is loaded.
   */
  truncateFromEnd(endOffset: number): void {
    const n = this.entries.length
    this.entries = this.entries.filter(e => e.startOffset < endOffset)
    if (this.entries.length !== n) this.writeInBackground()
  }

  /**
   * Drops entries wholly below startOffset; the last one below moves up to startOffset. The file is
   * rewritten in the background (Kafka `truncateFromStartAsyncFlush`: DeleteRecords and retention
   * must not wait for an fsync); the log start offset checkpoint redoes it at load after a crash.
   */
  truncateFromStart(startOffset: number): void {
    let i = 0
    while (i + 1 < this.entries.length && this.entries[i + 1].startOffset <= startOffset) i++
    const kept = this.entries.slice(i)
    let changed = kept.length !== this.entries.length
    if (kept.length && kept[0].startOffset < startOffset) { kept[0] = {epoch: kept[0].epoch, startOffset}; changed = true }
    this.entries = kept
    if (changed) this.writeInBackground()
  }

  /** Removes every entry and rewrites the file durably at once (Kafka `clearAndFlush`). */
  clear(): void { this.entries = []; this.write(true) }

  /** Whether a flush has something to make durable (entries changed since the last flush, or a write of the file in flight). */
  get flushPending(): boolean { return this.dirty || busyFileWriter(this.file) !== undefined }

  /**
   * Makes the checkpoint durable, synchronously: writes it with fsync when it changed since the last
   * flush (or was truncated) or an async write of it is still in flight.
   */
  flush(): void {
    if (this.dirty || busyFileWriter(this.file)) this.write(true)
  }

  /**
   * `flush()` on the thread pool: when the entries changed since the last flush, writes them (tmp,
   * fsync, rename, directory fsync) after any write of the file in flight, coalesced with later ones.
   * Resolves once entries at least as new as these are durable; rejects with the fs error (the
   * cache then stays dirty, so the next flush writes again).
   */
  flushAsync(): Promise<void> {
    if (!this.dirty) return this.lastFlush
    this.dirty = false
    this.lastFlush = writeCheckpointFileAsync(this.file, 0, this.lines()).catch((e: unknown) => {
      this.dirty = true
      throw e
    })
    return this.lastFlush
  }

  private lines(): string[] {
    return this.entries.map(e => `${e.epoch} ${e.startOffset}`)
  }

  /**
   * With `backgroundWrites`, writes the entries with fsync on the thread pool, coalesced with other
   * writes of the file; the cache stays dirty, so the next flush writes (and reports a failure of)
   * it again. Otherwise writes them durably at once.
   */
  private writeInBackground(): void {
    if (!this.backgroundWrites) { this.write(true); return }
    this.dirty = true
    writeCheckpointFileAsync(this.file, 0, this.lines()).catch(() => undefined)
  }

  private write(sync: boolean): void {
    writeCheckpointFile(this.file, 0, this.lines(), {sync})
    if (sync) this.dirty = false
  }
}
