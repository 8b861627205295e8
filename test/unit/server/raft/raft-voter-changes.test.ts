/**
 * The dynamic quorum (KIP-853) in the Raft core: the bootstrap voters reach the log, observers find
 * the leader through bootstrap servers, and the leader's rules for AddRaftVoter, RemoveRaftVoter and
 * UpdateRaftVoter with Kafka's error codes (Kafka `KafkaRaftClientReconfigTest` is the model).
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {ZERO_UUID} from '../../../../src/protocol/primitives/uuid.js'
import {ApiKey} from '../../../../src/server/raft/raft-messages.js'
import {TestCluster, dirId, voterNode, type TestNode} from './raft-test-kit.js'

const ids = (n: TestNode): number[] => n.core.voters().map(v => v.id)

function addVoter(leader: TestNode, id: number, now: number, directoryId = dirId(id)) {
  return leader.request({apiKey: ApiKey.ADD_RAFT_VOTER, data: {clusterId: 'test-cluster', timeoutMs: 5000, voterId: id, voterDirectoryId: directoryId,
    listeners: voterNode(id).endpoints}}, now)
}

function removeVoter(leader: TestNode, id: number, now: number, directoryId = dirId(id)) {
  return leader.request({apiKey: ApiKey.REMOVE_RAFT_VOTER, data: {clusterId: 'test-cluster', voterId: id, voterDirectoryId: directoryId}}, now)
}

/** Runs until the answer to the node's direct request `id` (default: the last) came. */
function awaitAnswer(c: TestCluster, n: TestNode, id = n.lastRequestId, maxMs = 5000): {errorCode: number, errorMessage?: string | null} {
  assert.ok(c.run(maxMs, () => n.lateResponses.has(id)), 'an answer')
  return n.lateResponses.get(id) as {errorCode: number, errorMessage?: string | null}
}

