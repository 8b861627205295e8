/**
 * Bad transactional requests over a raw socket (generated codecs) against a real `kts server start`
 * process, answered with Kafka's error codes (`TransactionCoordinator.handle*`, KIP-890 produce
 * verification): unknown transactional ids and producer ids (INVALID_PRODUCER_ID_MAPPING), stale
 * epochs (PRODUCER_FENCED), a timeout above transaction.max.timeout.ms (INVALID_TRANSACTION_TIMEOUT),
 * EndTxn with no transaction (INVALID_TXN_STATE), unknown topics, a transactional produce to a
 * partition not added (INVALID_TXN_STATE) or without a transactional id
 * (TRANSACTIONAL_ID_AUTHORIZATION_FAILED). None changes state: the transaction they aimed at
 * still commits and nothing refused reaches the log.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../src/protocol/errors.js'
import {encodeRecordBatch} from '../../src/protocol/records/records.js'
import {RawGroupClient} from './groups-check.js'
import {createTopic, uniqueTopic, useBroker} from './interop-check.js'

const API = {Produce: 0, ListOffsets: 2, FindCoordinator: 10, InitProducerId: 22, AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26,
  DescribeTransactions: 65, DescribeProducers: 61} as const

function txnBatch(producerId: number, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return encodeRecordBatch({isTransactional: true, producerId, producerEpoch, baseSequence, records: values.map(v => ({key: null, value: Buffer.from(v)}))})
}

describe('interop: bad transactional requests', function () {
  this.timeout(90_000)
  const suite = useBroker({ownBroker: true})
  let c: RawGroupClient | undefined

  after(() => c?.close())

  it('answers with Kafka error codes and changes nothing', async () => {
    const topic = uniqueTopic('txn-bad')
    await createTopic(suite.broker, topic, 2)
    const raw = c = await RawGroupClient.connect(suite.broker.port)
    const txnId = uniqueTopic('bad-txn')
    const found = await raw.callWhenLoaded(API.FindCoordinator, 3, {key: txnId, keyType: 1}, (r) => r.errorCode)
    assert.equal(found.errorCode, ErrorCode.NONE)
    const init = (id: string, timeout = 60_000, producerId = -1, producerEpoch = -1) =>
      raw.callWhenLoaded(API.InitProducerId, 4, {transactionalId: id, transactionTimeoutMs: timeout, producerId, producerEpoch}, (r) => r.errorCode)
    const add = (id: string, pid: number, epoch: number, topics: {name: string, partitions: number[]}[]) =>
      raw.call(API.AddPartitionsToTxn, 3, {v3AndBelowTransactionalId: id, v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: epoch, v3AndBelowTopics: topics})
    const addCodes = async (...args: Parameters<typeof add>): Promise<string[]> =>
      (await add(...args)).resultsByTopicV3AndBelow.flatMap((t: any) => t.resultsByPartition.map((p: any) => `${t.name}/${p.partitionIndex}=${p.partitionErrorCode}`))
    const end = async (id: string, pid: number, epoch: number, committed: boolean): Promise<number> =>
      (await raw.call(API.EndTxn, 3, {transactionalId: id, producerId: pid, producerEpoch: epoch, committed})).errorCode
    const produce = async (txn: string | null, partition: number, records: Buffer): Promise<number> =>
      (await raw.call(API.Produce, 9, {transactionalId: txn, acks: -1, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: partition, records}]}]}))
        .responses[0].partitionResponses[0].errorCode
    const endOffsets = async (): Promise<number[]> => {
      const r = await raw.call(API.ListOffsets, 7, {replicaId: -1, isolationLevel: 0, topics: [{name: topic, partitions: [0, 1].map(p => ({partitionIndex: p, currentLeaderEpoch: -1, timestamp: -1}))}]})
      return r.topics[0].partitions.map((p: any) => Number(p.offset))
    }

    assert.equal((await init(txnId, 900_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT, 'InitProducerId, timeout above transaction.max.timeout.ms')
    assert.equal((await init('')).errorCode, ErrorCode.INVALID_REQUEST, 'InitProducerId, empty transactional id')
    const first = await init(txnId)
    assert.equal(first.errorCode, ErrorCode.NONE)
    const second = await init(txnId)
    assert.deepEqual([second.errorCode, Number(second.producerId), second.producerEpoch], [ErrorCode.NONE, Number(first.producerId), first.producerEpoch + 1], 'the epoch is bumped')
    const pid = Number(second.producerId)
    const epoch = second.producerEpoch as number

    // Unknown transactional id, wrong producer id, stale epoch.
    assert.deepEqual(await addCodes('no-such-txn', pid, epoch, [{name: topic, partitions: [0]}]), [`${topic}/0=${ErrorCode.INVALID_PRODUCER_ID_MAPPING}`])
    assert.deepEqual(await addCodes(txnId, pid + 1, epoch, [{name: topic, partitions: [0]}]), [`${topic}/0=${ErrorCode.INVALID_PRODUCER_ID_MAPPING}`])
    assert.deepEqual(await addCodes(txnId, pid, epoch - 1, [{name: topic, partitions: [0]}]), [`${topic}/0=${ErrorCode.PRODUCER_FENCED}`])
    assert.equal(await end('no-such-txn', pid, epoch, true), ErrorCode.INVALID_PRODUCER_ID_MAPPING, 'EndTxn, unknown transactional id')
    assert.equal(await end(txnId, pid, epoch - 1, true), ErrorCode.PRODUCER_FENCED, 'EndTxn, stale epoch')
    assert.equal(await end(txnId, pid, epoch, true), ErrorCode.INVALID_TXN_STATE, 'EndTxn with no transaction begun')
    assert.equal((await raw.call(API.AddOffsetsToTxn, 3, {transactionalId: txnId, producerId: pid, producerEpoch: epoch - 1, groupId: 'g'})).errorCode,
      ErrorCode.PRODUCER_FENCED, 'AddOffsetsToTxn, stale epoch')
    assert.equal((await init(txnId, 60_000, pid, epoch - 5)).errorCode, ErrorCode.PRODUCER_FENCED, 'InitProducerId v3+ with an unknown epoch')
    // An unknown topic: nothing is added.
    assert.deepEqual(await addCodes(txnId, pid, epoch, [{name: topic, partitions: [0]}, {name: 'no-such-topic', partitions: [0]}]),
      [`${topic}/0=${ErrorCode.OPERATION_NOT_ATTEMPTED}`, `no-such-topic/0=${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`])
    const described = (await raw.call(API.DescribeTransactions, 0, {transactionalIds: [txnId, 'no-such-txn']})).transactionStates
    assert.deepEqual(described.map((d: any) => [d.errorCode, d.transactionState]), [[ErrorCode.NONE, 'Empty'], [ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, '']])

    // Transactional produce: to a partition not in the transaction, or without a transactional id.
    assert.equal(await produce(txnId, 0, txnBatch(pid, epoch, 0, ['not-added'])), ErrorCode.INVALID_TXN_STATE, 'produce to a partition not added')
    assert.equal(await produce(null, 0, txnBatch(pid, epoch, 0, ['no-id'])), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional produce without an id')
    assert.deepEqual(await endOffsets(), [0, 0], 'nothing refused was written')

    // The transaction still works: add partition 0, produce, commit.
    assert.deepEqual(await addCodes(txnId, pid, epoch, [{name: topic, partitions: [0]}]), [`${topic}/0=${ErrorCode.NONE}`])
    assert.equal(await produce(txnId, 0, txnBatch(pid, epoch, 0, ['a', 'b'])), ErrorCode.NONE)
    assert.equal(await produce(txnId, 1, txnBatch(pid, epoch, 0, ['c'])), ErrorCode.INVALID_TXN_STATE, 'partition 1 is still not in the transaction')
    const producers = (await raw.call(API.DescribeProducers, 0, {topics: [{name: topic, partitionIndexes: [0]}]})).topics[0].partitions[0].activeProducers
    assert.deepEqual(producers.map((p: any) => [Number(p.producerId), p.producerEpoch, Number(p.currentTxnStartOffset)]), [[pid, epoch, 0]])
    const lso = await raw.call(API.ListOffsets, 7, {replicaId: -1, isolationLevel: 1, topics: [{name: topic, partitions: [{partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1}]}]})
    assert.equal(Number(lso.topics[0].partitions[0].offset), 0, 'ListOffsets read_committed: the LSO is held by the open transaction')
    assert.equal(await end(txnId, pid, epoch, false), ErrorCode.NONE)
    assert.equal(await end(txnId, pid, epoch, true), ErrorCode.INVALID_TXN_STATE, 'EndTxn commit after the abort')
    assert.deepEqual(await endOffsets(), [3, 0], 'two records and the ABORT marker')
  })
})
