import assert from 'node:assert/strict'
import * as prom from 'prom-client'
import {NO_BROKER_METRICS, recordCountOf} from '../../../../src/server/metrics/broker-metrics.js'
import {LatencyReservoir} from '../../../../src/server/metrics/latency-reservoir.js'
import {parseMetricsListeners, validateMetricsListeners} from '../../../../src/server/metrics/metrics-listeners.js'
import {NodeMetrics, type HostedPartition} from '../../../../src/server/metrics/node-metrics.js'
import {encodeRecordBatch} from '../../../../src/protocol/records/records.js'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {parseScrape, sample, type Scrape} from '../../../helpers/prometheus-text.js'

function partition(topic: string, index: number, leader: boolean, isr: number[], size: number): HostedPartition {
  return {topic, partitionIndex: index, isLeader: leader, state: {replicas: [1, 2], isr}, log: {size, logStartOffset: 0, logEndOffset: 7, numberOfSegments: 1}}
}

async function scrapeOf(m: NodeMetrics): Promise<Scrape> {
  return parseScrape(await m.registry.metrics())
}

describe('metrics: kts.metrics.listeners', () => {
  it('parses http://[host]:port entries (host optional, IPv6 in brackets, port 0)', () => {
    assert.deepEqual(parseMetricsListeners(['http://:9404', 'http://127.0.0.1:0', 'http://[::1]:9405/']), [
      {host: '', port: 9404}, {host: '127.0.0.1', port: 0}, {host: '::1', port: 9405},
    ])
    assert.deepEqual(parseMetricsListeners([]), [])
  })

  it('rejects other schemes, missing ports and out-of-range ports with a reason', () => {
    assert.match(validateMetricsListeners(['https://:9404'])!, /only http is supported/)
    assert.match(validateMetricsListeners(['http://localhost'])!, /Unable to parse http:\/\/localhost/)
    assert.match(validateMetricsListeners(['http://:70000'])!, /out of range/)
    assert.equal(validateMetricsListeners(['http://:9404']), null)
  })

  it('is a known server.properties key, off by default; a bad value is one ConfigError line naming the key', () => {
    const base = {'process.roles': 'broker,controller', 'node.id': '1', 'controller.quorum.voters': '1@localhost:9093',
      'listeners': 'PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER', 'log.dirs': '/tmp/x'}
    const off = buildServerConfig(base)
    assert.deepEqual(off.get('kts.metrics.listeners'), [])
    assert.deepEqual(off.unknownKeys, [])
    assert.deepEqual(buildServerConfig({...base, 'kts.metrics.listeners': 'http://:9404'}).get('kts.metrics.listeners'), ['http://:9404'])
    assert.throws(() => buildServerConfig({...base, 'kts.metrics.listeners': 'tcp://:9404'}),
      {name: 'ConfigError', message: 'Invalid value tcp://:9404 for configuration kts.metrics.listeners: Metrics listener tcp://:9404: only http is supported'})
  })
})

describe('metrics: hot-path helpers', () => {
  it('recordCountOf sums the record counts of the batch headers', () => {
    const batch = (n: number, base: number) => encodeRecordBatch({baseOffset: base, records: Array.from({length: n}, (_, i) => ({key: null, value: Buffer.from(`v${i}`), headers: [], timestamp: 1}))})
    assert.equal(recordCountOf(batch(5, 0)), 5)
    assert.equal(recordCountOf(Buffer.concat([batch(3, 0), batch(4, 3)])), 7)
    assert.equal(recordCountOf(Buffer.alloc(0)), 0)
  })

  it('LatencyReservoir: Yammer snapshot quantiles over the last `size` samples', () => {
    const r = new LatencyReservoir(100)
    assert.equal(r.quantiles([0.5]), null)
    for (let i = 1; i <= 100; i++) r.add(i)
    assert.deepEqual(r.quantiles([0.5, 0.99, 0.999]), [50.5, 99.99, 100])
    for (let i = 0; i < 100; i++) r.add(1000) // the window slides: only the newest 100 remain
    assert.deepEqual(r.quantiles([0.5]), [1000])
    assert.equal(r.count, 200)
  })

  it('NO_BROKER_METRICS accepts every call', () => {
    NO_BROKER_METRICS.recordProduce('t', 1, 1)
    NO_BROKER_METRICS.recordFetch('t', 1, false)
    NO_BROKER_METRICS.recordRequest(0, 'Produce', 9, {}, 1)
  })
})

