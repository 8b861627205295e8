/**
 * Producer-state snapshot files (`<20-digit offset>.snapshot`, Kafka `ProducerStateManager.writeSnapshot`
 * / `readSnapshot`, schema `../shared/kafka-protocol/storage/ProducerSnapshot.json`, spec §3.4):
 *
 *   int16 version (1) | uint32 CRC-32C of bytes 6..end | int32 entry count | entries
 *   entry (46 bytes): int64 producerId, int16 epoch, int32 lastSequence, int64 lastOffset,
 *                     int32 offsetDelta (lastSequence − firstSequence of the last batch),
 *                     int64 timestamp (ms), int32 coordinatorEpoch, int64 currentTxnFirstOffset (-1 none)
 *
 * A snapshot named N holds the state of every batch below offset N. Written to `<name>.tmp`,
 * fsynced and renamed (as Kafka's `Utils.atomicMoveWithFallback`), so a reader only ever sees a
 * complete snapshot: at segment roll on libuv's thread pool (`writeProducerSnapshotAsync`, through
 * the file's AtomicFileWriter), at clean shutdown synchronously.
 */
import fs from 'node:fs'
import path from 'node:path'
import {atomicFileWriter, atomicWriteFileSync, busyFileWriter, busyFileWritersIn} from './atomic-file-writer.js'
import {crc32c} from '../../protocol/records/crc32c.js'
import {readInt64At, writeInt64At} from '../../protocol/records/record-batch.js'
import {filenamePrefixFromOffset} from './log-config.js'

export const PRODUCER_SNAPSHOT_FILE_SUFFIX = '.snapshot'
export const PRODUCER_SNAPSHOT_VERSION = 1
const CRC_OFFSET = 2
const ENTRIES_OFFSET = 6
const HEADER_SIZE = 10
export const PRODUCER_SNAPSHOT_ENTRY_SIZE = 46

/** One producer of a snapshot (field names as ProducerSnapshot.json). */
export interface ProducerSnapshotEntry {
  producerId: number
  epoch: number
  lastSequence: number
  lastOffset: number
  /** lastSequence − firstSequence of the producer's last batch. */
  offsetDelta: number
  /** Max timestamp of the last batch (ms). */
  timestamp: number
  /** Epoch of the last transaction coordinator that wrote a marker for it, -1 if none. */
  coordinatorEpoch: number
  /** First offset of its ongoing transaction, -1 if none. */
  currentTxnFirstOffset: number
}

/** A snapshot file that cannot be trusted (Kafka `CorruptSnapshotException`). */
export class CorruptSnapshotError extends Error {
  constructor(message: string) { super(message); this.name = 'CorruptSnapshotError' }
}

/** `<dir>/<20-digit offset>.snapshot` */
export function producerSnapshotFile(dir: string, offset: number): string {
  return path.join(dir, filenamePrefixFromOffset(offset) + PRODUCER_SNAPSHOT_FILE_SUFFIX)
}

/** Encodes entries in the file format. */
export function encodeProducerSnapshot(entries: readonly ProducerSnapshotEntry[]): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE + entries.length * PRODUCER_SNAPSHOT_ENTRY_SIZE)
  buf.writeInt16BE(PRODUCER_SNAPSHOT_VERSION, 0)
  buf.writeInt32BE(entries.length, ENTRIES_OFFSET)
  let p = HEADER_SIZE
  for (const e of entries) {
    writeInt64At(buf, p, e.producerId); p += 8
    buf.writeInt16BE(e.epoch, p); p += 2
    buf.writeInt32BE(e.lastSequence, p); p += 4
    writeInt64At(buf, p, e.lastOffset); p += 8
    buf.writeInt32BE(e.offsetDelta, p); p += 4
    writeInt64At(buf, p, e.timestamp); p += 8
    buf.writeInt32BE(e.coordinatorEpoch, p); p += 4
    writeInt64At(buf, p, e.currentTxnFirstOffset); p += 8
  }
  buf.writeUInt32BE(crc32c(buf, ENTRIES_OFFSET, buf.length), CRC_OFFSET)
  return buf
}

