/**
 * TransactionCoordinator over a fake `__transaction_state` storage, a fake marker sender and a
 * manual clock: the state machine of Kafka's TransactionCoordinator (epoch bumps, fencing an open
 * transaction, CONCURRENT_TRANSACTIONS while markers are pending, completion after the markers,
 * the timed-out abort, id expiry) and the reload that resumes a PrepareCommit.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {TransactionCoordinator, type TxnMarkerRequest, type TxnMarkerSender} from '../../../../src/server/txn/transaction-coordinator.js'
import {TransactionStateManager} from '../../../../src/server/txn/transaction-state-manager.js'
import {FakeClock, FakeStorage, flush} from '../group/fakes.js'
import type {Logger} from '../../../../src/server/util/logger.js'

const quiet: Logger = {trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: () => {}} as unknown as Logger

/** Records marker requests; each resolves when the test releases it. */
class FakeMarkers implements TxnMarkerSender {
  readonly sent: TxnMarkerRequest[] = []
  private releases: (() => void)[] = []
  autoComplete = false

  send(req: TxnMarkerRequest, isActive: () => boolean): Promise<boolean> {
    this.sent.push(req)
    if (this.autoComplete) return Promise.resolve(true)
    return new Promise(resolve => this.releases.push(() => resolve(isActive())))
  }

  releaseAll(): void {
    for (const r of this.releases.splice(0)) r()
  }
}

const CONFIG = {maxTimeoutMs: 900_000, idExpirationMs: 604_800_000, abortTimedOutIntervalMs: 10_000, removeExpiredIntervalMs: 3_600_000}

function setup(storage = new FakeStorage()) {
  const clock = new FakeClock()
  const markers = new FakeMarkers()
  let nextPid = 1000
  const state = new TransactionStateManager(storage, 50, 1 << 20)
  const coord = new TransactionCoordinator(state, markers, async () => nextPid++, CONFIG, clock, quiet)
  return {clock, markers, state, coord, storage}
}

async function loadAll(coord: TransactionCoordinator, epoch = 0): Promise<void> {
  for (let p = 0; p < 50; p++) await coord.onElection(p, epoch)
}

describe('TransactionCoordinator', () => {
  it('InitProducerId bumps the epoch, validates the timeout and fences older epochs', async () => {
    const {coord} = setup()
    await loadAll(coord)
    assert.deepEqual(await coord.initProducerId('t', 1_000_000, {producerId: -1, producerEpoch: -1}), {errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1})
    const a = await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})
    assert.deepEqual(a, {errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 0})
    const b = await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})
    assert.deepEqual(b, {errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 1})
    assert.equal(await coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 0}]), ErrorCode.PRODUCER_FENCED)
    assert.equal(await coord.addPartitions('t', 1001, 1, [{topic: 'x', partition: 0}]), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    assert.equal(await coord.endTxn('u', 1000, 1, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    assert.equal(await coord.endTxn('t', 1000, 1, true), ErrorCode.INVALID_TXN_STATE)
  })

  it('EndTxn: PrepareCommit, CONCURRENT_TRANSACTIONS until the markers are written, then CompleteCommit', async () => {
    const {coord, markers} = setup()
    await loadAll(coord)
    await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})
    assert.equal(await coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 0}, {topic: 'x', partition: 1}]), ErrorCode.NONE)
    assert.equal(await coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 1}]), ErrorCode.NONE, 'already added')
    assert.deepEqual(coord.verifyPartitions('t', 1000, 0, [{topic: 'x', partition: 1}, {topic: 'x', partition: 2}]), [ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE])
    assert.equal(await coord.endTxn('t', 1000, 0, true), ErrorCode.NONE)
    assert.equal(coord.describe('t').transactionState, 'PrepareCommit')
    assert.equal(markers.sent.length, 1)
    assert.deepEqual([markers.sent[0].committed, markers.sent[0].partitions.length, markers.sent[0].producerEpoch], [true, 2, 0])
    assert.equal(await coord.endTxn('t', 1000, 0, true), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal(await coord.endTxn('t', 1000, 0, false), ErrorCode.INVALID_TXN_STATE)
    assert.equal(await coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 2}]), ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.equal((await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    markers.releaseAll()
    await flush()
    const d = coord.describe('t')
    assert.deepEqual([d.transactionState, d.topics], ['CompleteCommit', []])
    assert.equal(await coord.endTxn('t', 1000, 0, true), ErrorCode.NONE, 'a retried commit succeeds')
    assert.equal(await coord.endTxn('t', 1000, 0, false), ErrorCode.INVALID_TXN_STATE)
  })

  it('InitProducerId with an open transaction fences it: epoch bump, ABORT markers, CONCURRENT_TRANSACTIONS, then a new epoch', async () => {
    const {coord, markers} = setup()
    await loadAll(coord)
    await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})
    await coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 0}])
    assert.equal((await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
    assert.deepEqual([markers.sent[0].committed, markers.sent[0].producerEpoch], [false, 1])
    assert.equal(await coord.endTxn('t', 1000, 0, true), ErrorCode.PRODUCER_FENCED, 'the old instance is fenced')
    markers.releaseAll()
    await flush()
    assert.equal(coord.describe('t').transactionState, 'CompleteAbort')
    assert.deepEqual(await coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1}), {errorCode: ErrorCode.NONE, producerId: 1000, producerEpoch: 2})
  })

  it('aborts transactions older than their timeout and expires idle ids', async () => {
    const {coord, markers, clock} = setup()
    markers.autoComplete = true
    await loadAll(coord)
    coord.startup()
    await coord.initProducerId('t', 15_000, {producerId: -1, producerEpoch: -1})
    await coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 0}])
    await clock.advance(10_000)
    assert.equal(coord.describe('t').transactionState, 'Ongoing')
    await clock.advance(10_000)
    assert.deepEqual([coord.describe('t').transactionState, coord.describe('t').producerEpoch], ['CompleteAbort', 1])
    assert.equal(markers.sent[0].committed, false)
    await clock.advance(CONFIG.idExpirationMs + CONFIG.removeExpiredIntervalMs)
    assert.equal(coord.describe('t').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    coord.close()
  })

  it('a new coordinator loads the log and completes a PrepareCommit; unowned ids get NOT_COORDINATOR', async () => {
    const first = setup()
    await loadAll(first.coord)
    await first.coord.initProducerId('t', 60_000, {producerId: -1, producerEpoch: -1})
    await first.coord.addPartitions('t', 1000, 0, [{topic: 'x', partition: 0}])
    await first.coord.endTxn('t', 1000, 0, true)
    first.coord.close()
    const second = setup(first.storage)
    assert.equal(second.coord.describe('t').errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(await second.coord.endTxn('t', 1000, 0, true), ErrorCode.NOT_COORDINATOR)
    await loadAll(second.coord, 1)
    assert.equal(second.coord.describe('t').transactionState, 'PrepareCommit')
    assert.deepEqual([second.markers.sent.length, second.markers.sent[0].coordinatorEpoch, second.markers.sent[0].committed], [1, 1, true])
    second.markers.releaseAll()
    await flush()
    assert.equal(second.coord.describe('t').transactionState, 'CompleteCommit')
    // Resigning forgets the partition's ids.
    second.coord.onResignation(second.state.partitionFor('t'))
    assert.equal(second.coord.describe('t').errorCode, ErrorCode.NOT_COORDINATOR)
  })
})
