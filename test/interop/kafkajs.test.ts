/**
 * Interop with kafkajs 2.x against a real `kts server start` process: idempotent producer with
 * acks=-1, consumer group reading from the beginning; then SIGKILL, restart, read everything again.
 */
import {Partitioners, type Kafka} from 'kafkajs'
import {waitFor} from '../helpers/wait-for.js'
import {assertSameRecords, checkReadBack, createTopic, kafkajsClient, makeRecords, uniqueTopic, type ReadRecord, type TestRecord, useBroker} from './interop-check.js'

async function produceAll(kafka: Kafka, topic: string, records: TestRecord[]): Promise<void> {
  const producer = kafka.producer({idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner})
  await producer.connect()
  try {
    for (let i = 0; i < records.length; i += 50) { // several produce requests, several batches per partition
      await producer.send({topic, acks: -1, messages: records.slice(i, i + 50).map((r) => ({key: r.key, value: r.value}))})
    }
  } finally {
    await producer.disconnect()
  }
}

async function consumeAll(kafka: Kafka, topic: string, expected: number): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({groupId: uniqueTopic('kafkajs-group'), sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200})
  const read: ReadRecord[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({
      eachMessage: async ({partition, message}) => {
        read.push({partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null})
      },
    })
    await waitFor(() => read.length >= expected, {timeoutMs: 30_000, message: () => `${expected} records (have ${read.length})`})
  } finally {
    await consumer.disconnect()
  }
  return read
}

describe('interop: kafkajs', function () {
  this.timeout(90_000)
  const suite = useBroker()

  it('produces 300 keyed records (idempotent, acks=-1), reads each once in order, and again after SIGKILL + restart', async function () {
    const b = suite.broker
    const topic = uniqueTopic('kafkajs')
    const partitions = await createTopic(b, topic, 3)
    const records = makeRecords(300)
    const kafka = kafkajsClient(b.bootstrap)
    await produceAll(kafka, topic, records)
    const first = checkReadBack(records, await consumeAll(kafka, topic, records.length), partitions)

    if (b.external) return // KTS_TEST_BOOTSTRAP: cannot restart someone else's cluster
    await b.kill()
    await b.restart()
    const again = checkReadBack(records, await consumeAll(kafkajsClient(b.bootstrap), topic, records.length), partitions)
    assertSameRecords(first, again)
  })
})
