/**
 * The admin calls of `kts get-offsets`, `kts delete-records` and `kts log-dirs` over our protocol
 * client (`ClusterClient`), as Kafka's `KafkaAdminClient` makes them: listTopics/describeTopics
 * (Metadata), listOffsets (ListOffsets v1-9 to each partition's leader, read_uncommitted),
 * deleteRecords (DeleteRecords v0-2 to each leader), describeCluster (Metadata brokers) and
 * describeLogDirs (DescribeLogDirs v1-4 to each broker, all partitions).
 *
 * Leader moves, missing leaders and lost connections are retried until `default.api.timeout.ms`;
 * other broker error codes become per-partition results worded as Java's exceptions
 * (`org.apache.kafka.common.errors.<Class>: <message>`).
 */
import {DeleteRecordsApi, type DeleteRecordsResponse} from '../../protocol/generated/messages/delete-records.js'
import {DescribeLogDirsApi, type DescribeLogDirsResponse} from '../../protocol/generated/messages/describe-log-dirs.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../protocol/generated/messages/list-offsets.js'
import {ErrorCode} from '../../protocol/errors.js'
import {ClusterClient, RETRIABLE_CODES, RetriableError} from '../groups/cluster-client.js'
import {GroupCommandError, GroupKafkaError, javaExceptionText} from '../groups/group-errors.js'
import type {AdminTarget} from '../quorum/admin-target.js'

/** A topic partition (Kafka `TopicPartition`); `tp.topic-tp.partition` is its `toString()`. */
export interface TopicPartition {
  topic: string
  partition: number
}

