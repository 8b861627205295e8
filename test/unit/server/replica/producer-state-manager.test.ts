import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {ProducerStateManager, lastSequenceOf} from '../../../../src/server/replica/producer-state-manager.js'

function batch(firstSeq: number, lastSeq: number, firstOffset: number) {
  return {firstSeq, lastSeq, firstOffset, lastOffset: firstOffset + (lastSeq - firstSeq), timestampMs: 1}
}

describe('ProducerStateManager', () => {
  it('accepts any sequence from an unknown producer', () => {
    const m = new ProducerStateManager()
    assert.equal(m.check(7, 0, 42, 44).kind, 'ok')
  })

  it('accepts the next sequence and rejects gaps with OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const m = new ProducerStateManager()
    m.update(7, 0, batch(0, 9, 0))
    assert.equal(m.check(7, 0, 10, 19).kind, 'ok')
    const gap = m.check(7, 0, 12, 19)
    assert.equal(gap.kind, 'error')
    assert.equal(gap.kind === 'error' && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  })

  it('detects duplicates among the last 5 batches and returns the original offsets', () => {
    const m = new ProducerStateManager()
    for (let i = 0; i < 6; i++) m.update(7, 0, batch(i * 10, i * 10 + 9, 100 + i * 10))
    const dup = m.check(7, 0, 20, 29)
    assert.equal(dup.kind, 'duplicate')
    assert.equal(dup.kind === 'duplicate' && dup.batch.firstOffset, 120)
    // the first batch fell out of the window of 5: no longer a duplicate, and out of order
    assert.equal(m.check(7, 0, 0, 9).kind, 'error')
  })

  it('fences lower epochs and requires sequence 0 for a new epoch', () => {
    const m = new ProducerStateManager()
    m.update(7, 3, batch(0, 4, 0))
    const low = m.check(7, 2, 5, 6)
    assert.equal(low.kind === 'error' && low.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
    const bumped = m.check(7, 4, 5, 6)
    assert.equal(bumped.kind === 'error' && bumped.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal(m.check(7, 4, 0, 6).kind, 'ok')
  })

  it('wraps sequences at 2^31-1', () => {
    assert.equal(lastSequenceOf(2147483646, 3), 1)
    const m = new ProducerStateManager()
    m.update(7, 0, batch(2147483640, 2147483647, 0))
    assert.equal(m.check(7, 0, 0, 5).kind, 'ok')
  })

  it('expires idle producers', () => {
    const m = new ProducerStateManager()
    m.update(7, 0, {...batch(0, 1, 0), timestampMs: 1000})
    m.removeExpired(5000, 10000)
    assert.equal(m.producerCount, 1)
    m.removeExpired(20000, 10000)
    assert.equal(m.producerCount, 0)
  })
})
