/**
 * One cleaning pass over one log (Kafka `LogCleaner.Cleaner.doClean`, spec §3.10), driven from the
 * event loop with the heavy work on this cleaner's worker thread (`cleaner-thread.ts`):
 *
 * 1. Wait for the log's queued file writes (`UnifiedLog.whenIoDone`).
 * 2. Worker: build the offset map (key → latest offset) over the dirty range [firstDirtyOffset,
 *    firstUncleanableOffset), stopping where the map fills up; the pass then covers
 *    [log start, endOffset) with endOffset = that point (or the first uncleanable offset).
 * 3. Group the segments below endOffset so that each group's output fits `segment.bytes` and the
 *    index limits (Kafka `groupSegmentsBySize`).
 * 4. Per group — worker: rewrite it into `<base>.log.cleaned` (+ indexes), filtered as
 *    `batch-filter.ts` says, fsynced; event loop: open it as a LogSegment and swap it in
 *    crash-safely (`UnifiedLog.replaceSegments`: `.cleaned` → `.swap` → final, refused when the
 *    segments changed meanwhile).
 *
 * A pass aborts, leaving the log untouched and deleting its `.cleaned` files, when the cleaner
 * stops or the log's segments change under it (checked between requests on the event loop, and
 * polled every WATCH_MS while the worker works: the worker then gives up at its next chunk).
 * Errors of the worker (I/O, corrupt data, the thread dying) reject `clean()` unless the log
 * changed meanwhile (then the pass counts as aborted); the caller marks the log uncleanable.
 */
import path from 'node:path'
import {filenamePrefixFromOffset, type LogLogger} from '../log-config.js'
import {TXN_INDEX_FILE_SUFFIX} from '../transaction-index.js'
import {CLEANED_FILE_SUFFIX, INDEX_FILE_SUFFIX, LOG_FILE_SUFFIX, LogSegment, SWAP_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX} from '../log-segment.js'
import type {UnifiedLog} from '../unified-log.js'
import type {CleanGroupResult, CleanedSegmentFiles, SegmentFile} from './cleaner-messages.js'
import {CleanerThread} from './cleaner-thread.js'
import {CleaningAbortedError} from './segment-cleaner.js'

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
  /** The log's `segmentsVersion` when the range was computed: the pass aborts if it changes. */
  segmentsVersion: number
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
  /** The shared throttle state (`createThrottleState`, log.cleaner.io.max.bytes.per.second). */
  throttle: SharedArrayBuffer
  /** True once the cleaner shuts down. */
  isStopped: () => boolean
  logger?: LogLogger
  now?: () => number
  /** Test hook: waits this long after renaming a cleaned segment to `.swap` (a crash window). */
  pauseAfterSwapMs?: number
}

/** How often the event loop checks, while the worker works, whether the pass must abort (ms). */
const WATCH_MS = 50

export class Cleaner {
  private readonly thread: CleanerThread
  private readonly now: () => number
  /** Passes run one at a time (the worker keeps one offset map). */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(readonly id: number, private readonly o: CleanerOptions) {
    this.now = o.now ?? Date.now
    this.thread = new CleanerThread({id, dedupeBufferBytes: o.dedupeBufferBytes, loadFactor: o.loadFactor, ioBufferSize: o.ioBufferSize, throttle: o.throttle})
  }

