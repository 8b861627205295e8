/**
 * `kts dump-log` of `.index` and `.timeindex` files (Kafka 3.9 `DumpLogSegments.dumpIndex` /
 * `dumpTimeIndex`, `OffsetIndex`/`TimeIndex.sanityCheck`): each entry is checked against the
 * segment's `.log` (same base name, same folder) and printed as `offset: N position: P` /
 * `timestamp: T offset: N`, unless `--verify-index-only`; `--index-sanity-check` only runs the
 * broker's start-up check. The entries of a preallocated (active) index end at the first entry
 * that repeats the base offset.
 */
import fs from 'node:fs'
import path from 'node:path'
import {BATCH_LENGTH_OFFSET, LOG_OVERHEAD, readBatchHeader, lastOffsetOf} from '../../protocol/records/record-batch.js'
import {decodeRecordBatch} from '../../protocol/records/records.js'
import {DumpProblems, type DumpSink} from './dump-output.js'

/** Kafka's `CorruptIndexException` (the tool fails with its message). */
export class CorruptIndexError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CorruptIndexException'
  }
}

export interface IndexDumpOptions {
  /** `--index-sanity-check` */
  sanityOnly: boolean
  /** `--verify-index-only` */
  verifyOnly: boolean
  /** `--max-message-size` (default 5242880): bytes read at an index entry's position. */
  maxMessageSize: number
}

function baseOffsetOf(file: string): number {
  return Number(path.basename(file).split('.')[0])
}

function siblingLog(file: string): string {
  return path.join(path.dirname(path.resolve(file)), path.basename(file).split('.')[0] + '.log')
}

/** Reads an index file; a missing one reads as empty (Kafka opens indexes with create semantics). */
function readOrEmpty(file: string): Buffer {
  try {
    return fs.readFileSync(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0)
    throw err
  }
}

/** Reads the segment's `.log`. @throws Error `java.nio.file.NoSuchFileException: <path>` when it is missing */
function readLog(file: string): Buffer {
  try {
    return fs.readFileSync(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`java.nio.file.NoSuchFileException: ${file}`)
    throw err
  }
}

interface OffsetEntry {
  offset: number
  position: number
}

function offsetEntries(buf: Buffer, base: number): OffsetEntry[] {
  const out: OffsetEntry[] = []
  for (let p = 0; p + 8 <= buf.length; p += 8) out.push({offset: base + buf.readInt32BE(p), position: buf.readInt32BE(p + 4)})
  return out
}

/** The first batch at `position` of the log, read within `limit` bytes; null when none fits. */
function batchAt(log: Buffer, position: number, limit: number): {lastOffset: number, end: number} | null {
  const end = Math.min(log.length, position + limit)
  if (position + LOG_OVERHEAD > end) return null
  const size = log.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
  if (position + size > end || size < 61) return null
  return {lastOffset: lastOffsetOf(readBatchHeader(log, position)), end: position + size}
}

/** `OffsetIndex.lookup`: the last entry whose offset ≤ target, else (base, 0). */
function lookup(entries: OffsetEntry[], base: number, target: number): OffsetEntry {
  let found: OffsetEntry = {offset: base, position: 0}
  for (const e of entries) {
    if (e.offset > target) break
    found = e
  }
  return found
}

