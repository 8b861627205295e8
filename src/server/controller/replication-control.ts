/**
 * The controller's partition decisions as pure functions of the committed MetadataImage (Kafka
 * `ReplicationControlManager`): AlterPartition requests from partition leaders, and the leader
 * elections and ISR removals that follow a broker being fenced, shutting down, unregistering or
 * coming back. Each returns the metadata records to append; the QuorumController runs them on its
 * event queue and appends the records atomically.
 */
import {ErrorCode, KafkaError} from '../../protocol/errors.js'
import type {AlterPartitionRequest, AlterPartitionResponse, AlterPartitionResponseTopicData} from '../../protocol/generated/messages/alter-partition.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {ConfigResourceType, type MetadataImage, type PartitionRegistration, type TopicImage} from '../metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../metadata/metadata-record.js'
import {buildPartitionChange, mergePartitionChange, NO_LEADER, NO_LEADER_CHANGE, type PartitionChange} from './partition-change-builder.js'

const UNCLEAN_KEY = 'unclean.leader.election.enable'

/**
 * Whether broker `id` may lead a partition or join an ISR: registered, unfenced and not in
 * controlled shutdown (Kafka `ClusterControlManager.isActive`).
 */
export function isActiveBroker(image: MetadataImage, id: number): boolean {
  const b = image.brokers.get(id)
  return b !== undefined && !b.fenced && !b.inControlledShutdown
}

/**
 * `unclean.leader.election.enable` of a topic: its override, else the cluster-wide dynamic broker
 * default, else the static broker config `staticDefault`.
 */
export function uncleanElectionEnabled(image: MetadataImage, topic: string, staticDefault: boolean): boolean {
  const v = image.configsOf(ConfigResourceType.TOPIC, topic).get(UNCLEAN_KEY) ?? image.configsOf(ConfigResourceType.BROKER, '').get(UNCLEAN_KEY)
  return v === undefined ? staticDefault : v.trim().toLowerCase() === 'true'
}

/** The PartitionChangeRecord of a change (assignment fields only when they change). */
export function changeRecord(c: PartitionChange): MetadataRecord {
  const data: Record<string, unknown> = {topicId: c.topicId, partitionId: c.partitionId, isr: c.isr, leader: c.leader}
  if (c.replicas) data.replicas = c.replicas
  if (c.removingReplicas) data.removingReplicas = c.removingReplicas
  if (c.addingReplicas) data.addingReplicas = c.addingReplicas
  return {type: T.PARTITION_CHANGE, version: 0, data}
}

export interface LeaderAndIsrUpdateOptions {
  /** The broker leaving every ISR and leadership (-1: none). */
  brokerToRemove: number
  /** A broker to accept as leader although the image still shows it fenced (-1: none). */
  brokerToAdd: number
  /** Which partitions to look at: those with `brokerToRemove` in the ISR, or those without a leader. */
  partitions: 'brokerInIsr' | 'noLeader'
  /** Static `unclean.leader.election.enable`. */
  uncleanDefault: boolean
}

/**
 * PartitionChangeRecords that take `brokerToRemove` out of every ISR (never emptying one) and
 * elect new leaders where needed, or elect leaders for leaderless partitions now that
 * `brokerToAdd` is back (Kafka `generateLeaderAndIsrUpdates`).
 */
export function leaderAndIsrUpdates(image: MetadataImage, opts: LeaderAndIsrUpdateOptions): MetadataRecord[] {
  const {brokerToRemove, brokerToAdd} = opts
  const accept = (id: number): boolean => id !== brokerToRemove && (id === brokerToAdd || isActiveBroker(image, id))
  const records: MetadataRecord[] = []
  for (const topic of image.topicsById.values()) {
    let unclean: boolean | undefined
    for (const p of topic.partitions.values()) {
      if (opts.partitions === 'brokerInIsr' ? !p.isr.includes(brokerToRemove) : p.leader !== NO_LEADER) continue
      unclean ??= uncleanElectionEnabled(image, topic.name, opts.uncleanDefault)
      const targetIsr = brokerToRemove >= 0 ? p.isr.filter(id => id !== brokerToRemove) : p.isr
      const change = buildPartitionChange(topic.topicId, p, {targetIsr, isAcceptableLeader: accept, unclean})
      if (change) records.push(changeRecord(change))
    }
  }
  return records
}

/** Whether `brokerId` leads any partition. */
export function hasLeaderships(image: MetadataImage, brokerId: number): boolean {
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) if (p.leader === brokerId) return true
  }
  return false
}

/**
 * Checks the requesting broker's epoch (Kafka `ClusterControlManager.checkBrokerEpoch`).
 * @throws KafkaError STALE_BROKER_EPOCH
 */
