/**
 * Bad group requests over a raw socket (generated codecs) against a real `kts server start`
 * process, answered with Kafka's error codes (`GroupMetadataManager`, `OffsetMetadataManager`,
 * `ClassicGroup.validateOffsetCommit` of Apache Kafka's group coordinator): unknown groups, wrong
 * generations, member ids that do not exist, fenced static members, offset commits for unknown
 * topics or partitions, invalid session timeouts and group ids. Afterwards the group they aimed at
 * is untouched and a kafkajs consumer group still works.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../src/protocol/errors.js'
import {API, RawGroupClient, consumerSubscription, rawJoinAndSync, startKafkajsMember, useGroupBroker} from './groups-check.js'
import {uniqueTopic} from './interop-check.js'

interface PartitionError { partitionIndex: number, errorCode: number }
interface TopicErrors { name: string, partitions: PartitionError[] }

const codes = (topics: TopicErrors[]): string[] => topics.flatMap(t => t.partitions.map(p => `${t.name}/${p.partitionIndex}=${p.errorCode}`))

describe('interop: bad consumer group requests', function () {
  this.timeout(90_000)
  const suite = useGroupBroker({ownBroker: true}) // Kafka's exact codes are asserted against our own broker
  let c: RawGroupClient | undefined

  before(async () => {
    await suite.harness('groups-bad')
    const raw = await RawGroupClient.connect(suite.broker.port)
    c = raw
    suite.onClose(() => raw.close())
  })

  it('answers unknown groups, wrong generations, unknown members and unknown topics with Kafka error codes', async () => {
    const raw = c!
    const topic = suite.h.topic
    const group = uniqueTopic('groups-bad-g')
    const unknown = uniqueTopic('groups-bad-unknown')
    const {memberId, generationId} = await rawJoinAndSync(raw, group, topic, [0, 1, 2, 3, 4, 5], 60_000)
    await raw.waitCoordinator(unknown)
    const commit = (groupId: string, gen: number, member: string, topics: {name: string, partitions: number[]}[], version = 8) =>
      raw.call(API.OffsetCommit, version, {groupId, generationIdOrMemberEpoch: gen, memberId: member, groupInstanceId: null,
        topics: topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: ''}))}))})
    const heartbeat = (groupId: string, gen: number, member: string, instance: string | null = null) =>
      raw.call(API.Heartbeat, 4, {groupId, generationId: gen, memberId: member, groupInstanceId: instance})
    const sync = (groupId: string, gen: number, member: string) =>
      raw.call(API.SyncGroup, 5, {groupId, generationId: gen, memberId: member, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: []})
    const join = (groupId: string, member: string, extra: Record<string, unknown> = {}) =>
      raw.call(API.JoinGroup, 7, {groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: member, groupInstanceId: null,
        protocolType: 'consumer', protocols: [{name: 'range', metadata: consumerSubscription([topic])}], reason: null, ...extra})

    // An unknown group.
    assert.equal((await heartbeat(unknown, 1, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'Heartbeat, unknown group')
    assert.equal((await sync(unknown, 1, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'SyncGroup, unknown group')
    assert.equal((await join(unknown, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'JoinGroup with a member id, unknown group')
    assert.deepEqual(codes((await commit(unknown, 1, 'ghost', [{name: topic, partitions: [0]}])).topics),
      [`${topic}/0=${ErrorCode.ILLEGAL_GENERATION}`], 'OffsetCommit v8 with a generation, unknown group')
    assert.deepEqual(codes((await commit(unknown, 1, 'ghost', [{name: topic, partitions: [0]}], 9)).topics),
      [`${topic}/0=${ErrorCode.GROUP_ID_NOT_FOUND}`], 'OffsetCommit v9 with a generation, unknown group')
    const leaveUnknown = await raw.call(API.LeaveGroup, 4, {groupId: unknown, members: [{memberId: 'ghost', groupInstanceId: null}]})
    assert.deepEqual([leaveUnknown.errorCode, leaveUnknown.members[0].errorCode], [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID], 'LeaveGroup, unknown group')
    assert.equal((await raw.call(API.DeleteGroups, 2, {groupsNames: [unknown]})).results[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND, 'DeleteGroups, unknown group')
    assert.equal((await raw.call(API.OffsetDelete, 0, {groupId: unknown, topics: [{name: topic, partitions: [{partitionIndex: 0}]}]})).errorCode,
      ErrorCode.GROUP_ID_NOT_FOUND, 'OffsetDelete, unknown group')
    const describedUnknown = (await raw.call(API.DescribeGroups, 5, {groups: [unknown], includeAuthorizedOperations: false})).groups[0]
    assert.deepEqual([describedUnknown.errorCode, describedUnknown.groupState], [ErrorCode.NONE, 'Dead'], 'DescribeGroups, unknown group')
    const fetchedUnknown = await raw.call(API.OffsetFetch, 7, {groupId: unknown, topics: [{name: topic, partitionIndexes: [0]}], requireStable: false})
    assert.deepEqual([fetchedUnknown.errorCode, Number(fetchedUnknown.topics[0].partitions[0].committedOffset)], [ErrorCode.NONE, -1], 'OffsetFetch, unknown group')

    // The wrong generation of a live member.
    assert.equal((await heartbeat(group, generationId + 1, memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION, 'Heartbeat, wrong generation')
    assert.equal((await sync(group, generationId + 1, memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION, 'SyncGroup, wrong generation')
    assert.deepEqual(codes((await commit(group, generationId + 1, memberId, [{name: topic, partitions: [0]}])).topics),
      [`${topic}/0=${ErrorCode.ILLEGAL_GENERATION}`], 'OffsetCommit, wrong generation')

    // A member id that does not exist.
    assert.equal((await heartbeat(group, generationId, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'Heartbeat, unknown member')
    assert.equal((await sync(group, generationId, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'SyncGroup, unknown member')
    assert.equal((await join(group, 'ghost')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'JoinGroup, unknown member')
    assert.deepEqual(codes((await commit(group, generationId, 'ghost', [{name: topic, partitions: [0]}])).topics),
      [`${topic}/0=${ErrorCode.UNKNOWN_MEMBER_ID}`], 'OffsetCommit, unknown member')
    assert.deepEqual(codes((await commit(group, -1, '', [{name: topic, partitions: [0]}])).topics),
      [`${topic}/0=${ErrorCode.UNKNOWN_MEMBER_ID}`], 'OffsetCommit without a member to a non-empty group')
    const leaveGhost = await raw.call(API.LeaveGroup, 4, {groupId: group, members: [{memberId: 'ghost', groupInstanceId: null}]})
    assert.deepEqual([leaveGhost.errorCode, leaveGhost.members[0].errorCode], [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID], 'LeaveGroup, unknown member')

    // Offset commits for topics or partitions that do not exist: only those partitions fail.
    const missing = uniqueTopic('groups-bad-no-such-topic')
    const mixed = await commit(group, generationId, memberId, [{name: missing, partitions: [0]}, {name: topic, partitions: [0, 99]}])
    assert.deepEqual(codes(mixed.topics), [`${missing}/0=${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`, `${topic}/0=${ErrorCode.NONE}`,
      `${topic}/99=${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`], 'OffsetCommit, unknown topic and partition')
    const simple = await commit(uniqueTopic('groups-bad-simple'), -1, '', [{name: missing, partitions: [0]}])
    assert.deepEqual(codes(simple.topics), [`${missing}/0=${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`], 'standalone OffsetCommit, unknown topic')
    const fetched = await raw.call(API.OffsetFetch, 7, {groupId: group, topics: null, requireStable: false})
    assert.deepEqual(fetched.topics.map((t: {name: string, partitions: {partitionIndex: number, committedOffset: number}[]}) =>
      [t.name, t.partitions.map(p => [p.partitionIndex, Number(p.committedOffset)])]), [[topic, [[0, 5]]]], 'only the valid partition was committed')

    // Invalid joins, a fenced static member, a non-empty group.
    assert.equal((await join(group, '', {sessionTimeoutMs: 1000})).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT, 'JoinGroup, session timeout below group.min.session.timeout.ms')
    assert.equal((await join('', '')).errorCode, ErrorCode.INVALID_GROUP_ID, 'JoinGroup, empty group id')
    assert.equal((await join(group, '', {protocolType: 'connect'})).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'JoinGroup, another protocol type')
    const staticGroup = uniqueTopic('groups-bad-static')
    const st = await rawJoinAndSync(raw, staticGroup, topic, [0], 60_000, 'instance-1')
    assert.equal((await heartbeat(staticGroup, st.generationId, 'not-me', 'instance-1')).errorCode, ErrorCode.FENCED_INSTANCE_ID, 'Heartbeat, fenced static member')
    assert.equal((await join(staticGroup, 'not-me', {groupInstanceId: 'instance-1'})).errorCode, ErrorCode.FENCED_INSTANCE_ID, 'JoinGroup, fenced static member')
    assert.equal((await raw.call(API.DeleteGroups, 2, {groupsNames: [group]})).results[0].errorCode, ErrorCode.NON_EMPTY_GROUP, 'DeleteGroups, Stable group')
    const offsetDelete = await raw.call(API.OffsetDelete, 0, {groupId: group, topics: [{name: topic, partitions: [{partitionIndex: 0}]}]})
    assert.deepEqual([offsetDelete.errorCode, offsetDelete.topics[0].partitions[0].errorCode], [ErrorCode.NONE, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC], 'OffsetDelete, subscribed topic')

    // Nothing above disturbed the group: its member still heartbeats in the same generation.
    assert.equal((await heartbeat(group, generationId, memberId)).errorCode, ErrorCode.NONE)
    const d = (await raw.call(API.DescribeGroups, 5, {groups: [group], includeAuthorizedOperations: false})).groups[0]
    assert.deepEqual([d.groupState, d.members.map((m: {memberId: string}) => m.memberId)], ['Stable', [memberId]])
  })

  it('a kafkajs consumer group still works afterwards', async () => {
    const h = suite.h
    const m = await startKafkajsMember(h, 'after-bad-input')
    await h.waitStable([m])
    const records = await h.produce(3)
    await h.waitDelivered(records)
    h.checkDeliveries(records)
    await m.close()
  })
})
