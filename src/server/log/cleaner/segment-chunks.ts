/**
 * Reads whole record batches of one segment `.log` file in chunks (the cleaner's read side, on a
 * worker thread: synchronous fs). Kafka's cleaner reads `log.cleaner.io.buffer.size` bytes at a
 * time and grows the buffer for a batch larger than that; so does this.
 */
import fs from 'node:fs'
import {BATCH_LENGTH_OFFSET, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD, readBatchHeader, type RecordBatchHeader} from '../../../protocol/records/record-batch.js'
import type {SegmentFile} from './cleaner-messages.js'
import {readFullySync} from '../../util/read-fully.js'

/** A run of whole batches: `headers[i].position` is relative to `buf`. */
export interface BatchChunk {
  buf: Buffer
  headers: RecordBatchHeader[]
  /** Bytes of `buf` holding the batches. */
  bytes: number
}

/**
 * Yields the batches of `seg` from `seg.startPosition` up to `seg.size` (its size when the pass
 * started), `chunkSize` bytes at a time. Stops at an incomplete or invalid batch length (the end of
 * what was written). Throws the fs error when the file cannot be opened or read (e.g. ENOENT: the
 * segment was deleted by retention meanwhile).
 */
export function* segmentChunks(seg: SegmentFile, chunkSize: number): Generator<BatchChunk> {
  const fd = fs.openSync(seg.file, 'r')
  try {
    const size = Math.min(seg.size, fs.fstatSync(fd).size)
    const chunk = Math.max(RECORD_BATCH_OVERHEAD, chunkSize)
    let pos = seg.startPosition
    while (pos + RECORD_BATCH_OVERHEAD <= size) {
      let buf = read(fd, pos, Math.min(chunk, size - pos))
      const headers: RecordBatchHeader[] = []
      let p = 0
      while (p + RECORD_BATCH_OVERHEAD <= buf.length) {
        const n = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (n < RECORD_BATCH_OVERHEAD || p + n > buf.length) break
        headers.push(readBatchHeader(buf, p))
        p += n
      }
      if (headers.length === 0) {
        // one batch larger than the chunk: read it whole
        const n = buf.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (n < RECORD_BATCH_OVERHEAD || pos + n > size) return
        buf = read(fd, pos, n)
        if (buf.length < n) return
        headers.push(readBatchHeader(buf, 0))
        p = n
      }
      yield {buf, headers, bytes: p}
      pos += p
    }
  } finally {
    fs.closeSync(fd)
  }
}

function read(fd: number, position: number, len: number): Buffer {
  const buf = Buffer.allocUnsafe(len)
  const got = readFullySync(fd, buf, len, position)
  return got === len ? buf : buf.subarray(0, got)
}
