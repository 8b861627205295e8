/**
 * Group coordinator writes on a replicated `__consumer_offsets` partition wait for replication like
 * an acks=all produce (broker/group-storage.ts), over the deterministic replication harness.
 */
import assert from 'node:assert/strict'
import {ErrorCode, KafkaError} from '../../../../src/protocol/errors.js'
import {groupStorage} from '../../../../src/server/broker/group-storage.js'
import {GROUP_METADATA_TOPIC_NAME} from '../../../../src/server/group/group-partition.js'
import {makeBatch} from './batch-fixture.js'
import {Cluster, flush} from './replication-harness.js'

describe('group coordinator storage on a replicated partition', () => {
  let c: Cluster
  afterEach(async () => { await c.close() })

  it('an append resolves only once the followers have it; loading reads up to the log end offset', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(GROUP_METADATA_TOPIC_NAME, [[1, 2]])
    await c.replicate(2)
    const storage = groupStorage(c.broker(1).rm, 5000)
    let done = false
    const append = storage.append(0, makeBatch({count: 2})).then(() => { done = true })
    await flush()
    assert.equal(done, false)
    await c.replicate(2)
    await append
    assert.equal(done, true)
    // A new leader loads everything in its log, above its (lagging) high watermark too.
    c.isolated.add(1)
    c.elect(GROUP_METADATA_TOPIC_NAME, 0, 2, [2])
    const read = groupStorage(c.broker(2).rm, 5000).read(0, 0, 1 << 20)
    assert.equal(read.logEndOffset, 2)
    assert.equal(read.nextOffset, 2)
  })

  it('an append that is not replicated in offsets.commit.timeout.ms fails with REQUEST_TIMED_OUT', async () => {
    c = new Cluster([1, 2]).start()
    c.createTopic(GROUP_METADATA_TOPIC_NAME, [[1, 2]])
    c.isolated.add(2)
    const storage = groupStorage(c.broker(1).rm, 5000)
    const append = storage.append(0, makeBatch())
    const failed = assert.rejects(append, (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.REQUEST_TIMED_OUT)
    await c.time.advance(5000)
    await failed
  })
})
