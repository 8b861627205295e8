/**
 * One partition's log (Kafka `UnifiedLog` + `LocalLog`, spec §3): a directory of segments, the
 * leader-epoch cache and partition.metadata. Appends and reads work on batch headers only.
 *
 * With `asyncIo` (partition logs) every file change is queued on the log's `LogIo` and runs in
 * order on libuv's thread pool: an append updates the in-memory state (offsets, indexes, epoch
 * cache) at once and its bytes are written behind; `whenIoDone()` tells when they are in the file
 * (a produce is acknowledged then), `writtenEndOffset` is the offset up to which they are, and
 * `readAsync` (Fetch) reads only that far. Without it (the metadata log, tools) all I/O is synchronous.
 * `open` loads (and recovers) a log synchronously; `openAsync` (the broker's start-up) does it off the event loop.
 */
import fs from 'node:fs'
import {randomDashedUuid} from '../../protocol/primitives/uuid.js'
import {
  ATTRIBUTES_OFFSET, BATCH_LENGTH_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD, TIMESTAMP_TYPE_MASK, isCrcValid, readInt64At, setBaseOffset, setPartitionLeaderEpoch, updateCrc, writeInt64At,
} from '../../protocol/records/record-batch.js'
import {
  CorruptRecordError, DEFAULT_LOG_CONFIG, OffsetOutOfRangeError, RecordTooLargeError, UnexpectedAppendOffsetError,
  type LogAppendInfo, type LogConfig, type LogLogger, type TopicPartition,
} from './log-config.js'
import {LogSegment, CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX, type BatchPosition} from './log-segment.js'
import {fsyncDir} from './checkpoint-file.js'
import {busyFileWritersIn} from './atomic-file-writer.js'
import {producerSnapshotFile} from './producer-snapshot.js'
import {decodeRecordBatch, type DecodedRecord} from '../../protocol/records/records.js'
import {LeaderEpochCache} from './leader-epoch-cache.js'
import type {AbortedTxn} from './transaction-index.js'
import {loadSegments, loadSegmentsAsync, type LoadedLog} from './log-loader.js'
import {LogIo, LogIoError, SYNC_IO} from './log-io.js'
import {readPartitionMetadata, writePartitionMetadata} from './partition-metadata.js'

export * from './log-config.js'

export interface UnifiedLogOpenOptions {
  dir: string
  topicPartition: TopicPartition
  config: LogConfig
  /** Offset up to which data is known flushed (recovery-point-offset-checkpoint). */
  recoveryPoint: number
  logStartOffset?: number
  hadCleanShutdown: boolean
  topicId?: string
  logger?: LogLogger
  /** Called after a roll with the new segment's base offset (producer snapshots, replica layer). */
  onRoll?: (newBaseOffset: number) => void
  /** File I/O queued and run off the event loop (partition logs); default synchronous. */
  asyncIo?: boolean
}

export class UnifiedLog {
  readonly dir: string
  readonly topicPartition: TopicPartition
  config: LogConfig
  topicId?: string
  onRoll?: (newBaseOffset: number) => void
  /** Bytes truncated by recovery when opened. */
  readonly bytesTruncatedOnLoad: number
  /**
   * Last offset of the last data batch of every producer the partition still tracks (producer id →
   * offset): the log cleaner keeps those batches (as empty headers if need be) so that producers'
   * sequences survive compaction (Kafka `LogCleaner` `lastRecordsOfActiveProducers`). Set by the
   * replica layer; unset, the cleaner keeps the header of every emptied batch that has a producer id.
   */
  activeProducerLastOffsets?: () => ReadonlyMap<number, number>
  /**
   * Bumped whenever segments are removed or cut below the active segment (retention, DeleteRecords,
   * truncation, a cleaner swap, close): the cleaner swaps its output in only if this did not change
   * while it worked (Kafka aborts cleaning around these operations instead).
   */
  segmentsVersion = 0
  /**
   * Called on the event loop after appended bytes reached the file (`writtenEndOffset` moved): the
   * replica layer completes delayed fetches then.
   */
  onWritten?: (writtenEndOffset: number) => void
  private readonly io: LogIo
  /** Offset up to which appended batches are in the files. */
  private writtenLeo: number
  /** Bumped by truncations: writes queued before one do not move `writtenLeo`. */
  private ioGeneration = 0
  private segments: LogSegment[]
  private leo: number
  private lso: number
  private recovery: number
  private readonly epochCache: LeaderEpochCache
  private unflushedMessages = 0
  /** A leader-epoch checkpoint flush is queued and has not started. */
  private epochFlushQueued = false
  /** Offset up to which flushData() fsynced the `.log` files. */
  private dataFlushedTo = 0
  private lastFlushMs = Date.now()
  private closed = false

