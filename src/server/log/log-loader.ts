/**
 * Log loading and recovery (Kafka `LogLoader`, spec §3.9): removes `*.deleted`/`*.cleaned`/
 * `*.swap`/`*.tmp` leftovers, opens segments (rebuilding missing indexes), and after an unclean
 * shutdown validates every batch from the segment holding the recovery point, truncating at the
 * first bad batch and deleting later segments. Batch headers and CRCs only, no record decoding.
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  LogSegment, LOG_FILE_SUFFIX, INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, DELETED_FILE_SUFFIX, CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX,
} from './log-segment.js'
import {fsyncDir} from './checkpoint-file.js'
import {TXN_INDEX_FILE_SUFFIX} from './transaction-index.js'
import {LeaderEpochCache} from './leader-epoch-cache.js'
import {filenamePrefixFromOffset, type LogConfig} from './log-config.js'
import type {LogIo} from './log-io.js'

export interface LoadedLog {
  segments: LogSegment[]
  logEndOffset: number
  recoveryPoint: number
  /** Bytes removed from the tail by recovery. */
  bytesTruncated: number
}

export interface LoadSegmentsOptions {
  dir: string
  config: LogConfig
  /** Offset up to which the log is known flushed: recovery starts at the segment holding it. */
  recoveryPoint: number
  logStartOffset: number
  hadCleanShutdown: boolean
  epochCache: LeaderEpochCache
}

/** Synchronous loading (the metadata log, tools, tests, simulations): see `loadSegmentsAsync`. */
export function loadSegments(opts: LoadSegmentsOptions): LoadedLog {
  const {dir, config} = opts
  completeInterruptedSwaps(dir, config)
  const names = fs.readdirSync(dir)
  const bases = segmentBases(names)
  // orphan indexes without a .log are deleted (Kafka does the same)
  for (const name of orphanIndexes(names, bases)) fs.rmSync(path.join(dir, name), {force: true})
  const segments: LogSegment[] = []
  let bytesTruncated = 0
  for (const base of bases) {
    const seg = new LogSegment(dir, base, config.segmentIndexBytes, config.indexIntervalBytes)
    if (missingIndex(names, base)) bytesTruncated += seg.recover()
    else seg.loadNextOffset()
    segments.push(seg)
  }
  if (!opts.hadCleanShutdown && segments.length > 0) {
    for (let j = recoveryStart(bases, opts.recoveryPoint); j < segments.length; j++) {
      const t = segments[j].recover(b => { opts.epochCache.assign(b.epoch, b.baseOffset, false) })
      if (t > 0) { bytesTruncated += t + dropSegmentsAfter(segments, j); break }
    }
    opts.epochCache.flush()
  }
  if (segments.length === 0) segments.push(new LogSegment(dir, opts.logStartOffset, config.segmentIndexBytes, config.indexIntervalBytes))
  return finishLoad(segments, opts, bytesTruncated)
}

/**
 * Kafka `LogLoader.load`, off the event loop (the broker's start-up): directory listing, segment
 * opens, index reads and recovery reads run on libuv's thread pool, the batch checks on the event
 * loop between 1 MiB reads; index writes and truncations go through `io`. The same steps, checks
 * and result as `loadSegments`. Leftovers of an interrupted cleaning or deletion (rare) are dealt with
 * synchronously first (`completeInterruptedSwaps`).
 * Rejects with the fs error of a failed open or read (the segments opened so far are closed).
 */
export async function loadSegmentsAsync(opts: LoadSegmentsOptions & {io: LogIo}): Promise<LoadedLog> {
  const {dir, config, io} = opts
  let names = await fs.promises.readdir(dir)
  if (names.some(isLeftover)) {
    completeInterruptedSwaps(dir, config)
    names = await fs.promises.readdir(dir)
  }
  const bases = segmentBases(names)
  await Promise.all(orphanIndexes(names, bases).map(name => fs.promises.rm(path.join(dir, name), {force: true})))
  const firstRecovered = opts.hadCleanShutdown ? bases.length : recoveryStart(bases, opts.recoveryPoint)
  const segments: LogSegment[] = []
  try {
    let bytesTruncated = 0
    for (let j = 0; j < bases.length; j++) {
      const missing = missingIndex(names, bases[j])
      // a segment recovery will rebuild needs neither its indexes read nor its end found first
      const seg = await LogSegment.openAsync(dir, bases[j], config.segmentIndexBytes, config.indexIntervalBytes, io, !missing && j < firstRecovered)
      segments.push(seg)
      if (missing) bytesTruncated += await seg.recoverAsync()
      else if (j < firstRecovered) await seg.loadNextOffsetAsync()
    }
    if (!opts.hadCleanShutdown && segments.length > 0) {
      for (let j = firstRecovered; j < segments.length; j++) {
        const t = await segments[j].recoverAsync(b => { opts.epochCache.assign(b.epoch, b.baseOffset, false) })
        if (t > 0) { bytesTruncated += t + dropSegmentsAfter(segments, j); break }
      }
      await opts.epochCache.flushAsync()
    }
    if (segments.length === 0) segments.push(await LogSegment.openAsync(dir, opts.logStartOffset, config.segmentIndexBytes, config.indexIntervalBytes, io, true))
    return finishLoad(segments, opts, bytesTruncated)
  } catch (e) {
    for (const seg of segments) seg.closeHandles()
    throw e
  }
}

/** A file `completeInterruptedSwaps` deals with (removes, renames or swaps in). */
function isLeftover(name: string): boolean {
  return name.endsWith(DELETED_FILE_SUFFIX) || name.endsWith('.tmp') || name.endsWith(CLEANED_FILE_SUFFIX) || name.endsWith(SWAP_FILE_SUFFIX)
}

