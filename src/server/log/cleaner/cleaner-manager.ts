/**
 * Which compacted log to clean next, and where each stands (Kafka `LogCleanerManager`, spec §3.10):
 * the `cleaner-offset-checkpoint` of every log dir (first dirty offset per partition), the logs
 * being cleaned, and those that failed (uncleanable until restart).
 *
 * A log is cleanable when cleanup.policy has `compact` and its dirty ratio
 * (dirty bytes / (clean + dirty bytes)) is above min.cleanable.dirty.ratio, or its oldest dirty
 * data is older than max.compaction.lag.ms; the filthiest such log goes first. The dirty range ends
 * at the first uncleanable offset: min(last stable offset, active segment base offset, base offset
 * of the first segment whose largest timestamp is newer than now − min.compaction.lag.ms).
 */
import path from 'node:path'
import {readOffsetCheckpoint, writeOffsetCheckpointAsync} from '../checkpoint-file.js'
import {tpKey, type LogLogger} from '../log-config.js'
import type {UnifiedLog} from '../unified-log.js'
import type {LogToClean} from './cleaner.js'

export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint'

export interface LogCleanerManagerOptions {
  logDirs: readonly string[]
  /** Every log of this node (LogManager.allLogs). */
  logs: () => readonly UnifiedLog[]
  /** A log's last stable offset (min(first unstable offset, high watermark)); the cleaner stays below it. */
  lastStableOffsetOf: (log: UnifiedLog) => number
  logger?: LogLogger
}

export class LogCleanerManager {
  /** Per log dir (resolved): `<topic>-<partition>` → first dirty offset. */
  private readonly checkpoints = new Map<string, Map<string, {topic: string, partition: number, offset: number}>>()
  private readonly inProgress = new Set<UnifiedLog>()
  private readonly uncleanable = new Set<UnifiedLog>()
  /** The largest dirty ratio seen by the last selection (Kafka's max-dirty-percent metric). */
  dirtiestRatio = 0
  /** When a cleaner thread last looked for a log to clean (ms; Kafka's time-since-last-run-ms), -1 before. */
  timeOfLastRunMs = -1

  constructor(private readonly o: LogCleanerManagerOptions) {
    for (const dir of o.logDirs) {
      let entries = new Map<string, {topic: string, partition: number, offset: number}>()
      try {
        entries = readOffsetCheckpoint(path.join(dir, CLEANER_OFFSET_CHECKPOINT_FILE))
      } catch (e) {
        o.logger?.warn(`Ignoring an unreadable ${CLEANER_OFFSET_CHECKPOINT_FILE} in ${dir}: ${(e as Error).message}`)
      }
      this.checkpoints.set(path.resolve(dir), entries)
    }
  }

  /** The checkpointed first dirty offset of `log`, undefined when none. */
  checkpointedOffset(log: UnifiedLog): number | undefined {
    return this.checkpoints.get(path.resolve(path.dirname(log.dir)))?.get(tpKey(log.topicPartition))?.offset
  }

  /**
   * Kafka `LogCleanerManager.cleanableOffsets`: [firstDirtyOffset, firstUncleanableOffset) of `log`
   * at `nowMs`. A checkpoint below the log start or above the log end restarts at the log start.
   */
  cleanableOffsets(log: UnifiedLog, nowMs: number): {firstDirtyOffset: number, firstUncleanableOffset: number} {
    const checkpointed = this.checkpointedOffset(log)
    const firstDirtyOffset = checkpointed === undefined || checkpointed < log.logStartOffset || checkpointed > log.logEndOffset
      ? log.logStartOffset : checkpointed
    let uncleanable = Math.min(this.o.lastStableOffsetOf(log), log.activeSegmentBaseOffset)
    const minLag = log.config.minCompactionLagMs ?? 0
    if (minLag > 0) {
      const segs = log.nonActiveSegments()
      for (let i = 0; i < segs.length; i++) {
        const next = i + 1 < segs.length ? segs[i + 1].baseOffset : log.activeSegmentBaseOffset
        if (next <= firstDirtyOffset) continue
        if (segs[i].largestTimestamp() > nowMs - minLag) { uncleanable = Math.min(uncleanable, segs[i].baseOffset); break }
      }
    }
    return {firstDirtyOffset, firstUncleanableOffset: Math.max(firstDirtyOffset, uncleanable)}
  }

