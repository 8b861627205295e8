/**
 * The metadata records that rebuild a MetadataImage from empty (Kafka `MetadataImage.write`),
 * used for snapshots: features first, then brokers, topics with partitions, configs, ACLs, producer ids.
 */
import type {MetadataImage} from './metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from './metadata-record.js'

export function imageToRecords(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = []
  for (const [name, featureLevel] of image.features) out.push({type: T.FEATURE_LEVEL, version: 0, data: {name, featureLevel}})
  for (const b of image.brokers.values()) {
    out.push({type: T.REGISTER_BROKER, version: 3, data: {
      brokerId: b.id, isMigratingZkBroker: false, incarnationId: b.incarnationId, brokerEpoch: b.epoch,
      endPoints: b.endpoints.map(e => ({...e})), features: [], rack: b.rack, fenced: b.fenced,
      inControlledShutdown: b.inControlledShutdown, logDirs: [],
    }})
  }
  for (const t of image.topicsById.values()) {
    out.push({type: T.TOPIC, version: 0, data: {name: t.name, topicId: t.topicId}})
    for (const p of t.partitions.values()) {
      out.push({type: T.PARTITION, version: 0, data: {
        partitionId: p.partitionId, topicId: t.topicId, replicas: [...p.replicas], isr: [...p.isr],
        removingReplicas: [...p.removingReplicas], addingReplicas: [...p.addingReplicas],
        leader: p.leader, leaderRecoveryState: 0, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch,
      }})
    }
  }
  for (const [key, values] of image.configs) {
    const i = key.indexOf(':')
    const resourceType = Number(key.slice(0, i))
    const resourceName = key.slice(i + 1)
    for (const [name, value] of values) out.push({type: T.CONFIG, version: 0, data: {resourceType, resourceName, name, value}})
  }
  for (const [id, acl] of image.acls) out.push({type: T.ACCESS_CONTROL_ENTRY, version: 0, data: {id, ...acl}})
  for (const [mechanism, users] of image.scram) {
    for (const [name, c] of users) {
      out.push({type: T.USER_SCRAM_CREDENTIAL, version: 0, data: {name, mechanism, salt: c.salt, storedKey: c.storedKey, serverKey: c.serverKey, iterations: c.iterations}})
    }
  }
  if (image.nextProducerId > 0) {
    out.push({type: T.PRODUCER_IDS, version: 0, data: {brokerId: -1, brokerEpoch: -1, nextProducerId: image.nextProducerId}})
  }
  return out
}
