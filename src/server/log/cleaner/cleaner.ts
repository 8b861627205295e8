/**
 * One cleaning pass over one log (Kafka `LogCleaner.Cleaner.doClean`, spec §3.10):
 *
 * 1. Build the offset map (key → latest offset) over the dirty range [firstDirtyOffset,
 *    firstUncleanableOffset), stopping where the map fills up; the pass then covers
 *    [log start, endOffset) with endOffset = that point (or the first uncleanable offset).
 * 2. Group the segments below endOffset so that each group's output fits `segment.bytes` and the
 *    index limits (Kafka `groupSegmentsBySize`).
 * 3. Rewrite each group into `<base>.log.cleaned` (+ indexes), keeping a record when its offset is
 *    ≥ endOffset, or it has a key, is the latest offset of that key, and has a value or is a
 *    tombstone whose delete horizon (KIP-534: set to now + delete.retention.ms the first time its
 *    batch is rewritten, in baseTimestamp with attribute bit 6) has not passed. Keyless records go.
 *    A batch keeps its base offset, last offset delta, producer id/epoch/base sequence and codec;
 *    untouched batches are copied byte for byte; the last batch of a still-tracked producer is kept
 *    as an empty header when all its records go (the producer's sequence survives).
 * 4. Swap the group in crash-safely (`UnifiedLog.replaceSegments`: `.cleaned` → `.swap` → final).
 *
 * Transactions: transactional batches and control batches (COMMIT/ABORT markers) are copied
 * unchanged and their records are not put in the map (kts keeps no aborted-transaction index yet,
 * so aborted data cannot be told from committed data: keeping both is the safe choice).
 *
 * Work is chunked (`ioBufferSize` bytes at a time) and yields to the event loop between chunks; the
 * shared throttler caps bytes read + written per second. A pass aborts, leaving the log untouched
 * and deleting its `.cleaned` files, when the cleaner stops or the log's segments change under it.
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  BATCH_LENGTH_OFFSET, CONTROL_FLAG_MASK, DELETE_HORIZON_FLAG_MASK, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD, MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_FLAG_MASK, lastOffsetOf, readBatchHeader, readInt64At, updateCrc,
  type RecordBatchHeader,
} from '../../../protocol/records/record-batch.js'
import {decodeRecordBatch, encodeRecordBatch, type DecodedRecord} from '../../../protocol/records/records.js'
import {filenamePrefixFromOffset, type LogLogger} from '../log-config.js'
import {TXN_INDEX_FILE_SUFFIX} from '../transaction-index.js'
import {CLEANED_FILE_SUFFIX, INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, LogSegment, SWAP_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, type BatchPosition} from '../log-segment.js'
import type {UnifiedLog} from '../unified-log.js'
import {OFFSET_MAP_BYTES_PER_ENTRY, OffsetMap} from './offset-map.js'
import type {Throttler} from './throttler.js'

/** A log picked for cleaning and its dirty range (Kafka `LogToClean`). */
export interface LogToClean {
  log: UnifiedLog
  /** First offset not cleaned yet (cleaner-offset-checkpoint, or the log start). */
  firstDirtyOffset: number
  /** min(last stable offset, active segment base, first segment younger than min.compaction.lag.ms). */
  firstUncleanableOffset: number
  /** Bytes of segments wholly below firstDirtyOffset. */
  cleanBytes: number
  /** Bytes of segments in [firstDirtyOffset, firstUncleanableOffset). */
  cleanableBytes: number
  /** True when max.compaction.lag.ms forces a clean. */
  needCompactionNow: boolean
}

/** What a pass did (Kafka `CleanerStats`). */
export interface CleanerStats {
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsRetained: number
  /** Offset up to which the log is now clean (the new cleaner-offset-checkpoint entry). */
  endOffset: number
  /** Offset-map entries used and the map's capacity. */
  mapEntries: number
  mapCapacity: number
  elapsedMs: number
  /** True when the pass gave up (cleaner stopping, log changed or closed): nothing was swapped in afterwards. */
  aborted: boolean
}

export interface CleanerOptions {
  /** log.cleaner.dedupe.buffer.size / log.cleaner.threads (bytes). */
  dedupeBufferBytes: number
  /** log.cleaner.io.buffer.load.factor (0.9). */
  loadFactor: number
  /** log.cleaner.io.buffer.size: bytes read per chunk (524288). */
  ioBufferSize: number
  throttler: Throttler
  /** True once the cleaner shuts down (checked between chunks). */
  isStopped: () => boolean
  logger?: LogLogger
  now?: () => number
  /** Test hook: waits this long after renaming a cleaned segment to `.swap` (a crash window). */
  pauseAfterSwapMs?: number
}

