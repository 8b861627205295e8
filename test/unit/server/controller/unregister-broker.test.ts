import assert from 'node:assert/strict'
import {ErrorCode, KafkaError} from '../../../../src/protocol/errors.js'
import {registerAndUnfence, startAdminFixture} from '../apis/admin-apis-helper.js'

const listeners = (port: number) => [{name: 'PLAINTEXT', host: 'localhost', port, securityProtocol: 0}]

describe('QuorumController.unregisterBroker (KIP-777)', () => {
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  beforeEach(async () => { fx = await startAdminFixture() })
  afterEach(async () => { await fx.close() })

  it('refuses an unknown broker with BROKER_ID_NOT_REGISTERED and appends nothing', async () => {
    const end = fx.server.raft.logEndOffset()
    await assert.rejects(fx.server.controller.unregisterBroker(9), (err: unknown) =>
      err instanceof KafkaError && err.code === ErrorCode.BROKER_ID_NOT_REGISTERED && err.message === 'Broker ID 9 is not currently registered')
    assert.equal(fx.server.raft.logEndOffset(), end)
  })

  it('removes the registration, drops the broker from ISRs and moves its leaderships', async () => {
    const c = fx.server.controller
    await registerAndUnfence(c, 2, listeners(9094))
    const res = await c.createTopics([
      {name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2, 1]}, {partitionIndex: 1, brokerIds: [1, 2]}]},
      {name: 'u', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2]}]},
    ])
    assert.deepEqual(res.map(r => r.errorCode), [0, 0])
    const before = fx.server.metadata.image.topic('t')!.partitions
    await c.unregisterBroker(2)
    const image = fx.server.metadata.image
    assert.equal(image.brokers.has(2), false)
    const p = image.topic('t')!.partitions
    // Led by 2: leadership moves to 1, ISR shrinks, leader epoch bumps.
    assert.deepEqual([p.get(0)!.leader, p.get(0)!.isr, p.get(0)!.leaderEpoch], [1, [1], before.get(0)!.leaderEpoch + 1])
    // Led by 1: only the ISR shrinks.
    assert.deepEqual([p.get(1)!.leader, p.get(1)!.isr, p.get(1)!.leaderEpoch], [1, [1], before.get(1)!.leaderEpoch])
    // Only 2 in sync: the ISR is kept, no leader is left.
    const u = image.topic('u')!.partitions.get(0)!
    assert.deepEqual([u.leader, u.isr], [-1, [2]])
    // Replica assignments do not change.
    assert.deepEqual(p.get(0)!.replicas, [2, 1])
  })
})