  /** `preloaded`: the segments `openAsync` loaded, with the I/O queue and epoch cache they used (else loaded here, synchronously). */
  private constructor(opts: UnifiedLogOpenOptions, preloaded?: {loaded: LoadedLog, io: LogIo, epochCache: LeaderEpochCache}) {
    this.dir = opts.dir
    this.topicPartition = opts.topicPartition
    this.config = opts.config
    this.onRoll = opts.onRoll
    if (!preloaded) fs.mkdirSync(this.dir, {recursive: true})
    this.io = preloaded?.io ?? (opts.asyncIo ? new LogIo(true) : SYNC_IO)
    this.epochCache = preloaded?.epochCache ?? new LeaderEpochCache(this.dir, {backgroundWrites: this.io.isAsync})
    const loaded = preloaded?.loaded ?? loadSegments({dir: this.dir, config: this.config, recoveryPoint: opts.recoveryPoint,
      logStartOffset: opts.logStartOffset ?? 0, hadCleanShutdown: opts.hadCleanShutdown, epochCache: this.epochCache})
    this.segments = loaded.segments
    for (const seg of this.segments) seg.attachIo(this.io)
    this.leo = loaded.logEndOffset
    this.writtenLeo = this.leo
    this.recovery = loaded.recoveryPoint
    this.bytesTruncatedOnLoad = loaded.bytesTruncated
    this.lso = Math.min(Math.max(opts.logStartOffset ?? 0, this.segments[0].baseOffset), this.leo)
    this.epochCache.truncateFromStart(this.lso)
    if (loaded.bytesTruncated > 0) {
      opts.logger?.warn(`Recovery of ${this.dir} truncated ${loaded.bytesTruncated} bytes; log end offset ${this.leo}`)
      // Aborted transactions whose marker recovery removed leave the .txnindex too.
      for (const seg of this.segments) seg.txnIndex.truncateTo(this.leo)
    }
    const existingId = readPartitionMetadata(this.dir)
    if (existingId !== undefined && opts.topicId !== undefined && existingId !== opts.topicId) {
      for (const seg of this.segments) seg.closeHandles()
      throw new Error(`Inconsistent topic id for ${this.dir}: partition.metadata has ${existingId}, expected ${opts.topicId}`)
    }
    if (opts.topicId !== undefined && existingId === undefined) writePartitionMetadata(this.dir, opts.topicId)
    this.topicId = existingId ?? opts.topicId
  }

  /** Opens or creates the log in `dir`, running recovery (spec §3.9) when !hadCleanShutdown. */
  static open(opts: UnifiedLogOpenOptions): UnifiedLog {
    return new UnifiedLog({...opts, config: opts.config ?? DEFAULT_LOG_CONFIG})
  }

  /**
   * As `open`, with the loading off the event loop (the broker's start-up; Kafka `LogLoader` on a
   * `num.recovery.threads.per.data.dir` thread): segment files opened, indexes read and, after an
   * unclean shutdown, batches read and checked in 1 MiB chunks on libuv's thread pool
   * (`loadSegmentsAsync`), index rebuilds and truncations queued on the log's `LogIo`; resolves once
   * those completed. Same result as `open`. Rejects with the fs error, or as `open` throws.
   */
  static async openAsync(opts: UnifiedLogOpenOptions): Promise<UnifiedLog> {
    const o = {...opts, config: opts.config ?? DEFAULT_LOG_CONFIG}
    await fs.promises.mkdir(o.dir, {recursive: true})
    const io = o.asyncIo ? new LogIo(true) : SYNC_IO
    const epochCache = new LeaderEpochCache(o.dir, {backgroundWrites: io.isAsync})
    const loaded = await loadSegmentsAsync({dir: o.dir, config: o.config, recoveryPoint: o.recoveryPoint,
      logStartOffset: o.logStartOffset ?? 0, hadCleanShutdown: o.hadCleanShutdown, epochCache, io})
    try {
      await io.idle()
    } catch (e) {
      for (const seg of loaded.segments) seg.closeHandles()
      throw e
    }
    return new UnifiedLog(o, {loaded, io, epochCache})
  }

  get logStartOffset(): number { return this.lso }
  get logEndOffset(): number { return this.leo }
  /** Offset up to which appended batches are in the files (≤ logEndOffset; equal when the I/O is synchronous). */
  get writtenEndOffset(): number { return this.writtenLeo }

