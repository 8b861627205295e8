/**
 * MetadataDelta: the changes made by replaying metadata records on top of a base image
 * (Kafka `org.apache.kafka.image.MetadataDelta`). `replay()` is the only place metadata state
 * changes; `apply()` builds the next immutable MetadataImage, sharing untouched maps.
 */
import type {ScramCredential} from '../../protocol/security/scram.js'
import {ConfigResourceType, configKey, MetadataImage, type BrokerRegistration, type PartitionRegistration, type TopicImage} from './metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from './metadata-record.js'
import type {StandardAcl} from '../security/authorizer/acl-binding.js'

/** BrokerRegistrationChangeRecord.fenced / inControlledShutdown: -1 false, 0 no change, 1 true. */
function triState(v: number, current: boolean): boolean {
  return v === 1 ? true : v === -1 ? false : current
}

export class MetadataDelta {
  private features?: Map<string, number>
  private brokers?: Map<number, BrokerRegistration>
  private topicsById?: Map<string, TopicImage>
  private configs?: Map<string, Map<string, string>>
  private nextProducerId: number
  private acls?: Map<string, StandardAcl>
  private scram?: Map<number, Map<string, ScramCredential>>
  /** Whether SCRAM credentials changed. */
  scramChanged = false
  private offset: number
  private epoch: number
  /** Topic ids created or changed by this delta. */
  readonly changedTopics = new Set<string>()
  /** Topic id -> name of topics deleted by this delta. */
  readonly deletedTopics = new Map<string, string>()
  /** Broker ids registered or changed by this delta. */
  readonly changedBrokers = new Set<number>()
  /** Whether finalized features changed. */
  featuresChanged = false
  /** Whether ACLs were added or removed. */
  aclsChanged = false

  constructor(readonly image: MetadataImage) {
    this.nextProducerId = image.nextProducerId
    this.offset = image.offset
    this.epoch = image.epoch
  }

  private feats(): Map<string, number> {
    return this.features ??= new Map(this.image.features)
  }

  private brokerMap(): Map<number, BrokerRegistration> {
    return this.brokers ??= new Map(this.image.brokers)
  }

  private topics(): Map<string, TopicImage> {
    return this.topicsById ??= new Map(this.image.topicsById)
  }

  private configMap(key: string): Map<string, string> {
    this.configs ??= new Map()
    let m = this.configs.get(key)
    if (!m) {
      m = new Map(this.image.configs.get(key) ?? [])
      this.configs.set(key, m)
    }
    return m
  }

  private aclMap(): Map<string, StandardAcl> {
    this.aclsChanged = true
    return this.acls ??= new Map(this.image.acls)
  }

  private scramMap(mechanism: number): Map<string, ScramCredential> {
    this.scram ??= new Map([...this.image.scram].map(([k, v]) => [k, v as Map<string, ScramCredential>]))
    let m = this.scram.get(mechanism)
    if (!m || m === this.image.scram.get(mechanism)) {
      m = new Map(this.image.scram.get(mechanism) ?? [])
      this.scram.set(mechanism, m)
    }
    return m
  }

  /** Records that the records replayed so far end at `offset` in a batch of leader `epoch`. */
  setOffset(offset: number, epoch: number): void {
    this.offset = offset
    this.epoch = epoch
  }

