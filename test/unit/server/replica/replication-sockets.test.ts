/**
 * Replication over real sockets, in one process: three ReplicaManagers, each with its own logs in a
 * temp dir and a SocketServer serving the broker APIs; their fetchers talk Fetch / ListOffsets /
 * OffsetForLeaderEpoch to each other through NetworkLeaderEndpoint. The test plays the controller:
 * it keeps the metadata image (partition leaders, ISRs, epochs), decides AlterPartition with the
 * controller's own function and delivers images to the nodes it chooses (a node it skips keeps its
 * old view, like a broker behind on the metadata log). kafkajs produces with acks=all.
 */
import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {Kafka, logLevel, Partitioners} from 'kafkajs'
import {BrokerConnection} from '../../../../src/protocol/client/broker-connection.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import type {AlterPartitionRequest, AlterPartitionResponse} from '../../../../src/protocol/generated/messages/alter-partition.js'
import {FetchApi, type FetchResponse} from '../../../../src/protocol/generated/messages/fetch.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../../../src/protocol/generated/messages/list-offsets.js'
import {OffsetForLeaderEpochApi, type OffsetForLeaderEpochResponse} from '../../../../src/protocol/generated/messages/offset-for-leader-epoch.js'
import {ProduceApi, type ProduceResponse} from '../../../../src/protocol/generated/messages/produce.js'
import {brokerApis} from '../../../../src/server/apis/index.js'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {alterPartition} from '../../../../src/server/controller/replication-control.js'
import {LogManager} from '../../../../src/server/log/index.js'
import {DEFAULT_LOG_CONFIG} from '../../../../src/server/log/log-config.js'
import {metadataViewOf} from '../../../../src/server/metadata/image-metadata-view.js'
import {MetadataCache} from '../../../../src/server/metadata/metadata-cache.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {MetadataImage} from '../../../../src/server/metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'
import {NO_BROKER_METRICS} from '../../../../src/server/metrics/broker-metrics.js'
import {RequestDispatcher} from '../../../../src/server/network/request-dispatcher.js'
import {SocketServer} from '../../../../src/server/network/socket-server.js'
import {NetworkLeaderEndpoint} from '../../../../src/server/replica/leader-endpoint.js'
import type {PartitionState} from '../../../../src/server/replica/partition.js'
import {ReplicaManager} from '../../../../src/server/replica/replica-manager.js'
import type {BrokerServices} from '../../../../src/server/services.js'
import type {MetadataRaft} from '../../../../src/server/shared-server.js'
import {makeTempDir, removeTempDir} from '../../../helpers/temp-dir.js'
import {waitFor} from '../../../helpers/wait-for.js'
import {makeBatch} from './batch-fixture.js'
import {memoryLogger, type BatchFact} from './replication-harness.js'
import {batchHeaders, lastOffsetOf} from '../../../../src/protocol/records/record-batch.js'

const TOPIC = 'repl'

interface Node {
  id: number
  dir: string
  cache: MetadataCache
  logManager: LogManager
  rm: ReplicaManager
  server: SocketServer
  port: number
  lines: string[]
}

class SocketCluster {
  /** The controller's image; nodes see what was delivered to them. */
  image = MetadataImage.empty('repl-cluster')
  readonly nodes = new Map<number, Node>()

  async start(ids: number[]): Promise<void> {
    for (const id of ids) this.nodes.set(id, await this.startNode(id))
    const records: MetadataRecord[] = ids.map(id => ({type: T.REGISTER_BROKER, version: 3, data: {
      brokerId: id, incarnationId: randomBytes(16).toString('base64url'), brokerEpoch: 100 + id, features: [], rack: null, fenced: false, logDirs: [],
      endPoints: [{name: 'PLAINTEXT', host: '127.0.0.1', port: this.nodes.get(id)!.port, securityProtocol: 0}],
    }}))
    this.commit(records)
    this.deliver(ids)
  }

