/**
 * Errors raised while decoding or (de)compressing records; both are `KafkaError`s, so
 * `errorCodeFor(err)` yields the code the broker answers with.
 */
import {ErrorCode, KafkaError} from '../errors.js'

/** A batch or record that fails its CRC, is truncated inside, or does not decompress: CORRUPT_MESSAGE (2). */
export class CorruptRecordError extends KafkaError {
  constructor(message: string, options?: ErrorOptions) {
    super(ErrorCode.CORRUPT_MESSAGE, message, options)
    this.name = 'CorruptRecordError'
  }
}

/** A compression codec id other than 0-4 (attribute bits 0-2 = 5..7): UNSUPPORTED_COMPRESSION_TYPE (76). */
export class UnsupportedCompressionTypeError extends KafkaError {
  constructor(readonly codec: number) {
    super(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `Unknown compression codec id ${codec}`)
    this.name = 'UnsupportedCompressionTypeError'
  }
}