  /**
   * Resolves once every file operation queued on this log so far has completed (write-behind
   * appends, fsyncs, truncations); rejects with the I/O error if one failed.
   */
  whenIoDone(): Promise<void> { return this.io.idle() }

  /**
   * Makes this log's file I/O synchronous from now on (clean shutdown, after `whenIoDone()`), so
   * that flush and close finish before the clean-shutdown marker. False while writes are in flight.
   */
  useSyncIo(): boolean { return this.io.toSync() }

  /** The I/O error that stopped this log's file queue, if any (then appends fail with KAFKA_STORAGE_ERROR). */
  get ioFailure(): Error | null { return this.io.failure }

  private markWritten(offset: number, generation: number): void {
    if (generation !== this.ioGeneration || offset <= this.writtenLeo) return
    this.writtenLeo = offset
    this.onWritten?.(offset)
  }

  /** Queues the notice that everything up to the LEO is in the files (after what is queued now). */
  private queueWrittenMark(): void {
    if (!this.io.isAsync) { this.markWritten(this.leo, this.ioGeneration); return }
    const offset = this.leo
    const generation = this.ioGeneration
    this.io.submit({kind: 'call', fn: () => this.markWritten(offset, generation)})
  }

  /** A truncation: queued writes from before it no longer count, the written end offset follows the cut. */
  private afterTruncation(): void {
    this.ioGeneration++
    this.writtenLeo = Math.min(this.writtenLeo, this.leo)
    this.queueWrittenMark()
  }
  get recoveryPoint(): number { return this.recovery }
  get size(): number { let s = 0; for (const seg of this.segments) s += seg.size; return s }
  get numberOfSegments(): number { return this.segments.length }
  /** Base offsets of all segments, oldest first. */
  segmentBaseOffsets(): number[] { return this.segments.map(s => s.baseOffset) }
  private get active(): LogSegment { return this.segments[this.segments.length - 1] }
  /** Base offset of the active (last) segment: the cleaner never touches it. */
  get activeSegmentBaseOffset(): number { return this.active.baseOffset }
  /** True when cleanup.policy includes `compact`. */
  get isCompacted(): boolean { return this.config.cleanupPolicy.split(',').some(p => p.trim() === 'compact') }

  /** The segments below the active one, oldest first (the log cleaner reads them; it must not modify them). */
  nonActiveSegments(): readonly LogSegment[] { return this.segments.slice(0, -1) }

  /**
   * Swaps a cleaned segment (files suffixed `.cleaned`, flushed) in for `oldSegments` (consecutive,
   * oldest first, the first with the same base offset), crash-safely as Kafka's
   * `LocalLog.replaceSegments`: `.cleaned` → `.swap`, the old segments renamed `*.deleted` (removed
   * after file.delete.delay.ms), then `.swap` → final name; a crash at any point is completed by
   * recovery (log-loader `completeInterruptedSwaps`). Returns false, touching nothing, when the
   * segments changed meanwhile (`segmentsVersion` differs from `expectedVersion`) or the log closed.
   * `beforeSwap` runs after the `.swap` rename (a test hook that pauses there).
   */
  async replaceSegments(cleaned: LogSegment, oldSegments: readonly LogSegment[], expectedVersion: number, beforeSwap?: () => Promise<void>): Promise<boolean> {
    const stillThere = (): boolean => !this.closed && this.segmentsVersion === expectedVersion && oldSegments.every(s => this.segments.includes(s))
    if (!stillThere()) return false
    cleaned.changeFileSuffixes(CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX)
    if (this.io.isAsync) {
      this.io.submit({kind: 'fsyncDir', dir: this.dir})
      await this.io.idle()
    } else {
      fsyncDir(this.dir)
    }
    if (beforeSwap) await beforeSwap()
    if (!stillThere()) {
      cleaned.changeFileSuffixes(SWAP_FILE_SUFFIX, CLEANED_FILE_SUFFIX)
      return false
    }
    const first = this.segments.indexOf(oldSegments[0])
    this.segments.splice(first, oldSegments.length, cleaned)
    for (const seg of oldSegments) this.scheduleDelete(seg)
    cleaned.changeFileSuffixes(SWAP_FILE_SUFFIX, '')
    cleaned.attachIo(this.io)
    this.io.submit({kind: 'fsyncDir', dir: this.dir})
    this.segmentsVersion++
    return true
  }