/** `topic-partition`, as Kafka's `TopicPartition.toString()`. */
export function tpString(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`
}

/** Per-partition answer: a value, or the error as Java's exception text. */
export type PartitionResult<T> = {ok: true, value: T} | {ok: false, error: string, errorCode: number}

/** A log directory of one broker (Kafka `LogDirDescription`). Sizes in bytes; -1 when unknown. */
export interface LogDirDescription {
  logDir: string
  errorCode: number
  replicas: {topic: string, partition: number, size: number, offsetLag: number, isFuture: boolean}[]
  totalBytes: number
  usableBytes: number
}

/** The lowest ListOffsets version able to answer each special timestamp (Kafka `ListOffsetsRequest`). */
function minListOffsetsVersion(timestamp: number): number {
  if (timestamp === -3) return 7
  if (timestamp === -4) return 8
  if (timestamp === -5) return 9
  return 1
}

export class LogAdmin {
  readonly cluster: ClusterClient

  constructor(private readonly target: AdminTarget) {
    this.cluster = new ClusterClient({bootstrapServers: target.servers, clientId: target.clientId, tls: target.tls, security: target.security, timeoutMs: target.apiTimeoutMs})
  }

  /** Every topic (internal ones unless `excludeInternal`) with its partition ids, sorted. */
  listTopicPartitions(excludeInternal: boolean): Promise<Map<string, number[]>> {
    return this.cluster.call('listTopics', async () => {
      const md = await this.cluster.metadata(null)
      const out = new Map<string, number[]>()
      for (const t of md.topics) {
        if (t.name === null || t.errorCode !== ErrorCode.NONE) continue
        if (excludeInternal && t.isInternal) continue
        out.set(t.name, t.partitions.map(p => p.partitionIndex).sort((a, b) => a - b))
      }
      return out
    })
  }

  /** The live brokers' ids (Kafka `describeCluster().nodes()`), sorted. */
  brokerIds(): Promise<number[]> {
    return this.cluster.call('describeCluster', async () => (await this.cluster.brokerIds()).sort((a, b) => a - b))
  }

  /** Leader of each partition of `topics`; unknown topics and partitions are missing from the map. */
  private async leaders(topics: string[]): Promise<Map<string, number>> {
    const md = await this.cluster.metadata(topics)
    const leaders = new Map<string, number>()
    for (const t of md.topics) {
      if (t.name === null) continue
      if (t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) throw new RetriableError(new GroupKafkaError(t.errorCode))
      for (const p of t.partitions) leaders.set(tpString({topic: t.name, partition: p.partitionIndex}), p.leaderId)
    }
    return leaders
  }

  /** Groups partitions by leader; partitions without one get UNKNOWN_TOPIC_OR_PARTITION in `missing`. */
  private async byLeader<P extends TopicPartition>(partitions: readonly P[]): Promise<{byLeader: Map<number, P[]>, missing: P[]}> {
    const leaders = await this.leaders([...new Set(partitions.map(p => p.topic))])
    const byLeader = new Map<number, P[]>()
    const missing: P[] = []
    for (const p of partitions) {
      const leader = leaders.get(tpString(p))
      if (leader === undefined) {
        missing.push(p)
        continue
      }
      if (leader < 0) throw new RetriableError(new GroupKafkaError(ErrorCode.LEADER_NOT_AVAILABLE))
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
    }
    return {byLeader, missing}
  }

  /**
   * ListOffsets of `timestamp` (-1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5
   * latest tiered, else ms) for each partition: the offset (-1 when no record matches) or the error.
   */
  listOffsets(partitions: readonly TopicPartition[], timestamp: number): Promise<Map<string, PartitionResult<number>>> {
    return this.cluster.call('listOffsets', async () => {
      const out = new Map<string, PartitionResult<number>>()
      const {byLeader, missing} = await this.byLeader(partitions)
      for (const p of missing) out.set(tpString(p), failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
      await Promise.all([...byLeader].map(async ([leader, ps]) => {
        const conn = await this.cluster.node(leader)
        const version = conn.version(ListOffsetsApi, 9)
        if (version < minListOffsetsVersion(timestamp)) {
          for (const p of ps) out.set(tpString(p), {ok: false, errorCode: ErrorCode.UNSUPPORTED_VERSION, error: 'org.apache.kafka.common.errors.UnsupportedVersionException: The broker does not support LIST_OFFSETS with this timestamp'})
          return
        }
        const res = await conn.send(ListOffsetsApi, version, {
          replicaId: -1,
          isolationLevel: 0,
          topics: groupByTopic(ps).map(([name, ids]) => ({name, partitions: ids.map(partitionIndex => ({partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1}))})),
        }) as ListOffsetsResponse
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (RETRIABLE_CODES.has(p.errorCode)) throw new RetriableError(new GroupKafkaError(p.errorCode))
            out.set(tpString({topic: t.name, partition: p.partitionIndex}), p.errorCode === ErrorCode.NONE ? {ok: true, value: p.offset} : failure(p.errorCode))
          }
        }
      }))
      return out
    })
  }

  /**
   * DeleteRecords: moves each partition's log start offset to `offset` (-1 = high watermark);
   * the new low watermark or the error of each partition.
   */
  deleteRecords(partitions: readonly (TopicPartition & {offset: number})[]): Promise<Map<string, PartitionResult<number>>> {
    return this.cluster.call('deleteRecords', async () => {
      const out = new Map<string, PartitionResult<number>>()
      const {byLeader, missing} = await this.byLeader(partitions)
      for (const p of missing) out.set(tpString(p), failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
      await Promise.all([...byLeader].map(async ([leader, ps]) => {
        const conn = await this.cluster.node(leader)
        const version = conn.version(DeleteRecordsApi, 2)
        const offsets = new Map(ps.map(p => [tpString(p), p.offset]))
        const res = await conn.send(DeleteRecordsApi, version, {
          timeoutMs: this.target.requestTimeoutMs,
          topics: groupByTopic(ps).map(([name, ids]) => ({name, partitions: ids.map(partitionIndex => ({partitionIndex, offset: offsets.get(tpString({topic: name, partition: partitionIndex}))}))})),
        }) as DeleteRecordsResponse
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (RETRIABLE_CODES.has(p.errorCode)) throw new RetriableError(new GroupKafkaError(p.errorCode))
            out.set(tpString({topic: t.name, partition: p.partitionIndex}), p.errorCode === ErrorCode.NONE ? {ok: true, value: p.lowWatermark} : failure(p.errorCode))
          }
        }
      }))
      return out
    })
  }

  /**
   * DescribeLogDirs (all partitions) of each broker.
   * @throws GroupCommandError with Kafka's exception text when a broker answers an error
   */
  describeLogDirs(brokers: readonly number[]): Promise<Map<number, LogDirDescription[]>> {
    return this.cluster.call('describeLogDirs', async () => {
      const out = new Map<number, LogDirDescription[]>()
      await Promise.all(brokers.map(async (id) => {
        const conn = await this.cluster.node(id)
        const version = conn.version(DescribeLogDirsApi, 4)
        const res = await conn.send(DescribeLogDirsApi, version, {topics: null}) as DescribeLogDirsResponse
        if (res.errorCode !== ErrorCode.NONE) throw new GroupCommandError(javaExceptionText(res.errorCode), {kafkaErrorCode: res.errorCode})
        out.set(id, res.results.map(r => ({
          logDir: r.logDir,
          errorCode: r.errorCode,
          totalBytes: r.totalBytes,
          usableBytes: r.usableBytes,
          replicas: r.topics.flatMap(t => t.partitions.map(p => ({topic: t.name, partition: p.partitionIndex, size: p.partitionSize, offsetLag: p.offsetLag, isFuture: p.isFutureKey}))),
        })))
      }))
      return out
    })
  }

  close(): void {
    this.cluster.close()
  }
}

function failure(code: number): {ok: false, error: string, errorCode: number} {
  return {ok: false, errorCode: code, error: javaExceptionText(code)}
}

function groupByTopic(ps: readonly TopicPartition[]): [string, number[]][] {
  const m = new Map<string, number[]>()
  for (const p of ps) m.set(p.topic, [...(m.get(p.topic) ?? []), p.partition])
  return [...m]
}