  /** The dirty range and byte counts of `log` (null for an empty log). */
  private toClean(log: UnifiedLog, nowMs: number): LogToClean | null {
    const {firstDirtyOffset, firstUncleanableOffset} = this.cleanableOffsets(log, nowMs)
    let cleanBytes = 0
    let cleanableBytes = 0
    let earliestDirtyTimestamp = Number.POSITIVE_INFINITY
    const segs = log.nonActiveSegments()
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]
      const next = i + 1 < segs.length ? segs[i + 1].baseOffset : log.activeSegmentBaseOffset
      if (seg.baseOffset >= firstUncleanableOffset) break
      if (next <= firstDirtyOffset) { cleanBytes += seg.size; continue }
      cleanableBytes += seg.size
      if (seg.firstBatchTimestamp >= 0) earliestDirtyTimestamp = Math.min(earliestDirtyTimestamp, seg.firstBatchTimestamp)
    }
    if (cleanBytes + cleanableBytes === 0) return null
    const maxLag = log.config.maxCompactionLagMs ?? Number.MAX_SAFE_INTEGER
    const needCompactionNow = Number.isFinite(earliestDirtyTimestamp) && nowMs - maxLag > earliestDirtyTimestamp
    return {log, firstDirtyOffset, firstUncleanableOffset, cleanBytes, cleanableBytes, needCompactionNow, segmentsVersion: log.segmentsVersion}
  }

  /**
   * Kafka `grabFilthiestCompactedLog`: the compacted log most worth cleaning, marked in progress
   * (call `doneCleaning` or `abortCleaning` after), or null.
   */
  grabFilthiestCompactedLog(nowMs: number): LogToClean | null {
    this.timeOfLastRunMs = nowMs
    let best: LogToClean | null = null
    let bestRatio = -1
    this.dirtiestRatio = 0
    for (const log of this.o.logs()) {
      if (log.isClosed || !log.isCompacted || this.inProgress.has(log) || this.uncleanable.has(log)) continue
      const ltc = this.toClean(log, nowMs)
      if (!ltc) continue
      const ratio = ltc.cleanableBytes / (ltc.cleanBytes + ltc.cleanableBytes)
      this.dirtiestRatio = Math.max(this.dirtiestRatio, ratio)
      const eligible = (ltc.needCompactionNow && ltc.cleanableBytes > 0) || (ltc.cleanableBytes > 0 && ratio > (log.config.minCleanableDirtyRatio ?? 0.5))
      if (eligible && (ratio > bestRatio || (ltc.needCompactionNow && !best?.needCompactionNow))) { best = ltc; bestRatio = ratio }
    }
    if (best) this.inProgress.add(best.log)
    return best
  }

  /** Ends a pass that cleaned `log` up to `endOffset`: checkpoints it (Kafka `doneCleaning`). */
  doneCleaning(log: UnifiedLog, endOffset: number): void {
    this.inProgress.delete(log)
    const dir = path.resolve(path.dirname(log.dir))
    const entries = this.checkpoints.get(dir) ?? new Map()
    this.checkpoints.set(dir, entries)
    entries.set(tpKey(log.topicPartition), {...log.topicPartition, offset: endOffset})
    this.writeCheckpoint(dir)
  }

  /** Ends a pass that did not finish (aborted or failed); `failed` makes the log uncleanable until restart. */
  abortCleaning(log: UnifiedLog, failed = false): void {
    this.inProgress.delete(log)
    if (failed) this.uncleanable.add(log)
  }

  get logsInProgress(): number { return this.inProgress.size }

  /** Logs a pass failed on (uncleanable until restart), per log dir: count and bytes (Kafka uncleanable-partitions-count / -bytes). */
  uncleanableByDir(): Map<string, {partitions: number, bytes: number}> {
    const out = new Map<string, {partitions: number, bytes: number}>()
    for (const dir of this.o.logDirs) out.set(path.resolve(dir), {partitions: 0, bytes: 0})
    for (const log of this.uncleanable) {
      if (log.isClosed) continue
      const e = out.get(path.resolve(path.dirname(log.dir)))
      if (e) { e.partitions++; e.bytes += log.size }
    }
    return out
  }

  /** Rewrites `dir`'s checkpoint with the entries of the logs that still exist there. */
  private writeCheckpoint(dir: string): void {
    const entries = this.checkpoints.get(dir)
    if (!entries) return
    const live = new Set(this.o.logs().filter(l => !l.isClosed && path.resolve(path.dirname(l.dir)) === dir).map(l => tpKey(l.topicPartition)))
    for (const k of [...entries.keys()]) if (!live.has(k)) entries.delete(k)
    writeOffsetCheckpointAsync(path.join(dir, CLEANER_OFFSET_CHECKPOINT_FILE), [...entries.values()]).catch((e: unknown) =>
      this.o.logger?.warn(`Failed to write ${CLEANER_OFFSET_CHECKPOINT_FILE} in ${dir}: ${(e as Error).message}`))
  }
}
