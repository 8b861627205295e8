/**
 * Partition reassignment in the controller (Kafka 3.9 `ReplicationControlManager`
 * `alterPartitionReassignments` / `listPartitionReassignments`, `PartitionReassignmentReplicas`,
 * `PartitionReassignmentRevert`): pure functions of the committed MetadataImage.
 *
 * A reassignment to target replicas T of a partition with replicas C is one PartitionChangeRecord
 * with replicas = T followed by the removed ones (C \ T), addingReplicas = T \ C, removingReplicas =
 * C \ T (both sorted). The adding replicas fetch from the leader and join the ISR through
 * AlterPartition; the change that makes the ISR hold all of T completes the reassignment
 * (`partition-change-builder.ts`): replicas = T, the removing replicas leave the ISR, a removed
 * leader hands over to the first target replica in the ISR, and the brokers that lost the partition
 * delete their logs. A reassignment that only reorders the replicas, or whose targets are already
 * in sync, completes at once.
 *
 * Cancelling (replicas null) reverts to the original replicas (replicas minus adding); the ISR
 * loses the adding replicas; an ISR left empty takes the first original replica, which needs
 * `unclean.leader.election.enable`.
 */
import {ErrorCode, KafkaError, errorCodeFor, errorMessage} from '../../protocol/errors.js'
import type {AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, AlterPartitionReassignmentsResponseReassignableTopicResponse} from '../../protocol/generated/messages/alter-partition-reassignments.js'
import type {ListPartitionReassignmentsResponse, ListPartitionReassignmentsResponseOngoingTopicReassignment} from '../../protocol/generated/messages/list-partition-reassignments.js'
import type {MetadataImage, PartitionRegistration, TopicImage} from '../metadata/metadata-image.js'
import type {MetadataRecord} from '../metadata/metadata-record.js'
import {buildPartitionChange, mergePartitionChange, type PartitionChange} from './partition-change-builder.js'
import {changeRecord, isActiveBroker, uncleanElectionEnabled} from './replication-control.js'

/** Whether a partition is being reassigned (Kafka `isReassignmentInProgress`). */
export function isReassigning(p: PartitionRegistration): boolean {
  return p.addingReplicas.length > 0 || p.removingReplicas.length > 0
}

/**
 * The replicas, removing and adding lists of a reassignment from `current` to `target` (Kafka
 * `PartitionReassignmentReplicas(currentAssignment, targetAssignment)`).
 */
export function reassignmentReplicas(current: readonly number[], target: readonly number[]): {replicas: number[], removing: number[], adding: number[]} {
  const removing = current.filter(id => !target.includes(id)).sort((a, b) => a - b)
  const adding = target.filter(id => !current.includes(id)).sort((a, b) => a - b)
  return {replicas: [...target, ...removing], removing, adding}
}

/**
 * Checks a target replica list (Kafka `validateManualPartitionAssignment`).
 * @throws KafkaError INVALID_REPLICA_ASSIGNMENT for an empty list, an unregistered broker or a broker named twice
 */
export function validateTargetReplicas(image: MetadataImage, replicas: readonly number[]): void {
  if (replicas.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.')
  const sorted = [...replicas].sort((a, b) => a - b)
  let prev: number | undefined
  for (const id of sorted) {
    if (!image.brokers.has(id)) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${id}, but no such broker is registered.`)
    if (id === prev) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${prev} more than once.`)
    prev = id
  }
}

/** The change that starts (or replaces) a reassignment to `target` (Kafka `changePartitionReassignment`). */
function changeReassignment(image: MetadataImage, topic: TopicImage, p: PartitionRegistration, target: readonly number[]): PartitionChange | null {
  validateTargetReplicas(image, target)
  const r = reassignmentReplicas(p.replicas, target)
  const sameReplicas = r.replicas.length === p.replicas.length && r.replicas.every((id, i) => id === p.replicas[i])
  return buildPartitionChange(topic.topicId, p, {
    isAcceptableLeader: id => isActiveBroker(image, id),
    targetReplicas: sameReplicas ? undefined : r.replicas,
    targetRemoving: r.removing.length > 0 ? r.removing : undefined,
    targetAdding: r.adding.length > 0 ? r.adding : undefined,
  })
}

