/**
 * Replication state with a fake network and clock (replication-harness.ts): high watermark and
 * acks=all, ISR shrink/expand timing, the truncation cases of KIP-101 and KIP-279, an old leader
 * coming back, the purgatory, and Kafka's error codes for epochs and non-replicas.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {listOffset} from '../../../../src/server/apis/list-offsets.js'
import type {FetchParams} from '../../../../src/server/replica/replica-manager.js'
import {Cluster, flush} from './replication-harness.js'

const T = 't'

function consumerFetch(offset: number, opts: Partial<FetchParams> & {currentLeaderEpoch?: number, lastFetchedEpoch?: number} = {}): FetchParams {
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, ...opts,
    partitions: [{topic: T, partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 20, currentLeaderEpoch: opts.currentLeaderEpoch ?? -1, lastFetchedEpoch: opts.lastFetchedEpoch}],
  }
}

describe('replication: high watermark and acks=all', () => {
  let c: Cluster
  afterEach(async () => { await c.close() })

  it('answers acks=all once every ISR member has the batch; followers end with the same batches, offsets and epochs', async () => {
    c = new Cluster([1, 2, 3]).start()
    c.createTopic(T, [[1, 2, 3]])
    const leader = c.broker(1).partition(T, 0)
    const call = c.produce(1, T, 0, {count: 3})
    assert.equal(call.result.errorCode, ErrorCode.NONE)
    assert.equal(call.result.baseOffset, 0)
    assert.equal(call.answered, false)
    // Round 1: the followers fetch at 0 and get the batch; the leader only knows they asked for 0.
    await c.replicate(1)
    for (const id of [2, 3]) assert.equal(c.broker(id).partition(T, 0).logEndOffset, 3)
    assert.equal(leader.highWatermark, 0)
    assert.equal(call.answered, false)
    // Round 2: they ask for 3; the slowest ISR member decides the high watermark.
    await c.replicate(1)
    assert.equal(leader.highWatermark, 3)
    assert.equal(call.answered, true)
    assert.equal(call.result.errorCode, ErrorCode.NONE)
    // Followers learn the high watermark on their next fetch.
    await c.replicate(1)
    for (const id of [2, 3]) assert.equal(c.broker(id).partition(T, 0).highWatermark, 3)
    const batches = c.broker(1).batches(T, 0)
    assert.deepEqual(batches.map(b => [b.baseOffset, b.lastOffset, b.epoch]), [[0, 2, 0]])
    for (const id of [2, 3]) assert.deepEqual(c.broker(id).batches(T, 0), batches)
  })

  it('acks=1 is answered after the leader append; consumers never read above the high watermark', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    await c.replicate(2)
    const call = c.produce(1, T, 0, {acks: 1})
    assert.equal(call.answered, true)
    assert.equal(call.result.errorCode, ErrorCode.NONE)
    const rm = c.broker(1).rm
    const [before] = await rm.fetchMessages(consumerFetch(0))
    assert.equal(before.highWatermark, 0)
    assert.equal(before.records!.length, 0)
    // A long-polling consumer is woken by the high watermark, not by the append.
    let woke: Awaited<ReturnType<typeof rm.fetchMessages>> | null = null
    void rm.fetchMessages(consumerFetch(0, {maxWaitMs: 10_000})).then(r => { woke = r })
    c.produce(1, T, 0, {acks: 1})
    await flush()
    assert.equal(woke, null)
    await c.replicate(2)
    await flush()
    assert.ok(woke)
    const [r] = woke as Awaited<ReturnType<typeof rm.fetchMessages>>
    assert.equal(r.highWatermark, 6)
    assert.ok(r.records!.length > 0)
  })

  it('times an acks=all produce out with REQUEST_TIMED_OUT when an ISR member does not fetch', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    await c.replicate(2)
    c.isolated.add(2)
    const call = c.produce(1, T, 0, {timeoutMs: 5000})
    await c.time.advance(4999)
    assert.equal(call.answered, false)
    await c.time.advance(1)
    assert.equal(call.answered, true)
    assert.equal(call.result.errorCode, ErrorCode.REQUEST_TIMED_OUT)
  })

  it('refuses acks=all with NOT_ENOUGH_REPLICAS before appending when the ISR is below min.insync.replicas; the high watermark waits', async () => {
    c = new Cluster([1, 2, 3]).start()
    c.createTopic(T, [[1, 2, 3]], {'min.insync.replicas': '3'})
    await c.replicate(2)
    c.isolated.add(3)
    c.fence(3)
    assert.deepEqual(c.registration(T, 0).isr, [1, 2])
    const leader = c.broker(1).partition(T, 0)
    const call = c.produce(1, T, 0)
    assert.equal(call.result.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS)
    assert.equal(leader.logEndOffset, 0)
    // acks=1 is accepted, but the high watermark does not move while under min ISR (Kafka 3.7+).
    assert.equal(c.produce(1, T, 0, {acks: 1}).result.errorCode, ErrorCode.NONE)
    await c.replicate(3)
    assert.equal(c.broker(2).partition(T, 0).logEndOffset, 3)
    assert.equal(leader.highWatermark, 0)
  })

  it('completes a waiting acks=all produce with NOT_LEADER_OR_FOLLOWER when leadership moves away', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    const call = c.produce(1, T, 0)
    assert.equal(call.answered, false)
    c.elect(T, 0, 2)
    await flush()
    assert.equal(call.answered, true)
    assert.equal(call.result.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
  })

  it('keeps idempotent producers exactly-once across a leader change (followers rebuild producer state)', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    const first = c.produce(1, T, 0, {producerId: 7, producerEpoch: 0, baseSequence: 0, count: 3})
    await c.replicate(3)
    assert.equal(first.answered, true)
    c.isolated.add(1)
    c.fence(1)
    const p2 = c.broker(2).partition(T, 0)
    assert.equal(p2.isLeader, true)
    // The producer retries the batch it did not see acknowledged: the new leader knows it.
    const retry = c.produce(2, T, 0, {producerId: 7, producerEpoch: 0, baseSequence: 0, count: 3})
    assert.equal(retry.result.errorCode, ErrorCode.NONE)
    assert.equal(retry.result.baseOffset, 0)
    assert.equal(p2.logEndOffset, 3)
    assert.equal(c.produce(2, T, 0, {producerId: 7, producerEpoch: 0, baseSequence: 5, acks: 1}).result.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal(c.produce(2, T, 0, {producerId: 7, producerEpoch: 0, baseSequence: 3, acks: 1}).result.baseOffset, 3)
  })
})

describe('replication: ISR shrink and expand', () => {
  let c: Cluster
  afterEach(async () => { await c.close() })

  it('drops a follower that has not caught up for replica.lag.time.max.ms, then the waiting produce completes', async () => {
    c = new Cluster([1, 2, 3]).start()
    c.createTopic(T, [[1, 2, 3]], {'min.insync.replicas': '2'})
    await c.replicate(2)
    c.isolated.add(3)
    const call = c.produce(1, T, 0, {timeoutMs: 60_000})
    await c.replicate(3)
    const leader = c.broker(1).partition(T, 0)
    assert.equal(leader.highWatermark, 0, 'the silent ISR member holds the high watermark')
    await c.time.advance(20_000)
    c.broker(1).rm.maybeShrinkIsr()
    await flush()
    assert.deepEqual(c.registration(T, 0).isr, [1, 2, 3], 'still in sync after 20 s')
    await c.time.advance(10_001)
    c.broker(1).rm.maybeShrinkIsr()
    await flush()
    assert.deepEqual(c.registration(T, 0).isr, [1, 2])
    assert.deepEqual([...leader.isr], [1, 2])
    assert.equal(leader.highWatermark, 3)
    assert.equal(call.answered, true)
    assert.equal(call.result.errorCode, ErrorCode.NONE)
  })

  it('adds a follower back once it reaches the high watermark; the pending ISR already holds the high watermark (KIP-497)', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    await c.replicate(2)
    c.isolated.add(2)
    c.fence(2)
    c.produce(1, T, 0, {count: 5})
    assert.deepEqual(c.registration(T, 0).isr, [1])
    const leader = c.broker(1).partition(T, 0)
    assert.equal(leader.highWatermark, 5)
    c.isolated.delete(2)
    c.unfence(2)
    c.autoAlterPartition = false
    await c.replicate(2)
    assert.equal(c.heldAlterPartitions.length, 1)
    assert.deepEqual(c.heldAlterPartitions[0].req.topics[0].partitions[0].newIsrWithEpochs.map(m => m.brokerId), [1, 2])
    assert.deepEqual([...leader.maximalIsr], [1, 2])
    // While the expansion is in flight the high watermark already waits for broker 2.
    const call = c.produce(1, T, 0, {count: 1})
    assert.equal(call.answered, false)
    c.releaseAlterPartitions()
    await flush()
    assert.deepEqual(c.registration(T, 0).isr, [1, 2])
    assert.deepEqual([...leader.isr], [1, 2])
    await c.replicate(2)
    assert.equal(call.answered, true)
    assert.equal(leader.highWatermark, 6)
  })

  it('does not let a fenced follower rejoin the ISR (the controller says INELIGIBLE_REPLICA too)', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    await c.replicate(2)
    c.fence(2)
    c.produce(1, T, 0, {acks: 1})
    await c.replicate(3)
    assert.equal(c.broker(2).partition(T, 0).logEndOffset, 3, 'a fenced broker still replicates')
    assert.deepEqual(c.registration(T, 0).isr, [1])
    assert.equal(c.broker(1).partition(T, 0).isIsrChangeInFlight, false)
  })
})

describe('replication: truncation (KIP-101, KIP-279)', () => {
  let c: Cluster
  afterEach(async () => { await c.close() })

  for (const truncationOnFetch of [true, false]) {
    const how = truncationOnFetch ? 'DivergingEpoch in Fetch' : 'OffsetForLeaderEpoch'
    it(`a follower drops a divergent tail of the previous leader epoch (${how})`, async () => {
      c = new Cluster([1, 2]).start()
      c.truncationOnFetch = truncationOnFetch
      c.createTopic(T, [[1, 2]])
      const acked = c.produce(1, T, 0, {count: 2})
      await c.replicate(3)
      assert.equal(acked.answered, true)
      // Broker 1 appends a tail nobody else gets, then loses leadership.
      c.isolated.add(2)
      c.produce(1, T, 0, {acks: 1, count: 3})
      c.isolated.delete(2)
      c.isolated.add(1)
      c.elect(T, 0, 2, [2])
      c.produce(2, T, 0, {acks: 1, count: 1})
      c.isolated.delete(1)
      c.publish()
      await c.replicate(4)
      const b1 = c.broker(1).batches(T, 0)
      assert.deepEqual(b1.map(b => [b.baseOffset, b.lastOffset, b.epoch]), [[0, 1, 0], [2, 2, 1]])
      assert.deepEqual(b1, c.broker(2).batches(T, 0))
      assert.ok(c.broker(1).lines.some(l => l.includes('Truncating partition t-0 to offset 2')))
    })

    it(`two leader changes in quick succession: the follower truncates in steps to where the logs agree (${how})`, async () => {
      c = new Cluster([1, 2]).start()
      c.truncationOnFetch = truncationOnFetch
      c.createTopic(T, [[1, 2]])
      c.produce(1, T, 0, {count: 2})
      await c.replicate(3)
      const swap = (to: number): void => {
        const from = to === 1 ? 2 : 1
        c.isolated.delete(to)
        c.isolated.add(from)
        c.elect(T, 0, to, [to])
      }
      swap(2) // epoch 1 on broker 2
      c.produce(2, T, 0, {acks: 1, count: 3}) // 2-4 @1
      swap(1) // epoch 2 on broker 1
      c.produce(1, T, 0, {acks: 1, count: 2}) // 2-3 @2
      swap(2) // epoch 3 on broker 2
      c.produce(2, T, 0, {acks: 1, count: 1}) // 5 @3
      swap(1) // epoch 4 on broker 1
      c.produce(1, T, 0, {acks: 1, count: 1}) // 4 @4
      c.isolated.delete(2)
      c.publish()
      assert.deepEqual(c.broker(2).partition(T, 0).log.leaderEpochEntries(), [{epoch: 0, startOffset: 0}, {epoch: 1, startOffset: 2}, {epoch: 3, startOffset: 5}])
      await c.replicate(6)
      const b1 = c.broker(1).batches(T, 0)
      assert.deepEqual(b1.map(b => [b.baseOffset, b.lastOffset, b.epoch]), [[0, 1, 0], [2, 3, 2], [4, 4, 4]])
      assert.deepEqual(c.broker(2).batches(T, 0), b1)
      assert.deepEqual(c.broker(2).partition(T, 0).log.leaderEpochEntries(), c.broker(1).partition(T, 0).log.leaderEpochEntries())
    })
  }

  it('an old leader coming back after a restart truncates its unacknowledged tail and rejoins the ISR; no acknowledged record is lost', async () => {
    c = new Cluster([1, 2, 3]).start()
    c.createTopic(T, [[1, 2, 3]], {'min.insync.replicas': '2'})
    const acked1 = c.produce(1, T, 0, {count: 2})
    await c.replicate(3)
    assert.equal(acked1.answered, true)
    c.isolated.add(2)
    c.isolated.add(3)
    const lost = c.produce(1, T, 0, {count: 4})
    assert.equal(lost.answered, false)
    await c.broker(1).stop()
    c.isolated.delete(2)
    c.isolated.delete(3)
    c.fence(1)
    assert.equal(c.registration(T, 0).leader, 2)
    const acked2 = c.produce(2, T, 0, {count: 1})
    await c.replicate(3)
    assert.equal(acked2.answered, true)
    assert.equal(acked2.result.errorCode, ErrorCode.NONE)
    // Broker 1 restarts from its logs (still holding the tail) and follows broker 2.
    c.broker(1).start()
    c.unfence(1)
    assert.equal(c.broker(1).partition(T, 0).logEndOffset, 6, 'the unacknowledged tail survived the restart')
    await c.replicate(4)
    const reference = c.broker(2).batches(T, 0)
    assert.deepEqual(reference.map(b => [b.baseOffset, b.lastOffset, b.epoch]), [[0, 1, 0], [2, 2, 1]])
    for (const id of [1, 3]) assert.deepEqual(c.broker(id).batches(T, 0), reference)
    assert.deepEqual(c.registration(T, 0).isr, [2, 3, 1])
  })

  it('a leader epoch assigned without appends is dropped from the cache when truncating at the log end', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    c.produce(1, T, 0, {count: 2})
    await c.replicate(3)
    c.isolated.add(1)
    c.elect(T, 0, 2, [2]) // epoch 1 starts at 2 on broker 2, nothing appended
    c.isolated.delete(1)
    c.isolated.add(2)
    c.elect(T, 0, 1, [1]) // epoch 2 on broker 1
    c.produce(1, T, 0, {acks: 1, count: 1})
    c.isolated.delete(2)
    c.publish()
    await c.replicate(4)
    assert.deepEqual(c.broker(2).partition(T, 0).log.leaderEpochEntries(), [{epoch: 0, startOffset: 0}, {epoch: 2, startOffset: 2}])
    assert.deepEqual(c.broker(2).batches(T, 0), c.broker(1).batches(T, 0))
  })
})

describe('replication: bad input and epochs', () => {
  let c: Cluster
  afterEach(async () => { await c.close() })

  it('answers Kafka\'s codes for stale and future epochs, followers and non-replicas, and records nothing', async () => {
    c = new Cluster([1, 2, 3]).start()
    c.createTopic(T, [[1, 2]])
    c.elect(T, 0, 1) // leader epoch 1
    c.produce(1, T, 0, {count: 2})
    await c.replicate(3)
    const rm1 = c.broker(1).rm
    const leader = c.broker(1).partition(T, 0)
    const code = async (p: FetchParams): Promise<number> => (await rm1.fetchMessages(p))[0].errorCode
    assert.equal(await code(consumerFetch(0, {currentLeaderEpoch: 0})), ErrorCode.FENCED_LEADER_EPOCH)
    assert.equal(await code(consumerFetch(0, {currentLeaderEpoch: 2})), ErrorCode.UNKNOWN_LEADER_EPOCH)
    assert.equal(await code(consumerFetch(0, {currentLeaderEpoch: 1})), ErrorCode.NONE)
    // Broker 3 hosts no replica of t-0: the leader does not record it.
    const hw = leader.highWatermark
    assert.equal(await code(consumerFetch(2, {replicaId: 3, currentLeaderEpoch: 1})), ErrorCode.UNKNOWN_LEADER_EPOCH)
    assert.equal(await code(consumerFetch(2, {replicaId: 3})), ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(leader.follower(3), undefined)
    assert.equal(leader.highWatermark, hw)
    // A follower is neither a Produce nor a consumer Fetch target.
    const follower = c.broker(2).partition(T, 0)
    const end = follower.logEndOffset
    assert.equal(c.produce(2, T, 0, {acks: 1}).result.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(c.produce(2, T, 0, {acks: -1}).result.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(follower.logEndOffset, end)
    assert.equal((await c.broker(2).rm.fetchMessages(consumerFetch(0)))[0].errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    // ListOffsets checks the epoch first, then leadership.
    assert.equal(listOffset(leader, -1, 0, 0).errorCode, ErrorCode.FENCED_LEADER_EPOCH)
    assert.equal(listOffset(leader, -1, 0, 5).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH)
    assert.equal(listOffset(follower, -1, 0, 1).errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(listOffset(leader, -1, 0, 1).offset, 2)
    // A follower's fetch whose last epoch ends earlier on the leader gets DivergingEpoch, not records;
    // a last epoch the leader never had is out of range (Kafka).
    assert.deepEqual(leader.log.leaderEpochEntries(), [{epoch: 1, startOffset: 0}])
    const [d] = await rm1.fetchMessages(consumerFetch(2, {replicaId: 2, currentLeaderEpoch: 1, lastFetchedEpoch: 0}))
    assert.deepEqual(d.divergingEpoch, {epoch: 0, endOffset: 0})
    assert.equal(d.records!.length, 0)
    assert.equal(await code(consumerFetch(2, {replicaId: 2, currentLeaderEpoch: 1, lastFetchedEpoch: 5})), ErrorCode.OFFSET_OUT_OF_RANGE)
  })

  it('a read that waits while the leadership changes is answered for the new state: the follower\'s fetch offset is not recorded', async () => {
    c = new Cluster([1, 2, 3]).start()
    c.createTopic(T, [[1, 2, 3]])
    c.elect(T, 0, 1) // leader epoch 1
    c.produce(1, T, 0, {count: 4})
    await c.replicate(3)
    const rm1 = c.broker(1).rm
    const leader = c.broker(1).partition(T, 0)
    // The read of this fetch goes through readAsync; the election lands before it finishes.
    const pending = rm1.fetchMessages(consumerFetch(0, {replicaId: 2, currentLeaderEpoch: 1, lastFetchedEpoch: 1}))
    c.elect(T, 0, 3) // leader epoch 2 on broker 3: broker 1 follows
    const [r] = await pending
    assert.equal(r.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER)
    assert.equal(r.records!.length, 0)
    assert.equal(leader.follower(2), undefined, 'a follower keeps no follower states')
    // Leading again (epoch 3), a fetch with an election landing during its read is fenced; one without is recorded.
    c.elect(T, 0, 1)
    const epoch = leader.leaderEpoch
    const fenced = rm1.fetchMessages(consumerFetch(2, {replicaId: 2, currentLeaderEpoch: epoch, lastFetchedEpoch: 1}))
    c.elect(T, 0, 1) // a new leader epoch, same leader
    assert.equal((await fenced)[0].errorCode, ErrorCode.FENCED_LEADER_EPOCH)
    assert.equal(leader.follower(2)!.logEndOffset, -1, 'the fenced fetch was not recorded')
    const [ok] = await rm1.fetchMessages(consumerFetch(2, {replicaId: 2, currentLeaderEpoch: leader.leaderEpoch, lastFetchedEpoch: 1}))
    assert.equal(ok.errorCode, ErrorCode.NONE)
    assert.equal(leader.follower(2)!.logEndOffset, 2)
  })

  it('a follower whose leader has a newer epoch (FENCED_LEADER_EPOCH) stops fetching until its image catches up', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(T, [[1, 2]])
    await c.replicate(2)
    // The leader learns epoch 1 (same leader), the follower does not yet.
    c.isolated.add(2)
    c.elect(T, 0, 1)
    c.isolated.delete(2)
    await c.replicate(1)
    assert.equal(c.broker(2).rm.fetcherFor(1)!.partitionCount, 0)
    c.publish()
    c.produce(1, T, 0, {acks: 1})
    await c.replicate(3)
    assert.equal(c.broker(2).partition(T, 0).logEndOffset, 3)
  })
})
