/**
 * The Prometheus registry of one node, with the metric names and labels that the common Kafka
 * JMX-exporter rules produce (prometheus/jmx_exporter `example_configs/kafka-2_0_0.yml`: generic
 * `kafka_<domain>_<type>_<name>` gauges, `..._total` for `*PerSec` meters, `quantile` gauges and
 * `_count` for histograms; Confluent's jmx-monitoring-stacks rule for `socket-server-metrics`), so
 * dashboards built on those names work unchanged.
 *
 * Counters are plain numbers bumped by the request path through {@link BrokerMetrics}; gauges are
 * computed at scrape time (prom-client `collect()`) from the live objects bound with `bindBroker`
 * / `bindController`. Nothing here runs between scrapes except the BrokerMetrics additions.
 * Each node has its own `Registry` (never prom-client's global one), so in-process nodes do not clash.
 * prom-client is passed in (loaded with a dynamic import only when metrics are configured: it
 * costs ~50 ms of start-up).
 */
import type {Registry} from 'prom-client'
import type {FetchRequest} from '../../protocol/generated/messages/fetch.js'
import type {LogCleanerMetrics} from '../log/cleaner/log-cleaner.js'
import type {BrokerMetrics} from './broker-metrics.js'
import {LatencyReservoir, QUANTILES} from './latency-reservoir.js'

// ---- what the gauges read (structural: ReplicaManager, Partition, GroupCoordinator, ... satisfy them) ----

/** A partition replica hosted by this node (`replica/partition.ts` Partition). */
export interface HostedPartition {
  readonly topic: string
  readonly partitionIndex: number
  readonly isLeader: boolean
  readonly state: {readonly replicas: readonly number[], readonly isr: readonly number[]}
  readonly log: {readonly size: number, readonly logStartOffset: number, readonly logEndOffset: number, readonly numberOfSegments: number}
}

/** Group and offset counts of the groups this node coordinates (GroupCoordinator.metricsSnapshot). */
export interface GroupCounts {
  /** Groups by Kafka's state name (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead). */
  groupsByState: ReadonlyMap<string, number>
  numOffsets: number
}

export interface BrokerSources {
  replicas: {allPartitions(): Iterable<HostedPartition>}
  groups?: {metricsSnapshot(): GroupCounts}
  /** Open connections by listener name, every listener present (SocketServer.connectionCounts). */
  connections?: {connectionCounts(): ReadonlyMap<string, number>}
  /** The log cleaner (LogCleaner.metricsSnapshot). */
  cleaner?: {metricsSnapshot(): LogCleanerMetrics}
}

/** The metadata image parts the controller gauges read (`metadata/metadata-image.ts`). */
export interface ImageCounts {
  readonly topicsByName: ReadonlyMap<string, {readonly partitions: ReadonlyMap<number, ImagePartition>}>
  readonly brokers: ReadonlyMap<number, {readonly fenced: boolean}>
}

export interface ControllerSources {
  controller: {readonly isActive: boolean}
  metadata: {readonly image: ImageCounts}
  /** Open connections by controller listener name (ControllerServer.connectionCounts). */
  connections?: {connectionCounts(): ReadonlyMap<string, number>}
}

/** One series at scrape time: its labels and value. */
type Series = [labels: Record<string, string | number>, value: number]

interface ImagePartition {
  readonly leader: number
  readonly replicas: readonly number[]
}

// ---- hot-path totals -----------------------------------------------------------------------------

class TopicTotals {
  messagesIn = 0
  bytesIn = 0
  bytesOut = 0
  replicationBytesOut = 0
  produceRequests = 0
  fetchRequests = 0
}

class RequestTotals {
  /** Requests by API version. */
  readonly byVersion: number[] = []
  readonly times = new LatencyReservoir()
  constructor(readonly name: string) {}

  add(version: number, ms: number): void {
    this.byVersion[version] = (this.byVersion[version] ?? 0) + 1
    this.times.add(ms)
  }
}

const FETCH_API_KEY = 1
/** Group state → GroupMetadataManager gauge (NumGroupsStable, ...). */
const GROUP_STATES = ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'] as const

export type PromClient = typeof import('prom-client')

export class NodeMetrics implements BrokerMetrics {
  readonly registry: Registry
  private readonly all = new TopicTotals()
  private readonly topics = new Map<string, TopicTotals>()
  /** By API key; a Fetch also counts in `fetchConsumer` or `fetchFollower`. */
  private readonly requests: (RequestTotals | undefined)[] = []
  private readonly fetchConsumer = new RequestTotals('FetchConsumer')
  private readonly fetchFollower = new RequestTotals('FetchFollower')
  private broker: BrokerSources | null = null
  private controller: ControllerSources | null = null

  private readonly Counter: PromClient['Counter']
  private readonly Gauge: PromClient['Gauge']

