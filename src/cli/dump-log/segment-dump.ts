/**
 * `kts dump-log` of a `.log` segment or a KRaft `.checkpoint` snapshot (Kafka 3.9
 * `DumpLogSegments.dumpLog` / `printBatchLevel`): one line per batch, and with deep iteration one
 * `| offset: ...` line per record (control records described, data records' key and payload with
 * `--print-data-log`). Batches are read as Kafka's `FileRecords` reads them: a batch that does not
 * fit in the file (or in `--max-bytes`) ends the dump and its bytes are reported as invalid.
 */
import fs from 'node:fs'
import path from 'node:path'
import {Reader} from '../../protocol/primitives/reader.js'
import {codecName} from '../../protocol/records/compression.js'
import {crc32c} from '../../protocol/records/crc32c.js'
import {ATTRIBUTES_OFFSET, BATCH_LENGTH_OFFSET, LOG_OVERHEAD, MAGIC_OFFSET, RECORD_BATCH_OVERHEAD, readBatchHeader} from '../../protocol/records/record-batch.js'
import {ControlRecordType, TimestampType, decodeRecordBatch, type DecodedRecord, type DecodedRecordBatch} from '../../protocol/records/records.js'
import {readKRaftVersionRecord, readSnapshotFooterRecord, readSnapshotHeaderRecord, readVotersRecord} from '../../protocol/generated/data/index.js'
import {kafkaJsonString, messageToJson} from '../../protocol/json/message-json.js'
import {DumpProblems, type DumpSink} from './dump-output.js'
import type {RecordParser} from './record-parsers.js'
import {readFullySync} from '../../server/util/read-fully.js'

/** Options of a log dump (Kafka's option names in comments). */
export interface LogDumpOptions {
  /** `--print-data-log` (or any decoder). */
  printContents: boolean
  /** `--deep-iteration` (or `--print-data-log`). */
  deepIteration: boolean
  /** `--skip-record-metadata`. */
  skipRecordMetadata: boolean
  /** `--max-bytes` (default 2147483647). */
  maxBytes: number
  parser: RecordParser
}

export const MAX_INT = 2147483647

/** Legacy `LegacyRecord.RECORD_OVERHEAD_V0`: the smallest valid size field. */
const MIN_SIZE = 14

/** `Snapshots.parse`: `<offset 20 digits>-<epoch 10 digits>.checkpoint` → snapshot id. */
export function parseSnapshotName(name: string): {offset: number, epoch: number} | null {
  const m = /^(\d{20})-(\d{10})\.checkpoint$/.exec(name)
  return m === null ? null : {offset: Number(m[1]), epoch: Number(m[2])}
}

/** `RecordBatch.incrementSequence`: wraps at Integer.MAX_VALUE to 0. */
function incrementSequence(sequence: number, increment: number): number {
  if (sequence > MAX_INT - increment) return increment - (MAX_INT - sequence) - 1
  return sequence + increment
}

function timestampTypeName(t: TimestampType): string {
  return t === TimestampType.LogAppendTime ? 'LogAppendTime' : 'CreateTime'
}

/** The batch line (`printBatchLevel`) of a v2 batch at `position` (bytes before it in the file). */
export function batchLine(b: DecodedRecordBatch, position: number, isValid: boolean): string {
  const lastSequence = b.baseSequence < 0 ? -1 : incrementSequence(b.baseSequence, b.lastOffsetDelta)
  return `baseOffset: ${b.baseOffset} lastOffset: ${b.lastOffset} count: ${b.recordsCount} baseSequence: ${b.baseSequence} lastSequence: ${lastSequence}` +
    ` producerId: ${b.producerId} producerEpoch: ${b.producerEpoch} partitionLeaderEpoch: ${b.partitionLeaderEpoch}` +
    ` isTransactional: ${b.isTransactional} isControl: ${b.isControl} deleteHorizonMs: ${b.hasDeleteHorizon ? `OptionalLong[${b.baseTimestamp}]` : 'OptionalLong.empty'}` +
    ` position: ${position} ${timestampTypeName(b.timestampType)}: ${b.maxTimestamp} size: ${b.sizeInBytes} magic: ${b.magic}` +
    ` compresscodec: ${codecName(b.compression)} crc: ${b.crc} isvalid: ${isValid}`
}

/** The control record's description (`DumpLogSegments.dumpLog`): ` endTxnMarker: COMMIT coordinatorEpoch: 0`, ` SnapshotHeader {...}`, ... */
export function controlRecordText(record: DecodedRecord): string {
  const key = record.key
  const type = key !== null && key.length >= 4 ? key.readInt16BE(2) : -1
  const value = record.value ?? Buffer.alloc(0)
  const kraft = (label: string, name: string, read: (r: Reader, v: number) => unknown): string => {
    const version = value.readInt16BE(0)
    return ` ${label} ${kafkaJsonString(messageToJson(name, read(new Reader(value), version) as object, version))}`
  }
  switch (type) {
    case ControlRecordType.ABORT:
    case ControlRecordType.COMMIT:
      return ` endTxnMarker: ${type === ControlRecordType.ABORT ? 'ABORT' : 'COMMIT'} coordinatorEpoch: ${value.readInt32BE(2)}`
    case ControlRecordType.SNAPSHOT_HEADER: return kraft('SnapshotHeader', 'SnapshotHeaderRecord', readSnapshotHeaderRecord)
    case ControlRecordType.SNAPSHOT_FOOTER: return kraft('SnapshotFooter', 'SnapshotFooterRecord', readSnapshotFooterRecord)
    case ControlRecordType.KRAFT_VERSION: return kraft('KRaftVersion', 'KRaftVersionRecord', readKRaftVersionRecord)
    case ControlRecordType.KRAFT_VOTERS: return kraft('KRaftVoters', 'VotersRecord', readVotersRecord)
    case ControlRecordType.LEADER_CHANGE: return ' controlType: LEADER_CHANGE(2)'
    default: return ` controlType: UNKNOWN(${type})`
  }
}