/** Smallest map allocated (entries) so tiny logs do not allocate the whole budget. */
const MIN_MAP_ENTRIES = 1024

const yieldToLoop = (): Promise<void> => new Promise(resolve => setImmediate(resolve))

/** Longest stretch of cleaning work between two yields to the event loop (ms). */
const SLICE_MS = 2

class CleaningAborted extends Error {}

export class Cleaner {
  private map: OffsetMap | null = null
  private readonly now: () => number
  private sliceStart = performance.now()

  constructor(readonly id: number, private readonly o: CleanerOptions) {
    this.now = o.now ?? Date.now
  }

  /** Cleans `ltc` once. Never throws for an abort (stats.aborted); throws on I/O or corrupt data. */
  async clean(ltc: LogToClean): Promise<CleanerStats> {
    const start = this.now()
    const {log} = ltc
    const stats: CleanerStats = {bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, endOffset: ltc.firstDirtyOffset,
      mapEntries: 0, mapCapacity: 0, elapsedMs: 0, aborted: false}
    let version = log.segmentsVersion
    try {
      const map = this.mapFor(ltc.firstUncleanableOffset - ltc.firstDirtyOffset)
      stats.mapCapacity = map.maxEntries
      const full = await this.buildOffsetMap(ltc, map, stats, version)
      const endOffset = full ? map.latestOffset + 1 : ltc.firstUncleanableOffset
      stats.mapEntries = map.size
      const nowMs = this.now()
      const producers = log.activeProducerLastOffsets?.()
      const groups = groupSegmentsBySize(log.nonActiveSegments().filter(s => s.baseOffset < endOffset), log.config.segmentBytes,
        log.config.segmentIndexBytes, endOffset)
      for (const group of groups) {
        this.checkAbort(log, version)
        const cleaned = await this.cleanSegments(log, group, map, endOffset, nowMs, producers, stats, version)
        const hook = this.o.pauseAfterSwapMs ? (): Promise<void> => new Promise(r => setTimeout(r, this.o.pauseAfterSwapMs)) : undefined
        const swapped = await log.replaceSegments(cleaned, group, version, hook)
        if (!swapped) { cleaned.deleteFiles(); throw new CleaningAborted() }
        version = log.segmentsVersion
      }
      stats.endOffset = endOffset
    } catch (e) {
      if (!(e instanceof CleaningAborted)) throw e
      stats.aborted = true
    } finally {
      stats.elapsedMs = this.now() - start
    }
    return stats
  }

  /** The reusable map, sized min(budget, 2 × the dirty range's offsets). */
  private mapFor(dirtyOffsets: number): OffsetMap {
    const budget = Math.max(OFFSET_MAP_BYTES_PER_ENTRY, this.o.dedupeBufferBytes)
    const wanted = Math.min(budget, Math.max(MIN_MAP_ENTRIES, 2 * dirtyOffsets) * OFFSET_MAP_BYTES_PER_ENTRY)
    if (this.map && this.map.slots * OFFSET_MAP_BYTES_PER_ENTRY >= wanted && this.map.slots * OFFSET_MAP_BYTES_PER_ENTRY <= 4 * wanted) {
      this.map.clear()
      return this.map
    }
    this.map = null
    this.map = new OffsetMap(wanted, this.o.loadFactor)
    return this.map
  }

  /** Yields to the event loop once the current slice of work is SLICE_MS old. */
  private async maybeYield(): Promise<void> {
    if (performance.now() - this.sliceStart < SLICE_MS) return
    await yieldToLoop()
    this.sliceStart = performance.now()
  }

  private checkAbort(log: UnifiedLog, version: number): void {
    if (this.o.isStopped() || log.isClosed || log.segmentsVersion !== version) throw new CleaningAborted()
  }

