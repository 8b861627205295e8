/**
 * `kts get-offsets`, `kts delete-records`, `kts log-dirs` and `kts dump-log` on data written by a
 * running kts broker (real binary, kafkajs producer and consumer group), with two log dirs.
 * Exact-line checks of dump-log on hand-built files are in test/unit/cli/dump-log.test.ts.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Admin as PlatformaticAdmin} from '@platformatic/kafka'
import {Partitioners} from 'kafkajs'
import {runCli} from '../helpers/run-cli.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {waitFor} from '../helpers/wait-for.js'
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

  it('log-dirs: both log dirs with their partitions, sizes and lag; --topic-list, --broker-list, Kafka\'s errors', async () => {
    const r = await cli('log-dirs', '--describe', '--topic-list', topic)
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.split('\n')
    assert.deepEqual(lines.slice(0, 2), ['Querying brokers for log directories information', 'Received log directory information from brokers 1'])
    assert.equal(lines[3], '')
    assert.match(lines[2], /^\{"brokers":\[\{"broker":1,"logDirs":\[\{"partitions":\[/)
    assert.ok(lines[2].endsWith('],"version":1}'))
    const doc = JSON.parse(lines[2]) as {version: number, brokers: {broker: number, logDirs: {logDir: string, error: string | null, partitions: {partition: string, size: number, offsetLag: number, isFuture: boolean}[]}[]}[]}
    const logDirs = doc.brokers[0].logDirs
    assert.deepEqual(logDirs.map(d => d.logDir).sort(), dirs.map(d => fs.realpathSync(d)).sort().map(d => dirs.find(x => fs.realpathSync(x) === d)!))
    const partitions = logDirs.flatMap(d => d.partitions.map(p => ({...p, logDir: d.logDir})))
    assert.deepEqual(partitions.map(p => p.partition).sort(), [`${topic}-0`, `${topic}-1`, `${topic}-2`])
    for (const p of partitions) {
      assert.deepEqual(Object.keys(p), ['partition', 'size', 'offsetLag', 'isFuture', 'logDir'], 'Kafka\'s key order')
      assert.equal(p.offsetLag, 0)
      assert.equal(p.isFuture, false)
      const onDisk = fs.readdirSync(path.join(p.logDir, p.partition)).filter(f => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(p.logDir, p.partition, f)).size, 0)
      assert.equal(p.size, onDisk, `size of ${p.partition} = its segments' bytes`)
    }
    assert.ok(partitions.find(p => p.partition === `${topic}-0`)!.size > 0)
    assert.equal(new Set(partitions.map(p => p.logDir)).size, 2, 'the three partitions are spread over both log dirs')
    assert.ok(logDirs.every(d => d.error === null))
    assert.deepEqual(Object.keys(logDirs[0]), ['partitions', 'error', 'logDir'])

    const all = await cli('log-dirs', '--describe', '--broker-list', '1')
    assert.ok(all.stdout.includes(`"partition":"${topic}-0"`), 'all topics without --topic-list')
    const other = await cli('log-dirs', '--describe', '--topic-list', 'no-such-topic-xyz')
    assert.ok(!other.stdout.includes(`"partition":"${topic}-0"`) && other.stdout.includes('"partitions":[]'), 'only the listed topics')
    const unknown = await cli('log-dirs', '--describe', '--broker-list', '1,5')
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stderr, 'ERROR: The given brokers do not exist from --broker-list: 5. Current existent brokers: 1\n')
    const noDescribe = await cli('log-dirs')
    assert.equal(noDescribe.code, 1)
    assert.equal(noDescribe.stderr, 'Missing required argument "[describe]"\n')
  })

  it('DescribeLogDirs v4 to a real client (@platformatic/kafka): listed partitions only, file system bytes', async () => {
    const admin = new PlatformaticAdmin({clientId: 'kts-log-dirs-test', bootstrapBrokers: [suite.broker.bootstrap]})
    try {
      const [broker] = await admin.describeLogDirs({topics: [{name: topic, partitions: [0, 2]}]})
      assert.equal(broker.broker, 1)
      assert.equal(broker.results.length, 2)
      for (const r of broker.results) {
        assert.ok(dirs.includes(r.logDir), r.logDir)
        assert.ok(r.totalBytes > 0n && r.usableBytes > 0n && r.usableBytes <= r.totalBytes)
      }
      const listed = broker.results.flatMap(r => r.topics.flatMap(t => t.partitions.map(p => `${t.name}-${p.partitionIndex}`))).sort()
      assert.deepEqual(listed, [`${topic}-0`, `${topic}-2`])
    } finally {
      await admin.close()
    }
  })

  /** The partition directory `name` in one of the log dirs. */
  const partitionDir = (name: string): string => {
    const found = dirs.map(d => path.join(d, name)).find(d => fs.existsSync(d))
    if (found === undefined) throw new Error(`${name} is in no log dir`)
    return found
  }

  it('dump-log on live data: segment, indexes, __consumer_offsets (--offsets-decoder), __cluster_metadata (--cluster-metadata-decoder)', async () => {
    const kafka = kafkajsClient(suite.broker.bootstrap)
    const group = uniqueTopic('dump-group')
    const consumer = kafka.consumer({groupId: group, sessionTimeout: 10_000})
    const admin = kafka.admin()
    await Promise.all([consumer.connect(), admin.connect()])
    try {
      await consumer.subscribe({topic, fromBeginning: true})
      await consumer.run({autoCommitInterval: 100, eachMessage: async () => undefined})
      await waitFor(async () => {
        const [t] = await admin.fetchOffsets({groupId: group, topics: [topic]})
        return t.partitions.find(p => p.partition === 0)?.offset === '5'
      }, {timeoutMs: 20_000, message: 'the group committed offset 5 of partition 0'})
    } finally {
      await consumer.disconnect()
      await admin.disconnect()
    }

    const dir = partitionDir(`${topic}-0`)
    const seg = path.join(dir, '00000000000000000000.log')
    const data = await runCli(['dump-log', '--files', seg, '--print-data-log'])
    assert.equal(data.code, 0, data.stderr)
    const lines = data.stdout.split('\n')
    assert.deepEqual(lines.slice(0, 2), [`Dumping ${seg}`, 'Log starting offset: 0'])
    assert.match(lines[2], /^baseOffset: 0 lastOffset: 2 count: 3 baseSequence: 0 lastSequence: 2 producerId: -1 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong\.empty position: 0 CreateTime: 1700000050000 size: \d+ magic: 2 compresscodec: none crc: \d+ isvalid: true$/)
    assert.equal(lines[3], '| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 2 sequence: 0 headerKeys: [] key: k0 payload: v0')
    assert.match(lines[6], /^baseOffset: 3 lastOffset: 4 count: 2 .* position: 98 CreateTime: 1700000030000 /)
    assert.equal(lines[8], '| offset: 4 CreateTime: 1700000030000 keySize: 2 valueSize: 2 sequence: 1 headerKeys: [h] key: k4 payload: v4')
    const shallow = await runCli(['dump-log', '--files', seg])
    assert.equal(shallow.stdout.split('\n').filter(l => l.startsWith('| ')).length, 0, 'batch lines only without --print-data-log / --deep-iteration')

    const offsetsDir = dirs.flatMap(d => fs.readdirSync(d).filter(n => n.startsWith('__consumer_offsets-')).map(n => path.join(d, n)))
      .find(d => fs.statSync(path.join(d, '00000000000000000000.log')).size > 0)
    assert.ok(offsetsDir !== undefined, 'one __consumer_offsets partition holds the group')
    const offsets = await runCli(['dump-log', '--offsets-decoder', '--files', path.join(offsetsDir, '00000000000000000000.log')])
    assert.equal(offsets.code, 0, offsets.stderr)
    assert.equal(offsets.stderr, '')
    const commit = offsets.stdout.split('\n').find(l => l.includes(`"partition":0}} payload: {"version":"3","data":{"offset":5,`))
    assert.ok(commit, offsets.stdout)
    assert.match(commit, new RegExp(`^\\| offset: \\d+ CreateTime: \\d+ keySize: \\d+ valueSize: \\d+ sequence: -1 headerKeys: \\[\\] key: \\{"type":"1","data":\\{"group":"${group}","topic":"${topic}","partition":0\\}\\} payload: \\{"version":"3","data":\\{"offset":5,"leaderEpoch":-?\\d+,"metadata":"","commitTimestamp":\\d+\\}\\}$`))
    const groupLine = offsets.stdout.split('\n').find(l => l.includes('"protocolType":"consumer","generation":1,'))
    assert.ok(groupLine, offsets.stdout)
    assert.ok(groupLine.includes(`key: {"type":"2","data":{"group":"${group}"}}`))
    assert.ok(groupLine.includes(`"subscription":{"topics":["${topic}"],"userData":""}`), 'the subscription decoded as ConsumerProtocolSubscription')

    const metaLog = path.join(partitionDir('__cluster_metadata-0'), '00000000000000000000.log')
    const meta = await runCli(['dump-log', '--cluster-metadata-decoder', '--files', metaLog])
    assert.equal(meta.code, 0, meta.stderr)
    const metaLines = meta.stdout.split('\n')
    assert.ok(metaLines.some(l => /^\| offset: \d+ CreateTime: \d+ keySize: -1 valueSize: \d+ sequence: -1 headerKeys: \[\] payload: \{"type":"FEATURE_LEVEL_RECORD","version":0,"data":\{"name":"metadata.version","featureLevel":\d+\}\}$/.test(l)), meta.stdout.slice(0, 2000))
    assert.ok(metaLines.some(l => l.includes(`payload: {"type":"TOPIC_RECORD","version":0,"data":{"name":"${topic}","topicId":"`)))
    assert.ok(metaLines.some(l => l.endsWith(' controlType: LEADER_CHANGE(2)')))
    assert.equal(metaLines.filter(l => l.includes('skipping')).length, 0)
  })
})
