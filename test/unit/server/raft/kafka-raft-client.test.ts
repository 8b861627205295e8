import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {ZERO_UUID} from '../../../../src/protocol/primitives/uuid.js'
import {decodeRecordBatches, decodeControlRecordKey, encodeRecordBatch, ControlRecordType} from '../../../../src/protocol/records/records.js'
import {NotLeaderError, RaftInvariantError} from '../../../../src/server/raft/kafka-raft-client.js'
import {
  ApiKey, beginQuorumEpochRequest, endQuorumEpochRequest, fetchRequest, fetchSnapshotRequest, voteRequest,
} from '../../../../src/server/raft/raft-messages.js'
import {DEFAULT_RAFT_CONFIG} from '../../../../src/server/raft/raft-config.js'
import {TestCluster, TestNode} from './raft-test-kit.js'

const CLUSTER = 'test-cluster'

function vote(o: {epoch: number, candidateId: number, lastOffsetEpoch: number, lastOffset: number, preVote?: boolean, clusterId?: string, voterId?: number}) {
  return {apiKey: ApiKey.VOTE, data: voteRequest({clusterId: o.clusterId ?? CLUSTER, voterId: o.voterId ?? -1, epoch: o.epoch, candidateId: o.candidateId,
    candidateDirectoryId: ZERO_UUID, lastOffsetEpoch: o.lastOffsetEpoch, lastOffset: o.lastOffset, preVote: o.preVote ?? false})} as const
}

function fetch(o: {replicaId: number, epoch: number, fetchOffset: number, lastFetchedEpoch: number, maxWaitMs?: number}) {
  return {apiKey: ApiKey.FETCH, data: fetchRequest({clusterId: CLUSTER, replicaId: o.replicaId, replicaDirectoryId: ZERO_UUID, epoch: o.epoch,
    fetchOffset: o.fetchOffset, lastFetchedEpoch: o.lastFetchedEpoch, maxWaitMs: o.maxWaitMs ?? 0, maxBytes: 1 << 20})} as const
}

function beginEpoch(leaderId: number, epoch: number) {
  return {apiKey: ApiKey.BEGIN_QUORUM_EPOCH, data: beginQuorumEpochRequest({clusterId: CLUSTER, voterId: -1, leaderId, epoch})} as const
}

/** Batches of `epoch` with one record each, as a follower would have fetched them. */
function batchesOf(epoch: number, from: number, values: string[]): Buffer {
  return Buffer.concat(values.map((v, i) => encodeRecordBatch({baseOffset: from + i, partitionLeaderEpoch: epoch, records: [{key: null, value: Buffer.from(v), timestamp: 1}]})))
}

/** A voter of {1,2,3} in `epoch` following nobody, with `values` of `lastEpoch` in its log. */
function voterWithLog(id: number, epoch: number, lastEpoch: number, values: string[]): TestNode {
  const n = new TestNode(id, [1, 2, 3])
  if (values.length > 0) n.log.appendAsFollower(batchesOf(lastEpoch, 0, values))
  n.qs.write({leaderEpoch: epoch, leaderId: -1, votedId: -1})
  n.core.initialize(0)
  return n
}

