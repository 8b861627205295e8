/**
 * Broker APIs checked over the wire against a real `kts server start` process, where the client
 * libraries hide the behaviour (issue 1, "APIs"):
 * - idempotent Produce (InitProducerId + sequences): a resent batch is answered with its original
 *   offset and not appended again; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER (Kafka
 *   `ProducerStateManager`);
 * - Metadata with topic auto-creation (LEADER_NOT_AVAILABLE on the creating request);
 * - OffsetForLeaderEpoch: the end offset of the current epoch is the log end offset; a newer or an
 *   older current epoch is UNKNOWN_LEADER_EPOCH / FENCED_LEADER_EPOCH; an unknown partition is
 *   UNKNOWN_TOPIC_OR_PARTITION;
 * - Fetch long polling: with min.bytes=1 an empty fetch waits max.wait.ms, and returns as soon as a
 *   record is produced; a fetch returns at least one batch even above the partition's max bytes (KIP-74).
 * Requests go through the tools' protocol client (`src/cli/admin/protocol-client.ts`), record batches
 * through `encodeRecordBatch`.
 */
import assert from 'node:assert/strict'
import {BrokerConnection} from '../../src/cli/admin/protocol-client.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {ZERO_UUID} from '../../src/protocol/primitives/uuid.js'
import {FetchApi, type FetchResponse} from '../../src/protocol/generated/messages/fetch.js'
import {InitProducerIdApi, type InitProducerIdResponse} from '../../src/protocol/generated/messages/init-producer-id.js'
import {MetadataApi, type MetadataResponse} from '../../src/protocol/generated/messages/metadata.js'
import {OffsetForLeaderEpochApi, type OffsetForLeaderEpochResponse} from '../../src/protocol/generated/messages/offset-for-leader-epoch.js'
import {ProduceApi, type ProduceResponse} from '../../src/protocol/generated/messages/produce.js'
import {batchHeaders} from '../../src/protocol/records/record-batch.js'
import {encodeRecordBatch} from '../../src/protocol/records/records.js'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, printBrokerOutputOnFailure, uniqueTopic} from './interop-check.js'

