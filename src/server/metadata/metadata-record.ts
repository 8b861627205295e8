/**
 * Metadata log record values (storage-and-kraft.md §4.1; Kafka `MetadataRecordSerde`):
 * `uvarint frameVersion (1), uvarint type (schema apiKey), uvarint version, body`; keys are null.
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {METADATA_RECORD_CODECS} from '../../protocol/generated/metadata/index.js'

/** Metadata record types (schema apiKey) that this layer writes or replays. */
export const MetadataRecordType = {
  REGISTER_BROKER: 0,
  UNREGISTER_BROKER: 1,
  TOPIC: 2,
  PARTITION: 3,
  CONFIG: 4,
  PARTITION_CHANGE: 5,
  FENCE_BROKER: 7,
  UNFENCE_BROKER: 8,
  REMOVE_TOPIC: 9,
  USER_SCRAM_CREDENTIAL: 11,
  FEATURE_LEVEL: 12,
  PRODUCER_IDS: 15,
  BROKER_REGISTRATION_CHANGE: 17,
  ACCESS_CONTROL_ENTRY: 18,
  REMOVE_ACCESS_CONTROL_ENTRY: 19,
  NO_OP: 20,
  REMOVE_USER_SCRAM_CREDENTIAL: 22,
  BEGIN_TRANSACTION: 23,
  END_TRANSACTION: 24,
  ABORT_TRANSACTION: 25,
} as const

/** A metadata record with its type and version (Kafka `ApiMessageAndVersion`). */
export interface MetadataRecord {
  type: number
  version: number
  data: any
}

export class MetadataRecordError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MetadataRecordError'
  }
}

const FRAME_VERSION = 1

/** Encodes a record value (frame version 1). @throws MetadataRecordError for an unknown type. */
export function encodeMetadataRecord(rec: MetadataRecord): Buffer {
  const codec = METADATA_RECORD_CODECS.get(rec.type)
  if (!codec) throw new MetadataRecordError(`Unknown metadata record type ${rec.type}`)
  const w = new Writer(64)
  w.writeUVarint(FRAME_VERSION).writeUVarint(rec.type).writeUVarint(rec.version)
  codec.write(w, rec.data, rec.version)
  return w.toBuffer()
}

/** Decodes a record value. @throws MetadataRecordError on a bad frame, unknown type, or body. */
export function decodeMetadataRecord(value: Buffer): MetadataRecord {
  try {
    const r = new Reader(value)
    const frame = r.readUVarint()
    if (frame !== FRAME_VERSION) throw new MetadataRecordError(`Unsupported metadata record frame version ${frame}`)
    const type = r.readUVarint()
    const version = r.readUVarint()
    const codec = METADATA_RECORD_CODECS.get(type)
    if (!codec) throw new MetadataRecordError(`Unknown metadata record type ${type}`)
    return {type, version, data: codec.read(r, version)}
  } catch (err) {
    if (err instanceof MetadataRecordError) throw err
    throw new MetadataRecordError(`Malformed metadata record: ${(err as Error).message}`)
  }
}
