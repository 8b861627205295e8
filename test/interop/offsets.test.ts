/**
 * ListOffsets and DeleteRecords against a real `kts server start` process (issue 1, "APIs"):
 * - @platformatic/kafka's admin `listOffsets` with EARLIEST (-2), LATEST (-1), MAX_TIMESTAMP (-3,
 *   KIP-734: the offset of the record with the largest timestamp) and a plain timestamp (the first
 *   offset whose timestamp is at or after it);
 * - kafkajs' `admin.deleteTopicRecords` (DeleteRecords) moves the log start offset, reads start
 *   there, and the start offset survives a clean restart (log-start-offset-checkpoint) and a SIGKILL.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Admin as PlatformaticAdmin} from '@platformatic/kafka'
import {Partitioners, type Kafka} from 'kafkajs'
import {createTopic, kafkajsClient, readOffsetsFromStart, uniqueTopic, useBroker} from './interop-check.js'

const T0 = 1_700_000_000_000
/**
 * Record timestamps of partition 0 in offset order, sent as five batches of two: not monotonic, and
 * the largest is the first record of its batch, so record-level answers differ from batch-level ones.
 */
const TIMESTAMPS = [0, 10, 90, 20, 30, 40, 50, 60, 70, 80].map((d) => T0 + d * 1000)

async function produce(kafka: Kafka, topic: string): Promise<void> {
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner})
  await producer.connect()
  try {
    for (let i = 0; i < TIMESTAMPS.length; i += 2) { // five batches of two records
      await producer.send({topic, acks: -1, messages: TIMESTAMPS.slice(i, i + 2).map((ts, j) => ({partition: 0, value: `r${i + j}`, timestamp: String(ts)}))})
    }
  } finally {
    await producer.disconnect()
  }
}

async function listOffsets(bootstrap: string, topic: string, timestamp: bigint): Promise<{offset: number, timestamp: number}> {
  const admin = new PlatformaticAdmin({clientId: 'kts-offsets-test', bootstrapBrokers: [bootstrap]})
  try {
    const [t] = await admin.listOffsets({topics: [{name: topic, partitions: [{partitionIndex: 0, timestamp}]}]})
    const [p] = t.partitions
    return {offset: Number(p.offset), timestamp: Number(p.timestamp)}
  } finally {
    await admin.close()
  }
}

describe('interop: ListOffsets (earliest, latest, timestamp, max timestamp) and DeleteRecords', function () {
  this.timeout(60_000)
  const suite = useBroker()

  it('@platformatic/kafka listOffsets: earliest, latest, max timestamp and by timestamp', async () => {
    const b = suite.broker
    const topic = uniqueTopic('list-offsets')
    await createTopic(b, topic, 1)
    const empty = await listOffsets(b.bootstrap, topic, -3n)
    assert.equal(empty.offset, -1, 'MAX_TIMESTAMP of an empty partition: offset -1')
    await produce(kafkajsClient(b.bootstrap), topic)

    assert.equal((await listOffsets(b.bootstrap, topic, -2n)).offset, 0)
    assert.equal((await listOffsets(b.bootstrap, topic, -1n)).offset, 10)
    assert.deepEqual(await listOffsets(b.bootstrap, topic, -3n), {offset: 2, timestamp: T0 + 90_000}, 'MAX_TIMESTAMP: the record, not its batch\'s last offset')
    // By timestamp: the first record (in offset order) whose timestamp is at or after it.
    assert.deepEqual(await listOffsets(b.bootstrap, topic, BigInt(T0)), {offset: 0, timestamp: T0})
    assert.deepEqual(await listOffsets(b.bootstrap, topic, BigInt(T0 + 5_000)), {offset: 1, timestamp: T0 + 10_000}, 'the record, not its batch')
    assert.deepEqual(await listOffsets(b.bootstrap, topic, BigInt(T0 + 15_000)), {offset: 2, timestamp: T0 + 90_000})
    assert.deepEqual(await listOffsets(b.bootstrap, topic, BigInt(T0 + 85_000)), {offset: 2, timestamp: T0 + 90_000})
    assert.equal((await listOffsets(b.bootstrap, topic, BigInt(T0 + 91_000))).offset, -1, 'no record at or after: offset -1')
  })

  it('kafkajs deleteTopicRecords moves the log start offset; it survives SIGTERM (checkpoint) and SIGKILL', async () => {
    const b = suite.broker
    const topic = uniqueTopic('delete-records')
    await createTopic(b, topic, 1)
    const kafka = kafkajsClient(b.bootstrap)
    await produce(kafka, topic)

    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.fetchTopicMetadata({topics: [topic]}) // kafkajs needs the topic's metadata loaded before deleteTopicRecords
      await admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: '5'}]})
      const [p] = await admin.fetchTopicOffsets(topic)
      assert.deepEqual([p.low, p.high], ['5', '10'])
      await assert.rejects(admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: '11'}]}),
        (err: Error & {cause?: {partitions?: {error?: {type?: string}}[]}}) => err.cause?.partitions?.[0]?.error?.type === 'OFFSET_OUT_OF_RANGE')
      await admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: '-1'}]}) // -1: up to the high watermark
      const [q] = await admin.fetchTopicOffsets(topic)
      assert.deepEqual([q.low, q.high], ['10', '10'])
    } finally {
      await admin.disconnect()
    }
    assert.equal((await listOffsets(b.bootstrap, topic, -2n)).offset, 10)

    const topic2 = uniqueTopic('delete-records-read')
    await createTopic(b, topic2, 1)
    await produce(kafka, topic2)
    const admin2 = kafka.admin()
    await admin2.connect()
    try {
      await admin2.fetchTopicMetadata({topics: [topic2]})
      await admin2.deleteTopicRecords({topic: topic2, partitions: [{partition: 0, offset: '3'}]})
    } finally {
      await admin2.disconnect()
    }
    assert.deepEqual(await readOffsetsFromStart(kafka, topic2, 7, 'offsets-group'), [3, 4, 5, 6, 7, 8, 9])

    if (b.external) return
    await b.stop()
    const lines = fs.readFileSync(path.join(b.logDir, 'log-start-offset-checkpoint'), 'utf8').split('\n')
    assert.ok(lines.includes(`${topic2} 0 3`), `log-start-offset-checkpoint has ${topic2} 0 3:\n${lines.join('\n')}`)
    assert.ok(lines.includes(`${topic} 0 10`))
    await b.restart()
    assert.equal((await listOffsets(b.bootstrap, topic2, -2n)).offset, 3, 'after a clean restart')
    await b.kill()
    await b.restart()
    assert.equal((await listOffsets(b.bootstrap, topic2, -2n)).offset, 3, 'after SIGKILL and restart')
    assert.equal((await listOffsets(b.bootstrap, topic, -2n)).offset, 10, 'after SIGKILL and restart')
  })
})
