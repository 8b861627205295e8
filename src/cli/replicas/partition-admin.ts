/**
 * The admin calls of `kts leader-election` and `kts reassign-partitions` over our protocol client
 * (`cli/admin/protocol-client.ts`), as Kafka's `KafkaAdminClient` makes them: describeCluster and
 * describeTopics (Metadata v≤12, partition errors ignored as the Java admin ignores them),
 * electLeaders (ElectLeaders v≤2), alterPartitionReassignments / listPartitionReassignments (v0)
 * describeConfigs (v≤4) and incrementalAlterConfigs (v≤1). Every request goes to the first reachable bootstrap broker,
 * which forwards the controller's APIs to the active controller (KIP-590). Works against any
 * Kafka 3.x cluster, not only kts.
 *
 * Each call retries connection failures and Kafka's retriable error codes until
 * `default.api.timeout.ms`; then it fails with
 * `org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: <name>`
 * (no answer) or the last error. Kafka errors are `TerseError`s worded as Java's exception
 * `toString()` (`org.apache.kafka.common.errors.<Class>: <message>`), with `kafkaErrorCode` set.
 */
import {AlterPartitionReassignmentsApi, type AlterPartitionReassignmentsResponse} from '../../protocol/generated/messages/alter-partition-reassignments.js'
import {DescribeConfigsApi, type DescribeConfigsResponse} from '../../protocol/generated/messages/describe-configs.js'
import {ElectLeadersApi, type ElectLeadersResponse} from '../../protocol/generated/messages/elect-leaders.js'
import {IncrementalAlterConfigsApi, type IncrementalAlterConfigsResponse} from '../../protocol/generated/messages/incremental-alter-configs.js'
import {ListPartitionReassignmentsApi, type ListPartitionReassignmentsResponse} from '../../protocol/generated/messages/list-partition-reassignments.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {ErrorCode, isRetriable} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid-text.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'
import {TerseError} from '../errors.js'
import {javaExceptionText} from '../groups/group-errors.js'
import {connectToFirstServer, type AdminTarget} from '../quorum/admin-target.js'

/** A node of the cluster (Kafka `Node`). */
export interface NodeInfo {
  id: number
  host: string
  port: number
  rack: string | null
}

/** One partition of a described topic (Kafka `TopicPartitionInfo`); leader -1 when none. */
export interface PartitionInfo {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
}

/** A described topic: its partitions, or (errorCode not 0) the error it was answered with and no partitions. */
export interface TopicResult {
  name: string
  errorCode: number
  error: TerseError | null
  partitions: PartitionInfo[]
}

/** An ongoing reassignment (Kafka `PartitionReassignment`). */
export interface PartitionReassignment {
  replicas: number[]
  addingReplicas: number[]
  removingReplicas: number[]
}

