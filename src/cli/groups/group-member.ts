/**
 * One member of a classic consumer group, as Kafka's `ConsumerCoordinator` runs it with the eager
 * `range` strategy, over our protocol client: FindCoordinator, JoinGroup (with the v4+
 * MEMBER_ID_REQUIRED round trip), the leader's range assignment of every member's subscription,
 * SyncGroup, Heartbeat, OffsetFetch, OffsetCommit and LeaveGroup.
 *
 * Errors: retriable coordinator errors (COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS) and lost connections are retried after `retryBackoffMs`; rebalance
 * errors restart the join; anything else is thrown as a `GroupKafkaError`
 * (`org.apache.kafka.common.errors.<X>Exception: <message>`).
 */
import {ProtocolClientError} from '../../protocol/client/broker-connection.js'
import {JoinGroupApi, type JoinGroupResponse} from '../../protocol/generated/messages/join-group.js'
import {SyncGroupApi, type SyncGroupResponse} from '../../protocol/generated/messages/sync-group.js'
import {HeartbeatApi, type HeartbeatResponse} from '../../protocol/generated/messages/heartbeat.js'
import {LeaveGroupApi} from '../../protocol/generated/messages/leave-group.js'
import {OffsetFetchApi, type OffsetFetchResponse} from '../../protocol/generated/messages/offset-fetch.js'
import {OffsetCommitApi, type OffsetCommitResponse} from '../../protocol/generated/messages/offset-commit.js'
import {ErrorCode} from '../../protocol/errors.js'
import {RetriableError, type ClusterClient} from './cluster-client.js'
import {decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription} from './consumer-protocol.js'
import {GroupKafkaError} from './group-errors.js'
import {tpKey, type CommittedOffset, type TopicPartition} from './group-model.js'
import {rangeAssign} from './range-assignor.js'

/** Settings of a member. Times in ms. */
export interface GroupMemberOptions {
  groupId: string
  /** group.instance.id (static membership), or null. */
  groupInstanceId: string | null
  topics: string[]
  sessionTimeoutMs: number
  /** max.poll.interval.ms. */
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  retryBackoffMs: number
}

