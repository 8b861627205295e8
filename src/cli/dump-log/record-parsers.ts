/**
 * How `kts dump-log` prints a data record's key and value (Kafka `DumpLogSegments.MessageParser`):
 * the default parser decodes both as UTF-8 text (`StringDecoder`); `--cluster-metadata-decoder`
 * prints metadata records as JSON (`ClusterMetadataLogMessageParser`); `--offsets-decoder` is in
 * `offsets-parser.ts`. A parser returns null for a part it does not print.
 */
import type {DecodedRecord} from '../../protocol/records/records.js'
import {Reader} from '../../protocol/primitives/reader.js'
import {METADATA_RECORD_CODECS} from '../../protocol/generated/metadata/index.js'
import {kafkaJsonString, messageToJson} from '../../protocol/json/message-json.js'
import {transactionLogRecordParser} from './transaction-log-parser.js'

/** Key and payload text of one record; null parts are not printed. */
export interface ParsedRecord {
  key: string | null
  payload: string | null
}

export interface RecordParser {
  parse(record: DecodedRecord): ParsedRecord
}

/** `StringDecoder` for key and value: UTF-8 text; a null key or value is not printed. */
export const stringParser: RecordParser = {
  parse: (r) => ({key: r.key === null ? null : r.key.toString('utf8'), payload: r.value === null ? null : r.value.toString('utf8')}),
}

/** Kafka's `MetadataRecordType` name of a schema name: `TopicRecord` → `TOPIC_RECORD`. */
export function metadataRecordTypeName(schemaName: string): string {
  return schemaName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toUpperCase()
}

/**
 * A metadata record value (`uvarint frame version 1, uvarint type, uvarint version, body`) as
 * `{"type":"TOPIC_RECORD","version":0,"data":{...}}`.
 * @throws Error for a bad frame, unknown type or a body that does not decode
 */
export function metadataRecordJson(value: Buffer): string {
  const r = new Reader(value)
  const frame = r.readUVarint()
  if (frame !== 1) throw new Error(`Could not deserialize metadata record due to unknown frame version ${frame}(expected 1)`)
  const type = r.readUVarint()
  const version = r.readUVarint()
  const codec = METADATA_RECORD_CODECS.get(type)
  if (codec === undefined) throw new Error(`Unknown metadata id ${type}`)
  if (version < codec.spec.minVersion || version > codec.spec.maxVersion) {
    throw new Error(`Can't read version ${version} of ${codec.spec.name}`)
  }
  const data = codec.read(r, version) as object
  return `{"type":"${metadataRecordTypeName(codec.spec.name)}","version":${version},"data":${kafkaJsonString(messageToJson(codec.spec.name, data, version))}}`
}

/** `--cluster-metadata-decoder`: no key; the value as metadata JSON, or `Error at N, skipping. <message>`. */
export const clusterMetadataParser: RecordParser = {
  parse: (r) => {
    let payload: string
    try {
      if (r.value === null) throw new Error('null value')
      payload = metadataRecordJson(r.value)
    } catch (err) {
      payload = `Error at ${r.offset}, skipping. ${(err as Error).message}`
    }
    return {key: null, payload}
  },
}

/**
 * `--transaction-log-decoder` (`__transaction_state` records, Kafka `TransactionLog.formatRecordKeyAndValue`:
 * `transaction_metadata::transactionalId=<id>` / `producerId:...,producerEpoch:...,state=...,partitions=[...],
 * txnLastUpdateTimestamp=...,txnTimeoutMs=...`, `<DELETE>` for tombstones): `transaction-log-parser.ts`.
 */
export const transactionLogParser: RecordParser | null = transactionLogRecordParser
