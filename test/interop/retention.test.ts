/**
 * Segment roll and retention in a running `kts server start` process (issue 1, "Log"): a topic with
 * a small `segment.bytes` rolls into segments named by their 20-digit base offset; with
 * `log.retention.check.interval.ms` short, `retention.bytes` and `retention.ms` delete whole old
 * segments (Kafka `UnifiedLog.deleteOldSegments`), and the log start offset that ListOffsets
 * (earliest) reports advances to the first remaining segment's base offset.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Partitioners, type Kafka} from 'kafkajs'
import type {BrokerHandle} from '../helpers/broker-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {kafkajsClient, readOffsetsFromStart, uniqueTopic, useBroker} from './interop-check.js'

/** Base offsets of the live `.log` segments of `<logDir>/<topic>-0`, checking Kafka's 20-digit names. */
function segments(b: BrokerHandle, topic: string): number[] {
  const names = fs.readdirSync(path.join(b.logDir, `${topic}-0`)).filter((f) => f.endsWith('.log'))
  for (const n of names) assert.match(n, /^\d{20}\.log$/)
  return names.map((n) => Number(n.slice(0, 20))).sort((x, y) => x - y)
}

async function createTopic(kafka: Kafka, topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    assert.ok(await admin.createTopics({waitForLeaders: true, topics: [{topic, numPartitions: 1, replicationFactor: 1,
      configEntries: Object.entries(configs).map(([name, value]) => ({name, value}))}]}))
  } finally {
    await admin.disconnect()
  }
}

/** 20 produce requests of 5 records of ~100 bytes, acks=-1; `timestamp` (ms) for every record when given. */
async function produce(kafka: Kafka, topic: string, timestamp?: number): Promise<void> {
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner})
  await producer.connect()
  try {
    for (let i = 0; i < 20; i++) {
      await producer.send({topic, acks: -1, messages: Array.from({length: 5}, (_, j) => ({
        value: `${String(i * 5 + j).padStart(4, '0')}-${'x'.repeat(90)}`,
        ...(timestamp === undefined ? {} : {timestamp: String(timestamp)}),
      }))})
    }
  } finally {
    await producer.disconnect()
  }
}

/** ListOffsets earliest and latest of partition 0 through kafkajs. */
async function offsets(kafka: Kafka, topic: string): Promise<{low: number, high: number}> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const [p] = await admin.fetchTopicOffsets(topic)
    return {low: Number(p.low), high: Number(p.high)}
  } finally {
    await admin.disconnect()
  }
}

describe('interop: segment roll and retention in a running broker', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true, overrides: {'log.retention.check.interval.ms': 200}}) // needs the broker's files and retention interval

  it('segment.bytes rolls 20-digit segments; retention.bytes deletes the oldest and advances the log start offset', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const topic = uniqueTopic('retention-bytes')
    await createTopic(kafka, topic, {'segment.bytes': '1500', 'retention.bytes': '3000'})
    await produce(kafka, topic)

    // Each produce request is one batch of ~600 bytes: two batches fill a 1500-byte segment. Kafka
    // deletes the oldest segments while the log stays at least retention.bytes large without them.
    const dir = path.join(b.logDir, `${topic}-0`)
    const sizeOf = (base: number): number => fs.statSync(path.join(dir, `${String(base).padStart(20, '0')}.log`)).size
    const {segs, o, bytes} = await waitFor(async () => {
      const segs = segments(b, topic)
      const bytes = segs.reduce((n, s) => n + sizeOf(s), 0)
      const o = await offsets(kafka, topic)
      return segs[0] > 0 && o.low === segs[0] && bytes - sizeOf(segs[0]) < 3000 ? {segs, o, bytes} : false
    }, {timeoutMs: 15_000, message: () => `retention of ${topic}: segments ${segments(b, topic).map((s) => `${s}:${sizeOf(s)}`).join(',')}`})
    assert.equal(o.high, 100)
    assert.ok(segs.length >= 2, `several segments remain: ${segs.join(',')}`)
    for (let i = 1; i < segs.length; i++) assert.ok(segs[i] > segs[i - 1])
    assert.ok(bytes >= 3000, `at least retention.bytes remain (${bytes})`)
    for (const s of segs) {
      for (const ext of ['.index', '.timeindex']) assert.ok(fs.existsSync(path.join(dir, `${String(s).padStart(20, '0')}${ext}`)), `${s}${ext}`)
    }
    assert.match(b.output(), new RegExp(`Deleted \\d+ segment\\(s\\) of ${topic}-0 by retention; log start offset ${o.low}`))

    // What remains is readable from the new log start offset.
    const read = await readOffsetsFromStart(kafka, topic, 100 - o.low, 'retention-group')
    assert.deepEqual(read, Array.from({length: 100 - o.low}, (_, i) => o.low + i))
  })

  it('retention.ms deletes segments whose records are older, rolling the active one; new records go to a segment named by the log end offset', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const topic = uniqueTopic('retention-ms')
    await createTopic(kafka, topic, {'segment.bytes': '1500', 'retention.ms': '600000'})
    await produce(kafka, topic, Date.now() - 3_600_000) // all an hour old

    await waitFor(async () => (await offsets(kafka, topic)).low === 100, {timeoutMs: 15_000,
      message: () => `log start offset 100 for ${topic}: segments ${segments(b, topic).join(',')}`})
    assert.deepEqual(segments(b, topic), [100], 'only the rolled, empty segment 00000000000000000100.log remains')
    assert.deepEqual(await offsets(kafka, topic), {low: 100, high: 100})

    await produce(kafka, topic) // now: kept
    assert.deepEqual(await offsets(kafka, topic), {low: 100, high: 200})
    assert.equal(segments(b, topic)[0], 100)
  })
})