/** Dumps an offset index. @throws CorruptIndexError from the sanity check */
export function dumpOffsetIndex(file: string, opts: IndexDumpOptions, problems: DumpProblems, sink: DumpSink): void {
  const base = baseOffsetOf(file)
  const log = readLog(siblingLog(file))
  const raw = readOrEmpty(file)
  const entries = offsetEntries(raw, base)
  if (entries.length === 0) {
    sink.out(`${file} is empty.\n`)
    return
  }
  const absolute = path.resolve(file)
  if (opts.sanityOnly) {
    const last = entries[entries.length - 1].offset
    if (last < base) throw new CorruptIndexError(`Corrupt index found, index file ${absolute} has non-zero size but the last offset is ${last} which is less than the base offset ${base}`)
    if (raw.length % 8 !== 0) throw new CorruptIndexError(`Index file ${absolute} is corrupt, found ${raw.length} bytes which is neither positive nor a multiple of 8`)
    sink.out(`${file} passed sanity check.\n`)
    return
  }
  let lines = ''
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    if (e.offset === base && i > 0) break
    const batch = batchAt(log, e.position, opts.maxMessageSize)
    if (batch === null) throw new Error(`java.util.NoSuchElementException: no batch at position ${e.position} of ${siblingLog(file)}`)
    if (batch.lastOffset !== e.offset) DumpProblems.prepend(problems.indexMismatches, absolute, [e.offset, batch.lastOffset])
    if (!opts.verifyOnly) lines += `offset: ${e.offset} position: ${e.position}\n`
  }
  sink.out(lines)
}

/** Dumps a time index. @throws CorruptIndexError from the sanity check */
export function dumpTimeIndex(file: string, opts: IndexDumpOptions, problems: DumpProblems, sink: DumpSink): void {
  const base = baseOffsetOf(file)
  const log = readLog(siblingLog(file))
  const offsetIndex = offsetEntries(readOrEmpty(path.join(path.dirname(path.resolve(file)), path.basename(file).split('.')[0] + '.index')), base)
  const firstZero = offsetIndex.findIndex((e, i) => i > 0 && e.offset === base)
  if (firstZero > 0) offsetIndex.length = firstZero
  const raw = readOrEmpty(file)
  const entries: {timestamp: number, offset: number}[] = []
  for (let p = 0; p + 12 <= raw.length; p += 12) entries.push({timestamp: Number(raw.readBigInt64BE(p)), offset: base + raw.readInt32BE(p + 8)})
  const absolute = path.resolve(file)
  if (opts.sanityOnly) {
    if (entries.length !== 0) {
      const last = entries[entries.length - 1]
      if (last.timestamp < entries[0].timestamp) {
        throw new CorruptIndexError(`Corrupt time index found, time index file (${absolute}) has non-zero size but the last timestamp is ${last.timestamp} which is less than the first timestamp ${entries[0].timestamp}`)
      }
      if (last.offset < base) throw new CorruptIndexError(`Corrupt time index found, time index file (${absolute}) has non-zero size but the last offset is ${last.offset} which is less than the first offset ${base}`)
    }
    if (raw.length % 12 !== 0) throw new CorruptIndexError(`Time index file ${absolute} is corrupt, found ${raw.length} bytes which is neither positive nor a multiple of 12`)
    sink.out(`${file} passed sanity check.\n`)
    return
  }
  let prevTimestamp = -1
  let lines = ''
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]
    if (e.offset === base && i > 0) break
    let position = lookup(offsetIndex, base, e.offset).position
    let found: {lastOffset: number, end: number} | null = null
    for (;;) {
      const batch = batchAt(log, position, log.length - position)
      if (batch === null) break
      if (batch.lastOffset >= e.offset) {
        found = batch
        break
      }
      position = batch.end
    }
    if (found === null) {
      DumpProblems.append(problems.timeIndexOffsetNotFound, absolute, [e.offset, -1])
    } else if (found.lastOffset !== e.offset) {
      DumpProblems.append(problems.timeIndexOffsetNotFound, absolute, [e.offset, found.lastOffset])
    } else {
      const batch = decodeRecordBatch(log.subarray(0, found.end), position, false)
      const maxTimestamp = batch.records.reduce((m, r) => Math.max(m, r.timestamp), -1)
      if (maxTimestamp !== e.timestamp) DumpProblems.append(problems.timeIndexMismatches, absolute, [e.timestamp, maxTimestamp])
      if (prevTimestamp >= e.timestamp) DumpProblems.append(problems.timeIndexOutOfOrder, absolute, [e.timestamp, prevTimestamp])
    }
    if (!opts.verifyOnly) lines += `timestamp: ${e.timestamp} offset: ${e.offset}\n`
    prevTimestamp = e.timestamp
  }
  sink.out(lines)
}
