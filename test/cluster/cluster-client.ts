/**
 * What the cluster tests ask of a running cluster, through the Kafka protocol only: the quorum's
 * state (DescribeQuorum to a controller), each broker's view (Metadata to that broker), topic
 * creation through a given broker (CreateTopics, forwarded by it to the active controller).
 */
import {BrokerConnection} from '../../src/protocol/client/broker-connection.js'
import {DescribeQuorumApi, type DescribeQuorumResponse} from '../../src/protocol/generated/messages/describe-quorum.js'
import {MetadataApi, type MetadataResponse} from '../../src/protocol/generated/messages/metadata.js'
import {CreateTopicsApi, type CreateTopicsResponse} from '../../src/protocol/generated/messages/create-topics.js'
import {FindCoordinatorApi, type FindCoordinatorResponse} from '../../src/protocol/generated/messages/find-coordinator.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../src/protocol/generated/messages/list-offsets.js'
import type {ClusterHandle} from '../helpers/cluster-process.js'

async function withConnection<T>(port: number, fn: (c: BrokerConnection) => Promise<T>, timeoutMs = 5000): Promise<T> {
  const c = await BrokerConnection.connect({host: '127.0.0.1', port, clientId: 'cluster-test', connectTimeoutMs: timeoutMs, requestTimeoutMs: timeoutMs})
  try {
    return await fn(c)
  } finally {
    c.close()
  }
}

export interface QuorumState {
  leaderId: number
  leaderEpoch: number
  highWatermark: number
  voters: {replicaId: number, logEndOffset: number}[]
  observers: {replicaId: number, logEndOffset: number}[]
}

/** DescribeQuorum sent to the controller listener on `port`; null when that node is not the leader or is down. */
export async function describeQuorum(port: number): Promise<QuorumState | null> {
  try {
    return await withConnection(port, async c => {
      const res = await c.send(DescribeQuorumApi, c.version(DescribeQuorumApi), {topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}) as DescribeQuorumResponse
      const p = res.topics[0]?.partitions[0]
      if (!p || res.errorCode !== 0 || p.errorCode !== 0) return null
      return {leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, highWatermark: p.highWatermark, voters: p.currentVoters, observers: p.observers}
    }, 2000)
  } catch {
    return null
  }
}

/** The quorum as its current leader describes it (asks every running controller). */
export async function quorumState(cluster: ClusterHandle): Promise<QuorumState | null> {
  for (const n of cluster.nodes) {
    if (!n.controllerPort || !n.process.running) continue
    const q = await describeQuorum(n.controllerPort)
    if (q) return q
  }
  return null
}

export interface BrokerMetadata {
  brokers: number[]
  controllerId: number
  topics: Map<string, {topicId: string, partitions: PartitionMetadata[]}>
}

export interface PartitionMetadata {
  partitionIndex: number
  errorCode: number
  leaderId: number
  leaderEpoch: number
  replicaNodes: number[]
  isrNodes: number[]
}

/** Metadata (all topics) as the broker listening on `port` sees it. */
export function brokerMetadata(port: number): Promise<BrokerMetadata> {
  return withConnection(port, async c => {
    const res = await c.send(MetadataApi, c.version(MetadataApi, 12), {topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false}) as MetadataResponse
    return {
      brokers: res.brokers.map(b => b.nodeId).sort((a, b) => a - b),
      controllerId: res.controllerId,
      topics: new Map(res.topics.map(t => [t.name ?? '', {topicId: t.topicId, partitions: t.partitions}])),
    }
  })
}

/** A topic to create; `configs` are topic config overrides. */
export interface NewTopic {
  name: string
  numPartitions: number
  replicationFactor: number
  configs?: Record<string, string>
}

/** CreateTopics through the broker on `port`; resolves with the per-topic error codes. */
export function createTopics(port: number, topics: NewTopic[], timeoutMs = 10_000): Promise<Map<string, number>> {
  return withConnection(port, async c => {
    const res = await c.send(CreateTopicsApi, c.version(CreateTopicsApi, 7), {
      topics: topics.map(t => ({
        name: t.name, numPartitions: t.numPartitions, replicationFactor: t.replicationFactor, assignments: [],
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({name, value})),
      })),
      timeoutMs, validateOnly: false,
    }) as CreateTopicsResponse
    return new Map(res.topics.map(t => [t.name, t.errorCode]))
  }, timeoutMs + 2000)
}

/**
 * ListOffsets (latest, i.e. the high watermark for a consumer) of `partitions` of `topic`, sent to
 * the broker on `port`; a partition this broker does not lead maps to its error code as a negative
 * number (-errorCode).
 */
export function latestOffsets(port: number, topic: string, partitions: number[]): Promise<Map<number, number>> {
  return withConnection(port, async c => {
    const res = await c.send(ListOffsetsApi, c.version(ListOffsetsApi, 7), {
      replicaId: -1, isolationLevel: 0, timeoutMs: 5000,
      topics: [{name: topic, partitions: partitions.map(partitionIndex => ({partitionIndex, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1}))}],
    }) as ListOffsetsResponse
    return new Map(res.topics[0].partitions.map(p => [p.partitionIndex, p.errorCode === 0 ? p.offset : -p.errorCode]))
  }, 3000)
}

/** FindCoordinator (v3, group) sent to the broker on `port`: the coordinator's node id, or -errorCode. */
export function findGroupCoordinator(port: number, groupId: string): Promise<number> {
  return withConnection(port, async c => {
    const res = await c.send(FindCoordinatorApi, 3, {key: groupId, keyType: 0, coordinatorKeys: []}) as FindCoordinatorResponse
    return res.errorCode === 0 ? res.nodeId : -res.errorCode
  }, 3000)
}