  /**
   * Applies one record. Records of types this image does not track (quotas, SCRAM,
   * delegation tokens, ZK migration) are ignored. Records naming unknown topics/brokers are
   * ignored too (they cannot occur in a log this controller wrote).
   * @param offset the record's log offset (the broker epoch of a RegisterBrokerRecord)
   */
  replay(rec: MetadataRecord, offset = this.offset, epoch = this.epoch): void {
    this.offset = offset
    this.epoch = epoch
    const d = rec.data
    switch (rec.type) {
      case T.FEATURE_LEVEL:
        if (d.featureLevel === 0) this.feats().delete(d.name)
        else this.feats().set(d.name, d.featureLevel)
        this.featuresChanged = true
        break
      case T.REGISTER_BROKER:
        this.brokerMap().set(d.brokerId, {
          id: d.brokerId,
          epoch: d.brokerEpoch,
          incarnationId: d.incarnationId,
          endpoints: d.endPoints.map((e: any) => ({name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol})),
          rack: d.rack ?? null,
          fenced: d.fenced,
          inControlledShutdown: d.inControlledShutdown ?? false,
        })
        this.changedBrokers.add(d.brokerId)
        break
      case T.UNREGISTER_BROKER:
        this.brokerMap().delete(d.brokerId)
        this.changedBrokers.add(d.brokerId)
        break
      case T.FENCE_BROKER:
      case T.UNFENCE_BROKER:
      case T.BROKER_REGISTRATION_CHANGE: {
        const b = this.brokerMap().get(d.id ?? d.brokerId)
        if (!b) break
        const fenced = rec.type === T.FENCE_BROKER ? true : rec.type === T.UNFENCE_BROKER ? false : triState(d.fenced, b.fenced)
        const inControlledShutdown = rec.type === T.BROKER_REGISTRATION_CHANGE ? triState(d.inControlledShutdown ?? 0, b.inControlledShutdown) : b.inControlledShutdown
        this.brokerMap().set(b.id, {...b, fenced, inControlledShutdown})
        this.changedBrokers.add(b.id)
        break
      }
      case T.TOPIC:
        this.topics().set(d.topicId, {name: d.name, topicId: d.topicId, partitions: new Map()})
        this.changedTopics.add(d.topicId)
        break
      case T.PARTITION: {
        const t = this.topics().get(d.topicId)
        if (!t) break
        const partitions = new Map(t.partitions)
        partitions.set(d.partitionId, {
          partitionId: d.partitionId,
          replicas: d.replicas,
          isr: d.isr,
          removingReplicas: d.removingReplicas ?? [],
          addingReplicas: d.addingReplicas ?? [],
          leader: d.leader,
          leaderEpoch: d.leaderEpoch,
          partitionEpoch: d.partitionEpoch,
        })
        this.topics().set(t.topicId, {...t, partitions})
        this.changedTopics.add(t.topicId)
        break
      }
      case T.PARTITION_CHANGE: {
        const t = this.topics().get(d.topicId)
        const p = t?.partitions.get(d.partitionId)
        if (!t || !p) break
        // Kafka `PartitionRegistration.merge`: a record that sets the leader field (-2 = no change)
        // bumps the leader epoch, even to the same leader (the controller does that to fence the
        // current leader's view, e.g. when reassignment removes replicas); every change bumps the
        // partition epoch.
        const leaderSet = d.leader !== -2
        const next: PartitionRegistration = {
          ...p,
          isr: d.isr ?? p.isr,
          replicas: d.replicas ?? p.replicas,
          removingReplicas: d.removingReplicas ?? p.removingReplicas,
          addingReplicas: d.addingReplicas ?? p.addingReplicas,
          leader: leaderSet ? d.leader : p.leader,
          leaderEpoch: leaderSet ? p.leaderEpoch + 1 : p.leaderEpoch,
          partitionEpoch: p.partitionEpoch + 1,
        }
        const partitions = new Map(t.partitions)
        partitions.set(p.partitionId, next)
        this.topics().set(t.topicId, {...t, partitions})
        this.changedTopics.add(t.topicId)
        break
      }
      case T.REMOVE_TOPIC: {
        const t = this.topics().get(d.topicId)
        if (!t) break
        this.topics().delete(d.topicId)
        this.changedTopics.delete(d.topicId)
        this.deletedTopics.set(d.topicId, t.name)
        this.configs ??= new Map()
        this.configs.set(configKey(ConfigResourceType.TOPIC, t.name), new Map())
        break
      }
      case T.CONFIG: {
        const m = this.configMap(configKey(d.resourceType, d.resourceName))
        if (d.value === null || d.value === undefined) m.delete(d.name)
        else m.set(d.name, d.value)
        break
      }
      case T.ACCESS_CONTROL_ENTRY:
        this.aclMap().set(d.id, {resourceType: d.resourceType, resourceName: d.resourceName, patternType: d.patternType,
          principal: d.principal, host: d.host, operation: d.operation, permissionType: d.permissionType})
        break
      case T.REMOVE_ACCESS_CONTROL_ENTRY:
        this.aclMap().delete(d.id)
        break
      case T.PRODUCER_IDS:
        this.nextProducerId = d.nextProducerId
        break
      case T.USER_SCRAM_CREDENTIAL:
        this.scramMap(d.mechanism).set(d.name, {salt: d.salt, storedKey: d.storedKey, serverKey: d.serverKey, iterations: d.iterations})
        this.scramChanged = true
        break
      case T.REMOVE_USER_SCRAM_CREDENTIAL:
        this.scramMap(d.mechanism).delete(d.name)
        this.scramChanged = true
        break
      default:
        // NoOp, transactions markers and record types this image does not track.
        break
    }
  }

  /** The image after this delta. */
  apply(): MetadataImage {
    const base = this.image
    let topicsByName = base.topicsByName
    const topicsById = this.topicsById ?? base.topicsById
    if (this.topicsById) {
      const byName = new Map<string, TopicImage>()
      for (const t of topicsById.values()) byName.set(t.name, t)
      topicsByName = byName
    }
    let configs = base.configs
    if (this.configs) {
      const c = new Map(base.configs)
      for (const [k, v] of this.configs) {
        if (v.size === 0) c.delete(k)
        else c.set(k, v)
      }
      configs = c
    }
    return new MetadataImage(this.offset, this.epoch, base.clusterId, this.features ?? base.features,
      this.brokers ?? base.brokers, topicsById, topicsByName, configs, this.nextProducerId, this.acls ?? base.acls, this.scram ?? base.scram)
  }
}
