/**
 * `kts get-offsets`, `kts delete-records`, `kts log-dirs` and `kts dump-log` on data written by a
 * running kts broker (real binary, kafkajs producer and consumer group), with two log dirs.
 * Exact-line checks of dump-log on hand-built files are in test/unit/cli/dump-log.test.ts.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Partitioners} from 'kafkajs'
import {runCli} from '../helpers/run-cli.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {createTopic, kafkajsClient, uniqueTopic, useBroker} from '../interop/interop-check.js'

const T0 = 1_700_000_000_000

describe('kts log tools (get-offsets, delete-records, log-dirs, dump-log) against a broker', function () {
  this.timeout(90_000)
  const dirs = [makeTempDir('kts-logdir-a-'), makeTempDir('kts-logdir-b-')]
  const suite = useBroker({ownBroker: true, overrides: {'log.dirs': dirs.join(',')}})
  let topic = ''
  after(() => dirs.forEach(removeTempDir))

  before(async () => {
    topic = uniqueTopic('logtools')
    await createTopic(suite.broker, topic, 3)
    const producer = kafkajsClient(suite.broker.bootstrap).producer({createPartitioner: Partitioners.DefaultPartitioner})
    await producer.connect()
    try {
      // partition 0: 5 records (timestamps T0, +10s, +50s, +20s, +30s), partition 1: 2, partition 2: none
      await producer.send({topic, acks: -1, messages: [0, 10, 50].map((d, i) => ({partition: 0, key: `k${i}`, value: `v${i}`, timestamp: String(T0 + d * 1000)}))})
      await producer.send({topic, acks: -1, messages: [20, 30].map((d, i) => ({partition: 0, key: `k${i + 3}`, value: `v${i + 3}`, timestamp: String(T0 + d * 1000), headers: {h: 'x'}}))})
      await producer.send({topic, acks: -1, messages: [{partition: 1, value: 'a', timestamp: String(T0)}, {partition: 1, value: 'b', timestamp: String(T0)}]})
    } finally {
      await producer.disconnect()
    }
  })

  const cli = (...args: string[]) => runCli([args[0], '--bootstrap-server', suite.broker.bootstrap, ...args.slice(1)])

  it('get-offsets: latest, earliest, max-timestamp, a timestamp, --topic-partitions, --partitions', async () => {
    const latest = await cli('get-offsets', '--topic', topic)
    assert.equal(latest.code, 0, latest.stderr)
    assert.equal(latest.stdout, `${topic}:0:5\n${topic}:1:2\n${topic}:2:0\n`)
    assert.equal((await cli('get-offsets', '--topic', topic, '--time', '-2')).stdout, `${topic}:0:0\n${topic}:1:0\n${topic}:2:0\n`)
    const max = await cli('get-offsets', '--topic', topic, '--time', 'max-timestamp', '--partitions', '0')
    assert.equal(max.stdout, `${topic}:0:2\n`)
    const ts = await cli('get-offsets', '--topic', topic, '--time', String(T0 + 15_000), '--partitions', '0,1')
    assert.equal(ts.stdout, `${topic}:0:2\n`, 'first offset with a timestamp at or after it; none in partition 1 (no line)')
    const tp = await cli('get-offsets', '--topic-partitions', `${topic}:1-3`)
    assert.equal(tp.stdout, `${topic}:1:2\n${topic}:2:0\n`)
    const internal = await cli('get-offsets', '--topic', '__consumer_offsets|' + topic, '--exclude-internal-topics', '--partitions', '2')
    assert.equal(internal.stdout, `${topic}:2:0\n`)
  })

  it('get-offsets: Kafka\'s errors', async () => {
    const none = await cli('get-offsets', '--topic', 'no-such-topic-xyz')
    assert.equal(none.code, 1)
    assert.equal(none.stderr, 'Error occurred: Could not match any topic-partitions with the specified filters\n')
    const time = await runCli(['get-offsets', '--bootstrap-server', 'localhost:1', '--time', 'yesterday'])
    assert.equal(time.code, 1)
    assert.equal(time.stderr, 'Error occurred: Malformed time argument yesterday. Please use -1 or latest / -2 or earliest / -3 or max-timestamp / -4 or earliest-local / -5 or latest-tiered, or a specified long format timestamp\n')
    const both = await runCli(['get-offsets', '--bootstrap-server', 'localhost:1', '--topic', 't', '--topic-partitions', 't:0'])
    assert.equal(both.stderr, 'Error occurred: --topic-partitions cannot be used with --topic or --partitions\n')
    const parts = await runCli(['get-offsets', '--bootstrap-server', 'localhost:1', '--partitions', '0,x'])
    assert.equal(parts.stderr, 'Error occurred: --partitions expects a comma separated list of numeric partition ids, but received: 0,x\n')
    const rule = await runCli(['get-offsets', '--bootstrap-server', 'localhost:1', '--topic-partitions', 't:x'])
    assert.equal(rule.stderr, 'Error occurred: Invalid rule specification: t:x\n')
  })

  it('delete-records: low watermarks, -1 = high watermark, per-partition errors, Kafka\'s JSON errors', async () => {
    const dir = makeTempDir('kts-delete-records-')
    try {
      const file = path.join(dir, 'offsets.json')
      fs.writeFileSync(file, JSON.stringify({partitions: [{topic, partition: 0, offset: 3}, {topic, partition: 1, offset: -1}, {topic: 'no-such-topic-xyz', partition: 0, offset: 1}], version: 1}))
      const r = await cli('delete-records', '--offset-json-file', file)
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.split('\n')
      assert.deepEqual(lines.slice(0, 2), ['Executing records delete operation', 'Records delete operation completed:'])
      assert.deepEqual(lines.slice(2).filter(l => l !== '').sort(), [
        'partition: no-such-topic-xyz-0\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
        `partition: ${topic}-0\tlow_watermark: 3`,
        `partition: ${topic}-1\tlow_watermark: 2`,
      ].sort())
      assert.equal((await cli('get-offsets', '--topic', topic, '--time', 'earliest')).stdout, `${topic}:0:3\n${topic}:1:2\n${topic}:2:0\n`)

      fs.writeFileSync(file, JSON.stringify({partitions: [{topic, partition: 0, offset: 4}, {topic, partition: 0, offset: 4}]}))
      const dup = await cli('delete-records', '--offset-json-file', file)
      assert.equal(dup.code, 1)
      assert.equal(dup.stderr, `Offset json file contains duplicate topic partitions: ${topic}-0\n`)
      fs.writeFileSync(file, '{"version":2,"partitions":[]}')
      assert.equal((await cli('delete-records', '--offset-json-file', file)).stderr, 'Not supported version field value 2\n')
      fs.writeFileSync(file, 'nope')
      assert.equal((await cli('delete-records', '--offset-json-file', file)).stderr, 'The input string is not a valid JSON\n')
      const missing = await cli('delete-records')
      assert.equal(missing.code, 1)
      assert.equal(missing.stderr, 'Missing required argument "[offset-json-file]"\n')
    } finally {
      removeTempDir(dir)
    }
  })
})
