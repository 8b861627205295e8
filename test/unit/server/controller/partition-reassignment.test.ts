/**
 * Partition reassignment in the controller (controller/partition-reassignment.ts and the
 * reassignment steps of partition-change-builder.ts) on hand-built images: start, the ISR joins,
 * completion (removed replicas leave, a removed leader hands over, the leader epoch moves), cancel,
 * list, and Kafka's errors with nothing changed.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import type {AlterPartitionRequest} from '../../../../src/protocol/generated/messages/alter-partition.js'
import {alterPartitionReassignments, listPartitionReassignments, reassignmentReplicas} from '../../../../src/server/controller/partition-reassignment.js'
import {completedReassignment} from '../../../../src/server/controller/partition-change-builder.js'
import {alterPartition, leaderAndIsrUpdates} from '../../../../src/server/controller/replication-control.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {ConfigResourceType, MetadataImage, type PartitionRegistration} from '../../../../src/server/metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'

const TID = 'AAAAAAAAAAAAAAAAAAAAAQ'

function image(brokerIds: number[], partitions: {replicas: number[], isr: number[], leader: number}[], configs: Record<string, string> = {}): MetadataImage {
  const d = new MetadataDelta(MetadataImage.empty('c'))
  let offset = 0
  for (const id of brokerIds) {
    d.replay({type: T.REGISTER_BROKER, version: 3, data: {brokerId: id, incarnationId: TID, brokerEpoch: 10 + id, endPoints: [], features: [], rack: null,
      fenced: false, inControlledShutdown: false, logDirs: []}}, offset++)
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

const part = (img: MetadataImage, id = 0): PartitionRegistration => img.topicsById.get(TID)!.partitions.get(id)!
const reassign = (img: MetadataImage, partitions: {partitionIndex: number, replicas: number[] | null}[], topic = 't') =>
  alterPartitionReassignments(img, {topics: [{name: topic, partitions}]}, false)

/** The leader's AlterPartition proposing `isr` with the partition's current epochs. */
function isrChange(img: MetadataImage, isr: number[]): AlterPartitionRequest {
  const p = part(img)
  const leader = img.brokers.get(p.leader)!
  return {brokerId: p.leader, brokerEpoch: leader.epoch, topics: [{topicName: 't', topicId: TID, partitions: [{
    partitionIndex: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, leaderRecoveryState: 0,
    newIsr: isr, newIsrWithEpochs: isr.map(brokerId => ({brokerId, brokerEpoch: -1})),
  }]}]}
}

