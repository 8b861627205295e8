/**
 * One segment (Kafka `LogSegment`): `<base>.log` + `<base>.index` + `<base>.timeindex`, and
 * `<base>.txnindex` once an aborted transaction's marker lands in it.
 * Works on batch headers only (spec §3.3–3.4, §3.9).
 *
 * File changes go through the owning log's `LogIo` (for partition logs: in order on libuv's thread
 * pool). Appended bytes stay in `pending` chunks until their write completed: the synchronous
 * readers (`readBytes`, `scan`) see them from memory, `readAsync` (Fetch) reads only completed
 * bytes (below `writtenSize`): the newest of them from the chunks kept in memory after their write
 * (`recent`, up to RECENT_MAX_BYTES of the active segment: caught-up consumers and followers read the
 * tail without a thread-pool round trip), older ones from the file. Opening files and the start-up
 * recovery are synchronous.
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  BATCH_LENGTH_OFFSET, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD, readInt64At,
  LAST_OFFSET_DELTA_OFFSET, MAX_TIMESTAMP_OFFSET,
} from '../../protocol/records/record-batch.js'
import {OFFSET_INDEX_ENTRY_SIZE, OffsetIndex} from './offset-index.js'
import {TIME_INDEX_ENTRY_SIZE, TimeIndex} from './time-index.js'
import {fileSizeAsync, openIndexFileAsync, openReadWriteAsync, type OpenedIndexFile} from './index-file.js'
import {TXN_INDEX_FILE_SUFFIX, TransactionIndex} from './transaction-index.js'
import {filenamePrefixFromOffset} from './log-config.js'
import {SYNC_IO, type LogIo} from './log-io.js'
import {BatchValidator} from './batch-validator.js'
import {readFullySync} from '../util/read-fully.js'

export const LOG_FILE_SUFFIX = '.log'
export const INDEX_FILE_SUFFIX = '.index'
export const TIME_INDEX_FILE_SUFFIX = '.timeindex'
export const DELETED_FILE_SUFFIX = '.deleted'
/** Suffix of a segment the log cleaner is writing (Kafka `LogFileUtils.CLEANED_FILE_SUFFIX`). */
export const CLEANED_FILE_SUFFIX = '.cleaned'
/** Suffix of a cleaned segment ready to replace the segments it was made from (Kafka `SWAP_FILE_SUFFIX`). */
export const SWAP_FILE_SUFFIX = '.swap'

/** Header facts of one batch located in a segment file. */
export interface BatchPosition { baseOffset: number; lastOffset: number; position: number; size: number; maxTimestamp: number; epoch: number }

const READ_CHUNK = 1 << 20

/** A segment's files opened asynchronously (`LogSegment.openAsync`). */
export interface OpenedSegmentFiles { logFd: number; logSize: number; offsetIndex: OpenedIndexFile; timeIndex: OpenedIndexFile }

/**
 * Bytes appended at `position` (whole batches, offsets `firstOffset`..`lastOffset`), pending until
 * their write completed, then kept a while for tail reads (`buf` shrinks if truncation cuts it).
 */
interface PendingChunk { position: number; buf: Buffer; dropped: boolean; firstOffset: number; lastOffset: number }

/** Bytes of written chunks the active segment keeps in memory for tail reads. */
const RECENT_MAX_BYTES = 1 << 20

