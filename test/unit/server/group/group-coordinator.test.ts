
import {ErrorCode, KafkaError} from '../../../../src/protocol/errors.js'
import {Writer} from '../../../../src/protocol/primitives/writer.js'
import {decodeRecordBatches, encodeRecordBatch} from '../../../../src/protocol/records/records.js'
import {
  DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type GroupCoordinatorConfig, type JoinGroupInput, type JoinGroupResult,
} from '../../../../src/server/group/group-coordinator.js'
import {decodeCoordinatorKey, encodeOffsetCommitKey, encodeOffsetCommitValue} from '../../../../src/server/group/group-records.js'
import {expect, FakeClock, FakeStorage, flush} from './fakes.js'

const CONFIG: GroupCoordinatorConfig = {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 4}
const CLIENT = {clientId: 'cli', clientHost: '127.0.0.1'}

function subscription(topics: string[]): Buffer {
  const w = new Writer().writeInt16(0).writeArrayLength(topics.length)
  for (const t of topics) w.writeString(t)
  return w.writeNullableBytes(null).toBuffer()
}

function joinReq(memberId = '', extra: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: null,
    protocolType: 'consumer', protocols: [{name: 'range', metadata: subscription(['t'])}], ...extra,
  }
}

interface Setup { clock: FakeClock, storage: FakeStorage, coord: GroupCoordinator }

async function setup(storage = new FakeStorage(), clock = new FakeClock(), config = CONFIG): Promise<Setup> {
  const coord = new GroupCoordinator(storage, config, clock, (topic) => topic !== 'missing')
  for (let p = 0; p < config.offsetsTopicNumPartitions; p++) await coord.onElection(p, 0)
  return {clock, storage, coord}
}

/** v9 join of a new dynamic member: MEMBER_ID_REQUIRED, then the real join (pending promise). */
async function joinNew(coord: GroupCoordinator, extra: Partial<JoinGroupInput> = {}): Promise<{memberId: string, join: Promise<JoinGroupResult>}> {
  const first = await coord.joinGroup(joinReq('', extra), 9, CLIENT)
  expect(first.errorCode).to.equal(ErrorCode.MEMBER_ID_REQUIRED)
  expect(first.memberId).to.match(/^cli-[0-9a-f-]{36}$/)
  return {memberId: first.memberId, join: coord.joinGroup(joinReq(first.memberId, extra), 9, CLIENT)}
}

function isSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false
  p.then(() => { settled = true }, () => { settled = true })
  return flush().then(() => settled)
}

/** Forms a Stable group of `n` members; returns member ids (leader first) and the generation. */
async function stableGroup(s: Setup, n: number): Promise<{ids: string[], generation: number, leader: string}> {
  const joins = []
  for (let i = 0; i < n; i++) joins.push(await joinNew(s.coord))
  // Members after the first arrive during the initial delay, which extends it once.
  await s.clock.advance(CONFIG.initialRebalanceDelayMs * (n > 1 ? 2 : 1))
  const results = await Promise.all(joins.map(j => j.join))
  const leader = results[0].leader
  const generation = results[0].generationId
  const syncs = results.map(r => s.coord.syncGroup({
    groupId: 'g', generationId: generation, memberId: r.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
    assignments: r.memberId === leader ? results.map(x => ({memberId: x.memberId, assignment: Buffer.from(`a-${x.memberId}`)})) : [],
  }, 5))
  const synced = await Promise.all(syncs)
  for (let i = 0; i < n; i++) {
    expect(synced[i].errorCode).to.equal(0)
    expect(synced[i].assignment.toString()).to.equal(`a-${results[i].memberId}`)
  }
  const ids = results.map(r => r.memberId).sort((a, b) => (a === leader ? -1 : b === leader ? 1 : 0))
  return {ids, generation, leader}
}

