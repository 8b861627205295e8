/**
 * How a follower reaches the leader of its partitions (Kafka `LeaderEndPoint` /
 * `RemoteLeaderEndPoint`): Fetch with this broker's replica id and broker epoch, OffsetForLeaderEpoch
 * and ListOffsets. `NetworkLeaderEndpoint` speaks the Kafka protocol to the leader's
 * `inter.broker.listener.name` endpoint over one BrokerConnection; tests put an in-memory endpoint
 * behind the same interface.
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {BrokerConnection, ProtocolClientError} from '../../protocol/client/broker-connection.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {FetchApi, type FetchRequest, type FetchResponse} from '../../protocol/generated/messages/fetch.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../protocol/generated/messages/list-offsets.js'
import {OffsetForLeaderEpochApi, type OffsetForLeaderEpochResponse} from '../../protocol/generated/messages/offset-for-leader-epoch.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {FetchPartitionRequest, FetchPartitionResult} from './replica-manager.js'

/** One partition of a follower's Fetch. */
export interface ReplicaFetchPartition extends FetchPartitionRequest {
  topicId: string
  /** Epoch of the last batch the follower has (-1: none), for the leader's divergence check (KIP-320). */
  lastFetchedEpoch: number
  /** The follower's log start offset. */
  logStartOffset: number
}

export interface ReplicaFetchRequest {
  replicaId: number
  /** This broker's broker epoch (ReplicaState.ReplicaEpoch, KIP-903). */
  replicaEpoch: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  partitions: ReplicaFetchPartition[]
}

/** OffsetForLeaderEpoch answer for one partition. */
export interface EpochEndOffset {
  topic: string
  partition: number
  errorCode: number
  leaderEpoch: number
  endOffset: number
}

/** ListOffsets timestamps a follower asks for. */
export const LATEST_OFFSET = -1
export const EARLIEST_OFFSET = -2

export interface LeaderEndpoint {
  /**
   * Whether the leader answers Fetch with DivergingEpoch (Fetch v12+, KIP-320 truncation on fetch);
   * otherwise the follower truncates with OffsetForLeaderEpoch first.
   * @throws ProtocolClientError when the leader cannot be reached
   */
  truncationOnFetchSupported(): Promise<boolean>
  /** @throws ProtocolClientError on connection failures and top-level errors */
  fetch(req: ReplicaFetchRequest): Promise<FetchPartitionResult[]>
  /** @throws ProtocolClientError */
  fetchEpochEndOffsets(partitions: {topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number}[]): Promise<EpochEndOffset[]>
  /**
   * The leader's log end offset (LATEST_OFFSET) or log start offset (EARLIEST_OFFSET) of a partition.
   * @throws ProtocolClientError
   */
  fetchOffset(topic: string, partition: number, currentLeaderEpoch: number, timestamp: number): Promise<{errorCode: number, offset: number}>
  close(): void
}

export interface NetworkLeaderEndpointOptions {
  /** This broker's id (the replica id of its requests). */
  nodeId: number
  leaderId: number
  /** The leader's address on inter.broker.listener.name, null while the image has none. */
  address(): {host: string, port: number} | null
  /** Topic name of a topic id (Fetch v13+ answers with ids). */
  topicName(topicId: string): string | undefined
  clientId: string
  /** replica.socket.timeout.ms */
  requestTimeoutMs: number
  /** How to secure the connection to the leader's inter-broker listener (PLAINTEXT when absent). */
  security?: ClientSecurity
}

/** The Kafka-protocol endpoint of a remote leader (Kafka `RemoteLeaderEndPoint`). */
export class NetworkLeaderEndpoint implements LeaderEndpoint {
  private conn: Promise<BrokerConnection> | null = null
  private closed = false

  constructor(private readonly opts: NetworkLeaderEndpointOptions) {}

  async truncationOnFetchSupported(): Promise<boolean> {
    const c = await this.connection()
    return c.version(FetchApi) >= 12
  }

