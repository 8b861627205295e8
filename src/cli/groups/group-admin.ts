/**
 * The admin operations behind `kts consumer-groups`, each one of Kafka `Admin`'s calls (same names,
 * same retry-until-`--timeout` behaviour), spoken over our protocol client (`ClusterClient`) with the
 * generated codecs.
 *
 * Why not kafkajs' admin: its group calls do not cover what Kafka's tool needs. `listGroups` has no
 * state/type filters and no states (ListGroups v4/v5); `describeGroups` speaks DescribeGroups v2
 * (no `group.instance.id`); `fetchOffsets` without topics sends an empty topic list, which Kafka
 * answers with no offsets (the tool needs "all committed offsets": OffsetFetch v2+ with null
 * topics); `setOffsets`/`resetOffsets` join the group as a consumer instead of committing as an
 * admin (generation -1, no member id); there is no OffsetDelete; and `fetchTopicOffsetsByTimestamp`
 * replaces "no offset for this timestamp" with the latest offset, hiding the partitions Kafka warns
 * about. One client for all of them keeps coordinator routing and retries in one place.
 * Connections: PLAINTEXT or SSL (`security.protocol`); SASL is not spoken by our protocol client.
 */
import {ListGroupsApi, type ListGroupsResponse} from '../../protocol/generated/messages/list-groups.js'
import {DescribeGroupsApi, type DescribeGroupsResponse} from '../../protocol/generated/messages/describe-groups.js'
import {OffsetFetchApi, type OffsetFetchResponse} from '../../protocol/generated/messages/offset-fetch.js'
import {OffsetCommitApi, type OffsetCommitResponse} from '../../protocol/generated/messages/offset-commit.js'
import {OffsetDeleteApi, type OffsetDeleteResponse} from '../../protocol/generated/messages/offset-delete.js'
import {DeleteGroupsApi, type DeleteGroupsResponse} from '../../protocol/generated/messages/delete-groups.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../protocol/generated/messages/list-offsets.js'
import {ErrorCode} from '../../protocol/errors.js'
import {ClusterClient, RETRIABLE_CODES, RetriableError} from './cluster-client.js'
import {GroupCommandError, GroupKafkaError} from './group-errors.js'
import {decodeAssignment} from './consumer-protocol.js'
import {tpKey, type CommittedOffset, type Coordinator, type GroupDescription, type GroupListing, type MemberDescription, type TopicPartition} from './group-model.js'

/** ListOffsets timestamps (Kafka `OffsetSpec`): earliest -2, latest -1, or ms since the epoch. */
export type OffsetSpec = 'earliest' | 'latest' | {timestamp: number}

/** Result of `deleteOffsets`: the top-level error code and one code per requested partition. */
export interface DeleteOffsetsResult {
  errorCode: number
  partitions: Map<string, number>
}

const GROUP_TYPE_NAMES: Record<string, string> = {classic: 'Classic', consumer: 'Consumer'}

export class GroupAdmin {
  constructor(readonly cluster: ClusterClient) {}

  /**
   * Consumer groups of every broker (protocol type `consumer` or none), as Kafka's
   * `listConsumerGroups`. With `filter`, ListGroups v4+ filters by state (and v5+ by type).
   */
  listGroups(filter: {states: string[], types: string[]} | null = null): Promise<GroupListing[]> {
    return this.cluster.call('listConsumerGroups', async () => {
      const ids = await this.cluster.brokerIds()
      const answers = await Promise.all(ids.map(async (id) => {
        const conn = await this.cluster.node(id)
        const version = conn.version(ListGroupsApi, 5)
        if (filter !== null && filter.states.length > 0 && version < 4) {
          throw new GroupCommandError('org.apache.kafka.common.errors.UnsupportedVersionException: The broker does not support LIST_GROUPS with states filter')
        }
        if (filter !== null && filter.types.length > 0 && version < 5) {
          throw new GroupCommandError('org.apache.kafka.common.errors.UnsupportedVersionException: The broker does not support LIST_GROUPS with types filter')
        }
        const res = await conn.send(ListGroupsApi, version, {statesFilter: filter?.states ?? [], typesFilter: filter?.types ?? []}) as ListGroupsResponse
        if (res.errorCode !== ErrorCode.NONE) {
          const err = new GroupKafkaError(res.errorCode)
          throw RETRIABLE_CODES.has(res.errorCode) ? new RetriableError(err) : err
        }
        return res.groups
      }))
      return answers.flat()
        .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
        .map((g) => ({
          groupId: g.groupId,
          state: g.groupState ? g.groupState : null,
          type: g.groupType ? (GROUP_TYPE_NAMES[g.groupType.toLowerCase()] ?? 'Unknown') : null,
        }))
    })
  }

