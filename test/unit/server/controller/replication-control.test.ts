/**
 * The controller's partition decisions (controller/replication-control.ts, partition-change-builder.ts)
 * on hand-built images, and the QuorumController paths that use them: AlterPartition, fencing,
 * controlled shutdown, re-registration.
 */
import assert from 'node:assert/strict'
import {ErrorCode, KafkaError} from '../../../../src/protocol/errors.js'
import type {AlterPartitionRequest} from '../../../../src/protocol/generated/messages/alter-partition.js'
import {alterPartition, hasLeaderships, leaderAndIsrUpdates} from '../../../../src/server/controller/replication-control.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {ConfigResourceType, MetadataImage} from '../../../../src/server/metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'
import {registerAndUnfence, startAdminFixture} from '../apis/admin-apis-helper.js'

const TID = 'AAAAAAAAAAAAAAAAAAAAAQ'

function image(brokers: {id: number, fenced?: boolean, shuttingDown?: boolean}[], partitions: {replicas: number[], isr: number[], leader: number}[], configs: Record<string, string> = {}): MetadataImage {
  const d = new MetadataDelta(MetadataImage.empty('c'))
  let offset = 0
  for (const b of brokers) {
    d.replay({type: T.REGISTER_BROKER, version: 3, data: {brokerId: b.id, incarnationId: TID, brokerEpoch: 10 + b.id, endPoints: [], features: [], rack: null,
      fenced: b.fenced ?? false, inControlledShutdown: b.shuttingDown ?? false, logDirs: []}}, offset++)
  }
  d.replay({type: T.TOPIC, version: 0, data: {name: 't', topicId: TID}}, offset++)
  for (const [k, v] of Object.entries(configs)) d.replay({type: T.CONFIG, version: 0, data: {resourceType: ConfigResourceType.TOPIC, resourceName: 't', name: k, value: v}}, offset++)
  partitions.forEach((p, partitionId) => d.replay({type: T.PARTITION, version: 0, data: {
    partitionId, topicId: TID, replicas: p.replicas, isr: p.isr, removingReplicas: [], addingReplicas: [], leader: p.leader, leaderEpoch: 5, partitionEpoch: 7,
  }}, offset++))
  return d.apply()
}

function apply(img: MetadataImage, records: MetadataRecord[]): MetadataImage {
  const d = new MetadataDelta(img)
  for (const r of records) d.replay(r, img.offset + 1)
  return d.apply()
}

function request(isr: number[], o: {brokerId?: number, brokerEpoch?: number, leaderEpoch?: number, partitionEpoch?: number, epochs?: number[]} = {}): AlterPartitionRequest {
  return {
    brokerId: o.brokerId ?? 1, brokerEpoch: o.brokerEpoch ?? 11,
    topics: [{topicName: 't', topicId: TID, partitions: [{
      partitionIndex: 0, leaderEpoch: o.leaderEpoch ?? 5, partitionEpoch: o.partitionEpoch ?? 7, leaderRecoveryState: 0,
      newIsr: isr, newIsrWithEpochs: isr.map((brokerId, i) => ({brokerId, brokerEpoch: o.epochs?.[i] ?? -1})),
    }]}],
  }
}