/** Base offsets of the `<base>.log` files among `names`, ascending. */
function segmentBases(names: readonly string[]): number[] {
  const bases: number[] = []
  for (const name of names) {
    const m = /^(\d{20})\.log$/.exec(name)
    if (m) bases.push(Number(m[1]))
  }
  return bases.sort((a, b) => a - b)
}

/** Index files among `names` whose segment has no `.log`. */
function orphanIndexes(names: readonly string[], bases: readonly number[]): string[] {
  const have = new Set(bases)
  return names.filter(name => {
    const m = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name)
    return m !== null && !have.has(Number(m[1]))
  })
}

/** Whether the segment at `base` lacks its offset or time index (recovery rebuilds them). */
function missingIndex(names: readonly string[], base: number): boolean {
  const prefix = filenamePrefixFromOffset(base)
  return !names.includes(prefix + INDEX_FILE_SUFFIX) || !names.includes(prefix + TIME_INDEX_FILE_SUFFIX)
}

/** Index of the segment recovery starts at: the last one whose base offset ≤ the recovery point (else the first). */
function recoveryStart(bases: readonly number[], recoveryPoint: number): number {
  let i = bases.length - 1
  while (i > 0 && bases[i] > recoveryPoint) i--
  return bases[i] > recoveryPoint ? 0 : i
}

/** Deletes the segments after index `j` (recovery truncated segment `j`); returns their bytes. */
function dropSegmentsAfter(segments: LogSegment[], j: number): number {
  let bytes = 0
  for (const later of segments.splice(j + 1)) { bytes += later.size; later.deleteFiles() }
  return bytes
}

/** The active segment's indexes preallocated again, the epoch cache cut at the log end offset. */
function finishLoad(segments: LogSegment[], opts: LoadSegmentsOptions, bytesTruncated: number): LoadedLog {
  const active = segments[segments.length - 1]
  active.offsetIndex.resizeFile(true); active.timeIndex.resizeFile(true)
  const logEndOffset = active.nextOffset
  opts.epochCache.truncateFromEnd(logEndOffset)
  return {segments, logEndOffset, recoveryPoint: Math.min(opts.recoveryPoint, logEndOffset), bytesTruncated}
}

/**
 * Kafka `LogLoader.removeTempFilesAndCollectSwapFiles` + the swap passes of `LogLoader.load`:
 * deletes `*.deleted`, `*.tmp` and `*.cleaned` files (a cleaning interrupted before its swap) and
 * `.swap` index files (rebuilt); a `<base>.log.swap` at or above the lowest `.cleaned` offset is
 * the leftover of an interrupted split and is deleted; every other `.log.swap` is a complete cleaned
 * segment whose swap was interrupted: the segments it replaces (base offsets in [base, its next
 * offset), and the one at `base`) are deleted and it is renamed into place.
 */
export function completeInterruptedSwaps(dir: string, config: LogConfig): void {
  let minCleanedOffset = Number.POSITIVE_INFINITY
  const swapLogs: number[] = []
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name)
    if (name.endsWith(DELETED_FILE_SUFFIX) || name.endsWith('.tmp')) { fs.rmSync(full, {force: true}); continue }
    if (name.endsWith(CLEANED_FILE_SUFFIX)) {
      const m = /^(\d{20})\./.exec(name)
      if (m) minCleanedOffset = Math.min(minCleanedOffset, Number(m[1]))
      fs.rmSync(full, {force: true}); continue
    }
    if (name.endsWith(SWAP_FILE_SUFFIX)) {
      const m = /^(\d{20})\.log\.swap$/.exec(name)
      if (m) swapLogs.push(Number(m[1]))
      // the aborted-transaction index cannot be rebuilt from the segment alone: it swaps in with its .log
      else if (!/^\d{20}\.txnindex\.swap$/.test(name)) fs.rmSync(full, {force: true})
    }
  }
  swapLogs.sort((a, b) => a - b)
  for (const base of swapLogs) {
    const prefix = path.join(dir, String(base).padStart(20, '0'))
    if (base >= minCleanedOffset) {
      fs.rmSync(prefix + LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX, {force: true})
      fs.rmSync(prefix + TXN_INDEX_FILE_SUFFIX + SWAP_FILE_SUFFIX, {force: true})
      continue
    }
    const swap = new LogSegment(dir, base, config.segmentIndexBytes, config.indexIntervalBytes, Date.now(), SWAP_FILE_SUFFIX)
    swap.recover()
    const next = swap.nextOffset
    for (const name of fs.readdirSync(dir)) {
      const m = /^(\d{20})\.(log|index|timeindex|txnindex)$/.exec(name)
      if (!m) continue
      const b = Number(m[1])
      if (b === base || (b > base && b < next)) fs.rmSync(path.join(dir, name), {force: true})
    }
    swap.changeFileSuffixes(SWAP_FILE_SUFFIX, '')
    swap.close()
  }
  // A `.txnindex.swap` left without its `.log.swap`: the crash came after the `.log` took its final
  // name (the `.log` renames first), so the swapped-in segment is live and this is its index.
  let orphans = 0
  for (const name of fs.readdirSync(dir)) {
    if (!/^\d{20}\.txnindex\.swap$/.test(name)) continue
    fs.renameSync(path.join(dir, name), path.join(dir, name.slice(0, -SWAP_FILE_SUFFIX.length)))
    orphans++
  }
  if (swapLogs.length > 0 || orphans > 0) fsyncDir(dir)
}

export {LOG_FILE_SUFFIX}