  /** Kafka `buildOffsetMap`: returns true when the map filled up before the end of the dirty range. */
  private async buildOffsetMap(ltc: LogToClean, map: OffsetMap, stats: CleanerStats, version: number): Promise<boolean> {
    const {log, firstDirtyOffset: from, firstUncleanableOffset: to} = ltc
    const segs = log.nonActiveSegments()
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]
      const next = i + 1 < segs.length ? segs[i + 1].baseOffset : log.activeSegmentBaseOffset
      if (next <= from) continue
      if (seg.baseOffset >= to) break
      const startPos = seg.offsetIndex.lookup(from).position
      for await (const chunk of this.chunks(log, seg, startPos, version, stats)) {
        for (const h of chunk.headers) {
          if (h.baseOffset >= to) return false
          if ((h.attributes & (CONTROL_FLAG_MASK | TRANSACTIONAL_FLAG_MASK)) !== 0 || lastOffsetOf(h) < from) continue
          for (const r of decodeRecordBatch(chunk.buf, h.position, false).records) {
            if (r.key === null || r.offset < from || r.offset >= to) continue
            if (map.isFull) return true
            map.put(r.key, r.offset)
          }
          await this.maybeYield()
        }
      }
    }
    return false
  }

  /** Reads whole batches of `seg` from `startPos`, `ioBufferSize` bytes at a time, throttled, yielding between chunks. */
  private async* chunks(log: UnifiedLog, seg: LogSegment, startPos: number, version: number, stats: CleanerStats): AsyncGenerator<{buf: Buffer, headers: RecordBatchHeader[]}> {
    let pos = startPos
    const chunkSize = Math.max(RECORD_BATCH_OVERHEAD, this.o.ioBufferSize)
    while (pos + RECORD_BATCH_OVERHEAD <= seg.size) {
      this.checkAbort(log, version)
      let buf = seg.readBytes(pos, Math.min(chunkSize, seg.size - pos))
      const headers: RecordBatchHeader[] = []
      let p = 0
      while (p + RECORD_BATCH_OVERHEAD <= buf.length) {
        const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (size < RECORD_BATCH_OVERHEAD || p + size > buf.length) break
        headers.push(readBatchHeader(buf, p))
        p += size
      }
      if (headers.length === 0) {
        // one batch larger than the chunk: read it whole
        const size = buf.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
        if (size < RECORD_BATCH_OVERHEAD || pos + size > seg.size) return
        buf = seg.readBytes(pos, size)
        headers.push(readBatchHeader(buf, 0))
        p = size
      }
      stats.bytesRead += p
      yield {buf, headers}
      pos += p
      await this.o.throttler.maybeThrottle(p)
      await this.maybeYield()
    }
  }

  /** Kafka `cleanSegments`: writes the group's retained batches into a `.cleaned` segment (flushed, indexes trimmed). */
  private async cleanSegments(log: UnifiedLog, group: readonly LogSegment[], map: OffsetMap, endOffset: number, nowMs: number,
    producers: ReadonlyMap<number, number> | undefined, stats: CleanerStats, version: number): Promise<LogSegment> {
    const base = group[0].baseOffset
    const prefix = path.join(log.dir, filenamePrefixFromOffset(base))
    for (const suffix of [CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX]) {
      for (const f of [LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX]) fs.rmSync(prefix + f + suffix, {force: true})
    }
    const cleaned = new LogSegment(log.dir, base, log.config.segmentIndexBytes, log.config.indexIntervalBytes, nowMs, CLEANED_FILE_SUFFIX)
    const deleteRetentionMs = log.config.deleteRetentionMs ?? 86400000
    try {
      for (const seg of group) {
        for await (const chunk of this.chunks(log, seg, 0, version, stats)) {
          const out: Buffer[] = []
          const positions: BatchPosition[] = []
          let outSize = 0
          for (const h of chunk.headers) {
            const kept = this.filterBatch(chunk.buf, h, map, endOffset, nowMs, deleteRetentionMs, producers, stats)
            if (kept === null) { await this.maybeYield(); continue }
            positions.push({baseOffset: h.baseOffset, lastOffset: lastOffsetOf(h), position: outSize, size: kept.length,
              maxTimestamp: readInt64At(kept, MAX_TIMESTAMP_OFFSET), epoch: h.partitionLeaderEpoch})
            out.push(kept)
            outSize += kept.length
            await this.maybeYield()
          }
          if (outSize === 0) continue
          const buf = out.length === 1 ? out[0] : Buffer.concat(out, outSize)
          cleaned.append(buf, 0, outSize, positions)
          stats.bytesWritten += outSize
          await this.o.throttler.maybeThrottle(outSize)
        }
      }
      // Transactional batches and markers are all kept (see filterBatch), so the group's aborted
      // transactions stay valid: the cleaned segment's .txnindex holds them all (Kafka `cleanSegments`
      // copies the aborted transactions of the cleaned range).
      for (const seg of group) for (const t of seg.txnIndex.all()) cleaned.txnIndex.append(t)
      cleaned.onBecomeInactive()
      await cleaned.flushAsync()
      return cleaned
    } catch (e) {
      cleaned.deleteFiles()
      throw e
    }
  }

  /**
   * The bytes to keep of the batch at `h.position` in `buf`: the same bytes, a rebuilt batch, an
   * empty header, or null to drop it (Kafka `MemoryRecords.filterTo` with the cleaner's filter).
   */
  private filterBatch(buf: Buffer, h: RecordBatchHeader, map: OffsetMap, endOffset: number, nowMs: number, deleteRetentionMs: number,
    producers: ReadonlyMap<number, number> | undefined, stats: CleanerStats): Buffer | null {
    const original = buf.subarray(h.position, h.position + h.sizeInBytes)
    stats.recordsRead += Math.max(0, h.recordsCount)
    if ((h.attributes & (CONTROL_FLAG_MASK | TRANSACTIONAL_FLAG_MASK)) !== 0) {
      stats.recordsRetained += h.recordsCount
      return original
    }
    const lastOfProducer = h.producerId >= 0 && (producers === undefined || producers.get(h.producerId) === lastOffsetOf(h))
    const hasHorizon = (h.attributes & DELETE_HORIZON_FLAG_MASK) !== 0
    const retainDeletes = !hasHorizon || nowMs < h.baseTimestamp
    const batch = decodeRecordBatch(buf, h.position, false)
    // an empty header kept for a producer goes once that producer has written a later batch or expired
    if (batch.records.length === 0) return lastOfProducer ? original : null
    const retained: DecodedRecord[] = []
    let tombstones = false
    for (const r of batch.records) {
      let keep: boolean
      if (r.offset >= endOffset) keep = true
      else if (r.key === null) keep = false
      else keep = r.offset >= map.get(r.key) && (r.value !== null || retainDeletes)
      if (!keep) continue
      retained.push(r)
      if (r.value === null) tombstones = true
    }
    stats.recordsRetained += retained.length
    const needHorizon = tombstones && !hasHorizon
    if (retained.length === batch.records.length && !needHorizon) return original
    if (retained.length === 0 && !lastOfProducer) return null
    const horizon = needHorizon ? nowMs + deleteRetentionMs : hasHorizon ? h.baseTimestamp : undefined
    const logAppendTime = (h.attributes & TIMESTAMP_TYPE_MASK) !== 0
    const rebuilt = encodeRecordBatch({
      baseOffset: h.baseOffset,
      partitionLeaderEpoch: h.partitionLeaderEpoch,
      compression: retained.length === 0 ? 0 : batch.compression,
      timestampType: batch.timestampType,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      ...(retained.length === 0 ? {baseTimestamp: h.maxTimestamp, maxTimestamp: h.maxTimestamp} : {}),
      ...(retained.length > 0 && logAppendTime ? {maxTimestamp: h.maxTimestamp} : {}),
      ...(retained.length > 0 && horizon !== undefined ? {baseTimestamp: horizon, deleteHorizon: true} : {}),
      records: retained.map(r => ({key: r.key, value: r.value, headers: r.headers, timestamp: batch.baseTimestamp + r.timestampDelta, offsetDelta: r.offsetDelta})),
    })
    // keep the original last offset: the producer's last sequence is baseSequence + lastOffsetDelta
    rebuilt.writeInt32BE(h.lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET)
    updateCrc(rebuilt, 0, rebuilt.length)
    return rebuilt
  }
}

