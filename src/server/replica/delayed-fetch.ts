/**
 * A fetch waiting for `minBytes` (Kafka `DelayedFetch`): it watches every partition it reads and
 * completes when enough new data is readable — below the high watermark (last stable offset for
 * read_committed) for consumers, below the log end offset for followers — or when something
 * changes that the answer must show (leadership or leader epoch, a leader log truncated below a
 * follower's fetch offset), or after `maxWaitMs`. It then reads again and answers with what is there.
 *
 * New bytes are counted from the partition's append counter, capped per partition at its
 * `partitionMaxBytes`; a partition with anything readable counts at least one byte, so a
 * `minBytes` of 1 is met as soon as data becomes visible.
 */
import {DelayedOperation} from './delayed-operation.js'
import type {Partition} from './partition.js'

export interface FetchWait {
  /** The partition as it was when the fetch started (undefined: not hosted then). */
  partition: Partition | undefined
  fetchOffset: number
  partitionMaxBytes: number
  /** `partition.appendedBytes` when the fetch started. */
  appendedBytes: number
  leaderEpoch: number
}

export interface DelayedFetchOptions {
  waits: FetchWait[]
  minBytes: number
  /** Bytes the first read found. */
  initialBytes: number
  /** A follower's fetch (reads up to the log end offset). */
  fromFollower: boolean
  /** read_committed. */
  readCommitted: boolean
  /** Whether `p` is still the partition object the node hosts for its key. */
  isCurrent(p: Partition): boolean
  /** Called once, when the fetch completes. */
  done(): void
}

export class DelayedFetch extends DelayedOperation {
  constructor(private readonly o: DelayedFetchOptions) {
    super()
  }

  tryComplete(): boolean {
    let bytes = this.o.initialBytes
    for (const w of this.o.waits) {
      const p = w.partition
      if (p === undefined) continue
      if (!this.o.isCurrent(p) || !p.isLeader || p.leaderEpoch !== w.leaderEpoch) return this.forceComplete()
      const limit = this.o.fromFollower ? p.logEndOffset : this.o.readCommitted ? p.lastStableOffset : p.highWatermark
      // A follower's log end offset below its fetch offset: the log was truncated, answer now. A
      // consumer may wait above a high watermark that has not caught up yet (a new leader).
      if (limit < w.fetchOffset && this.o.fromFollower) return this.forceComplete()
      // only bytes already written to the file can be read (the log calls back when more are)
      const end = Math.min(limit, p.log.writtenEndOffset)
      if (end > w.fetchOffset) bytes += Math.max(1, Math.min(w.partitionMaxBytes, p.appendedBytes - w.appendedBytes))
    }
    return bytes >= this.o.minBytes ? this.forceComplete() : false
  }

  protected onComplete(): void {
    this.o.done()
  }
}