  /**
   * Checks batch framing (complete, magic 2, CRC) and returns header facts. Throws
   * CorruptRecordError (CORRUPT_MESSAGE) or RecordTooLargeError (MESSAGE_TOO_LARGE).
   */
  private analyze(records: Buffer, checkSize: boolean): BatchPosition[] {
    const out: BatchPosition[] = []
    let p = 0
    if (records.length === 0) throw new CorruptRecordError('Empty record set')
    while (p < records.length) {
      if (p + RECORD_BATCH_OVERHEAD > records.length) throw new CorruptRecordError(`Incomplete record batch at byte ${p}`)
      const size = records.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
      if (size < RECORD_BATCH_OVERHEAD || p + size > records.length) throw new CorruptRecordError(`Invalid batch length at byte ${p}`)
      if (records.readInt8(p + MAGIC_OFFSET) !== 2) throw new CorruptRecordError(`Unsupported magic ${records.readInt8(p + MAGIC_OFFSET)} at byte ${p}`)
      if (checkSize && size > this.config.maxMessageBytes) throw new RecordTooLargeError(`Batch of ${size} bytes exceeds max.message.bytes ${this.config.maxMessageBytes}`)
      if (!isCrcValid(records, p, size)) throw new CorruptRecordError(`CRC mismatch in batch at byte ${p}`)
      const delta = records.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET)
      if (delta < 0) throw new CorruptRecordError(`Negative lastOffsetDelta at byte ${p}`)
      const baseOffset = readInt64At(records, p)
      out.push({baseOffset, lastOffset: baseOffset + delta, position: p, size, maxTimestamp: readInt64At(records, p + MAX_TIMESTAMP_OFFSET), epoch: records.readInt32BE(p + 12)})
      p += size
    }
    return out
  }

  /**
   * Appends batches as leader: assigns offsets from the LEO and the leader epoch (in `records`,
   * which must not change afterwards: with asynchronous I/O it is written later), rewrites
   * LogAppendTime timestamps. With asynchronous I/O the bytes are in the file once `whenIoDone()` resolves.
   * @throws CorruptRecordError, RecordTooLargeError, LogIoError (the log's file I/O failed)
   */
  appendAsLeader(records: Buffer, leaderEpoch: number, nowMs = Date.now()): LogAppendInfo {
    this.ensureOpen()
    const batches = this.analyze(records, true)
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime'
    let next = this.leo
    for (const b of batches) {
      const delta = b.lastOffset - b.baseOffset
      setBaseOffset(records, b.position, next)
      setPartitionLeaderEpoch(records, b.position, leaderEpoch)
      b.baseOffset = next; b.lastOffset = next + delta; b.epoch = leaderEpoch
      if (logAppendTime) {
        writeInt64At(records, b.position + MAX_TIMESTAMP_OFFSET, nowMs)
        records.writeInt16BE(records.readInt16BE(b.position + ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK, b.position + ATTRIBUTES_OFFSET)
        updateCrc(records, b.position, b.size)
        b.maxTimestamp = nowMs
      }
      next = b.lastOffset + 1
    }
    return this.doAppend(records, batches, logAppendTime ? nowMs : -1, nowMs)
  }

  /** Appends batches fetched from the leader with their offsets and epochs (see appendAsLeader for the I/O). */
  appendAsFollower(records: Buffer): LogAppendInfo {
    this.ensureOpen()
    const batches = this.analyze(records, false)
    let prev = this.leo - 1
    for (const b of batches) {
      if (b.baseOffset <= prev) throw new UnexpectedAppendOffsetError(`Batch base offset ${b.baseOffset} is not above ${prev} (log end offset ${this.leo}) in ${this.dir}`)
      prev = b.lastOffset
    }
    return this.doAppend(records, batches, -1, Date.now())
  }

  private doAppend(records: Buffer, batches: BatchPosition[], logAppendTimeMs: number, nowMs: number): LogAppendInfo {
    if (this.io.failure) throw new LogIoError(`The log ${this.dir} is offline after an I/O error: ${this.io.failure.message}`, this.io.failure)
    let maxTimestamp = -1
    let i = 0
    while (i < batches.length) {
      // group batches into runs that fit the current segment: one write per segment
      const first = batches[i]
      if (this.active.shouldRoll(first.size, first.maxTimestamp, first.lastOffset, this.config.segmentBytes, this.config.segmentMs, nowMs)) this.rollAt(first.baseOffset, nowMs)
      let j = i + 1
      let bytes = first.size
      while (j < batches.length && this.active.size + bytes + batches[j].size <= this.config.segmentBytes && batches[j].lastOffset - this.active.baseOffset <= 0x7fffffff) { bytes += batches[j].size; j++ }
      const run = batches.slice(i, j)
      this.active.append(records, first.position, first.position + bytes, run)
      for (const b of run) {
        if (b.epoch >= 0) this.epochCache.assign(b.epoch, b.baseOffset)
        if (b.maxTimestamp > maxTimestamp) maxTimestamp = b.maxTimestamp
        this.leo = b.lastOffset + 1
        this.unflushedMessages += b.lastOffset - b.baseOffset + 1
      }
      i = j
    }
    const last = batches[batches.length - 1]
    this.queueWrittenMark()
    const cfg = this.config
    if ((cfg.flushMessages !== undefined && this.unflushedMessages >= cfg.flushMessages) || (cfg.flushMs !== undefined && nowMs - this.lastFlushMs >= cfg.flushMs)) this.flush()
    return {firstOffset: batches[0].baseOffset, lastOffset: last.lastOffset, maxTimestamp, logAppendTimeMs,
      validBytes: last.position + last.size - batches[0].position, numBatches: batches.length}
  }

  private rollAt(baseOffset: number, nowMs = Date.now()): void {
    const old = this.active
    if (old.size === 0 && old.baseOffset === baseOffset) return
    old.onBecomeInactive()
    if (old.size === 0) {
      // an empty active segment is replaced (Kafka deletes it when rolling to a new base offset)
      this.segments.pop()
      old.deleteFiles()
    }
    const seg = new LogSegment(this.dir, baseOffset, this.config.segmentIndexBytes, this.config.indexIntervalBytes, nowMs, '', this.io)
    seg.offsetIndex.resizeFile(true); seg.timeIndex.resizeFile(true)
    this.segments.push(seg)
    // the old segment's fsync is queued (Kafka flushes it asynchronously on roll too); the recovery point follows it
    old.flush()
    this.advanceRecoveryPoint(baseOffset)
    this.onRoll?.(baseOffset)
  }

  /** Rolls a new active segment at the LEO (no-op when the active segment is empty). */
  roll(): void { this.ensureOpen(); this.rollAt(this.leo) }

  /**
   * fsyncs the `.log` files holding data appended since the last call, not their indexes nor the
   * leader-epoch checkpoint, and leaves the recovery point alone: for a log that recovers every
   * segment on open, which rebuilds both (the metadata log). One fsync per call instead of five.
   */
  flushData(): void {
    this.ensureOpen()
    for (const seg of this.segments) if (seg.nextOffset > this.dataFlushedTo || seg === this.active) seg.flushLog()
    this.dataFlushedTo = this.leo
  }

  /**
   * fsyncs segments holding unflushed data (none when the recovery point is the LEO) and the
   * leader-epoch checkpoint; the recovery point becomes the LEO once the fsyncs completed (queued
   * after the writes before them when the I/O is asynchronous).
   */
  flush(): void {
    this.ensureOpen()
    for (const seg of this.segments) if (seg.nextOffset > this.recovery) seg.flush()
    // the leader-epoch checkpoint is fsynced on the thread pool too, before the recovery point moves
    if (!this.io.isAsync) this.epochCache.flush()
    else if (this.epochCache.flushPending && !this.epochFlushQueued) {
      // one queued checkpoint flush serves every flush queued before it starts (it writes the entries of then)
      this.epochFlushQueued = true
      this.io.submit({kind: 'task', run: () => {
        this.epochFlushQueued = false
        return this.closed ? Promise.resolve() : this.epochCache.flushAsync()
      }})
    }
    this.advanceRecoveryPoint(this.leo)
    this.unflushedMessages = 0
    this.lastFlushMs = Date.now()
  }

  /** The recovery point moves to `offset` once the fsyncs queued before now completed. */
  private advanceRecoveryPoint(offset: number): void {
    if (!this.io.isAsync) { this.recovery = Math.max(this.recovery, offset); return }
    const generation = this.ioGeneration
    this.io.submit({kind: 'call', fn: () => { if (generation === this.ioGeneration) this.recovery = Math.max(this.recovery, Math.min(offset, this.leo)) }})
  }

  read(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): {records: Buffer, firstOffset: number} {
    this.ensureOpen()
    if (startOffset < this.lso || startOffset > this.leo) {
      throw new OffsetOutOfRangeError(`Offset ${startOffset} is out of range for ${this.topicPartition.topic}-${this.topicPartition.partition}: [${this.lso}, ${this.leo}]`)
    }
    const empty = {records: Buffer.alloc(0), firstOffset: startOffset}
    if (startOffset === this.leo || startOffset >= maxOffsetExclusive) return empty
    let idx = this.segmentIndexFor(startOffset)
    while (idx < this.segments.length) {
      const r = this.segments[idx].read(startOffset, maxBytes, maxOffsetExclusive, minOneBatch)
      if (r) return r
      idx++
    }
    return empty
  }

  /**
   * Fetch's read (Kafka `UnifiedLog.read`): as `read`, from written bytes only (never past
   * `writtenEndOffset`), with the file reads on libuv's thread pool.
   * @throws OffsetOutOfRangeError when `startOffset` is outside [log start offset, log end offset]
   */
  async readAsync(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): Promise<{records: Buffer, firstOffset: number}> {
    this.ensureOpen()
    if (startOffset < this.lso || startOffset > this.leo) {
      throw new OffsetOutOfRangeError(`Offset ${startOffset} is out of range for ${this.topicPartition.topic}-${this.topicPartition.partition}: [${this.lso}, ${this.leo}]`)
    }
    const upTo = Math.min(maxOffsetExclusive, this.writtenLeo)
    const empty = {records: Buffer.alloc(0), firstOffset: startOffset}
    if (startOffset >= upTo) return empty
    const segments = this.segments
    for (let idx = this.segmentIndexFor(startOffset); idx < segments.length; idx++) {
      const r = await segments[idx].readAsync(startOffset, maxBytes, upTo, minOneBatch)
      if (r) return r
    }
    return empty
  }

  /** Index of the last segment with baseOffset ≤ offset (0 if none). */
  private segmentIndexFor(offset: number): number {
    let lo = 0; let hi = this.segments.length - 1; let found = 0
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.segments[mid].baseOffset <= offset) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found
  }

  /**
   * The first record, in offset order from the log start offset, whose timestamp is ≥ `timestampMs`,
   * with its own timestamp (Kafka `LogSegment.findOffsetByTimestamp` → `FileRecords.searchForTimestamp`:
   * the time index finds where to start, batch headers skip batches with a smaller max timestamp,
   * and the first matching batch is decoded to find the record). Null when there is none.
   */
  fetchOffsetByTimestamp(timestampMs: number): {offset: number, timestamp: number, leaderEpoch: number} | null {
    this.ensureOpen()
    for (const seg of this.segments) {
      if (seg.maxTimestampSoFar < timestampMs) continue
      const start = seg.timeIndex.lookup(timestampMs)
      const pos = seg.offsetIndex.lookup(Math.max(start.offset, this.lso)).position
      let hit: DecodedRecord | null = null
      seg.scan(pos, b => {
        if (b.maxTimestamp < timestampMs || b.lastOffset < this.lso) return true
        hit = this.recordsOf(seg, b).find(r => r.timestamp >= timestampMs && r.offset >= this.lso) ?? null
        return hit === null
      })
      if (hit) {
        const {offset, timestamp} = hit as DecodedRecord
        return {offset, timestamp, leaderEpoch: this.epochForOffset(offset)}
      }
    }
    return null
  }

  /**
   * The record with the largest timestamp (the first such in its batch) and that timestamp (KIP-734;
   * Kafka `UnifiedLog.fetchOffsetByTimestamp(MAX_TIMESTAMP)` with `RecordBatch.offsetOfMaxTimestamp`).
   * Null for an empty log.
   */
  fetchMaxTimestamp(): {offset: number, timestamp: number, leaderEpoch: number} | null {
    this.ensureOpen()
    let best: LogSegment | null = null
    for (const seg of this.segments) if (seg.maxTimestampSoFar >= 0 && (!best || seg.maxTimestampSoFar > best.maxTimestampSoFar)) best = seg
    if (!best) return null
    const seg: LogSegment = best
    let offset = seg.offsetOfMaxTimestampSoFar
    seg.scan(seg.offsetIndex.lookup(offset).position, b => {
      if (b.maxTimestamp !== seg.maxTimestampSoFar) return true
      offset = this.recordsOf(seg, b).find(r => r.timestamp === b.maxTimestamp)?.offset ?? b.lastOffset
      return false
    })
    return {offset, timestamp: seg.maxTimestampSoFar, leaderEpoch: this.epochForOffset(offset)}
  }

  /** Decodes (and decompresses) the records of one stored batch; CRCs were checked on append/recovery. */
  private recordsOf(seg: LogSegment, b: BatchPosition): DecodedRecord[] {
    return decodeRecordBatch(seg.readBytes(b.position, b.size), 0, false).records
  }


  /** Records an aborted transaction in the `.txnindex` of the segment holding its marker (`t.lastOffset`). */
  appendAbortedTxn(t: AbortedTxn): void {
    this.ensureOpen()
    this.segments[this.segmentIndexFor(t.lastOffset)].txnIndex.append(t)
  }

  /**
   * Aborted transactions overlapping [startOffset, upperBoundOffset) for a read_committed Fetch
   * (Kafka `UnifiedLog.collectAbortedTransactions`): from the segment holding `startOffset` on,
   * since a marker always follows its transaction's data.
   */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): AbortedTxn[] {
    this.ensureOpen()
    const out: AbortedTxn[] = []
    for (let i = this.segmentIndexFor(startOffset); i < this.segments.length; i++) {
      this.segments[i].txnIndex.collect(startOffset, upperBoundOffset, out)
    }
    return out
  }

  latestEpoch(): number | null { return this.epochCache.latestEpoch() }
  endOffsetForEpoch(epoch: number): {epoch: number, endOffset: number} { return this.epochCache.endOffsetFor(epoch, this.leo) }
  epochForOffset(offset: number): number { return this.epochCache.epochForOffset(offset) }
  leaderEpochEntries(): Array<{epoch: number, startOffset: number}> { return this.epochCache.all() }

  /**
   * Records that leader epoch `epoch` starts at `offset` (a new leader at its log end offset, Kafka
   * `maybeAssignEpochStartOffset`), so that followers holding entries of a later-lost epoch learn
   * where to truncate. No-op when `epoch` is not above the latest epoch.
   */
  assignEpochStartOffset(epoch: number, offset: number): void {
    this.ensureOpen()
    this.epochCache.assign(epoch, offset)
  }

  /**
   * Removes every batch at or after `offset` (follower truncation). At or above the LEO no data
   * goes, but leader-epoch entries starting at the LEO do (a leader that assigned an epoch and
   * appended nothing before losing leadership, Kafka `UnifiedLog.truncateTo`).
   */
  truncateTo(offset: number): void {
    this.ensureOpen()
    if (offset < 0) throw new Error(`Cannot truncate ${this.dir} to a negative offset ${offset}`)
    if (offset >= this.leo) {
      this.epochCache.truncateFromEnd(this.leo)
      return
    }
    if (offset < this.segments[0].baseOffset) { this.truncateFullyAndStartAt(offset); return }
    this.segmentsVersion++
    while (this.segments.length > 1 && this.active.baseOffset >= offset) {
      const seg = this.segments.pop()!
      seg.deleteFiles()
    }
    this.active.truncateTo(offset)
    this.active.offsetIndex.resizeFile(true); this.active.timeIndex.resizeFile(true)
    this.leo = this.active.nextOffset
    this.epochCache.truncateFromEnd(this.leo)
    this.recovery = Math.min(this.recovery, this.leo)
    this.lso = Math.min(this.lso, this.leo)
    this.afterTruncation()
  }

  /** Deletes all segments and starts empty at `offset` (log start = LEO = offset). */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureOpen()
    this.segmentsVersion++
    for (const seg of this.segments) seg.deleteFiles()
    const seg = new LogSegment(this.dir, offset, this.config.segmentIndexBytes, this.config.indexIntervalBytes, Date.now(), '', this.io)
    seg.offsetIndex.resizeFile(true); seg.timeIndex.resizeFile(true)
    this.segments = [seg]
    this.epochCache.clear()
    this.leo = offset; this.lso = offset; this.recovery = offset
    this.ioGeneration++
    this.writtenLeo = offset
    this.queueWrittenMark()
  }

  /** DeleteRecords: raises the log start offset (≤ HW checked by the caller) and drops whole segments below it. */
  maybeIncrementLogStartOffset(offset: number): void {
    this.ensureOpen()
    if (offset > this.leo) throw new OffsetOutOfRangeError(`Cannot increment the log start offset of ${this.dir} to ${offset}: log end offset is ${this.leo}`)
    if (offset <= this.lso) return
    this.lso = offset
    this.epochCache.truncateFromStart(offset)
    this.deleteSegmentsWhile((seg, next) => next !== null && next <= this.lso)
  }

  /**
   * Retention (spec §3.7): by log start offset, by time (retention.ms) and size (retention.bytes),
   * oldest first, only segments wholly below `highWatermark`. Returns the number deleted.
   */
  deleteOldSegments(nowMs: number, highWatermark: number): number {
    this.ensureOpen()
    let n = this.deleteSegmentsWhile((seg, next) => next !== null && next <= this.lso)
    if (!this.config.cleanupPolicy.split(',').map(s => s.trim()).includes('delete')) return n
    const hwOk = (seg: LogSegment, next: number | null): boolean => (next ?? this.leo) <= highWatermark && !(next === null && seg.size === 0)
    if (this.config.retentionMs >= 0) {
      n += this.deleteSegmentsWhile((seg, next) => hwOk(seg, next) && nowMs - seg.largestTimestamp() > this.config.retentionMs)
    }
    if (this.config.retentionBytes >= 0) {
      let diff = this.size - this.config.retentionBytes
      n += this.deleteSegmentsWhile((seg, next) => {
        if (!hwOk(seg, next) || diff - seg.size < 0) return false
        diff -= seg.size
        return true
      })
    }
    return n
  }

  private deleteSegmentsWhile(pred: (seg: LogSegment, nextBase: number | null) => boolean): number {
    const doomed: LogSegment[] = []
    for (let i = 0; i < this.segments.length; i++) {
      const next = i + 1 < this.segments.length ? this.segments[i + 1].baseOffset : null
      if (!pred(this.segments[i], next)) break
      doomed.push(this.segments[i])
    }
    if (doomed.length === 0) return 0
    this.segmentsVersion++
    if (doomed.length === this.segments.length) this.rollAt(this.leo)
    // after a roll an empty last segment may have been replaced; remove the doomed ones from the list
    this.segments = this.segments.filter(s => !doomed.includes(s))
    for (const seg of doomed) this.scheduleDelete(seg, true)
    this.lso = Math.max(this.lso, this.segments[0].baseOffset)
    this.epochCache.truncateFromStart(this.lso)
    return doomed.length
  }

  /**
   * Renames the segment files to `*.deleted` and removes them after file.delete.delay.ms; with
   * `withSnapshot` (retention, not cleaning) also the producer snapshot named after its base offset.
   */
  private scheduleDelete(seg: LogSegment, withSnapshot = false): void {
    seg.onBecomeInactive()
    const files = [seg.logFile, seg.offsetIndex.file, seg.timeIndex.file, seg.txnIndex.file]
    if (withSnapshot) files.push(producerSnapshotFile(this.dir, seg.baseOffset))
    const renamed: string[] = []
    for (const f of files) {
      if (!fs.existsSync(f)) continue
      fs.renameSync(f, f + '.deleted'); renamed.push(f + '.deleted')
    }
    seg.closeHandles()
    if (!this.io.isAsync) {
      const rm = (): void => { for (const f of renamed) fs.rmSync(f, {force: true}) }
      if (this.config.fileDeleteDelayMs <= 0) rm()
      else setTimeout(rm, this.config.fileDeleteDelayMs).unref()
      return
    }
    // removed on the thread pool (an unlink of a large file can take milliseconds); the renames above are metadata only
    const rm = (): void => { for (const f of renamed) this.io.submit({kind: 'rm', file: f}) }
    if (this.config.fileDeleteDelayMs <= 0) rm()
    else setTimeout(rm, this.config.fileDeleteDelayMs).unref()
  }

  /** Trims indexes and closes files; keeps data on disk. */
  close(): void {
    if (this.closed) return
    this.segmentsVersion++
    this.epochCache.flush()
    for (const seg of this.segments) seg.close()
    this.closed = true
  }

  /**
   * Removes the directory (topic deletion, Kafka `LogManager.asyncDelete`): renamed to
   * `<topic>-<partition>.<uuid32hex>-delete` at once (the live name is free again; a restart removes
   * leftovers), then, once the log's queued I/O is done (its closes included), removed recursively
   * on the thread pool. Resolves when it is gone; rejects with the fs error of the removal.
   */
  async delete(): Promise<void> {
    if (!this.closed) {
      for (const seg of this.segments) seg.closeHandles()
      this.closed = true
    }
    // async checkpoint/snapshot writes into the directory must not land after it is gone
    for (const w of busyFileWritersIn(this.dir)) w.discard()
    const target = `${this.dir}.${randomDashedUuid().replace(/-/g, '')}-delete`
    let dir = target
    try {
      fs.renameSync(this.dir, target)
    } catch {
      dir = this.dir
    }
    await this.whenIoDone().catch(() => undefined) // ops by path into the old name fail: the directory goes anyway
    await fs.promises.rm(dir, {recursive: true, force: true})
  }

  get isClosed(): boolean { return this.closed }

  private ensureOpen(): void {
    if (this.closed) throw new Error(`Log ${this.dir} is closed`)
  }
}
