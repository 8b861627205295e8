/**
 * What crosses the boundary between the broker's event loop and a log cleaner worker thread
 * (`cleaner-worker.ts`): plain data only (structured clone), no class instances. Offsets are
 * absolute, sizes and positions in bytes, times in ms since the epoch.
 *
 * A pass over one log is one `buildMap` request followed by one `cleanGroup` request per group of
 * segments (Kafka `Cleaner.doClean`: `buildOffsetMap`, then `cleanSegments` per group); the worker
 * keeps the offset map between them. The event loop swaps each cleaned group in
 * (`UnifiedLog.replaceSegments`) before asking for the next.
 */
import type {AbortedTxn} from '../transaction-index.js'

/** Set up once per worker (`workerData`). */
export interface CleanerWorkerData {
  /** Cleaner thread id (log lines). */
  id: number
  /** This thread's share of log.cleaner.dedupe.buffer.size (bytes). */
  dedupeBufferBytes: number
  /** log.cleaner.io.buffer.load.factor. */
  loadFactor: number
  /** log.cleaner.io.buffer.size: bytes read per chunk. */
  ioBufferSize: number
  /** The shared throttler's state (`Throttler.createState`, log.cleaner.io.max.bytes.per.second). */
  throttle: SharedArrayBuffer
  /** Int32 word: set to 1 by the event loop to make the request in progress give up (`CleanerThread.abort`). */
  abortFlag: SharedArrayBuffer
}

/** One segment file to read, as the event loop saw it (its size then: bytes past it are not read). */
export interface SegmentFile {
  /** Path of the `.log` file. */
  file: string
  baseOffset: number
  /** Size in bytes. */
  size: number
  /** Byte position to start reading at (a batch boundary, from the offset index). */
  startPosition: number
}

/** Kafka `buildOffsetMap` over the dirty range [firstDirtyOffset, firstUncleanableOffset). */
export interface BuildMapRequest {
  type: 'buildMap'
  /** The non-active segments overlapping the dirty range, in offset order. */
  segments: SegmentFile[]
  firstDirtyOffset: number
  firstUncleanableOffset: number
}

export interface BuildMapResult {
  /** True when the map filled up before the end of the dirty range. */
  full: boolean
  /** Largest offset put in the map, -1 if none. */
  latestOffset: number
  mapEntries: number
  mapCapacity: number
  bytesRead: number
}

/** The four files of a cleaned segment (Kafka `<base>.log.cleaned`, `.index.cleaned`, ...). */
export interface CleanedSegmentFiles {
  log: string
  index: string
  timeIndex: string
  txnIndex: string
}

/** Kafka `cleanSegments`: rewrite one group of segments into one `.cleaned` segment, flushed. */
export interface CleanGroupRequest {
  type: 'cleanGroup'
  /** The group, in offset order; the output's base offset is the first one's. */
  segments: SegmentFile[]
  output: CleanedSegmentFiles
  /** Leftovers to remove before writing (an earlier pass's `.swap` files of the same base offset). */
  stale: string[]
  /** Records at or above it are kept whatever the map says (the pass's end). */
  endOffset: number
  nowMs: number
  /** delete.retention.ms of the log. */
  deleteRetentionMs: number
  /** segment.index.bytes and index.interval.bytes of the log. */
  segmentIndexBytes: number
  indexIntervalBytes: number
  /** [producer id, last offset of its last data batch] of every producer the partition tracks; null keeps every emptied batch that has a producer id. */
  producers: Array<[number, number]> | null
  /** Aborted transactions of the group's `.txnindex` files, in marker order (copied into the output's). */
  abortedTxns: AbortedTxn[]
}

/** The written segment's facts (what `LogSegment.append` would have tracked) and the group's counts. */
export interface CleanGroupResult {
  size: number
  /** Offset after the last batch written, the base offset when none. */
  nextOffset: number
  /** Largest batch max timestamp written (-1 none) and the last offset of that batch. */
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  /** Max timestamp of the first batch written, -1 none. */
  firstBatchTimestamp: number
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsRetained: number
}

export type CleanerRequest = BuildMapRequest | CleanGroupRequest

/** A request on the wire: `id` pairs it with its response. */
export type CleanerRequestMessage = CleanerRequest & {id: number}

/** The worker's answer: the result, or why not (`aborted`: the abort flag was set; else an error, e.g. I/O or corrupt data). */
export type CleanerResponseMessage =
  | {id: number, ok: true, result: BuildMapResult | CleanGroupResult}
  | {id: number, ok: false, aborted: boolean, message: string}