/** The change that reverts a reassignment (Kafka `cancelPartitionReassignment`, `PartitionReassignmentRevert`). */
function cancelReassignment(image: MetadataImage, topic: TopicImage, p: PartitionRegistration, uncleanDefault: boolean): PartitionChange | null {
  if (!isReassigning(p)) throw new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS))
  const replicas = p.replicas.filter(id => !p.addingReplicas.includes(id))
  const isr = p.isr.filter(id => !p.addingReplicas.includes(id))
  const uncleanEnabled = uncleanElectionEnabled(image, topic.name, uncleanDefault)
  if (isr.length === 0) {
    if (replicas.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Invalid replica assignment: addingReplicas contains all replicas.')
    isr.push(replicas[0])
    if (!uncleanEnabled) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unable to revert partition assignment for ${topic.name}:${p.partitionId} because it would require an unclean leader election.`)
    }
  }
  return buildPartitionChange(topic.topicId, p, {
    isAcceptableLeader: id => isActiveBroker(image, id),
    election: uncleanEnabled ? 'unclean' : 'online',
    targetIsr: isr, targetReplicas: replicas, targetRemoving: [], targetAdding: [],
  })
}

/**
 * AlterPartitionReassignments (API 45): per partition, start, replace or (replicas null) cancel a
 * reassignment. Errors per partition, with Kafka's messages: UNKNOWN_TOPIC_OR_PARTITION ("Unable to
 * find a topic named t.", "Unable to find partition t:9."), INVALID_REPLICA_ASSIGNMENT (empty list,
 * unregistered broker, broker named twice, a revert needing an unclean election),
 * NO_REASSIGNMENT_IN_PROGRESS (cancel without one). Failed partitions change nothing.
 */
export function alterPartitionReassignments(image: MetadataImage, req: Pick<AlterPartitionReassignmentsRequest, 'topics'>, uncleanDefault: boolean):
  {records: MetadataRecord[], response: AlterPartitionReassignmentsResponse} {
  const records: MetadataRecord[] = []
  const responses: AlterPartitionReassignmentsResponseReassignableTopicResponse[] = []
  const changed = new Map<string, PartitionRegistration>()
  for (const t of req.topics) {
    const out: AlterPartitionReassignmentsResponseReassignableTopicResponse = {name: t.name, partitions: []}
    responses.push(out)
    for (const target of t.partitions) {
      try {
        const topic = image.topicsByName.get(t.name)
        if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${t.name}.`)
        const key = `${t.name}:${target.partitionIndex}`
        const p = changed.get(key) ?? topic.partitions.get(target.partitionIndex)
        if (!p) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${t.name}:${target.partitionIndex}.`)
        const change = target.replicas === null ? cancelReassignment(image, topic, p, uncleanDefault) : changeReassignment(image, topic, p, target.replicas)
        if (change) {
          records.push(changeRecord(change))
          changed.set(key, mergePartitionChange(p, change))
        }
        out.partitions.push({partitionIndex: target.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null})
      } catch (err) {
        out.partitions.push({partitionIndex: target.partitionIndex, errorCode: errorCodeFor(err), errorMessage: (err as Error).message})
      }
    }
  }
  return {records, response: {throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, responses}}
}

/**
 * ListPartitionReassignments (API 46): the ongoing reassignments of every topic (null) or of the
 * named partitions; unknown topics and partitions, and partitions not being reassigned, are left
 * out. Topics by name, partitions by id for "all".
 */
export function listPartitionReassignments(image: MetadataImage, topics: {name: string, partitionIndexes: number[]}[] | null): ListPartitionReassignmentsResponse {
  const out: ListPartitionReassignmentsResponseOngoingTopicReassignment[] = []
  const list = (topic: TopicImage, ids: Iterable<number>): void => {
    const entry: ListPartitionReassignmentsResponseOngoingTopicReassignment = {name: topic.name, partitions: []}
    for (const id of ids) {
      const p = topic.partitions.get(id)
      if (p && isReassigning(p)) entry.partitions.push({partitionIndex: id, replicas: [...p.replicas], addingReplicas: [...p.addingReplicas], removingReplicas: [...p.removingReplicas]})
    }
    if (entry.partitions.length > 0) out.push(entry)
  }
  if (topics === null) {
    for (const name of [...image.topicsByName.keys()].sort()) {
      const topic = image.topicsByName.get(name)!
      list(topic, [...topic.partitions.keys()].sort((a, b) => a - b))
    }
  } else {
    for (const t of topics) {
      const topic = image.topicsByName.get(t.name)
      if (topic) list(topic, t.partitionIndexes)
    }
  }
  return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: out}
}