  constructor(prom: PromClient) {
    this.registry = new prom.Registry()
    this.Counter = prom.Counter
    this.Gauge = prom.Gauge
    this.registerBrokerTopicMetrics()
    this.registerRequestMetrics()
    this.registerReplicaManagerMetrics()
    this.registerLogMetrics()
    this.registerControllerMetrics()
    this.registerGroupMetrics()
    this.registerSocketServerMetrics()
    this.registerLogCleanerMetrics()
  }

  bindBroker(sources: BrokerSources): void {
    this.broker = sources
  }

  bindController(sources: ControllerSources): void {
    this.controller = sources
  }

  // ---- BrokerMetrics (hot path) -----------------------------------------------------------------

  recordProduce(topic: string, records: number, bytes: number): void {
    const t = this.topicTotals(topic)
    t.messagesIn += records
    t.bytesIn += bytes
    t.produceRequests++
    this.all.messagesIn += records
    this.all.bytesIn += bytes
    this.all.produceRequests++
  }

  recordFetch(topic: string, bytes: number, fromFollower: boolean): void {
    const t = this.topicTotals(topic)
    t.fetchRequests++
    this.all.fetchRequests++
    if (fromFollower) {
      this.all.replicationBytesOut += bytes
    } else {
      t.bytesOut += bytes
      this.all.bytesOut += bytes
    }
  }

  recordRequest(apiKey: number, apiName: string, apiVersion: number, request: unknown, totalTimeMs: number): void {
    let r = this.requests[apiKey]
    if (r === undefined) r = this.requests[apiKey] = new RequestTotals(apiName)
    r.add(apiVersion, totalTimeMs)
    if (apiKey === FETCH_API_KEY) {
      const f = request as FetchRequest
      const replicaId = apiVersion >= 15 ? f.replicaState.replicaId : f.replicaId
      ;(replicaId >= 0 ? this.fetchFollower : this.fetchConsumer).add(apiVersion, totalTimeMs)
    }
  }

  private topicTotals(topic: string): TopicTotals {
    let t = this.topics.get(topic)
    if (t === undefined) {
      t = new TopicTotals()
      this.topics.set(topic, t)
    }
    return t
  }

  // ---- registration ----------------------------------------------------------------------------

  /** Registers a counter or gauge whose series `series()` yields at scrape time (labels, value). */
  private register(kind: 'counter' | 'gauge', name: string, help: string, labelNames: string[], series: () => Iterable<Series>): void {
    const config = {name, help, labelNames, registers: [this.registry]}
    if (kind === 'counter') {
      new this.Counter({...config, collect() {
        this.reset()
        for (const [labels, v] of series()) this.inc(labels, v)
      }})
    } else {
      new this.Gauge({...config, collect() {
        this.reset()
        for (const [labels, v] of series()) this.set(labels, v)
      }})
    }
  }

  /** Partitions hosted here (none before the broker is bound). */
  private hosted(): Iterable<HostedPartition> {
    return this.broker ? this.broker.replicas.allPartitions() : []
  }

  /** kafka.server:type=BrokerTopicMetrics,name=*PerSec[,topic=T] → kafka_server_brokertopicmetrics_*_total. */
  private registerBrokerTopicMetrics(): void {
    const counter = (name: string, help: string, read: (t: TopicTotals) => number, perTopic = true): void => {
      this.register('counter', `kafka_server_brokertopicmetrics_${name}_total`, help, ['topic'], () => {
        const out: Series[] = [[{}, read(this.all)]]
        if (perTopic) {
          this.pruneTopics()
          for (const [topic, t] of this.topics) out.push([{topic}, read(t)])
        }
        return out
      })
    }
    counter('messagesin', 'Records appended by Produce requests (MessagesInPerSec), per topic and for all topics', (t) => t.messagesIn)
    counter('bytesin', 'Bytes of record batches received by Produce requests (BytesInPerSec)', (t) => t.bytesIn)
    counter('bytesout', 'Bytes of record batches sent to consumers in Fetch responses (BytesOutPerSec)', (t) => t.bytesOut)
    counter('replicationbytesout', 'Bytes of record batches sent to follower replicas (ReplicationBytesOutPerSec)', (t) => t.replicationBytesOut, false)
    counter('totalproducerequests', 'Produce requests, counted per appended partition (TotalProduceRequestsPerSec)', (t) => t.produceRequests)
    counter('totalfetchrequests', 'Fetch requests, counted per partition read (TotalFetchRequestsPerSec)', (t) => t.fetchRequests)
  }

  /** Drops the per-topic totals of topics no longer hosted here (Kafka removes them with the topic). */
  private pruneTopics(): void {
    if (this.broker === null) return
    const hosted = new Set<string>()
    for (const p of this.hosted()) hosted.add(p.topic)
    for (const topic of this.topics.keys()) if (!hosted.has(topic)) this.topics.delete(topic)
  }