export function checkBrokerEpoch(image: MetadataImage, brokerId: number, brokerEpoch: number): void {
  const b = image.brokers.get(brokerId)
  if (!b) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `No broker registration found for broker ${brokerId}`)
  if (b.epoch !== brokerEpoch) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${b.epoch}, but got broker epoch ${brokerEpoch}`)
}

/** One proposed ISR member (AlterPartition v3 BrokerState; brokerEpoch -1 skips the check). */
interface IsrMember { brokerId: number, brokerEpoch: number }

/**
 * Why an AlterPartition item cannot be applied (Kafka `validateAlterPartitionData`), NONE if it can.
 * A leader or partition epoch ahead of ours means this controller is behind: NOT_CONTROLLER.
 */
function validate(image: MetadataImage, brokerId: number, p: PartitionRegistration | undefined, version: number,
  item: {leaderEpoch: number, partitionEpoch: number, leaderRecoveryState: number}, newIsr: IsrMember[]): number {
  if (!p) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
  if (item.leaderEpoch > p.leaderEpoch || item.partitionEpoch > p.partitionEpoch) return ErrorCode.NOT_CONTROLLER
  if (item.leaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH
  if (brokerId !== p.leader) return ErrorCode.INVALID_REQUEST
  if (item.partitionEpoch < p.partitionEpoch) return ErrorCode.INVALID_UPDATE_VERSION
  const ids = newIsr.map(m => m.brokerId)
  if (new Set(ids).size !== ids.length || !ids.every(id => p.replicas.includes(id))) return ErrorCode.INVALID_REQUEST
  if (!ids.includes(p.leader)) return ErrorCode.INVALID_REQUEST
  if (item.leaderRecoveryState === 1) return ErrorCode.INVALID_REQUEST // kts never elects uncleanly into RECOVERING
  for (const m of newIsr) {
    const b = image.brokers.get(m.brokerId)
    const ineligible = !b || b.inControlledShutdown || b.fenced || (m.brokerEpoch !== -1 && b.epoch !== m.brokerEpoch)
    if (ineligible) return version > 1 ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.OPERATION_NOT_ATTEMPTED
  }
  return ErrorCode.NONE
}

/**
 * AlterPartition from a partition leader (Kafka `ReplicationControlManager.alterPartition`): per
 * partition, the epochs and the proposed ISR are validated (UNKNOWN_TOPIC_OR_PARTITION /
 * UNKNOWN_TOPIC_ID, FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION for a stale partition epoch,
 * INVALID_REQUEST, INELIGIBLE_REPLICA for fenced, shutting-down or re-registered brokers), then the
 * new ISR becomes a PartitionChangeRecord; the answer carries the resulting partition state.
 * @param version the request's API version (topic ids from v2, broker epochs per ISR member from v3)
 * @throws KafkaError STALE_BROKER_EPOCH (top-level) when the broker's epoch is not the registered one
 */
export function alterPartition(image: MetadataImage, req: AlterPartitionRequest, version: number, uncleanDefault: boolean):
  {records: MetadataRecord[], response: AlterPartitionResponse} {
  checkBrokerEpoch(image, req.brokerId, req.brokerEpoch)
  const records: MetadataRecord[] = []
  const topics: AlterPartitionResponseTopicData[] = []
  /** Registrations as changed by earlier items of this request. */
  const changed = new Map<string, PartitionRegistration>()
  for (const t of req.topics) {
    const out: AlterPartitionResponseTopicData = {topicName: t.topicName, topicId: t.topicId, partitions: []}
    topics.push(out)
    const topic: TopicImage | undefined = version > 1 ? (t.topicId !== ZERO_UUID ? image.topicsById.get(t.topicId) : undefined) : image.topicsByName.get(t.topicName)
    const none = {leaderId: NO_LEADER, leaderEpoch: -1, isr: [] as number[], leaderRecoveryState: 0, partitionEpoch: -1}
    if (!topic) {
      const errorCode = version > 1 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      for (const p of t.partitions) out.partitions.push({partitionIndex: p.partitionIndex, errorCode, ...none})
      continue
    }
    for (const item of t.partitions) {
      const key = `${topic.topicId}:${item.partitionIndex}`
      const current = changed.get(key) ?? topic.partitions.get(item.partitionIndex)
      const newIsr: IsrMember[] = version < 3 ? item.newIsr.map(brokerId => ({brokerId, brokerEpoch: -1})) : item.newIsrWithEpochs
      const errorCode = validate(image, req.brokerId, current, version, item, newIsr)
      if (errorCode !== ErrorCode.NONE || !current) {
        out.partitions.push({partitionIndex: item.partitionIndex, errorCode, ...none})
        continue
      }
      const change = buildPartitionChange(topic.topicId, current, {
        targetIsr: newIsr.map(m => m.brokerId),
        isAcceptableLeader: id => isActiveBroker(image, id),
        unclean: uncleanElectionEnabled(image, topic.name, uncleanDefault),
      })
      let next = current
      if (change) {
        records.push(changeRecord(change))
        next = mergePartitionChange(current, change)
        changed.set(key, next)
        if (change.leader !== NO_LEADER_CHANGE && change.leader !== req.brokerId) {
          // The change moved leadership away (cannot happen without reassignments, kept as Kafka has it).
          out.partitions.push({partitionIndex: item.partitionIndex, errorCode: version > 1 ? ErrorCode.NEW_LEADER_ELECTED : ErrorCode.FENCED_LEADER_EPOCH, ...none})
          continue
        }
      }
      out.partitions.push({
        partitionIndex: item.partitionIndex, errorCode: ErrorCode.NONE, leaderId: next.leader, leaderEpoch: next.leaderEpoch,
        isr: [...next.isr], leaderRecoveryState: 0, partitionEpoch: next.partitionEpoch,
      })
    }
  }
  return {records, response: {throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics}}
}
