/**
 * Writes one cleaned segment — `<base>.log.cleaned`, `.index.cleaned`, `.timeindex.cleaned` and,
 * when the group had aborted transactions, `.txnindex.cleaned` — on a cleaner worker thread with
 * synchronous fs. The files are laid out exactly as `LogSegment.append` + `onBecomeInactive` would
 * (Kafka `LogSegment`): an offset index entry (int32 relative offset, int32 position) and a time
 * index entry (int64 max timestamp so far, int32 relative offset) once more than
 * index.interval.bytes were written since the last one, at most segment.index.bytes of each, the
 * final time index entry on close, indexes trimmed to their entries; the `.txnindex` holds 34-byte
 * entries (Kafka `AbortedTxn`, version 0). `finish()` fsyncs every file.
 */
import fs from 'node:fs'
import {writeInt64At} from '../../../protocol/records/record-batch.js'
import {ABORTED_TXN_SIZE, type AbortedTxn} from '../transaction-index.js'
import type {CleanedSegmentFiles} from './cleaner-messages.js'

const OFFSET_INDEX_ENTRY_SIZE = 8
const TIME_INDEX_ENTRY_SIZE = 12

/** One batch written: offsets absolute, max timestamp in ms, size in bytes. */
export interface WrittenBatch { lastOffset: number, maxTimestamp: number, size: number }

export interface CleanedSegmentFacts {
  size: number
  nextOffset: number
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  firstBatchTimestamp: number
}

export class CleanedSegmentWriter {
  private fd: number
  private size = 0
  private nextOffset: number
  private maxTimestamp = -1
  private offsetOfMaxTimestamp = -1
  private firstBatchTimestamp = -1
  private bytesSinceLastIndexEntry = 0
  private readonly offsetEntries: number[] = []
  private readonly timeEntries: number[] = []
  private readonly maxOffsetEntries: number
  private readonly maxTimeEntries: number

  /** Creates (truncating) the `.log` file. `segmentIndexBytes`, `indexIntervalBytes`: the log's config. */
  constructor(private readonly files: CleanedSegmentFiles, private readonly baseOffset: number, segmentIndexBytes: number, private readonly indexIntervalBytes: number) {
    CleanedSegmentWriter.remove(files)
    this.fd = fs.openSync(files.log, 'w')
    this.nextOffset = baseOffset
    this.maxOffsetEntries = Math.max(1, Math.floor(segmentIndexBytes / OFFSET_INDEX_ENTRY_SIZE))
    this.maxTimeEntries = Math.max(1, Math.floor(segmentIndexBytes / TIME_INDEX_ENTRY_SIZE))
  }

  /** Removes the files (an aborted or failed pass). */
  static remove(files: CleanedSegmentFiles): void {
    for (const f of [files.log, files.index, files.timeIndex, files.txnIndex]) fs.rmSync(f, {force: true})
  }

  /** Appends `buf[0, bytes)`, whole batches described by `batches` in order. */
  append(buf: Buffer, bytes: number, batches: readonly WrittenBatch[]): void {
    let written = 0
    while (written < bytes) written += fs.writeSync(this.fd, buf, written, bytes - written, this.size + written)
    let pos = this.size
    for (const b of batches) {
      if (pos === 0) this.firstBatchTimestamp = b.maxTimestamp
      if (b.maxTimestamp > this.maxTimestamp) { this.maxTimestamp = b.maxTimestamp; this.offsetOfMaxTimestamp = b.lastOffset }
      if (this.bytesSinceLastIndexEntry > this.indexIntervalBytes) {
        this.appendOffsetEntry(b.lastOffset, pos)
        this.appendTimeEntry(this.maxTimestamp, this.offsetOfMaxTimestamp, false)
        this.bytesSinceLastIndexEntry = 0
      }
      this.bytesSinceLastIndexEntry += b.size
      this.nextOffset = b.lastOffset + 1
      pos += b.size
    }
    this.size += bytes
  }

