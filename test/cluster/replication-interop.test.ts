// Every client of the interop suite against replicated partitions (issue "5 — Replicated
// partitions"): on three combined nodes, each client produces with acks=all to a topic with
// replication factor 3 and min.insync.replicas=2 while its consumer reads; the partition's leader is
// SIGKILLed between two rounds of records; the client's producer carries on after retriable
// errors, its consumer reads both rounds, and nothing acknowledged is lost (nor duplicated, for the
// idempotent producers). `__consumer_offsets` has replication factor 3 here, so the group consumers
// (kafkajs, @platformatic/kafka) may lose their coordinator with the leader too.
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {Consumer, Producer, stringDeserializers, stringSerializers} from '@platformatic/kafka'
import {Kafka, logLevel} from 'kafkajs'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {runProcess} from '../helpers/run-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {PYTHON, pyScript, pythonHasModule} from '../interop/python-client.js'
import {brokerMetadata, createTopics, type PartitionMetadata} from './cluster-client.js'

/** Records per round (one round before the leader is killed, one after). */
const ROUND = 200

interface Ack { value: string, offset: number }
interface Read { offset: number, value: string }

/** A client under test: a producer that sends rounds of values, a reader running across the kill. */
interface FailoverClient {
  /** The producer is idempotent: no duplicates allowed. */
  idempotent: boolean
  /** Starts a producer; `send` resolves once every value is acknowledged. */
  producer(bootstrap: string, topic: string): Promise<{send(values: string[]): Promise<Ack[]>, close(): Promise<void>}>
  /** Reads partition 0 from the beginning until `count` records arrived. */
  consume(bootstrap: string, topic: string, count: number): Reader
}

interface Reader {
  records: Read[]
  /** Resolves once `count` records were read; rejects on a client error. */
  done: Promise<void>
  stop(): Promise<void>
  /** What the client printed on stderr (external programs). */
  stderr?: () => string
}

/** Lines of a child process's stdout, as they arrive. */
function lineReader(child: ChildProcess, onLine: (line: string) => void): void {
  let rest = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    const lines = (rest + d).split('\n')
    rest = lines.pop()!
    for (const l of lines) onLine(l)
  })
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise(resolve => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once('exit', code => resolve(code))
  })
}