describe('GroupCoordinator (classic groups)', function () {
  this.timeout(10_000)
  let s: Setup
  afterEach(() => s?.coord.close())

  it('answers NOT_COORDINATOR for partitions it does not lead, and after resignation', async () => {
    s = {clock: new FakeClock(), storage: new FakeStorage(), coord: undefined as unknown as GroupCoordinator}
    s.coord = new GroupCoordinator(s.storage, CONFIG, s.clock)
    const r = await s.coord.joinGroup(joinReq(), 9, CLIENT)
    expect(r.errorCode).to.equal(ErrorCode.NOT_COORDINATOR)
    await s.coord.onElection(s.coord.partitionFor('g'), 0)
    expect(s.coord.isCoordinatorFor('g')).to.equal(true)
    s.coord.onResignation(s.coord.partitionFor('g'))
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: 'x', groupInstanceId: null}, 4)).to.equal(ErrorCode.NOT_COORDINATOR)
  })

  it('rejects bad session timeouts and empty group ids', async () => {
    s = await setup()
    expect((await s.coord.joinGroup(joinReq('', {sessionTimeoutMs: 1000}), 9, CLIENT)).errorCode).to.equal(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await s.coord.joinGroup(joinReq('', {sessionTimeoutMs: 1_800_001}), 9, CLIENT)).errorCode).to.equal(ErrorCode.INVALID_SESSION_TIMEOUT)
    expect((await s.coord.joinGroup(joinReq('', {groupId: ''}), 9, CLIENT)).errorCode).to.equal(ErrorCode.INVALID_GROUP_ID)
    expect((await s.coord.joinGroup(joinReq('nobody'), 9, CLIENT)).errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('requires a member id from v4 (KIP-394) but not before', async () => {
    s = await setup()
    const {memberId} = await joinNew(s.coord)
    expect(s.coord.group('g')!.pendingMembers.has(memberId)).to.equal(false)
    const v3 = s.coord.joinGroup(joinReq(), 3, CLIENT)
    await s.clock.advance(6000)
    const r = await v3
    expect(r.errorCode).to.equal(0)
    expect(r.memberId).to.match(/^cli-/)
  })

  it('waits group.initial.rebalance.delay.ms, extended while members keep arriving', async () => {
    s = await setup()
    const a = await joinNew(s.coord)
    await s.clock.advance(2000)
    expect(await isSettled(a.join)).to.equal(false)
    const b = await joinNew(s.coord)
    await s.clock.advance(1000) // first delay ends, a new member arrived -> extended by another 3000
    expect(await isSettled(a.join)).to.equal(false)
    await s.clock.advance(2999)
    expect(await isSettled(a.join)).to.equal(false)
    await s.clock.advance(1)
    const [ra, rb] = await Promise.all([a.join, b.join])
    expect(ra.generationId).to.equal(1)
    expect(rb.generationId).to.equal(1)
    expect(ra.leader).to.equal(a.memberId)
    expect(ra.members.map(m => m.memberId)).to.have.members([a.memberId, b.memberId])
    expect(rb.members).to.deep.equal([])
    expect(ra.protocolName).to.equal('range')
    expect(s.coord.group('g')!.state).to.equal('CompletingRebalance')
  })

  it('join, sync and heartbeat with three members', async () => {
    s = await setup()
    const {ids, generation} = await stableGroup(s, 3)
    expect(generation).to.equal(1)
    expect(s.coord.group('g')!.state).to.equal('Stable')
    for (const id of ids) expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: id, groupInstanceId: null}, 4)).to.equal(0)
    expect(s.coord.heartbeat({groupId: 'g', generationId: 0, memberId: ids[0], groupInstanceId: null}, 4)).to.equal(ErrorCode.ILLEGAL_GENERATION)
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: 'nope', groupInstanceId: null}, 4)).to.equal(ErrorCode.UNKNOWN_MEMBER_ID)
    const sync = await s.coord.syncGroup({groupId: 'g', generationId: 7, memberId: ids[1], groupInstanceId: null, protocolType: null, protocolName: null, assignments: []}, 5)
    expect(sync.errorCode).to.equal(ErrorCode.ILLEGAL_GENERATION)
    // The group metadata record with assignments was written.
    const log = s.storage.logs.get(s.coord.partitionFor('g'))!
    const keys = log.flatMap(b => decodeRecordBatches(b).flatMap(x => x.records)).map(r => decodeCoordinatorKey(r.key!))
    expect(keys.some(k => k.type === 'group' && k.group === 'g')).to.equal(true)
    const d = s.coord.describeGroup('g')
    expect(d.groupState).to.equal('Stable')
    expect(d.protocolData).to.equal('range')
    expect(d.members).to.have.length(3)
    expect(s.coord.listGroups().groups).to.deep.equal([{groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic'}])
    expect(s.coord.listGroups(['Empty']).groups).to.deep.equal([])
  })

  it('rejects a second protocol type and gives INCONSISTENT_GROUP_PROTOCOL', async () => {
    s = await setup()
    await stableGroup(s, 1)
    const r = await s.coord.joinGroup(joinReq('', {protocolType: 'connect'}), 9, CLIENT)
    expect(r.errorCode).to.equal(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  })

  it('a member whose session expires is removed and the others rebalance', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 3)
    const [a, b, c] = ids
    // a and b heartbeat every 3 s; c stays silent.
    for (let i = 0; i < 3; i++) {
      await s.clock.advance(3000)
      expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null}, 4)).to.equal(0)
      expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null}, 4)).to.equal(0)
    }
    await s.clock.advance(1500) // c's 10 s session is over
    expect(s.coord.group('g')!.state).to.equal('PreparingRebalance')
    expect(s.coord.group('g')!.members.has(c)).to.equal(false)
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null}, 4)).to.equal(ErrorCode.REBALANCE_IN_PROGRESS)
    const ja = s.coord.joinGroup(joinReq(a), 9, CLIENT)
    expect(await isSettled(ja)).to.equal(false)
    const jb = s.coord.joinGroup(joinReq(b), 9, CLIENT)
    const [ra, rb] = await Promise.all([ja, jb]) // all remaining members rejoined: completes at once
    expect(ra.generationId).to.equal(2)
    expect(rb.generationId).to.equal(2)
    expect((ra.leader === a ? ra : rb).members).to.have.length(2)
  })

  it('members that do not rejoin within the rebalance timeout are dropped', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 2)
    const ja = s.coord.joinGroup(joinReq(ids[0], {sessionTimeoutMs: 60_000}), 9, CLIENT) // leader rejoin triggers a rebalance
    // ids[1] keeps heartbeating (REBALANCE_IN_PROGRESS) but never rejoins.
    for (let t = 0; t < 30_000; t += 5000) {
      await s.clock.advance(5000)
      s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: ids[1], groupInstanceId: null}, 4)
    }
    const r = await ja
    expect(r.errorCode).to.equal(0)
    expect(r.generationId).to.equal(2)
    expect(r.members.map(m => m.memberId)).to.deep.equal([ids[0]])
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: ids[1], groupInstanceId: null}, 4)).to.equal(ErrorCode.UNKNOWN_MEMBER_ID)
  })

  it('LeaveGroup removes members and rebalances; the last leave empties the group', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 2)
    const res = s.coord.leaveGroup('g', [{memberId: ids[1], groupInstanceId: null}, {memberId: 'ghost', groupInstanceId: null}])
    expect(res.members.map(m => m.errorCode)).to.deep.equal([0, ErrorCode.UNKNOWN_MEMBER_ID])
    expect(s.coord.group('g')!.state).to.equal('PreparingRebalance')
    const r = await s.coord.joinGroup(joinReq(ids[0]), 9, CLIENT)
    expect(r.generationId).to.equal(2)
    expect(r.members).to.have.length(1)
    s.coord.leaveGroup('g', [{memberId: ids[0], groupInstanceId: null}])
    await s.clock.advance(0)
    expect(s.coord.group('g')!.state).to.equal('Empty')
    expect(s.coord.group('g')!.generationId).to.equal(3)
  })

  it('static member rejoin replaces its member id without a rebalance and fences the old id', async () => {
    s = await setup()
    const static1 = s.coord.joinGroup(joinReq('', {groupInstanceId: 'i1'}), 9, CLIENT) // no MEMBER_ID_REQUIRED for static members
    const dyn = await joinNew(s.coord)
    await s.clock.advance(6000) // the second member extended the initial delay
    const [r1, r2] = await Promise.all([static1, dyn.join])
    expect(r1.memberId).to.match(/^i1-/)
    const leader = r1.leader
    await Promise.all([r1, r2].map(r => s.coord.syncGroup({groupId: 'g', generationId: 1, memberId: r.memberId, groupInstanceId: r === r1 ? 'i1' : null,
      protocolType: 'consumer', protocolName: 'range', assignments: r.memberId === leader ? [{memberId: r1.memberId, assignment: Buffer.from('A1')}] : []}, 5)))
    expect(s.coord.group('g')!.state).to.equal('Stable')
    // Restart of the static member: new join with an empty member id.
    const again = await s.coord.joinGroup(joinReq('', {groupInstanceId: 'i1'}), 9, CLIENT)
    expect(again.errorCode).to.equal(0)
    expect(again.memberId).to.not.equal(r1.memberId)
    expect(again.generationId).to.equal(1)
    expect(s.coord.group('g')!.state).to.equal('Stable')
    const sync = await s.coord.syncGroup({groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i1', protocolType: null, protocolName: null, assignments: []}, 5)
    expect(sync.assignment.toString()).to.equal('A1')
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: r1.memberId, groupInstanceId: 'i1'}, 4)).to.equal(ErrorCode.FENCED_INSTANCE_ID)
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i1'}, 4)).to.equal(0)
    // Admin removal by instance id.
    const left = s.coord.leaveGroup('g', [{memberId: '', groupInstanceId: 'i1'}])
    expect(left.members[0].errorCode).to.equal(0)
    expect(s.coord.group('g')!.state).to.equal('PreparingRebalance')
  })

  it('a member id handed out with MEMBER_ID_REQUIRED expires after the session timeout', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 1)
    const first = await s.coord.joinGroup(joinReq(), 9, CLIENT)
    expect(first.errorCode).to.equal(ErrorCode.MEMBER_ID_REQUIRED)
    expect(s.coord.group('g')!.pendingMembers.size).to.equal(1)
    await s.clock.advance(5000)
    expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: ids[0], groupInstanceId: null}, 4)).to.equal(0)
    await s.clock.advance(5000)
    expect(s.coord.group('g')!.pendingMembers.size).to.equal(0)
    expect((await s.coord.joinGroup(joinReq(first.memberId), 9, CLIENT)).errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID)
    expect(s.coord.group('g')!.state).to.equal('Stable')
  })

  it('a failed GroupMetadata write fails the SyncGroup and starts a new rebalance', async () => {
    s = await setup()
    const a = await joinNew(s.coord)
    await s.clock.advance(3000)
    const r = await a.join
    s.storage.failNext = new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS)
    const sync = await s.coord.syncGroup({groupId: 'g', generationId: 1, memberId: r.memberId, groupInstanceId: null, protocolType: 'consumer',
      protocolName: 'range', assignments: [{memberId: r.memberId, assignment: Buffer.from('x')}]}, 5)
    expect(sync.errorCode).to.equal(ErrorCode.COORDINATOR_NOT_AVAILABLE)
    expect(s.coord.group('g')!.state).to.equal('PreparingRebalance')
    const again = await s.coord.joinGroup(joinReq(r.memberId), 9, CLIENT)
    expect(again.generationId).to.equal(2)
  })

  it('pending joins get NOT_COORDINATOR on resignation', async () => {
    s = await setup()
    const a = await joinNew(s.coord)
    s.coord.onResignation(s.coord.partitionFor('g'))
    expect((await a.join).errorCode).to.equal(ErrorCode.NOT_COORDINATOR)
    expect(s.coord.listGroups().groups).to.deep.equal([])
  })

  it('enforces group.max.size', async () => {
    s = await setup(undefined, undefined, {...CONFIG, maxSize: 1})
    await joinNew(s.coord)
    const r = await s.coord.joinGroup(joinReq(), 9, CLIENT)
    expect(r.errorCode).to.equal(ErrorCode.GROUP_MAX_SIZE_REACHED)
  })

  it('commits and fetches offsets (group members and standalone)', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 1)
    const commit = await s.coord.commitOffsets({groupId: 'g', generationIdOrMemberEpoch: 1, memberId: ids[0], groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, committedMetadata: 'm'}]},
        {name: 'missing', partitions: [{partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null}]}]}, 9)
    expect(commit.topics.map(t => t.partitions[0].errorCode)).to.deep.equal([0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    const stale = await s.coord.commitOffsets({groupId: 'g', generationIdOrMemberEpoch: 0, memberId: ids[0], groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    expect(stale.topics[0].partitions[0].errorCode).to.equal(ErrorCode.ILLEGAL_GENERATION)
    const simple = await s.coord.commitOffsets({groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 1, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    expect(simple.topics[0].partitions[0].errorCode).to.equal(ErrorCode.UNKNOWN_MEMBER_ID) // group is not Empty
    const f = s.coord.fetchOffsets('g', [{name: 't', partitionIndexes: [0, 1]}])
    expect(f.topics[0].partitions).to.deep.equal([
      {partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, metadata: 'm', errorCode: 0},
      {partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0},
    ])
    const standalone = await s.coord.commitOffsets({groupId: 'solo', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 2, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    expect(standalone.topics[0].partitions[0].errorCode).to.equal(0)
    expect(s.coord.fetchOffsets('solo', null).topics).to.deep.equal([{name: 't', partitions: [{partitionIndex: 2, committedOffset: 9, committedLeaderEpoch: -1, metadata: '', errorCode: 0}]}])
    expect(s.coord.fetchOffsets('nobody', null)).to.deep.equal({errorCode: 0, topics: []})
    expect(s.coord.describeGroup('solo').groupState).to.equal('Empty')
  })

  it('maps storage failures of a commit to coordinator errors', async () => {
    s = await setup()
    s.storage.failNext = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    const r = await s.coord.commitOffsets({groupId: 'solo', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    expect(r.topics[0].partitions[0].errorCode).to.equal(ErrorCode.NOT_COORDINATOR)
    expect(s.coord.fetchOffsets('solo', [{name: 't', partitionIndexes: [0]}]).topics[0].partitions[0].committedOffset).to.equal(-1)
  })

  it('reloads groups and offsets from the log after a restart', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 2)
    await s.coord.commitOffsets({groupId: 'g', generationIdOrMemberEpoch: 1, memberId: ids[0], groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 2, committedMetadata: 'x'}]}]}, 9)
    await s.coord.commitOffsets({groupId: 'solo', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    await s.coord.deleteOffsets('solo', [{name: 't', partitions: [{partitionIndex: 0}]}])
    s.coord.close()

    const storage = s.storage
    storage.batchesPerRead = 1
    const clock = new FakeClock()
    const coord = new GroupCoordinator(storage, CONFIG, clock)
    const p = s.coord.partitionFor('g')
    const loading = coord.onElection(p, 1)
    expect(coord.heartbeat({groupId: 'g', generationId: 1, memberId: ids[0], groupInstanceId: null}, 4)).to.equal(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    await loading
    for (let q = 0; q < CONFIG.offsetsTopicNumPartitions; q++) if (q !== p) await coord.onElection(q, 1)
    s = {clock, storage, coord}
    expect(coord.group('g')!.state).to.equal('Stable')
    expect(coord.group('g')!.generationId).to.equal(1)
    expect(coord.heartbeat({groupId: 'g', generationId: 1, memberId: ids[1], groupInstanceId: null}, 4)).to.equal(0)
    const sync = await coord.syncGroup({groupId: 'g', generationId: 1, memberId: ids[1], groupInstanceId: null, protocolType: null, protocolName: null, assignments: []}, 5)
    expect(sync.assignment.toString()).to.equal(`a-${ids[1]}`)
    expect(coord.fetchOffsets('g', [{name: 't', partitionIndexes: [0]}]).topics[0].partitions[0])
      .to.deep.equal({partitionIndex: 0, committedOffset: 100, committedLeaderEpoch: 2, metadata: 'x', errorCode: 0})
    expect(coord.fetchOffsets('solo', null).topics).to.deep.equal([]) // tombstoned
  })

  it('skips undecodable records on load, and a failed load leaves the partition unowned', async () => {
    const storage = new FakeStorage()
    const coord = new GroupCoordinator(storage, CONFIG, new FakeClock())
    const p = coord.partitionFor('g')
    await storage.append(p, encodeRecordBatch({records: [
      {key: encodeOffsetCommitKey({group: 'g', topic: 't', partition: 0}), value: Buffer.from([0, 3, 1])}, // truncated value
      {key: encodeOffsetCommitKey({group: 'g', topic: 't', partition: 1}), value: encodeOffsetCommitValue({offset: 8, leaderEpoch: 1, metadata: '', commitTimestamp: 1, expireTimestamp: -1})},
      {key: Buffer.from([0]), value: Buffer.from([1])}, // undecodable key
    ]}))
    await coord.onElection(p, 0)
    s = {clock: new FakeClock(), storage, coord}
    expect(coord.fetchOffsets('g', null).topics).to.deep.equal([{name: 't', partitions: [{partitionIndex: 1, committedOffset: 8, committedLeaderEpoch: 1, metadata: '', errorCode: 0}]}])
    const q = (p + 1) % CONFIG.offsetsTopicNumPartitions
    storage.read = () => { throw new Error('disk gone') }
    let failed = false
    await coord.onElection(q, 0).catch(() => { failed = true })
    expect(failed).to.equal(true)
    const other = ['a', 'b', 'c', 'd', 'e', 'f', 'h'].find(id => coord.partitionFor(id) === q)!
    expect(coord.heartbeat({groupId: other, generationId: 1, memberId: 'm', groupInstanceId: null}, 4)).to.equal(ErrorCode.NOT_COORDINATOR)
  })

  it('expires offsets of Empty groups after offsets.retention.minutes and deletes the group', async () => {
    const config = {...CONFIG, offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000}
    s = await setup(undefined, undefined, config)
    const {ids} = await stableGroup(s, 1)
    await s.coord.commitOffsets({groupId: 'g', generationIdOrMemberEpoch: 1, memberId: ids[0], groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    for (let t = 0; t < 120_000; t += 5000) { // active group: nothing expires even past the retention
      await s.clock.advance(5000)
      expect(s.coord.heartbeat({groupId: 'g', generationId: 1, memberId: ids[0], groupInstanceId: null}, 4)).to.equal(0)
    }
    expect(s.coord.group('g')).to.not.equal(undefined)
    expect(s.coord.fetchOffsets('g', null).topics).to.have.length(1)
    s.coord.leaveGroup('g', [{memberId: ids[0], groupInstanceId: null}])
    await s.clock.advance(0)
    expect(s.coord.group('g')!.state).to.equal('Empty')
    await s.clock.advance(50_000)
    expect(s.coord.fetchOffsets('g', null).topics).to.have.length(1)
    await s.clock.advance(20_000)
    expect(s.coord.group('g')).to.equal(undefined)
    expect(s.coord.fetchOffsets('g', null).topics).to.deep.equal([])
    // Tombstones are in the log: a reload finds nothing.
    const coord = new GroupCoordinator(s.storage, config, new FakeClock())
    await coord.onElection(coord.partitionFor('g'), 1)
    expect(coord.group('g')).to.equal(undefined)
    coord.close()
  })

  it('DeleteGroups deletes only Empty groups', async () => {
    s = await setup()
    await stableGroup(s, 1)
    expect(await s.coord.deleteGroup('g')).to.equal(ErrorCode.NON_EMPTY_GROUP)
    expect(await s.coord.deleteGroup('none')).to.equal(ErrorCode.GROUP_ID_NOT_FOUND)
    await s.coord.commitOffsets({groupId: 'solo', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    expect(await s.coord.deleteGroup('solo')).to.equal(0)
    expect(s.coord.fetchOffsets('solo', null).topics).to.deep.equal([])
  })

  it('OffsetDelete refuses topics the group is subscribed to', async () => {
    s = await setup()
    const {ids} = await stableGroup(s, 1)
    await s.coord.commitOffsets({groupId: 'g', generationIdOrMemberEpoch: 1, memberId: ids[0], groupInstanceId: null, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: ''}]},
        {name: 'u', partitions: [{partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: ''}]}]}, 9)
    const r = await s.coord.deleteOffsets('g', [{name: 't', partitions: [{partitionIndex: 0}]}, {name: 'u', partitions: [{partitionIndex: 0}]}])
    expect(r.topics.map(t => t.partitions[0].errorCode)).to.deep.equal([ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0])
    expect(s.coord.fetchOffsets('g', null).topics.map(t => t.name)).to.deep.equal(['t'])
  })
})
