/**
 * Prometheus metrics of a real `kts server start` process (`kts.metrics.listeners`): kafkajs
 * produces and consumes a known set of records, `/metrics` is scraped over HTTP and parsed with a
 * Prometheus text-format parser, and the counters must have moved by exactly the right amounts.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {freePorts} from '../helpers/free-port.js'
import {scrape, sample, type Scrape} from '../helpers/prometheus-text.js'
import {runCli} from '../helpers/run-cli.js'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

const N = 200
const VALUE_BYTES = 100
const PER_SEND = 40

/** Sum of a family's series whose labels include `labels`. */
function total(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const m of s.get(name)?.metrics ?? []) {
    if (Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) sum += Number(m.value)
  }
  return sum
}

describe('metrics: /metrics of a real node (kts.metrics.listeners)', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true, overrides: {'kts.metrics.listeners': 'http://127.0.0.1:0'}})

  /** The URL the node logged for its metrics listener (port 0 configured: the bound port). */
  function metricsUrl(): string {
    const m = /Metrics listener started on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(suite.broker.output())
    assert.ok(m, 'the node logs the bound metrics URL')
    return m[1]
  }

  it('counts kafkajs produce and consume exactly; gauges match the topic; Node process metrics are there', async () => {
    const url = metricsUrl()
    const b = suite.broker
    const topic = uniqueTopic('metrics')
    assert.equal(await createTopic(b, topic, 3), 3)
    const kafka = kafkajsClient(b.bootstrap)
    const admin = kafka.admin()
    await admin.connect()
    const consumer = kafka.consumer({groupId: uniqueTopic('metrics-group'), maxWaitTimeInMs: 200})
    try {
      const before = await scrape(url)
      assert.equal(sample(before, 'kafka_server_brokertopicmetrics_messagesin_total', {topic}), undefined, 'no traffic on the new topic yet')

      const producer = kafka.producer()
      await producer.connect()
      const value = 'x'.repeat(VALUE_BYTES)
      for (let i = 0; i < N; i += PER_SEND) {
        await producer.send({topic, acks: -1, messages: Array.from({length: PER_SEND}, (_, j) => ({key: `k${i + j}`, value}))})
      }
      await producer.disconnect()

      let read = 0
      await consumer.connect()
      await consumer.subscribe({topic, fromBeginning: true})
      await consumer.run({eachMessage: async () => {
        read++
      }})
      await waitFor(() => read >= N, {timeoutMs: 20_000, message: () => `${N} records consumed (have ${read})`})

      const after = await scrape(url)
      // BrokerTopicMetrics: exact record count, bytes at least the payload, per topic and in the all-topics total.
      assert.equal(sample(after, 'kafka_server_brokertopicmetrics_messagesin_total', {topic}), N)
      assert.equal(sample(after, 'kafka_server_brokertopicmetrics_messagesin_total')! - sample(before, 'kafka_server_brokertopicmetrics_messagesin_total')!, N)
      const bytesIn = sample(after, 'kafka_server_brokertopicmetrics_bytesin_total', {topic})!
      assert.ok(bytesIn >= N * VALUE_BYTES, `bytes in ${bytesIn} >= payload ${N * VALUE_BYTES}`)
      const bytesOut = sample(after, 'kafka_server_brokertopicmetrics_bytesout_total', {topic})!
      assert.ok(bytesOut >= bytesIn, `bytes out ${bytesOut}: every stored batch was sent at least once (${bytesIn} in)`)
      assert.ok(sample(after, 'kafka_server_brokertopicmetrics_bytesout_total')! >= bytesOut)
      const partitionAppends = sample(after, 'kafka_server_brokertopicmetrics_totalproducerequests_total', {topic})!
      assert.ok(partitionAppends >= N / PER_SEND && partitionAppends <= 3 * N / PER_SEND, `${partitionAppends} partition appends`)

      // RequestMetrics: every send is one Produce request; the consumer fetched.
      const produces = total(after, 'kafka_network_requestmetrics_requests_total', {request: 'Produce'}) - total(before, 'kafka_network_requestmetrics_requests_total', {request: 'Produce'})
      assert.equal(produces, N / PER_SEND)
      assert.ok(total(after, 'kafka_network_requestmetrics_requests_total', {request: 'Fetch'}) > total(before, 'kafka_network_requestmetrics_requests_total', {request: 'Fetch'}))
      assert.equal(total(after, 'kafka_network_requestmetrics_requests_total', {request: 'FetchConsumer'}), total(after, 'kafka_network_requestmetrics_requests_total', {request: 'Fetch'}))
      assert.equal(sample(after, 'kafka_network_requestmetrics_totaltimems_count', {request: 'Produce'}), total(after, 'kafka_network_requestmetrics_requests_total', {request: 'Produce'}))
      const p99 = sample(after, 'kafka_network_requestmetrics_totaltimems', {request: 'Produce', quantile: '0.99'})
      assert.ok(p99 !== undefined && p99 >= 0 && p99 < 10_000, `Produce p99 ${p99} ms`)

      // Gauges: partitions and leaders of every topic on this single node, log sizes of the topic.
      const metadata = await admin.fetchTopicMetadata({topics: await admin.listTopics()})
      const partitions = metadata.topics.reduce((n, t) => n + t.partitions.length, 0)
      assert.equal(sample(after, 'kafka_server_replicamanager_partitioncount'), partitions)
      assert.equal(sample(after, 'kafka_server_replicamanager_leadercount'), partitions)
      assert.equal(sample(after, 'kafka_controller_kafkacontroller_globalpartitioncount'), partitions)
      assert.equal(sample(after, 'kafka_server_replicamanager_underreplicatedpartitions'), 0)
      assert.equal(sample(after, 'kafka_controller_kafkacontroller_activecontrollercount'), 1)
      assert.equal(sample(after, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 0)
      const sizes = (after.get('kafka_log_log_size')?.metrics ?? []).filter((m) => m.labels?.topic === topic)
      assert.deepEqual(sizes.map((m) => m.labels?.partition).sort(), ['0', '1', '2'])
      assert.equal(sizes.reduce((n, m) => n + Number(m.value), 0), bytesIn, 'the log holds exactly the batches received')
      assert.equal(total(after, 'kafka_log_log_logendoffset', {topic}), N)
      assert.ok(sample(after, 'kafka_server_socketservermetrics_connection_count', {listener: 'PLAINTEXT', network_processor: '0'})! >= 1)
      assert.ok(sample(after, 'kafka_coordinator_group_groupmetadatamanager_numgroupsstable')! >= 1)
      assert.ok(sample(after, 'kafka_coordinator_group_groupmetadatamanager_numoffsets')! >= 0)

      // Node.js process metrics (prom-client collectDefaultMetrics).
      for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes']) {
        assert.ok(after.has(name), `${name} is exported`)
      }
      assert.ok(sample(after, 'nodejs_heap_size_used_bytes')! > 0)
    } finally {
      await consumer.disconnect()
      await admin.disconnect()
    }
  })

  it('answers 404 outside /metrics and 405 for other methods', async () => {
    const base = metricsUrl().replace(/\/metrics$/, '')
    assert.equal((await fetch(`${base}/`)).status, 404)
    assert.equal((await fetch(`${base}/metrics`, {method: 'POST'})).status, 405)
    assert.equal((await fetch(`${base}/metrics?x=1`)).status, 200)
  })
})

describe('metrics: a metrics port in use', function () {
  this.timeout(60_000)
  let tmp: string
  let busy: net.Server
  before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-metrics-'))))
  after(async () => {
    fs.rmSync(tmp, {recursive: true, force: true})
    await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()))
  })

  it('stops start-up with one line naming the listener, exit 1', async () => {
    const [port, cport] = await freePorts(2)
    busy = net.createServer()
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()))
    const busyPort = (busy.address() as net.AddressInfo).port
    const r = await runCli(['server', 'start',
      '--override', `log.dirs=${tmp}/logs`,
      '--override', `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cport}`,
      '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      '--override', `controller.quorum.voters=1@127.0.0.1:${cport}`,
      '--override', `kts.metrics.listeners=http://127.0.0.1:${busyPort}`])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.stderr, `Metrics listener (kts.metrics.listeners) failed to bind to 127.0.0.1:${busyPort}: Address already in use.\n`)
    assert.doesNotMatch(r.stdout, /Kafka Server started/)
  })
})
