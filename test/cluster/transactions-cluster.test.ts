// Transactions across brokers (real processes: 1 controller + 2 brokers): the coordinator of a
// transactional id on one broker, the data partition on the other (KIP-890 verification and the
// markers go over inter-broker requests). The data partition's leader is SIGKILLed before EndTxn,
// so the COMMIT marker cannot be written: the transaction stays PrepareCommit (EndTxn and
// InitProducerId get CONCURRENT_TRANSACTIONS). Then the coordinator is SIGKILLed too; after both
// restart, the coordinator reloads PrepareCommit from __transaction_state and completes the commit:
// the records become visible to read_committed, never half a transaction.
// Replicated: with __transaction_state at replication factor 3 (3 brokers), SIGKILLing the
// coordinator while the markers of a commit are pending moves the coordinator to another replica,
// which loads PrepareCommit and completes the commit once the data partition is back.
import assert from 'node:assert/strict'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {BrokerConnection} from '../../src/protocol/client/broker-connection.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {API_SPECS} from '../../src/protocol/generated/messages/index.js'
import {decodeRecordBatches, encodeRecordBatch} from '../../src/protocol/records/records.js'
import {ZERO_UUID} from '../../src/protocol/primitives/uuid.js'

const OVERRIDES = {
  'broker.session.timeout.ms': 3000,
  'broker.heartbeat.interval.ms': 500,
  'transaction.state.log.num.partitions': 4,
  'auto.leader.rebalance.enable': false,
}

async function call(port: number, api: string, version: number, body: Record<string, unknown>): Promise<any> {
  const spec = API_SPECS.find(s => s.name === api)!
  const c = await BrokerConnection.connect({host: '127.0.0.1', port, clientId: 'txn-cluster-test', connectTimeoutMs: 5000, requestTimeoutMs: 15_000})
  try {
    return await c.send(spec, version, body)
  } finally {
    c.close()
  }
}

const RETRY = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS])

/** A transactional id whose coordinator is broker `coordinator` (FindCoordinator through `port`). */
async function txnIdCoordinatedBy(port: number, coordinator: number): Promise<string> {
  let txnId = ''
  await waitFor(async () => {
    for (let i = 0; i < 40; i++) {
      const r = await call(port, 'FindCoordinator', 3, {key: `txn-${i}`, keyType: 1})
      if (r.errorCode !== ErrorCode.NONE) return false
      if (r.nodeId === coordinator) {
        txnId = `txn-${i}`
        return true
      }
    }
    return false
  }, {timeoutMs: 30_000, message: () => `a transactional id coordinated by broker ${coordinator}`})
  return txnId
}

/** Opens a transaction of `txnId` (coordinator on `coordPort`) holding two records in `topic`-0 (leader on `leaderPort`). */
async function openTransaction(coordPort: number, leaderPort: number, txnId: string, topic: string): Promise<{pid: number, epoch: number}> {
  const init = await waitFor(async () => {
    const r = await call(coordPort, 'InitProducerId', 4, {transactionalId: txnId, transactionTimeoutMs: 120_000, producerId: -1, producerEpoch: -1})
    return RETRY.has(r.errorCode) ? false : r
  }, {timeoutMs: 20_000})
  assert.equal(init.errorCode, ErrorCode.NONE)
  const pid = Number(init.producerId)
  const epoch = init.producerEpoch as number
  const add = await call(coordPort, 'AddPartitionsToTxn', 3, {v3AndBelowTransactionalId: txnId, v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: epoch, v3AndBelowTopics: [{name: topic, partitions: [0]}]})
  assert.equal(add.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.NONE)
  const records = encodeRecordBatch({isTransactional: true, producerId: pid, producerEpoch: epoch, baseSequence: 0, records: ['r0', 'r1'].map(v => ({key: null, value: Buffer.from(v)}))})
  const produced = await call(leaderPort, 'Produce', 9, {transactionalId: txnId, acks: -1, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: 0, records}]}]})
  assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE, 'verified with the coordinator')
  return {pid, epoch}
}

/** Waits until `txnId` is CompleteCommit (asked through `port`'s FindCoordinator) and `topic`-0 on `leaderPort` shows the two records and the COMMIT marker to read_committed. */
async function expectCommitted(port: number, leaderPort: number, txnId: string, topic: string): Promise<void> {
  await waitFor(async () => {
    const found = await call(port, 'FindCoordinator', 3, {key: txnId, keyType: 1})
    if (found.errorCode !== ErrorCode.NONE) return false
    const r = (await call(found.port, 'DescribeTransactions', 0, {transactionalIds: [txnId]})).transactionStates[0]
    return r.errorCode === ErrorCode.NONE && r.transactionState === 'CompleteCommit'
  }, {timeoutMs: 60_000, intervalMs: 200, message: () => 'the transaction reaching CompleteCommit'})
  const fetched = await waitFor(async () => {
    const r = await call(leaderPort, 'Fetch', 11, {replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
      topics: [{topic, partitions: [{partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20}]}], forgottenTopicsData: [], rackId: ''})
    const p = r.responses[0]?.partitions[0]
    return p && p.errorCode === ErrorCode.NONE && Number(p.lastStableOffset) === 3 ? p : false
  }, {timeoutMs: 30_000, intervalMs: 200, message: () => 'read_committed data on the leader'})
  assert.deepEqual(fetched.abortedTransactions, [])
  const batches = decodeRecordBatches(fetched.records)
  assert.deepEqual(batches.filter(b => !b.isControl).flatMap(b => b.records.map(r => r.value!.toString())), ['r0', 'r1'])
  const marker = batches.find(b => b.isControl)!
  assert.equal(marker.records[0].key!.readInt16BE(2), 1, 'a COMMIT marker')
}