/** Bytes of the whole batches at the start of `buf` whose base offset is below `maxOffsetExclusive`. */
function wholeBatchesBelow(buf: Buffer, maxOffsetExclusive: number): number {
  let end = 0
  while (end + RECORD_BATCH_OVERHEAD <= buf.length) {
    const n = buf.readInt32BE(end + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (n < RECORD_BATCH_OVERHEAD || end + n > buf.length || readInt64At(buf, end) >= maxOffsetExclusive) break
    end += n
  }
  return end
}

export class LogSegment {
  private fd: number
  size: number
  readonly offsetIndex: OffsetIndex
  readonly timeIndex: TimeIndex
  /** Aborted transactions whose ABORT marker is in this segment. */
  readonly txnIndex: TransactionIndex
  private bytesSinceLastIndexEntry = 0
  /** Max batch timestamp so far (ms, -1 none) and the last offset of that batch. */
  maxTimestampSoFar = -1
  offsetOfMaxTimestampSoFar = -1
  /** First batch's max timestamp (for segment.ms roll), -1 if none. */
  firstBatchTimestamp = -1
  readonly created: number
  /** Next offset after the last batch, or baseOffset when empty (valid after load/recover). */
  nextOffset: number
  /** Bytes from position 0 whose writes have completed (the file holds them). */
  writtenSize: number
  private io: LogIo
  private pending: PendingChunk[] = []
  /** Written chunks kept for tail reads, oldest first, contiguous and ending at `writtenSize`. */
  private recent: PendingChunk[] = []
  private recentBytes = 0
  /** Asynchronous reads in flight on `fd`: its close waits for them (a reused descriptor number must not be read). */
  private readsInFlight = 0
  private closeRequested = false
  private fdClosed = false

  /**
   * `fileSuffix`: '' for a live segment, `.cleaned` for one the log cleaner writes (Kafka `LogSegment.open(..., fileSuffix)`).
   * `io`: where file changes go (default: synchronous).
   */
  constructor(readonly dir: string, readonly baseOffset: number, readonly indexBytes: number, private readonly indexIntervalBytes: number, nowMs = Date.now(), private fileSuffix = '', io: LogIo = SYNC_IO, opened?: OpenedSegmentFiles) {
    const prefix = path.join(dir, filenamePrefixFromOffset(baseOffset))
    const logFile = prefix + LOG_FILE_SUFFIX + fileSuffix
    this.io = io
    this.fd = opened ? opened.logFd : fs.openSync(logFile, fs.existsSync(logFile) ? 'r+' : 'w+')
    this.size = opened ? opened.logSize : fs.fstatSync(this.fd).size
    this.writtenSize = this.size
    this.offsetIndex = new OffsetIndex(prefix + INDEX_FILE_SUFFIX + fileSuffix, baseOffset, indexBytes, io, opened?.offsetIndex)
    this.timeIndex = new TimeIndex(prefix + TIME_INDEX_FILE_SUFFIX + fileSuffix, baseOffset, indexBytes, io, opened?.timeIndex)
    this.txnIndex = new TransactionIndex(prefix + TXN_INDEX_FILE_SUFFIX + fileSuffix)
    this.created = nowMs
    this.nextOffset = baseOffset
    const last = this.timeIndex.lastEntry()
    if (last) { this.maxTimestampSoFar = last.timestamp; this.offsetOfMaxTimestampSoFar = last.offset }
  }

  /**
   * Opens a live segment (files created when missing) with the opens, `fstat`s and index reads on
   * libuv's thread pool (log loading at start-up). `loadIndexes` false leaves both indexes empty
   * without reading them (the segment is about to be recovered, which rebuilds them).
   * Rejects with the fs error (nothing stays open then).
   */
  static async openAsync(dir: string, baseOffset: number, indexBytes: number, indexIntervalBytes: number, io: LogIo, loadIndexes: boolean): Promise<LogSegment> {
    const prefix = path.join(dir, filenamePrefixFromOffset(baseOffset))
    const results = await Promise.allSettled([
      openReadWriteAsync(prefix + LOG_FILE_SUFFIX).then(async fd => ({fd, size: await fileSizeAsync(fd).catch((e: unknown) => { fs.close(fd, () => undefined); throw e })})),
      openIndexFileAsync(prefix + INDEX_FILE_SUFFIX, OFFSET_INDEX_ENTRY_SIZE, loadIndexes),
      openIndexFileAsync(prefix + TIME_INDEX_FILE_SUFFIX, TIME_INDEX_ENTRY_SIZE, loadIndexes),
    ])
    const [log, offsetIndex, timeIndex] = results
    if (log.status === 'rejected' || offsetIndex.status === 'rejected' || timeIndex.status === 'rejected') {
      if (log.status === 'fulfilled') fs.close(log.value.fd, () => undefined)
      if (offsetIndex.status === 'fulfilled') fs.close(offsetIndex.value.fd, () => undefined)
      if (timeIndex.status === 'fulfilled') fs.close(timeIndex.value.fd, () => undefined)
      throw results.map(r => (r.status === 'rejected' ? r.reason as unknown : undefined)).find(e => e !== undefined)
    }
    return new LogSegment(dir, baseOffset, indexBytes, indexIntervalBytes, Date.now(), '', io,
      {logFd: log.value.fd, logSize: log.value.size, offsetIndex: offsetIndex.value, timeIndex: timeIndex.value})
  }

  get logFile(): string { return path.join(this.dir, filenamePrefixFromOffset(this.baseOffset) + LOG_FILE_SUFFIX + this.fileSuffix) }

  /** Moves the segment's future file changes to `io` (a loaded or cleaned segment joining its log's queue; none pending). */
  attachIo(io: LogIo): void {
    this.io = io
    this.offsetIndex.io = io
    this.timeIndex.io = io
  }

  /**
   * Renames the segment's files (`.log`, `.index`, `.timeindex`, `.txnindex` if any) from suffix
   * `oldSuffix` to `newSuffix` (Kafka `LogSegment.changeFileSuffixes`):
   * the `.log` first, then the indexes (recovery trusts a `.log.swap` and rebuilds missing indexes).
   * Open descriptors stay valid.
   */
  changeFileSuffixes(oldSuffix: string, newSuffix: string): void {
    if (this.fileSuffix !== oldSuffix) throw new Error(`Segment ${this.logFile} does not have suffix '${oldSuffix}'`)
    const from = this.logFile
    this.fileSuffix = newSuffix
    this.io.submit({kind: 'rename', from, to: this.logFile})
    const strip = (f: string): string => (oldSuffix === '' ? f : f.slice(0, -oldSuffix.length))
    this.offsetIndex.renameTo(strip(this.offsetIndex.file) + newSuffix)
    this.timeIndex.renameTo(strip(this.timeIndex.file) + newSuffix)
    this.txnIndex.renameTo(strip(this.txnIndex.file) + newSuffix)
  }

  /**
   * Appends `buf[start,end)` (whole batches, offsets already assigned) with one write through the
   * log's I/O queue; `buf` must not change afterwards (it is written later and read meanwhile).
   */
  append(buf: Buffer, start: number, end: number, batches: BatchPosition[]): void {
    const basePos = this.size
    const bytes = buf.subarray(start, end)
    if (this.io.isAsync) {
      const chunk: PendingChunk = {position: basePos, buf: bytes, dropped: false,
        firstOffset: batches[0].baseOffset, lastOffset: batches[batches.length - 1].lastOffset}
      this.pending.push(chunk)
      this.io.submit({kind: 'write', fd: this.fd, buf: bytes, position: basePos})
      this.io.submit({kind: 'call', fn: () => this.chunkWritten(chunk)})
    } else {
      this.io.submit({kind: 'write', fd: this.fd, buf: bytes, position: basePos})
      this.writtenSize = basePos + bytes.length
    }
    for (const b of batches) {
      const pos = basePos + (b.position - start)
      if (this.firstBatchTimestamp < 0 && this.size === 0) this.firstBatchTimestamp = b.maxTimestamp
      if (b.maxTimestamp > this.maxTimestampSoFar) { this.maxTimestampSoFar = b.maxTimestamp; this.offsetOfMaxTimestampSoFar = b.lastOffset }
      if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
        this.offsetIndex.append(b.lastOffset, pos)
        this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar)
        this.bytesSinceLastIndexEntry = 0
      }
      this.bytesSinceLastIndexEntry += b.size
      this.nextOffset = b.lastOffset + 1
    }
    this.size = basePos + (end - start)
  }

  private chunkWritten(chunk: PendingChunk): void {
    const i = this.pending.indexOf(chunk)
    if (i >= 0) this.pending.splice(i, 1)
    if (chunk.dropped || chunk.buf.length === 0) return
    this.writtenSize = Math.max(this.writtenSize, chunk.position + chunk.buf.length)
    if (this.closeRequested) return
    const last = this.recent[this.recent.length - 1]
    if (last && last.position + last.buf.length !== chunk.position) this.clearRecent()
    this.recent.push(chunk)
    this.recentBytes += chunk.buf.length
    while (this.recentBytes > RECENT_MAX_BYTES && this.recent.length > 1) this.recentBytes -= this.recent.shift()!.buf.length
  }

  private clearRecent(): void { this.recent = []; this.recentBytes = 0 }

  /**
   * `readAsync` from the written chunks still in memory, when they hold the batch of `startOffset`
   * (one chunk: a view of it, no copy). Null when it is older than what is kept.
   */
  private readRecent(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): {records: Buffer, firstOffset: number} | null {
    const recent = this.recent
    let i = recent.length - 1
    if (i < 0 || recent[0].firstOffset > startOffset || recent[i].lastOffset < startOffset) return null
    while (i > 0 && recent[i].firstOffset > startOffset) i--
    const c = recent[i]
    let p = 0
    let size = 0
    let baseOffset = -1
    while (p + RECORD_BATCH_OVERHEAD <= c.buf.length) {
      size = c.buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
      baseOffset = readInt64At(c.buf, p)
      if (baseOffset + c.buf.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET) >= startOffset) break
      p += size
    }
    if (p + RECORD_BATCH_OVERHEAD > c.buf.length) return null
    if (baseOffset >= maxOffsetExclusive) return {records: Buffer.alloc(0), firstOffset: baseOffset}
    const want = Math.max(maxBytes, minOneBatch ? size : 0)
    let data: Buffer
    if (c.buf.length - p >= want || i === recent.length - 1) {
      data = c.buf.subarray(p, Math.min(c.buf.length, p + want))
    } else {
      const parts = [c.buf.subarray(p)]
      let n = parts[0].length
      for (let j = i + 1; j < recent.length && n < want; j++) {
        const part = recent[j].buf.subarray(0, Math.min(recent[j].buf.length, want - n))
        parts.push(part)
        n += part.length
      }
      data = Buffer.concat(parts, n)
    }
    const end = wholeBatchesBelow(data, maxOffsetExclusive)
    return {records: data.subarray(0, end), firstOffset: baseOffset}
  }

  /** Reads `len` bytes at `position` (up to the segment's size), appended bytes not yet written included. */
  readBytes(position: number, len: number): Buffer {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(len, this.size - position)))
    const got = this.readSyncAt(buf, buf.length, position)
    return got === buf.length ? buf : buf.subarray(0, got)
  }

  /** Fills `buf[0,len)` from `position`: the file, then the pending chunks over it. Returns bytes available. */
  private readSyncAt(buf: Buffer, len: number, position: number): number {
    len = Math.max(0, Math.min(len, this.size - position))
    const fromFile = Math.max(0, Math.min(len, this.writtenSize - position))
    let got = readFullySync(this.fd, buf, fromFile, position)
    if (got < fromFile) return got
    for (const c of this.pending) {
      const from = Math.max(position, c.position)
      const to = Math.min(position + len, c.position + c.buf.length)
      if (from < to) { c.buf.copy(buf, from - position, from - c.position, to - c.position); got = Math.max(got, to - position) }
    }
    return got
  }

  /** One read of `len` bytes at `position` on the thread pool; the descriptor stays open meanwhile. */
  private readFileAsync(position: number, len: number, into?: Buffer): Promise<Buffer> {
    const buf = into ?? Buffer.allocUnsafe(len)
    this.readsInFlight++
    return new Promise<Buffer>((resolve, reject) => {
      fs.read(this.fd, buf, 0, len, position, (err, n) => {
        this.readsInFlight--
        if (this.closeRequested && this.readsInFlight === 0) this.closeFd()
        if (err) reject(err)
        else resolve(n === buf.length ? buf : buf.subarray(0, n))
      })
    })
  }

  /**
   * As `read`, asynchronously and from written bytes only (Fetch: never bytes whose write has not
   * completed): the offset index finds where to start, one read from there usually covers the
   * batch holding `startOffset` and `maxBytes` after it. `maxOffsetExclusive` should not exceed
   * the log's written end offset. Null when no batch at or after `startOffset` is written here.
   * A segment with synchronous I/O reads synchronously (deterministic simulations, tools).
   */
  async readAsync(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): Promise<{records: Buffer, firstOffset: number} | null> {
    if (!this.io.isAsync) return this.read(startOffset, maxBytes, maxOffsetExclusive, minOneBatch)
    if (this.fdClosed || this.closeRequested) return null
    const fromMemory = this.readRecent(startOffset, maxBytes, maxOffsetExclusive, minOneBatch)
    if (fromMemory) return fromMemory
    const limit = this.writtenSize
    let pos = this.offsetIndex.lookup(startOffset).position
    while (pos + RECORD_BATCH_OVERHEAD <= limit) {
      const buf = await this.readFileAsync(pos, Math.min(limit - pos, Math.max(maxBytes, 0) + this.indexIntervalBytes + RECORD_BATCH_OVERHEAD))
      let p = 0
      while (p + RECORD_BATCH_OVERHEAD <= buf.length) {
        const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (size < RECORD_BATCH_OVERHEAD) return null
        const baseOffset = readInt64At(buf, p)
        if (baseOffset + buf.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET) < startOffset) { p += size; continue }
        if (baseOffset >= maxOffsetExclusive) return {records: Buffer.alloc(0), firstOffset: baseOffset}
        const want = Math.min(limit - (pos + p), Math.max(maxBytes, minOneBatch ? size : 0))
        const data = p + want <= buf.length ? buf.subarray(p, p + want) : await this.readFileAsync(pos + p, want)
        const end = wholeBatchesBelow(data, maxOffsetExclusive)
        return {records: data.subarray(0, end), firstOffset: baseOffset}
      }
      if (p === 0) return null
      pos += p
    }
    return null
  }

  /**
   * Scans batch headers from `startPosition` (12+ header bytes per batch, chunked reads), calling
   * `fn` per batch; stops when `fn` returns false, at the end, or at an incomplete/invalid header.
   */
  scan(startPosition: number, fn: (b: BatchPosition) => boolean): void {
    let pos = startPosition
    const hdr = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD)
    while (pos + RECORD_BATCH_OVERHEAD <= this.size) {
      const n = this.readSyncAt(hdr, RECORD_BATCH_OVERHEAD, pos)
      if (n < RECORD_BATCH_OVERHEAD) return
      const size = hdr.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
      if (size < RECORD_BATCH_OVERHEAD || pos + size > this.size) return
      const baseOffset = readInt64At(hdr, 0)
      const b = {baseOffset, lastOffset: baseOffset + hdr.readInt32BE(LAST_OFFSET_DELTA_OFFSET), position: pos, size,
        maxTimestamp: readInt64At(hdr, MAX_TIMESTAMP_OFFSET), epoch: hdr.readInt32BE(12)}
      if (!fn(b)) return
      pos += size
    }
  }

  /** Position of the first batch whose last offset ≥ `offset` (index lookup + forward scan), or null. */
  translateOffset(offset: number, startingFilePosition = 0): BatchPosition | null {
    const entry = this.offsetIndex.lookup(offset)
    let found: BatchPosition | null = null
    this.scan(Math.max(entry.position, startingFilePosition), b => {
      if (b.lastOffset >= offset) { found = b; return false }
      return true
    })
    return found
  }

  /**
   * Bytes of whole batches from the batch holding `startOffset`, up to `maxBytes` (at least one
   * batch when minOneBatch), excluding batches with baseOffset ≥ maxOffsetExclusive. Null if no batch.
   */
  read(startOffset: number, maxBytes: number, maxOffsetExclusive: number, minOneBatch: boolean): {records: Buffer, firstOffset: number} | null {
    const first = this.translateOffset(startOffset)
    if (!first) return null
    if (first.baseOffset >= maxOffsetExclusive) return {records: Buffer.alloc(0), firstOffset: first.baseOffset}
    // one read of up to maxBytes (at least the first batch when minOneBatch), cut at batch boundaries
    const want = Math.min(this.size - first.position, Math.max(maxBytes, minOneBatch ? first.size : 0))
    const buf = this.readBytes(first.position, want)
    const end = wholeBatchesBelow(buf, maxOffsetExclusive)
    return {records: buf.subarray(0, end), firstOffset: first.baseOffset}
  }

  /**
   * Validates every batch from position 0 (complete, magic 2, CRC, offsets increasing and within
   * the segment), rebuilding both indexes; truncates the file at the first bad batch.
   * Returns bytes truncated. `onBatch` sees each valid batch (leader-epoch cache rebuild).
   */
  recover(onBatch?: (b: BatchPosition) => void): number {
    const v = this.beginRecovery()
    while (!v.done) {
      const chunk = this.readBytes(v.position, Math.max(v.needed, Math.min(READ_CHUNK, this.size - v.position)))
      v.feed(chunk, v.position, b => this.recoveredBatch(b, onBatch))
    }
    return this.endRecovery(v.position)
  }

  /**
   * As `recover`, with the `.log` read on libuv's thread pool in blocks of 1 MiB, the next block
   * read while the current one is checked on the event loop: the loop is held for at most one
   * block's checks (CRC-32C of ~1 MiB) at a time. Index writes and the truncation go through the
   * segment's `LogIo` (queued off the event loop when it is asynchronous).
   * Returns bytes truncated; rejects with the read error (fs error codes) if a read fails.
   */
  async recoverAsync(onBatch?: (b: BatchPosition) => void): Promise<number> {
    const v = this.beginRecovery()
    const size = this.size
    const onValid = (b: BatchPosition): void => this.recoveredBatch(b, onBatch)
    // Two read buffers used in turn and one where a batch cut by a block boundary is joined with
    // the next block: no allocation per block (1 MiB buffers churned would bring long GC pauses).
    const blocks = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)]
    let joined = Buffer.allocUnsafe(2 * READ_CHUNK)
    let turn = 0
    let readPos = 0
    /** The bytes from `v.position` read but not checked yet (in a block buffer or in `joined`). */
    let carry: Buffer = Buffer.alloc(0)
    const readNext = (): Promise<Buffer> => this.readFileAsync(readPos, Math.min(READ_CHUNK, size - readPos), blocks[turn++ % 2])
    let next: Promise<Buffer> | null = v.done ? null : readNext()
    try {
      while (next !== null) {
        const block = await next
        const chunkStart = readPos - carry.length
        readPos += block.length
        let chunk = block
        if (carry.length > 0) {
          if (carry.length + block.length > joined.length) {
            const bigger = Buffer.allocUnsafe(2 * (carry.length + block.length))
            carry.copy(bigger, 0)
            joined = bigger
          } else {
            carry.copy(joined, 0) // may overlap when carry is in `joined`: copy moves as memmove
          }
          block.copy(joined, carry.length)
          chunk = joined.subarray(0, carry.length + block.length)
        }
        // the other block buffer is free now (its bytes were checked or copied into `joined`)
        next = block.length > 0 && readPos < size ? readNext() : null
        // a batch longer than what is read so far: keep reading before checking it
        if (next !== null && chunk.length - (v.position - chunkStart) < v.needed) { carry = chunk; continue }
        if (!v.feed(chunk, chunkStart, onValid)) break
        carry = chunk.subarray(v.position - chunkStart)
      }
    } finally {
      if (next !== null) await next.catch(() => undefined)
    }
    return this.endRecovery(v.position)
  }

  /** Resets what recovery rebuilds (indexes, timestamps, next offset); a validator from position 0. */
  private beginRecovery(): BatchValidator {
    this.offsetIndex.reset(); this.timeIndex.reset()
    this.maxTimestampSoFar = -1; this.offsetOfMaxTimestampSoFar = -1; this.firstBatchTimestamp = -1
    this.bytesSinceLastIndexEntry = 0
    this.nextOffset = this.baseOffset
    return new BatchValidator(this.baseOffset, this.size)
  }

  /** Indexes one batch recovery found valid. */
  private recoveredBatch(b: BatchPosition, onBatch?: (b: BatchPosition) => void): void {
    if (this.firstBatchTimestamp < 0 && b.position === 0) this.firstBatchTimestamp = b.maxTimestamp
    if (b.maxTimestamp > this.maxTimestampSoFar) { this.maxTimestampSoFar = b.maxTimestamp; this.offsetOfMaxTimestampSoFar = b.lastOffset }
    if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
      this.offsetIndex.append(b.lastOffset, b.position)
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar)
      this.bytesSinceLastIndexEntry = 0
    }
    this.bytesSinceLastIndexEntry += b.size
    onBatch?.(b)
    this.nextOffset = b.lastOffset + 1
  }

  /** Cuts the file after the last valid batch (ending at `validEnd`); returns bytes truncated. */
  private endRecovery(validEnd: number): number {
    const truncated = this.size - validEnd
    if (truncated > 0) this.truncateFileTo(validEnd)
    return truncated
  }

  /** Determines nextOffset/first timestamp by a header scan without CRC checks (clean load). */
  loadNextOffset(): void {
    const last = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER)
    let first = true
    this.scan(0, b => { if (first) { this.firstBatchTimestamp = b.maxTimestamp; first = false } return false })
    this.scan(last.position, b => {
      this.nextOffset = b.lastOffset + 1
      if (b.maxTimestamp > this.maxTimestampSoFar) { this.maxTimestampSoFar = b.maxTimestamp; this.offsetOfMaxTimestampSoFar = b.lastOffset }
      return true
    })
  }

  /**
   * As `loadNextOffset`, with the reads on libuv's thread pool: the first batch's header, then the
   * batches from the last offset-index entry to the end (headers only, no CRC checks), in chunks
   * of at most 1 MiB. Stops at an incomplete or invalid header as `scan` does.
   */
  async loadNextOffsetAsync(): Promise<void> {
    const size = this.size
    if (size < RECORD_BATCH_OVERHEAD) return
    const first = await this.readFileAsync(0, RECORD_BATCH_OVERHEAD)
    if (first.length < RECORD_BATCH_OVERHEAD) return
    const firstSize = first.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
    if (firstSize < RECORD_BATCH_OVERHEAD || firstSize > size) return
    this.firstBatchTimestamp = readInt64At(first, MAX_TIMESTAMP_OFFSET)
    let pos = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER).position
    while (pos + RECORD_BATCH_OVERHEAD <= size) {
      const chunk = await this.readFileAsync(pos, Math.min(READ_CHUNK, size - pos))
      let p = 0
      while (p + RECORD_BATCH_OVERHEAD <= chunk.length) {
        const batchSize = chunk.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (batchSize < RECORD_BATCH_OVERHEAD || pos + p + batchSize > size) return
        const lastOffset = readInt64At(chunk, p) + chunk.readInt32BE(p + LAST_OFFSET_DELTA_OFFSET)
        const maxTimestamp = readInt64At(chunk, p + MAX_TIMESTAMP_OFFSET)
        this.nextOffset = lastOffset + 1
        if (maxTimestamp > this.maxTimestampSoFar) { this.maxTimestampSoFar = maxTimestamp; this.offsetOfMaxTimestampSoFar = lastOffset }
        p += batchSize
      }
      if (p === 0) return
      // the next header may start past this chunk (a long batch): read from there
      pos += p
    }
  }

  /** Truncates to drop every batch with lastOffset ≥ offset... Kafka: keeps batches ending below `offset`. Returns bytes removed. */
  truncateTo(offset: number): number {
    const b = this.translateOffset(offset)
    if (!b) return 0
    const removed = this.size - b.position
    this.truncateFileTo(b.position)
    this.offsetIndex.truncateTo(offset)
    this.timeIndex.truncateTo(offset)
    this.txnIndex.truncateTo(offset)
    this.nextOffset = this.baseOffset
    this.maxTimestampSoFar = -1; this.offsetOfMaxTimestampSoFar = -1
    this.firstBatchTimestamp = -1
    this.bytesSinceLastIndexEntry = 0
    let first = true
    this.scan(0, x => {
      if (first) { this.firstBatchTimestamp = x.maxTimestamp; first = false }
      this.nextOffset = x.lastOffset + 1
      if (x.maxTimestamp > this.maxTimestampSoFar) { this.maxTimestampSoFar = x.maxTimestamp; this.offsetOfMaxTimestampSoFar = x.lastOffset }
      return true
    })
    return removed
  }

  /** Cuts the `.log` to `length` bytes: at once for readers (pending chunks cut or dropped), in the queue for the file. */
  private truncateFileTo(length: number): void {
    this.size = length
    this.writtenSize = Math.min(this.writtenSize, length)
    for (const c of this.pending) {
      if (c.position >= length) c.dropped = true
      else if (c.position + c.buf.length > length) c.buf = c.buf.subarray(0, length - c.position)
    }
    this.pending = this.pending.filter(c => !c.dropped)
    this.clearRecent()
    this.io.submit({kind: 'truncate', fd: this.fd, length})
  }

  /** Largest record timestamp, or the .log mtime when none (retention.ms). */
  largestTimestamp(): number {
    return this.maxTimestampSoFar >= 0 ? this.maxTimestampSoFar : fs.fstatSync(this.fd).mtimeMs
  }

  shouldRoll(incomingBytes: number, incomingMaxTs: number, incomingLastOffset: number, segmentBytes: number, segmentMs: number, nowMs: number): boolean {
    if (this.size === 0) return false
    if (this.size > segmentBytes - incomingBytes) return true
    const age = this.firstBatchTimestamp >= 0 ? incomingMaxTs - this.firstBatchTimestamp : nowMs - this.created
    if (age > segmentMs) return true
    if (this.offsetIndex.isFull() || this.timeIndex.isFull()) return true
    return incomingLastOffset - this.baseOffset > 0x7fffffff
  }

  /** On roll/close: final time-index entry, trim indexes. */
  onBecomeInactive(): void {
    this.clearRecent()
    if (this.maxTimestampSoFar >= 0) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true)
    this.offsetIndex.trim(); this.timeIndex.trim()
  }

  /** fsyncs the `.log` and both indexes (queued after the writes before it). */
  flush(): void { this.io.submit({kind: 'fsync', fd: this.fd}); this.offsetIndex.flush(); this.timeIndex.flush() }

  /** As flush(), with the fsyncs on the libuv thread pool (the log cleaner's output, off the event loop). */
  async flushAsync(): Promise<void> {
    await new Promise<void>((resolve, reject) => fs.fsync(this.fd, e => (e ? reject(e) : resolve())))
    await this.offsetIndex.flushAsync()
    await this.timeIndex.flushAsync()
  }

  /** fsyncs the `.log` file only. */
  flushLog(): void { this.io.submit({kind: 'fsync', fd: this.fd}) }

  close(): void {
    this.onBecomeInactive()
    this.requestClose()
    this.offsetIndex.close(); this.timeIndex.close()
  }

  /** Closes the file descriptors without trimming (after the queued writes, and the `.log` after reads in flight). */
  closeHandles(): void {
    this.requestClose()
    try { this.offsetIndex.closeNoTrim() } catch { /* closed */ }
    try { this.timeIndex.closeNoTrim() } catch { /* closed */ }
  }

  private requestClose(): void {
    if (this.closeRequested) return
    this.closeRequested = true
    this.clearRecent()
    this.io.submit({kind: 'call', fn: () => { if (this.readsInFlight === 0) this.closeFd() }})
  }

  private closeFd(): void {
    if (this.fdClosed) return
    this.fdClosed = true
    try { fs.closeSync(this.fd) } catch { /* already closed */ }
  }

  /**
   * Removes the segment's files: renamed to `*.deleted` at once (so a new segment may take the
   * name), closed after the queued writes, then removed through the queue.
   */
  deleteFiles(): void {
    const files = [this.logFile, this.offsetIndex.file, this.timeIndex.file, this.txnIndex.file]
    this.closeHandles()
    for (const f of files) {
      if (!this.io.isAsync) { fs.rmSync(f, {force: true}); continue }
      try { fs.renameSync(f, f + DELETED_FILE_SUFFIX) } catch { continue }
      this.io.submit({kind: 'rm', file: f + DELETED_FILE_SUFFIX})
    }
  }
}
