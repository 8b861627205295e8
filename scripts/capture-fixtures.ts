/**
 * Captures wire fixtures from real Kafka clients: `npx tsx scripts/capture-fixtures.ts` (after
 * `npm run build`: the broker runs from dist/).
 *
 * Starts a real kts broker process (test/helpers/broker-process.ts: `storage format` + `server
 * start` on random loopback ports in a temp dir) behind a recording TCP proxy, and sets the broker's
 * `advertised.listeners` to the proxy's port, so every connection a client opens after bootstrap
 * (to the partition leader, to the group coordinator) goes through the proxy too. The proxy forwards
 * bytes unchanged and splits each direction into Kafka frames (int32 size prefix + payload); a
 * request is paired with its response by correlation id on the same connection.
 *
 * Clients driven through the proxy, one after the other (each connection is labelled with the
 * client running when it was opened):
 * - `kcat` (librdkafka): idempotent `kcat -P` with lz4, `kcat -C`, `kcat -L`, group consumer `kcat -G`.
 * - `confluent-kafka-python` (librdkafka under Python): admin create/describe configs/list topics,
 *   idempotent producer with zstd, group consumer with a synchronous commit.
 * - `kafka-python` (pure Python, version probing): admin create/describe configs, producer with gzip,
 *   group consumer with commit.
 * - `kafkajs`: admin createTopics/describeConfigs/fetchTopicMetadata/listGroups/describeGroups,
 *   idempotent producer with gzip, consumer group.
 * - `platformatic` (@platformatic/kafka): admin createTopics/describeConfigs, idempotent producer
 *   with snappy, consumer group.
 *
 * Writes `test/fixtures/wire/<client>.json`: for each (API key, API version) the client used, one
 * request frame and the broker's response frame (payload after the size prefix, hex), the largest
 * pair whose frames are both at most 64 KiB. Frames are never truncated.
 * `test/unit/protocol/client-fixtures.test.ts` checks them against the generated codecs.
 *
 * Options: `--only kcat,kafkajs` captures (and rewrites) only those clients.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {createRequire} from 'node:module'
import {Kafka, logLevel, CompressionTypes} from 'kafkajs'
import {Admin, Consumer, Producer, stringDeserializers, stringSerializers} from '@platformatic/kafka'
import {API_CODECS} from '../src/protocol/generated/messages/index.js'
import {startBroker, type BrokerHandle} from '../test/helpers/broker-process.js'
import {waitFor} from '../test/helpers/wait-for.js'
import {repoRoot} from '../test/helpers/run-cli.js'
import type {WireFixture, WireFixtureFile} from '../test/helpers/wire-fixture.js'

const require = createRequire(import.meta.url)
const ROOT = repoRoot()
const OUT_DIR = path.join(ROOT, 'test', 'fixtures', 'wire')
const PYTHON = '/usr/bin/python3'
/** Largest frame (payload bytes) kept as a fixture. */
const MAX_FIXTURE_BYTES = 64 * 1024
/** Records each client produces (small, so that Produce and Fetch frames stay small). */
const RECORDS = 10

// ------------------------------------------------------------------------------------------------
// recording proxy

interface Exchange {
  client: string
  conn: number
  apiKey: number
  apiVersion: number
  correlationId: number
  request: Buffer
  response: Buffer | null
}

/** Splits a byte stream into Kafka frames (int32 big-endian size + payload); yields payloads. */
class Framer {
  private pending: Buffer = Buffer.alloc(0)
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const frames: Buffer[] = []
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0)
      if (size < 0) throw new Error(`negative frame size ${size}`)
      if (this.pending.length < 4 + size) break
      frames.push(Buffer.from(this.pending.subarray(4, 4 + size)))
      this.pending = this.pending.subarray(4 + size)
    }
    return frames
  }
}

interface Proxy {
  port: number
  exchanges: Exchange[]
  /** Label of the client whose connections are being accepted now. */
  label: string
  close(): Promise<void>
}