describe('KafkaRaftClient', () => {
  describe('single voter', () => {
    it('elects itself at once, writes LEADER_CHANGE, commits appends once flushed and tells the listener it leads after replay', () => {
      const n = new TestNode(1, [1])
      n.core.initialize(0)
      assert.equal(n.core.isLeader(), true)
      assert.deepEqual(n.core.leaderAndEpoch(), {leaderId: 1, epoch: 1})
      assert.deepEqual(n.qs.state, {leaderEpoch: 1, leaderId: 1, votedId: 1})
      n.core.poll(0)
      assert.deepEqual(n.leaderChanges, [{leaderId: 1, epoch: 1}])
      const [control] = decodeRecordBatches(n.log.read(0, 1 << 20))
      assert.equal(control.isControl, true)
      assert.equal(decodeControlRecordKey(control.records[0].key).type, ControlRecordType.LEADER_CHANGE)
      assert.equal(n.core.highWatermark(), 1)

      const last = n.core.scheduleAppend(1, ['a', 'b'], 0)
      assert.equal(last, 2)
      assert.equal(n.core.scheduleAppend(1, ['c'], 10), 3)
      assert.equal(n.core.poll(10), DEFAULT_RAFT_CONFIG.appendLingerMs, 'waits for the linger time')
      assert.equal(n.committed.length, 0)
      n.core.poll(25)
      assert.deepEqual(n.committed, [{offset: 1, value: 'a'}, {offset: 2, value: 'b'}, {offset: 3, value: 'c'}])
      assert.equal(n.batches.length, 1, 'appends within the linger time share a batch')
      n.core.scheduleAppend(1, ['d'], 30)
      n.core.flushAppends()
      n.core.poll(30)
      assert.equal(n.committed.at(-1)?.value, 'd')
      assert.throws(() => n.core.scheduleAppend(2, ['x'], 30), NotLeaderError)
    })

    it('restarts as resigned, replays the log to the listener, then leads a new epoch', () => {
      const n = new TestNode(1, [1])
      n.core.initialize(0)
      n.core.scheduleAppend(1, ['a'], 0)
      n.core.flushAppends()
      n.core.poll(0)
      n.restart(true, 100)
      n.core.poll(100)
      assert.deepEqual(n.committed.map(c => c.value), ['a'])
      assert.deepEqual(n.core.leaderAndEpoch(), {leaderId: 1, epoch: 2})
      assert.deepEqual(n.leaderChanges.at(-1), {leaderId: 1, epoch: 2})
    })

    it('snapshots: the listener of a restarted node loads the latest snapshot, then the batches after it', () => {
      const n = new TestNode(1, [1], DEFAULT_RAFT_CONFIG, {maxRetentionBytes: 0})
      n.core.initialize(0)
      n.core.scheduleAppend(1, ['a', 'b'], 0)
      n.core.flushAppends()
      n.core.poll(0)
      const id = n.core.createSnapshot(3, 1, n.committed.map(c => `${c.offset}:${c.value}`), 0)
      assert.deepEqual(id, {endOffset: 3, epoch: 1})
      assert.equal(n.log.startOffset(), 3, 'the log start moved to the snapshot')
      assert.throws(() => n.core.createSnapshot(99, 1, [], 0), /above the high watermark/)
      n.core.scheduleAppend(1, ['c'], 1)
      n.core.flushAppends()
      n.core.poll(1)
      n.restart(true, 50)
      n.core.poll(50)
      assert.deepEqual(n.snapshotsLoaded, [{endOffset: 3, epoch: 1}])
      assert.deepEqual(n.committed.map(c => c.value), ['a', 'b', 'c'])
    })
  })

  describe('Vote', () => {
    it('grants a vote to an up-to-date candidate, persisting the vote before answering, once per epoch', () => {
      const n = voterWithLog(1, 3, 2, ['a', 'b'])
      const res = n.request(vote({epoch: 4, candidateId: 2, lastOffsetEpoch: 2, lastOffset: 2}), 0)!
      assert.equal(res.topics[0].partitions[0].voteGranted, true)
      assert.deepEqual(n.qs.state, {leaderEpoch: 4, leaderId: -1, votedId: 2})
      assert.equal(n.request(vote({epoch: 4, candidateId: 2, lastOffsetEpoch: 2, lastOffset: 2}), 0)!.topics[0].partitions[0].voteGranted, true, 'the same candidate again')
      assert.equal(n.request(vote({epoch: 4, candidateId: 3, lastOffsetEpoch: 2, lastOffset: 5}), 0)!.topics[0].partitions[0].voteGranted, false, 'another candidate in the same epoch')
      assert.deepEqual(n.qs.state, {leaderEpoch: 4, leaderId: -1, votedId: 2})
      n.restart(true, 0)
      assert.equal(n.request(vote({epoch: 4, candidateId: 3, lastOffsetEpoch: 2, lastOffset: 5}), 0)!.topics[0].partitions[0].voteGranted, false, 'the vote survives a restart')
    })

    it('rejects a candidate whose log is behind (lower last epoch, or same epoch and shorter)', () => {
      const n = voterWithLog(1, 3, 2, ['a', 'b'])
      assert.equal(n.request(vote({epoch: 4, candidateId: 2, lastOffsetEpoch: 2, lastOffset: 1}), 0)!.topics[0].partitions[0].voteGranted, false)
      assert.equal(n.request(vote({epoch: 5, candidateId: 2, lastOffsetEpoch: 1, lastOffset: 9}), 0)!.topics[0].partitions[0].voteGranted, false)
      assert.equal(n.core.quorum.votedId, -1)
      assert.equal(n.request(vote({epoch: 5, candidateId: 3, lastOffsetEpoch: 3, lastOffset: 0}), 0)!.topics[0].partitions[0].voteGranted, true, 'a higher last epoch wins')
    })

    it('answers bad votes with Kafka error codes and changes nothing', () => {
      const n = voterWithLog(1, 3, 2, ['a'])
      const writes = n.qs.writes
      const partitionError = (r: ReturnType<TestNode['request']>) => (r as {topics: {partitions: {errorCode: number}[]}[]}).topics[0].partitions[0].errorCode
      assert.equal(partitionError(n.request(vote({epoch: 2, candidateId: 2, lastOffsetEpoch: 1, lastOffset: 1}), 0)), ErrorCode.FENCED_LEADER_EPOCH)
      assert.equal(partitionError(n.request(vote({epoch: 9, candidateId: 7, lastOffsetEpoch: 2, lastOffset: 1}), 0)), ErrorCode.INCONSISTENT_VOTER_SET)
      assert.equal(partitionError(n.request(vote({epoch: 9, candidateId: 2, lastOffsetEpoch: 9, lastOffset: 1}), 0)), ErrorCode.INVALID_REQUEST)
      assert.equal(n.request(vote({epoch: 9, candidateId: 2, lastOffsetEpoch: 2, lastOffset: 1, clusterId: 'other'}), 0)!.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID)
      const wrongTopic = vote({epoch: 9, candidateId: 2, lastOffsetEpoch: 2, lastOffset: 1})
      wrongTopic.data.topics[0].topicName = 'other'
      assert.equal(n.request(wrongTopic, 0)!.errorCode, ErrorCode.INVALID_REQUEST)
      assert.equal(n.qs.writes, writes)
      assert.equal(n.core.quorum.epoch, 3)
      const observer = new TestNode(4, [1, 2, 3])
      observer.core.initialize(0)
      assert.equal(partitionError(observer.request(vote({epoch: 9, candidateId: 2, lastOffsetEpoch: 2, lastOffset: 1}), 0)), ErrorCode.INCONSISTENT_VOTER_SET)
      assert.equal(partitionError(observer.request(beginEpoch(2, 9), 0)), ErrorCode.INCONSISTENT_VOTER_SET)
      assert.equal(observer.core.quorum.epoch, 0)
    })
  })

  describe('pre-vote (KIP-996)', () => {
    it('a pre-vote changes no state; a follower that heard from its leader recently rejects it', () => {
      const n = voterWithLog(1, 3, 2, ['a'])
      n.request(beginEpoch(2, 3), 0)
      assert.deepEqual(n.core.leaderAndEpoch(), {leaderId: 2, epoch: 3})
      const writes = n.qs.writes
      // no successful fetch yet: the leader may be gone
      assert.equal(n.request(vote({epoch: 3, candidateId: 3, lastOffsetEpoch: 2, lastOffset: 1, preVote: true}), 0)!.topics[0].partitions[0].voteGranted, true)
      assert.equal(n.qs.writes, writes, 'a pre-vote is not persisted')
      // a successful fetch response from the leader
      n.core.poll(0)
      const sent = n.core.takeOutbound().find(m => m.kind === 'request' && m.apiKey === ApiKey.FETCH)
      assert.ok(sent && sent.kind === 'request')
      n.core.handleResponse({source: 2, correlationId: sent.correlationId, apiKey: ApiKey.FETCH, data: {
        throttleTimeMs: 0, errorCode: 0, sessionId: 0, nodeEndpoints: [],
        responses: [{topic: '', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{partitionIndex: 0, errorCode: 0, highWatermark: 0, lastStableOffset: -1, logStartOffset: 0,
          divergingEpoch: {epoch: -1, endOffset: -1}, currentLeader: {leaderId: 2, leaderEpoch: 3}, snapshotId: {endOffset: -1, epoch: -1},
          abortedTransactions: null, preferredReadReplica: -1, records: null}]}],
      }}, 10)
      assert.equal(n.request(vote({epoch: 3, candidateId: 3, lastOffsetEpoch: 2, lastOffset: 1, preVote: true}), 20)!.topics[0].partitions[0].voteGranted, false)
      assert.equal(n.request(vote({epoch: 3, candidateId: 3, lastOffsetEpoch: 2, lastOffset: 1, preVote: true}), 20 + DEFAULT_RAFT_CONFIG.fetchTimeoutMs)!.topics[0].partitions[0].voteGranted, true)
      assert.deepEqual(n.core.leaderAndEpoch(), {leaderId: 2, epoch: 3})
    })

    it('a partitioned voter does not bump the epoch, and does not disturb the leader when it returns', () => {
      const c = new TestCluster([1, 2, 3])
      assert.ok(c.run(5000, () => c.leader() !== undefined))
      const leader = c.leader()!
      const epoch = leader.core.leaderAndEpoch().epoch
      const other = [...c.nodes.values()].find(n => n !== leader)!
      c.isolate(other.id)
      c.run(10_000)
      assert.equal(other.core.quorum.epoch, epoch, 'pre-votes failed: the epoch did not move')
      assert.notEqual(other.core.quorum.role, 'candidate')
      c.heal()
      assert.ok(c.run(3000, () => other.core.leaderAndEpoch().leaderId === leader.id))
      assert.equal(leader.core.isLeader(), true)
      assert.equal(leader.core.leaderAndEpoch().epoch, epoch)
    })
  })

  describe('elections', () => {
    it('three voters elect one leader whose epoch all follow; a new leader takes over when it is cut off (check-quorum resigns the old one)', () => {
      const c = new TestCluster([1, 2, 3], [4])
      assert.ok(c.run(5000, () => c.leader() !== undefined && [...c.nodes.values()].every(n => n.core.leaderAndEpoch().leaderId === c.leader()!.id)))
      const first = c.leader()!
      first.core.scheduleAppend(first.core.leaderAndEpoch().epoch, ['x'], c.now)
      assert.ok(c.run(1000, () => [...c.nodes.values()].every(n => n.committed.some(r => r.value === 'x'))), 'replicated to voters and the observer')
      c.isolate(first.id)
      assert.ok(c.run(8000, () => [...c.nodes.values()].some(n => n !== first && n.core.isLeader())))
      assert.ok(c.run(5000, () => !first.core.isLeader()), 'the cut-off leader resigns (check-quorum)')
      c.heal()
      const second = [...c.nodes.values()].find(n => n !== first && n.core.isLeader())!
      assert.ok(c.run(5000, () => first.core.leaderAndEpoch().leaderId === second.id))
    })

    it('a leader shutting down sends EndQuorumEpoch and its successor takes over at once', () => {
      const c = new TestCluster([1, 2, 3])
      assert.ok(c.run(5000, () => c.leader() !== undefined && [...c.nodes.values()].every(n => n.core.leaderAndEpoch().leaderId >= 0)))
      const first = c.leader()!
      const start = c.now
      first.core.beginShutdown(c.now, 5000)
      assert.ok(c.run(5000, () => first.core.isShutdownComplete(c.now)))
      assert.ok(c.now - start < DEFAULT_RAFT_CONFIG.electionTimeoutMs, `handover took ${c.now - start} ms`)
      assert.notEqual(c.leader()?.id, first.id)
    })
  })

  describe('Fetch', () => {
    function leaderOf3(): TestNode {
      const n = new TestNode(1, [1, 2, 3])
      n.qs.write({leaderEpoch: 4, leaderId: -1, votedId: 1})
      n.core.initialize(0)
      // win the election by hand: pre-votes, then votes
      for (let t = 0; t < 3 && !n.core.isLeader(); t++) {
        n.core.poll(3000)
        for (const m of n.core.takeOutbound()) {
          if (m.kind !== 'request' || m.apiKey !== ApiKey.VOTE) continue
          const p = m.data.topics[0].partitions[0]
          n.core.handleResponse({source: m.destination, correlationId: m.correlationId, apiKey: ApiKey.VOTE, data: {errorCode: 0, nodeEndpoints: [],
            topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0, errorCode: 0, leaderId: -1, leaderEpoch: p.candidateEpoch, voteGranted: true}]}]}}, 3000)
        }
      }
      assert.equal(n.core.isLeader(), true)
      n.core.takeOutbound()
      return n
    }

    it('answers stale and future epochs, other topics and non-leaders with Kafka errors; nothing is appended', () => {
      const n = leaderOf3()
      const epoch = n.core.leaderAndEpoch().epoch
      const leo = n.core.logEndOffset()
      const err = (r: ReturnType<TestNode['request']>) => (r as {responses: {partitions: {errorCode: number, currentLeader: {leaderId: number, leaderEpoch: number}}[]}[]}).responses[0].partitions[0]
      assert.equal(err(n.request(fetch({replicaId: 2, epoch: epoch - 1, fetchOffset: 0, lastFetchedEpoch: 0}), 10)).errorCode, ErrorCode.FENCED_LEADER_EPOCH)
      assert.equal(err(n.request(fetch({replicaId: 2, epoch: epoch + 1, fetchOffset: 0, lastFetchedEpoch: 0}), 10)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH)
      const other = fetch({replicaId: 2, epoch, fetchOffset: 0, lastFetchedEpoch: 0})
      other.data.topics[0].topicId = 'AAAAAAAAAAAAAAAAAAAAAg'
      assert.equal(n.request(other, 10)!.errorCode, ErrorCode.INVALID_REQUEST)
      const bad = fetch({replicaId: 2, epoch, fetchOffset: 0, lastFetchedEpoch: 0})
      bad.data.clusterId = 'other'
      assert.equal(n.request(bad, 10)!.errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID)
      assert.equal(n.core.logEndOffset(), leo)

      const follower = voterWithLog(2, epoch, 0, [])
      follower.request(beginEpoch(1, epoch), 0)
      const r = err(follower.request(fetch({replicaId: 4, epoch, fetchOffset: 0, lastFetchedEpoch: 0}), 0))
      assert.equal(r.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
      assert.deepEqual(r.currentLeader, {leaderId: 1, leaderEpoch: epoch})
    })

    it('a follower with a divergent tail gets DivergingEpoch and truncates to the common prefix', () => {
      const c = new TestCluster([1, 2, 3])
      assert.ok(c.run(5000, () => c.leader() !== undefined))
      const l1 = c.leader()!
      const e1 = l1.core.leaderAndEpoch().epoch
      l1.core.scheduleAppend(e1, ['committed'], c.now)
      assert.ok(c.run(1000, () => [...c.nodes.values()].every(n => n.committed.some(r => r.value === 'committed'))))
      // the leader appends alone, then is cut off; a new leader appends other records
      c.isolate(l1.id)
      l1.core.scheduleAppend(e1, ['lost-1', 'lost-2'], c.now)
      l1.core.flushAppends()
      c.run(5)
      const divergentEnd = l1.core.logEndOffset()
      assert.ok(c.run(8000, () => [...c.nodes.values()].some(n => n !== l1 && n.core.isLeader() && n.committed.length > 0)))
      const l2 = [...c.nodes.values()].find(n => n !== l1 && n.core.isLeader())!
      l2.core.scheduleAppend(l2.core.leaderAndEpoch().epoch, ['new'], c.now)
      c.heal()
      assert.ok(c.run(8000, () => l1.committed.some(r => r.value === 'new')))
      assert.ok(!l1.committed.some(r => r.value.startsWith('lost')), 'the uncommitted records are gone')
      assert.deepEqual(l1.committed, l2.committed)
      assert.ok(divergentEnd > 0)
    })

    it('waits up to MaxWaitMs when there is nothing new, and answers as soon as data is appended', () => {
      const n = leaderOf3()
      const epoch = n.core.leaderAndEpoch().epoch
      const leo = n.core.logEndOffset()
      const lastEpoch = epoch
      const first = n.request(fetch({replicaId: 2, epoch, fetchOffset: leo, lastFetchedEpoch: lastEpoch, maxWaitMs: 500}), 100)
      assert.equal(first?.responses[0].partitions[0].highWatermark, leo, 'answered at once: the fetch moved the high watermark')
      assert.equal(n.request(fetch({replicaId: 2, epoch, fetchOffset: leo, lastFetchedEpoch: lastEpoch, maxWaitMs: 500}), 100), null, 'parked')
      n.core.poll(200)
      assert.equal(n.core.takeOutbound().filter(m => m.kind === 'response').length, 0)
      n.core.scheduleAppend(epoch, ['z'], 200)
      n.core.flushAppends()
      n.core.poll(200)
      const res = n.core.takeOutbound().find(m => m.kind === 'response')
      assert.ok(res && res.apiKey === ApiKey.FETCH)
      assert.ok((res.data.responses[0].partitions[0].records?.length ?? 0) > 0)
      assert.equal(n.request(fetch({replicaId: 2, epoch, fetchOffset: n.core.logEndOffset(), lastFetchedEpoch: lastEpoch, maxWaitMs: 500}), 300)?.responses[0].partitions[0].highWatermark, n.core.logEndOffset())
      // replica 3 has not seen this high watermark: answered at once, then parked (as KIP-1166's Fetch v18 does)
      assert.equal(n.request(fetch({replicaId: 3, epoch, fetchOffset: n.core.logEndOffset(), lastFetchedEpoch: lastEpoch, maxWaitMs: 500}), 300)?.responses[0].partitions[0].highWatermark, n.core.logEndOffset(), 'answered at once: a high watermark replica 3 had not seen')
      assert.equal(n.request(fetch({replicaId: 3, epoch, fetchOffset: n.core.logEndOffset(), lastFetchedEpoch: lastEpoch, maxWaitMs: 500}), 300), null)
      n.core.poll(800)
      assert.equal(n.core.takeOutbound().filter(m => m.kind === 'response').length, 1, 'expired after MaxWaitMs')
    })
  })

  describe('snapshots (FetchSnapshot)', () => {
    it('a follower behind the leader log start downloads the snapshot in chunks and its listener loads it', () => {
      const c = new TestCluster([1, 2, 3], [], DEFAULT_RAFT_CONFIG, {maxRetentionBytes: 0})
      assert.ok(c.run(5000, () => c.leader() !== undefined))
      const leader = c.leader()!
      const behind = [...c.nodes.values()].find(n => n !== leader)!
      c.down.add(behind.id)
      const epoch = leader.core.leaderAndEpoch().epoch
      for (let i = 0; i < 5; i++) leader.core.scheduleAppend(epoch, [`r${i}`], c.now)
      assert.ok(c.run(1000, () => leader.committed.length === 5))
      const last = leader.batches.at(-1)!
      const id = leader.core.createSnapshot(last.lastOffset + 1, last.epoch, leader.committed.map(r => `${r.offset}:${r.value}`), c.now)!
      assert.equal(leader.core.logStartOffset(), id.endOffset)
      c.down.delete(behind.id)
      assert.ok(c.run(5000, () => behind.snapshotsLoaded.length > 0))
      assert.deepEqual(behind.snapshotsLoaded.at(-1), id)
      assert.deepEqual(behind.committed.map(r => r.value), ['r0', 'r1', 'r2', 'r3', 'r4'])
      assert.equal(behind.log.startOffset(), id.endOffset)

      // the leader serves chunks by position
      const size = leader.snaps.size(id)
      const chunk = (position: number, maxBytes: number) => {
        const req = fetchSnapshotRequest({clusterId: CLUSTER, replicaId: 3, replicaDirectoryId: ZERO_UUID, epoch, snapshotId: id, position, maxBytes})
        return leader.request({apiKey: ApiKey.FETCH_SNAPSHOT, data: req}, c.now)!.topics[0].partitions[0]
      }
      const a = chunk(0, 10)
      assert.equal(a.size, size)
      assert.equal(a.unalignedRecords?.length, 10)
      assert.deepEqual(Buffer.concat([a.unalignedRecords!, chunk(10, size)!.unalignedRecords!]), leader.snaps.read(id, 0, size))
      assert.equal(chunk(size, 10).errorCode, ErrorCode.POSITION_OUT_OF_RANGE)
      const missing = fetchSnapshotRequest({clusterId: CLUSTER, replicaId: 3, replicaDirectoryId: ZERO_UUID, epoch, snapshotId: {endOffset: 1, epoch: 1}, position: 0, maxBytes: 10})
      assert.equal(leader.request({apiKey: ApiKey.FETCH_SNAPSHOT, data: missing}, c.now)!.topics[0].partitions[0].errorCode, ErrorCode.SNAPSHOT_NOT_FOUND)
      const otherTopic = fetchSnapshotRequest({clusterId: CLUSTER, replicaId: 3, replicaDirectoryId: ZERO_UUID, epoch, snapshotId: id, position: 0, maxBytes: 10})
      otherTopic.topics[0].name = 'other'
      assert.equal(leader.request({apiKey: ApiKey.FETCH_SNAPSHOT, data: otherTopic}, c.now)!.topics[0].partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    })
  })

  describe('restart and invariants', () => {
    it('a voter that voted keeps its vote; a former leader comes back resigned and rejects votes in its epoch', () => {
      const c = new TestCluster([1, 2, 3])
      assert.ok(c.run(5000, () => c.leader() !== undefined))
      const leader = c.leader()!
      const epoch = leader.core.leaderAndEpoch().epoch
      leader.restart(true, c.now)
      assert.equal(leader.core.quorum.role, 'resigned')
      assert.equal(leader.core.quorum.epoch, epoch)
      const res = leader.request(vote({epoch, candidateId: 2, lastOffsetEpoch: epoch, lastOffset: 100}), c.now)
      assert.equal(res!.topics[0].partitions[0].errorCode, ErrorCode.INVALID_REQUEST, 'last epoch = candidate epoch')
      const res2 = leader.request(vote({epoch, candidateId: 2, lastOffsetEpoch: epoch - 1, lastOffset: 100}), c.now)
      assert.equal(res2!.topics[0].partitions[0].voteGranted, false)
    })

    it('two leaders named in one epoch is a broken invariant', () => {
      const n = voterWithLog(1, 3, 2, ['a'])
      n.request(beginEpoch(2, 4), 0)
      assert.throws(() => n.request(beginEpoch(3, 4), 0), RaftInvariantError)
    })

    it('EndQuorumEpoch from its leader makes the first preferred successor campaign at once', () => {
      const n = voterWithLog(1, 3, 2, ['a'])
      n.request(beginEpoch(2, 3), 0)
      const req = endQuorumEpochRequest({clusterId: CLUSTER, leaderId: 2, epoch: 3, preferredSuccessors: [1, 3]})
      assert.equal(n.request({apiKey: ApiKey.END_QUORUM_EPOCH, data: req}, 10)!.topics[0].partitions[0].errorCode, ErrorCode.NONE)
      n.core.poll(10)
      assert.equal(n.core.quorum.role, 'prospective')
    })
  })

  it('DescribeQuorum: voters and observers with end offsets and fetch times (leader only)', () => {
    const c = new TestCluster([1, 2, 3], [7])
    assert.ok(c.run(5000, () => c.leader() !== undefined && c.node(7).core.leaderAndEpoch().leaderId >= 0))
    c.run(100)
    const leader = c.leader()!
    const d = leader.core.describeQuorum(c.now)
    assert.equal(d.errorCode, ErrorCode.NONE)
    assert.equal(d.leaderId, leader.id)
    assert.deepEqual(d.currentVoters.map(v => v.replicaId).sort(), [1, 2, 3])
    assert.deepEqual(d.observers.map(o => o.replicaId), [7])
    for (const v of [...d.currentVoters, ...d.observers]) {
      assert.equal(v.logEndOffset, leader.core.logEndOffset())
      assert.ok(v.lastFetchTimestamp > 0 && v.lastCaughtUpTimestamp > 0)
    }
    const follower = [...c.nodes.values()].find(n => n.core.quorum.isVoter && n !== leader)!
    assert.equal(follower.core.describeQuorum(c.now).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
  })
})