describe('partition reassignment: controller steps', () => {
  it('computes replicas, adding and removing as Kafka does (target first, removed ones after, sorted)', () => {
    assert.deepEqual(reassignmentReplicas([1, 2], [3, 2]), {replicas: [3, 2, 1], removing: [1], adding: [3]})
    assert.deepEqual(reassignmentReplicas([1, 2], [1, 2, 3]), {replicas: [1, 2, 3], removing: [], adding: [3]})
    assert.deepEqual(reassignmentReplicas([3, 1, 2], [2, 1]), {replicas: [2, 1, 3], removing: [3], adding: []})
    assert.equal(completedReassignment([1, 2, 3], [], [3], [1, 2]), null)
    assert.deepEqual(completedReassignment([1, 2, 3], [], [3], [1, 2, 3]), {replicas: [1, 2, 3], isr: [1, 2, 3]})
    assert.deepEqual(completedReassignment([2, 3, 1], [1], [3], [1, 2, 3]), {replicas: [2, 3], isr: [2, 3]})
    assert.equal(completedReassignment([2, 3, 1], [1], [3], [1]), null, 'no target replica left in the ISR')
  })

  it('RF 2 -> 3: the new replica is added first, the reassignment completes when it joins the ISR', () => {
    let img = image([1, 2, 3], [{replicas: [1, 2], isr: [1, 2], leader: 1}])
    const start = reassign(img, [{partitionIndex: 0, replicas: [1, 2, 3]}])
    assert.equal(start.response.responses[0].partitions[0].errorCode, 0)
    assert.deepEqual(start.records.map(r => r.data), [{topicId: TID, partitionId: 0, isr: null, leader: -2, replicas: [1, 2, 3], addingReplicas: [3]}])
    img = apply(img, start.records)
    assert.deepEqual(listPartitionReassignments(img, null).topics, [{name: 't', partitions: [{partitionIndex: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: []}]}])
    assert.deepEqual([part(img).leaderEpoch, part(img).partitionEpoch], [5, 8])
    const joined = alterPartition(img, isrChange(img, [1, 2, 3]), 3, false)
    assert.equal(joined.response.topics[0].partitions[0].errorCode, 0)
    img = apply(img, joined.records)
    const p = part(img)
    assert.deepEqual([p.replicas, p.isr, p.addingReplicas, p.removingReplicas, p.leader], [[1, 2, 3], [1, 2, 3], [], [], 1])
    assert.deepEqual(listPartitionReassignments(img, null).topics, [])
  })

  it('a move between brokers: the removed leader hands over to the first target replica in sync (NEW_LEADER_ELECTED), epoch + 1', () => {
    let img = image([1, 2, 3], [{replicas: [1, 2], isr: [1, 2], leader: 1}])
    img = apply(img, reassign(img, [{partitionIndex: 0, replicas: [3, 2]}]).records)
    assert.deepEqual([part(img).replicas, part(img).addingReplicas, part(img).removingReplicas, part(img).leader], [[3, 2, 1], [3], [1], 1])
    // Broker 3 catches up and joins: the reassignment completes, 1 leaves, 3 is not preferred-first
    // in the ISR order but 3 is the first target replica: it leads.
    const joined = alterPartition(img, isrChange(img, [1, 2, 3]), 3, false)
    assert.equal(joined.response.topics[0].partitions[0].errorCode, ErrorCode.NEW_LEADER_ELECTED)
    img = apply(img, joined.records)
    const p = part(img)
    assert.deepEqual([p.replicas, p.isr, p.addingReplicas, p.removingReplicas, p.leader, p.leaderEpoch], [[3, 2], [2, 3], [], [], 3, 6])
  })

  it('removing a follower bumps the leader epoch; a reorder completes at once', () => {
    let img = image([1, 2, 3], [{replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1}, {replicas: [1, 2], isr: [1, 2], leader: 1}])
    const r = reassign(img, [{partitionIndex: 0, replicas: [1, 2]}, {partitionIndex: 1, replicas: [2, 1]}])
    img = apply(img, r.records)
    assert.deepEqual([part(img).replicas, part(img).isr, part(img).leader, part(img).leaderEpoch, part(img).removingReplicas], [[1, 2], [1, 2], 1, 6, []])
    assert.deepEqual([part(img, 1).replicas, part(img, 1).leader, part(img, 1).leaderEpoch], [[2, 1], 1, 5])
  })

  it('a reassignment completes when a fencing shrinks the ISR to the targets', () => {
    let img = image([1, 2, 3], [{replicas: [2, 3, 1], isr: [1, 2, 3], leader: 1}])
    // Hand-made in-progress state: target [2, 3], removing 1 (already caught up).
    img = apply(img, [{type: T.PARTITION_CHANGE, version: 0, data: {topicId: TID, partitionId: 0, isr: [1, 2], leader: -2, removingReplicas: [1], addingReplicas: [3]}}])
    const fenced = apply(img, [{type: T.BROKER_REGISTRATION_CHANGE, version: 1, data: {brokerId: 1, brokerEpoch: 11, fenced: 1, inControlledShutdown: 0}}])
    const records = leaderAndIsrUpdates(fenced, {brokerToRemove: 1, brokerToAdd: -1, partitions: 'brokerInIsr', uncleanDefault: false})
    const p = part(apply(fenced, records))
    assert.deepEqual([p.replicas, p.isr, p.leader, p.addingReplicas, p.removingReplicas], [[2, 3, 1], [2], 2, [3], [1]], 'not complete: 3 is not in sync')
  })

  it('cancel reverts to the original replicas; without a reassignment it is NO_REASSIGNMENT_IN_PROGRESS', () => {
    let img = image([1, 2, 3], [{replicas: [1, 2], isr: [1, 2], leader: 1}])
    img = apply(img, reassign(img, [{partitionIndex: 0, replicas: [3, 2]}]).records)
    const cancel = reassign(img, [{partitionIndex: 0, replicas: null}])
    assert.equal(cancel.response.responses[0].partitions[0].errorCode, 0)
    img = apply(img, cancel.records)
    const p = part(img)
    assert.deepEqual([p.replicas, p.isr, p.addingReplicas, p.removingReplicas, p.leader], [[2, 1], [1, 2], [], [], 1])
    const again = reassign(img, [{partitionIndex: 0, replicas: null}])
    assert.deepEqual(again.response.responses[0].partitions[0], {partitionIndex: 0, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.'})
    assert.equal(again.records.length, 0)
  })

  it('a revert that needs an unclean election is refused unless unclean.leader.election.enable', () => {
    const inProgress = (configs: Record<string, string>) => {
      const img = image([1, 2, 3], [{replicas: [3, 1], isr: [3], leader: 3}], configs)
      // replicas [3, 1] with 3 adding: the ISR holds only the adding replica.
      return apply(img, [{type: T.PARTITION_CHANGE, version: 0, data: {topicId: TID, partitionId: 0, isr: null, leader: -2, addingReplicas: [3], removingReplicas: [1]}}])
    }
    const refused = reassign(inProgress({}), [{partitionIndex: 0, replicas: null}])
    assert.deepEqual(refused.response.responses[0].partitions[0], {partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      errorMessage: 'Unable to revert partition assignment for t:0 because it would require an unclean leader election.'})
    assert.equal(refused.records.length, 0)
    const img = inProgress({'unclean.leader.election.enable': 'true'})
    const p = part(apply(img, reassign(img, [{partitionIndex: 0, replicas: null}]).records))
    assert.deepEqual([p.replicas, p.isr, p.leader], [[1], [1], 1])
  })

  it('bad input: unknown brokers, duplicates, empty lists, unknown partitions and topics change nothing', () => {
    const img = image([1, 2, 3], [{replicas: [1, 2], isr: [1, 2], leader: 1}])
    const r = reassign(img, [
      {partitionIndex: 0, replicas: [1, 7]},
      {partitionIndex: 0, replicas: [2, 2]},
      {partitionIndex: 0, replicas: []},
      {partitionIndex: 5, replicas: [1, 2]},
    ])
    assert.equal(r.records.length, 0)
    assert.deepEqual(r.response.responses[0].partitions.map(p => [p.errorCode, p.errorMessage]), [
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 7, but no such broker is registered.'],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 2 more than once.'],
      [ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
      [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition t:5.'],
    ])
    const unknown = reassign(img, [{partitionIndex: 0, replicas: [1]}], 'nope')
    assert.deepEqual(unknown.response.responses[0].partitions[0], {partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named nope.'})
  })

  it('lists only the named partitions that are being reassigned', () => {
    let img = image([1, 2, 3], [{replicas: [1, 2], isr: [1, 2], leader: 1}, {replicas: [2, 3], isr: [2, 3], leader: 2}])
    img = apply(img, reassign(img, [{partitionIndex: 1, replicas: [1, 3]}]).records)
    assert.deepEqual(listPartitionReassignments(img, [{name: 't', partitionIndexes: [0, 1, 7]}, {name: 'nope', partitionIndexes: [0]}]).topics,
      [{name: 't', partitions: [{partitionIndex: 1, replicas: [1, 3, 2], addingReplicas: [1], removingReplicas: [2]}]}])
  })
})
