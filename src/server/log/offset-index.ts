/**
 * Sparse offset index (`.index`, Kafka `OffsetIndex`, spec §3.4): 8-byte entries, int32 relative
 * offset + int32 byte position in the `.log`. The file is preallocated to segment.index.bytes
 * (rounded down to 8) while the segment is active and trimmed to the used length on roll/close.
 * Entries are kept in memory; the file is written through the log's `LogIo` (in order, off the
 * event loop for partition logs; adjacent entries merged into one write), never read back while open.
 */
import fs from 'node:fs'
import {SYNC_IO, type LogIo} from './log-io.js'
import type {OpenedIndexFile} from './index-file.js'

export const OFFSET_INDEX_ENTRY_SIZE = 8

export class OffsetIndex {
  private fd: number
  private rel: Int32Array
  private pos: Int32Array
  private n = 0
  readonly maxEntries: number
  /** Where the file operations go (the owning log's queue). */
  io: LogIo

  /**
   * Opens (or creates) `file`; existing entries are loaded up to the first non-increasing one.
   * `opened`: the file already opened and read asynchronously (`openIndexFileAsync`).
   */
  constructor(public file: string, readonly baseOffset: number, maxIndexSize: number, io: LogIo = SYNC_IO, opened?: OpenedIndexFile) {
    this.io = io
    this.maxEntries = Math.max(1, Math.floor(maxIndexSize / OFFSET_INDEX_ENTRY_SIZE))
    this.fd = opened ? opened.fd : fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+')
    const len = opened ? opened.bytes.length : fs.fstatSync(this.fd).size
    const cap = Math.max(this.maxEntries, Math.floor(len / OFFSET_INDEX_ENTRY_SIZE))
    this.rel = new Int32Array(Math.min(cap, 1024))
    this.pos = new Int32Array(this.rel.length)
    if (len > 0) {
      const buf = opened ? opened.bytes : Buffer.alloc(len - (len % OFFSET_INDEX_ENTRY_SIZE))
      if (!opened) fs.readSync(this.fd, buf, 0, buf.length, 0)
      for (let p = 0; p + OFFSET_INDEX_ENTRY_SIZE <= buf.length; p += OFFSET_INDEX_ENTRY_SIZE) {
        const r = buf.readInt32BE(p); const ps = buf.readInt32BE(p + 4)
        if (this.n > 0 && (r <= this.rel[this.n - 1] || ps <= this.pos[this.n - 1])) break
        this.push(r, ps)
      }
    }
  }

  get entries(): number { return this.n }
  isFull(): boolean { return this.n >= this.maxEntries }
  get sizeInBytes(): number { return this.n * OFFSET_INDEX_ENTRY_SIZE }

  private push(r: number, p: number): void {
    if (this.n === this.rel.length) {
      const nr = new Int32Array(this.rel.length * 2); nr.set(this.rel); this.rel = nr
      const np = new Int32Array(this.pos.length * 2); np.set(this.pos); this.pos = np
    }
    this.rel[this.n] = r; this.pos[this.n] = p; this.n++
  }

  /** Adds (offset, position) if offset is above the last entry; ignored when full. */
  append(offset: number, position: number): void {
    const r = offset - this.baseOffset
    if (this.isFull() || (this.n > 0 && r <= this.rel[this.n - 1])) return
    const b = Buffer.allocUnsafe(OFFSET_INDEX_ENTRY_SIZE)
    b.writeInt32BE(r, 0); b.writeInt32BE(position, 4)
    this.io.submit({kind: 'write', fd: this.fd, buf: b, position: this.n * OFFSET_INDEX_ENTRY_SIZE})
    this.push(r, position)
  }

  /** Greatest entry with offset ≤ target, or (baseOffset, 0) if none. Offsets absolute. */
  lookup(target: number): {offset: number, position: number} {
    const t = target - this.baseOffset
    let lo = 0; let hi = this.n - 1; let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (this.rel[mid] <= t) { found = mid; lo = mid + 1 } else hi = mid - 1
    }
    return found < 0 ? {offset: this.baseOffset, position: 0} : {offset: this.baseOffset + this.rel[found], position: this.pos[found]}
  }

  /** Removes entries with offset ≥ `offset`. */
  truncateTo(offset: number): void {
    const t = offset - this.baseOffset
    while (this.n > 0 && this.rel[this.n - 1] >= t) this.n--
    this.resizeFile(true)
  }

  reset(): void { this.n = 0; this.resizeFile(true) }

  /** Sets the file length to used bytes (trim) or the preallocated size. */
  resizeFile(prealloc: boolean): void {
    this.io.submit({kind: 'truncate', fd: this.fd, length: this.sizeInBytes})
    if (prealloc) this.io.submit({kind: 'truncate', fd: this.fd, length: this.maxEntries * OFFSET_INDEX_ENTRY_SIZE})
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
