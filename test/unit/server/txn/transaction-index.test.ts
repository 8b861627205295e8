/** `.txnindex` files (Kafka `TransactionIndex`): 34-byte entries, overlap queries, truncation, reload. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ABORTED_TXN_SIZE, TransactionIndex} from '../../../../src/server/log/transaction-index.js'
import {ProducerStateManager} from '../../../../src/server/replica/producer-state-manager.js'

describe('TransactionIndex', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txnindex-')) })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('writes Kafka\'s entry layout, answers overlap queries, truncates and reloads', () => {
    const file = path.join(dir, '00000000000000000000.txnindex')
    const idx = new TransactionIndex(file)
    assert.equal(idx.exists, false, 'created on the first append')
    idx.append({producerId: 7, firstOffset: 0, lastOffset: 5, lastStableOffset: 6})
    idx.append({producerId: 8, firstOffset: 3, lastOffset: 9, lastStableOffset: 10})
    idx.append({producerId: 8, firstOffset: 3, lastOffset: 9, lastStableOffset: 10}) // a replay is skipped
    const bytes = fs.readFileSync(file)
    assert.equal(bytes.length, 2 * ABORTED_TXN_SIZE)
    assert.deepEqual([bytes.readInt16BE(0), Number(bytes.readBigInt64BE(2)), Number(bytes.readBigInt64BE(10)), Number(bytes.readBigInt64BE(18)), Number(bytes.readBigInt64BE(26))], [0, 7, 0, 5, 6])
    const overlap = (from: number, to: number): number[] => { const out: {producerId: number}[] = []; idx.collect(from, to, out as never); return out.map(t => t.producerId) }
    assert.deepEqual(overlap(0, 2), [7])
    assert.deepEqual(overlap(6, 20), [8])
    assert.deepEqual(overlap(4, 5), [7, 8])
    assert.deepEqual(overlap(10, 20), [])
    idx.truncateTo(9)
    assert.deepEqual(new TransactionIndex(file).all().map(t => t.producerId), [7])
    idx.truncateTo(0)
    assert.equal(idx.exists, false)
  })
})

describe('ProducerStateManager transactions', () => {
  it('tracks open transactions, the first unstable offset and completed ones until the high watermark passes their marker', () => {
    const m = new ProducerStateManager()
    assert.equal(m.firstUnstableOffset(0), null)
    m.update(1, 0, {firstSeq: 0, lastSeq: 1, firstOffset: 10, lastOffset: 11, timestampMs: 1})
    m.beginTxn(1, 0, 10, 1)
    m.beginTxn(2, 0, 12, 1)
    m.beginTxn(1, 0, 13, 1) // already open
    assert.equal(m.entry(1)!.currentTxnFirstOffset, 10)
    assert.equal(m.firstUnstableOffset(14), 10)
    assert.equal(m.checkMarker(1, 0, 0), 0)
    const done = m.completeTxn(1, 0, 3, 14, true, 2)
    assert.deepEqual(done, {producerId: 1, firstOffset: 10, lastOffset: 14, isAborted: true})
    assert.equal(m.firstUnstableOffset(14), 10, 'the marker is not below the high watermark yet')
    assert.equal(m.firstUnstableOffset(15), 12)
    assert.equal(m.checkMarker(1, 0, 2), 52, 'TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch')
    assert.equal(m.checkMarker(1, 0, 3), 0)
    m.beginTxn(1, 1, 20, 3)
    assert.equal(m.checkMarker(1, 0, 3), 47, 'INVALID_PRODUCER_EPOCH for an older producer epoch')
    assert.equal(m.completeTxn(3, 0, 0, 30, false, 3), null, 'a marker without an open transaction')
    m.removeExpired(1_000_000, 1)
    assert.deepEqual([...m.ongoingTransactions().keys()].sort(), [1, 2], 'producers with open transactions do not expire')
  })
})
