/**
 * `bootstrap.checkpoint`: the bootstrap metadata written by `kts storage format` into each
 * formatted directory (storage-and-kraft.md §4.4; Kafka `BootstrapDirectory`, `RecordsSnapshotWriter`).
 *
 * Snapshot file format (record batches v2, uncompressed, offsets from 0, partition leader epoch 0):
 *   offset 0:     control batch, one SNAPSHOT_HEADER (3) record: int16 0 + SnapshotHeaderRecord v0
 *   offset 1..n:  one data batch of metadata records, key null, value = uvarint frameVersion (1),
 *                 uvarint type, uvarint version, body: FeatureLevelRecord{metadata.version, level}, ...
 *   offset n+1:   control batch, one SNAPSHOT_FOOTER (4) record: int16 0 + SnapshotFooterRecord v0
 */
import fs from 'node:fs'
import path from 'node:path'
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {writeSnapshotHeaderRecord} from '../../protocol/generated/data/snapshot-header-record.js'
import {writeSnapshotFooterRecord} from '../../protocol/generated/data/snapshot-footer-record.js'
import {FeatureLevelRecordSpec, readFeatureLevelRecord, writeFeatureLevelRecord} from '../../protocol/generated/metadata/feature-level-record.js'
import {ControlRecordType, decodeRecordBatches, encodeControlRecordKey, encodeRecordBatch} from '../../protocol/records/records.js'
import {writeFileAtomically} from './meta-properties.js'
import {METADATA_VERSION_FEATURE} from './metadata-version.js'

export const BOOTSTRAP_CHECKPOINT_FILE = 'bootstrap.checkpoint'

/** Metadata record frame version (Kafka `MetadataRecordSerde`). */
const FRAME_VERSION = 1

/** FeatureLevelRecord v0 framed as a metadata log record value. */
export function featureLevelRecordValue(name: string, level: number): Buffer {
  const w = new Writer(64)
  w.writeUVarint(FRAME_VERSION).writeUVarint(FeatureLevelRecordSpec.apiKey).writeUVarint(0)
  writeFeatureLevelRecord(w, {name, featureLevel: level}, 0)
  return w.toBuffer()
}

/** A control record value: int16 record version (0) then the body (Kafka `MessageUtil.toByteBuffer`). */
function controlValue(write: (w: Writer) => void): Buffer {
  const w = new Writer(32)
  w.writeInt16(0)
  write(w)
  return w.toBuffer()
}

/**
 * The bytes of a bootstrap checkpoint holding `metadata.version` = `metadataVersionLevel`, any
 * extra feature levels (`features`, e.g. {'group.version': 1}) with level > 0, then `extraRecords`
 * (framed metadata record values, e.g. UserScramCredentialRecords of `--add-scram`).
 */
export function encodeBootstrapCheckpoint(metadataVersionLevel: number, features: Record<string, number> = {}, nowMs = Date.now(), extraRecords: readonly Buffer[] = []): Buffer {
  const values = [featureLevelRecordValue(METADATA_VERSION_FEATURE, metadataVersionLevel)]
  for (const [name, level] of Object.entries(features)) if (level > 0) values.push(featureLevelRecordValue(name, level))
  values.push(...extraRecords)
  const common = {partitionLeaderEpoch: 0, producerId: -1, producerEpoch: -1, baseSequence: -1}
  return Buffer.concat([
    encodeRecordBatch({...common, baseOffset: 0, isControl: true, records: [{
      key: encodeControlRecordKey(ControlRecordType.SNAPSHOT_HEADER),
      value: controlValue((w) => writeSnapshotHeaderRecord(w, {version: 0, lastContainedLogTimestamp: 0}, 0)),
      timestamp: nowMs,
    }]}),
    encodeRecordBatch({...common, baseOffset: 1, records: values.map((value) => ({key: null, value, timestamp: nowMs}))}),
    encodeRecordBatch({...common, baseOffset: 1 + values.length, isControl: true, records: [{
      key: encodeControlRecordKey(ControlRecordType.SNAPSHOT_FOOTER),
      value: controlValue((w) => writeSnapshotFooterRecord(w, {version: 0}, 0)),
      timestamp: nowMs,
    }]}),
  ])
}

/** Writes `<dir>/bootstrap.checkpoint` atomically (tmp + fsync + rename). */
export function writeBootstrapCheckpoint(dir: string, metadataVersionLevel: number, features: Record<string, number> = {}, extraRecords: readonly Buffer[] = []): void {
  writeFileAtomically(path.join(dir, BOOTSTRAP_CHECKPOINT_FILE), encodeBootstrapCheckpoint(metadataVersionLevel, features, Date.now(), extraRecords))
}

/**
 * Reads the feature levels from `<dir>/bootstrap.checkpoint` (FeatureLevelRecords; other records
 * are skipped). Null when the file does not exist.
 * @throws Error when the file is corrupt (bad CRC, truncated batch, malformed record).
 */
export function readBootstrapCheckpoint(dir: string): {features: Record<string, number>, otherRecords: Buffer[]} | null {
  let buf: Buffer
  try {
    buf = fs.readFileSync(path.join(dir, BOOTSTRAP_CHECKPOINT_FILE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  const batches = decodeRecordBatches(buf)
  const consumed = batches.reduce((n, b) => n + b.sizeInBytes, 0)
  if (consumed !== buf.length) throw new Error(`Truncated record batch at position ${consumed} in ${BOOTSTRAP_CHECKPOINT_FILE}`)
  const features: Record<string, number> = {}
  const otherRecords: Buffer[] = []
  for (const batch of batches) {
    if (batch.isControl) continue
    for (const rec of batch.records) {
      if (rec.value === null) continue
      const r = new Reader(rec.value)
      const frame = r.readUVarint()
      if (frame !== FRAME_VERSION) throw new Error(`Unsupported metadata record frame version ${frame} in ${BOOTSTRAP_CHECKPOINT_FILE}`)
      const type = r.readUVarint()
      const version = r.readUVarint()
      if (type !== FeatureLevelRecordSpec.apiKey) {
        otherRecords.push(rec.value)
        continue
      }
      const f = readFeatureLevelRecord(r, version)
      features[f.name] = f.featureLevel
    }
  }
  return {features, otherRecords}
}
