/**
 * QuorumController: the active KRaft controller (Kafka `org.apache.kafka.controller.QuorumController`).
 * Operations run one at a time on a single event queue; each computes metadata records and a result
 * from the current image without changing any state, appends the records atomically (one batch)
 * through Raft, and resolves after they are committed and replayed into the MetadataCache. State
 * changes only happen in `MetadataDelta.replay()`.
 *
 * Per-resource failures are results (error code + Kafka's message), never thrown. Operations throw
 * KafkaError NOT_CONTROLLER when this node is not the active controller.
 */
import crypto from 'node:crypto'
import {ErrorCode, KafkaError, errorCodeFor} from '../../protocol/errors.js'
import {isValidUuidString, ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {TOPIC_CONFIG_DEFS, validateTopicConfig} from '../config/server-config.js'
import {isKnownBrokerKey} from '../config/broker-config-defs.js'
import {ConfigResourceType, type MetadataImage} from '../metadata/metadata-image.js'
import type {MetadataCache} from '../metadata/metadata-cache.js'
import {MetadataRecordType as T, type MetadataRecord} from '../metadata/metadata-record.js'
import type {KafkaRaftClient} from '../raft/kafka-raft-client.js'
import {placeReplicas} from './replica-placer.js'
import {topicNameProblem, unifyCollisionChars} from './topic-validation.js'

/** Producer ids are handed to brokers in blocks of this size (Kafka `ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`). */
export const PRODUCER_ID_BLOCK_SIZE = 1000
/** metadata.version 3.9-IV0, used when no bootstrap.checkpoint exists. */
export const DEFAULT_METADATA_VERSION = 21
/**
 * kts guard (not in Kafka 3.9): most partitions one topic may have, so a request cannot make the
 * controller build an unbounded batch. Exceeding it → INVALID_PARTITIONS.
 */
export const MAX_PARTITIONS_PER_TOPIC = 100_000

function checkPartitionLimit(count: number): void {
  if (count > MAX_PARTITIONS_PER_TOPIC) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Number of partitions ${count} exceeds the limit of ${MAX_PARTITIONS_PER_TOPIC} partitions per topic.`)
  }
}

export interface ControllerDefaults {
  /** num.partitions */
  numPartitions: number
  /** default.replication.factor */
  defaultReplicationFactor: number
  /** delete.topic.enable */
  deleteTopicEnable: boolean
}

export interface CreatableTopic {
  name: string
  /** -1: num.partitions (or the assignment count). */
  numPartitions: number
  /** -1: default.replication.factor (or the assignment size). */
  replicationFactor: number
  assignments?: {partitionIndex: number, brokerIds: number[]}[]
  configs?: {name: string, value: string | null}[]
}

export interface CreateTopicResult {
  name: string
  topicId: string
  errorCode: number
  errorMessage: string | null
  numPartitions: number
  replicationFactor: number
  /** Config overrides as stored (validated, normalized). */
  configs: {name: string, value: string}[]
}

export interface ResultError {
  errorCode: number
  errorMessage: string | null
}

export interface DeleteTopicResult extends ResultError {
  name: string | null
  topicId: string
}

export interface CreatePartitionsTopic {
  name: string
  count: number
  assignments?: {brokerIds: number[]}[] | null
}

/** IncrementalAlterConfigs operation (Kafka `AlterConfigOp.OpType`). */
export const AlterConfigOp = {SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3} as const

export interface AlterConfigsResource {
  resourceType: number
  resourceName: string
  configs: {name: string, configOperation?: number, value: string | null}[]
}

export interface AlterConfigsResult extends ResultError {
  resourceType: number
  resourceName: string
}

export interface BrokerRegistrationRequest {
  brokerId: number
  incarnationId: string
  listeners: {name: string, host: string, port: number, securityProtocol: number}[]
  rack: string | null
  /** Unfence in the same batch (combined mode: the broker reads the log in-process). */
  unfence?: boolean
}

function ok(): ResultError {
  return {errorCode: ErrorCode.NONE, errorMessage: null}
}

function fail(err: unknown): ResultError {
  return {errorCode: errorCodeFor(err), errorMessage: (err as Error).message}
}

/** A fresh random topic id that is not ZERO_UUID and does not start with '-'. */
function newTopicId(existing: MetadataImage): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url')
    if (id !== ZERO_UUID && !id.startsWith('-') && !existing.topicsById.has(id)) return id
  }
}

export class QuorumController {
  private queue: Promise<unknown> = Promise.resolve()
  private idleTimer: NodeJS.Timeout | null = null
  private lastAppendMs = Date.now()

  constructor(
    private readonly raft: KafkaRaftClient,
    private readonly metadata: MetadataCache,
    private readonly defaults: ControllerDefaults,
  ) {}

  get nodeId(): number {
    return this.raft.nodeId
  }

  /** The Raft client (DescribeQuorum reads its state). */
  get raftClient(): KafkaRaftClient {
    return this.raft
  }

  get isActive(): boolean {
    return this.raft.isLeader
  }

  private get image(): MetadataImage {
    return this.metadata.image
  }

  /** Runs `op` after every queued operation; `op` returns records to append and a result. */
  private run<R>(name: string, op: (image: MetadataImage) => {records: MetadataRecord[], result: R}): Promise<R> {
    const next = this.queue.then(async () => {
      if (!this.raft.isLeader) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.')
      const {records, result} = op(this.image)
      if (records.length > 0) {
        const {lastOffset} = this.raft.append(records)
        this.lastAppendMs = Date.now()
        await this.metadata.waitForOffset(lastOffset)
      }
      return result
    })
    this.queue = next.catch(() => undefined)
    void name
    return next
  }

  /**
   * Writes the bootstrap records when the log is empty (no metadata.version yet): the feature
   * levels from `bootstrap.checkpoint` if given, else metadata.version 3.9-IV0 (21).
   */
  bootstrap(features: Record<string, number> | null): Promise<void> {
    return this.run('bootstrap', image => {
      if (image.metadataVersion > 0) return {records: [], result: undefined}
      const levels = features ?? {'metadata.version': DEFAULT_METADATA_VERSION}
      if (!levels['metadata.version']) levels['metadata.version'] = DEFAULT_METADATA_VERSION
      const records: MetadataRecord[] = Object.entries(levels)
        .filter(([, level]) => level > 0)
        .map(([name, featureLevel]) => ({type: T.FEATURE_LEVEL, version: 0, data: {name, featureLevel}}))
      return {records, result: undefined}
    })
  }

  /**
   * Appends a NoOpRecord every `intervalMs` when no other record was appended meanwhile
   * (`metadata.max.idle.interval.ms`, KIP-835). 0 disables.
   */
  startIdleNoOps(intervalMs: number): void {
    if (intervalMs <= 0) return
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastAppendMs < intervalMs) return
      this.run('noOp', () => ({records: [{type: T.NO_OP, version: 0, data: {}}], result: undefined})).catch(() => undefined)
    }, intervalMs)
    this.idleTimer.unref()
  }

  /**
   * Registers (or re-registers) a broker; its epoch is the offset of its RegisterBrokerRecord.
   * @returns the broker epoch
   */
  registerBroker(req: BrokerRegistrationRequest): Promise<{brokerEpoch: number}> {
    return this.run('registerBroker', () => {
      const brokerEpoch = this.raft.logEndOffset
      const records: MetadataRecord[] = [{type: T.REGISTER_BROKER, version: 3, data: {
        brokerId: req.brokerId, isMigratingZkBroker: false, incarnationId: req.incarnationId, brokerEpoch,
        endPoints: req.listeners, features: [], rack: req.rack, fenced: true, inControlledShutdown: false, logDirs: [],
      }}]
      if (req.unfence) records.push({type: T.BROKER_REGISTRATION_CHANGE, version: 0, data: {brokerId: req.brokerId, brokerEpoch, fenced: -1}})
      return {records, result: {brokerEpoch}}
    })
  }

  /** Unfences a registered broker (it caught up with the metadata log). */
  unfenceBroker(brokerId: number, brokerEpoch: number): Promise<ResultError> {
    return this.run('unfenceBroker', image => {
      const b = image.brokers.get(brokerId)
      if (!b || b.epoch !== brokerEpoch) return {records: [], result: {errorCode: ErrorCode.STALE_BROKER_EPOCH, errorMessage: `Expected broker epoch ${b?.epoch ?? -1}, but got broker epoch ${brokerEpoch}`}}
      if (!b.fenced) return {records: [], result: ok()}
      return {records: [{type: T.BROKER_REGISTRATION_CHANGE, version: 0, data: {brokerId, brokerEpoch, fenced: -1}}], result: ok()}
    })
  }

  /**
   * Unregisters a broker, fenced or not (UnregisterBroker, KIP-777; Kafka
   * `ReplicationControlManager.unregisterBroker` + `handleBrokerUnregistered`): for every partition
   * whose ISR holds it, a PartitionChangeRecord drops it from the ISR (never emptying the ISR) and
   * moves leadership to the first other in-sync unfenced replica (-1 if none); then an
   * UnregisterBrokerRecord with its epoch. Kafka's ELR bookkeeping is not done (kts has no ELR).
   * @throws KafkaError BROKER_ID_NOT_REGISTERED when no broker `brokerId` is registered
   */
  unregisterBroker(brokerId: number): Promise<void> {
    return this.run('unregisterBroker', image => {
      const broker = image.brokers.get(brokerId)
      if (!broker) throw new KafkaError(ErrorCode.BROKER_ID_NOT_REGISTERED, `Broker ID ${brokerId} is not currently registered`)
      const acceptableLeader = (id: number): boolean => id !== brokerId && image.brokers.get(id)?.fenced === false
      const records: MetadataRecord[] = []
      for (const topic of image.topicsById.values()) {
        for (const p of topic.partitions.values()) {
          if (!p.isr.includes(brokerId)) continue
          const shrunk = p.isr.filter(id => id !== brokerId)
          const isr = shrunk.length > 0 ? shrunk : p.isr
          const leader = isr.includes(p.leader) && acceptableLeader(p.leader) ? p.leader : p.replicas.find(id => isr.includes(id) && acceptableLeader(id)) ?? -1
          if (isr === p.isr && leader === p.leader) continue
          records.push({type: T.PARTITION_CHANGE, version: 0, data: {
            topicId: topic.topicId, partitionId: p.partitionId, isr: isr === p.isr ? null : isr, leader: leader === p.leader ? -2 : leader,
          }})
        }
      }
      records.push({type: T.UNREGISTER_BROKER, version: 0, data: {brokerId, brokerEpoch: broker.epoch}})
      return {records, result: undefined}
    })
  }

  /** Hands out the next block of 1000 producer ids. */
  allocateProducerIds(brokerId: number, brokerEpoch: number): Promise<{firstProducerId: number, size: number}> {
    return this.run('allocateProducerIds', image => {
      const first = image.nextProducerId
      return {
        records: [{type: T.PRODUCER_IDS, version: 0, data: {brokerId, brokerEpoch, nextProducerId: first + PRODUCER_ID_BLOCK_SIZE}}],
        result: {firstProducerId: first, size: PRODUCER_ID_BLOCK_SIZE},
      }
    })
  }

  /** Creates topics (CreateTopics semantics, Kafka `ReplicationControlManager.createTopics`). */
  createTopics(topics: CreatableTopic[], validateOnly = false): Promise<CreateTopicResult[]> {
    return this.run('createTopics', image => {
      const records: MetadataRecord[] = []
      const results: CreateTopicResult[] = []
      const seen = new Map<string, number>()
      for (const t of topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1)
      const liveBrokers = image.liveBrokers().map(b => b.id)
      const collisions = new Map<string, string>()
      for (const name of image.topicsByName.keys()) collisions.set(unifyCollisionChars(name), name)
      for (const t of topics) {
        const base = {name: t.name, topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: [] as {name: string, value: string}[]}
        try {
          if (seen.get(t.name)! > 1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')
          const problem = topicNameProblem(t.name)
          if (problem) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, problem)
          if (image.topicsByName.has(t.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`)
          const colliding = collisions.get(unifyCollisionChars(t.name))
          if (colliding !== undefined) throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${colliding}`)
          const assignments = this.topicAssignments(t, liveBrokers, image)
          const configs: {name: string, value: string}[] = []
          for (const c of t.configs ?? []) {
            if (c.value === null) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${c.name}`)
            configs.push({name: c.name, value: this.checkTopicConfig(c.name, c.value)})
          }
          const topicId = newTopicId(image)
          collisions.set(unifyCollisionChars(t.name), t.name)
          results.push({...base, topicId, errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: assignments.length, replicationFactor: assignments[0].length, configs})
          if (validateOnly) continue
          records.push({type: T.TOPIC, version: 0, data: {name: t.name, topicId}})
          for (const c of configs) records.push({type: T.CONFIG, version: 0, data: {resourceType: ConfigResourceType.TOPIC, resourceName: t.name, name: c.name, value: c.value}})
          assignments.forEach((replicas, partitionId) => records.push(this.partitionRecord(topicId, partitionId, replicas, image)))
        } catch (err) {
          results.push({...base, ...fail(err)})
        }
      }
      return {records, result: results}
    })
  }

  /**
   * Creates topics with the broker defaults (num.partitions, default.replication.factor), for
   * Metadata auto-creation (BrokerServices.autoCreateTopics). An existing topic is not an error.
   */
  async autoCreateTopics(names: string[]): Promise<{name: string, errorCode: number}[]> {
    const results = await this.createTopics([...new Set(names)].map(name => ({name, numPartitions: -1, replicationFactor: -1})))
    return results.map(r => ({name: r.name, errorCode: r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : r.errorCode}))
  }

  private checkTopicConfig(name: string, value: string): string {
    try {
      return validateTopicConfig(name, value)
    } catch (err) {
      throw new KafkaError(ErrorCode.INVALID_CONFIG, (err as Error).message)
    }
  }

  private partitionRecord(topicId: string, partitionId: number, replicas: number[], image: MetadataImage): MetadataRecord {
    const isr = replicas.filter(id => image.brokers.get(id) && !image.brokers.get(id)!.fenced)
    return {type: T.PARTITION, version: 0, data: {
      partitionId, topicId, replicas, isr: isr.length > 0 ? isr : [replicas[0]], removingReplicas: [], addingReplicas: [],
      leader: isr.length > 0 ? isr[0] : -1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0,
    }}
  }

  private topicAssignments(t: CreatableTopic, liveBrokers: number[], image: MetadataImage): number[][] {
    if (t.assignments && t.assignments.length > 0) {
      if (t.numPartitions !== -1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.')
      if (t.replicationFactor !== -1) throw new KafkaError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replicationFactor was not set to -1.')
      checkPartitionLimit(t.assignments.length)
      const sorted = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex)
      sorted.forEach((a, i) => {
        if (a.partitionIndex !== i) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence')
      })
      return sorted.map((a, i) => this.checkManualReplicas(a.brokerIds, i === 0 ? a.brokerIds.length : sorted[0].brokerIds.length, image))
    }
    const numPartitions = t.numPartitions === -1 ? this.defaults.numPartitions : t.numPartitions
    const rf = t.replicationFactor === -1 ? this.defaults.defaultReplicationFactor : t.replicationFactor
    if (numPartitions <= 0) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
    if (rf <= 0) throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
    checkPartitionLimit(numPartitions)
    return placeReplicas(liveBrokers, 0, numPartitions, rf)
  }

  private checkManualReplicas(brokerIds: number[], expectedSize: number, image: MetadataImage): number[] {
    if (brokerIds.length === 0) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.')
    if (brokerIds.length !== expectedSize) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes a partition with ${brokerIds.length} replica(s), but this is not consistent with previous partitions, which have ${expectedSize} replica(s).`)
    }
    const seen = new Set<number>()
    for (const id of brokerIds) {
      if (seen.has(id)) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${id} more than once.`)
      seen.add(id)
      if (!image.brokers.has(id)) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${id}, but no such broker is registered.`)
    }
    return [...brokerIds]
  }

  /** Deletes topics by name or id (DeleteTopics semantics). */
  deleteTopics(req: {names?: string[], topicIds?: string[]}): Promise<DeleteTopicResult[]> {
    return this.run('deleteTopics', image => {
      const records: MetadataRecord[] = []
      const results: DeleteTopicResult[] = []
      const removed = new Set<string>()
      const remove = (name: string | null, topicId: string | null): void => {
        const t = name !== null ? image.topicsByName.get(name) : image.topicsById.get(topicId!)
        if (!this.defaults.deleteTopicEnable) {
          results.push({name, topicId: topicId ?? ZERO_UUID, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.'})
        } else if (!t) {
          if (name !== null) results.push({name, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.'})
          else results.push({name: null, topicId: topicId!, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.'})
        } else {
          results.push({name: t.name, topicId: t.topicId, ...ok()})
          if (!removed.has(t.topicId)) {
            removed.add(t.topicId)
            records.push({type: T.REMOVE_TOPIC, version: 0, data: {topicId: t.topicId}})
          }
        }
      }
      for (const n of req.names ?? []) remove(n, null)
      for (const id of req.topicIds ?? []) {
        if (!isValidUuidString(id) || id === ZERO_UUID) {
          results.push({name: null, topicId: id, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.'})
        } else remove(null, id)
      }
      return {records, result: results}
    })
  }

  /** Adds partitions to topics (CreatePartitions semantics). */
  createPartitions(topics: CreatePartitionsTopic[], validateOnly = false): Promise<(ResultError & {name: string})[]> {
    return this.run('createPartitions', image => {
      const records: MetadataRecord[] = []
      const results: (ResultError & {name: string})[] = []
      const live = image.liveBrokers().map(b => b.id)
      for (const t of topics) {
        try {
          const topic = image.topicsByName.get(t.name)
          if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
          const current = topic.partitions.size
          if (t.count === current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`)
          if (t.count < current) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `The topic ${t.name} currently has ${current} partition(s); ${t.count} would not be an increase.`)
          checkPartitionLimit(t.count)
          const add = t.count - current
          const rf = topic.partitions.get(0)?.replicas.length ?? 1
          let assignments: number[][]
          if (t.assignments) {
            if (t.assignments.length !== add) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${add} additional partition(s), but only ${t.assignments.length} assignment(s) were specified.`)
            assignments = t.assignments.map(a => this.checkManualReplicas(a.brokerIds, rf, image))
          } else {
            assignments = placeReplicas(live, current, add, rf)
          }
          results.push({name: t.name, ...ok()})
          if (!validateOnly) assignments.forEach((replicas, i) => records.push(this.partitionRecord(topic.topicId, current + i, replicas, image)))
        } catch (err) {
          results.push({name: t.name, ...fail(err)})
        }
      }
      return {records, result: results}
    })
  }

  /** IncrementalAlterConfigs: SET / DELETE / APPEND / SUBTRACT per config, topics and brokers. */
  incrementalAlterConfigs(resources: AlterConfigsResource[], validateOnly = false): Promise<AlterConfigsResult[]> {
    return this.alterConfigs(resources, validateOnly, false)
  }

  /** Legacy AlterConfigs: the given configs replace all dynamic configs of the resource. */
  legacyAlterConfigs(resources: AlterConfigsResource[], validateOnly = false): Promise<AlterConfigsResult[]> {
    return this.alterConfigs(resources, validateOnly, true)
  }

  private alterConfigs(resources: AlterConfigsResource[], validateOnly: boolean, legacy: boolean): Promise<AlterConfigsResult[]> {
    return this.run(legacy ? 'legacyAlterConfigs' : 'incrementalAlterConfigs', image => {
      const records: MetadataRecord[] = []
      const results: AlterConfigsResult[] = []
      for (const res of resources) {
        try {
          const recs = this.configRecords(res, image, legacy)
          results.push({resourceType: res.resourceType, resourceName: res.resourceName, ...ok()})
          if (!validateOnly) records.push(...recs)
        } catch (err) {
          results.push({resourceType: res.resourceType, resourceName: res.resourceName, ...fail(err)})
        }
      }
      return {records, result: results}
    })
  }

  private configRecords(res: AlterConfigsResource, image: MetadataImage, legacy: boolean): MetadataRecord[] {
    const {resourceType, resourceName} = res
    let validate: (name: string, value: string) => string
    if (resourceType === ConfigResourceType.TOPIC) {
      if (!image.topicsByName.has(resourceName)) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.')
      validate = (n, v) => this.checkTopicConfig(n, v)
    } else if (resourceType === ConfigResourceType.BROKER) {
      if (resourceName !== '' && !/^\d+$/.test(resourceName)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Invalid broker name ${resourceName}`)
      validate = (n, v) => {
        if (!isKnownBrokerKey(n)) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown broker config name: ${n}`)
        return v
      }
    } else {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}`)
    }
    const current = image.configsOf(resourceType, resourceName)
    const next = new Map(legacy ? [] : current)
    const seen = new Set<string>()
    for (const c of res.configs) {
      if (seen.has(c.name)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Error due to duplicate config keys`)
      seen.add(c.name)
      const op = legacy ? AlterConfigOp.SET : c.configOperation ?? AlterConfigOp.SET
      switch (op) {
        case AlterConfigOp.SET:
          if (c.value === null) throw new KafkaError(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`)
          next.set(c.name, validate(c.name, c.value))
          break
        case AlterConfigOp.DELETE:
          if (resourceType === ConfigResourceType.TOPIC && !TOPIC_CONFIG_DEFS.has(c.name)) throw new KafkaError(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`)
          next.delete(c.name)
          break
        case AlterConfigOp.APPEND:
        case AlterConfigOp.SUBTRACT: {
          const items = (next.get(c.name) ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
          const delta = (c.value ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
          const merged = op === AlterConfigOp.APPEND ? [...items, ...delta.filter(d => !items.includes(d))] : items.filter(i => !delta.includes(i))
          if (merged.length === 0) next.delete(c.name)
          else next.set(c.name, validate(c.name, merged.join(',')))
          break
        }
        default:
          throw new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown alter config operation ${op}`)
      }
    }
    const records: MetadataRecord[] = []
    for (const [name, value] of next) {
      if (current.get(name) !== value) records.push({type: T.CONFIG, version: 0, data: {resourceType, resourceName, name, value}})
    }
    for (const name of current.keys()) {
      if (!next.has(name)) records.push({type: T.CONFIG, version: 0, data: {resourceType, resourceName, name, value: null}})
    }
    return records
  }

  /** Stops the idle NoOp timer and waits for queued operations. */
  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer)
    this.idleTimer = null
    await this.queue
  }
}
