/**
 * Metadata snapshots (storage-and-kraft.md §4.3, KIP-630; Kafka `RecordsSnapshotWriter`,
 * `Snapshots`): `<endOffset 20 digits>-<epoch 10 digits>.checkpoint` in the metadata partition dir,
 * holding record batches (offsets from 0, partitionLeaderEpoch = snapshot epoch): a control batch
 * with SNAPSHOT_HEADER, data batches of metadata records, a control batch with SNAPSHOT_FOOTER.
 * Written as `.checkpoint.part` then renamed.
 */
import fs from 'node:fs'
import path from 'node:path'
import {Writer} from '../../protocol/primitives/writer.js'
import {ControlRecordType, decodeRecordBatches, encodeControlRecordKey, encodeRecordBatch} from '../../protocol/records/records.js'
import {writeSnapshotHeaderRecord} from '../../protocol/generated/data/snapshot-header-record.js'
import {writeSnapshotFooterRecord} from '../../protocol/generated/data/snapshot-footer-record.js'

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
  return ids.sort((a, b) => a.endOffset - b.endOffset)
}

function controlBatch(type: ControlRecordType, value: Buffer, baseOffset: number, epoch: number, ts: number): Buffer {
  return encodeRecordBatch({baseOffset, partitionLeaderEpoch: epoch, isControl: true, records: [{key: encodeControlRecordKey(type), value, timestamp: ts}]})
}

/** Writes a snapshot of `values` (encoded metadata record values) atomically; returns its path. */
export function writeSnapshot(dir: string, id: SnapshotId, values: Buffer[], lastContainedLogTimestamp: number): string {
  const now = Date.now()
  const hw = new Writer(16)
  writeSnapshotHeaderRecord(hw, {version: 0, lastContainedLogTimestamp}, 0)
  const fw = new Writer(8)
  writeSnapshotFooterRecord(fw, {version: 0}, 0)
  const parts: Buffer[] = [controlBatch(ControlRecordType.SNAPSHOT_HEADER, hw.toBuffer(), 0, id.epoch, now)]
  let offset = 1
  for (let i = 0; i < values.length; i += RECORDS_PER_BATCH) {
    const chunk = values.slice(i, i + RECORDS_PER_BATCH)
    parts.push(encodeRecordBatch({baseOffset: offset, partitionLeaderEpoch: id.epoch, records: chunk.map(value => ({key: null, value, timestamp: now}))}))
    offset += chunk.length
  }
  parts.push(controlBatch(ControlRecordType.SNAPSHOT_FOOTER, fw.toBuffer(), offset, id.epoch, now))
  const file = path.join(dir, snapshotFileName(id))
  const part = `${file}.part`
  const fd = fs.openSync(part, 'w')
  try {
    for (const p of parts) fs.writeSync(fd, p)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(part, file)
  return file
}

/**
 * Reads the metadata record values of a snapshot (control records skipped).
 * @throws Error when the file is corrupt or has no SNAPSHOT_FOOTER (incomplete).
 */
export function readSnapshot(dir: string, id: SnapshotId): Buffer[] {
  const file = path.join(dir, snapshotFileName(id))
  const batches = decodeRecordBatches(fs.readFileSync(file))
  const values: Buffer[] = []
  let footer = false
  for (const b of batches) {
    if (b.isControl) {
      for (const r of b.records) {
        const type = r.key && r.key.length >= 4 ? r.key.readInt16BE(2) : -1
        if (type === ControlRecordType.SNAPSHOT_FOOTER) footer = true
      }
      continue
    }
    for (const r of b.records) if (r.value) values.push(r.value)
  }
  if (!footer) throw new Error(`Snapshot ${file} has no footer`)
  return values
}