async function startProxy(): Promise<Proxy & {target: number}> {
  const sockets = new Set<net.Socket>()
  let nextConn = 0
  const proxy = {port: 0, target: 0, exchanges: [] as Exchange[], label: 'setup', close: async () => undefined} as Proxy & {target: number}
  const server = net.createServer((client) => {
    const conn = ++nextConn
    const label = proxy.label
    const upstream = net.connect({port: proxy.target, host: '127.0.0.1'})
    sockets.add(client).add(upstream)
    const inFlight = new Map<number, Exchange>()
    const reqFramer = new Framer()
    const respFramer = new Framer()
    client.on('data', (d: Buffer) => {
      upstream.write(d)
      for (const f of reqFramer.push(d)) {
        if (f.length < 8) continue
        const ex: Exchange = {client: label, conn, apiKey: f.readInt16BE(0), apiVersion: f.readInt16BE(2), correlationId: f.readInt32BE(4), request: f, response: null}
        proxy.exchanges.push(ex)
        inFlight.set(ex.correlationId, ex)
      }
    })
    upstream.on('data', (d: Buffer) => {
      client.write(d)
      for (const f of respFramer.push(d)) {
        if (f.length < 4) continue
        const ex = inFlight.get(f.readInt32BE(0))
        if (!ex) continue
        inFlight.delete(ex.correlationId)
        ex.response = f
      }
    })
    const closeBoth = (): void => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', closeBoth).on('error', closeBoth)
    upstream.on('close', closeBoth).on('error', closeBoth)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  proxy.port = (server.address() as net.AddressInfo).port
  proxy.close = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })
  return proxy
}

// ------------------------------------------------------------------------------------------------
// clients

function run(cmd: string, args: string[], opts: {input?: string, timeoutMs?: number} = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, {stdio: ['pipe', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    c.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const timer = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 60_000)
    c.once('error', reject)
    c.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}\n${err}${out}`))
    })
    c.stdin.end(opts.input ?? '')
  })
}

/**
 * Value of record `i`: long and repetitive, so that compression pays off (librdkafka sends a batch
 * uncompressed when compressing it would not make it smaller).
 */
const recordValue = (prefix: string, i: number): string => `${prefix}-${i}-${'abcdefgh'.repeat(16)}`
const keyedLines = (prefix: string): string => Array.from({length: RECORDS}, (_, i) => `k${i}:${recordValue(prefix, i)}\n`).join('')

async function kcat(bootstrap: string): Promise<string> {
  const topic = 'fixtures-kcat'
  await run('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'enable.idempotence=true', '-X', 'acks=all',
    '-z', 'lz4', '-X', 'linger.ms=50'], {input: keyedLines('kcat')})
  const consumed = await run('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k:%s\n'])
  if (consumed.trim().split('\n').length !== RECORDS) throw new Error(`kcat -C read:\n${consumed}`)
  await run('kcat', ['-L', '-b', bootstrap])
  const grouped = await run('kcat', ['-b', bootstrap, '-G', 'fixtures-kcat-group', topic, '-X', 'auto.offset.reset=earliest',
    '-e', '-q', '-f', '%k:%s\n'], {timeoutMs: 60_000})
  if (grouped.trim().split('\n').length !== RECORDS) throw new Error(`kcat -G read:\n${grouped}`)
  return (await run('kcat', ['-V'])).split('\n').find((l) => l.startsWith('Version')) ?? 'kcat'
}

const CONFLUENT_PY = `
import sys, time
from confluent_kafka import Producer, Consumer, libversion, version
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
bs, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
a = AdminClient({'bootstrap.servers': bs})
for f in a.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)], operation_timeout=10).values():
    f.result(timeout=30)
for f in a.describe_configs([ConfigResource('topic', topic)]).values():
    f.result(timeout=30)
a.list_topics(timeout=30)
p = Producer({'bootstrap.servers': bs, 'enable.idempotence': True, 'compression.codec': 'zstd', 'linger.ms': 50})
for i in range(n):
    p.produce(topic, key=b'k%d' % i, value=b'confluent-%d-' % i + b'abcdefgh' * 16)
if p.flush(30) != 0:
    sys.exit('produce did not finish')
