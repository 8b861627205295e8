// Pending-sync expiry (Kafka GroupMetadataManager.schedulePendingSync/expirePendingSync): members
// that got their JoinGroup answer but send no SyncGroup within the rebalance timeout are removed
// and the group rebalances; members that synced are kept.
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {Writer} from '../../../../src/protocol/primitives/writer.js'
import {DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type JoinGroupInput} from '../../../../src/server/group/group-coordinator.js'
import {FakeClock, FakeStorage, flush} from './fakes.js'

const CONFIG = {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 1, initialRebalanceDelayMs: 0}
const CLIENT = {clientId: 'cli', clientHost: '127.0.0.1'}
const REBALANCE_TIMEOUT_MS = 20_000

function joinReq(memberId: string): JoinGroupInput {
  const metadata = new Writer().writeInt16(0).writeArrayLength(1).writeString('t').writeNullableBytes(null).toBuffer()
  return {groupId: 'g', sessionTimeoutMs: 60_000, rebalanceTimeoutMs: REBALANCE_TIMEOUT_MS, memberId, groupInstanceId: null,
    protocolType: 'consumer', protocols: [{name: 'range', metadata}]}
}

describe('GroupCoordinator pending-sync expiry', () => {
  it('removes members that do not send SyncGroup within the rebalance timeout, then rebalances the rest', async () => {
    const clock = new FakeClock()
    const coord = new GroupCoordinator(new FakeStorage(), CONFIG, clock)
    await coord.onElection(0, 0)
    const ids: string[] = []
    for (let i = 0; i < 2; i++) ids.push((await coord.joinGroup(joinReq(''), 9, CLIENT)).memberId)
    const joins = ids.map(id => coord.joinGroup(joinReq(id), 9, CLIENT))
    await clock.advance(0)
    const [r1, r2] = await Promise.all(joins)
    assert.equal(r1.errorCode, 0)
    const follower = r1.leader === r1.memberId ? r2.memberId : r1.memberId
    const leader = r1.leader
    // Only the follower syncs; the leader never sends its assignment.
    const followerSync = coord.syncGroup({groupId: 'g', generationId: r1.generationId, memberId: follower, groupInstanceId: null,
      protocolType: 'consumer', protocolName: 'range', assignments: []}, 5)
    await clock.advance(REBALANCE_TIMEOUT_MS - 1)
    assert.equal(coord.group('g')!.state, 'CompletingRebalance')
    await clock.advance(1)
    assert.equal((await followerSync).errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
    assert.equal(coord.group('g')!.members.has(leader), false, 'the leader that never synced is removed')
    assert.equal(coord.group('g')!.state, 'PreparingRebalance')
    assert.equal(coord.heartbeat({groupId: 'g', generationId: r1.generationId, memberId: leader, groupInstanceId: null}, 4), ErrorCode.UNKNOWN_MEMBER_ID)
    // The follower rejoins and leads generation 2 alone.
    const again = coord.joinGroup(joinReq(follower), 9, CLIENT)
    await flush()
    const r3 = await again
    assert.deepEqual([r3.errorCode, r3.generationId, r3.leader], [0, r1.generationId + 1, follower])
    const sync = await coord.syncGroup({groupId: 'g', generationId: r3.generationId, memberId: follower, groupInstanceId: null,
      protocolType: 'consumer', protocolName: 'range', assignments: [{memberId: follower, assignment: Buffer.from('a')}]}, 5)
    assert.equal(sync.errorCode, 0)
    await clock.advance(REBALANCE_TIMEOUT_MS * 2)
    assert.equal(coord.group('g')!.state, 'Stable', 'a group whose members all synced is left alone')
    coord.close()
  })
})
