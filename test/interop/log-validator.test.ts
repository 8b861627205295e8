/**
 * Produced batches are validated as Kafka's LogValidator does (issue 11, acceptance 2 and 3), in a
 * real `kts server start` process:
 * - batches whose header max timestamp is -1 or stale (lower than a record's), sent over a raw
 *   socket (built with our own writer: the bad header is the point), are stored with the header
 *   recomputed from their records: @platformatic/kafka's ListOffsets by timestamp and by max
 *   timestamp (-3) find the right records, and retention.ms (lowered live) deletes by the records'
 *   timestamps (before the fix, -1 made lookups skip the batch and retention fall back to file times);
 * - records without a key on a compacted topic are refused with INVALID_RECORD (KIP-467): kcat
 *   (librdkafka) reports the error per message, kafkajs rejects the send, and a raw Produce v9 shows
 *   RecordErrors and ErrorMessage while another partition of the same request is appended.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {Admin as PlatformaticAdmin} from '@platformatic/kafka'
import kafkajs, {Partitioners, type Kafka} from 'kafkajs'
import {readProduceResponse, writeProduceRequest, type ProduceResponse} from '../../src/protocol/generated/messages/produce.js'
import {encodeRecordBatch, type RecordInput} from '../../src/protocol/records/records.js'
import {RawKafkaSocket} from '../helpers/raw-kafka-socket.js'
import {waitFor} from '../helpers/wait-for.js'
import {kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

const {ConfigResourceTypes} = kafkajs
const PRODUCE = 0
const HOUR = 3_600_000
const MINUTE = 60_000

async function createTopic(kafka: Kafka, topic: string, configs: Record<string, string>, numPartitions = 1): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    assert.ok(await admin.createTopics({waitForLeaders: true, topics: [{topic, numPartitions, replicationFactor: 1,
      configEntries: Object.entries(configs).map(([name, value]) => ({name, value}))}]}))
  } finally {
    await admin.disconnect()
  }
}

async function listOffsets(bootstrap: string, topic: string, timestamp: number): Promise<{offset: number, timestamp: number}> {
  const admin = new PlatformaticAdmin({clientId: 'kts-validator-test', bootstrapBrokers: [bootstrap]})
  try {
    const [t] = await admin.listOffsets({topics: [{name: topic, partitions: [{partitionIndex: 0, timestamp: BigInt(timestamp)}]}]})
    const [p] = t.partitions
    return {offset: Number(p.offset), timestamp: Number(p.timestamp)}
  } finally {
    await admin.close()
  }
}

/** One Produce v9 request over a raw socket; returns the response. */
async function rawProduce(port: number, topics: {name: string, partition: number, records: Buffer}[]): Promise<ProduceResponse> {
  const s = await RawKafkaSocket.connect(port)
  try {
    const corr = s.sendRequest(PRODUCE, 9, (w) => writeProduceRequest(w, {
      transactionalId: null, acks: -1, timeoutMs: 10_000,
      topicData: topics.map((t) => ({name: t.name, partitionData: [{index: t.partition, records: t.records}]})),
    }, 9))
    return readProduceResponse(await s.readResponse(corr, PRODUCE, 9), 9)
  } finally {
    s.destroy()
  }
}

function recs(timestamps: number[], keyed = true): RecordInput[] {
  return timestamps.map((timestamp, i) => ({key: keyed ? Buffer.from(`k${i}`) : null, value: Buffer.from(`v${i}`), timestamp}))
}