describe('interop: idempotent produce, OffsetForLeaderEpoch and Fetch long polling over the wire', function () {
  this.timeout(60_000)
  let broker: BrokerHandle | undefined
  let conn: BrokerConnection | undefined

  before(async function () {
    broker = await startBroker()
    if (broker.external) this.skip() // asserts exact broker reactions
    const [host, port] = broker.bootstrap.split(':')
    conn = await BrokerConnection.connect({host, port: Number(port), clientId: 'kts-wire-test'})
  })
  after(async () => {
    conn?.close()
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  const produce = async (topic: string, records: Buffer, acks = -1): Promise<{errorCode: number, baseOffset: number}> => {
    const res = await conn!.send(ProduceApi, conn!.version(ProduceApi), {
      transactionalId: null, acks, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: 0, records}]}],
    }) as ProduceResponse
    return res.responses[0].partitionResponses[0]
  }
  const fetch = async (topic: string, offset: number, opts: {maxWaitMs: number, minBytes?: number, partitionMaxBytes?: number}): Promise<FetchResponse['responses'][number]['partitions'][number]> => {
    const res = await conn!.send(FetchApi, conn!.version(FetchApi, 12), {
      replicaId: -1, maxWaitMs: opts.maxWaitMs, minBytes: opts.minBytes ?? 1, maxBytes: 52428800, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{topic, partitions: [{partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: opts.partitionMaxBytes ?? 1048576}]}],
      forgottenTopicsData: [], rackId: '',
    }) as FetchResponse
    assert.equal(res.errorCode, 0)
    return res.responses[0].partitions[0]
  }
  const values = (n: number, p: string): {key: null, value: Buffer}[] => Array.from({length: n}, (_, i) => ({key: null, value: Buffer.from(`${p}${i}`)}))

  it('idempotent produce: a resent batch gets its first offset back and is not appended twice; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const topic = uniqueTopic('idempotent')
    await createTopic(broker!, topic, 1)
    const pid = await conn!.send(InitProducerIdApi, conn!.version(InitProducerIdApi), {transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1}) as InitProducerIdResponse
    assert.equal(pid.errorCode, 0)
    assert.ok(pid.producerId >= 0)
    const batch = (baseSequence: number, n: number): Buffer => encodeRecordBatch({producerId: pid.producerId, producerEpoch: pid.producerEpoch, baseSequence, records: values(n, `s${baseSequence}-`)})

    assert.deepEqual(await produce(topic, batch(0, 3)).then((r) => [r.errorCode, r.baseOffset]), [0, 0])
    assert.deepEqual(await produce(topic, batch(3, 2)).then((r) => [r.errorCode, r.baseOffset]), [0, 3])
    assert.deepEqual(await produce(topic, batch(3, 2)).then((r) => [r.errorCode, r.baseOffset]), [0, 3], 'the duplicate is answered with its offset')
    assert.deepEqual(await produce(topic, batch(0, 3)).then((r) => [r.errorCode, r.baseOffset]), [0, 0], 'an older duplicate too')
    assert.equal((await produce(topic, batch(9, 1))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.deepEqual(await produce(topic, batch(5, 1)).then((r) => [r.errorCode, r.baseOffset]), [0, 5])

    const p = await fetch(topic, 0, {maxWaitMs: 0})
    assert.equal(p.highWatermark, 6, 'duplicates and the rejected batch were not appended')
    assert.deepEqual([...batchHeaders(p.records!)].map((h) => [h.baseOffset, h.baseSequence]), [[0, 0], [3, 3], [5, 5]])
  })

  it('Metadata auto-creation: unknown topic without allowAutoTopicCreation; with it LEADER_NOT_AVAILABLE first, then num.partitions partitions with a leader', async () => {
    const topic = uniqueTopic('auto-create')
    const metadata = async (allowAutoTopicCreation: boolean): Promise<MetadataResponse['topics'][number]> => {
      const res = await conn!.send(MetadataApi, conn!.version(MetadataApi, 12), {
        topics: [{topicId: ZERO_UUID, name: topic}], allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      }) as MetadataResponse
      return res.topics[0]
    }
    assert.equal((await metadata(false)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.equal((await metadata(true)).errorCode, ErrorCode.LEADER_NOT_AVAILABLE, 'Kafka answers the creating request with LEADER_NOT_AVAILABLE')
    const t = await waitFor(async () => {
      const m = await metadata(false)
      return m.errorCode === 0 && m.partitions.every((p) => p.leaderId >= 0) ? m : false
    }, {timeoutMs: 10_000, message: `metadata of the auto-created ${topic}`})
    assert.equal(t.partitions.length, 1, 'num.partitions (1)')
  })

  it('OffsetForLeaderEpoch: the current epoch ends at the log end offset; other current epochs and unknown partitions are errors', async () => {
    const topic = uniqueTopic('epochs')
    await createTopic(broker!, topic, 1)
    await produce(topic, encodeRecordBatch({records: values(4, 'e')}))
    const md = await conn!.send(MetadataApi, conn!.version(MetadataApi, 12), {
      topics: [{topicId: ZERO_UUID, name: topic}], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    }) as MetadataResponse
    const epoch = md.topics[0].partitions[0].leaderEpoch
    assert.ok(epoch >= 0)
    const ask = async (t: string, partition: number, leaderEpoch: number, currentLeaderEpoch: number): Promise<{errorCode: number, leaderEpoch: number, endOffset: number}> => {
      const res = await conn!.send(OffsetForLeaderEpochApi, conn!.version(OffsetForLeaderEpochApi), {
        replicaId: -1, topics: [{topic: t, partitions: [{partition, currentLeaderEpoch, leaderEpoch}]}],
      }) as OffsetForLeaderEpochResponse
      return res.topics[0].partitions[0]
    }
    assert.deepEqual(await ask(topic, 0, epoch, epoch).then((r) => [r.errorCode, r.leaderEpoch, r.endOffset]), [0, epoch, 4])
    assert.deepEqual(await ask(topic, 0, epoch, -1).then((r) => [r.errorCode, r.endOffset]), [0, 4], 'no current epoch given: no check')
    assert.equal((await ask(topic, 0, epoch, epoch + 1)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH)
    if (epoch > 0) assert.equal((await ask(topic, 0, epoch, epoch - 1)).errorCode, ErrorCode.FENCED_LEADER_EPOCH)
    assert.equal((await ask(topic, 7, epoch, -1)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.equal((await ask(uniqueTopic('no-such-topic'), 0, 0, -1)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  it('Fetch: waits max.wait.ms when nothing is there, answers as soon as a record arrives, and returns one batch above the partition max bytes', async () => {
    const topic = uniqueTopic('long-poll')
    await createTopic(broker!, topic, 1)
    let t0 = Date.now()
    const empty = await fetch(topic, 0, {maxWaitMs: 1500})
    const waited = Date.now() - t0
    assert.equal(empty.records?.length ?? 0, 0)
    assert.ok(waited >= 1400, `an empty fetch answered after ${waited} ms, before max.wait.ms (1500)`)

    t0 = Date.now()
    const pending = fetch(topic, 0, {maxWaitMs: 20_000})
    // The second connection's produce must wake the long poll of the first.
    const [host, port] = broker!.bootstrap.split(':')
    const other = await BrokerConnection.connect({host, port: Number(port), clientId: 'kts-wire-test-producer'})
    try {
      const r = await other.send(ProduceApi, other.version(ProduceApi), {
        transactionalId: null, acks: 1, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: 0, records: encodeRecordBatch({records: values(1, 'wake')})}]}],
      }) as ProduceResponse
      assert.equal(r.responses[0].partitionResponses[0].errorCode, 0)
    } finally {
      other.close()
    }
    const woke = await pending
    const took = Date.now() - t0
    assert.ok((woke.records?.length ?? 0) > 0, 'the long poll returned the new record')
    assert.ok(took < 15_000, `the long poll returned after ${took} ms: not woken by the produce`)

    await produce(topic, encodeRecordBatch({records: values(50, 'big-batch-record-')}))
    await produce(topic, encodeRecordBatch({records: values(50, 'second-batch-')}))
    const small = await fetch(topic, 1, {maxWaitMs: 0, partitionMaxBytes: 10})
    assert.deepEqual([...batchHeaders(small.records!)].map((h) => h.baseOffset), [1], 'exactly the first batch, though larger than 10 bytes (KIP-74)')
  })
})
