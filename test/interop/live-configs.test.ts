/**
 * Config changes apply at once and survive restarts (issue 11, acceptance 4), in a real
 * `kts server start` process, through kafkajs' AlterConfigs:
 * - retention.ms lowered on a running topic deletes its old segments within one
 *   log.retention.check.interval.ms (200 ms here);
 * - segment.bytes lowered makes the next appends roll at the new size;
 * - a per-broker dynamic config (log.retention.ms on resource `1`) applies to topics
 *   without their own value;
 * - after a restart (the ConfigRecords replayed from the metadata log) the values are still
 *   described and still applied.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Admin as PlatformaticAdmin} from '@platformatic/kafka'
import kafkajs, {Partitioners, type Kafka} from 'kafkajs'
import type {BrokerHandle} from '../helpers/broker-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

const {ConfigResourceTypes} = kafkajs

function segments(b: BrokerHandle, topic: string): {base: number, size: number}[] {
  const dir = path.join(b.logDir, `${topic}-0`)
  return fs.readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort()
    .map((f) => ({base: Number(f.slice(0, 20)), size: fs.statSync(path.join(dir, f)).size}))
}

async function produce(kafka: Kafka, topic: string, batches: number, timestamp?: number): Promise<void> {
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner})
  await producer.connect()
  try {
    for (let i = 0; i < batches; i++) {
      await producer.send({topic, acks: -1, messages: Array.from({length: 5}, (_, j) => ({
        value: `${i}-${j}-${'x'.repeat(90)}`, ...(timestamp === undefined ? {} : {timestamp: String(timestamp)}),
      }))})
    }
  } finally {
    await producer.disconnect()
  }
}

async function withAdmin<T>(kafka: Kafka, fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.disconnect()
  }
}

async function lowOffset(kafka: Kafka, topic: string): Promise<number> {
  return withAdmin(kafka, async (admin) => Number((await admin.fetchTopicOffsets(topic))[0].low))
}

async function describeConfig(kafka: Kafka, type: number, name: string, keys: string[]): Promise<Map<string, {value: string, source: number}>> {
  return withAdmin(kafka, async (admin) => {
    const r = await admin.describeConfigs({includeSynonyms: false, resources: [{type, name, configNames: keys}]})
    return new Map(r.resources[0].configEntries.map((e) => [e.configName, {value: e.configValue, source: (e as unknown as {configSource: number}).configSource}]))
  })
}

describe('interop: live topic and broker configs (applied at once, kept across restarts)', function () {
  this.timeout(90_000)
  const suite = useBroker({ownBroker: true, overrides: {'log.retention.check.interval.ms': 200, 'log.segment.delete.delay.ms': 0}})

  it('retention.ms and segment.bytes lowered on running topics, a dynamic broker log.retention.ms, all kept after a restart', async () => {
    const b = suite.broker
    const kafka = kafkajsClient(b.bootstrap)
    const kept = uniqueTopic('live-retention')
    const rolled = uniqueTopic('live-segment')
    const byDefault = uniqueTopic('live-default')
    await withAdmin(kafka, (admin) => admin.createTopics({waitForLeaders: true, topics: [kept, rolled, byDefault].map((topic) => ({topic, numPartitions: 1, replicationFactor: 1}))}))
    const hourAgo = Date.now() - 3_600_000
    await produce(kafka, kept, 4, hourAgo)
    await produce(kafka, byDefault, 4, hourAgo)
    await produce(kafka, rolled, 2)
    assert.equal(segments(b, rolled).length, 1)
    assert.equal(await lowOffset(kafka, kept), 0, 'an hour-old record is within the default 7 days')

    // Topic configs: retention.ms 10 min on one topic, segment.bytes 1000 on another.
    await withAdmin(kafka, (admin) => admin.alterConfigs({validateOnly: false, resources: [
      {type: ConfigResourceTypes.TOPIC, name: kept, configEntries: [{name: 'retention.ms', value: '600000'}]},
      {type: ConfigResourceTypes.TOPIC, name: rolled, configEntries: [{name: 'segment.bytes', value: '1000'}]},
    ]}))
    await waitFor(async () => (await lowOffset(kafka, kept)) === 20, {timeoutMs: 10_000, message: () => `retention of ${kept}: segments ${JSON.stringify(segments(b, kept))}`})
    assert.equal(await lowOffset(kafka, byDefault), 0, 'the topic without the override keeps its records')
    await produce(kafka, rolled, 6)
    const segs = segments(b, rolled)
    assert.ok(segs.length >= 4, `segment.bytes=1000 rolls every two ~600-byte batches: ${JSON.stringify(segs)}`)
    for (const s of segs.slice(1, -1)) assert.ok(s.size <= 1000, `a segment past the change holds at most segment.bytes: ${JSON.stringify(segs)}`)

    // A dynamic per-broker config (IncrementalAlterConfigs through @platformatic/kafka; the cluster
    // default `--entity-default` is covered by test/cli/configs.test.ts): the topic without an override follows it.
    const pAdmin = new PlatformaticAdmin({clientId: 'kts-live-configs', bootstrapBrokers: [b.bootstrap]})
    try {
      await pAdmin.incrementalAlterConfigs({resources: [{resourceType: 4, resourceName: '1', configs: [{name: 'log.retention.ms', configOperation: 0, value: '600000'}]}]})
    } finally {
      await pAdmin.close()
    }
    await waitFor(async () => (await lowOffset(kafka, byDefault)) === 20, {timeoutMs: 10_000, message: `retention of ${byDefault} by the broker's dynamic log.retention.ms`})

    // After a restart the metadata log still holds them: described and applied.
    await b.restart()
    const topicCfg = await describeConfig(kafka, ConfigResourceTypes.TOPIC, rolled, ['segment.bytes'])
    assert.deepEqual(topicCfg.get('segment.bytes'), {value: '1000', source: 1})
    const byDefaultCfg = await describeConfig(kafka, ConfigResourceTypes.TOPIC, byDefault, ['retention.ms'])
    assert.deepEqual(byDefaultCfg.get('retention.ms'), {value: '600000', source: 2})
    const before = segments(b, rolled).length
    await produce(kafka, rolled, 4)
    assert.ok(segments(b, rolled).length >= before + 2, `still rolling at 1000 bytes after the restart: ${JSON.stringify(segments(b, rolled))}`)
    await produce(kafka, byDefault, 2, hourAgo)
    await waitFor(async () => (await lowOffset(kafka, byDefault)) === 30, {timeoutMs: 10_000, message: `retention of ${byDefault} after the restart`})
  })
})