describe('interop: LogValidator (max timestamp recomputed, keyless records on compacted topics refused)', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true, overrides: {'log.retention.check.interval.ms': 200, 'log.segment.delete.delay.ms': 0}})

  it('a batch with maxTimestamp -1 and one with a stale value: ListOffsets by timestamp and -3, and retention.ms, see the records\' timestamps', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const topic = uniqueTopic('validator-ts')
    // segment.bytes small: every batch gets its own segment, so retention decides per batch.
    await createTopic(kafka, topic, {'segment.bytes': '100'})
    const now = Date.now()
    const a = [now - 3 * HOUR, now - 150 * MINUTE, now - 2 * HOUR] // offsets 0-2, header maxTimestamp -1
    const bTs = [now - 30 * MINUTE, now - 20 * MINUTE] // offsets 3-4, header maxTimestamp stale (5 h ago)
    const c = [now - 25 * MINUTE] // offset 5, a correct header
    for (const [records, maxTimestamp] of [[recs(a), -1], [recs(bTs), now - 5 * HOUR], [recs(c), undefined]] as const) {
      const batch = encodeRecordBatch({records, ...(maxTimestamp === undefined ? {} : {maxTimestamp})})
      const res = await rawProduce(b.port, [{name: topic, partition: 0, records: batch}])
      assert.equal(res.responses[0].partitionResponses[0].errorCode, 0, JSON.stringify(res))
    }

    assert.deepEqual(await listOffsets(b.bootstrap, topic, now - 160 * MINUTE), {offset: 1, timestamp: a[1]}, 'by timestamp: inside the batch sent with -1')
    assert.deepEqual(await listOffsets(b.bootstrap, topic, now - 35 * MINUTE), {offset: 3, timestamp: bTs[0]}, 'by timestamp: inside the batch sent with a stale max')
    assert.deepEqual(await listOffsets(b.bootstrap, topic, -3), {offset: 4, timestamp: bTs[1]}, 'max timestamp (-3): the stale batch\'s real max')

    // retention.ms lowered live to 1 h: only the first batch (records up to 2 h old) goes.
    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.alterConfigs({validateOnly: false, resources: [{type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{name: 'retention.ms', value: String(HOUR)}]}]})
    } finally {
      await admin.disconnect()
    }
    await waitFor(async () => (await listOffsets(b.bootstrap, topic, -2)).offset === 3, {timeoutMs: 15_000, message: 'the log start offset to move to 3'})
    // Stable: the batches whose real timestamps are recent stay.
    await new Promise((r) => setTimeout(r, 600))
    assert.equal((await listOffsets(b.bootstrap, topic, -2)).offset, 3)
    assert.equal((await listOffsets(b.bootstrap, topic, -1)).offset, 6)
  })

  it('kcat (librdkafka) and kafkajs producing null keys to a compacted topic get INVALID_RECORD; keyed records are appended', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const topic = uniqueTopic('validator-compact')
    await createTopic(kafka, topic, {'cleanup.policy': 'compact'})

    const keyless = spawnSync('kcat', ['-P', '-b', b.bootstrap, '-t', topic, '-p', '0', '-X', 'message.send.max.retries=0'], {input: 'a\nb\n', encoding: 'utf8', timeout: 30_000})
    // librdkafka's text for INVALID_RECORD (87); kcat does not print the record errors themselves.
    assert.equal(keyless.stderr.match(/Delivery failed for message: Broker: Broker failed to validate record/g)?.length, 2, `kcat stderr: ${keyless.stderr}`)
    const keyed = spawnSync('kcat', ['-P', '-b', b.bootstrap, '-t', topic, '-p', '0', '-K', ':'], {input: 'k1:a\nk2:b\n', encoding: 'utf8', timeout: 30_000})
    assert.equal(keyed.status, 0, keyed.stderr)

    const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner, retry: {retries: 0}})
    await producer.connect()
    try {
      await assert.rejects(producer.send({topic, messages: [{key: 'k', value: 'x'}, {value: 'no key'}]}),
        (err: Error & {type?: string}) => err.type === 'INVALID_RECORD' || /INVALID_RECORD|invalid record/i.test(err.message))
      await producer.send({topic, messages: [{key: 'k3', value: 'c'}]})
    } finally {
      await producer.disconnect()
    }
    assert.equal((await listOffsets(b.bootstrap, topic, -1)).offset, 3, 'only the keyed records were appended')
  })

  it('raw Produce v9: RecordErrors and ErrorMessage for the compacted partition; another partition of the request is appended', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const compacted = uniqueTopic('validator-kip467')
    const plain = uniqueTopic('validator-plain')
    await createTopic(kafka, compacted, {'cleanup.policy': 'compact,delete'})
    await createTopic(kafka, plain, {})
    const now = Date.now()
    const keyless = encodeRecordBatch({records: [{key: Buffer.from('a'), value: Buffer.from('1'), timestamp: now}, ...recs([now, now], false)]})
    const res = await rawProduce(b.port, [{name: compacted, partition: 0, records: keyless}, {name: plain, partition: 0, records: encodeRecordBatch({records: recs([now], false)})}])
    const p = res.responses.find((t) => t.name === compacted)!.partitionResponses[0]
    const msg = `Compacted topic cannot accept message without key in topic partition ${compacted}-0.`
    assert.equal(p.errorCode, 87, 'INVALID_RECORD')
    assert.deepEqual(p.recordErrors, [{batchIndex: 1, batchIndexErrorMessage: msg}, {batchIndex: 2, batchIndexErrorMessage: msg}])
    assert.equal(p.errorMessage, 'One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: ' +
      `[RecordError(batchIndex=1, message='${msg}'), RecordError(batchIndex=2, message='${msg}')]`)
    const q = res.responses.find((t) => t.name === plain)!.partitionResponses[0]
    assert.equal(q.errorCode, 0)
    assert.equal(q.baseOffset, 0)
    assert.equal((await listOffsets(b.bootstrap, compacted, -1)).offset, 0, 'nothing of the refused batch was appended')
  })
})