  /** kafka.network:type=RequestMetrics,name=RequestsPerSec|TotalTimeMs,request=R[,version=V]. */
  private registerRequestMetrics(): void {
    const all = (): RequestTotals[] => {
      const out = this.requests.filter((r): r is RequestTotals => r !== undefined)
      for (const f of [this.fetchConsumer, this.fetchFollower]) if (f.times.count > 0) out.push(f)
      return out
    }
    this.register('counter', 'kafka_network_requestmetrics_requests_total', 'Requests handled, by request name and version (RequestsPerSec)',
      ['request', 'version'], () => {
        const out: Series[] = []
        for (const r of all()) r.byVersion.forEach((n, version) => out.push([{request: r.name, version}, n]))
        return out
      })
    this.register('gauge', 'kafka_network_requestmetrics_totaltimems',
      'Request time in ms from decoding to the encoded response, quantiles over the last 1028 requests of each name (TotalTimeMs)',
      ['request', 'quantile'], () => {
        const out: Series[] = []
        for (const r of all()) {
          const values = r.times.quantiles(QUANTILES.map((q) => q.q))
          if (values !== null) QUANTILES.forEach((q, i) => out.push([{request: r.name, quantile: q.label}, values[i]]))
        }
        return out
      })
    this.register('counter', 'kafka_network_requestmetrics_totaltimems_count', 'Requests timed, by request name (TotalTimeMs count)',
      ['request'], () => all().map((r): Series => [{request: r.name}, r.times.count]))
  }

  /** kafka.server:type=ReplicaManager,name=PartitionCount|LeaderCount|UnderReplicatedPartitions. */
  private registerReplicaManagerMetrics(): void {
    const gauge = (name: string, help: string, count: (p: HostedPartition) => boolean): void => {
      this.register('gauge', `kafka_server_replicamanager_${name}`, help, [], () => {
        let n = 0
        for (const p of this.hosted()) if (count(p)) n++
        return [[{}, n]]
      })
    }
    gauge('partitioncount', 'Partitions hosted by this broker (PartitionCount)', () => true)
    gauge('leadercount', 'Partitions this broker leads (LeaderCount)', (p) => p.isLeader)
    gauge('underreplicatedpartitions', 'Led partitions whose ISR is smaller than the replica set (UnderReplicatedPartitions)',
      (p) => p.isLeader && p.state.isr.length < p.state.replicas.length)
  }

  /** kafka.log:type=Log,name=Size|LogStartOffset|LogEndOffset|NumLogSegments,topic=T,partition=P. */
  private registerLogMetrics(): void {
    const gauge = (name: string, help: string, read: (p: HostedPartition) => number): void => {
      this.register('gauge', `kafka_log_log_${name}`, help, ['topic', 'partition'], () => {
        const out: Series[] = []
        for (const p of this.hosted()) out.push([{topic: p.topic, partition: p.partitionIndex}, read(p)])
        return out
      })
    }
    gauge('size', 'Bytes of the partition\'s log segments on disk (Size)', (p) => p.log.size)
    gauge('logstartoffset', 'Log start offset (LogStartOffset)', (p) => p.log.logStartOffset)
    gauge('logendoffset', 'Log end offset (LogEndOffset)', (p) => p.log.logEndOffset)
    gauge('numlogsegments', 'Segments of the log (NumLogSegments)', (p) => p.log.numberOfSegments)
  }

  /** kafka.controller:type=KafkaController,name=... (from this node's metadata image). */
  private registerControllerMetrics(): void {
    const gauge = (name: string, help: string, read: (c: ControllerSources) => number): void => {
      this.register('gauge', `kafka_controller_kafkacontroller_${name}`, help, [], () => [[{}, this.controller ? read(this.controller) : 0]])
    }
    const countPartitions = (c: ControllerSources, pred: (p: ImagePartition) => boolean): number => {
      let n = 0
      for (const t of c.metadata.image.topicsByName.values()) for (const p of t.partitions.values()) if (pred(p)) n++
      return n
    }
    const countBrokers = (c: ControllerSources, fenced: boolean): number => {
      let n = 0
      for (const b of c.metadata.image.brokers.values()) if (b.fenced === fenced) n++
      return n
    }
    gauge('activecontrollercount', '1 on the active controller, else 0 (ActiveControllerCount)', (c) => (c.controller.isActive ? 1 : 0))
    gauge('offlinepartitionscount', 'Partitions without a leader (OfflinePartitionsCount)', (c) => countPartitions(c, (p) => p.leader < 0))
    gauge('preferredreplicaimbalancecount', 'Partitions led by a replica other than the first (PreferredReplicaImbalanceCount)',
      (c) => countPartitions(c, (p) => p.leader >= 0 && p.leader !== p.replicas[0]))
    gauge('globaltopiccount', 'Topics in the cluster (GlobalTopicCount)', (c) => c.metadata.image.topicsByName.size)
    gauge('globalpartitioncount', 'Partitions in the cluster (GlobalPartitionCount)', (c) => countPartitions(c, () => true))
    gauge('activebrokercount', 'Registered, unfenced brokers (ActiveBrokerCount)', (c) => countBrokers(c, false))
    gauge('fencedbrokercount', 'Registered, fenced brokers (FencedBrokerCount)', (c) => countBrokers(c, true))
  }

