/**
 * The admin calls of `kts transactions` over our protocol client, as Kafka's `KafkaAdminClient`
 * makes them: Metadata from the first reachable bootstrap broker, FindCoordinator (key type 1) +
 * DescribeTransactions (65) at the coordinator, ListTransactions (66) on every broker,
 * DescribeProducers (61) at the partition leader (or a given broker), and `abortTransaction` as
 * WriteTxnMarkers (27, ABORT) to the partition leader. Retriable errors are retried until
 * `default.api.timeout.ms`. Works against any Kafka 3.x cluster.
 */
import {DescribeProducersApi, type DescribeProducersResponse} from '../../protocol/generated/messages/describe-producers.js'
import {DescribeTransactionsApi, type DescribeTransactionsResponse} from '../../protocol/generated/messages/describe-transactions.js'
import {FindCoordinatorApi, type FindCoordinatorResponse} from '../../protocol/generated/messages/find-coordinator.js'
import {ListTransactionsApi, type ListTransactionsResponse} from '../../protocol/generated/messages/list-transactions.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {WriteTxnMarkersApi, type WriteTxnMarkersResponse} from '../../protocol/generated/messages/write-txn-markers.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {ErrorCode, errorMessage, isRetriable} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid-text.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'
import {connectToServer, type AdminTarget} from '../quorum/admin-target.js'

/** A Kafka error answered to a call: the code and Kafka's message for it. */
export class KafkaCallError extends Error {
  constructor(readonly code: number, message?: string | null) {
    super(message || errorMessage(code))
    this.name = 'KafkaCallError'
  }
}

/** Kafka `TransactionDescription`. */
export interface TransactionDescription {
  coordinatorId: number
  state: string
  producerId: number
  producerEpoch: number
  transactionTimeoutMs: number
  /** -1 when none (no transaction started). */
  transactionStartTimeMs: number
  /** `topic-partition` names. */
  topicPartitions: string[]
}

/** Kafka `TransactionListing` with the broker that answered it. */
export interface TransactionListing { coordinatorId: number, transactionalId: string, producerId: number, state: string }

/** Kafka `ProducerState`. */
export interface ProducerState {
  producerId: number
  producerEpoch: number
  lastSequence: number
  lastTimestamp: number
  /** -1 when none. */
  coordinatorEpoch: number
  /** -1 when no transaction is open. */
  currentTransactionStartOffset: number
}

/** A described topic's partitions with their leader and replicas. */
export interface TopicPartitions { name: string, partitions: {partition: number, leader: number, replicas: number[]}[] }

const delay = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const COORDINATOR_RETRY = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS])

export class TransactionAdmin {
  private readonly conns = new Map<string, Promise<BrokerConnection>>()

  constructor(private readonly target: AdminTarget) {}

  /** Brokers (id → address) and the named topics (all when null). */
  async metadata(topics: string[] | null): Promise<{brokers: Map<number, {host: string, port: number}>, topics: TopicPartitions[]}> {
    const res = await this.retrying(() => this.sendAny<MetadataResponse>(MetadataApi, 12, {
      topics: topics === null ? null : topics.map(name => ({name, topicId: ZERO_UUID})), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false,
    }))
    const brokers = new Map(res.brokers.map(b => [b.nodeId, {host: b.host, port: b.port}]))
    const out: TopicPartitions[] = []
    for (const t of res.topics) {
      if (t.errorCode !== ErrorCode.NONE) throw new KafkaCallError(t.errorCode)
      out.push({name: t.name ?? '', partitions: t.partitions.map(p => ({partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes})).sort((a, b) => a.partition - b.partition)})
    }
    return {brokers, topics: out}
  }

  /** DescribeTransactions of one id at its coordinator. @throws KafkaCallError (TRANSACTIONAL_ID_NOT_FOUND, ...) */
  async describeTransaction(transactionalId: string): Promise<TransactionDescription> {
    return this.retrying(async () => {
      const found = await this.sendAny<FindCoordinatorResponse>(FindCoordinatorApi, 3, {key: transactionalId, keyType: 1})
      if (found.errorCode !== ErrorCode.NONE) throw new KafkaCallError(found.errorCode, found.errorMessage)
      const res = await this.send<DescribeTransactionsResponse>(`${found.host}:${found.port}`, DescribeTransactionsApi, 0, {transactionalIds: [transactionalId]})
      const s = res.transactionStates[0]
      if (!s || s.errorCode !== ErrorCode.NONE) throw new KafkaCallError(s?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR)
      return {
        coordinatorId: found.nodeId, state: s.transactionState, producerId: Number(s.producerId), producerEpoch: s.producerEpoch,
        transactionTimeoutMs: s.transactionTimeoutMs, transactionStartTimeMs: Number(s.transactionStartTimeMs),
        topicPartitions: s.topics.flatMap(t => t.partitions.map(p => `${t.topic}-${p}`)),
      }
    })
  }

  /** ListTransactions on every broker (`allByBrokerId`), by broker id. */
  async listTransactions(producerIdFilters: number[] = []): Promise<TransactionListing[]> {
    const {brokers} = await this.metadata([])
    const out: TransactionListing[] = []
    for (const [id, b] of [...brokers].sort((x, y) => x[0] - y[0])) {
      const res = await this.retrying(async () => {
        const r = await this.send<ListTransactionsResponse>(`${b.host}:${b.port}`, ListTransactionsApi, 1, {stateFilters: [], producerIdFilters, durationFilter: -1})
        if (r.errorCode !== ErrorCode.NONE) throw new KafkaCallError(r.errorCode)
        return r
      })
      for (const t of res.transactionStates) out.push({coordinatorId: id, transactionalId: t.transactionalId, producerId: Number(t.producerId), state: t.transactionState})
    }
    return out
  }

