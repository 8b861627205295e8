/**
 * The checkpoint files and topic deletion of a real `kts server start` process, written off the
 * event loop (issue 11, acceptance 7): with short checkpoint intervals, the periodic tasks write
 * `replication-offset-checkpoint` and `log-start-offset-checkpoint` (kafkajs produce and
 * deleteTopicRecords) on the thread pool; a kafkajs deleteTopics removes the partition directories
 * (renamed `-delete`, then removed in the background); a SIGTERM stop waits for the writes in flight
 * and leaves no `.tmp` file.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Partitioners} from 'kafkajs'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

describe('interop: checkpoint files and topic deletion off the event loop', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true, overrides: {
    'replica.high.watermark.checkpoint.interval.ms': 100,
    'log.flush.offset.checkpoint.interval.ms': 100,
    'log.flush.start.offset.checkpoint.interval.ms': 100,
  }})

  it('periodic checkpoints follow produce and DeleteRecords; deleted topics leave no directory; SIGTERM leaves no .tmp', async () => {
    const b = suite.broker
    const topic = uniqueTopic('ckpt')
    await createTopic(b, topic, 2)
    const kafka = kafkajsClient(b.bootstrap)
    const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner})
    await producer.connect()
    try {
      for (let i = 0; i < 5; i++) await producer.send({topic, acks: -1, messages: [{partition: 0, value: `a${i}`}, {partition: 0, value: `b${i}`}]})
    } finally {
      await producer.disconnect()
    }
    const lines = (name: string): string[] => fs.readFileSync(path.join(b.logDir, name), 'utf8').split('\n')
    await waitFor(() => lines('replication-offset-checkpoint').includes(`${topic} 0 10`), {message: () => `high watermark 10 in replication-offset-checkpoint:\n${lines('replication-offset-checkpoint').join('\n')}`})
    assert.ok(lines('replication-offset-checkpoint').includes(`${topic} 1 0`))

    const admin = kafka.admin()
    await admin.connect()
    try {
      await admin.fetchTopicMetadata({topics: [topic]})
      await admin.deleteTopicRecords({topic, partitions: [{partition: 0, offset: '4'}]})
      await waitFor(() => lines('log-start-offset-checkpoint').includes(`${topic} 0 4`), {message: 'log start offset 4 in log-start-offset-checkpoint'})

      const other = uniqueTopic('ckpt-kept')
      await createTopic(b, other, 1)
      await admin.deleteTopics({topics: [topic], timeout: 10_000})
      const dirsOf = (t: string): string[] => fs.readdirSync(b.logDir).filter(n => n.startsWith(`${t}-`))
      await waitFor(() => dirsOf(topic).length === 0, {message: () => `no directory of ${topic} left: ${dirsOf(topic).join(', ')}`})
      assert.deepEqual(dirsOf(other), [`${other}-0`])
      await waitFor(() => !lines('replication-offset-checkpoint').some(l => l.startsWith(`${topic} `)), {message: 'the deleted topic leaves replication-offset-checkpoint'})
    } finally {
      await admin.disconnect()
    }

    await b.stop()
    assert.ok(fs.existsSync(path.join(b.logDir, '.kafka_cleanshutdown')))
    const tmp = (dir: string): string[] => fs.readdirSync(dir, {recursive: true, encoding: 'utf8'}).filter(n => n.endsWith('.tmp'))
    assert.deepEqual(tmp(b.logDir), [])
    assert.doesNotMatch(b.output(), /checkpoint failed/, 'no periodic checkpoint failed')
  })
})
