/**
 * `bootstrap.checkpoint`: the bootstrap metadata written by `kts storage format` into the metadata
 * log dir (storage-and-kraft.md §4.4; Kafka `BootstrapDirectory`, `RecordsSnapshotWriter`).
 *
 * Snapshot file format (record batches v2, offsets from 0, partition leader epoch 0):
 *   offset 0: control batch, one SNAPSHOT_HEADER record (SnapshotHeaderRecord v0)
 *   offset 1..n: one data batch of metadata records (value = uvarint frameVersion 1, uvarint type,
 *               uvarint version, body; key null): FeatureLevelRecord{metadata.version, level}
 *   offset n+1: control batch, one SNAPSHOT_FOOTER record (SnapshotFooterRecord v0)
 * NOTE: encoded here by hand (minimal, uncompressed) because the generated codecs and
 * `records.ts` were not available when this was written; the byte layout is Kafka's.
 */
import fs from 'node:fs'
import path from 'node:path'
import {crc32c} from '../../protocol/records/crc32c.js'
import {writeFileAtomically} from './meta-properties.js'
import {METADATA_VERSION_FEATURE} from './metadata-version.js'

export const BOOTSTRAP_CHECKPOINT_FILE = 'bootstrap.checkpoint'

/** ControlRecordType values (Kafka `ControlRecordType`). */
const SNAPSHOT_HEADER = 4
const SNAPSHOT_FOOTER = 5
/** Metadata record type of FeatureLevelRecord (apiKey 12). */
const FEATURE_LEVEL_RECORD_TYPE = 12
const CONTROL_FLAG = 0x20

function uvarint(n: number): number[] {
  const out: number[] = []
  let v = n >>> 0
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}

function varint(n: number): number[] {
  return uvarint(((n << 1) ^ (n >> 31)) >>> 0)
}

function varlong(n: number): number[] {
  // zigzag for small non-negative/negative values that fit in 53 bits
  let z = BigInt(n) >= 0n ? BigInt(n) * 2n : -BigInt(n) * 2n - 1n
  const out: number[] = []
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80)
    z >>= 7n
  }
  out.push(Number(z))
  return out
}

/** One v2 record: attributes 0, deltas, key (null when undefined), value, no headers. */
function encodeRecord(offsetDelta: number, key: Buffer | null, value: Buffer): Buffer {
  const body = Buffer.from([
    0,
    ...varlong(0),
    ...varint(offsetDelta),
    ...(key === null ? varint(-1) : [...varint(key.length), ...key]),
    ...varint(value.length),
    ...value,
    ...varint(0),
  ])
  return Buffer.concat([Buffer.from(varint(body.length)), body])
}

/** A v2 record batch (uncompressed) holding `records` at `baseOffset`. */
function encodeBatch(baseOffset: number, records: Buffer[], control: boolean, timestampMs: number): Buffer {
  const recs = Buffer.concat(records)
  const b = Buffer.alloc(61 + recs.length)
  b.writeBigInt64BE(BigInt(baseOffset), 0)
  b.writeInt32BE(b.length - 12, 8)
  b.writeInt32BE(0, 12) // partitionLeaderEpoch = snapshot epoch 0
  b.writeInt8(2, 16)
  b.writeInt16BE(control ? CONTROL_FLAG : 0, 21)
  b.writeInt32BE(records.length - 1, 23)
  b.writeBigInt64BE(BigInt(timestampMs), 27)
  b.writeBigInt64BE(BigInt(timestampMs), 35)
  b.writeBigInt64BE(-1n, 43)
  b.writeInt16BE(-1, 51)
  b.writeInt32BE(-1, 53)
  b.writeInt32BE(records.length, 57)
  recs.copy(b, 61)
  b.writeUInt32BE(crc32c(b, 21, b.length), 17)
  return b
}

function controlKey(type: number): Buffer {
  const k = Buffer.alloc(4)
  k.writeInt16BE(0, 0)
  k.writeInt16BE(type, 2)
  return k
}

/** FeatureLevelRecord v0 framed as a metadata log record value. */
export function featureLevelRecordValue(name: string, level: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8')
  const lvl = Buffer.alloc(2)
  lvl.writeInt16BE(level)
  return Buffer.from([...uvarint(1), ...uvarint(FEATURE_LEVEL_RECORD_TYPE), ...uvarint(0), ...uvarint(nameBytes.length + 1), ...nameBytes, ...lvl, 0])
}

