/**
 * The batch checks of segment recovery (Kafka `LogSegment.recover`, spec §3.9) over chunks of a
 * `.log` file, shared by the synchronous recovery (`LogSegment.recover`: metadata log, tools,
 * tests) and the asynchronous one (`LogSegment.recoverAsync`: the broker's start-up, reads on
 * libuv's thread pool, checks on the event loop between reads).
 *
 * A batch is valid when it is complete within the file, has magic 2, a matching CRC-32C, a base
 * offset above the previous batch's last offset, a non-negative last offset delta and a last offset
 * within 2^31-1 of the segment's base offset. Checking stops at the first invalid or incomplete
 * batch: `position` is then where the file must be cut. Headers and CRCs only, no record decoding.
 */
import {
  BATCH_LENGTH_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET, PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD, isCrcValid, readInt64At,
} from '../../protocol/records/record-batch.js'
import type {BatchPosition} from './log-segment.js'

export class BatchValidator {
  /** File position of the next batch to check (after the last valid one). */
  position = 0
  /** Bytes the next batch needs from `position` before it can be checked (its header, then all of it). */
  needed = RECORD_BATCH_OVERHEAD
  /** True once checking stopped: an invalid batch at `position`, or the end of the file. */
  done: boolean
  private prevLastOffset: number

  /** `fileSize`: bytes of the `.log` (bytes past it are never looked at). */
  constructor(private readonly baseOffset: number, private readonly fileSize: number) {
    this.prevLastOffset = baseOffset - 1
    this.done = fileSize < RECORD_BATCH_OVERHEAD
  }

  /**
   * Checks the batches of `chunk`, which holds the file's bytes from `chunkStart` (≤ `position`),
   * calling `onBatch` for each valid one in order. Returns false once checking is done (`done`),
   * true when the batch at `position` needs bytes past the chunk (read `needed` bytes or more from
   * `position` and call again). A chunk that ends before the file does yet holds fewer than the
   * bytes `needed` asked for stops checking (the file was shorter than its size said).
   */
  feed(chunk: Buffer, chunkStart: number, onBatch: (b: BatchPosition) => void): boolean {
    if (this.done) return false
    const avail = chunk.length - (this.position - chunkStart)
    if (avail < this.needed) return this.stop()
    for (;;) {
      const pos = this.position
      if (pos + RECORD_BATCH_OVERHEAD > this.fileSize) return this.stop()
      const rel = pos - chunkStart
      if (rel + RECORD_BATCH_OVERHEAD > chunk.length) { this.needed = RECORD_BATCH_OVERHEAD; return true }
      const size = chunk.readInt32BE(rel + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
      if (size < RECORD_BATCH_OVERHEAD || chunk.readInt8(rel + MAGIC_OFFSET) !== 2 || pos + size > this.fileSize) return this.stop()
      if (rel + size > chunk.length) { this.needed = size; return true }
      if (!isCrcValid(chunk, rel, size)) return this.stop()
      const baseOffset = readInt64At(chunk, rel)
      const delta = chunk.readInt32BE(rel + LAST_OFFSET_DELTA_OFFSET)
      const lastOffset = baseOffset + delta
      if (baseOffset <= this.prevLastOffset || delta < 0 || lastOffset - this.baseOffset > 0x7fffffff) return this.stop()
      onBatch({baseOffset, lastOffset, position: pos, size, maxTimestamp: readInt64At(chunk, rel + MAX_TIMESTAMP_OFFSET),
        epoch: chunk.readInt32BE(rel + PARTITION_LEADER_EPOCH_OFFSET)})
      this.prevLastOffset = lastOffset
      this.position = pos + size
      this.needed = RECORD_BATCH_OVERHEAD
    }
  }

  private stop(): false {
    this.done = true
    return false
  }
}
