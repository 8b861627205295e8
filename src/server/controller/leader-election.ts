/**
 * Leader elections the controller runs on request or on its own (Kafka 3.9
 * `ReplicationControlManager.electLeaders` / `electLeader`, and the auto leader rebalance): pure
 * functions of the committed MetadataImage returning PartitionChangeRecords and the per-partition
 * results.
 *
 * - ElectLeaders (API 43): PREFERRED (0) moves leadership to the first replica when it is in the
 *   ISR and alive; UNCLEAN (1) elects a leader for a partition that has none, from the ISR if any
 *   member is alive, else the first live replica (the ISR restarts from it: records may be lost).
 *   Per partition: NONE, ELECTION_NOT_NEEDED (the preferred replica leads already / the partition
 *   has a leader), PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE,
 *   UNKNOWN_TOPIC_OR_PARTITION ("No such topic as t", "No such partition as t-9"). With no
 *   partitions named (null) every partition is tried and ELECTION_NOT_NEEDED ones are left out.
 * - Auto leader rebalance (`auto.leader.rebalance.enable`, every
 *   `leader.imbalance.check.interval.seconds`): per broker, the partitions whose first replica it
 *   is but that another broker (or nobody) leads; when their share exceeds
 *   `leader.imbalance.per.broker.percentage`, preferred elections for those whose preferred replica
 *   is alive and in the ISR (Kafka's `KafkaController.checkAndTriggerAutoLeaderRebalance`; Kafka
 *   3.9's KRaft controller ignores the percentage and rebalances every imbalanced partition).
 */
import {ErrorCode, KafkaError, errorMessage} from '../../protocol/errors.js'
import type {ElectLeadersRequest, ElectLeadersResponse, ElectLeadersResponseReplicaElectionResult} from '../../protocol/generated/messages/elect-leaders.js'
import type {MetadataImage, PartitionRegistration, TopicImage} from '../metadata/metadata-image.js'
import type {MetadataRecord} from '../metadata/metadata-record.js'
import {buildPartitionChange, mergePartitionChange, NO_LEADER, type Election} from './partition-change-builder.js'
import {changeRecord, isActiveBroker} from './replication-control.js'

/** ElectLeaders election types (Kafka `ElectionType`). */
export const ElectionType = {PREFERRED: 0, UNCLEAN: 1} as const

/** Most preferred-leader elections the auto rebalance puts in one batch (Kafka `maxElectionsPerImbalance`). */
export const MAX_ELECTIONS_PER_IMBALANCE = 1000

interface ElectionOutcome {
  errorCode: number
  errorMessage: string | null
  record?: MetadataRecord
  next?: PartitionRegistration
}

function failure(code: number, message = errorMessage(code)): ElectionOutcome {
  return {errorCode: code, errorMessage: message}
}

/** One partition's election (Kafka `ReplicationControlManager.electLeader`). */
function electLeader(image: MetadataImage, topic: TopicImage | undefined, topicName: string, partitionId: number, type: number,
  current: PartitionRegistration | undefined): ElectionOutcome {
  if (!topic) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topicName}`)
  const p = current ?? topic.partitions.get(partitionId)
  if (!p) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topicName}-${partitionId}`)
  if (type === ElectionType.PREFERRED ? p.leader === p.replicas[0] : p.leader !== NO_LEADER) return failure(ErrorCode.ELECTION_NOT_NEEDED)
  const election: Election = type === ElectionType.PREFERRED ? 'preferred' : 'unclean'
  const change = buildPartitionChange(topic.topicId, p, {isAcceptableLeader: id => isActiveBroker(image, id), election})
  if (!change) return failure(type === ElectionType.PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE)
  return {errorCode: ErrorCode.NONE, errorMessage: null, record: changeRecord(change), next: mergePartitionChange(p, change)}
}

/**
 * ElectLeaders (Kafka `ReplicationControlManager.electLeaders`): the records of the elections that
 * change something and the per-partition results, topics in request order (by name for "all").
 * @throws KafkaError INVALID_REQUEST for an unknown election type
 */
