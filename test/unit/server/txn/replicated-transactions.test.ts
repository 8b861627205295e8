/**
 * Transactions on a replicated partition, over the deterministic replication harness: followers
 * rebuild open transactions, the `.txnindex` and the LSO from the replicated batches and markers,
 * so a new leader answers read_committed (LSO, aborted transactions) as the old one did; a broker
 * restart rebuilds the same from its log; producer-state snapshots can restore an open transaction.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {TRANSACTIONAL_FLAG_MASK} from '../../../../src/protocol/records/record-batch.js'
import {ProducerStateManager} from '../../../../src/server/replica/producer-state-manager.js'
import {makeBatch} from '../replica/batch-fixture.js'
import {Cluster} from '../replica/replication-harness.js'

describe('transactions on a replicated partition', () => {
  let c: Cluster
  afterEach(async () => { await c.close() })

  it('a new leader has the same LSO, open transactions and aborted-transaction index', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic('t', [[1, 2]])
    await c.replicate(2)
    const leader = c.broker(1).partition('t', 0)
    const txn = (pid: number): Buffer => makeBatch({count: 2, producerId: pid, producerEpoch: 0, baseSequence: 0, attributes: TRANSACTIONAL_FLAG_MASK})
    assert.equal(leader.appendRecordsToLeader(txn(10), 9, -1).errorCode, ErrorCode.NONE) // 0-1, aborted below
    assert.equal(leader.appendRecordsToLeader(txn(11), 9, -1).errorCode, ErrorCode.NONE) // 2-3, stays open
    assert.equal(leader.appendTxnMarker(10, 0, 5, false).offset, 4)
    await c.replicate(3)
    assert.equal(leader.highWatermark, 5)
    assert.equal(leader.lastStableOffset, 2, 'held by the open transaction of producer 11')
    assert.deepEqual(leader.log.collectAbortedTransactions(0, 5).map(t => [t.producerId, t.firstOffset, t.lastOffset]), [[10, 0, 4]])
    assert.equal(leader.appendTxnMarker(10, 0, 4, true).errorCode, ErrorCode.TRANSACTION_COORDINATOR_FENCED, 'an older coordinator epoch')

    const follower = c.broker(2).partition('t', 0)
    assert.deepEqual([...follower.producerState.ongoingTransactions()], [[11, 2]])
    assert.deepEqual(follower.log.collectAbortedTransactions(0, 5).map(t => [t.producerId, t.firstOffset, t.lastOffset]), [[10, 0, 4]])
    c.elect('t', 0, 2, [2])
    const newLeader = c.broker(2).partition('t', 0)
    assert.equal(newLeader.isLeader, true)
    assert.equal(newLeader.lastStableOffset, 2)
    assert.equal(newLeader.appendTxnMarker(11, 0, 6, true).errorCode, ErrorCode.NONE)
    await c.replicate(2)
    assert.equal(newLeader.lastStableOffset, newLeader.highWatermark)

    // A restart rebuilds the same from the log.
    await c.broker(2).stop()
    c.broker(2).start()
    const reopened = c.broker(2).partition('t', 0)
    assert.equal(reopened.producerState.ongoingTransactions().size, 0)
    assert.deepEqual(reopened.log.collectAbortedTransactions(0, 10).map(t => [t.producerId, t.firstOffset, t.lastOffset]), [[10, 0, 4]])
    assert.equal(reopened.producerState.entry(11)?.coordinatorEpoch, 6)
  })

  it('restore() brings back an open transaction from a snapshot entry', () => {
    const m = new ProducerStateManager()
    m.restore(5, {producerEpoch: 2, batches: [], lastTimestampMs: 1, coordinatorEpoch: 3, currentTxnFirstOffset: 40})
    assert.equal(m.firstUnstableOffset(100), 40)
    m.restore(5, {producerEpoch: 2, batches: [], lastTimestampMs: 1, coordinatorEpoch: 3, currentTxnFirstOffset: -1})
    assert.equal(m.firstUnstableOffset(100), null)
  })
})
