/**
 * The topic config `compression.type` against a real `kts server start` process (Kafka
 * `LogValidator`): batches whose codec differs from the topic's are recompressed before they are
 * stored — checked in the partition's segment file — and read back unchanged by the clients;
 * `producer` keeps what was sent; a config change applies to the next batches. Producers:
 * kafkajs (idempotent, acks=-1) and kcat (librdkafka, idempotent, lz4).
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import kafkajs, {CompressionTypes, Partitioners, type Kafka} from 'kafkajs'

// Not a named export node's ESM loader can see in kafkajs' CommonJS build.
const {ConfigResourceTypes} = kafkajs
import type {BrokerHandle} from '../helpers/broker-process.js'
import {runProcessOk} from '../helpers/run-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

/** Codec id (attributes & 7) of every batch in `<logDir>/<topic>-0/00000000000000000000.log`. */
function storedCodecs(b: BrokerHandle, topic: string): number[] {
  const buf = fs.readFileSync(path.join(b.logDir, `${topic}-0`, '00000000000000000000.log'))
  const out: number[] = []
  for (let p = 0; p + 23 <= buf.length; p += buf.readInt32BE(p + 8) + 12) out.push(buf.readInt16BE(p + 21) & 7)
  return out
}

async function createTopic(kafka: Kafka, topic: string, compressionType: string): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    assert.ok(await admin.createTopics({waitForLeaders: true, topics: [{topic, numPartitions: 1, replicationFactor: 1,
      configEntries: [{name: 'compression.type', value: compressionType}]}]}))
  } finally {
    await admin.disconnect()
  }
}

/** Three produce requests (one batch each) of `values`, idempotent, acks=-1. */
async function produce(kafka: Kafka, topic: string, values: string[], compression: CompressionTypes): Promise<void> {
  const producer = kafka.producer({idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner})
  await producer.connect()
  try {
    for (let i = 0; i < values.length; i += Math.ceil(values.length / 3)) {
      await producer.send({topic, acks: -1, compression, messages: values.slice(i, i + Math.ceil(values.length / 3)).map((value, j) => ({key: `k${j}`, value, headers: {h: 'x'}}))})
    }
  } finally {
    await producer.disconnect()
  }
}

async function consume(kafka: Kafka, topic: string, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({groupId: uniqueTopic('compression-group'), maxWaitTimeInMs: 200})
  const read: {offset: number, value: string}[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({eachMessage: async ({message}) => {
      assert.equal(message.headers?.h?.toString(), 'x')
      read.push({offset: Number(message.offset), value: message.value!.toString()})
    }})
    await waitFor(() => read.length >= expected, {timeoutMs: 15_000, message: () => `${expected} records (have ${read.length})`})
  } finally {
    await consumer.disconnect()
  }
  return read.sort((a, b) => a.offset - b.offset).map((r) => `${r.offset}:${r.value}`)
}

const values = (p: string, n: number): string[] => Array.from({length: n}, (_, i) => `${p}-${i}-${'payload'.repeat(10)}`)
const numbered = (vs: string[], from = 0): string[] => vs.map((v, i) => `${from + i}:${v}`)

describe('interop: topic compression.type recompresses produced batches', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true}) // reads the broker's segment files

  it('gzip topic: uncompressed kafkajs batches are stored gzip; a change to uncompressed (AlterConfigs) applies to the next batches', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const topic = uniqueTopic('gzip-topic')
    await createTopic(kafka, topic, 'gzip')
    const first = values('a', 30)
    await produce(kafka, topic, first, CompressionTypes.None)
    assert.deepEqual(storedCodecs(b, topic), [1, 1, 1])
    assert.deepEqual(await consume(kafka, topic, 30), numbered(first))

    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.alterConfigs({validateOnly: false, resources: [{type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{name: 'compression.type', value: 'uncompressed'}]}]})
    } finally {
      await admin.disconnect()
    }
    const second = values('b', 30)
    await produce(kafka, topic, second, CompressionTypes.GZIP)
    assert.deepEqual(storedCodecs(b, topic), [1, 1, 1, 0, 0, 0])
    assert.deepEqual(await consume(kafka, topic, 60), [...numbered(first), ...numbered(second, 30)])
  })

  it('producer (the default) keeps the producer\'s codec', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const topic = uniqueTopic('producer-topic')
    await createTopic(kafka, topic, 'producer')
    await produce(kafka, topic, values('p', 3), CompressionTypes.None)
    await produce(kafka, topic, values('q', 3), CompressionTypes.GZIP)
    assert.deepEqual(storedCodecs(b, topic), [0, 0, 0, 1, 1, 1])
  })

  it('producer topic: kcat\'s lz4 batches arrive and stay lz4 (Produce advertised from v0, KAFKA-18659)', async function () {
    try {
      await runProcessOk('kcat', ['-V'], {timeoutMs: 5000})
    } catch {
      this.skip() // kcat not installed (.ci/run installs it)
    }
    // librdkafka < 2.11.1 sends gzip/snappy/lz4 batches uncompressed unless ApiVersions lists Produce from v0.
    const b = suite.broker
    const topic = uniqueTopic('producer-lz4-topic')
    await createTopic(kafkajsClient(b.bootstrap), topic, 'producer')
    await runProcessOk('kcat', ['-P', '-b', b.bootstrap, '-t', topic, '-z', 'lz4'], {input: values('l', 50).join('\n') + '\n', timeoutMs: 30_000})
    const codecs = storedCodecs(b, topic)
    assert.ok(codecs.length > 0 && codecs.every((c) => c === 3), `stored codecs ${codecs.join(',')}`)
  })

  it('zstd topic: kcat\'s idempotent lz4 batches are stored zstd and read back by kcat', async function () {
    try {
      await runProcessOk('kcat', ['-V'], {timeoutMs: 5000})
    } catch {
      this.skip() // kcat not installed (.ci/run installs it)
    }
    const b = suite.broker
    const topic = uniqueTopic('zstd-topic')
    await createTopic(kafkajsClient(b.bootstrap), topic, 'zstd')
    const sent = values('z', 200)
    await runProcessOk('kcat', ['-P', '-b', b.bootstrap, '-t', topic, '-z', 'lz4', '-X', 'enable.idempotence=true', '-X', 'acks=all'], {input: sent.join('\n') + '\n', timeoutMs: 30_000})
    const codecs = storedCodecs(b, topic)
    assert.ok(codecs.length > 0 && codecs.every((c) => c === 4), `stored codecs ${codecs.join(',')}`)
    const {stdout} = await runProcessOk('kcat', ['-C', '-b', b.bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o:%s\n'], {timeoutMs: 30_000})
    assert.deepEqual(stdout.trimEnd().split('\n'), numbered(sent))
  })
})
