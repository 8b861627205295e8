/**
 * Header-level validation of the record batches in one partition's Produce data (Kafka
 * `LogValidator.validateBatch` and `ProduceRequest.validateRecords`, `../shared/spec/storage-and-kraft.md` §1.4):
 * batch headers and the CRC; the records themselves are checked next by log-validator.ts.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {
  COMPRESSION_CODEC_MASK, CONTROL_FLAG_MASK, CompressionCodec, LOG_OVERHEAD, MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD, TIMESTAMP_TYPE_MASK, isCrcValid, readBatchHeader, type RecordBatchHeader,
} from '../../protocol/records/record-batch.js'

export interface ValidatedBatches {
  errorCode: number
  errorMessage: string | null
  headers: RecordBatchHeader[]
}

function fail(errorCode: number, errorMessage: string): ValidatedBatches {
  return {errorCode, errorMessage, headers: []}
}

/**
 * @param records the partition's `records` field (one or more v2 batches)
 * @param produceVersion Produce API version (zstd needs v7+; v3+ must hold exactly one batch)
 * @param maxMessageBytes the topic's max.message.bytes (per batch)
 * @param topicPartition `t-0` for Kafka's messages
 * @returns Kafka error code NONE with the batch headers, or CORRUPT_MESSAGE / INVALID_RECORD /
 *   MESSAGE_TOO_LARGE / UNSUPPORTED_COMPRESSION_TYPE / INVALID_TIMESTAMP / UNSUPPORTED_FOR_MESSAGE_FORMAT
 */
export function validateProducedRecords(records: Buffer | null, produceVersion: number, maxMessageBytes: number, topicPartition = ''): ValidatedBatches {
  if (!records || records.length === 0) return fail(ErrorCode.INVALID_RECORD, 'Produce request contains no record batch')
  const headers: RecordBatchHeader[] = []
  let p = 0
  while (p < records.length) {
    if (records.length - p < LOG_OVERHEAD + 5) return fail(ErrorCode.CORRUPT_MESSAGE, 'Record batch is truncated')
    const magic = records.readInt8(p + MAGIC_OFFSET)
    if (magic !== 2) {
      return fail(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, `Record batch magic ${magic} is not supported; only magic 2 is accepted`)
    }
    const size = records.readInt32BE(p + 8) + LOG_OVERHEAD
    if (size < RECORD_BATCH_OVERHEAD || p + size > records.length) return fail(ErrorCode.CORRUPT_MESSAGE, 'Record batch size is invalid or truncated')
    if (size > maxMessageBytes) {
      return fail(ErrorCode.MESSAGE_TOO_LARGE, `The request included a message larger than the max message size the server will accept (${size} > ${maxMessageBytes}).`)
    }
    if (!isCrcValid(records, p, size)) return fail(ErrorCode.CORRUPT_MESSAGE, 'Record batch is corrupt (CRC mismatch)')
    const h = readBatchHeader(records, p)
    // Kafka LogValidator.validateBatch (offsets as the client sent them).
    if (h.lastOffsetDelta < 0) return fail(ErrorCode.INVALID_RECORD, `Batch has an invalid offset range: [${h.baseOffset}, ${h.baseOffset + h.lastOffsetDelta}] in topic partition ${topicPartition}`)
    if (h.recordsCount <= 0) return fail(ErrorCode.INVALID_RECORD, `Invalid reported count for record batch: ${h.recordsCount} in topic partition ${topicPartition}`)
    if (h.lastOffsetDelta + 1 !== h.recordsCount) {
      return fail(ErrorCode.INVALID_RECORD, `Inconsistent batch offset range [${h.baseOffset}, ${h.baseOffset + h.lastOffsetDelta}] and count of records ${h.recordsCount} in topic partition ${topicPartition}`)
    }
    if ((h.attributes & CONTROL_FLAG_MASK) !== 0) return fail(ErrorCode.INVALID_RECORD, `Clients are not allowed to write control records in topic partition ${topicPartition}`)
    if ((h.attributes & TIMESTAMP_TYPE_MASK) !== 0) return fail(ErrorCode.INVALID_TIMESTAMP, 'Producers may not set the LogAppendTime timestamp type')
    if (h.producerId >= 0 && h.baseSequence < 0) {
      return fail(ErrorCode.INVALID_RECORD, `Invalid sequence number ${h.baseSequence} in record batch with producerId ${h.producerId} in topic partition ${topicPartition}`)
    }
    const codec = h.attributes & COMPRESSION_CODEC_MASK
    if (codec > CompressionCodec.Zstd) return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `Unknown compression codec ${codec}`)
    if (codec === CompressionCodec.Zstd && produceVersion < 7) {
      return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'Produce requests with zstd compression need version 7 or later')
    }
    headers.push(h)
    p += size
  }
  if (produceVersion >= 3 && headers.length !== 1) {
    return fail(ErrorCode.INVALID_RECORD, 'Produce requests with version 3 or later must contain exactly one record batch per partition')
  }
  return {errorCode: ErrorCode.NONE, errorMessage: null, headers}
}