  private async startNode(id: number): Promise<Node> {
    const dir = makeTempDir(`kts-repl-sock-${id}-`)
    const lines: string[] = []
    const cache = new MetadataCache('repl-cluster')
    const logManager = new LogManager({logDirs: [dir]})
    await logManager.startup()
    const rm = new ReplicaManager({
      nodeId: id, logManager, logConfigFor: () => DEFAULT_LOG_CONFIG, minInsyncReplicasFor: () => 2, logger: memoryLogger(lines),
      alterPartition: req => this.handleAlterPartition(req),
      leaderEndpoint: leaderId => new NetworkLeaderEndpoint({
        nodeId: id, leaderId, clientId: `broker-${id}-fetcher-${leaderId}`, requestTimeoutMs: 10_000,
        address: () => cache.image.brokers.get(leaderId)?.endpoints.find(e => e.name === 'PLAINTEXT') ?? null,
        topicName: topicId => cache.image.topicsById.get(topicId)?.name,
      }),
      brokerStatus: b => {
        const r = cache.image.brokers.get(b)
        return r && {fenced: r.fenced, inControlledShutdown: r.inControlledShutdown, epoch: r.epoch}
      },
      brokerEpoch: () => cache.image.brokers.get(id)?.epoch ?? -1,
      fetcher: {backoffMs: 50, maxWaitMs: 200},
    })
    cache.onUpdate((_d, image) => {
      const states: PartitionState[] = []
      for (const t of metadataViewOf(image).topics()) states.push(...t.partitions)
      rm.applyPartitionStates(states)
    })
    const config = buildServerConfig({
      'node.id': String(id), 'process.roles': 'broker', 'auto.create.topics.enable': 'false', 'log.dirs': dir,
      'listeners': 'PLAINTEXT://127.0.0.1:0', 'controller.listener.names': 'CONTROLLER', 'controller.quorum.voters': '9@127.0.0.1:1',
    })
    const notHere = (): never => { throw new Error('not in this test') }
    const services = {
      nodeId: id, clusterId: 'repl-cluster', config, logger: memoryLogger(lines), metadata: cache,
      view: () => metadataViewOf(cache.image), raft: {nodeId: id, kraftVersion: () => 0} as unknown as MetadataRaft, replicaManager: rm,
      producerIds: notHere, groupCoordinator: notHere, controllerChannel: notHere, autoCreateTopics: notHere, metrics: NO_BROKER_METRICS,
    } as unknown as BrokerServices
    const dispatcher = new RequestDispatcher(brokerApis(), services, memoryLogger(lines))
    const server = new SocketServer([{name: 'PLAINTEXT', host: '127.0.0.1', port: 0}], 100 * 1024 * 1024, () => dispatcher, memoryLogger(lines))
    await server.start()
    return {id, dir, cache, logManager, rm, server, port: server.boundPorts.get('PLAINTEXT')!, lines}
  }

  async close(): Promise<void> {
    for (const n of this.nodes.values()) {
      await n.server.stop()
      await n.rm.shutdown()
      await n.logManager.shutdown()
      removeTempDir(n.dir)
    }
  }

  commit(records: MetadataRecord[]): void {
    const d = new MetadataDelta(this.image)
    for (const r of records) d.replay(r, this.image.offset + 1)
    this.image = d.apply()
  }

  /** Hands the controller's current image to these nodes. */
  deliver(ids: Iterable<number> = this.nodes.keys()): void {
    for (const id of ids) this.nodes.get(id)!.cache.publish(new MetadataDelta(this.image))
  }

  private async handleAlterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResponse> {
    const {records, response} = alterPartition(this.image, req, 3, false)
    this.commit(records)
    setImmediate(() => this.deliver())
    return response
  }

  node(id: number): Node {
    return this.nodes.get(id)!
  }

  get bootstrap(): string[] {
    return [...this.nodes.values()].map(n => `127.0.0.1:${n.port}`)
  }

  registration(partition = 0) {
    return this.image.topicsByName.get(TOPIC)!.partitions.get(partition)!
  }
}

function batches(n: Node, partition = 0): BatchFact[] {
  const log = n.rm.getPartition(TOPIC, partition)!.log
  const out: BatchFact[] = []
  let offset = log.logStartOffset
  while (offset < log.logEndOffset) {
    const {records} = log.read(offset, 1 << 20, log.logEndOffset, true)
    for (const h of batchHeaders(records)) {
      out.push({baseOffset: h.baseOffset, lastOffset: lastOffsetOf(h), epoch: h.partitionLeaderEpoch, crc: h.crc})
      offset = lastOffsetOf(h) + 1
    }
  }
  return out
}