describe('metrics: NodeMetrics registry', () => {
  it('counts produce/fetch per topic and for all topics under the JMX-exporter names', async () => {
    const m = new NodeMetrics(prom)
    m.bindBroker({replicas: {allPartitions: () => [partition('a', 0, true, [1, 2], 10), partition('b', 0, true, [1, 2], 10)]}})
    m.recordProduce('a', 3, 300)
    m.recordProduce('a', 2, 200)
    m.recordProduce('b', 1, 100)
    m.recordFetch('a', 500, false)
    m.recordFetch('b', 0, false)
    m.recordFetch('a', 700, true)
    const s = await scrapeOf(m)
    assert.equal(s.get('kafka_server_brokertopicmetrics_messagesin_total')?.type, 'COUNTER')
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_messagesin_total'), 6)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_messagesin_total', {topic: 'a'}), 5)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_bytesin_total', {topic: 'b'}), 100)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_bytesin_total'), 600)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_bytesout_total'), 500)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_replicationbytesout_total'), 700)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_totalfetchrequests_total', {topic: 'a'}), 2)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_totalproducerequests_total'), 3)
  })

  it('drops the per-topic series of topics no longer hosted, keeps the all-topics totals', async () => {
    let parts = [partition('a', 0, true, [1], 1), partition('gone', 0, true, [1], 1)]
    const m = new NodeMetrics(prom)
    m.bindBroker({replicas: {allPartitions: () => parts}})
    m.recordProduce('gone', 4, 40)
    assert.equal(sample(await scrapeOf(m), 'kafka_server_brokertopicmetrics_messagesin_total', {topic: 'gone'}), 4)
    parts = [parts[0]]
    const s = await scrapeOf(m)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_messagesin_total', {topic: 'gone'}), undefined)
    assert.equal(sample(s, 'kafka_server_brokertopicmetrics_messagesin_total'), 4)
  })

  it('requests_total by request and version; TotalTimeMs quantile gauges and _count; Fetch also as FetchConsumer/FetchFollower', async () => {
    const m = new NodeMetrics(prom)
    for (let i = 1; i <= 4; i++) m.recordRequest(0, 'Produce', 9, {}, i)
    m.recordRequest(0, 'Produce', 7, {}, 10)
    m.recordRequest(1, 'Fetch', 12, {replicaId: -1, replicaState: {replicaId: -1}}, 2)
    m.recordRequest(1, 'Fetch', 15, {replicaId: -1, replicaState: {replicaId: 2}}, 3)
    const s = await scrapeOf(m)
    assert.equal(sample(s, 'kafka_network_requestmetrics_requests_total', {request: 'Produce', version: '9'}), 4)
    assert.equal(sample(s, 'kafka_network_requestmetrics_requests_total', {request: 'Produce', version: '7'}), 1)
    assert.equal(sample(s, 'kafka_network_requestmetrics_requests_total', {request: 'FetchConsumer', version: '12'}), 1)
    assert.equal(sample(s, 'kafka_network_requestmetrics_requests_total', {request: 'FetchFollower', version: '15'}), 1)
    assert.equal(sample(s, 'kafka_network_requestmetrics_totaltimems_count', {request: 'Produce'}), 5)
    assert.equal(sample(s, 'kafka_network_requestmetrics_totaltimems_count', {request: 'Fetch'}), 2)
    assert.equal(s.get('kafka_network_requestmetrics_totaltimems')?.type, 'GAUGE')
    assert.equal(sample(s, 'kafka_network_requestmetrics_totaltimems', {request: 'Produce', quantile: '0.50'}), 3)
    assert.equal(sample(s, 'kafka_network_requestmetrics_totaltimems', {request: 'Produce', quantile: '0.999'}), 10)
  })

  it("log cleaner gauges under Kafka's LogCleaner / LogCleanerManager names", async () => {
    const m = new NodeMetrics(prom)
    m.bindBroker({
      replicas: {allPartitions: () => []},
      cleaner: {metricsSnapshot: () => ({maxBufferUtilizationPercent: 12, cleanerRecopyPercent: 3, maxCleanTimeSecs: 2, deadThreadCount: 0,
        maxDirtyPercent: 57, timeSinceLastRunMs: 1500, uncleanable: new Map([['/data/a', {partitions: 1, bytes: 4096}]])})},
    })
    const s = await scrapeOf(m)
    assert.equal(sample(s, 'kafka_log_logcleaner_max_buffer_utilization_percent'), 12)
    assert.equal(sample(s, 'kafka_log_logcleaner_cleaner_recopy_percent'), 3)
    assert.equal(sample(s, 'kafka_log_logcleaner_max_clean_time_secs'), 2)
    assert.equal(sample(s, 'kafka_log_logcleaner_deadthreadcount'), 0)
    assert.equal(sample(s, 'kafka_log_logcleanermanager_max_dirty_percent'), 57)
    assert.equal(sample(s, 'kafka_log_logcleanermanager_time_since_last_run_ms'), 1500)
    assert.equal(sample(s, 'kafka_log_logcleanermanager_uncleanable_partitions_count', {logDirectory: '/data/a'}), 1)
    assert.equal(sample(s, 'kafka_log_logcleanermanager_uncleanable_bytes', {logDirectory: '/data/a'}), 4096)
  })

  it('gauges read the bound sources at scrape time', async () => {
    const m = new NodeMetrics(prom)
    let s = await scrapeOf(m) // nothing bound yet: zeros, no per-partition series
    assert.equal(sample(s, 'kafka_server_replicamanager_partitioncount'), 0)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_activecontrollercount'), 0)
    assert.equal(s.get('kafka_log_log_size')?.metrics.length ?? 0, 0)

    const parts = [partition('t', 0, true, [1, 2], 100), partition('t', 1, true, [1], 250), partition('t', 2, false, [2], 0)]
    m.bindBroker({
      replicas: {allPartitions: () => parts},
      groups: {metricsSnapshot: () => ({groupsByState: new Map([['Stable', 2], ['Empty', 1]]), numOffsets: 9})},
      connections: {connectionCounts: () => new Map([['PLAINTEXT', 3], ['CONTROLLER', 0]])},
    })
    const partitionsOf = (leaders: number[]) => new Map(leaders.map((leader, i) => [i, {leader, replicas: [1, 2]}]))
    m.bindController({
      controller: {isActive: true},
      metadata: {image: {topicsByName: new Map([['t', {partitions: partitionsOf([1, 1, 2])}], ['u', {partitions: partitionsOf([-1])}]]),
        brokers: new Map([[1, {fenced: false}], [2, {fenced: true}]])}},
    })
    s = await scrapeOf(m)
    assert.equal(sample(s, 'kafka_server_replicamanager_partitioncount'), 3)
    assert.equal(sample(s, 'kafka_server_replicamanager_leadercount'), 2)
    assert.equal(sample(s, 'kafka_server_replicamanager_underreplicatedpartitions'), 1)
    assert.equal(sample(s, 'kafka_log_log_size', {topic: 't', partition: '1'}), 250)
    assert.equal(sample(s, 'kafka_log_log_logendoffset', {topic: 't', partition: '0'}), 7)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_activecontrollercount'), 1)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 1)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_globalpartitioncount'), 4)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_globaltopiccount'), 2)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_preferredreplicaimbalancecount'), 1)
    assert.equal(sample(s, 'kafka_controller_kafkacontroller_fencedbrokercount'), 1)
    assert.equal(sample(s, 'kafka_coordinator_group_groupmetadatamanager_numgroups'), 3)
    assert.equal(sample(s, 'kafka_coordinator_group_groupmetadatamanager_numgroupsstable'), 2)
    assert.equal(sample(s, 'kafka_coordinator_group_groupmetadatamanager_numgroupsdead'), 0)
    assert.equal(sample(s, 'kafka_coordinator_group_groupmetadatamanager_numoffsets'), 9)
    assert.equal(sample(s, 'kafka_server_socketservermetrics_connection_count', {listener: 'PLAINTEXT', network_processor: '0'}), 3)
  })

  it('two nodes in one process have separate registries', async () => {
    const a = new NodeMetrics(prom)
    const b = new NodeMetrics(prom)
    a.recordProduce('t', 1, 1)
    assert.equal(sample(await scrapeOf(a), 'kafka_server_brokertopicmetrics_messagesin_total'), 1)
    assert.equal(sample(await scrapeOf(b), 'kafka_server_brokertopicmetrics_messagesin_total'), 0)
    assert.equal(await prom.register.metrics(), '\n') // the global default registry stays empty
  })
})