c = Consumer({'bootstrap.servers': bs, 'group.id': group, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.subscribe([topic])
got, deadline = 0, time.time() + 30
while got < n:
    if time.time() > deadline:
        sys.exit('consumed only %d' % got)
    m = c.poll(0.5)
    if m is not None and not m.error():
        got += 1
c.commit(asynchronous=False)
c.close()
print('confluent-kafka %s, librdkafka %s' % (version()[0], libversion()[0]))
`

const KAFKA_PYTHON_PY = `
import sys, time
import kafka
from kafka import KafkaProducer, KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic, ConfigResource, ConfigResourceType
bs, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
a = KafkaAdminClient(bootstrap_servers=bs, api_version_auto_timeout_ms=10000)
a.create_topics([NewTopic(topic, 2, 1)])
a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
a.close()
p = KafkaProducer(bootstrap_servers=bs, acks='all', compression_type='gzip', linger_ms=50, api_version_auto_timeout_ms=10000)
fs = [p.send(topic, key=b'k%d' % i, value=b'kafka-python-%d-' % i + b'abcdefgh' * 16) for i in range(n)]
p.flush(30)
for f in fs:
    f.get(timeout=30)
p.close(timeout=5)
c = KafkaConsumer(topic, group_id=group, bootstrap_servers=bs, auto_offset_reset='earliest', enable_auto_commit=False,
                  fetch_max_wait_ms=100, api_version_auto_timeout_ms=10000)
got, deadline = 0, time.time() + 30
while got < n:
    if time.time() > deadline:
        sys.exit('consumed only %d' % got)
    for tp, msgs in c.poll(timeout_ms=500).items():
        got += len(msgs)
c.commit()
c.close()
print('kafka-python %s' % kafka.__version__)
`

async function python(script: string, bootstrap: string, name: string): Promise<string> {
  const out = await run(PYTHON, ['-c', script, bootstrap, `fixtures-${name}`, `fixtures-${name}-group`, String(RECORDS)], {timeoutMs: 90_000})
  return out.trim().split('\n').pop() ?? name
}

async function kafkajs(bootstrap: string): Promise<string> {
  const topic = 'fixtures-kafkajs'
  const group = 'fixtures-kafkajs-group'
  const kafka = new Kafka({clientId: 'kts-fixtures-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING})
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({topics: [{topic, numPartitions: 2, replicationFactor: 1}], waitForLeaders: true, timeout: 10_000})
  const {ConfigResourceTypes} = (await import('kafkajs')).default
  await admin.describeConfigs({resources: [{type: ConfigResourceTypes.TOPIC, name: topic}], includeSynonyms: false})
  await admin.fetchTopicMetadata({topics: [topic]})
  const producer = kafka.producer({idempotent: true, maxInFlightRequests: 1})
  await producer.connect()
  await producer.send({topic, compression: CompressionTypes.GZIP, messages: Array.from({length: RECORDS}, (_, i) => ({key: `k${i}`, value: recordValue('kafkajs', i)}))})
  await producer.disconnect()
  const consumer = kafka.consumer({groupId: group, maxWaitTimeInMs: 100})
  await consumer.connect()
  await consumer.subscribe({topic, fromBeginning: true})
  let got = 0
  await consumer.run({eachMessage: async () => void got++})
  await waitFor(() => got >= RECORDS, {timeoutMs: 30_000, message: () => `kafkajs consumer: ${RECORDS} records (have ${got})`})
  await consumer.disconnect()
  await admin.listGroups()
  await admin.describeGroups([group])
  await admin.disconnect()
  return `kafkajs ${require('kafkajs/package.json').version}`
}

async function platformatic(bootstrap: string): Promise<string> {
  const topic = 'fixtures-platformatic'
  const clientId = 'kts-fixtures-platformatic'
  const admin = new Admin({clientId, bootstrapBrokers: [bootstrap]})
  try {
    await admin.createTopics({topics: [topic], partitions: 2, replicas: 1})
    await admin.describeConfigs({resources: [{resourceType: 2, resourceName: topic, configurationKeys: []}]})
  } finally {
    await admin.close()
  }
  const producer = new Producer({clientId, bootstrapBrokers: [bootstrap], serializers: stringSerializers, idempotent: true, acks: -1, compression: 'snappy'})
  try {
    await producer.send({messages: Array.from({length: RECORDS}, (_, i) => ({topic, key: `k${i}`, value: recordValue('platformatic', i)}))})
  } finally {
    await producer.close()
  }
  const consumer = new Consumer({groupId: 'fixtures-platformatic-group', clientId, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, maxWaitTime: 100})
  try {
    const stream = await consumer.consume({topics: [topic], mode: 'earliest', autocommit: false, sessionTimeout: 10_000, heartbeatInterval: 500})
    let got = 0
    let streamError: Error | undefined
    stream.on('data', (m) => {
      got++
      void m.commit()
    })
    stream.on('error', (e: Error) => (streamError = e))
    await waitFor(() => {
      if (streamError) throw streamError
      return got >= RECORDS
    }, {timeoutMs: 30_000, message: () => `platformatic consumer: ${RECORDS} records (have ${got})`})
  } finally {
    await consumer.close(true)
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '@platformatic', 'kafka', 'package.json'), 'utf8'))
  return `@platformatic/kafka ${pkg.version}`
}

const CLIENTS: Record<string, (bootstrap: string) => Promise<string>> = {
  'kcat': kcat,
  'confluent-kafka-python': (b) => python(CONFLUENT_PY, b, 'confluent'),
  'kafka-python': (b) => python(KAFKA_PYTHON_PY, b, 'kafka-python'),
  'kafkajs': kafkajs,
  'platformatic': platformatic,
}

// ------------------------------------------------------------------------------------------------
// selection and output

function select(exchanges: Exchange[]): WireFixture[] {
  const best = new Map<string, Exchange>()
  const size = (e: Exchange): number => e.request.length + (e.response?.length ?? 0)
  for (const e of exchanges) {
    if (e.request.length > MAX_FIXTURE_BYTES || (e.response?.length ?? 0) > MAX_FIXTURE_BYTES) continue
    const k = `${e.apiKey}/${e.apiVersion}`
    const cur = best.get(k)
    // Prefer an exchange with a response, then the larger one (more fields and records exercised).
    if (!cur || (cur.response === null && e.response !== null) || ((cur.response === null) === (e.response === null) && size(e) > size(cur))) best.set(k, e)
  }
  return [...best.values()]
    .sort((a, b) => a.apiKey - b.apiKey || a.apiVersion - b.apiVersion)
    .map((e) => ({
      api: API_CODECS.get(e.apiKey)?.spec.name ?? `unknown-${e.apiKey}`,
      apiKey: e.apiKey,
      apiVersion: e.apiVersion,
      request: e.request.toString('hex'),
      response: e.response?.toString('hex') ?? null,
    }))
}

async function main(): Promise<void> {
  const onlyArg = process.argv.indexOf('--only')
  const only = onlyArg >= 0 ? process.argv[onlyArg + 1].split(',') : Object.keys(CLIENTS)
  for (const name of only) if (!CLIENTS[name]) throw new Error(`unknown client ${name}; known: ${Object.keys(CLIENTS).join(', ')}`)
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'commands', 'server', 'start.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (the broker runs from dist/)')
  }

  const proxy = await startProxy()
  let broker: BrokerHandle | undefined
  try {
    broker = await startBroker({overrides: {
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`,
      'num.partitions': 2,
    }})
    proxy.target = broker.port
    const bootstrap = `127.0.0.1:${proxy.port}`
    fs.mkdirSync(OUT_DIR, {recursive: true})
    for (const name of only) {
      proxy.label = name
      process.stdout.write(`${name}: `)
      const clientVersion = await CLIENTS[name](bootstrap)
      proxy.label = 'idle'
      const fixtures = select(proxy.exchanges.filter((e) => e.client === name))
      const file: WireFixtureFile = {
        comment: 'Generated by scripts/capture-fixtures.ts (npx tsx scripts/capture-fixtures.ts) from a real client talking to kts through a recording proxy. Do not edit; regenerate.',
        client: name,
        clientVersion,
        fixtures,
      }
      const out = path.join(OUT_DIR, `${name}.json`)
      fs.writeFileSync(out, JSON.stringify(file, null, 2) + '\n')
      process.stdout.write(`${clientVersion}; ${fixtures.length} fixtures (${fixtures.map((f) => `${f.api} v${f.apiVersion}`).join(', ')}) -> ${path.relative(ROOT, out)}\n`)
    }
  } finally {
    await broker?.close()
    await proxy.close()
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