describe('replication over sockets (in-process ReplicaManagers, a test controller)', function () {
  this.timeout(60_000)
  let c: SocketCluster
  let topicId: string

  beforeEach(async () => {
    c = new SocketCluster()
    await c.start([1, 2, 3])
    topicId = randomBytes(16).toString('base64url')
    const records: MetadataRecord[] = [{type: T.TOPIC, version: 0, data: {name: TOPIC, topicId}}]
    for (let p = 0; p < 2; p++) {
      const replicas = p === 0 ? [1, 2, 3] : [2, 3, 1]
      records.push({type: T.PARTITION, version: 0, data: {partitionId: p, topicId, replicas, isr: replicas, removingReplicas: [], addingReplicas: [], leader: replicas[0], leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0}})
    }
    c.commit(records)
    c.deliver()
  })
  afterEach(async () => { await c.close() })

  it('kafkajs acks=all: every replica holds the same batches at the same offsets with the same leader epochs', async () => {
    const kafka = new Kafka({clientId: 'repl-test', brokers: c.bootstrap, logLevel: logLevel.NOTHING, retry: {retries: 3}})
    const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false})
    await producer.connect()
    try {
      for (let i = 0; i < 10; i++) {
        const res = await producer.send({topic: TOPIC, acks: -1, messages: Array.from({length: 20}, (_, j) => ({key: `k${i}-${j}`, value: `v${i}-${j}`}))})
        for (const r of res) assert.equal(r.errorCode, 0)
      }
    } finally {
      await producer.disconnect()
    }
    for (const p of [0, 1]) {
      const leader = c.node(c.registration(p).leader)
      const lp = leader.rm.getPartition(TOPIC, p)!
      assert.ok(lp.highWatermark > 0)
      // acks=all was answered: the high watermark already covers everything on the leader.
      assert.equal(lp.highWatermark, lp.logEndOffset)
      const reference = batches(leader, p)
      await waitFor(() => [1, 2, 3].every(id => c.node(id).rm.getPartition(TOPIC, p)!.highWatermark === lp.logEndOffset), {message: `followers of ${p} know the high watermark`})
      for (const id of [1, 2, 3]) assert.deepEqual(batches(c.node(id), p), reference)
      assert.deepEqual(c.registration(p).isr.length, 3)
    }
  })

  it('a leader switch: the old leader truncates its divergent tail over the wire and rejoins the ISR', async () => {
    const send = async (bootstrap: string[], values: string[]): Promise<void> => {
      const kafka = new Kafka({clientId: 'repl-test', brokers: bootstrap, logLevel: logLevel.NOTHING, retry: {retries: 3}})
      const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false})
      await producer.connect()
      try {
        const res = await producer.send({topic: TOPIC, acks: -1, messages: values.map(value => ({partition: 0, value}))})
        assert.equal(res[0].errorCode, 0)
      } finally {
        await producer.disconnect()
      }
    }
    await send(c.bootstrap, Array.from({length: 10}, (_, j) => `before-${j}`))
    // The controller moves leadership to broker 2 (epoch 1, ISR 2,3); broker 1 does not hear of it yet.
    c.commit([{type: T.PARTITION_CHANGE, version: 0, data: {topicId, partitionId: 0, leader: 2, isr: [2, 3]}}])
    c.deliver([2, 3])
    // Broker 1 still believes it leads: an acks=1 append nobody will replicate.
    const stale = c.node(1).rm.appendRecords(TOPIC, 0, makeBatch({count: 4}), 9, 1)
    assert.equal(stale.errorCode, ErrorCode.NONE)
    assert.equal(c.node(1).rm.getPartition(TOPIC, 0)!.logEndOffset, 14)
    // A client that asks broker 2 for metadata produces to the new leader.
    await send([`127.0.0.1:${c.node(2).port}`], Array.from({length: 5}, (_, j) => `after-${j}`))
    const reference = batches(c.node(2))
    assert.deepEqual(reference.map(b => [b.baseOffset, b.lastOffset, b.epoch]), [[0, 9, 0], [10, 14, 1]])
    c.deliver([1])
    await waitFor(() => c.registration().isr.includes(1), {message: 'broker 1 back in the ISR'})
    await waitFor(() => c.node(1).rm.getPartition(TOPIC, 0)!.logEndOffset === 15, {message: 'broker 1 caught up'})
    assert.deepEqual(batches(c.node(1)), reference)
    assert.deepEqual(batches(c.node(3)), reference)
    assert.ok(c.node(1).lines.some(l => l.includes('Truncating partition repl-0 to offset 10')), c.node(1).lines.join('\n'))
  })

  it('bad input over the wire: a Fetch from a non-replica and a Produce to a follower get Kafka\'s codes, nothing changes, the broker keeps serving', async () => {
    const conn = await BrokerConnection.connect({host: '127.0.0.1', port: c.node(1).port, clientId: 'bad-input'})
    try {
      const fetchAs = async (replicaId: number, currentLeaderEpoch: number): Promise<number> => {
        const res = await conn.send(FetchApi, 15, {
          replicaState: {replicaId, replicaEpoch: -1}, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, sessionEpoch: -1,
          topics: [{topicId, partitions: [{partition: 0, currentLeaderEpoch, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: 0, partitionMaxBytes: 1 << 20}]}],
        }) as FetchResponse
        return res.responses[0].partitions[0].errorCode
      }
      // Broker 4 is no replica of repl-0 (nor any broker at all).
      assert.equal(await fetchAs(4, 0), ErrorCode.UNKNOWN_LEADER_EPOCH)
      assert.equal(await fetchAs(4, -1), ErrorCode.NOT_LEADER_OR_FOLLOWER)
      assert.equal(c.node(1).rm.getPartition(TOPIC, 0)!.follower(4), undefined)
      assert.equal(await fetchAs(2, 7), ErrorCode.UNKNOWN_LEADER_EPOCH)
      // Broker 1 follows repl-1 (led by 2): Produce is refused and appends nothing.
      const follower = c.node(1).rm.getPartition(TOPIC, 1)!
      const end = follower.logEndOffset
      const res = await conn.send(ProduceApi, 9, {acks: -1, timeoutMs: 1000, topicData: [{name: TOPIC, partitionData: [{index: 1, records: makeBatch({count: 2})}]}]}) as ProduceResponse
      assert.equal(res.responses[0].partitionResponses[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
      assert.equal(follower.logEndOffset, end)
      // Stale and future epochs in ListOffsets and OffsetForLeaderEpoch.
      const listOffsets = async (currentLeaderEpoch: number): Promise<number> => {
        const r = await conn.send(ListOffsetsApi, 7, {replicaId: -1, topics: [{name: TOPIC, partitions: [{partitionIndex: 0, currentLeaderEpoch, timestamp: -1}]}]}) as ListOffsetsResponse
        return r.topics[0].partitions[0].errorCode
      }
      const epochEnd = async (partition: number, currentLeaderEpoch: number): Promise<number> => {
        const r = await conn.send(OffsetForLeaderEpochApi, 4, {replicaId: 2, topics: [{topic: TOPIC, partitions: [{partition, currentLeaderEpoch, leaderEpoch: 0}]}]}) as OffsetForLeaderEpochResponse
        return r.topics[0].partitions[0].errorCode
      }
      c.commit([{type: T.PARTITION_CHANGE, version: 0, data: {topicId, partitionId: 0, leader: 1, isr: null}}])
      c.deliver()
      assert.equal(await listOffsets(0), ErrorCode.FENCED_LEADER_EPOCH)
      assert.equal(await listOffsets(2), ErrorCode.UNKNOWN_LEADER_EPOCH)
      assert.equal(await listOffsets(1), ErrorCode.NONE)
      assert.equal(await epochEnd(0, 0), ErrorCode.FENCED_LEADER_EPOCH)
      assert.equal(await epochEnd(0, 2), ErrorCode.UNKNOWN_LEADER_EPOCH)
      assert.equal(await epochEnd(1, 0), ErrorCode.NOT_LEADER_OR_FOLLOWER)
      assert.equal(await fetchAs(-1, 1), ErrorCode.NONE, 'still serving')
    } finally {
      conn.close()
    }
  })
})
