/**
 * The log cleaner's worker thread starts wherever the broker code runs: `import {startKafka} from
 * 'kts'` in this process (the tsc output, `dist/src/server/log/cleaner/cleaner-worker.js` beside
 * its caller) and in a child process (`dist/src/embedded/node-main.js`, an esbuild bundle: the
 * worker script is found above the bundle). `kts server start` (also a bundle) is covered by
 * test/interop/compaction.test.ts. A compacted topic with small segments gets cleaned: the
 * cleaner-offset-checkpoint names it and its partition shrinks.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Kafka, Partitioners, logLevel} from 'kafkajs'
import {startKafka, type KafkaCluster, type KafkaMode} from 'kts'
import {waitFor} from '../helpers/wait-for.js'

const TOPIC = 'compacted'

function partitionBytes(dir: string): number {
  return fs.readdirSync(dir).filter(f => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)
}

function checkpointed(logDir: string): number {
  const file = path.join(logDir, 'cleaner-offset-checkpoint')
  if (!fs.existsSync(file)) return -1
  const line = fs.readFileSync(file, 'utf8').split('\n').find(l => l.startsWith(`${TOPIC} 0 `))
  return line ? Number(line.split(' ')[2]) : -1
}

describe('log cleaner thread under startKafka()', function () {
  this.timeout(60_000)
  let kafka: KafkaCluster | undefined
  afterEach(async () => { await kafka?.stop(); kafka = undefined })

  for (const mode of ['in-process', 'child-process'] as KafkaMode[]) {
    it(`${mode}: a compacted topic is cleaned`, async () => {
      kafka = await startKafka({mode, config: {'log.cleaner.backoff.ms': 100}})
      const client = new Kafka({clientId: 'cleaner-test', brokers: [...kafka.brokers], logLevel: logLevel.NOTHING})
      const admin = client.admin()
      await admin.connect()
      try {
        await admin.createTopics({waitForLeaders: true, topics: [{topic: TOPIC, numPartitions: 1, replicationFactor: 1, configEntries: [
          {name: 'cleanup.policy', value: 'compact'}, {name: 'segment.bytes', value: '4096'}, {name: 'min.cleanable.dirty.ratio', value: '0.01'},
        ]}]})
      } finally {
        await admin.disconnect()
      }
      const producer = client.producer({createPartitioner: Partitioners.DefaultPartitioner})
      await producer.connect()
      try {
        // 10 rounds over 10 keys, then filler so that they lie below the active segment
        for (let r = 0; r < 10; r++) await producer.send({topic: TOPIC, acks: -1, messages: Array.from({length: 10}, (_, k) => ({key: `k${k}`, value: `${r}:${'v'.repeat(200)}`}))})
        for (let i = 0; i < 3; i++) await producer.send({topic: TOPIC, acks: -1, messages: [{key: 'filler', value: 'f'.repeat(3000)}]})
      } finally {
        await producer.disconnect()
      }
      const logDir = kafka.nodes[0].logDirs[0]
      const end = await waitFor(() => { const c = checkpointed(logDir); return c >= 100 ? c : null }, {timeoutMs: 20_000, message: 'a cleaner pass over the topic'})
      assert.ok(end >= 100)
      // 100 records of ~210 B were written; the cleaned part keeps one per key
      assert.ok(partitionBytes(path.join(logDir, `${TOPIC}-0`)) < 100 * 210, 'the partition shrank')
    })
  }
})