/** A batch's header fields without its records (shallow iteration does not parse records). */
function headerOnly(buf: Buffer, position: number, sizeInBytes: number): DecodedRecordBatch {
  const h = readBatchHeader(buf, position)
  const attributes = h.attributes
  return {
    position, sizeInBytes, baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, partitionLeaderEpoch: h.partitionLeaderEpoch,
    magic: h.magic, crc: buf.readUInt32BE(position + 17), attributes, compression: attributes & 0x07,
    timestampType: (attributes & 0x08) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attributes & 0x10) !== 0, isControl: (attributes & 0x20) !== 0, hasDeleteHorizon: (attributes & 0x40) !== 0,
    lastOffsetDelta: h.lastOffsetDelta, baseTimestamp: h.baseTimestamp, maxTimestamp: h.maxTimestamp, producerId: h.producerId,
    producerEpoch: h.producerEpoch, baseSequence: h.baseSequence, recordsCount: h.recordsCount, records: [],
  }
}

/** Reads up to `maxBytes` of `file`. */
function readPrefix(file: string, maxBytes: number): {buf: Buffer, fileSize: number} {
  const fd = fs.openSync(file, 'r')
  try {
    const fileSize = fs.fstatSync(fd).size
    const len = Math.min(fileSize, maxBytes)
    const buf = Buffer.alloc(len)
    return {buf: buf.subarray(0, readFullySync(fd, buf, len, 0)), fileSize}
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Dumps one `.log` or `.checkpoint` file.
 * @throws Error for a batch size field below 14 bytes (Kafka's `CorruptRecordException`) or records that do not decode
 */
export function dumpLogFile(file: string, opts: LogDumpOptions, problems: DumpProblems, sink: DumpSink): void {
  const name = path.basename(file)
  if (name.endsWith('.log')) {
    sink.out(`Log starting offset: ${Number(name.split('.')[0])}\n`)
  } else if (name === 'bootstrap.checkpoint') {
    sink.out('KRaft bootstrap snapshot\n')
  } else {
    const id = parseSnapshotName(name)
    if (id === null) throw new Error('java.util.NoSuchElementException: No value present')
    sink.out(`Snapshot end offset: ${id.offset}, epoch: ${id.epoch}\n`)
  }
  const {buf} = readPrefix(file, opts.maxBytes)
  const absolute = path.resolve(file)
  let position = 0
  let lastOffset = -1
  while (position + MAGIC_OFFSET + 1 <= buf.length) {
    const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET)
    if (size < MIN_SIZE) throw new Error(`Found record size ${size} smaller than minimum record overhead (${MIN_SIZE}) in file ${file}.`)
    const batchSize = size + LOG_OVERHEAD
    if (position + batchSize > buf.length) break
    const magic = buf.readInt8(position + MAGIC_OFFSET)
    if (magic !== 2) throw new Error(`kts dump-log reads record batches of magic 2 only; found magic ${magic} at position ${position}`)
    const isValid = batchSize >= RECORD_BATCH_OVERHEAD && buf.readUInt32BE(position + 17) === crc32c(buf, position + ATTRIBUTES_OFFSET, position + batchSize)
    sink.out(batchLine(headerOnly(buf, position, batchSize), position, isValid) + '\n')
    if (opts.deepIteration) {
      const batch = decodeRecordBatch(buf.subarray(0, position + batchSize), position, false)
      let lines = ''
      for (const record of batch.records) {
        if (lastOffset !== -1 && record.offset !== lastOffset + 1) DumpProblems.prepend(problems.nonConsecutive, absolute, [lastOffset, record.offset])
        lastOffset = record.offset
        let prefix = '| '
        let line = ''
        if (!opts.skipRecordMetadata) {
          const sequence = batch.baseSequence >= 0 ? incrementSequence(batch.baseSequence, record.offsetDelta) : -1
          line += `${prefix}offset: ${record.offset} ${timestampTypeName(batch.timestampType)}: ${record.timestamp}` +
            ` keySize: ${record.key === null ? -1 : record.key.length} valueSize: ${record.value === null ? -1 : record.value.length}` +
            ` sequence: ${sequence} headerKeys: [${record.headers.map(h => h.key).join(',')}]`
          prefix = ' '
          if (batch.isControl) line += controlRecordText(record)
        }
        if (opts.printContents && !batch.isControl) {
          const parsed = opts.parser.parse(record)
          if (parsed.key !== null) {
            line += `${prefix}key: ${parsed.key}`
            prefix = ' '
          }
          if (parsed.payload !== null) line += ` payload: ${parsed.payload}`
        }
        lines += line + '\n'
      }
      sink.out(lines)
    }
    position += batchSize
  }
  const trailing = buf.length - position
  if (trailing > 0 && opts.maxBytes === MAX_INT) sink.out(`Found ${trailing} invalid bytes at the end of ${name}\n`)
}
