/**
 * Metadata snapshots (storage-and-kraft.md §4.3, KIP-630; Kafka `RecordsSnapshotWriter`,
 * `Snapshots`, `FileRawSnapshotWriter`): `<endOffset 20 digits>-<epoch 10 digits>.checkpoint` in
 * the metadata partition dir, holding record batches (offsets from 0, partitionLeaderEpoch =
 * snapshot epoch): a control batch with SNAPSHOT_HEADER, data batches of record values, a control
 * batch with SNAPSHOT_FOOTER. Written as `.checkpoint.part`, fsynced, then renamed.
 */
import fs from 'node:fs'
import path from 'node:path'
import {Writer} from '../../protocol/primitives/writer.js'
import {ControlRecordType, decodeRecordBatches, encodeControlRecordKey, encodeRecordBatch} from '../../protocol/records/records.js'
import {writeSnapshotHeaderRecord} from '../../protocol/generated/data/snapshot-header-record.js'
import {writeSnapshotFooterRecord} from '../../protocol/generated/data/snapshot-footer-record.js'
import {scanVotersRecords, voterControlRecords, type VoterNode, type VoterSet} from './voter-set.js'
import {readFullySync} from '../util/read-fully.js'

export interface SnapshotId {
  /** Records with offset < endOffset are contained. */
  endOffset: number
  /** Leader epoch of the record at endOffset - 1. */
  epoch: number
}

const NAME = /^(\d{20})-(\d{10})\.checkpoint$/
/** Records per data batch in a snapshot. */
const RECORDS_PER_BATCH = 1000