const COORDINATOR_ERRORS = new Set<number>([ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR])
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class GroupMember {
  memberId = ''
  generationId = -1
  /** When this member led the last rebalance: the partition counts its assignment was made from. */
  leaderPartitionCounts: Map<string, number> | null = null
  private heartbeatTimer: NodeJS.Timeout | null = null
  private heartbeatInFlight = false

  constructor(private readonly cluster: ClusterClient, private readonly opts: GroupMemberOptions) {}

  /**
   * Joins (or rejoins) the group and returns this member's partitions.
   * @param shouldStop polled between attempts: when true, the join gives up and returns [].
   * @throws GroupKafkaError for non-retriable errors (e.g. INCONSISTENT_GROUP_PROTOCOL, GROUP_AUTHORIZATION_FAILED).
   */
  async join(shouldStop: () => boolean = () => false): Promise<TopicPartition[]> {
    const {groupId, groupInstanceId} = this.opts
    const metadata = encodeSubscription(this.opts.topics)
    while (!shouldStop()) {
      try {
        const {conn} = await this.cluster.coordinatorConnection(groupId)
        const join = await conn.send(JoinGroupApi, conn.version(JoinGroupApi, 9), {
          groupId, sessionTimeoutMs: this.opts.sessionTimeoutMs, rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs,
          memberId: this.memberId, groupInstanceId, protocolType: 'consumer', protocols: [{name: 'range', metadata}], reason: null,
        }) as JoinGroupResponse
        if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
          this.memberId = join.memberId
          continue
        }
        if (!(await this.rejoinable(join.errorCode))) throw new GroupKafkaError(join.errorCode)
        if (join.errorCode !== ErrorCode.NONE) continue
        this.memberId = join.memberId
        this.generationId = join.generationId
        this.leaderPartitionCounts = null
        let assignments: Array<{memberId: string, assignment: Buffer}> = []
        if (join.leader === join.memberId && !join.skipAssignment) assignments = await this.assign(join)
        const sync = await conn.send(SyncGroupApi, conn.version(SyncGroupApi, 5), {
          groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId,
          protocolType: 'consumer', protocolName: join.protocolName ?? 'range', assignments,
        }) as SyncGroupResponse
        if (!(await this.rejoinable(sync.errorCode))) throw new GroupKafkaError(sync.errorCode)
        if (sync.errorCode !== ErrorCode.NONE) continue
        return decodeAssignment(sync.assignment).filter((tp) => this.opts.topics.includes(tp.topic))
      } catch (err) {
        if (err instanceof RetriableError) {
          err.invalidate?.()
        } else if (err instanceof ProtocolClientError) {
          this.cluster.invalidateCoordinator(groupId)
          this.cluster.dropConnections()
        } else {
          throw err
        }
        await delay(this.opts.retryBackoffMs)
      }
    }
    return []
  }

  /** True when `code` ends this attempt but a new one may succeed (after resetting state / a backoff). */
  private async rejoinable(code: number): Promise<boolean> {
    switch (code) {
      case ErrorCode.NONE:
        return true
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.memberId = ''
        this.generationId = -1
        return true
      case ErrorCode.ILLEGAL_GENERATION:
      case ErrorCode.REBALANCE_IN_PROGRESS:
        return true
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      case ErrorCode.NOT_COORDINATOR:
        this.cluster.invalidateCoordinator(this.opts.groupId)
        await delay(this.opts.retryBackoffMs)
        return true
      case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
        await delay(this.opts.retryBackoffMs)
        return true
      default:
        return false
    }
  }

  /** The leader's range assignment of every member's subscription. */
  private async assign(join: JoinGroupResponse): Promise<Array<{memberId: string, assignment: Buffer}>> {
    const members = join.members.map((m) => ({memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: safeTopics(m.metadata)}))
    const topics = [...new Set(members.flatMap((m) => m.topics))]
    const md = await this.cluster.metadata(topics)
    const counts = new Map<string, number>()
    for (const t of md.topics) if (t.name !== null && t.errorCode === ErrorCode.NONE) counts.set(t.name, t.partitions.length)
    this.leaderPartitionCounts = counts
    const plan = rangeAssign(members, counts)
    return [...plan].map(([memberId, tps]) => ({memberId, assignment: encodeAssignment(tps)}))
  }

  /**
   * Sends a Heartbeat every heartbeat.interval.ms until `stopHeartbeats()`. `onRejoin` is called
   * once the coordinator asks for a rebalance (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
   * UNKNOWN_MEMBER_ID); `onFatal` for other errors (e.g. FENCED_INSTANCE_ID).
   */
  startHeartbeats(onRejoin: (reason: string) => void, onFatal: (err: Error) => void): void {
    this.stopHeartbeats()
    const beat = async (): Promise<void> => {
      if (this.heartbeatInFlight) return
      this.heartbeatInFlight = true
      try {
        const {conn} = await this.cluster.coordinatorConnection(this.opts.groupId)
        const res = await conn.send(HeartbeatApi, conn.version(HeartbeatApi, 4), {
          groupId: this.opts.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId,
        }) as HeartbeatResponse
        if (this.heartbeatTimer === null) return
        switch (res.errorCode) {
          case ErrorCode.NONE:
            break
          case ErrorCode.REBALANCE_IN_PROGRESS:
            onRejoin('group is already rebalancing')
            break
          case ErrorCode.ILLEGAL_GENERATION:
          case ErrorCode.UNKNOWN_MEMBER_ID:
            await this.rejoinable(res.errorCode)
            onRejoin(`encountered ${res.errorCode === ErrorCode.ILLEGAL_GENERATION ? 'ILLEGAL_GENERATION' : 'UNKNOWN_MEMBER_ID'} from the coordinator`)
            break
          default:
            if (COORDINATOR_ERRORS.has(res.errorCode) || res.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) this.cluster.invalidateCoordinator(this.opts.groupId)
            else onFatal(new GroupKafkaError(res.errorCode))
        }
      } catch (err) {
        if (err instanceof RetriableError) err.invalidate?.()
        else if (err instanceof ProtocolClientError) this.cluster.invalidateCoordinator(this.opts.groupId)
        else onFatal(err instanceof Error ? err : new Error(String(err)))
      } finally {
        this.heartbeatInFlight = false
      }
    }
    this.heartbeatTimer = setInterval(() => void beat(), this.opts.heartbeatIntervalMs)
  }

  stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer)
    this.heartbeatTimer = null
  }

  /**
   * The group's committed offsets of `partitions` (OffsetFetch v1-7, require_stable), by `tpKey`;
   * partitions without one are absent. Retries coordinator errors.
   * @throws GroupKafkaError for other errors.
   */
  async committedOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
    const byTopic = new Map<string, number[]>()
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition])
    for (;;) {
      try {
        const {conn} = await this.cluster.coordinatorConnection(this.opts.groupId)
        const res = await conn.send(OffsetFetchApi, conn.version(OffsetFetchApi, 7), {
          groupId: this.opts.groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({name, partitionIndexes})), requireStable: true,
        }) as OffsetFetchResponse
        let retry = res.errorCode !== ErrorCode.NONE && (await this.retriable(res.errorCode))
        if (res.errorCode !== ErrorCode.NONE && !retry) throw new GroupKafkaError(res.errorCode)
        const out = new Map<string, number>()
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode === ErrorCode.UNSTABLE_OFFSET_COMMIT) retry = true
            else if (p.errorCode !== ErrorCode.NONE) throw new GroupKafkaError(p.errorCode)
            else if (p.committedOffset >= 0) out.set(tpKey({topic: t.name, partition: p.partitionIndex}), p.committedOffset)
          }
        }
        if (!retry) return out
      } catch (err) {
        if (!(await this.absorb(err))) throw err
      }
      await delay(this.opts.retryBackoffMs)
    }
  }

  /**
   * Commits `offsets` with this member's generation (OffsetCommit v2-8, empty metadata).
   * @throws GroupKafkaError for the first partition error (e.g. REBALANCE_IN_PROGRESS), ProtocolClientError when the coordinator is unreachable.
   */
  async commit(offsets: readonly CommittedOffset[]): Promise<void> {
    if (offsets.length === 0) return
    const byTopic = new Map<string, CommittedOffset[]>()
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o])
    const {conn} = await this.cluster.coordinatorConnection(this.opts.groupId)
    const res = await conn.send(OffsetCommitApi, conn.version(OffsetCommitApi, 8), {
      groupId: this.opts.groupId, generationIdOrMemberEpoch: this.generationId, memberId: this.memberId, groupInstanceId: this.opts.groupInstanceId,
      retentionTimeMs: -1,
      topics: [...byTopic].map(([name, ps]) => ({
        name, partitions: ps.map((p) => ({partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: ''})),
      })),
    }) as OffsetCommitResponse
    for (const t of res.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) throw new GroupKafkaError(p.errorCode)
  }

  /** LeaveGroup (dynamic members only, as Kafka's `close()`); errors are ignored. */
  async leave(reason = 'the consumer is being closed'): Promise<void> {
    this.stopHeartbeats()
    if (this.memberId === '' || this.opts.groupInstanceId !== null) return
    try {
      const {conn} = await this.cluster.coordinatorConnection(this.opts.groupId)
      const version = conn.version(LeaveGroupApi, 5)
      await conn.send(LeaveGroupApi, version, version >= 3
        ? {groupId: this.opts.groupId, members: [{memberId: this.memberId, groupInstanceId: null, reason}]}
        : {groupId: this.opts.groupId, memberId: this.memberId})
    } catch {
      // best effort, as Kafka's close()
    }
    this.memberId = ''
    this.generationId = -1
  }

  private async retriable(code: number): Promise<boolean> {
    if (COORDINATOR_ERRORS.has(code)) {
      this.cluster.invalidateCoordinator(this.opts.groupId)
      return true
    }
    return code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.UNSTABLE_OFFSET_COMMIT
  }

  /** True for failures worth another attempt (after invalidating what they call for). */
  private async absorb(err: unknown): Promise<boolean> {
    if (err instanceof RetriableError) {
      err.invalidate?.()
      return true
    }
    if (err instanceof ProtocolClientError) {
      this.cluster.invalidateCoordinator(this.opts.groupId)
      this.cluster.dropConnections()
      return true
    }
    return false
  }
}

function safeTopics(metadata: Buffer): string[] {
  try {
    return decodeSubscription(metadata).topics
  } catch {
    return []
  }
}