  async fetch(req: ReplicaFetchRequest): Promise<FetchPartitionResult[]> {
    const res = await this.call<FetchResponse>(FetchApi, 17, version => {
      const usesIds = version >= 13
      const topics = new Map<string, NonNullable<Input<FetchRequest>['topics']>[number] & {partitions: unknown[]}>()
      for (const p of req.partitions) {
        const k = usesIds ? p.topicId : p.topic
        let t = topics.get(k)
        if (!t) {
          t = {topic: p.topic, topicId: p.topicId, partitions: []}
          topics.set(k, t)
        }
        t.partitions.push({
          partition: p.partition, currentLeaderEpoch: p.currentLeaderEpoch, fetchOffset: p.fetchOffset,
          lastFetchedEpoch: p.lastFetchedEpoch, logStartOffset: p.logStartOffset, partitionMaxBytes: p.partitionMaxBytes,
        })
      }
      const body: Input<FetchRequest> = {
        clusterId: null, replicaId: version >= 15 ? -1 : req.replicaId, replicaState: {replicaId: req.replicaId, replicaEpoch: req.replicaEpoch},
        maxWaitMs: req.maxWaitMs, minBytes: req.minBytes, maxBytes: req.maxBytes, isolationLevel: 0,
        sessionId: 0, sessionEpoch: -1, topics: [...topics.values()], forgottenTopicsData: [], rackId: '',
      }
      return body
    })
    if (res.errorCode !== ErrorCode.NONE) throw new ProtocolClientError(`Fetch from broker ${this.opts.leaderId} failed with error ${res.errorCode}`)
    const out: FetchPartitionResult[] = []
    for (const t of res.responses) {
      const topic = t.topicId && t.topicId !== ZERO_UUID ? this.opts.topicName(t.topicId) : t.topic
      if (topic === undefined) continue
      for (const p of t.partitions) {
        const d = p.divergingEpoch
        out.push({
          topic, partition: p.partitionIndex, errorCode: p.errorCode, highWatermark: p.highWatermark,
          lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset, records: p.records,
          divergingEpoch: d && (d.epoch >= 0 || d.endOffset >= 0) ? {epoch: d.epoch, endOffset: d.endOffset} : null,
        })
      }
    }
    return out
  }

  async fetchEpochEndOffsets(partitions: {topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number}[]): Promise<EpochEndOffset[]> {
    const byTopic = new Map<string, {partition: number, currentLeaderEpoch: number, leaderEpoch: number}[]>()
    for (const p of partitions) {
      const list = byTopic.get(p.topic) ?? []
      list.push({partition: p.partition, currentLeaderEpoch: p.currentLeaderEpoch, leaderEpoch: p.leaderEpoch})
      byTopic.set(p.topic, list)
    }
    const res = await this.call<OffsetForLeaderEpochResponse>(OffsetForLeaderEpochApi, 4, () => ({
      replicaId: this.opts.nodeId, topics: [...byTopic].map(([topic, ps]) => ({topic, partitions: ps})),
    }))
    return res.topics.flatMap(t => t.partitions.map(p => ({topic: t.topic, partition: p.partition, errorCode: p.errorCode, leaderEpoch: p.leaderEpoch, endOffset: p.endOffset})))
  }

  async fetchOffset(topic: string, partition: number, currentLeaderEpoch: number, timestamp: number): Promise<{errorCode: number, offset: number}> {
    const res = await this.call<ListOffsetsResponse>(ListOffsetsApi, 9, () => ({
      replicaId: this.opts.nodeId, isolationLevel: 0,
      topics: [{name: topic, partitions: [{partitionIndex: partition, currentLeaderEpoch, timestamp, maxNumOffsets: 1}]}],
    }))
    const p = res.topics.find(t => t.name === topic)?.partitions.find(x => x.partitionIndex === partition)
    if (!p) throw new ProtocolClientError(`ListOffsets from broker ${this.opts.leaderId} did not answer for ${topic}-${partition}`)
    return {errorCode: p.errorCode, offset: p.offset}
  }

  close(): void {
    this.closed = true
    this.dropConnection()
  }

  private connection(): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new ProtocolClientError(`The endpoint of broker ${this.opts.leaderId} is closed`))
    if (this.conn) return this.conn
    const address = this.opts.address()
    if (!address) return Promise.reject(new ProtocolClientError(`No inter-broker endpoint is known for broker ${this.opts.leaderId}`))
    const conn = BrokerConnection.connect({
      host: address.host, port: address.port, clientId: this.opts.clientId, security: this.opts.security,
      connectTimeoutMs: this.opts.requestTimeoutMs, requestTimeoutMs: this.opts.requestTimeoutMs,
    })
    this.conn = conn
    conn.catch(() => {
      if (this.conn === conn) this.conn = null
    })
    return conn
  }

  private dropConnection(): void {
    const c = this.conn
    this.conn = null
    c?.then(conn => conn.close(), () => undefined)
  }

  /** One request at the highest version both sides serve (capped at `cap`); a failure drops the connection. */
  private async call<T>(spec: ApiSpec, cap: number, body: (version: number) => object): Promise<T> {
    const c = await this.connection()
    try {
      const version = c.version(spec, cap)
      return await c.send(spec, version, body(version)) as T
    } catch (err) {
      this.dropConnection()
      throw err instanceof ProtocolClientError ? err : new ProtocolClientError((err as Error).message, {cause: err})
    }
  }
}
