/** AlterPartitionManager: batching, one request in flight, retries on top-level errors and failures. */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import type {AlterPartitionRequest, AlterPartitionResponse} from '../../../../src/protocol/generated/messages/alter-partition.js'
import {AlterPartitionManager, type AlterPartitionItem, type AlterPartitionResult} from '../../../../src/server/replica/alter-partition-manager.js'
import {FakeTime, flush, memoryLogger} from './replication-harness.js'

const item = (partition: number, isr: number[]): AlterPartitionItem => ({
  topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partition, leaderEpoch: 3, partitionEpoch: 4, newIsr: isr.map(brokerId => ({brokerId, brokerEpoch: 10 + brokerId})),
})

function answer(req: AlterPartitionRequest, errorCode = 0): AlterPartitionResponse {
  return {throttleTimeMs: 0, errorCode, topics: req.topics.map(t => ({topicName: t.topicName, topicId: t.topicId, partitions: t.partitions.map(p => ({
    partitionIndex: p.partitionIndex, errorCode: 0, leaderId: 1, leaderEpoch: p.leaderEpoch, isr: p.newIsrWithEpochs.map(m => m.brokerId), leaderRecoveryState: 0, partitionEpoch: p.partitionEpoch + 1,
  }))}))}
}

describe('AlterPartitionManager', () => {
  it('sends queued proposals together, one request at a time, and answers each partition', async () => {
    const time = new FakeTime()
    const sent: {req: AlterPartitionRequest, resolve: (r: AlterPartitionResponse) => void}[] = []
    const m = new AlterPartitionManager({brokerId: 1, brokerEpoch: () => 11, retryBackoffMs: 100, time, logger: memoryLogger([]),
      send: req => new Promise(resolve => sent.push({req, resolve}))})
    const results: AlterPartitionResult[] = []
    void m.submit(item(0, [1, 2])).then(r => results.push(r))
    void m.submit(item(1, [1])).then(r => results.push(r))
    void m.submit(item(2, [1, 3])).then(r => results.push(r))
    assert.equal(sent.length, 1, 'one request in flight')
    assert.deepEqual(sent[0].req.topics[0].partitions.map(p => p.partitionIndex), [0])
    assert.equal(sent[0].req.brokerEpoch, 11)
    sent[0].resolve(answer(sent[0].req))
    await flush()
    assert.equal(sent.length, 2)
    assert.deepEqual(sent[1].req.topics[0].partitions.map(p => p.partitionIndex), [1, 2], 'the rest go together')
    assert.deepEqual(sent[1].req.topics[0].partitions[1].newIsr, [1, 3])
    sent[1].resolve(answer(sent[1].req))
    await flush()
    assert.deepEqual(results.map(r => [r.errorCode, r.partitionEpoch, r.isr]), [[0, 5, [1, 2]], [0, 5, [1]], [0, 5, [1, 3]]])
  })

  it('re-sends after a top-level error or a failed round trip, after the retry backoff', async () => {
    const time = new FakeTime()
    let calls = 0
    const m = new AlterPartitionManager({brokerId: 1, brokerEpoch: () => 11, retryBackoffMs: 100, time, logger: memoryLogger([]),
      send: req => {
        calls++
        if (calls === 1) return Promise.reject(new Error('connection refused'))
        if (calls === 2) return Promise.resolve(answer(req, ErrorCode.STALE_BROKER_EPOCH))
        return Promise.resolve(answer(req))
      }})
    let result: AlterPartitionResult | null = null
    void m.submit(item(0, [1])).then(r => { result = r })
    await flush()
    assert.equal(calls, 1)
    await time.advance(100)
    assert.equal(calls, 2)
    await time.advance(100)
    assert.equal(calls, 3)
    assert.equal(result!.errorCode, ErrorCode.NONE)
  })

  it('refuses a second proposal for a partition whose first is still queued (OPERATION_NOT_ATTEMPTED)', async () => {
    const m = new AlterPartitionManager({brokerId: 1, brokerEpoch: () => 11, retryBackoffMs: 100, time: new FakeTime(), logger: memoryLogger([]),
      send: () => new Promise(() => undefined)})
    void m.submit(item(0, [1]))
    assert.equal((await m.submit(item(0, [1, 2]))).errorCode, ErrorCode.OPERATION_NOT_ATTEMPTED)
  })
})
