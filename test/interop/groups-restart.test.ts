/**
 * Group state in `__consumer_offsets` survives a SIGKILL of the broker: after the restart the
 * coordinator reloads (GroupCoordinator.onElection) the committed offsets, an Empty group left by
 * kafkajs consumers and a Stable one-member group formed over raw requests (same member id,
 * generation and assignment: its heartbeat is accepted), and a new consumer resumes at the commits.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../src/protocol/errors.js'
import {API, RawGroupClient, decodeAssignment, rawJoinAndSync, startKafkajsMember, useGroupBroker} from './groups-check.js'
import {uniqueTopic} from './interop-check.js'

describe('interop: consumer group state across a broker SIGKILL', function () {
  this.timeout(120_000)
  const suite = useGroupBroker({ownBroker: true}) // the broker is killed and restarted
  const raws: RawGroupClient[] = []
  suite.onClose(() => {
    for (const r of raws) r.close()
  })

  it('reloads commits, an Empty and a Stable group after SIGKILL + restart; a consumer resumes at the commits', async () => {
    const b = suite.broker
    const h = await suite.harness('groups-restart')
    const all = Array.from({length: h.partitions}, (_, p) => p)

    // Group 1: two kafkajs members read batch A, commit it and leave: an Empty group with offsets.
    const [m1, m2] = [await startKafkajsMember(h, 'm1'), await startKafkajsMember(h, 'm2')]
    await h.waitStable([m1, m2])
    const a = await h.produce()
    await h.waitDelivered(a)
    const committed = await h.waitCommittedToEnd()
    await Promise.all([m1.close(), m2.close()])
    assert.equal((await h.describe()).state, 'Empty')

    // Group 2: one raw member, Stable with a 60 s session, commits offsets 3+p with metadata.
    const raw = await RawGroupClient.connect(b.port)
    raws.push(raw)
    const g2 = uniqueTopic('groups-restart-raw')
    const member = await rawJoinAndSync(raw, g2, h.topic, all, 60_000)
    const commit = await raw.call(API.OffsetCommit, 8, {
      groupId: g2, generationIdOrMemberEpoch: member.generationId, memberId: member.memberId, groupInstanceId: null,
      topics: [{name: h.topic, partitions: all.map(p => ({partitionIndex: p, committedOffset: 3 + p, committedLeaderEpoch: -1, committedMetadata: `meta-${p}`}))}],
    })
    assert.deepEqual(commit.topics[0].partitions.map((p: {errorCode: number}) => p.errorCode), all.map(() => 0))
    raw.close()

    await b.kill()
    await b.restart()

    const after = await RawGroupClient.connect(b.port)
    raws.push(after)
    await after.waitCoordinator(h.groupId)
    await after.waitCoordinator(g2)
    const fetch = await after.callWhenLoaded(API.OffsetFetch, 8, {
      groups: [{groupId: h.groupId, topics: [{name: h.topic, partitionIndexes: all}]}, {groupId: g2, topics: null}],
      requireStable: false,
    }, (r) => Math.max(...r.groups.map((g: {errorCode: number}) => g.errorCode)))
    const [f1, f2] = fetch.groups
    assert.equal(f1.errorCode, 0)
    assert.deepEqual(f1.topics[0].partitions.map((p: {partitionIndex: number, committedOffset: bigint | number}) => [p.partitionIndex, Number(p.committedOffset)]),
      all.map(p => [p, committed.get(p)]), 'group 1 commits after the restart')
    assert.deepEqual(f2.topics.map((t: {name: string}) => t.name), [h.topic])
    assert.deepEqual(f2.topics[0].partitions.map((p: {partitionIndex: number, committedOffset: bigint | number, metadata: string}) =>
      [p.partitionIndex, Number(p.committedOffset), p.metadata]), all.map(p => [p, 3 + p, `meta-${p}`]), 'group 2 commits after the restart')

    const described = await after.call(API.DescribeGroups, 5, {groups: [h.groupId, g2], includeAuthorizedOperations: false})
    const [d1, d2] = described.groups
    assert.deepEqual([d1.errorCode, d1.groupState, d1.protocolType, d1.members.length], [0, 'Empty', 'consumer', 0])
    assert.deepEqual([d2.errorCode, d2.groupState, d2.protocolType, d2.protocolData], [0, 'Stable', 'consumer', 'range'])
    assert.deepEqual(d2.members.map((m: {memberId: string}) => m.memberId), [member.memberId])
    assert.deepEqual(decodeAssignment(d2.members[0].memberAssignment, h.topic), all)
    const hb = await after.call(API.Heartbeat, 4, {groupId: g2, generationId: member.generationId, memberId: member.memberId, groupInstanceId: null})
    assert.equal(hb.errorCode, ErrorCode.NONE, 'the reloaded member and generation accept a heartbeat')
    const listed = await after.call(API.ListGroups, 4, {statesFilter: []})
    const states = new Map(listed.groups.map((g: {groupId: string, groupState: string}) => [g.groupId, g.groupState]))
    assert.equal(states.get(h.groupId), 'Empty')
    assert.equal(states.get(g2), 'Stable')
    const leave = await after.call(API.LeaveGroup, 4, {groupId: g2, members: [{memberId: member.memberId, groupInstanceId: null}]})
    assert.deepEqual([leave.errorCode, leave.members[0].errorCode], [0, 0])

    // A new member of group 1 resumes at the reloaded commits: batch B only, nothing of A again.
    const resumeSeq = h.seq()
    const m3 = await startKafkajsMember(h, 'm3')
    const bb = await h.produce()
    await h.waitStable([m3])
    await h.waitDelivered(bb)
    for (const p of all) assert.equal(h.firstDeliveryAfter('m3', p, resumeSeq)?.offset, committed.get(p), `partition ${p} resumed elsewhere than its commit`)
    h.checkDeliveries([...a, ...bb])
    await m3.close()
  })
})