/** `topic-partition`, as Kafka's `TopicPartition.toString()`. */
export function tpName(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/**
 * A partition's outcome: `error` null on success, else the error worded as Java's exception
 * `toString()`; `errorMessage` is the exception's message alone (the broker's, else Kafka's default).
 */
export type PartitionOutcome = {topic: string, partition: number, error: TerseError | null, errorCode: number, errorMessage: string | null}

/** IncrementalAlterConfigs operation (Kafka `AlterConfigOp.OpType`). */
export const OpType = {SET: 0, DELETE: 1} as const

/** Config resource types (Kafka `ConfigResource.Type`). */
export const ResourceType = {TOPIC: 2, BROKER: 4} as const

/** A resource's config changes for `incrementalAlterConfigs`. */
export interface ConfigChange {
  resourceType: number
  resourceName: string
  ops: {name: string, op: number, value: string | null}[]
}

/** One config of a DescribeConfigs answer (Kafka `ConfigEntry`); `source` is the protocol's ConfigSource id. */
export interface DescribedConfigEntry {
  name: string
  value: string | null
  source: number
  isSensitive: boolean
  readOnly: boolean
  synonyms: {name: string, value: string | null, source: number}[]
}

/** A Kafka error code answered to a call, worded as Java's exception. */
export function kafkaError(code: number, message?: string | null): TerseError {
  return new TerseError(javaExceptionText(code, message), {kafkaErrorCode: code})
}

function outcome(errorCode: number, brokerMessage: string | null): Pick<PartitionOutcome, 'error' | 'errorCode' | 'errorMessage'> {
  if (errorCode === ErrorCode.NONE) return {errorCode, error: null, errorMessage: null}
  const error = kafkaError(errorCode, brokerMessage)
  return {errorCode, error, errorMessage: error.message.slice(error.message.indexOf(': ') + 2)}
}

/** A failure a call retries until its deadline. */
class Retriable extends Error {
  constructor(readonly reason: Error) {
    super(reason.message)
    this.name = 'Retriable'
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class PartitionAdmin {
  private bootstrap: Promise<BrokerConnection> | null = null
  private closed = false

  constructor(private readonly target: AdminTarget) {}

  /** The live brokers (Metadata's broker list), sorted by id. */
  describeCluster(): Promise<NodeInfo[]> {
    return this.call('describeCluster', async () => {
      const res = await this.metadata([])
      return res.brokers.map(b => ({id: b.nodeId, host: b.host, port: b.port, rack: b.rack})).sort((a, b) => a.id - b.id)
    })
  }

  /**
   * Metadata of the named topics (every topic when `names` is null), in answer order; partitions
   * sorted by id. Topic errors are results; partition errors are ignored (a leaderless partition
   * has leader -1).
   */
  describeTopics(names: readonly string[] | null): Promise<TopicResult[]> {
    return this.call('describeTopics', async () => {
      const res = await this.metadata(names)
      return res.topics.map((t): TopicResult => {
        const name = t.name ?? ''
        if (t.errorCode !== ErrorCode.NONE) {
          if (isRetriable(t.errorCode) && t.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new Retriable(kafkaError(t.errorCode))
          return {name, errorCode: t.errorCode, error: kafkaError(t.errorCode), partitions: []}
        }
        const partitions = t.partitions.map(p => ({partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes}))
        return {name, errorCode: 0, error: null, partitions: partitions.sort((a, b) => a.partition - b.partition)}
      })
    })
  }

  /**
   * ElectLeaders of `type` (0 preferred, 1 unclean) for the partitions (all when null): one outcome
   * per partition the controller answered.
   * @throws TerseError for a top-level error (after retries for retriable ones)
   */
  electLeaders(type: number, partitions: {topic: string, partition: number}[] | null): Promise<PartitionOutcome[]> {
    return this.call('electLeaders', async () => {
      const conn = await this.connection()
      const version = apiVersion(conn, ElectLeadersApi, 2)
      if (version < 1 && type !== 0) throw kafkaError(ErrorCode.UNSUPPORTED_VERSION, 'Unclean leader election is not supported by the broker (ElectLeaders v1+)')
      const byTopic = new Map<string, number[]>()
      for (const p of partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
      const res = await conn.send(ElectLeadersApi, version, {
        electionType: type,
        topicPartitions: partitions === null ? null : [...byTopic].map(([topic, ids]) => ({topic, partitions: ids})),
        timeoutMs: this.target.apiTimeoutMs,
      }) as ElectLeadersResponse
      this.check(res.errorCode, null)
      return res.replicaElectionResults.flatMap(t => t.partitionResult.map(r => ({
        topic: t.topic, partition: r.partitionId, ...outcome(r.errorCode, r.errorMessage),
      })))
    })
  }

  /** The ongoing reassignments of the partitions (all when absent), by `topic-partition`. */
  listPartitionReassignments(partitions?: {topic: string, partition: number}[]): Promise<Map<string, PartitionReassignment & {topic: string, partition: number}>> {
    return this.call('listPartitionReassignments', async () => {
      const conn = await this.connection()
      const version = apiVersion(conn, ListPartitionReassignmentsApi, 0)
      const byTopic = new Map<string, number[]>()
      for (const p of partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
      const res = await conn.send(ListPartitionReassignmentsApi, version, {
        timeoutMs: this.target.apiTimeoutMs,
        topics: partitions === undefined ? null : [...byTopic].map(([name, partitionIndexes]) => ({name, partitionIndexes})),
      }) as ListPartitionReassignmentsResponse
      this.check(res.errorCode, res.errorMessage)
      const out = new Map<string, PartitionReassignment & {topic: string, partition: number}>()
      for (const t of res.topics) {
        for (const p of t.partitions) {
          out.set(tpName(t.name, p.partitionIndex), {topic: t.name, partition: p.partitionIndex, replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas})
        }
      }
      return out
    })
  }

  /** AlterPartitionReassignments: new target replicas, or null to cancel; one outcome per partition. */
  alterPartitionReassignments(targets: {topic: string, partition: number, replicas: number[] | null}[]): Promise<PartitionOutcome[]> {
    return this.call('alterPartitionReassignments', async () => {
      const conn = await this.connection()
      const version = apiVersion(conn, AlterPartitionReassignmentsApi, 0)
      const byTopic = new Map<string, {partitionIndex: number, replicas: number[] | null}[]>()
      for (const t of targets) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), {partitionIndex: t.partition, replicas: t.replicas}])
      const res = await conn.send(AlterPartitionReassignmentsApi, version, {
        timeoutMs: this.target.apiTimeoutMs,
        topics: [...byTopic].map(([name, partitions]) => ({name, partitions})),
      }) as AlterPartitionReassignmentsResponse
      this.check(res.errorCode, res.errorMessage)
      return res.responses.flatMap(t => t.partitions.map(p => ({
        topic: t.name, partition: p.partitionIndex, ...outcome(p.errorCode, p.errorMessage),
      })))
    })
  }

  /**
   * IncrementalAlterConfigs of several resources.
   * @throws TerseError for the first resource that failed
   */
  incrementalAlterConfigs(changes: ConfigChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve()
    return this.call('incrementalAlterConfigs', async () => {
      const conn = await this.connection()
      const version = apiVersion(conn, IncrementalAlterConfigsApi, 1)
      const res = await conn.send(IncrementalAlterConfigsApi, version, {
        validateOnly: false,
        resources: changes.map(c => ({resourceType: c.resourceType, resourceName: c.resourceName, configs: c.ops.map(o => ({name: o.name, configOperation: o.op, value: o.value}))})),
      }) as IncrementalAlterConfigsResponse
      for (const r of res.responses) this.check(r.errorCode, r.errorMessage)
    })
  }

  /**
   * DescribeConfigs (v≤4) of one resource, synonyms included when asked.
   * @throws TerseError for the resource's error (e.g. UnknownTopicOrPartitionException)
   */
  describeConfigs(resourceType: number, resourceName: string, includeSynonyms: boolean): Promise<DescribedConfigEntry[]> {
    return this.call('describeConfigs', async () => {
      const conn = await this.connection()
      const version = apiVersion(conn, DescribeConfigsApi, 4)
      const res = await conn.send(DescribeConfigsApi, version, {
        resources: [{resourceType, resourceName, configurationKeys: null}], includeSynonyms, includeDocumentation: false,
      }) as DescribeConfigsResponse
      const r = res.results[0]
      if (!r) throw new TerseError('DescribeConfigs answered no resource')
      this.check(r.errorCode, r.errorMessage)
      return r.configs.map(c => ({
        name: c.name, value: c.value, source: c.configSource, isSensitive: c.isSensitive, readOnly: c.readOnly,
        synonyms: c.synonyms.map(x => ({name: x.name, value: x.value, source: x.source})),
      }))
    })
  }

  /** Closes the connection. */
  close(): void {
    this.closed = true
    this.dropConnection()
  }

  private async metadata(names: readonly string[] | null): Promise<MetadataResponse> {
    const conn = await this.connection()
    const version = apiVersion(conn, MetadataApi, 12)
    return await conn.send(MetadataApi, version, {
      topics: names === null ? null : names.map(name => ({name, topicId: ZERO_UUID})),
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }) as MetadataResponse
  }

  /** Throws for a non-zero code: `Retriable` for Kafka's retriable codes. */
  private check(code: number, message: string | null): void {
    if (code === ErrorCode.NONE) return
    const err = kafkaError(code, message)
    if (isRetriable(code)) throw new Retriable(err)
    throw err
  }

  private async call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.target.apiTimeoutMs
    let backoff = 100
    for (;;) {
      try {
        return await fn()
      } catch (err) {
        let cause: unknown = err
        if (err instanceof Retriable) {
          cause = err.reason
        } else if (err instanceof ProtocolClientError) {
          this.dropConnection()
        } else {
          throw err
        }
        if (this.closed || Date.now() + backoff >= deadline) {
          if (cause instanceof ProtocolClientError) {
            throw new TerseError(`org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: ${name}`, {cause, kafkaErrorCode: ErrorCode.REQUEST_TIMED_OUT})
          }
          throw cause
        }
        await delay(backoff)
        backoff = Math.min(backoff * 2, 1000)
      }
    }
  }

  private dropConnection(): void {
    this.bootstrap?.then((c) => c.close(), () => undefined)
    this.bootstrap = null
  }

  /** The first reachable bootstrap server. @throws ProtocolClientError when none answers. */
  private connection(): Promise<BrokerConnection> {
    if (this.bootstrap === null) {
      const attempt = connectToFirstServer(this.target)
      attempt.catch(() => {
        if (this.bootstrap === attempt) this.bootstrap = null
      })
      this.bootstrap = attempt
    }
    return this.bootstrap
  }
}

/**
 * Highest version of `spec` both sides serve, capped at `cap`.
 * @throws TerseError UnsupportedVersionException when there is none (not retried).
 */
function apiVersion(conn: BrokerConnection, spec: ApiSpec, cap: number): number {
  try {
    return conn.version(spec, cap)
  } catch {
    const api = spec.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()
    throw new TerseError(`org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support ${api}`, {kafkaErrorCode: ErrorCode.UNSUPPORTED_VERSION})
  }
}