export function electLeaders(image: MetadataImage, req: Pick<ElectLeadersRequest, 'electionType' | 'topicPartitions'>):
  {records: MetadataRecord[], response: ElectLeadersResponse} {
  const type = req.electionType
  if (type !== ElectionType.PREFERRED && type !== ElectionType.UNCLEAN) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown election type ${type}`)
  const records: MetadataRecord[] = []
  const results: ElectLeadersResponseReplicaElectionResult[] = []
  /** Registrations as changed by earlier items of this request (a partition named twice). */
  const changed = new Map<string, PartitionRegistration>()
  const elect = (topicName: string, partitionId: number): ElectionOutcome => {
    const topic = image.topicsByName.get(topicName)
    const key = `${topicName}:${partitionId}`
    const outcome = electLeader(image, topic, topicName, partitionId, type, changed.get(key))
    if (outcome.record && outcome.next) {
      records.push(outcome.record)
      changed.set(key, outcome.next)
    }
    return outcome
  }
  if (req.topicPartitions === null) {
    for (const name of [...image.topicsByName.keys()].sort()) {
      const result: ElectLeadersResponseReplicaElectionResult = {topic: name, partitionResult: []}
      results.push(result)
      const ids = [...image.topicsByName.get(name)!.partitions.keys()].sort((a, b) => a - b)
      for (const partitionId of ids) {
        const o = elect(name, partitionId)
        if (o.errorCode !== ErrorCode.ELECTION_NOT_NEEDED) result.partitionResult.push({partitionId, errorCode: o.errorCode, errorMessage: o.errorMessage})
      }
    }
  } else {
    for (const t of req.topicPartitions) {
      results.push({topic: t.topic, partitionResult: t.partitions.map(partitionId => {
        const o = elect(t.topic, partitionId)
        return {partitionId, errorCode: o.errorCode, errorMessage: o.errorMessage}
      })})
    }
  }
  return {records, response: {throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: results}}
}

/** A broker's share of the partitions it prefers to lead but does not (Kafka's leader imbalance ratio). */
export interface BrokerImbalance {
  brokerId: number
  /** Partitions whose first replica is this broker. */
  preferred: number
  /** Of those, the ones another broker (or nobody) leads. */
  notLeading: number
  /** notLeading / preferred. */
  ratio: number
}

/** Per preferred broker, how many of its partitions it does not lead; sorted by broker id. */
export function leaderImbalance(image: MetadataImage): BrokerImbalance[] {
  const byBroker = new Map<number, {preferred: number, notLeading: number}>()
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      const preferred = p.replicas[0]
      if (preferred === undefined) continue
      const e = byBroker.get(preferred) ?? {preferred: 0, notLeading: 0}
      e.preferred++
      if (p.leader !== preferred) e.notLeading++
      byBroker.set(preferred, e)
    }
  }
  return [...byBroker.entries()].sort((a, b) => a[0] - b[0])
    .map(([brokerId, e]) => ({brokerId, ...e, ratio: e.notLeading / e.preferred}))
}

/**
 * The preferred-leader elections of one auto rebalance round: for every broker whose imbalance
 * ratio exceeds `percentage` / 100, its partitions whose preferred replica (itself) is alive and in
 * the ISR; at most `max` records.
 */
export function rebalanceLeaders(image: MetadataImage, percentage: number, max = MAX_ELECTIONS_PER_IMBALANCE): MetadataRecord[] {
  const imbalanced = new Set(leaderImbalance(image).filter(b => b.ratio > percentage / 100).map(b => b.brokerId))
  const records: MetadataRecord[] = []
  if (imbalanced.size === 0) return records
  const accept = (id: number): boolean => isActiveBroker(image, id)
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      const preferred = p.replicas[0]
      if (!imbalanced.has(preferred) || p.leader === preferred || !p.isr.includes(preferred) || !accept(preferred)) continue
      if (records.length >= max) return records
      const change = buildPartitionChange(topic.topicId, p, {isAcceptableLeader: accept, election: 'preferred'})
      if (change) records.push(changeRecord(change))
    }
  }
  return records
}