describe('transactions: coordinator and data partition on different brokers (real processes)', function () {
  this.timeout(180_000)
  let cluster: ClusterHandle | undefined

  after(async () => {
    await cluster?.close()
  })
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.output().split('\n').slice(-150).join('\n'))
  })

  it('a commit whose markers were not written completes after the coordinator restarts', async () => {
    cluster = await startCluster({controllers: 1, brokers: 2, overrides: OVERRIDES})
    const c = cluster
    const port = (id: number): number => c.node(id).brokerPort
    const topic = 'txn-cross'
    const created = await call(port(2), 'CreateTopics', 7, {
      topics: [{name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [3]}], configs: []}], timeoutMs: 10_000, validateOnly: false,
    })
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE)
    const txnId = await txnIdCoordinatedBy(port(2), 2)
    const {pid, epoch} = await openTransaction(port(2), port(3), txnId, topic)

    // The data partition's leader dies before EndTxn: the COMMIT marker cannot be written.
    await c.kill(3)
    const ended = await call(port(2), 'EndTxn', 3, {transactionalId: txnId, producerId: pid, producerEpoch: epoch, committed: true})
    assert.equal(ended.errorCode, ErrorCode.NONE)
    assert.equal((await call(port(2), 'EndTxn', 3, {transactionalId: txnId, producerId: pid, producerEpoch: epoch, committed: true})).errorCode,
      ErrorCode.CONCURRENT_TRANSACTIONS, 'EndTxn while the markers are pending')
    assert.equal((await call(port(2), 'InitProducerId', 4, {transactionalId: txnId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1})).errorCode,
      ErrorCode.CONCURRENT_TRANSACTIONS, 'InitProducerId while the markers are pending')
    const pending = (await call(port(2), 'DescribeTransactions', 0, {transactionalIds: [txnId]})).transactionStates[0]
    assert.equal(pending.transactionState, 'PrepareCommit')

    // The coordinator dies too; both come back.
    await c.kill(2)
    await Promise.all([c.start(3), c.start(2)])
    await expectCommitted(port(2), port(3), txnId, topic)
  })

  it('replicated __transaction_state: a coordinator SIGKILLed with a commit pending fails over and the new one completes it', async () => {
    await cluster?.close()
    cluster = await startCluster({controllers: 1, brokers: 3, overrides: {
      ...OVERRIDES, 'transaction.state.log.replication.factor': 3, 'transaction.state.log.min.isr': 2, 'replica.lag.time.max.ms': 3000,
    }})
    const c = cluster
    const port = (id: number): number => c.node(id).brokerPort
    const topic = 'txn-failover'
    const created = await call(port(2), 'CreateTopics', 7, {
      topics: [{name: topic, numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [4]}], configs: []}], timeoutMs: 10_000, validateOnly: false,
    })
    assert.equal(created.topics[0].errorCode, ErrorCode.NONE)
    const txnId = await txnIdCoordinatedBy(port(2), 2)
    const md = await call(port(2), 'Metadata', 12, {topics: [{name: '__transaction_state', topicId: ZERO_UUID}], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false})
    assert.deepEqual(md.topics[0].partitions[0].replicaNodes.length, 3, '__transaction_state has 3 replicas')
    const {pid, epoch} = await openTransaction(port(2), port(4), txnId, topic)
    // The data partition's only replica dies: the COMMIT marker stays pending.
    await c.kill(4)
    const ended = await call(port(2), 'EndTxn', 3, {transactionalId: txnId, producerId: pid, producerEpoch: epoch, committed: true})
    assert.equal(ended.errorCode, ErrorCode.NONE)
    assert.equal((await call(port(2), 'DescribeTransactions', 0, {transactionalIds: [txnId]})).transactionStates[0].transactionState, 'PrepareCommit')
    // The coordinator dies; another replica of its __transaction_state partition takes over.
    await c.kill(2)
    const newCoordinator = await waitFor(async () => {
      const r = await call(port(3), 'FindCoordinator', 3, {key: txnId, keyType: 1})
      return r.errorCode === ErrorCode.NONE && r.nodeId === 3 ? r : false
    }, {timeoutMs: 30_000, intervalMs: 200, message: () => 'broker 3 coordinating the transactional id'})
    assert.equal(newCoordinator.nodeId, 3)
    const resumed = await waitFor(async () => {
      const r = (await call(port(3), 'DescribeTransactions', 0, {transactionalIds: [txnId]})).transactionStates[0]
      return r.errorCode === ErrorCode.NONE ? r : false
    }, {timeoutMs: 20_000, intervalMs: 200})
    assert.equal(resumed.transactionState, 'PrepareCommit', 'loaded from the replicated log')
    await c.start(4)
    await expectCommitted(port(3), port(4), txnId, topic)
  })
})