  /** Cleans `ltc` once. Never throws for an abort (stats.aborted); throws on I/O or corrupt data. */
  clean(ltc: LogToClean): Promise<CleanerStats> {
    const run = this.queue.then(() => this.doClean(ltc))
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Makes the pass in progress give up soon (cleaner shutdown). */
  abort(): void { this.thread.abort() }

  /** Aborts the pass in progress, waits for it to end (its `.cleaned` files removed), stops the worker thread. */
  async close(): Promise<void> {
    this.abort()
    await this.queue
    await this.thread.terminate()
  }

  private async doClean(ltc: LogToClean): Promise<CleanerStats> {
    const start = this.now()
    const {log} = ltc
    const stats: CleanerStats = {bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, endOffset: ltc.firstDirtyOffset,
      mapEntries: 0, mapCapacity: 0, elapsedMs: 0, aborted: false}
    this.thread.resetAbort()
    let version = ltc.segmentsVersion
    const watch = setInterval(() => { if (this.mustAbort(log, version)) this.thread.abort() }, WATCH_MS)
    watch.unref()
    try {
      await log.whenIoDone()
      this.checkAbort(log, version)
      const built = await this.thread.buildMap({segments: this.dirtySegments(ltc), firstDirtyOffset: ltc.firstDirtyOffset, firstUncleanableOffset: ltc.firstUncleanableOffset})
      stats.bytesRead += built.bytesRead
      stats.mapEntries = built.mapEntries
      stats.mapCapacity = built.mapCapacity
      const endOffset = built.full ? built.latestOffset + 1 : ltc.firstUncleanableOffset
      const nowMs = this.now()
      this.checkAbort(log, version)
      const producers = log.activeProducerLastOffsets?.()
      const groups = groupSegmentsBySize(log.nonActiveSegments().filter(s => s.baseOffset < endOffset), log.config.segmentBytes,
        log.config.segmentIndexBytes, endOffset)
      for (const group of groups) {
        this.checkAbort(log, version)
        const base = group[0].baseOffset
        const prefix = path.join(log.dir, filenamePrefixFromOffset(base))
        const output = filesOf(prefix, CLEANED_FILE_SUFFIX)
        const swap = filesOf(prefix, SWAP_FILE_SUFFIX)
        const res = await this.thread.cleanGroup({
          segments: group.map(s => ({file: s.logFile, baseOffset: s.baseOffset, size: s.size, startPosition: 0})),
          output, stale: [swap.log, swap.index, swap.timeIndex, swap.txnIndex], endOffset, nowMs,
          deleteRetentionMs: log.config.deleteRetentionMs ?? 86400000, segmentIndexBytes: log.config.segmentIndexBytes,
          indexIntervalBytes: log.config.indexIntervalBytes, producers: producers ? [...producers] : null,
          abortedTxns: group.flatMap(s => [...s.txnIndex.all()]),
        })
        stats.bytesRead += res.bytesRead; stats.bytesWritten += res.bytesWritten
        stats.recordsRead += res.recordsRead; stats.recordsRetained += res.recordsRetained
        const cleaned = openCleaned(log, base, res, nowMs)
        const hook = this.o.pauseAfterSwapMs ? (): Promise<void> => new Promise(r => setTimeout(r, this.o.pauseAfterSwapMs)) : undefined
        const swapped = !this.mustAbort(log, version) && await log.replaceSegments(cleaned, group, version, hook)
        if (!swapped) { cleaned.deleteFiles(); throw new CleaningAbortedError() }
        version = log.segmentsVersion
      }
      stats.endOffset = endOffset
    } catch (e) {
      // an error caused by the log changing under the worker (a segment deleted by retention) is an abort
      if (!(e instanceof CleaningAbortedError) && !this.mustAbort(log, version)) throw e
      stats.aborted = true
    } finally {
      clearInterval(watch)
      stats.elapsedMs = this.now() - start
    }
    return stats
  }

  /** The non-active segments overlapping [firstDirtyOffset, firstUncleanableOffset), read from the first dirty batch. */
  private dirtySegments(ltc: LogToClean): SegmentFile[] {
    const {log, firstDirtyOffset: from, firstUncleanableOffset: to} = ltc
    const segs = log.nonActiveSegments()
    const out: SegmentFile[] = []
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]
      const next = i + 1 < segs.length ? segs[i + 1].baseOffset : log.activeSegmentBaseOffset
      if (next <= from) continue
      if (seg.baseOffset >= to) break
      out.push({file: seg.logFile, baseOffset: seg.baseOffset, size: seg.size, startPosition: seg.offsetIndex.lookup(from).position})
    }
    return out
  }

  private mustAbort(log: UnifiedLog, version: number): boolean {
    return this.o.isStopped() || log.isClosed || log.segmentsVersion !== version
  }

  private checkAbort(log: UnifiedLog, version: number): void {
    if (this.mustAbort(log, version)) throw new CleaningAbortedError()
  }
}

/** The four files of the segment `prefix` with `suffix` (`.cleaned`, `.swap`). */
function filesOf(prefix: string, suffix: string): CleanedSegmentFiles {
  return {log: prefix + LOG_FILE_SUFFIX + suffix, index: prefix + INDEX_FILE_SUFFIX + suffix, timeIndex: prefix + TIME_INDEX_FILE_SUFFIX + suffix,
    txnIndex: prefix + TXN_INDEX_FILE_SUFFIX + suffix}
}

/** The worker's `.cleaned` files as a LogSegment, with the facts the worker tracked (no scan). */
function openCleaned(log: UnifiedLog, base: number, res: CleanGroupResult, nowMs: number): LogSegment {
  const seg = new LogSegment(log.dir, base, log.config.segmentIndexBytes, log.config.indexIntervalBytes, nowMs, CLEANED_FILE_SUFFIX)
  seg.nextOffset = res.nextOffset
  seg.maxTimestampSoFar = res.maxTimestamp
  seg.offsetOfMaxTimestampSoFar = res.offsetOfMaxTimestamp
  seg.firstBatchTimestamp = res.firstBatchTimestamp
  return seg
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
