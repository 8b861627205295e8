// Transactions across brokers (real processes: 1 controller + 2 brokers): the coordinator of a
// transactional id on one broker, the data partition on the other (KIP-890 verification and the
// markers go over inter-broker requests). The data partition's leader is SIGKILLed before EndTxn,
// so the COMMIT marker cannot be written: the transaction stays PrepareCommit (EndTxn and
// InitProducerId get CONCURRENT_TRANSACTIONS). Then the coordinator is SIGKILLed too; after both
// restart, the coordinator reloads PrepareCommit from __transaction_state and completes the commit:
// the records become visible to read_committed, never half a transaction.
import assert from 'node:assert/strict'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {BrokerConnection} from '../../src/protocol/client/broker-connection.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {API_SPECS} from '../../src/protocol/generated/messages/index.js'
import {decodeRecordBatches, encodeRecordBatch} from '../../src/protocol/records/records.js'

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
    // A transactional id coordinated by broker 2 (the data partition is on broker 3).
    let txnId = ''
    await waitFor(async () => {
      for (let i = 0; i < 20; i++) {
        const r = await call(port(2), 'FindCoordinator', 3, {key: `txn-${i}`, keyType: 1})
        if (r.errorCode !== ErrorCode.NONE) return false
        if (r.nodeId === 2) {
          txnId = `txn-${i}`
          return true
        }
      }
      return false
    }, {timeoutMs: 30_000, message: () => 'a transactional id coordinated by broker 2'})
    const init = await waitFor(async () => {
      const r = await call(port(2), 'InitProducerId', 4, {transactionalId: txnId, transactionTimeoutMs: 120_000, producerId: -1, producerEpoch: -1})
      return RETRY.has(r.errorCode) ? false : r
    }, {timeoutMs: 20_000})
    assert.equal(init.errorCode, ErrorCode.NONE)
    const pid = Number(init.producerId)
    const epoch = init.producerEpoch as number
    const add = await call(port(2), 'AddPartitionsToTxn', 3, {v3AndBelowTransactionalId: txnId, v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: epoch, v3AndBelowTopics: [{name: topic, partitions: [0]}]})
    assert.equal(add.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.NONE)
    const records = encodeRecordBatch({isTransactional: true, producerId: pid, producerEpoch: epoch, baseSequence: 0, records: ['r0', 'r1'].map(v => ({key: null, value: Buffer.from(v)}))})
    const produced = await call(port(3), 'Produce', 9, {transactionalId: txnId, acks: -1, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: 0, records}]}]})
    assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE, 'verified with the coordinator on broker 2')

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
    await waitFor(async () => {
      const r = (await call(port(2), 'DescribeTransactions', 0, {transactionalIds: [txnId]})).transactionStates[0]
      return r.errorCode === ErrorCode.NONE && r.transactionState === 'CompleteCommit'
    }, {timeoutMs: 60_000, intervalMs: 200, message: () => 'the transaction reaching CompleteCommit after the restart'})
    const fetched = await waitFor(async () => {
      const r = await call(port(3), 'Fetch', 11, {replicaId: -1, maxWaitMs: 100, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
        topics: [{topic, partitions: [{partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20}]}], forgottenTopicsData: [], rackId: ''})
      const p = r.responses[0]?.partitions[0]
      return p && p.errorCode === ErrorCode.NONE && Number(p.lastStableOffset) === 3 ? p : false
    }, {timeoutMs: 30_000, intervalMs: 200, message: () => 'read_committed data on broker 3'})
    assert.deepEqual(fetched.abortedTransactions, [])
    const batches = decodeRecordBatches(fetched.records)
    assert.deepEqual(batches.filter(b => !b.isControl).flatMap(b => b.records.map(r => r.value!.toString())), ['r0', 'r1'])
    const marker = batches.find(b => b.isControl)!
    assert.equal(marker.records[0].key!.readInt16BE(2), 1, 'a COMMIT marker')
  })
})