describe('replication control: AlterPartition', () => {
  const three = [{id: 1}, {id: 2}, {id: 3}]

  it('commits a shrink and an expansion as PartitionChangeRecords and answers the new state', () => {
    let img = image(three, [{replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1}])
    const shrink = alterPartition(img, request([1, 2]), 3, false)
    assert.deepEqual(shrink.records.map(r => r.data), [{topicId: TID, partitionId: 0, isr: [1, 2], leader: -2}])
    assert.deepEqual(shrink.response.topics[0].partitions[0], {partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: 5, isr: [1, 2], leaderRecoveryState: 0, partitionEpoch: 8})
    img = apply(img, shrink.records)
    const p = img.topicsById.get(TID)!.partitions.get(0)!
    assert.deepEqual([p.isr, p.leaderEpoch, p.partitionEpoch], [[1, 2], 5, 8])
    const expand = alterPartition(img, request([1, 2, 3], {partitionEpoch: 8, epochs: [11, 12, 13]}), 3, false)
    assert.equal(expand.response.topics[0].partitions[0].errorCode, 0)
    assert.deepEqual(expand.records[0].data.isr, [1, 2, 3])
  })

  it('answers Kafka\'s errors and changes nothing', () => {
    const img = image([{id: 1}, {id: 2}, {id: 3, fenced: true}, {id: 4, shuttingDown: true}], [{replicas: [1, 2, 3, 4], isr: [1, 2], leader: 1}])
    const code = (req: AlterPartitionRequest, version = 3): number => {
      const r = alterPartition(img, req, version, false)
      assert.equal(r.records.length, 0)
      return r.response.topics[0].partitions[0].errorCode
    }
    assert.equal(code(request([1], {partitionEpoch: 6})), ErrorCode.INVALID_UPDATE_VERSION)
    assert.equal(code(request([1], {leaderEpoch: 4})), ErrorCode.FENCED_LEADER_EPOCH)
    assert.equal(code(request([1], {leaderEpoch: 6})), ErrorCode.NOT_CONTROLLER)
    assert.equal(code(request([1, 2, 3])), ErrorCode.INELIGIBLE_REPLICA, 'fenced')
    assert.equal(code(request([1, 2, 4])), ErrorCode.INELIGIBLE_REPLICA, 'shutting down')
    assert.equal(code(request([1, 2], {epochs: [11, 99]})), ErrorCode.INELIGIBLE_REPLICA, 'another broker epoch')
    assert.equal(code(request([1, 2, 3]), 1), ErrorCode.OPERATION_NOT_ATTEMPTED)
    assert.equal(code(request([2])), ErrorCode.INVALID_REQUEST, 'an ISR without the leader')
    assert.equal(code(request([1, 9])), ErrorCode.INVALID_REQUEST, 'not a replica')
    assert.equal(code(request([2], {brokerId: 2, brokerEpoch: 12})), ErrorCode.INVALID_REQUEST, 'not the leader')
    const unknown = request([1])
    unknown.topics[0].topicId = 'AAAAAAAAAAAAAAAAAAAAAg'
    assert.equal(code(unknown), ErrorCode.UNKNOWN_TOPIC_ID)
    assert.throws(() => alterPartition(img, request([1], {brokerEpoch: 3}), 3, false),
      (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.STALE_BROKER_EPOCH)
  })
})

describe('replication control: leader election', () => {
  it('a fenced leader leaves the ISR; the next in-sync replica in assignment order leads with epoch + 1', () => {
    const img = image([{id: 1, fenced: true}, {id: 2}, {id: 3}], [
      {replicas: [1, 3, 2], isr: [1, 2, 3], leader: 1},
      {replicas: [2, 1], isr: [2, 1], leader: 2},
      {replicas: [1], isr: [1], leader: 1},
    ])
    const records = leaderAndIsrUpdates(img, {brokerToRemove: 1, brokerToAdd: -1, partitions: 'brokerInIsr', uncleanDefault: false})
    const next = apply(img, records).topicsById.get(TID)!.partitions
    assert.deepEqual([next.get(0)!.leader, next.get(0)!.isr, next.get(0)!.leaderEpoch], [3, [2, 3], 6])
    assert.deepEqual([next.get(1)!.leader, next.get(1)!.isr, next.get(1)!.leaderEpoch], [2, [2], 5])
    // The whole ISR is gone: the partition stays offline with its last ISR member.
    assert.deepEqual([next.get(2)!.leader, next.get(2)!.isr, next.get(2)!.leaderEpoch], [-1, [1], 6])
    assert.equal(hasLeaderships(apply(img, records), 1), false)
  })

  it('unclean.leader.election.enable elects a live replica outside the ISR and restarts the ISR from it', () => {
    const img = image([{id: 1, fenced: true}, {id: 2}], [{replicas: [1, 2], isr: [1], leader: 1}], {'unclean.leader.election.enable': 'true'})
    const records = leaderAndIsrUpdates(img, {brokerToRemove: 1, brokerToAdd: -1, partitions: 'brokerInIsr', uncleanDefault: false})
    assert.deepEqual(records.map(r => r.data), [{topicId: TID, partitionId: 0, isr: [2], leader: 2}])
  })

  it('an unfenced broker leads the leaderless partitions it is in sync for', () => {
    const img = image([{id: 1, fenced: true}, {id: 2}], [{replicas: [2, 1], isr: [1], leader: -1}, {replicas: [2], isr: [2], leader: 2}])
    const records = leaderAndIsrUpdates(img, {brokerToRemove: -1, brokerToAdd: 1, partitions: 'noLeader', uncleanDefault: false})
    assert.deepEqual(records.map(r => r.data), [{topicId: TID, partitionId: 0, isr: null, leader: 1}])
  })
})

describe('QuorumController: partition leadership with broker lifecycles', () => {
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  beforeEach(async () => { fx = await startAdminFixture() })
  afterEach(async () => { await fx.close() })
  const listeners = (port: number) => [{name: 'PLAINTEXT', host: 'localhost', port, securityProtocol: 0}]

  it('controlled shutdown moves leaderships away before answering shouldShutDown', async () => {
    const c = fx.server.controller
    const epoch2 = await registerAndUnfence(c, 2, listeners(9094))
    await c.createTopics([
      {name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2, 1]}]},
      {name: 'u', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2]}]},
    ])
    const part = (i: number) => fx.server.metadata.image.topic(i === 0 ? 't' : 'u')!.partitions.get(0)!
    const hb = (wantShutDown: boolean) => c.brokerHeartbeat({brokerId: 2, brokerEpoch: epoch2, currentMetadataOffset: fx.server.metadata.image.offset, wantFence: false, wantShutDown})
    const first = await hb(true)
    assert.deepEqual([first.isFenced, first.shouldShutDown], [false, false])
    assert.equal(fx.server.metadata.image.brokers.get(2)!.inControlledShutdown, true)
    assert.deepEqual([part(0).leader, part(0).isr, part(0).leaderEpoch], [1, [1], 1])
    assert.deepEqual([part(1).leader, part(1).isr], [-1, [2]])
    // Broker 1 (active) has not reported the new metadata offset yet.
    assert.equal((await hb(true)).shouldShutDown, false)
    const b1 = fx.server.metadata.image.brokers.get(1)!
    await c.brokerHeartbeat({brokerId: 1, brokerEpoch: b1.epoch, currentMetadataOffset: fx.server.metadata.image.offset, wantFence: false, wantShutDown: false})
    const last = await hb(true)
    assert.deepEqual([last.isFenced, last.shouldShutDown], [true, true])
    assert.equal(fx.server.metadata.image.brokers.get(2)!.fenced, true)
  })

  it('AlterPartition: a stale partition epoch is INVALID_UPDATE_VERSION and appends nothing', async () => {
    const c = fx.server.controller
    const epoch2 = await registerAndUnfence(c, 2, listeners(9094))
    await c.createTopics([{name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2, 1]}]}])
    const t = fx.server.metadata.image.topic('t')!
    const req = (partitionEpoch: number): AlterPartitionRequest => ({brokerId: 2, brokerEpoch: epoch2, topics: [{topicName: 't', topicId: t.topicId, partitions: [{
      partitionIndex: 0, leaderEpoch: 0, partitionEpoch, leaderRecoveryState: 0, newIsr: [2], newIsrWithEpochs: [{brokerId: 2, brokerEpoch: epoch2}],
    }]}]})
    const ok = await c.alterPartition(req(0), 3)
    assert.equal(ok.topics[0].partitions[0].errorCode, 0)
    assert.deepEqual(fx.server.metadata.image.topic('t')!.partitions.get(0)!.isr, [2])
    const end = fx.server.raft.logEndOffset()
    const stale = await c.alterPartition(req(0), 3)
    assert.equal(stale.topics[0].partitions[0].errorCode, ErrorCode.INVALID_UPDATE_VERSION)
    assert.equal(fx.server.raft.logEndOffset(), end)
  })

  it('a broker whose session expires is fenced: its leaderships move, a partition it alone had in sync goes offline until it is back', async () => {
    await fx.close()
    fx = await startAdminFixture({'broker.session.timeout.ms': '600'})
    const c = fx.server.controller
    const epoch2 = await registerAndUnfence(c, 2, listeners(9094))
    await c.createTopics([
      {name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2, 1]}]},
      {name: 'u', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2]}]},
    ])
    const part = (i: number) => fx.server.metadata.image.topic(i === 0 ? 't' : 'u')!.partitions.get(0)!
    const b1 = fx.server.metadata.image.brokers.get(1)!
    // Only broker 1 keeps heartbeating.
    const deadline = Date.now() + 10_000
    while (!fx.server.metadata.image.brokers.get(2)!.fenced) {
      assert.ok(Date.now() < deadline, 'broker 2 was not fenced')
      await c.brokerHeartbeat({brokerId: 1, brokerEpoch: b1.epoch, currentMetadataOffset: fx.server.metadata.image.offset, wantFence: false, wantShutDown: false})
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    assert.deepEqual([part(0).leader, part(0).isr, part(0).leaderEpoch], [1, [1], 1])
    assert.deepEqual([part(1).leader, part(1).isr, part(1).leaderEpoch], [-1, [2], 1])
    // Broker 2 comes back (same incarnation): unfenced, it leads the partition only it had in sync.
    const back = await c.brokerHeartbeat({brokerId: 2, brokerEpoch: epoch2, currentMetadataOffset: fx.server.metadata.image.offset, wantFence: false, wantShutDown: false})
    assert.equal(back.isFenced, false)
    assert.deepEqual([part(1).leader, part(1).isr, part(1).leaderEpoch], [2, [2], 2])
    assert.deepEqual([part(0).leader, part(0).isr], [1, [1]])
  })
})
