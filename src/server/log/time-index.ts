/**
 * Sparse time index (`.timeindex`, Kafka `TimeIndex`, spec §3.4): 12-byte entries, int64
 * timestamp (ms) + int32 relative offset; timestamps strictly increase. Preallocated to
 * segment.index.bytes rounded down to 12 while active, trimmed on roll/close.
 */
import fs from 'node:fs'
import {readInt64At, writeInt64At} from '../../protocol/records/record-batch.js'
import {SYNC_IO, type LogIo} from './log-io.js'
import type {OpenedIndexFile} from './index-file.js'

export const TIME_INDEX_ENTRY_SIZE = 12

export class TimeIndex {
  private fd: number
  private ts: number[] = []
  private rel: number[] = []
  readonly maxEntries: number
  /** Where the file operations go (the owning log's queue). */
  io: LogIo

  /** `opened`: the file already opened and read asynchronously (`openIndexFileAsync`). */
  constructor(public file: string, readonly baseOffset: number, maxIndexSize: number, io: LogIo = SYNC_IO, opened?: OpenedIndexFile) {
    this.io = io
    this.maxEntries = Math.max(1, Math.floor(maxIndexSize / TIME_INDEX_ENTRY_SIZE))
    this.fd = opened ? opened.fd : fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+')
    const len = opened ? opened.bytes.length : fs.fstatSync(this.fd).size
    if (len > 0) {
      const buf = opened ? opened.bytes : Buffer.alloc(len - (len % TIME_INDEX_ENTRY_SIZE))
      if (!opened) fs.readSync(this.fd, buf, 0, buf.length, 0)
      for (let p = 0; p + TIME_INDEX_ENTRY_SIZE <= buf.length; p += TIME_INDEX_ENTRY_SIZE) {
        const t = readInt64At(buf, p); const r = buf.readInt32BE(p + 8)
        const n = this.ts.length
        if (n > 0 && (t <= this.ts[n - 1] || r < this.rel[n - 1])) break
        if (n === 0 && t === 0 && r === 0 && p + TIME_INDEX_ENTRY_SIZE < buf.length && readInt64At(buf, p + 12) === 0) break
        this.ts.push(t); this.rel.push(r)
      }
    }
  }

  get entries(): number { return this.ts.length }
  isFull(): boolean { return this.ts.length >= this.maxEntries }
  get sizeInBytes(): number { return this.ts.length * TIME_INDEX_ENTRY_SIZE }
  /** Last entry (timestamp, absolute offset), or undefined. */
  lastEntry(): {timestamp: number, offset: number} | undefined {
    const n = this.ts.length
    return n === 0 ? undefined : {timestamp: this.ts[n - 1], offset: this.baseOffset + this.rel[n - 1]}
  }

  /** Appends (timestamp, offset) if timestamp grew; `skipFullCheck` for the final entry on roll. */
  maybeAppend(timestamp: number, offset: number, skipFullCheck = false): void {
    const n = this.ts.length
    if ((!skipFullCheck && this.isFull()) || (n > 0 && timestamp <= this.ts[n - 1])) return
    if (n > 0 && offset - this.baseOffset < this.rel[n - 1]) return
    const b = Buffer.allocUnsafe(TIME_INDEX_ENTRY_SIZE)
    writeInt64At(b, 0, timestamp); b.writeInt32BE(offset - this.baseOffset, 8)
    this.io.submit({kind: 'write', fd: this.fd, buf: b, position: n * TIME_INDEX_ENTRY_SIZE})
    this.ts.push(timestamp); this.rel.push(offset - this.baseOffset)
  }

  /** Entry with the largest timestamp ≤ target → its offset; baseOffset if none. */
  lookup(target: number): {timestamp: number, offset: number} {
    let lo = 0; let hi = this.ts.length - 1; let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.ts[mid] <= target) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found < 0 ? {timestamp: -1, offset: this.baseOffset} : {timestamp: this.ts[found], offset: this.baseOffset + this.rel[found]}
  }

  /** Removes entries with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    const r = offset - this.baseOffset
    while (this.ts.length > 0 && this.rel[this.rel.length - 1] >= r) { this.ts.pop(); this.rel.pop() }
    this.resizeFile(true)
  }

  reset(): void { this.ts = []; this.rel = []; this.resizeFile(true) }

  resizeFile(prealloc: boolean): void {
    this.io.submit({kind: 'truncate', fd: this.fd, length: this.sizeInBytes})
    if (prealloc) this.io.submit({kind: 'truncate', fd: this.fd, length: this.maxEntries * TIME_INDEX_ENTRY_SIZE})
  }

  trim(): void { this.io.submit({kind: 'truncate', fd: this.fd, length: this.sizeInBytes}) }
  flush(): void { this.io.submit({kind: 'fsync', fd: this.fd}) }
  /** fsync on the libuv thread pool (the cleaner's flush, off the event loop). */
  flushAsync(): Promise<void> { return new Promise((resolve, reject) => fs.fsync(this.fd, e => (e ? reject(e) : resolve()))) }
  close(): void { this.trim(); this.closeNoTrim() }
  closeNoTrim(): void { this.io.submit({kind: 'close', fd: this.fd}) }
  /** Renames the file (the open descriptor stays valid): the cleaner's `.cleaned` → `.swap` → final renames. */
  renameTo(file: string): void { this.io.submit({kind: 'rename', from: this.file, to: file}); this.file = file }
}