/**
 * The bytes of a bootstrap checkpoint holding `metadata.version` = `metadataVersionLevel` and any
 * extra feature levels (`features`, e.g. {'group.version': 1}) with level > 0.
 */
export function encodeBootstrapCheckpoint(metadataVersionLevel: number, features: Record<string, number> = {}, nowMs = Date.now()): Buffer {
  // SnapshotHeaderRecord v0: int16 control-record version, int16 Version, int64 LastContainedLogTimestamp, tagged fields
  const header = Buffer.alloc(13)
  header.writeInt16BE(0, 0)
  header.writeInt16BE(0, 2)
  header.writeBigInt64BE(0n, 4)
  header.writeUInt8(0, 12)
  // SnapshotFooterRecord v0: int16 control-record version, int16 Version, tagged fields
  const footer = Buffer.from([0, 0, 0, 0, 0])
  const values = [featureLevelRecordValue(METADATA_VERSION_FEATURE, metadataVersionLevel)]
  for (const [name, level] of Object.entries(features)) if (level > 0) values.push(featureLevelRecordValue(name, level))
  return Buffer.concat([
    encodeBatch(0, [encodeRecord(0, controlKey(SNAPSHOT_HEADER), header)], true, nowMs),
    encodeBatch(1, values.map((v, i) => encodeRecord(i, null, v)), false, nowMs),
    encodeBatch(1 + values.length, [encodeRecord(0, controlKey(SNAPSHOT_FOOTER), footer)], true, nowMs),
  ])
}

/** Writes `<dir>/bootstrap.checkpoint` atomically. */
export function writeBootstrapCheckpoint(dir: string, metadataVersionLevel: number, features: Record<string, number> = {}): void {
  writeFileAtomically(path.join(dir, BOOTSTRAP_CHECKPOINT_FILE), encodeBootstrapCheckpoint(metadataVersionLevel, features))
}

/**
 * Reads the feature levels from `<dir>/bootstrap.checkpoint` (FeatureLevelRecords only; other
 * records are skipped). Null when the file does not exist.
 * @throws Error when the file is corrupt (bad CRC, truncated batch or record).
 */
export function readBootstrapCheckpoint(dir: string): {features: Record<string, number>} | null {
  let buf: Buffer
  try {
    buf = fs.readFileSync(path.join(dir, BOOTSTRAP_CHECKPOINT_FILE))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  const features: Record<string, number> = {}
  let pos = 0
  while (pos + 61 <= buf.length) {
    const size = buf.readInt32BE(pos + 8) + 12
    if (size < 61 || pos + size > buf.length) throw new Error(`Truncated record batch at position ${pos} in bootstrap.checkpoint`)
    if (buf.readUInt32BE(pos + 17) !== crc32c(buf, pos + 21, pos + size)) throw new Error(`CRC mismatch at position ${pos} in bootstrap.checkpoint`)
    const attributes = buf.readInt16BE(pos + 21)
    if ((attributes & 0x07) !== 0) throw new Error('Compressed batches are not supported in bootstrap.checkpoint')
    if ((attributes & CONTROL_FLAG) === 0) {
      const count = buf.readInt32BE(pos + 57)
      let p = pos + 61
      for (let i = 0; i < count; i++) {
        const r = new VarReader(buf, p)
        const len = r.varint()
        const end = r.pos + len
        r.pos += 1 // attributes
        r.varlong()
        r.varint()
        const keyLen = r.varint()
        if (keyLen > 0) r.pos += keyLen
        const valueLen = r.varint()
        const valueStart = r.pos
        const v = new VarReader(buf, valueStart)
        v.uvarint() // frame version
        const type = v.uvarint()
        v.uvarint() // record version
        if (type === FEATURE_LEVEL_RECORD_TYPE && valueLen > 0) {
          const nameLen = v.uvarint() - 1
          const name = buf.toString('utf8', v.pos, v.pos + nameLen)
          features[name] = buf.readInt16BE(v.pos + nameLen)
        }
        p = end
      }
    }
    pos += size
  }
  return {features}
}

class VarReader {
  constructor(private readonly buf: Buffer, public pos: number) {}
  uvarint(): number {
    let result = 0
    let shift = 0
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('Truncated varint in bootstrap.checkpoint')
      const b = this.buf[this.pos++]
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return result
      shift += 7
    }
  }
  varint(): number {
    const z = this.uvarint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }
  varlong(): number {
    return this.varint()
  }
}
