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
import type {LogConfig} from './log-config.js'

export interface LoadedLog {
  segments: LogSegment[]
  logEndOffset: number
  recoveryPoint: number
  /** Bytes removed from the tail by recovery. */
  bytesTruncated: number
}

export function loadSegments(opts: {dir: string, config: LogConfig, recoveryPoint: number, logStartOffset: number,
  hadCleanShutdown: boolean, epochCache: LeaderEpochCache}): LoadedLog {
  const {dir, config} = opts
  completeInterruptedSwaps(dir, config)
  const bases: number[] = []
  for (const name of fs.readdirSync(dir)) {
    const m = /^(\d{20})\.log$/.exec(name)
    if (m) bases.push(Number(m[1]))
  }
  // orphan indexes without a .log are deleted (Kafka does the same)
  for (const name of fs.readdirSync(dir)) {
    const m = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name)
    if (m && !bases.includes(Number(m[1]))) fs.rmSync(path.join(dir, name), {force: true})
  }
  bases.sort((a, b) => a - b)
  const segments: LogSegment[] = []
  let bytesTruncated = 0
  for (const base of bases) {
    const prefix = path.join(dir, String(base).padStart(20, '0'))
    const missingIndex = !fs.existsSync(prefix + INDEX_FILE_SUFFIX) || !fs.existsSync(prefix + TIME_INDEX_FILE_SUFFIX)
    const seg = new LogSegment(dir, base, config.segmentIndexBytes, config.indexIntervalBytes)
    if (missingIndex) bytesTruncated += seg.recover()
    else seg.loadNextOffset()
    segments.push(seg)
  }
  if (!opts.hadCleanShutdown && segments.length > 0) {
    let i = segments.length - 1
    while (i > 0 && segments[i].baseOffset > opts.recoveryPoint) i--
    if (segments[i].baseOffset > opts.recoveryPoint) i = 0
    for (let j = i; j < segments.length; j++) {
      const seg = segments[j]
      const t = seg.recover(b => { opts.epochCache.assign(b.epoch, b.baseOffset, false) })
      if (t > 0) {
        bytesTruncated += t
        for (const later of segments.splice(j + 1)) { bytesTruncated += later.size; later.deleteFiles() }
        break
      }
    }
    opts.epochCache.flush()
  }
  if (segments.length === 0) segments.push(new LogSegment(dir, opts.logStartOffset, config.segmentIndexBytes, config.indexIntervalBytes))
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