export function snapshotFileName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}.checkpoint`
}

/** `<endOffset>-<epoch>` as Kafka logs it, e.g. `00000000000000000042-0000000003`. */
export function snapshotName(id: SnapshotId): string {
  return snapshotFileName(id).replace('.checkpoint', '')
}

/** Snapshot ids in `dir`, ascending by end offset. */
export function listSnapshots(dir: string): SnapshotId[] {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return []
  }
  const ids: SnapshotId[] = []
  for (const n of names) {
    const m = NAME.exec(n)
    if (m) ids.push({endOffset: Number(m[1]), epoch: Number(m[2])})
  }
  return ids.sort((a, b) => a.endOffset - b.endOffset || a.epoch - b.epoch)
}

function controlBatch(type: ControlRecordType, value: Buffer, baseOffset: number, epoch: number, ts: number): Buffer {
  return encodeRecordBatch({baseOffset, partitionLeaderEpoch: epoch, isControl: true, records: [{key: encodeControlRecordKey(type), value, timestamp: ts}]})
}

/**
 * The bytes of a snapshot of `values` (encoded record values); `nowMs` stamps the batches. With
 * `voters` (kraft.version 1) the header batch also holds a KRAFT_VERSION and a KRAFT_VOTERS record
 * (Kafka `RecordsSnapshotWriter`).
 */
export function encodeSnapshot(id: SnapshotId, values: Buffer[], lastContainedLogTimestamp: number, nowMs: number, voters: VoterSet | null = null): Buffer {
  const hw = new Writer(16)
  writeSnapshotHeaderRecord(hw, {version: 0, lastContainedLogTimestamp}, 0)
  const fw = new Writer(8)
  writeSnapshotFooterRecord(fw, {version: 0}, 0)
  const header = [{key: encodeControlRecordKey(ControlRecordType.SNAPSHOT_HEADER), value: hw.toBuffer(), timestamp: nowMs}]
  if (voters) header.push(...voterControlRecords(voters, nowMs, true))
  const parts: Buffer[] = [encodeRecordBatch({baseOffset: 0, partitionLeaderEpoch: id.epoch, isControl: true, records: header})]
  let offset = header.length
  for (let i = 0; i < values.length; i += RECORDS_PER_BATCH) {
    const chunk = values.slice(i, i + RECORDS_PER_BATCH)
    parts.push(encodeRecordBatch({baseOffset: offset, partitionLeaderEpoch: id.epoch, records: chunk.map(value => ({key: null, value, timestamp: nowMs}))}))
    offset += chunk.length
  }
  parts.push(controlBatch(ControlRecordType.SNAPSHOT_FOOTER, fw.toBuffer(), offset, id.epoch, nowMs))
  return Buffer.concat(parts)
}

/**
 * The record values of a snapshot (control records skipped).
 * @throws Error when the bytes are corrupt or have no SNAPSHOT_FOOTER (incomplete).
 */
export function decodeSnapshot(bytes: Buffer): Buffer[] {
  const values: Buffer[] = []
  let footer = false
  for (const b of decodeRecordBatches(bytes)) {
    if (b.isControl) {
      for (const r of b.records) {
        const type = r.key && r.key.length >= 4 ? r.key.readInt16BE(2) : -1
        if (type === ControlRecordType.SNAPSHOT_FOOTER) footer = true
      }
      continue
    }
    for (const r of b.records) if (r.value) values.push(r.value)
  }
  if (!footer) throw new Error('the snapshot has no footer')
  return values
}

/** The voter set a snapshot holds (its last KRAFT_VOTERS record), null when none. */
export function decodeSnapshotVoters(bytes: Buffer): VoterNode[] | null {
  const found = scanVotersRecords(bytes)
  return found.length > 0 ? found[found.length - 1].voters : null
}

/** Writes `bytes` to `<dir>/<file>.part`, fsyncs, renames to `<dir>/<file>` and fsyncs the directory. */
function writeAtomically(dir: string, file: string, bytes: Buffer): void {
  const target = path.join(dir, file)
  const part = `${target}.part`
  const fd = fs.openSync(part, 'w')
  try {
    let written = 0
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(part, target)
  try {
    const dfd = fs.openSync(dir, 'r')
    try { fs.fsyncSync(dfd) } finally { fs.closeSync(dfd) }
  } catch { /* directory fsync unsupported */ }
}

/** Writes a snapshot of `values` atomically; returns its path. */
export function writeSnapshot(dir: string, id: SnapshotId, values: Buffer[], lastContainedLogTimestamp: number): string {
  writeAtomically(dir, snapshotFileName(id), encodeSnapshot(id, values, lastContainedLogTimestamp, Date.now()))
  return path.join(dir, snapshotFileName(id))
}

/**
 * Reads the record values of a snapshot (control records skipped).
 * @throws Error when the file is corrupt or has no SNAPSHOT_FOOTER (incomplete).
 */
export function readSnapshot(dir: string, id: SnapshotId): Buffer[] {
  const file = path.join(dir, snapshotFileName(id))
  try {
    return decodeSnapshot(fs.readFileSync(file))
  } catch (err) {
    throw new Error(`Snapshot ${file} is unreadable: ${(err as Error).message}`)
  }
}

/**
 * The snapshots of one partition directory as a `SnapshotStore` (Kafka `FileRawSnapshotReader` /
 * `FileRawSnapshotWriter`). On open, leftover `*.checkpoint.part` files (a crash mid-write or
 * mid-download) are deleted, as Kafka's `KafkaMetadataLog.recoverSnapshots` does.
 */
export class FileSnapshotStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, {recursive: true})
    for (const n of fs.readdirSync(dir)) {
      if (n.endsWith('.checkpoint.part') || n.endsWith('.checkpoint.deleted')) fs.rmSync(path.join(dir, n), {force: true})
    }
  }

  list(): SnapshotId[] {
    return listSnapshots(this.dir)
  }

  size(id: SnapshotId): number {
    try {
      return fs.statSync(path.join(this.dir, snapshotFileName(id))).size
    } catch {
      return -1
    }
  }

  read(id: SnapshotId, position: number, maxBytes: number): Buffer {
    const fd = fs.openSync(path.join(this.dir, snapshotFileName(id)), 'r')
    try {
      const size = fs.fstatSync(fd).size
      const len = Math.max(0, Math.min(maxBytes, size - position))
      const buf = Buffer.allocUnsafe(len)
      return buf.subarray(0, readFullySync(fd, buf, len, position))
    } finally {
      fs.closeSync(fd)
    }
  }

  write(id: SnapshotId, bytes: Buffer): void {
    writeAtomically(this.dir, snapshotFileName(id), bytes)
  }

  delete(id: SnapshotId): void {
    fs.rmSync(path.join(this.dir, snapshotFileName(id)), {force: true})
  }
}
