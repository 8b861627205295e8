/**
 * Interop with @platformatic/kafka 1.35 (pure-JS client) against a real `kts server start` process:
 * idempotent producer with acks=-1, consumer group stream from the earliest offset; then SIGKILL,
 * restart, read everything again.
 */
import {Consumer, Producer, stringDeserializers, stringSerializers} from '@platformatic/kafka'
import {waitFor} from '../helpers/wait-for.js'
import {assertSameRecords, checkReadBack, createTopic, makeRecords, uniqueTopic, type ReadRecord, type TestRecord, useBroker} from './interop-check.js'

async function produceAll(bootstrap: string, topic: string, records: TestRecord[]): Promise<void> {
  const producer = new Producer({
    clientId: 'kts-interop-platformatic',
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    retries: 5,
  })
  try {
    for (let i = 0; i < records.length; i += 50) {
      await producer.send({messages: records.slice(i, i + 50).map((r) => ({topic, key: r.key, value: r.value}))})
    }
  } finally {
    await producer.close()
  }
}

async function consumeAll(bootstrap: string, topic: string, expected: number): Promise<ReadRecord[]> {
  const consumer = new Consumer({
    groupId: uniqueTopic('platformatic-group'),
    clientId: 'kts-interop-platformatic',
    bootstrapBrokers: [bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  })
  const read: ReadRecord[] = []
  try {
    const stream = await consumer.consume({topics: [topic], mode: 'earliest', autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 500})
    stream.on('data', (m) => {
      read.push({partition: m.partition, offset: Number(m.offset), key: m.key ?? null, value: m.value ?? null})
    })
    let streamError: Error | undefined
    stream.on('error', (err: Error) => (streamError = err))
    await waitFor(() => {
      if (streamError) throw streamError
      return read.length >= expected
    }, {timeoutMs: 30_000, message: () => `${expected} records (have ${read.length}${streamError ? `, stream error: ${streamError.message}` : ''})`})
  } finally {
    await consumer.close(true)
  }
  return read
}

describe('interop: @platformatic/kafka', function () {
  this.timeout(90_000)
  const suite = useBroker()

  it('produces 300 keyed records (idempotent, acks=-1), reads each once in order, and again after SIGKILL + restart', async function () {
    const b = suite.broker
    const topic = uniqueTopic('platformatic')
    const partitions = await createTopic(b, topic, 3)
    const records = makeRecords(300)
    await produceAll(b.bootstrap, topic, records)
    const first = checkReadBack(records, await consumeAll(b.bootstrap, topic, records.length), partitions)

    if (b.external) return
    await b.kill()
    await b.restart()
    const again = checkReadBack(records, await consumeAll(b.bootstrap, topic, records.length), partitions)
    assertSameRecords(first, again)
  })
})