  /** Writes the indexes and the `.txnindex` (if `abortedTxns` has entries), fsyncs every file and closes them. */
  finish(abortedTxns: readonly AbortedTxn[]): CleanedSegmentFacts {
    if (this.maxTimestamp >= 0) this.appendTimeEntry(this.maxTimestamp, this.offsetOfMaxTimestamp, true)
    const index = Buffer.allocUnsafe(this.offsetEntries.length / 2 * OFFSET_INDEX_ENTRY_SIZE)
    for (let i = 0, p = 0; i < this.offsetEntries.length; i += 2, p += OFFSET_INDEX_ENTRY_SIZE) {
      index.writeInt32BE(this.offsetEntries[i], p)
      index.writeInt32BE(this.offsetEntries[i + 1], p + 4)
    }
    const timeIndex = Buffer.allocUnsafe(this.timeEntries.length / 2 * TIME_INDEX_ENTRY_SIZE)
    for (let i = 0, p = 0; i < this.timeEntries.length; i += 2, p += TIME_INDEX_ENTRY_SIZE) {
      writeInt64At(timeIndex, p, this.timeEntries[i])
      timeIndex.writeInt32BE(this.timeEntries[i + 1], p + 8)
    }
    fs.fsyncSync(this.fd)
    fs.closeSync(this.fd)
    this.fd = -1
    writeFileSynced(this.files.index, index)
    writeFileSynced(this.files.timeIndex, timeIndex)
    const txns = encodeAbortedTxns(abortedTxns)
    if (txns.length > 0) writeFileSynced(this.files.txnIndex, txns)
    return {size: this.size, nextOffset: this.nextOffset, maxTimestamp: this.maxTimestamp, offsetOfMaxTimestamp: this.offsetOfMaxTimestamp,
      firstBatchTimestamp: this.firstBatchTimestamp}
  }

  /** Closes and removes the files (an aborted or failed pass). */
  discard(): void {
    if (this.fd >= 0) {
      try { fs.closeSync(this.fd) } catch { /* closed */ }
      this.fd = -1
    }
    CleanedSegmentWriter.remove(this.files)
  }

  private appendOffsetEntry(offset: number, position: number): void {
    const n = this.offsetEntries.length
    const rel = offset - this.baseOffset
    if (n / 2 >= this.maxOffsetEntries || (n > 0 && rel <= this.offsetEntries[n - 2])) return
    this.offsetEntries.push(rel, position)
  }

  private appendTimeEntry(timestamp: number, offset: number, skipFullCheck: boolean): void {
    const n = this.timeEntries.length
    const rel = offset - this.baseOffset
    if ((!skipFullCheck && n / 2 >= this.maxTimeEntries) || (n > 0 && (timestamp <= this.timeEntries[n - 2] || rel < this.timeEntries[n - 1]))) return
    this.timeEntries.push(timestamp, rel)
  }
}

/** The `.txnindex` bytes of `txns` (entries at or below the previous marker offset are skipped, as `TransactionIndex.append`). */
function encodeAbortedTxns(txns: readonly AbortedTxn[]): Buffer {
  const kept: AbortedTxn[] = []
  for (const t of txns) if (kept.length === 0 || t.lastOffset > kept[kept.length - 1].lastOffset) kept.push(t)
  const b = Buffer.alloc(kept.length * ABORTED_TXN_SIZE)
  kept.forEach((t, i) => {
    const p = i * ABORTED_TXN_SIZE
    b.writeInt16BE(0, p)
    writeInt64At(b, p + 2, t.producerId)
    writeInt64At(b, p + 10, t.firstOffset)
    writeInt64At(b, p + 18, t.lastOffset)
    writeInt64At(b, p + 26, t.lastStableOffset)
  })
  return b
}

function writeFileSynced(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w')
  try {
    let written = 0
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, written)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}