/** failover_client.py (confluent-kafka or kafka-python). */
function pythonClient(lib: 'confluent' | 'kafka-python', idempotent: boolean): FailoverClient {
  return {
    idempotent,
    async producer(bootstrap, topic) {
      const child = spawn(PYTHON, [pyScript('failover_client.py'), lib, 'produce', bootstrap, topic], {stdio: ['pipe', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const acks: Ack[] = []
      const failed: string[] = []
      let flushed = 0
      lineReader(child, line => {
        const f = line.split(' ')
        if (f[0] === 'A') acks.push({offset: Number(f[2]), value: f[3]})
        else if (f[0] === 'E') failed.push(line)
        else if (f[0] === 'FLUSHED') flushed++
      })
      const exited = exitOf(child)
      return {
        async send(values) {
          const from = acks.length
          const want = flushed + 1
          child.stdin!.write(values.map(v => `send ${v}\n`).join('') + 'flush\n')
          await waitFor(async () => {
            if (child.exitCode !== null) throw new Error(`${lib} producer exited: ${stderr.slice(-2000)}`)
            return flushed >= want
          }, {timeoutMs: 70_000, intervalMs: 20, message: () => `${lib} to flush (${acks.length - from} of ${values.length} acknowledged, failed: ${failed.slice(0, 3).join('; ')}; stderr: ${stderr.slice(-1500)})`})
          assert.deepEqual(failed, [], `${lib}: deliveries failed`)
          return acks.slice(from)
        },
        async close() {
          child.stdin!.end()
          const code = await Promise.race([exited, new Promise<string>(resolve => setTimeout(() => resolve('timeout'), 30_000).unref())])
          if (code !== 0) child.kill('SIGKILL')
          assert.equal(code, 0, `${lib} producer exit: ${stderr.slice(-2000)}`)
        },
      }
    },
    consume(bootstrap, topic, count) {
      const child = spawn(PYTHON, [pyScript('failover_client.py'), lib, 'consume', bootstrap, topic, String(count)], {stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const records: Read[] = []
      lineReader(child, line => {
        const f = line.split(' ')
        if (f[0] === 'R') records.push({offset: Number(f[2]), value: f[3]})
      })
      const done = exitOf(child).then(code => assert.equal(code, 0, `${lib} consumer exit: ${stderr.slice(-2000)}`))
      done.catch(() => undefined)
      return {records, done, stop: async () => { child.kill('SIGKILL'); await exitOf(child) }, stderr: () => stderr}
    },
  }
}

/**
 * kcat (librdkafka): one idempotent acks=all `kcat -P` run per round (kcat reads its whole stdin
 * before producing; its exit status says whether every record was delivered), a `kcat -C -c N` reader.
 */
function kcatClient(): FailoverClient {
  return {
    idempotent: true,
    async producer(bootstrap, topic) {
      return {
        async send(values) {
          const r = await runProcess('kcat', ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-X', 'enable.idempotence=true', '-X', 'acks=all',
            '-X', 'linger.ms=5', '-X', 'topic.metadata.refresh.interval.ms=1000'], {input: values.map(v => `${v}\n`).join(''), timeoutMs: 70_000})
          assert.equal(r.code, 0, `kcat -P exit: ${r.stderr.slice(-2000)}`)
          assert.ok(!/Delivery failed/i.test(r.stderr), `kcat: ${r.stderr.slice(-2000)}`)
          return values.map(value => ({value, offset: -1}))
        },
        close: async () => undefined,
      }
    },
    consume(bootstrap, topic, count) {
      const child = spawn('kcat', ['-C', '-u', '-b', bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-c', String(count), '-q', '-f', '%o %s\n',
        '-X', 'topic.metadata.refresh.interval.ms=1000', '-X', 'fetch.wait.max.ms=100'], {stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const records: Read[] = []
      lineReader(child, line => {
        const [o, v] = line.split(' ')
        if (v !== undefined) records.push({offset: Number(o), value: v})
      })
      const done = exitOf(child).then(code => assert.equal(code, 0, `kcat -C exit: ${stderr.slice(-2000)}`))
      done.catch(() => undefined)
      return {records, done, stop: async () => { child.kill('SIGKILL'); await exitOf(child) }, stderr: () => stderr}
    },
  }
}

function kafkajsClient(): FailoverClient {
  const client = (bootstrap: string): Kafka => new Kafka({
    clientId: 'kts-failover', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING,
    retry: {retries: 30, initialRetryTime: 100, maxRetryTime: 1000}, requestTimeout: 5000, connectionTimeout: 1000,
  })
  return {
    idempotent: true,
    async producer(bootstrap, topic) {
      const producer = client(bootstrap).producer({idempotent: true, maxInFlightRequests: 1, metadataMaxAge: 1000})
      await producer.connect()
      return {
        async send(values) {
          const acks: Ack[] = []
          for (let i = 0; i < values.length; i += 50) {
            const chunk = values.slice(i, i + 50)
            const [md] = await producer.send({topic, acks: -1, timeout: 5000, messages: chunk.map(value => ({value, partition: 0}))})
            const base = Number(md.baseOffset)
            chunk.forEach((value, j) => acks.push({value, offset: base + j}))
          }
          return acks
        },
        close: () => producer.disconnect(),
      }
    },
    consume(bootstrap, topic, count) {
      const records: Read[] = []
      const consumer = client(bootstrap).consumer({groupId: `failover-${topic}`, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100, metadataMaxAge: 1000})
      const done = (async () => {
        await consumer.connect()
        await consumer.subscribe({topic, fromBeginning: true})
        await consumer.run({eachMessage: async ({message}) => {
          records.push({offset: Number(message.offset), value: message.value!.toString()})
        }})
        await waitFor(() => new Set(records.map(r => r.offset)).size >= count, {timeoutMs: 60_000, message: () => `kafkajs consumer: ${count} records (have ${records.length})`})
      })()
      done.catch(() => undefined)
      return {records, done, stop: () => consumer.disconnect()}
    },
  }
}

async function closeQuietly(consumer: Consumer<string, string, string, string>): Promise<void> {
  try {
    await consumer.close(true)
  } catch {
    // closing after a failure
  }
}

function platformaticClient(): FailoverClient {
  return {
    idempotent: true,
    async producer(bootstrap, topic) {
      const producer = new Producer({
        clientId: 'kts-failover-platformatic', bootstrapBrokers: bootstrap.split(','), serializers: stringSerializers,
        idempotent: true, acks: -1, retries: 5, retryDelay: 250, timeout: 5000, metadataMaxAge: 1000,
      })
      return {
        // @platformatic/kafka 1.35 retries a send against the leader it resolved first, also when
        // that broker is gone (connection refused); the application sends again, which resolves the
        // leader anew (same producer sequence numbers: the broker drops what it already has).
        async send(values) {
          for (let i = 0; i < values.length; i += 50) {
            const messages = values.slice(i, i + 50).map(value => ({topic, partition: 0, value}))
            const deadline = Date.now() + 60_000
            for (;;) {
              try {
                await producer.send({messages})
                break
              } catch (err) {
                if (Date.now() > deadline) throw err
                await new Promise(resolve => setTimeout(resolve, 250))
              }
            }
          }
          return values.map(value => ({value, offset: -1}))
        },
        close: () => producer.close(),
      }
    },
    // Its message stream ends with an error once fetches to a gone leader have failed `retries`
    // times (it does not resolve the leader again meanwhile); the application starts a new consumer.
    consume(bootstrap, topic, count) {
      const records: Read[] = []
      let stopped = false
      let current: Consumer<string, string, string, string> | null = null
      const errors: string[] = []
      const done = (async () => {
        const deadline = Date.now() + 60_000
        while (!stopped && new Set(records.map(r => r.offset)).size < count) {
          if (Date.now() > deadline) throw new Error(`platformatic consumer: ${count} records (have ${records.length}; stream errors: ${errors.join('; ')})`)
          const consumer = new Consumer({
            groupId: `failover-${topic}`, clientId: 'kts-failover-platformatic', bootstrapBrokers: bootstrap.split(','),
            deserializers: stringDeserializers, maxWaitTime: 100, retries: 5, retryDelay: 250, timeout: 5000, metadataMaxAge: 1000,
          })
          current = consumer
          let streamError: Error | undefined
          try {
            const stream = await consumer.consume({topics: [topic], mode: 'earliest', autocommit: false, sessionTimeout: 6000, heartbeatInterval: 500})
            stream.on('data', m => records.push({offset: Number(m.offset), value: m.value!}))
            stream.on('error', (err: Error) => (streamError = err))
            while (!stopped && !streamError && new Set(records.map(r => r.offset)).size < count && Date.now() < deadline) {
              await new Promise(resolve => setTimeout(resolve, 50))
            }
          } catch (err) {
            streamError = err as Error
          } finally {
            await closeQuietly(consumer)
          }
          if (streamError) {
            errors.push(streamError.message)
            await new Promise(resolve => setTimeout(resolve, 250))
          }
        }
      })()
      done.catch(() => undefined)
      return {records, done, stop: async () => {
        stopped = true
        if (current) await closeQuietly(current)
      }, stderr: () => errors.join('; ')}
    },
  }
}

/** An error with its nested causes (@platformatic/kafka nests AggregateErrors), distinct messages only. */
function causes(err: Error): string {
  const seen = new Set<string>()
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > 4) return
    const own = `${e.constructor.name}: ${e.message}${'code' in e ? ` (${String(e.code)})` : ''}`
    seen.add(own)
    if (e instanceof AggregateError) for (const x of e.errors) walk(x, depth + 1)
    if (e.cause) walk(e.cause, depth + 1)
  }
  walk(err, 0)
  return [...seen].join('; ')
}

async function metadataOf(cluster: ClusterHandle, topic: string): Promise<PartitionMetadata[] | null> {
  for (const n of cluster.nodes) {
    if (!n.process.running) continue
    try {
      const t = (await brokerMetadata(n.brokerPort)).topics.get(topic)
      if (t && t.partitions.length > 0) return t.partitions
    } catch {
      // down: ask the next one
    }
  }
  return null
}

describe('Replicated partitions: every interop client across a leader SIGKILL (real processes)', function () {
  this.timeout(120_000)
  let cluster: ClusterHandle | undefined
  let hasConfluent = false
  let hasKafkaPython = false
  let hasKcat = false

  before(async function () {
    this.timeout(60_000)
    hasConfluent = await pythonHasModule('confluent_kafka')
    hasKafkaPython = await pythonHasModule('kafka')
    hasKcat = (await runProcess('kcat', ['-V'], {timeoutMs: 5000}).catch(() => null))?.code === 0
    cluster = await startCluster({controllers: 3, overrides: {
      'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500,
      'offsets.topic.replication.factor': 3, 'offsets.topic.num.partitions': 3,
    }})
  })
  after(async () => cluster?.close())
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.output().slice(-20_000))
  })

  async function failover(name: string, client: FailoverClient): Promise<void> {
    const c = cluster!
    const topic = `failover-${name}`
    assert.equal((await createTopics(c.node(1).brokerPort, [{name: topic, numPartitions: 1, replicationFactor: 3, configs: {'min.insync.replicas': '2'}}])).get(topic), 0)
    await waitFor(async () => (await metadataOf(c, topic))?.[0].isrNodes.length === 3, {timeoutMs: 15_000, message: `${topic} with 3 in-sync replicas`})
    const values = Array.from({length: 2 * ROUND}, (_, i) => `${name}-${String(i).padStart(4, '0')}`)

    const reader = client.consume(c.bootstrap, topic, values.length)
    const producer = await client.producer(c.bootstrap, topic)
    let leader = -1
    try {
      const acked = await producer.send(values.slice(0, ROUND))
      await waitFor(() => new Set(reader.records.map(r => r.offset)).size >= ROUND, {timeoutMs: 30_000, message: () => `${name}: the first round read (${reader.records.length}; ${reader.stderr?.().slice(-1500) ?? ''})`})
      leader = (await metadataOf(c, topic))![0].leaderId
      await c.kill(leader)
      const killedAt = Date.now()
      acked.push(...await producer.send(values.slice(ROUND)))
      const failoverMs = Date.now() - killedAt
      await producer.close()
      await reader.done
      const newLeader = (await metadataOf(c, topic))![0]
      console.log(`      ${name}: leader ${leader} SIGKILLed, new leader ${newLeader.leaderId} (epoch ${newLeader.leaderEpoch}); second round acknowledged ${failoverMs} ms after the kill`)
      assert.notEqual(newLeader.leaderId, leader)

      // Nothing acknowledged lost, each value at one offset (once for idempotent producers), in send order.
      const at = new Map<number, string>()
      for (const r of reader.records) {
        const prev = at.get(r.offset)
        assert.ok(prev === undefined || prev === r.value, `${name}: offset ${r.offset} read as ${prev} and ${r.value}`)
        at.set(r.offset, r.value)
      }
      const offsetsOf = new Map<string, number[]>()
      for (const [o, v] of [...at].sort((a, b) => a[0] - b[0])) offsetsOf.set(v, [...(offsetsOf.get(v) ?? []), o])
      const lost = acked.filter(a => !offsetsOf.has(a.value)).map(a => a.value)
      assert.deepEqual(lost, [], `${name}: acknowledged records lost`)
      for (const a of acked) if (a.offset >= 0) assert.ok(offsetsOf.get(a.value)!.includes(a.offset), `${name}: ${a.value} acknowledged at ${a.offset}, read at ${offsetsOf.get(a.value)}`)
      const dups = [...offsetsOf].filter(([, os]) => os.length > 1)
      if (client.idempotent) assert.deepEqual(dups, [], `${name}: duplicates from an idempotent producer`)
      const order = [...at].sort((a, b) => a[0] - b[0]).map(([, v]) => v)
      const firsts = order.filter((v, i) => order.indexOf(v) === i)
      assert.deepEqual(firsts, [...firsts].sort(), `${name}: records out of send order`)
    } catch (err) {
      // @platformatic/kafka wraps the causes.
      if (err instanceof AggregateError) throw new Error(causes(err))
      throw err
    } finally {
      await reader.stop().catch(() => undefined)
      if (leader >= 0) await c.start(leader)
    }
    await waitFor(async () => (await metadataOf(c, topic))?.[0].isrNodes.length === 3, {timeoutMs: 30_000, message: `${topic} back to 3 in-sync replicas`})
  }

  it('kafkajs (idempotent, acks=-1; consumer group)', () => failover('kafkajs', kafkajsClient()))
  it('@platformatic/kafka (idempotent, acks=-1; consumer group)', () => failover('platformatic', platformaticClient()))
  it('kcat (librdkafka: idempotent, acks=all)', function () {
    if (!hasKcat) this.skip()
    return failover('kcat', kcatClient())
  })
  it('confluent-kafka (librdkafka: idempotent, acks=all)', function () {
    if (!hasConfluent) this.skip()
    return failover('confluent', pythonClient('confluent', true))
  })
  it('kafka-python (acks=all, retries, one request in flight)', function () {
    if (!hasKafkaPython) this.skip()
    return failover('kafka-python', pythonClient('kafka-python', false))
  })
})