/**
 * Kafka `Cleaner.groupSegmentsBySize`: consecutive segments whose total size fits `maxSize`, whose
 * index sizes fit `maxIndexSize`, and whose offsets fit 32-bit deltas from the group's base.
 */
export function groupSegmentsBySize(segments: readonly LogSegment[], maxSize: number, maxIndexSize: number, firstUncleanableOffset: number): LogSegment[][] {
  const groups: LogSegment[][] = []
  let i = 0
  while (i < segments.length) {
    const group = [segments[i]]
    let logSize = segments[i].size
    let indexSize = segments[i].offsetIndex.sizeInBytes
    let timeIndexSize = segments[i].timeIndex.sizeInBytes
    i++
    while (i < segments.length) {
      const s = segments[i]
      const lastOffset = i + 1 < segments.length ? segments[i + 1].baseOffset - 1 : Math.max(s.nextOffset, firstUncleanableOffset) - 1
      if (logSize + s.size > maxSize || indexSize + s.offsetIndex.sizeInBytes > maxIndexSize ||
        timeIndexSize + s.timeIndex.sizeInBytes > maxIndexSize || (s.size > 0 && lastOffset - group[0].baseOffset > 0x7fffffff)) break
      group.push(s)
      logSize += s.size; indexSize += s.offsetIndex.sizeInBytes; timeIndexSize += s.timeIndex.sizeInBytes
      i++
    }
    groups.push(group)
  }
  return groups
}
