/**
 * The topic's `compression.type` applied to a produced batch (Kafka `LogValidator`: when the
 * target codec differs from the batch's, the records are decompressed and written into a new
 * batch with the target codec; `producer` keeps what the producer sent).
 *
 * The new batch keeps everything the log and the idempotence checks rely on: record count and
 * offset deltas, record timestamps, keys, values and headers, producer id/epoch, base sequence,
 * the transactional flag and the partition leader epoch. Offsets are assigned later by the log.
 */
import {codecFromName} from '../../protocol/records/compression.js'
import {COMPRESSION_CODEC_MASK, ATTRIBUTES_OFFSET, CompressionCodec} from '../../protocol/records/record-batch.js'
import {CorruptRecordError, decodeRecordBatch, encodeRecordBatch} from '../../protocol/records/records.js'

/** Codec levels of a topic (`compression.gzip.level`, `compression.zstd.level`, KIP-390); undefined = the codec's default. */
export interface CompressionLevels {
  gzip?: number
  zstd?: number
}

/**
 * The codec a batch with codec `source` must be stored with under the topic's `compressionType`
 * (`producer`, `uncompressed`, `none`, `gzip`, `snappy`, `lz4`, `zstd`): `source` itself for
 * `producer` or an unknown value.
 */
export function targetCodec(compressionType: string | undefined, source: CompressionCodec): CompressionCodec {
  if (compressionType === undefined || compressionType === 'producer') return source
  return codecFromName(compressionType) ?? source
}

/**
 * Returns `batch` (one v2 record batch, CRC already checked) unchanged when it already uses the
 * topic's codec, else the same records in a new batch compressed with it.
 * @throws CorruptRecordError (CORRUPT_MESSAGE) when the records do not decode or their count does
 *   not match the header
 */
export function recompressForTopic(batch: Buffer, compressionType: string | undefined, levels: CompressionLevels = {}): Buffer {
  const source = (batch.readInt16BE(ATTRIBUTES_OFFSET) & COMPRESSION_CODEC_MASK) as CompressionCodec
  const target = targetCodec(compressionType, source)
  if (target === source) return batch
  const b = decodeRecordBatch(batch, 0, false)
  if (b.records.length !== b.recordsCount) {
    throw new CorruptRecordError(`Record batch declares ${b.recordsCount} records but holds ${b.records.length}`)
  }
  const level = target === CompressionCodec.Gzip ? levels.gzip : target === CompressionCodec.Zstd ? levels.zstd : undefined
  return encodeRecordBatch({
    baseOffset: b.baseOffset,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
    compression: target,
    ...(level === undefined ? {} : {compressionLevel: level}),
    timestampType: b.timestampType,
    isTransactional: b.isTransactional,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    maxTimestamp: b.maxTimestamp,
    records: b.records.map((r) => ({key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: r.offsetDelta})),
  })
}
