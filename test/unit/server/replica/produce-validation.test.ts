import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {validateProducedRecords} from '../../../../src/server/replica/produce-validation.js'
import {makeBatch} from './batch-fixture.js'

const MAX = 1048588

describe('validateProducedRecords', () => {
  it('accepts one valid batch', () => {
    const v = validateProducedRecords(makeBatch(), 9, MAX)
    assert.equal(v.errorCode, ErrorCode.NONE)
    assert.equal(v.headers.length, 1)
    assert.equal(v.headers[0].recordsCount, 3)
  })

  it('rejects a CRC mismatch with CORRUPT_MESSAGE', () => {
    const b = makeBatch()
    b[b.length - 2] ^= 0xff
    assert.equal(validateProducedRecords(b, 9, MAX).errorCode, ErrorCode.CORRUPT_MESSAGE)
  })

  it('rejects truncated data with CORRUPT_MESSAGE', () => {
    assert.equal(validateProducedRecords(makeBatch().subarray(0, 40), 9, MAX).errorCode, ErrorCode.CORRUPT_MESSAGE)
  })

  it('rejects two batches in v3+ with INVALID_RECORD', () => {
    const two = Buffer.concat([makeBatch(), makeBatch()])
    assert.equal(validateProducedRecords(two, 9, MAX).errorCode, ErrorCode.INVALID_RECORD)
  })

  it('rejects oversize batches with MESSAGE_TOO_LARGE', () => {
    assert.equal(validateProducedRecords(makeBatch(), 9, 50).errorCode, ErrorCode.MESSAGE_TOO_LARGE)
  })

  it('rejects control batches and client LogAppendTime', () => {
    assert.equal(validateProducedRecords(makeBatch({attributes: 0x20}), 9, MAX).errorCode, ErrorCode.INVALID_RECORD)
    assert.equal(validateProducedRecords(makeBatch({attributes: 0x08}), 9, MAX).errorCode, ErrorCode.INVALID_TIMESTAMP)
  })

  it('rejects zstd before Produce v7', () => {
    assert.equal(validateProducedRecords(makeBatch({attributes: 4}), 6, MAX).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
    assert.equal(validateProducedRecords(makeBatch({attributes: 4}), 7, MAX).errorCode, ErrorCode.NONE)
  })

  it('rejects an idempotent batch without a sequence', () => {
    assert.equal(validateProducedRecords(makeBatch({producerId: 5, producerEpoch: 0, baseSequence: -1}), 9, MAX).errorCode, ErrorCode.INVALID_RECORD)
  })

  it('rejects empty data', () => {
    assert.equal(validateProducedRecords(Buffer.alloc(0), 9, MAX).errorCode, ErrorCode.INVALID_RECORD)
    assert.equal(validateProducedRecords(null, 9, MAX).errorCode, ErrorCode.INVALID_RECORD)
  })
})
