/**
 * Transactions with kafkajs against a real `kts server start` process: a consume-transform-produce
 * loop with `producer.transaction()`, `send` and `sendOffsets` per batch; its output, read with
 * read_committed (librdkafka, test/interop/py/txn_confluent.py, or kafkajs when Python is missing),
 * holds every input exactly once, and the group's committed offsets are the input's end offsets.
 * An aborted kafkajs transaction stays invisible to read_committed readers.
 */
import assert from 'node:assert/strict'
import type {Kafka} from 'kafkajs'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'
import {pythonHasModule} from './python-client.js'
import {readTopic} from './txn-check.js'

/** Values of every record of `topic` read by a kafkajs read_committed group consumer, once `expected` arrived and 500 ms passed quiet. */
async function kafkajsReadCommitted(kafka: Kafka, topic: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({groupId: uniqueTopic('txn-read'), readUncommitted: false, maxWaitTimeInMs: 200})
  const seen: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({eachMessage: async ({message}) => { seen.push(message.value!.toString()) }})
    await waitFor(() => seen.length >= expected, {timeoutMs: 30_000})
    const n = seen.length
    await new Promise(r => setTimeout(r, 500))
    assert.equal(seen.length, n)
  } finally {
    await consumer.disconnect()
  }
  return seen
}

describe('interop: transactions with kafkajs', function () {
  this.timeout(120_000)
  const suite = useBroker()

  it('consume-transform-produce with producer.transaction() and sendOffsets: exactly once', async () => {
    const kafka = kafkajsClient(suite.broker.bootstrap, 'txn-kafkajs')
    const src = uniqueTopic('kjs-in')
    const dst = uniqueTopic('kjs-out')
    await createTopic(suite.broker, src, 2)
    await createTopic(suite.broker, dst, 2)
    const seed = kafka.producer({transactionalId: 'kjs-seed', maxInFlightRequests: 1, idempotent: true})
    await seed.connect()
    const txn0 = await seed.transaction()
    await txn0.send({topic: src, messages: Array.from({length: 200}, (_, i) => ({key: `k${i}`, value: `v${i}`}))})
    await txn0.commit()
    await seed.disconnect()

    const group = uniqueTopic('kjs-group')
    const producer = kafka.producer({transactionalId: 'kjs-ctp', maxInFlightRequests: 1, idempotent: true})
    const consumer = kafka.consumer({groupId: group, readUncommitted: false, maxWaitTimeInMs: 200})
    await producer.connect()
    await consumer.connect()
    let done = 0
    try {
      await consumer.subscribe({topic: src, fromBeginning: true})
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({batch, heartbeat}) => {
          const msgs = batch.messages
          if (msgs.length === 0) return
          const txn = await producer.transaction()
          try {
            await txn.send({topic: dst, messages: msgs.map(m => ({key: m.key, value: `${m.value!.toString()}-out`}))})
            await txn.sendOffsets({consumerGroupId: group, topics: [{topic: batch.topic, partitions: [{partition: batch.partition, offset: String(Number(msgs[msgs.length - 1].offset) + 1)}]}]})
            await txn.commit()
          } catch (e) {
            await txn.abort()
            throw e
          }
          done += msgs.length
          await heartbeat()
        },
      })
      await waitFor(() => done >= 200, {timeoutMs: 40_000})
    } finally {
      await consumer.disconnect()
      await producer.disconnect()
    }
    const expected = Array.from({length: 200}, (_, i) => `v${i}-out`).sort()
    const out = await pythonHasModule('confluent_kafka')
      ? (await readTopic(suite.broker.bootstrap, dst, 'read_committed')).map(r => r.value)
      : await kafkajsReadCommitted(kafka, dst, 200)
    assert.deepEqual(out.sort(), expected)
    const admin = kafka.admin()
    await admin.connect()
    try {
      const offsets = await admin.fetchOffsets({groupId: group, topics: [src]})
      const ends = await admin.fetchTopicOffsets(src)
      // Each input partition ends with the seed transaction's COMMIT marker, after the last record consumed.
      for (const p of offsets[0].partitions) assert.equal(Number(p.offset) + 1, Number(ends.find(e => e.partition === p.partition)!.offset))
    } finally {
      await admin.disconnect()
    }
  })

  it('an aborted transaction is invisible to read_committed consumers', async () => {
    const kafka = kafkajsClient(suite.broker.bootstrap, 'txn-kafkajs-abort')
    const topic = uniqueTopic('kjs-abort')
    await createTopic(suite.broker, topic, 1)
    const producer = kafka.producer({transactionalId: 'kjs-abort', maxInFlightRequests: 1, idempotent: true})
    await producer.connect()
    try {
      const t1 = await producer.transaction()
      await t1.send({topic, messages: [{value: 'aborted-1'}, {value: 'aborted-2'}]})
      await t1.abort()
      const t2 = await producer.transaction()
      await t2.send({topic, messages: [{value: 'kept-1'}]})
      await t2.commit()
    } finally {
      await producer.disconnect()
    }
    assert.deepEqual(await kafkajsReadCommitted(kafka, topic, 1), ['kept-1'])
  })
})
