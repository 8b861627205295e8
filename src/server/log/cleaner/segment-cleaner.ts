/**
 * The heavy half of a cleaning pass (Kafka `LogCleaner.Cleaner`: `buildOffsetMap`,
 * `cleanSegments`), run on a cleaner worker thread with synchronous fs: it reads segment files,
 * fills the offset map, filters batches (`batch-filter.ts`) and writes + fsyncs the `.cleaned`
 * segment (`cleaned-segment-writer.ts`). It knows nothing of UnifiedLog: requests carry file
 * paths, sizes and offsets (`cleaner-messages.ts`); choosing the log, the swap and the checkpoint
 * stay on the event loop (`cleaner.ts`).
 *
 * Between chunks (`log.cleaner.io.buffer.size` bytes) it reports bytes to the shared throttler
 * and checks the abort flag; a set flag throws `CleaningAbortedError` (the group's `.cleaned`
 * files are removed first). I/O errors and corrupt batches throw as they are.
 */
import fs from 'node:fs'
import {CONTROL_FLAG_MASK, MAX_TIMESTAMP_OFFSET, TRANSACTIONAL_FLAG_MASK, lastOffsetOf, readInt64At} from '../../../protocol/records/record-batch.js'
import {filterBatch, type BatchFilterContext} from './batch-filter.js'
import {CleanedSegmentWriter, type WrittenBatch} from './cleaned-segment-writer.js'
import type {BuildMapRequest, BuildMapResult, CleanGroupRequest, CleanGroupResult, CleanerRequest, SegmentFile} from './cleaner-messages.js'
import {OFFSET_MAP_BYTES_PER_ENTRY, OffsetMap} from './offset-map.js'
import {forEachRecordKey} from './record-keys.js'
import {segmentChunks, type BatchChunk} from './segment-chunks.js'
import type {Throttler} from './throttler.js'

/** Smallest map allocated (entries) so tiny logs do not allocate the whole budget. */
const MIN_MAP_ENTRIES = 1024

/** The pass was told to stop (cleaner shutdown, or the log changed under it). */
export class CleaningAbortedError extends Error {
  constructor() { super('cleaning aborted') }
}

export interface SegmentCleanerOptions {
  /** Bytes of this thread's dedupe buffer (offset map budget). */
  dedupeBufferBytes: number
  loadFactor: number
  /** Bytes read per chunk. */
  ioBufferSize: number
  throttler: Throttler
  /** True once the request in progress must give up. */
  isAborted: () => boolean
}

export class SegmentCleaner {
  private map: OffsetMap | null = null

  constructor(private readonly o: SegmentCleanerOptions) {}

  /** Handles one request. @throws CleaningAbortedError, fs errors, CorruptRecordError */
  handle(req: CleanerRequest): BuildMapResult | CleanGroupResult {
    return req.type === 'buildMap' ? this.buildOffsetMap(req) : this.cleanGroup(req)
  }

  /** Kafka `buildOffsetMap`: key → latest offset over the dirty range, stopping where the map fills up. */
  buildOffsetMap(req: BuildMapRequest): BuildMapResult {
    const {firstDirtyOffset: from, firstUncleanableOffset: to} = req
    const map = this.mapFor(to - from)
    const res: BuildMapResult = {full: false, latestOffset: -1, mapEntries: 0, mapCapacity: map.maxEntries, bytesRead: 0}
    const fill = (): boolean => {
      for (const seg of req.segments) {
        for (const chunk of this.chunks(seg, c => (res.bytesRead += c.bytes))) {
          for (const h of chunk.headers) {
            if (h.baseOffset >= to) return false
            if ((h.attributes & (CONTROL_FLAG_MASK | TRANSACTIONAL_FLAG_MASK)) !== 0 || lastOffsetOf(h) < from) continue
            const more = forEachRecordKey(chunk.buf, h, (data, keyStart, keyEnd, offset) => {
              if (keyStart < 0 || offset < from || offset >= to) return true
              if (map.isFull) return false
              map.putRange(data, keyStart, keyEnd, offset)
              return true
            })
            if (!more) return true
          }
        }
      }
      return false
    }
    res.full = fill()
    res.latestOffset = map.latestOffset
    res.mapEntries = map.size
    return res
  }

  /** Kafka `cleanSegments`: writes the group's retained batches into the `.cleaned` files, flushed. Uses the map of the last `buildOffsetMap`. */
  cleanGroup(req: CleanGroupRequest): CleanGroupResult {
    if (!this.map) throw new Error('cleanGroup before buildMap')
    const res: CleanGroupResult = {size: 0, nextOffset: 0, maxTimestamp: -1, offsetOfMaxTimestamp: -1, firstBatchTimestamp: -1,
      bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0}
    const ctx: BatchFilterContext = {map: this.map, endOffset: req.endOffset, nowMs: req.nowMs, deleteRetentionMs: req.deleteRetentionMs,
      producers: req.producers === null ? null : new Map(req.producers)}
    const base = req.segments[0]?.baseOffset ?? 0
    for (const f of req.stale) fs.rmSync(f, {force: true})
    const writer = new CleanedSegmentWriter(req.output, base, req.segmentIndexBytes, req.indexIntervalBytes)
    try {
      for (const seg of req.segments) {
        for (const chunk of this.chunks(seg, c => (res.bytesRead += c.bytes))) {
          const out: Buffer[] = []
          const batches: WrittenBatch[] = []
          let outSize = 0
          for (const h of chunk.headers) {
            const kept = filterBatch(chunk.buf, h, ctx, res)
            if (kept === null) continue
            batches.push({lastOffset: lastOffsetOf(h), maxTimestamp: readInt64At(kept, MAX_TIMESTAMP_OFFSET), size: kept.length})
            out.push(kept)
            outSize += kept.length
          }
          if (outSize === 0) continue
          writer.append(out.length === 1 ? out[0] : Buffer.concat(out, outSize), outSize, batches)
          res.bytesWritten += outSize
          this.o.throttler.maybeThrottle(outSize)
        }
      }
      this.checkAbort()
      return {...res, ...writer.finish(req.abortedTxns)}
    } catch (e) {
      writer.discard()
      throw e
    }
  }

  /** The reusable map, sized min(budget, 2 × the dirty range's offsets). */
  private mapFor(dirtyOffsets: number): OffsetMap {
    const budget = Math.max(OFFSET_MAP_BYTES_PER_ENTRY, this.o.dedupeBufferBytes)
    const wanted = Math.min(budget, Math.max(MIN_MAP_ENTRIES, 2 * dirtyOffsets) * OFFSET_MAP_BYTES_PER_ENTRY)
    const have = this.map ? this.map.slots * OFFSET_MAP_BYTES_PER_ENTRY : 0
    if (this.map && have >= wanted && have <= 4 * wanted) {
      this.map.clear()
      return this.map
    }
    this.map = null
    this.map = new OffsetMap(wanted, this.o.loadFactor)
    return this.map
  }

  private checkAbort(): void {
    if (this.o.isAborted()) throw new CleaningAbortedError()
  }

  /** The batches of `seg` chunk by chunk, checking the abort flag before and throttling after each. */
  private* chunks(seg: SegmentFile, onRead: (c: BatchChunk) => void): Generator<BatchChunk> {
    this.checkAbort()
    for (const chunk of segmentChunks(seg, this.o.ioBufferSize)) {
      onRead(chunk)
      yield chunk
      this.o.throttler.maybeThrottle(chunk.bytes)
      this.checkAbort()
    }
  }
}