  /**
   * kafka.log:type=LogCleaner,name=max-buffer-utilization-percent|cleaner-recopy-percent|max-clean-time-secs|DeadThreadCount
   * and kafka.log:type=LogCleanerManager,name=max-dirty-percent|time-since-last-run-ms|uncleanable-partitions-count|uncleanable-bytes.
   */
  private registerLogCleanerMetrics(): void {
    const gauge = (type: string, name: string, help: string, read: (c: LogCleanerMetrics) => number): void => {
      this.register('gauge', `kafka_log_${type}_${name}`, help, [], () => {
        const c = this.broker?.cleaner?.metricsSnapshot()
        return [[{}, c ? read(c) : 0]]
      })
    }
    gauge('logcleaner', 'max_buffer_utilization_percent', 'Fullest offset map of the cleaner threads\' last passes, percent (max-buffer-utilization-percent)', (c) => c.maxBufferUtilizationPercent)
    gauge('logcleaner', 'cleaner_recopy_percent', 'Bytes written / bytes read by the threads\' last passes, percent (cleaner-recopy-percent)', (c) => c.cleanerRecopyPercent)
    gauge('logcleaner', 'max_clean_time_secs', 'Longest of the threads\' last passes, seconds (max-clean-time-secs)', (c) => c.maxCleanTimeSecs)
    gauge('logcleaner', 'deadthreadcount', 'Cleaner threads stopped by an error (DeadThreadCount)', (c) => c.deadThreadCount)
    gauge('logcleanermanager', 'max_dirty_percent', 'Largest dirty ratio of the compacted logs, percent (max-dirty-percent)', (c) => c.maxDirtyPercent)
    gauge('logcleanermanager', 'time_since_last_run_ms', 'Since a cleaner thread last looked for a log, ms (time-since-last-run-ms)', (c) => c.timeSinceLastRunMs)
    const perDir = (name: string, help: string, read: (v: {partitions: number, bytes: number}) => number): void => {
      this.register('gauge', `kafka_log_logcleanermanager_${name}`, help, ['logDirectory'], () => {
        const out: Series[] = []
        for (const [dir, v] of this.broker?.cleaner?.metricsSnapshot().uncleanable ?? []) out.push([{logDirectory: dir}, read(v)])
        return out
      })
    }
    perDir('uncleanable_partitions_count', 'Logs the cleaner failed on, uncleanable until restart (uncleanable-partitions-count)', (v) => v.partitions)
    perDir('uncleanable_bytes', 'Bytes of the logs the cleaner failed on (uncleanable-bytes)', (v) => v.bytes)
  }

  /** kafka.coordinator.group:type=GroupMetadataManager,name=NumGroups* | NumOffsets. */
  private registerGroupMetrics(): void {
    const gauge = (name: string, help: string, read: (g: GroupCounts) => number): void => {
      this.register('gauge', `kafka_coordinator_group_groupmetadatamanager_${name}`, help, [], () => {
        const g = this.broker?.groups?.metricsSnapshot()
        return [[{}, g ? read(g) : 0]]
      })
    }
    gauge('numgroups', 'Groups this node coordinates (NumGroups)', (g) => {
      let n = 0
      for (const c of g.groupsByState.values()) n += c
      return n
    })
    for (const state of GROUP_STATES) {
      gauge(`numgroups${state.toLowerCase()}`, `Groups in state ${state} (NumGroups${state})`, (g) => g.groupsByState.get(state) ?? 0)
    }
    gauge('numoffsets', 'Committed offsets held by the groups this node coordinates (NumOffsets)', (g) => g.numOffsets)
  }

  /** kafka.server:type=socket-server-metrics,listener=L,networkProcessor=N attribute connection-count. */
  private registerSocketServerMetrics(): void {
    this.register('gauge', 'kafka_server_socketservermetrics_connection_count',
      'Open connections, by listener (connection-count; kts has one network processor per listener)',
      ['listener', 'network_processor'], () => {
        const counts = [...this.broker?.connections?.connectionCounts() ?? [], ...this.controller?.connections?.connectionCounts() ?? []]
        return counts.map(([listener, n]): Series => [{listener, network_processor: '0'}, n])
      })
  }
}
