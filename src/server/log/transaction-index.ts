/**
 * The aborted-transaction index of one segment, `NNNNNNNNNNNNNNNNNNNN.txnindex` (Kafka
 * `TransactionIndex`, `AbortedTxn`; `../shared/spec/storage-and-kraft.md` §3.4): 34-byte entries of
 * int16 version (0), int64 producerId, int64 firstOffset, int64 lastOffset (the ABORT marker's
 * offset), int64 lastStableOffset, one per aborted transaction whose marker lies in the segment,
 * in marker order. The file is created on the first append; entries are also kept in memory.
 * Synchronous fs calls, like the rest of the log.
 */
import fs from 'node:fs'
import {readInt64At, writeInt64At} from '../../protocol/records/record-batch.js'

export const TXN_INDEX_FILE_SUFFIX = '.txnindex'
/** Bytes per entry. */
export const ABORTED_TXN_SIZE = 34
const VERSION = 0

/** One aborted transaction (Kafka `AbortedTxn`); offsets are absolute. */
export interface AbortedTxn {
  producerId: number
  firstOffset: number
  /** Offset of the ABORT marker. */
  lastOffset: number
  /** The partition's last stable offset once this transaction was completed. */
  lastStableOffset: number
}

export class TransactionIndex {
  private entries: AbortedTxn[] | null = null

  constructor(public file: string) {}

  /** The entries (read from the file on first use; a trailing partial entry is ignored). */
  all(): readonly AbortedTxn[] {
    if (this.entries === null) {
      this.entries = []
      let buf: Buffer
      try {
        buf = fs.readFileSync(this.file)
      } catch {
        return this.entries
      }
      for (let p = 0; p + ABORTED_TXN_SIZE <= buf.length; p += ABORTED_TXN_SIZE) {
        if (buf.readInt16BE(p) !== VERSION) break
        this.entries.push({producerId: readInt64At(buf, p + 2), firstOffset: readInt64At(buf, p + 10), lastOffset: readInt64At(buf, p + 18), lastStableOffset: readInt64At(buf, p + 26)})
      }
    }
    return this.entries
  }

  /** Appends one entry (markers arrive in offset order; an entry at or below the last one is a replay and skipped). */
  append(t: AbortedTxn): void {
    const all = this.all() as AbortedTxn[]
    const last = all[all.length - 1]
    if (last && t.lastOffset <= last.lastOffset) return
    all.push(t)
    fs.appendFileSync(this.file, encode(t))
  }

  /** Removes the entries whose marker is at or above `offset` (log truncation). */
  truncateTo(offset: number): void {
    const all = this.all()
    const kept = all.filter(t => t.lastOffset < offset)
    if (kept.length === all.length) return
    this.entries = kept
    if (kept.length === 0) fs.rmSync(this.file, {force: true})
    else fs.writeFileSync(this.file, Buffer.concat(kept.map(encode)))
  }

  /** Aborted transactions that overlap [startOffset, upperBoundOffset) (Kafka `collectAbortedTxns`). */
  collect(startOffset: number, upperBoundOffset: number, into: AbortedTxn[]): void {
    for (const t of this.all()) if (t.lastOffset >= startOffset && t.firstOffset < upperBoundOffset) into.push(t)
  }

  get exists(): boolean {
    return fs.existsSync(this.file)
  }

  deleteFile(): void {
    fs.rmSync(this.file, {force: true})
    this.entries = []
  }

  /** Renames the file (if it exists) to `file` (the cleaner's `.cleaned` → `.swap` → final renames). */
  renameTo(file: string): void {
    if (fs.existsSync(this.file)) fs.renameSync(this.file, file)
    this.file = file
  }
}

function encode(t: AbortedTxn): Buffer {
  const b = Buffer.alloc(ABORTED_TXN_SIZE)
  b.writeInt16BE(VERSION, 0)
  writeInt64At(b, 2, t.producerId)
  writeInt64At(b, 10, t.firstOffset)
  writeInt64At(b, 18, t.lastOffset)
  writeInt64At(b, 26, t.lastStableOffset)
  return b
}