  /** DescribeProducers of partitions, at each leader or at `brokerId`. Keys: `topic-partition`. */
  async describeProducers(partitions: {topic: string, partition: number}[], brokerId?: number): Promise<Map<string, ProducerState[]>> {
    const md = await this.metadata([...new Set(partitions.map(p => p.topic))])
    const byBroker = new Map<number, {topic: string, partition: number}[]>()
    for (const tp of partitions) {
      const t = md.topics.find(x => x.name === tp.topic)
      const p = t?.partitions.find(x => x.partition === tp.partition)
      if (!p) throw new KafkaCallError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      const target = brokerId ?? p.leader
      if (target < 0) throw new KafkaCallError(ErrorCode.LEADER_NOT_AVAILABLE)
      let l = byBroker.get(target)
      if (!l) byBroker.set(target, l = [])
      l.push(tp)
    }
    const out = new Map<string, ProducerState[]>()
    for (const [id, tps] of byBroker) {
      const b = md.brokers.get(id)
      if (!b) throw new KafkaCallError(ErrorCode.BROKER_NOT_AVAILABLE, `Broker ${id} is not available`)
      const res = await this.retrying(() => this.send<DescribeProducersResponse>(`${b.host}:${b.port}`, DescribeProducersApi, 0, {topics: groupByTopic(tps)}))
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE) throw new KafkaCallError(p.errorCode, p.errorMessage)
          out.set(`${t.name}-${p.partitionIndex}`, p.activeProducers.map(s => ({
            producerId: Number(s.producerId), producerEpoch: s.producerEpoch, lastSequence: s.lastSequence, lastTimestamp: Number(s.lastTimestamp),
            coordinatorEpoch: s.coordinatorEpoch, currentTransactionStartOffset: Number(s.currentTxnStartOffset),
          })))
        }
      }
    }
    return out
  }

  /** Kafka `Admin.abortTransaction`: an ABORT marker for the producer written on the partition's leader. */
  async abortTransaction(topic: string, partition: number, producerId: number, producerEpoch: number, coordinatorEpoch: number): Promise<void> {
    const md = await this.metadata([topic])
    const leader = md.topics[0]?.partitions.find(p => p.partition === partition)?.leader ?? -1
    const b = md.brokers.get(leader)
    if (!b) throw new KafkaCallError(ErrorCode.LEADER_NOT_AVAILABLE)
    await this.retrying(async () => {
      const res = await this.send<WriteTxnMarkersResponse>(`${b.host}:${b.port}`, WriteTxnMarkersApi, 1, {
        markers: [{producerId, producerEpoch, transactionResult: false, coordinatorEpoch, topics: [{name: topic, partitionIndexes: [partition]}]}],
      })
      const code = res.markers[0]?.topics[0]?.partitions[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
      if (code !== ErrorCode.NONE) throw new KafkaCallError(code)
    })
  }

  close(): void {
    for (const c of this.conns.values()) c.then(conn => conn.close(), () => undefined)
    this.conns.clear()
  }

  /** Runs `fn` again on connection failures and retriable Kafka errors until default.api.timeout.ms. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.target.apiTimeoutMs
    let backoff = 100
    for (;;) {
      try {
        return await fn()
      } catch (err) {
        const retriable = err instanceof ProtocolClientError || (err instanceof KafkaCallError && (isRetriable(err.code) || COORDINATOR_RETRY.has(err.code)))
        if (!retriable || Date.now() + backoff >= deadline) {
          if (err instanceof ProtocolClientError) throw new KafkaCallError(ErrorCode.REQUEST_TIMED_OUT, 'Timed out waiting for a node assignment.')
          throw err
        }
        await delay(backoff)
        backoff = Math.min(backoff * 2, 1000)
      }
    }
  }

  private async sendAny<T>(spec: ApiSpec, cap: number, body: object): Promise<T> {
    let last: unknown
    for (const s of this.target.servers) {
      try {
        return await this.send<T>(s, spec, cap, body)
      } catch (err) {
        if (!(err instanceof ProtocolClientError)) throw err
        last = err
      }
    }
    throw last instanceof Error ? last : new ProtocolClientError('No bootstrap server could be reached')
  }

  private async send<T>(address: string, spec: ApiSpec, cap: number, body: object): Promise<T> {
    const conn = await this.connection(address)
    let version: number
    try {
      version = conn.version(spec, cap)
    } catch {
      throw new KafkaCallError(ErrorCode.UNSUPPORTED_VERSION, `The node does not support ${spec.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`)
    }
    try {
      return await conn.send(spec, version, body) as T
    } catch (err) {
      this.conns.delete(address)
      conn.close()
      throw err
    }
  }

  private connection(address: string): Promise<BrokerConnection> {
    const existing = this.conns.get(address)
    if (existing) return existing
    const conn = connectToServer(this.target, address)
    this.conns.set(address, conn)
    conn.catch(() => {
      if (this.conns.get(address) === conn) this.conns.delete(address)
    })
    return conn
  }
}

function groupByTopic(tps: {topic: string, partition: number}[]): {name: string, partitionIndexes: number[]}[] {
  const m = new Map<string, number[]>()
  for (const tp of tps) {
    let l = m.get(tp.topic)
    if (!l) m.set(tp.topic, l = [])
    l.push(tp.partition)
  }
  return [...m].map(([name, partitionIndexes]) => ({name, partitionIndexes}))
}