  /**
   * Describes groups (DescribeGroups v≤5 to each group's coordinator), as Kafka's
   * `describeConsumerGroups`. Unknown groups come back as state `Dead` (GROUP_ID_NOT_FOUND too).
   * A group of another protocol type (e.g. `connect`) maps to an error.
   */
  describeGroups(groupIds: readonly string[]): Promise<Map<string, GroupDescription | GroupCommandError>> {
    const ids = [...new Set(groupIds)]
    return this.cluster.call('describeConsumerGroups', async () => {
      const out = new Map<string, GroupDescription | GroupCommandError>()
      const coordinators = await Promise.all(ids.map((id) => this.cluster.coordinator(id)))
      const byNode = new Map<number, {coordinator: Coordinator, ids: string[]}>()
      ids.forEach((id, i) => {
        const c = coordinators[i]
        const entry = byNode.get(c.nodeId) ?? {coordinator: c, ids: []}
        entry.ids.push(id)
        byNode.set(c.nodeId, entry)
      })
      await Promise.all([...byNode.values()].map(async ({coordinator, ids: batch}) => {
        const conn = await this.cluster.node(coordinator.nodeId)
        const version = conn.version(DescribeGroupsApi, 5)
        const res = await conn.send(DescribeGroupsApi, version, {groups: batch, includeAuthorizedOperations: false}) as DescribeGroupsResponse
        for (const g of res.groups) {
          if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
            out.set(g.groupId, {groupId: g.groupId, state: 'Dead', protocolType: '', assignmentStrategy: '', members: [], coordinator})
            continue
          }
          this.cluster.checkGroupError(g.groupId, g.errorCode)
          if (g.protocolType !== 'consumer' && g.protocolType !== '') {
            out.set(g.groupId, new GroupCommandError(`java.lang.IllegalArgumentException: GroupId ${g.groupId} is not a consumer group (${g.protocolType}).`))
            continue
          }
          const members: MemberDescription[] = g.members.map((m) => ({
            consumerId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            host: m.clientHost,
            assignment: safeDecodeAssignment(m.memberAssignment),
          }))
          out.set(g.groupId, {groupId: g.groupId, state: g.groupState, protocolType: g.protocolType, assignmentStrategy: g.protocolData, members, coordinator})
        }
      }))
      return out
    })
  }

  /** Every committed offset of `groupId` (OffsetFetch v2-7 with null topics), as `listConsumerGroupOffsets`. */
  committedOffsets(groupId: string): Promise<Map<string, CommittedOffset>> {
    return this.cluster.call('listConsumerGroupOffsets', async () => {
      const {conn} = await this.cluster.coordinatorConnection(groupId)
      const version = conn.version(OffsetFetchApi, 7)
      if (version < 2) throw new GroupCommandError('org.apache.kafka.common.errors.UnsupportedVersionException: The broker does not support fetching all committed offsets (OffsetFetch v2+)')
      const res = await conn.send(OffsetFetchApi, version, {groupId, topics: null, requireStable: false}) as OffsetFetchResponse
      this.cluster.checkGroupError(groupId, res.errorCode)
      const out = new Map<string, CommittedOffset>()
      for (const t of res.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== ErrorCode.NONE || p.committedOffset < 0) continue
          const c = {topic: t.name, partition: p.partitionIndex, offset: p.committedOffset}
          out.set(tpKey(c), c)
        }
      }
      return out
    })
  }

  /**
   * ListOffsets (v1-7, read_uncommitted) to each partition's leader, as Kafka's `listOffsets`.
   * Partitions of unknown topics are left out (an unknown offset, `-` in tables); a timestamp
   * with no later record answers -1.
   */
  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec): Promise<Map<string, number>> {
    const timestamp = spec === 'earliest' ? -2 : spec === 'latest' ? -1 : spec.timestamp
    return this.cluster.call('listOffsets', async () => {
      const out = new Map<string, number>()
      if (partitions.length === 0) return out
      const md = await this.cluster.metadata([...new Set(partitions.map((p) => p.topic))])
      const leaders = new Map<string, number>()
      for (const t of md.topics) {
        if (t.name === null) continue
        if (t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) throw new RetriableError(new GroupKafkaError(t.errorCode))
        for (const p of t.partitions) leaders.set(tpKey({topic: t.name, partition: p.partitionIndex}), p.leaderId)
      }
      const byLeader = new Map<number, Map<string, number[]>>()
      for (const tp of partitions) {
        const leader = leaders.get(tpKey(tp))
        if (leader === undefined) continue
        if (leader < 0) throw new RetriableError(new GroupKafkaError(ErrorCode.LEADER_NOT_AVAILABLE))
        const topics = byLeader.get(leader) ?? new Map<string, number[]>()
        topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition])
        byLeader.set(leader, topics)
      }
      await Promise.all([...byLeader].map(async ([leader, topics]) => {
        const conn = await this.cluster.node(leader)
        const version = conn.version(ListOffsetsApi, 7)
        if (version < 1) throw new GroupCommandError('org.apache.kafka.common.errors.UnsupportedVersionException: The broker does not support LIST_OFFSETS v1+')
        const res = await conn.send(ListOffsetsApi, version, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [...topics].map(([name, ps]) => ({name, partitions: ps.map((partitionIndex) => ({partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1}))})),
        }) as ListOffsetsResponse
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue
            if (p.errorCode !== ErrorCode.NONE) {
              const err = new GroupKafkaError(p.errorCode)
              throw RETRIABLE_CODES.has(p.errorCode) ? new RetriableError(err) : err
            }
            out.set(tpKey({topic: t.name, partition: p.partitionIndex}), p.offset)
          }
        }
      }))
      return out
    })
  }

  /**
   * Partition ids of each topic (Metadata), as Kafka's `describeTopics`; an unknown topic maps to
   * its error (`UnknownTopicOrPartitionException`).
   */
  topicPartitions(topics: readonly string[]): Promise<Map<string, number[] | GroupKafkaError>> {
    return this.cluster.call('describeTopics', async () => {
      const out = new Map<string, number[] | GroupKafkaError>()
      if (topics.length === 0) return out
      const md = await this.cluster.metadata([...new Set(topics)])
      for (const t of md.topics) {
        if (t.name === null) continue
        if (t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) throw new RetriableError(new GroupKafkaError(t.errorCode))
        out.set(t.name, t.errorCode === ErrorCode.NONE
          ? t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b)
          : new GroupKafkaError(t.errorCode))
      }
      for (const t of topics) if (!out.has(t)) out.set(t, new GroupKafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
      return out
    })
  }

  /**
   * Commits `offsets` for `groupId` as an admin (OffsetCommit v≤8, generation -1, no member id,
   * empty metadata), as Kafka's `alterConsumerGroupOffsets`.
   * @throws GroupKafkaError for the first failed partition (e.g. UNKNOWN_MEMBER_ID when members joined meanwhile).
   */
  alterOffsets(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    return this.cluster.call('alterConsumerGroupOffsets', async () => {
      if (offsets.length === 0) return
      const {conn} = await this.cluster.coordinatorConnection(groupId)
      const version = conn.version(OffsetCommitApi, 8)
      const topics = new Map<string, CommittedOffset[]>()
      for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o])
      const res = await conn.send(OffsetCommitApi, version, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [...topics].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: ''})),
        })),
      }) as OffsetCommitResponse
      for (const t of res.topics) for (const p of t.partitions) this.cluster.checkGroupError(groupId, p.errorCode)
    })
  }

  /** Deletes committed offsets of `groupId` (OffsetDelete v0), as Kafka's `deleteConsumerGroupOffsets`. */
  deleteOffsets(groupId: string, partitions: readonly TopicPartition[]): Promise<DeleteOffsetsResult> {
    return this.cluster.call('deleteConsumerGroupOffsets', async () => {
      const {conn} = await this.cluster.coordinatorConnection(groupId)
      const version = conn.version(OffsetDeleteApi, 0)
      const topics = new Map<string, number[]>()
      for (const tp of partitions) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition])
      const res = await conn.send(OffsetDeleteApi, version, {
        groupId,
        topics: [...topics].map(([name, ps]) => ({name, partitions: ps.map((partitionIndex) => ({partitionIndex}))})),
      }) as OffsetDeleteResponse
      if (RETRIABLE_CODES.has(res.errorCode)) this.cluster.checkGroupError(groupId, res.errorCode)
      const out = new Map<string, number>()
      for (const t of res.topics) for (const p of t.partitions) out.set(tpKey({topic: t.name, partition: p.partitionIndex}), p.errorCode)
      return {errorCode: res.errorCode, partitions: out}
    })
  }

  /** Deletes groups (DeleteGroups v≤2 to each coordinator), as `deleteConsumerGroups`: an error code per group. */
  deleteGroups(groupIds: readonly string[]): Promise<Map<string, number>> {
    const results = new Map<string, number>()
    return this.cluster.call('deleteConsumerGroups', async () => {
      const pending = [...new Set(groupIds)].filter((g) => !results.has(g))
      const coordinators = await Promise.all(pending.map((id) => this.cluster.coordinator(id)))
      const byNode = new Map<number, string[]>()
      pending.forEach((id, i) => byNode.set(coordinators[i].nodeId, [...(byNode.get(coordinators[i].nodeId) ?? []), id]))
      let retry: RetriableError | null = null
      await Promise.all([...byNode].map(async ([nodeId, batch]) => {
        const conn = await this.cluster.node(nodeId)
        const version = conn.version(DeleteGroupsApi, 2)
        const res = await conn.send(DeleteGroupsApi, version, {groupsNames: batch}) as DeleteGroupsResponse
        for (const r of res.results) {
          if (RETRIABLE_CODES.has(r.errorCode)) {
            this.cluster.invalidateCoordinator(r.groupId)
            retry = new RetriableError(new GroupKafkaError(r.errorCode))
          } else {
            results.set(r.groupId, r.errorCode)
          }
        }
      }))
      if (retry !== null) throw retry
      return new Map(groupIds.map((g) => [g, results.get(g) ?? ErrorCode.NONE]))
    })
  }
}

function safeDecodeAssignment(bytes: Buffer): TopicPartition[] {
  try {
    return decodeAssignment(bytes)
  } catch {
    return []
  }
}
