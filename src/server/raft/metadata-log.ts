/**
 * The Raft log of `__cluster_metadata-0` (storage-and-kraft.md §4.1, §3.9): record batches v2 in
 * `<dir>/00000000000000000000.log`, plus `partition.metadata` (topic id AAAAAAAAAAAAAAAAAAAAAQ).
 * Appends are whole batches; `flush()` fsyncs. On open the file is scanned batch by batch (CRC
 * checked) and a torn or corrupt tail is truncated, as Kafka's log recovery does.
 *
 * NOTE: this is a single-segment log owned by the Raft layer until `UnifiedLog` (server/log) is
 * available; the `RaftLog` interface is what KafkaRaftClient uses, so it can be swapped.
 */
import fs from 'node:fs'
import path from 'node:path'
import {crc32c} from '../../protocol/records/crc32c.js'
import {METADATA_TOPIC_ID} from '../../protocol/primitives/uuid.js'

/** Header facts of one stored batch. */
export interface StoredBatch {
  baseOffset: number
  lastOffset: number
  partitionLeaderEpoch: number
  /** Byte position in the log file. */
  position: number
  size: number
}

/** What the Raft client needs from its log (Kafka `ReplicatedLog`). */
export interface RaftLog {
  /** Offset the next appended record gets. */
  readonly endOffset: number
  /** Epoch of the last batch, 0 if empty. */
  readonly lastEpoch: number
  /** Appends one encoded batch whose base offset is `endOffset`; returns its header facts. */
  append(batch: Buffer): StoredBatch
  /** fsyncs appended batches. */
  flush(): void
  /** Reads the raw bytes of all batches with lastOffset >= `fromOffset`. */
  read(fromOffset: number): Buffer
  /** Bytes in the log. */
  readonly sizeInBytes: number
  close(): void
}

export const METADATA_PARTITION_DIR = '__cluster_metadata-0'
const SEGMENT_FILE = '00000000000000000000.log'
const HEADER = 61

export class FileRaftLog implements RaftLog {
  private readonly batches: StoredBatch[] = []
  private size = 0
  private fd: number
  /** Bytes truncated from a torn tail during open. */
  readonly truncatedBytes: number

  private constructor(readonly dir: string) {
    fs.mkdirSync(dir, {recursive: true})
    const pm = path.join(dir, 'partition.metadata')
    if (!fs.existsSync(pm)) fs.writeFileSync(pm, `version: 0\ntopic_id: ${METADATA_TOPIC_ID}\n`)
    const file = path.join(dir, SEGMENT_FILE)
    this.fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+')
    const buf = fs.readFileSync(file)
    let pos = 0
    let expectedOffset = 0
    while (pos + HEADER <= buf.length) {
      const size = buf.readInt32BE(pos + 8) + 12
      if (size < HEADER || pos + size > buf.length) break
      if (buf.readInt8(pos + 16) !== 2) break
      if (buf.readUInt32BE(pos + 17) !== crc32c(buf, pos + 21, pos + size)) break
      const baseOffset = Number(buf.readBigInt64BE(pos))
      if (this.batches.length > 0 && baseOffset !== expectedOffset) break
      const lastOffset = baseOffset + buf.readInt32BE(pos + 23)
      this.batches.push({baseOffset, lastOffset, partitionLeaderEpoch: buf.readInt32BE(pos + 12), position: pos, size})
      expectedOffset = lastOffset + 1
      pos += size
    }
    this.truncatedBytes = buf.length - pos
    if (this.truncatedBytes > 0) {
      fs.ftruncateSync(this.fd, pos)
      fs.fsyncSync(this.fd)
    }
    this.size = pos
  }

  /** Opens (creating if needed) the metadata log in `<metadataLogDir>/__cluster_metadata-0`. */
  static open(metadataLogDir: string): FileRaftLog {
    return new FileRaftLog(path.join(metadataLogDir, METADATA_PARTITION_DIR))
  }

  get endOffset(): number {
    const last = this.batches[this.batches.length - 1]
    return last ? last.lastOffset + 1 : 0
  }

  get lastEpoch(): number {
    return this.batches[this.batches.length - 1]?.partitionLeaderEpoch ?? 0
  }

  get sizeInBytes(): number {
    return this.size
  }

  /** Header facts of every stored batch, in offset order. */
  storedBatches(): readonly StoredBatch[] {
    return this.batches
  }

  append(batch: Buffer): StoredBatch {
    const baseOffset = Number(batch.readBigInt64BE(0))
    if (baseOffset !== this.endOffset) throw new Error(`Batch base offset ${baseOffset} is not the log end offset ${this.endOffset}`)
    fs.writeSync(this.fd, batch, 0, batch.length, this.size)
    const stored = {baseOffset, lastOffset: baseOffset + batch.readInt32BE(23), partitionLeaderEpoch: batch.readInt32BE(12), position: this.size, size: batch.length}
    this.batches.push(stored)
    this.size += batch.length
    return stored
  }

  flush(): void {
    fs.fsyncSync(this.fd)
  }

  read(fromOffset: number): Buffer {
    const first = this.batches.find(b => b.lastOffset >= fromOffset)
    if (!first) return Buffer.alloc(0)
    const out = Buffer.alloc(this.size - first.position)
    fs.readSync(this.fd, out, 0, out.length, first.position)
    return out
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}