describe('Raft dynamic quorum (KIP-853)', function () {
  this.timeout(30_000)
  it('--standalone: the only voter leads at once and writes its voter set to the log; the others observe through bootstrap servers', () => {
    const c = TestCluster.dynamic([voterNode(1)], [2, 3])
    const n1 = c.node(1)
    assert.ok(n1.core.isLeader())
    assert.deepEqual(n1.core.voterHistory.entries().map(e => e.offset), [-1, 2], 'bootstrap set, then the copy at epoch start + 2 (after LeaderChange and KRaftVersion)')
    assert.ok(c.run(3000, () => [2, 3].every(id => c.node(id).core.leaderAndEpoch().leaderId === 1 && ids(c.node(id)).join() === '1')))
    assert.equal(c.node(2).core.quorum.isVoter, false)
    assert.deepEqual(n1.core.describeQuorum(c.now).observers.map(o => o.replicaId).sort(), [2, 3])
  })

  it('AddRaftVoter: Kafka\'s checks, then the new voter set is committed with the new voter', () => {
    const c = TestCluster.dynamic([voterNode(1)], [2, 3])
    const n1 = c.node(1)
    assert.ok(c.run(3000, () => n1.core.describeQuorum(c.now).observers.length === 2))
    c.run(600) // the caught-up check wants a fetch after time 0 (Kafka: lastCaughtUpTimestamp > 0)
    assert.equal(addVoter(c.node(2), 3, c.now)!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(addVoter(n1, 2, c.now, ZERO_UUID)!.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(addVoter(n1, 1, c.now)!.errorCode, ErrorCode.DUPLICATE_VOTER)
    assert.equal(n1.request({apiKey: ApiKey.ADD_RAFT_VOTER, data: {clusterId: 'other', timeoutMs: 5000, voterId: 2, voterDirectoryId: dirId(2), listeners: []}}, c.now)!.errorCode,
      ErrorCode.INCONSISTENT_CLUSTER_ID)
    assert.equal(n1.request({apiKey: ApiKey.ADD_RAFT_VOTER, data: {clusterId: 'test-cluster', timeoutMs: 5000, voterId: 2, voterDirectoryId: dirId(2),
      listeners: [{name: 'OTHER', host: 'x', port: 1}]}}, c.now)!.errorCode, ErrorCode.INVALID_REQUEST, 'no endpoint for the controller listener')
    // a replica that never fetched is lagging behind
    assert.equal(addVoter(n1, 9, c.now), null)
    const lagging = awaitAnswer(c, n1)
    assert.equal(lagging.errorCode, ErrorCode.REQUEST_TIMED_OUT)
    assert.match(lagging.errorMessage!, /lagging behind/)
    // a replica fetching with another directory id is not the one to add
    assert.equal(addVoter(n1, 2, c.now, dirId(22)), null)
    assert.equal(awaitAnswer(c, n1).errorCode, ErrorCode.REQUEST_TIMED_OUT)

    assert.equal(addVoter(n1, 2, c.now), null, 'answered once committed')
    const adding2 = n1.lastRequestId
    const pending = addVoter(n1, 3, c.now)!
    assert.equal(pending.errorCode, ErrorCode.REQUEST_TIMED_OUT)
    assert.equal(pending.errorMessage, 'Request timed out waiting for leader to handle previous voter operation')
    assert.deepEqual(awaitAnswer(c, n1, adding2), {throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null})
    assert.deepEqual(ids(n1), [1, 2])
    assert.ok(c.run(3000, () => ids(c.node(2)).join() === '1,2' && c.node(2).core.quorum.isVoter))
    // one change at a time: the next one goes once the previous is committed
    assert.equal(addVoter(n1, 3, c.now), null)
    assert.equal(awaitAnswer(c, n1).errorCode, ErrorCode.NONE)
    assert.ok(c.run(3000, () => [1, 2, 3].every(id => ids(c.node(id)).join() === '1,2,3')))
    assert.deepEqual(n1.core.describeQuorum(c.now).currentVoters.map(v => [v.replicaId, v.replicaDirectoryId]), [1, 2, 3].map(id => [id, dirId(id)]))
  })

  it('the new voters elect a leader when the first one is gone; RemoveRaftVoter removes it, VOTER_NOT_FOUND for an unknown key', () => {
    const c = TestCluster.dynamic([voterNode(1), voterNode(2), voterNode(3)], [4])
    assert.ok(c.run(5000, () => c.leader() !== undefined && c.node(4).core.leaderAndEpoch().leaderId >= 0))
    const first = c.leader()!
    c.down.add(first.id)
    assert.ok(c.run(10_000, () => c.leader() !== undefined && c.leader() !== first))
    const leader = c.leader()!
    assert.ok(c.run(3000, () => leader.core.highWatermark() === leader.core.logEndOffset()))
    assert.equal(removeVoter(leader, first.id, c.now, dirId(99))!.errorCode, ErrorCode.VOTER_NOT_FOUND)
    assert.equal(removeVoter(leader, 7, c.now)!.errorCode, ErrorCode.VOTER_NOT_FOUND)
    assert.equal(removeVoter(leader, first.id, c.now), null)
    assert.equal(awaitAnswer(c, leader).errorCode, ErrorCode.NONE)
    assert.deepEqual(ids(leader), [1, 2, 3].filter(id => id !== first.id))
  })

  it('a leader that removes itself resigns once the removal is committed; another voter takes over', () => {
    const c = TestCluster.dynamic([voterNode(1), voterNode(2), voterNode(3)], [])
    assert.ok(c.run(5000, () => c.leader() !== undefined))
    const leader = c.leader()!
    assert.ok(c.run(3000, () => leader.core.highWatermark() === leader.core.logEndOffset()))
    assert.equal(removeVoter(leader, leader.id, c.now), null)
    assert.equal(awaitAnswer(c, leader).errorCode, ErrorCode.NONE)
    assert.ok(c.run(10_000, () => c.leader() !== undefined && c.leader() !== leader), 'a new leader')
    assert.ok(c.run(3000, () => leader.core.leaderAndEpoch().leaderId === c.leader()!.id), 'the removed one follows it as an observer')
    assert.equal(leader.core.quorum.isVoter, false)
  })

  it('a voter whose endpoints in the voter set are stale sends UpdateRaftVoter; the leader appends the new endpoints', () => {
    const c = TestCluster.dynamic([voterNode(1), voterNode(2, 1111)], [])
    assert.ok(c.run(10_000, () => {
      const l = c.leader()
      return l !== undefined && l.core.voters().find(v => v.id === 2)!.endpoints[0].port === 9093
    }), 'voter 2 at port 9093')
    assert.ok(c.node(1).logs.concat(c.node(2).logs).some(l => /^Updating voter 2/.test(l)))
  })

  it('a static quorum (kraft.version 0) refuses voter changes with UNSUPPORTED_VERSION', () => {
    const c = new TestCluster([1, 2, 3])
    assert.ok(c.run(5000, () => c.leader() !== undefined && c.leader()!.core.highWatermark() > 0))
    const res = addVoter(c.leader()!, 4, c.now)!
    assert.equal(res.errorCode, ErrorCode.UNSUPPORTED_VERSION)
    assert.equal(res.errorMessage, 'Cluster doesn\'t support adding voter because the kraft.version feature is 0')
    assert.equal(removeVoter(c.leader()!, 3, c.now)!.errorCode, ErrorCode.UNSUPPORTED_VERSION)
  })
})
