/**
 * Leader elections on hand-built images (controller/leader-election.ts): ElectLeaders preferred and
 * unclean with Kafka's per-partition codes, and the auto leader rebalance's imbalance computation.
 */
import assert from 'node:assert/strict'
import {ErrorCode, KafkaError} from '../../../../src/protocol/errors.js'
import {electLeaders, ElectionType, leaderImbalance, rebalanceLeaders} from '../../../../src/server/controller/leader-election.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {MetadataImage} from '../../../../src/server/metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'
import {registerAndUnfence, startAdminFixture} from '../apis/admin-apis-helper.js'
import {waitFor} from '../../../helpers/wait-for.js'

const TID = 'AAAAAAAAAAAAAAAAAAAAAQ'

interface P { replicas: number[], isr: number[], leader: number }

function image(brokers: {id: number, fenced?: boolean}[], partitions: P[]): MetadataImage {
  const d = new MetadataDelta(MetadataImage.empty('c'))
  let offset = 0
  for (const b of brokers) {
    d.replay({type: T.REGISTER_BROKER, version: 3, data: {brokerId: b.id, incarnationId: TID, brokerEpoch: 10 + b.id, endPoints: [], features: [], rack: null,
      fenced: b.fenced ?? false, inControlledShutdown: false, logDirs: []}}, offset++)
  }
  d.replay({type: T.TOPIC, version: 0, data: {name: 't', topicId: TID}}, offset++)
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

const part = (img: MetadataImage, id: number) => img.topicsById.get(TID)!.partitions.get(id)!

describe('leader election: ElectLeaders', () => {
  const three = [{id: 1}, {id: 2}, {id: 3}]

  it('preferred: moves leadership to the first replica (leader epoch + 1); results per partition with Kafka\'s codes', () => {
    const img = image([{id: 1}, {id: 2}, {id: 3, fenced: true}], [
      {replicas: [1, 2], isr: [1, 2], leader: 2}, // preferred 1 in sync: elected
      {replicas: [1, 2], isr: [1, 2], leader: 1}, // already the preferred leader
      {replicas: [1, 2], isr: [2], leader: 2}, // preferred not in the ISR
      {replicas: [3, 2], isr: [3, 2], leader: 2}, // preferred fenced
    ])
    const {records, response} = electLeaders(img, {electionType: ElectionType.PREFERRED, topicPartitions: [{topic: 't', partitions: [0, 1, 2, 3, 9]}, {topic: 'nope', partitions: [0]}]})
    assert.deepEqual(response.replicaElectionResults, [
      {topic: 't', partitionResult: [
        {partitionId: 0, errorCode: ErrorCode.NONE, errorMessage: null},
        {partitionId: 1, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: 'Leader election not needed for topic partition.'},
        {partitionId: 2, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'The preferred leader was not available.'},
        {partitionId: 3, errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE, errorMessage: 'The preferred leader was not available.'},
        {partitionId: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such partition as t-9'},
      ]},
      {topic: 'nope', partitionResult: [{partitionId: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'No such topic as nope'}]},
    ])
    assert.equal(records.length, 1)
    const next = apply(img, records)
    assert.deepEqual([part(next, 0).leader, part(next, 0).leaderEpoch, part(next, 0).isr], [1, 6, [1, 2]])
  })

  it('unclean: a leaderless partition gets an ISR member if one is alive, else the first live replica with the ISR restarted from it', () => {
    const img = image([{id: 1, fenced: true}, {id: 2}, {id: 3}], [
      {replicas: [1, 2, 3], isr: [1], leader: -1}, // whole ISR down: unclean
      {replicas: [1, 2], isr: [2], leader: 2}, // has a leader
      {replicas: [1], isr: [1], leader: -1}, // nobody alive
    ])
    const {records, response} = electLeaders(img, {electionType: ElectionType.UNCLEAN, topicPartitions: [{topic: 't', partitions: [0, 1, 2]}]})
    assert.deepEqual(response.replicaElectionResults[0].partitionResult.map(r => r.errorCode),
      [ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED, ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE])
    assert.deepEqual(records.map(r => r.data), [{topicId: TID, partitionId: 0, isr: [2], leader: 2}])
  })

  it('all partitions (null): ELECTION_NOT_NEEDED ones are left out; an unknown election type is INVALID_REQUEST', () => {
    const img = image(three, [{replicas: [1, 2], isr: [1, 2], leader: 1}, {replicas: [2, 3], isr: [2, 3], leader: 3}])
    const {records, response} = electLeaders(img, {electionType: ElectionType.PREFERRED, topicPartitions: null})
    assert.deepEqual(response.replicaElectionResults, [{topic: 't', partitionResult: [{partitionId: 1, errorCode: 0, errorMessage: null}]}])
    assert.equal(records.length, 1)
    assert.throws(() => electLeaders(img, {electionType: 7, topicPartitions: null}),
      (e: unknown) => e instanceof KafkaError && e.code === ErrorCode.INVALID_REQUEST && e.message === 'Unknown election type 7')
  })

  it('a partition named twice is elected once', () => {
    const img = image(three, [{replicas: [1, 2], isr: [1, 2], leader: 2}])
    const {records, response} = electLeaders(img, {electionType: ElectionType.PREFERRED, topicPartitions: [{topic: 't', partitions: [0, 0]}]})
    assert.equal(records.length, 1)
    assert.deepEqual(response.replicaElectionResults[0].partitionResult.map(r => r.errorCode), [ErrorCode.NONE, ErrorCode.ELECTION_NOT_NEEDED])
  })
})

describe('leader election: auto rebalance', () => {
  it('computes each preferred broker\'s share of partitions it does not lead', () => {
    const img = image([{id: 1}, {id: 2}, {id: 3}], [
      {replicas: [1, 2], isr: [1, 2], leader: 2},
      {replicas: [1, 3], isr: [1, 3], leader: 1},
      {replicas: [1, 2], isr: [2], leader: 2},
      {replicas: [1, 2], isr: [1, 2], leader: 1},
      {replicas: [2, 1], isr: [2, 1], leader: 2},
      {replicas: [3, 1], isr: [3], leader: -1},
    ])
    assert.deepEqual(leaderImbalance(img), [
      {brokerId: 1, preferred: 4, notLeading: 2, ratio: 0.5},
      {brokerId: 2, preferred: 1, notLeading: 0, ratio: 0},
      {brokerId: 3, preferred: 1, notLeading: 1, ratio: 1},
    ])
  })

  it('elects preferred leaders only for brokers above leader.imbalance.per.broker.percentage, and only where the preferred replica is alive and in sync', () => {
    const img = image([{id: 1}, {id: 2}, {id: 3, fenced: true}], [
      {replicas: [1, 2], isr: [1, 2], leader: 2}, // elected
      {replicas: [1, 2], isr: [2], leader: 2}, // 1 out of sync: skipped
      {replicas: [1, 2], isr: [1, 2], leader: 1},
      {replicas: [1, 2], isr: [1, 2], leader: 1},
      {replicas: [3, 2], isr: [3, 2], leader: 2}, // 3 fenced: skipped
      {replicas: [2, 1], isr: [2, 1], leader: 2},
    ])
    // Broker 1: 2 of 4 not led (50 %); broker 3: 1 of 1 (100 %).
    assert.deepEqual(rebalanceLeaders(img, 50).map(r => r.data), [])
    const records = rebalanceLeaders(img, 10)
    assert.deepEqual(records.map(r => r.data), [{topicId: TID, partitionId: 0, isr: null, leader: 1}])
    const next = apply(img, records)
    assert.deepEqual(leaderImbalance(next).find(b => b.brokerId === 1), {brokerId: 1, preferred: 4, notLeading: 1, ratio: 0.25})
    assert.equal(rebalanceLeaders(img, 10, 0).length, 0)
  })
})

describe('QuorumController: auto leader rebalance (real timers)', () => {
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  afterEach(async () => { await fx?.close() })
  const listeners = [{name: 'PLAINTEXT', host: 'localhost', port: 9094, securityProtocol: 0}]

  it('moves leadership back to the preferred replica once it is in sync again (leader.imbalance.check.interval.seconds)', async function () {
    this.timeout(15_000)
    fx = await startAdminFixture({'leader.imbalance.check.interval.seconds': '1'})
    const c = fx.server.controller
    const epoch2 = await registerAndUnfence(c, 2, listeners)
    await c.createTopics([{name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [2, 1]}]}])
    const part = () => fx.server.metadata.image.topic('t')!.partitions.get(0)!
    assert.equal(part().leader, 2)
    // Broker 2 is fenced (leadership moves to 1), comes back, and broker 1 lets it back into the ISR.
    await c.brokerHeartbeat({brokerId: 2, brokerEpoch: epoch2, currentMetadataOffset: fx.server.metadata.image.offset, wantFence: true, wantShutDown: false})
    assert.deepEqual([part().leader, part().isr], [1, [1]])
    await c.brokerHeartbeat({brokerId: 2, brokerEpoch: epoch2, currentMetadataOffset: fx.server.metadata.image.offset, wantFence: false, wantShutDown: false})
    const b1 = fx.server.metadata.image.brokers.get(1)!
    const p = part()
    const res = await c.alterPartition({brokerId: 1, brokerEpoch: b1.epoch, topics: [{topicName: 't', topicId: fx.server.metadata.image.topic('t')!.topicId, partitions: [{
      partitionIndex: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, leaderRecoveryState: 0, newIsr: [1, 2],
      newIsrWithEpochs: [{brokerId: 1, brokerEpoch: b1.epoch}, {brokerId: 2, brokerEpoch: epoch2}],
    }]}]}, 3)
    assert.equal(res.topics[0].partitions[0].errorCode, 0)
    await waitFor(() => part().leader === 2, {timeoutMs: 10_000, message: 'the auto rebalance to elect broker 2'})
    assert.deepEqual([part().leader, part().isr], [2, [1, 2]])
  })
})