/** Decodes a snapshot file's bytes. @throws CorruptSnapshotError on a bad version, size or CRC. */
export function decodeProducerSnapshot(buf: Buffer, name = 'snapshot'): ProducerSnapshotEntry[] {
  if (buf.length < HEADER_SIZE) throw new CorruptSnapshotError(`Snapshot ${name} is truncated (${buf.length} bytes)`)
  const version = buf.readInt16BE(0)
  if (version !== PRODUCER_SNAPSHOT_VERSION) throw new CorruptSnapshotError(`Snapshot ${name} contained an unknown file version ${version}`)
  const crc = buf.readUInt32BE(CRC_OFFSET)
  const computed = crc32c(buf, ENTRIES_OFFSET, buf.length)
  if (crc !== computed) throw new CorruptSnapshotError(`Snapshot ${name} is corrupt (CRC is no longer valid). Stored crc: ${crc}. Computed crc: ${computed}`)
  const n = buf.readInt32BE(ENTRIES_OFFSET)
  if (n < 0 || buf.length !== HEADER_SIZE + n * PRODUCER_SNAPSHOT_ENTRY_SIZE) throw new CorruptSnapshotError(`Snapshot ${name} has ${n} entries in ${buf.length} bytes`)
  const out: ProducerSnapshotEntry[] = []
  let p = HEADER_SIZE
  for (let i = 0; i < n; i++) {
    out.push({
      producerId: readInt64At(buf, p), epoch: buf.readInt16BE(p + 8), lastSequence: buf.readInt32BE(p + 10),
      lastOffset: readInt64At(buf, p + 14), offsetDelta: buf.readInt32BE(p + 22), timestamp: readInt64At(buf, p + 26),
      coordinatorEpoch: buf.readInt32BE(p + 34), currentTxnFirstOffset: readInt64At(buf, p + 38),
    })
    p += PRODUCER_SNAPSHOT_ENTRY_SIZE
  }
  return out
}

/**
 * Writes the snapshot of offset `offset` atomically and synchronously (tmp file, fsync, rename,
 * directory fsync); safe while an async write of it is in flight. Returns the file. Throws the fs error.
 */
export function writeProducerSnapshot(dir: string, offset: number, entries: readonly ProducerSnapshotEntry[]): string {
  const file = producerSnapshotFile(dir, offset)
  const data = encodeProducerSnapshot(entries)
  const busy = busyFileWriter(file)
  if (busy) busy.writeSync(data)
  else atomicWriteFileSync(file, `${file}.tmp`, data, true)
  return file
}

/**
 * Writes the snapshot of offset `offset` on the thread pool (entries encoded now; tmp file, fsync,
 * rename, directory fsync), after any write of the same file in flight and, given `after`, once
 * that settled (the log data the snapshot describes written). Until it resolves the snapshot is
 * either absent or the previous complete file. Resolves with the file; rejects with the fs error
 * (or `after`'s). `deleteProducerSnapshots` cancels it, also while it waits for `after`.
 */
export async function writeProducerSnapshotAsync(dir: string, offset: number, entries: readonly ProducerSnapshotEntry[], after?: Promise<unknown>): Promise<string> {
  const file = producerSnapshotFile(dir, offset)
  await atomicFileWriter(file).write(encodeProducerSnapshot(entries), {after})
  return file
}

/** Reads `<dir>/<offset>.snapshot`. @throws CorruptSnapshotError, or the fs error. */
export function readProducerSnapshot(file: string): ProducerSnapshotEntry[] {
  return decodeProducerSnapshot(fs.readFileSync(file), path.basename(file))
}

/** Offsets of the snapshot files in `dir`, ascending. */
export function listProducerSnapshotOffsets(dir: string): number[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const out: number[] = []
  for (const n of names) {
    const m = /^(\d{20})\.snapshot$/.exec(n)
    // a snapshot deleted while its async write was in flight is not trusted until that write is done
    if (m && !busyFileWriter(path.join(dir, n))?.mayHoldDiscarded) out.push(Number(m[1]))
  }
  return out.sort((a, b) => a - b)
}

/**
 * Deletes the snapshots whose offset satisfies `pred` (Kafka `deleteSnapshotsBefore` / truncation),
 * synchronously, async writes of such snapshots in flight included (they will not land).
 */
export function deleteProducerSnapshots(dir: string, pred: (offset: number) => boolean): void {
  for (const w of busyFileWritersIn(dir)) {
    const m = /^(\d{20})\.snapshot$/.exec(path.basename(w.file))
    if (m && pred(Number(m[1]))) { w.discard(); fs.rmSync(w.file, {force: true}) }
  }
  for (const o of listProducerSnapshotOffsets(dir)) if (pred(o)) fs.rmSync(producerSnapshotFile(dir, o), {force: true})
}
