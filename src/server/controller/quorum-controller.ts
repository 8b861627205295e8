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
import {ErrorCode, KafkaError, errorCodeFor} from '../../protocol/errors.js'
import {isValidUuidString, randomUuid, ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {TOPIC_CONFIG_DEFS, validateTopicConfig} from '../config/server-config.js'
import {validateDynamicBrokerConfig} from '../config/dynamic-broker-config.js'
import {ConfigResourceType, type MetadataImage} from '../metadata/metadata-image.js'
import type {MetadataCache} from '../metadata/metadata-cache.js'
import {MetadataRecordType as T, type MetadataRecord} from '../metadata/metadata-record.js'
import {NotLeaderError} from '../raft/kafka-raft-client.js'
import type {LeaderAndEpoch, MetadataRaft} from '../shared-server.js'
import type {Logger} from '../util/logger.js'
import type {AlterPartitionRequest, AlterPartitionResponse} from '../../protocol/generated/messages/alter-partition.js'
import type {AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse} from '../../protocol/generated/messages/alter-partition-reassignments.js'
import type {ElectLeadersRequest, ElectLeadersResponse} from '../../protocol/generated/messages/elect-leaders.js'
import type {ListPartitionReassignmentsResponse} from '../../protocol/generated/messages/list-partition-reassignments.js'
import {BrokerHeartbeatManager} from './broker-heartbeat-manager.js'
import {alterUserScramCredentials} from './scram-control.js'
import type {AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponseAlterUserScramCredentialsResult} from '../../protocol/generated/messages/alter-user-scram-credentials.js'
import {placeReplicas} from './replica-placer.js'
import {alterPartition, hasLeaderships, isActiveBroker, leaderAndIsrUpdates} from './replication-control.js'
import {electLeaders, MAX_ELECTIONS_PER_IMBALANCE, rebalanceLeaders} from './leader-election.js'
import {alterPartitionReassignments, listPartitionReassignments} from './partition-reassignment.js'
import {createAcls, deleteAcls, type AclDeleteResult, type AclResult} from './acl-control.js'
import type {StandardAcl} from '../security/authorizer/acl-binding.js'
import type {AclFilter} from '../security/authorizer/acl-filter.js'
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
  /** unclean.leader.election.enable (static broker config; topics and the dynamic broker default override it). */
  uncleanLeaderElectionEnable?: boolean
  /**
   * auto.leader.rebalance.enable: preferred-leader elections every `checkIntervalMs`
   * (leader.imbalance.check.interval.seconds) for brokers leading less than
   * 100 - `imbalancePerBrokerPercentage` (leader.imbalance.per.broker.percentage) % of their preferred partitions.
   */
  autoLeaderRebalance?: {checkIntervalMs: number, imbalancePerBrokerPercentage: number} | null
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
  /** The cluster id the broker's storage was formatted with (checked against ours). */
  clusterId?: string
  incarnationId: string
  listeners: {name: string, host: string, port: number, securityProtocol: number}[]
  rack: string | null
  /** The broker's supported range of metadata.version (absent: any). */
  metadataVersionRange?: {min: number, max: number}
  /** Directory ids of the broker's log directories. */
  logDirs?: string[]
}

/** A BrokerHeartbeat (Kafka `BrokerHeartbeatRequestData`). */
export interface BrokerHeartbeat {
  brokerId: number
  brokerEpoch: number
  /** The highest metadata offset the broker has replayed. */
  currentMetadataOffset: number
  wantFence: boolean
  wantShutDown: boolean
}

/** Where a broker stands with the controller (Kafka `BrokerControlState`). */
type BrokerControlState = 'FENCED' | 'UNFENCED' | 'CONTROLLED_SHUTDOWN' | 'SHUTDOWN_NOW'

/** The controller's answer to a heartbeat (Kafka `BrokerHeartbeatReply`). */
export interface BrokerHeartbeatReply {
  /** The broker has replayed the metadata log up to its own registration record. */
  isCaughtUp: boolean
  isFenced: boolean
  /** The broker may now complete its controlled shutdown. */
  shouldShutDown: boolean
}

function ok(): ResultError {
  return {errorCode: ErrorCode.NONE, errorMessage: null}
}

function fail(err: unknown): ResultError {
  return {errorCode: errorCodeFor(err), errorMessage: (err as Error).message}
}

/**
 * A fresh topic id (Kafka `ReplicationControlManager`: `Uuid.randomUuid()`, redrawn on collision):
 * a version-4 UUID, never reserved, never starting with '-'.
 */
function newTopicId(existing: MetadataImage): string {
  for (;;) {
    const id = randomUuid()
    if (!existing.topicsById.has(id)) return id
  }
}

/** Time source and periodic scheduling of the controller (real timers in the node, fakes in tests). */
export interface ControllerClock {
  now(): number
  /** Runs `fn` every `ms`; returns a canceller. */
  every(ms: number, fn: () => void): () => void
}

export const systemControllerClock: ControllerClock = {
  now: () => Date.now(),
  every(ms, fn) {
    const t = setInterval(fn, ms)
    t.unref()
    return () => clearInterval(t)
  },
}

export interface QuorumControllerOptions extends ControllerDefaults {
  clusterId: string
  /** `broker.session.timeout.ms`: a broker not heard from for this long is fenced. */
  brokerSessionTimeoutMs: number
  /** `metadata.max.idle.interval.ms`: a NoOpRecord after this long without appends (0 disables, KIP-835). */
  metadataMaxIdleIntervalMs: number
  /**
   * Incarnation id of the broker in this process (combined nodes). When this controller activates,
   * a registration of its own node id with another incarnation belongs to a previous run of this
   * process, which cannot be alive: its session is not started afresh, so the restarted broker can
   * register at once instead of waiting for `broker.session.timeout.ms`.
   */
  localBrokerIncarnationId?: string
  /** Feature levels to write when the log has no metadata.version yet (bootstrap.checkpoint), else 3.9-IV0. */
  bootstrapFeatures: () => Record<string, number> | null
  /** Other bootstrap records (bootstrap.checkpoint: UserScramCredentialRecords of `storage format --add-scram`). */
  bootstrapRecords?: () => MetadataRecord[]
  clock?: ControllerClock
  logger?: Logger
}

/**
 * Active while this node leads the metadata quorum: every operation runs in leader epoch `epoch`
 * and fails with NOT_CONTROLLER once that epoch is over.
 */
interface Activation {
  epoch: number
  /** Rejects operations still waiting for their records to commit when leadership is lost. */
  lost: Promise<never>
  lose: (err: Error) => void
  cancelTimers: (() => void)[]
}

export class QuorumController {
  private queue: Promise<unknown> = Promise.resolve()
  private lastAppendMs: number
  private active: Activation | null = null
  private readonly clock: ControllerClock
  private readonly heartbeats: BrokerHeartbeatManager
  private readonly log: Logger | undefined
  private closed = false
  /** A stale-broker fencing operation is queued. */
  private fencing = false
  /** An auto leader rebalance operation is queued. */
  private rebalancing = false

  constructor(
    private readonly raft: MetadataRaft,
    private readonly metadata: MetadataCache,
    private readonly defaults: QuorumControllerOptions,
  ) {
    this.clock = defaults.clock ?? systemControllerClock
    this.lastAppendMs = this.clock.now()
    this.heartbeats = new BrokerHeartbeatManager(defaults.brokerSessionTimeoutMs)
    this.log = defaults.logger
  }

  get nodeId(): number {
    return this.raft.nodeId
  }

  /** True while this node is the active controller (leader of the metadata quorum, activated). */
  get isActive(): boolean {
    return this.active !== null && this.raft.isLeader() && this.raft.leaderAndEpoch().epoch === this.active.epoch
  }

  private get image(): MetadataImage {
    return this.metadata.image
  }

  /**
   * Follows the quorum's leadership (Kafka `QuorumController.QuorumMetaLogListener.handleLeaderChange`):
   * when this node becomes leader of a new epoch it activates — starting every registered broker's
   * session afresh, writing the bootstrap records into an empty log, and starting its timers;
   * when another node leads, it deactivates and fails operations still in flight with NOT_CONTROLLER.
   * The Raft client calls this only once the replayed image holds every record committed before
   * the epoch began.
   */
  handleLeaderChange(leader: LeaderAndEpoch): void {
    const mine = leader.leaderId === this.nodeId
    if (this.active && (!mine || leader.epoch !== this.active.epoch)) this.deactivate()
    if (mine && !this.active && !this.closed) this.activate(leader.epoch)
  }

  private activate(epoch: number): void {
    let lose!: (err: Error) => void
    const lost = new Promise<never>((_, reject) => { lose = reject })
    lost.catch(() => undefined)
    const activation: Activation = {epoch, lost, lose, cancelTimers: []}
    this.active = activation
    this.log?.info(`Becoming the active controller at epoch ${epoch}, next write offset ${this.raft.logEndOffset()}.`)
    const local = this.defaults.localBrokerIncarnationId
    const alive = [...this.image.brokers.values()].filter(b => b.id !== this.nodeId || local === undefined || b.incarnationId === local)
    this.heartbeats.reset(alive.map(b => b.id), this.clock.now())
    this.lastAppendMs = this.clock.now()
    this.bootstrap(this.defaults.bootstrapFeatures()).catch((err: unknown) => {
      if (this.active === activation) this.log?.error('Failed to write the bootstrap metadata records', err)
    })
    const session = this.defaults.brokerSessionTimeoutMs
    // Kafka checks for stale brokers at a fraction of the session timeout.
    activation.cancelTimers.push(this.clock.every(Math.max(50, Math.floor(session / 8)), () => this.fenceStaleBrokers()))
    const rebalance = this.defaults.autoLeaderRebalance
    if (rebalance) activation.cancelTimers.push(this.clock.every(rebalance.checkIntervalMs, () => this.balancePartitionLeaders(rebalance.imbalancePerBrokerPercentage)))
    const idle = this.defaults.metadataMaxIdleIntervalMs
    if (idle > 0) {
      activation.cancelTimers.push(this.clock.every(idle, () => {
        if (this.clock.now() - this.lastAppendMs < idle) return
        this.run('noOp', () => ({records: [{type: T.NO_OP, version: 0, data: {}}], result: undefined})).catch(() => undefined)
      }))
    }
  }

  private deactivate(): void {
    const a = this.active
    if (!a) return
    this.active = null
    for (const cancel of a.cancelTimers) cancel()
    a.lose(new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is no longer the active controller.'))
    this.log?.info(`Renouncing leadership of epoch ${a.epoch}.`)
  }

  /**
   * Runs `op` after every queued operation, in the current leader epoch; `op` returns records to
   * append (atomically, one batch) and a result, computed from the committed image only. Resolves
   * once the records are committed and replayed.
   * @throws KafkaError NOT_CONTROLLER when this node is not the active controller, or stops being it
   *   before the records commit (they may still commit under the next leader).
   */
  private run<R>(name: string, op: (image: MetadataImage) => {records: MetadataRecord[], result: R, onAppended?: (lastOffset: number) => void}): Promise<R> {
    const next = this.queue.then(async () => {
      const a = this.active
      if (a === null || !this.isActive) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.')
      const {records, result, onAppended} = op(this.image)
      if (records.length > 0) {
        let lastOffset: number
        try {
          lastOffset = this.raft.scheduleAppend(a.epoch, records)
        } catch (err) {
          if (err instanceof NotLeaderError) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is not the active controller.')
          throw err
        }
        onAppended?.(lastOffset)
        this.lastAppendMs = this.clock.now()
        await Promise.race([this.metadata.waitForOffset(lastOffset), a.lost])
        if (this.active !== a) throw new KafkaError(ErrorCode.NOT_CONTROLLER, 'This node is no longer the active controller.')
      }
      return result
    })
    this.queue = next.catch(() => undefined)
    void name
    return next
  }

  /**
   * Writes the bootstrap records when the log has no metadata.version yet: the feature levels
   * from `bootstrap.checkpoint` if given, else metadata.version 3.9-IV0 (21).
   */
  private bootstrap(features: Record<string, number> | null): Promise<void> {
    return this.run('bootstrap', image => {
      if (image.metadataVersion > 0) return {records: [], result: undefined}
      const levels = {...(features ?? {})}
      if (!levels['metadata.version']) levels['metadata.version'] = DEFAULT_METADATA_VERSION
      const records: MetadataRecord[] = Object.entries(levels)
        .filter(([, level]) => level > 0)
        .map(([name, featureLevel]) => ({type: T.FEATURE_LEVEL, version: 0, data: {name, featureLevel}}))
      records.push(...(this.defaults.bootstrapRecords?.() ?? []))
      return {records, result: undefined}
    })
  }

  /** Resolves once the active controller's bootstrap records (metadata.version) are committed. */
  async waitForBootstrap(): Promise<void> {
    while (this.image.metadataVersion === 0) await this.metadata.waitForOffset(this.image.offset + 1)
  }

  /**
   * Registers (or re-registers) a broker, fenced; its epoch is the offset of its RegisterBrokerRecord
   * (Kafka `ClusterControlManager.registerBroker`).
   * @returns the broker epoch
   * @throws KafkaError INCONSISTENT_CLUSTER_ID, DUPLICATE_BROKER_REGISTRATION (another live broker
   *   has that id), UNSUPPORTED_VERSION (metadata.version out of the broker's range), NOT_CONTROLLER
   */
  registerBroker(req: BrokerRegistrationRequest): Promise<{brokerEpoch: number}> {
    return this.run('registerBroker', image => {
      if (req.clusterId !== undefined && req.clusterId !== this.defaults.clusterId) {
        throw new KafkaError(ErrorCode.INCONSISTENT_CLUSTER_ID, `Expected cluster ID ${this.defaults.clusterId}, but got cluster ID ${req.clusterId}`)
      }
      const now = this.clock.now()
      // Kafka ClusterControlManager.registerBroker: another incarnation may take over the id only
      // once the registered one is fenced or its session has expired.
      const existing = image.brokers.get(req.brokerId)
      if (existing && !existing.fenced && existing.incarnationId !== req.incarnationId && this.heartbeats.hasValidSession(req.brokerId, now)) {
        throw new KafkaError(ErrorCode.DUPLICATE_BROKER_REGISTRATION, 'Another broker is registered with that broker id.')
      }
      const mv = image.metadataVersion
      if (req.metadataVersionRange && mv > 0 && (mv < req.metadataVersionRange.min || mv > req.metadataVersionRange.max)) {
        throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `Unable to register because the broker does not support finalized version ${mv} of metadata.version. The broker wants a version between ${req.metadataVersionRange.min} and ${req.metadataVersionRange.max}, inclusive.`)
      }
      this.heartbeats.touch(req.brokerId, now)
      // kts guard (Kafka 3.9 does this only with ELR): a new incarnation cannot be trusted with what
      // the previous one led or had in sync (it may have lost an unflushed tail), so it leaves every
      // ISR and leadership before it registers; a sole ISR member stays and its partition goes offline
      // until the broker is unfenced again.
      const records: MetadataRecord[] = existing && existing.incarnationId !== req.incarnationId ? this.removeFromIsrs(image, req.brokerId) : []
      const brokerEpoch = this.raft.logEndOffset() + records.length
      records.push({type: T.REGISTER_BROKER, version: 3, data: {
        brokerId: req.brokerId, isMigratingZkBroker: false, incarnationId: req.incarnationId, brokerEpoch,
        endPoints: req.listeners, features: [], rack: req.rack, fenced: true, inControlledShutdown: false, logDirs: req.logDirs ?? [],
      }})
      return {records, result: {brokerEpoch}}
    })
  }

  /**
   * Processes a broker heartbeat (Kafka `ReplicationControlManager.processBrokerHeartbeat` and
   * `BrokerHeartbeatManager.calculateNextBrokerState`): touches the broker's session and moves it
   * between its states —
   * - fenced → unfenced once it has replayed the log up to its registration record; leaderless
   *   partitions it is in sync for get it as leader;
   * - unfenced → fenced when it asks to be fenced: it leaves every ISR, its leaderships move;
   * - unfenced → controlled shutdown when it asks to shut down while leading partitions: it leaves
   *   every ISR and its leaderships move to other in-sync replicas (a partition whose ISR is only
   *   this broker goes offline); it may shut down (`shouldShutDown`) once it leads nothing and every
   *   active broker has replayed those changes;
   * - a broker asking to shut down that leads nothing (or is fenced) shuts down at once, fenced.
   * @throws KafkaError STALE_BROKER_EPOCH (not registered, or another epoch), NOT_CONTROLLER
   */
  brokerHeartbeat(hb: BrokerHeartbeat): Promise<BrokerHeartbeatReply> {
    return this.run<BrokerHeartbeatReply>('brokerHeartbeat', image => {
      const b = image.brokers.get(hb.brokerId)
      if (!b) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `No broker registration found for broker ${hb.brokerId}`)
      if (b.epoch !== hb.brokerEpoch) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${b.epoch}, but got broker epoch ${hb.brokerEpoch}`)
      const isCaughtUp = hb.currentMetadataOffset >= b.epoch
      const current: BrokerControlState = b.fenced ? 'FENCED' : b.inControlledShutdown ? 'CONTROLLED_SHUTDOWN' : 'UNFENCED'
      let next: BrokerControlState = current
      if (current === 'FENCED') {
        if (hb.wantShutDown) next = 'SHUTDOWN_NOW'
        else if (!hb.wantFence && isCaughtUp) next = 'UNFENCED'
      } else if (current === 'UNFENCED') {
        if (hb.wantFence) next = hb.wantShutDown ? 'SHUTDOWN_NOW' : 'FENCED'
        else if (hb.wantShutDown) next = hasLeaderships(image, b.id) ? 'CONTROLLED_SHUTDOWN' : 'SHUTDOWN_NOW'
      } else if (!hasLeaderships(image, b.id)) {
        const active = [...image.brokers.values()].filter(x => x.id !== b.id && isActiveBroker(image, x.id)).map(x => x.id)
        if (this.heartbeats.controlledShutdownOffset(b.id) <= this.heartbeats.lowestActiveOffset(active)) next = 'SHUTDOWN_NOW'
      }
      const records: MetadataRecord[] = []
      let onAppended: ((lastOffset: number) => void) | undefined
      const change = (fenced: number, inControlledShutdown = 0): MetadataRecord =>
        ({type: T.BROKER_REGISTRATION_CHANGE, version: 1, data: {brokerId: b.id, brokerEpoch: b.epoch, fenced, inControlledShutdown}})
      if (next !== current) {
        if (next === 'UNFENCED') {
          this.log?.info(`The request from broker ${b.id} to unfence has been granted because it has caught up with the offset of its register broker record ${b.epoch}.`)
          records.push(change(-1), ...leaderAndIsrUpdates(image, {brokerToRemove: -1, brokerToAdd: b.id, partitions: 'noLeader', uncleanDefault: this.uncleanDefault}))
        } else if (next === 'CONTROLLED_SHUTDOWN') {
          this.log?.info(`Unfenced broker ${b.id} has requested and been granted a controlled shutdown.`)
          records.push(change(0, 1), ...this.removeFromIsrs(image, b.id))
          onAppended = lastOffset => this.heartbeats.maybeUpdateControlledShutdownOffset(b.id, lastOffset)
        } else if (!b.fenced) {
          // FENCED, or SHUTDOWN_NOW of an unfenced broker.
          this.log?.info(next === 'FENCED' ? `Unfenced broker ${b.id} has requested and been granted fencing` : `Broker ${b.id} has requested and been granted a shutdown.`)
          records.push(...this.removeFromIsrs(image, b.id), change(1))
        }
      }
      const fenced = next === 'FENCED' || next === 'SHUTDOWN_NOW'
      this.heartbeats.touch(b.id, this.clock.now(), hb.currentMetadataOffset, fenced)
      return {records, onAppended, result: {isCaughtUp, isFenced: fenced, shouldShutDown: next === 'SHUTDOWN_NOW'}}
    })
  }

  private get uncleanDefault(): boolean {
    return this.defaults.uncleanLeaderElectionEnable ?? false
  }

  /** PartitionChangeRecords taking `brokerId` out of every ISR and moving its leaderships (Kafka `handleBrokerFenced`). */
  private removeFromIsrs(image: MetadataImage, brokerId: number): MetadataRecord[] {
    return leaderAndIsrUpdates(image, {brokerToRemove: brokerId, brokerToAdd: -1, partitions: 'brokerInIsr', uncleanDefault: this.uncleanDefault})
  }

  /**
   * Fences unfenced brokers whose session expired, one per operation so that each sees the effect
   * of the previous one (Kafka `maybeFenceOneStaleBroker`): the broker leaves every ISR, its
   * leaderships move to other in-sync replicas, then a fencing record.
   */
  private fenceStaleBrokers(): void {
    if (!this.isActive || this.fencing) return
    if (this.heartbeats.expired(this.image.liveBrokers().map(b => b.id), this.clock.now()).length === 0) return
    this.fencing = true
    this.run('fenceStaleBroker', image => {
      const id = this.heartbeats.expired(image.liveBrokers().map(b => b.id), this.clock.now())[0]
      if (id === undefined) return {records: [], result: false}
      this.log?.info(`Fencing broker ${id} because its session has timed out.`)
      this.heartbeats.fence(id)
      const change: MetadataRecord = {type: T.BROKER_REGISTRATION_CHANGE, version: 1, data: {brokerId: id, brokerEpoch: image.brokers.get(id)!.epoch, fenced: 1, inControlledShutdown: 0}}
      return {records: [...this.removeFromIsrs(image, id), change], result: true}
    }).then(fenced => {
      this.fencing = false
      if (fenced) this.fenceStaleBrokers()
    }, () => {
      this.fencing = false
    })
  }

  /**
   * Unregisters a broker, fenced or not (UnregisterBroker, KIP-777; Kafka
   * `ReplicationControlManager.unregisterBroker` + `handleBrokerUnregistered`): for every partition
   * whose ISR holds it, a PartitionChangeRecord drops it from the ISR (never emptying the ISR) and
   * moves leadership to the first other in-sync active replica (-1 if none); then an
   * UnregisterBrokerRecord with its epoch. Kafka's ELR bookkeeping is not done (kts has no ELR).
   * @throws KafkaError BROKER_ID_NOT_REGISTERED when no broker `brokerId` is registered
   */
  unregisterBroker(brokerId: number): Promise<void> {
    return this.run('unregisterBroker', image => {
      const broker = image.brokers.get(brokerId)
      if (!broker) throw new KafkaError(ErrorCode.BROKER_ID_NOT_REGISTERED, `Broker ID ${brokerId} is not currently registered`)
      const records = this.removeFromIsrs(image, brokerId)
      records.push({type: T.UNREGISTER_BROKER, version: 0, data: {brokerId, brokerEpoch: broker.epoch}})
      this.heartbeats.remove(brokerId)
      return {records, result: undefined}
    })
  }

  /**
   * AlterUserScramCredentials (controller/scram-control.ts): appends the credential records atomically.
   * @returns one result per deletion, then per upsertion
   * @throws KafkaError NOT_CONTROLLER
   */
  alterUserScramCredentials(req: Pick<AlterUserScramCredentialsRequest, 'deletions' | 'upsertions'>): Promise<AlterUserScramCredentialsResponseAlterUserScramCredentialsResult[]> {
    return this.run('alterUserScramCredentials', image => {
      const {records, results} = alterUserScramCredentials(image, req)
      return {records, result: results}
    })
  }

  /**
   * AlterPartition from a partition leader: ISR expansions and shrinks as PartitionChangeRecords
   * (`replication-control.ts` `alterPartition` has the rules and per-partition error codes).
   * @param version the request's API version
   * @throws KafkaError STALE_BROKER_EPOCH (the sender's broker epoch is not its registered one), NOT_CONTROLLER
   */
  alterPartition(req: AlterPartitionRequest, version: number): Promise<AlterPartitionResponse> {
    return this.run('alterPartition', image => {
      const {records, response} = alterPartition(image, req, version, this.uncleanDefault)
      return {records, result: response}
    })
  }

  /**
   * ElectLeaders: preferred or unclean elections (`leader-election.ts` has the rules and the
   * per-partition error codes); an empty partition list is answered at once.
   * @throws KafkaError INVALID_REQUEST (unknown election type), NOT_CONTROLLER
   */
  electLeaders(req: Pick<ElectLeadersRequest, 'electionType' | 'topicPartitions'>): Promise<ElectLeadersResponse> {
    if (req.topicPartitions !== null && req.topicPartitions.length === 0) {
      return Promise.resolve({throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults: []})
    }
    return this.run('electLeaders', image => {
      const {records, response} = electLeaders(image, req)
      return {records, result: response}
    })
  }

  /** Preferred-leader elections for imbalanced brokers (auto.leader.rebalance.enable), a batch at a time. */
  private balancePartitionLeaders(percentage: number): void {
    if (!this.isActive || this.rebalancing) return
    this.rebalancing = true
    this.run('balancePartitionLeaders', image => {
      const records = rebalanceLeaders(image, percentage)
      if (records.length > 0) this.log?.info(`Electing the preferred leader of ${records.length} partition(s) to balance leadership.`)
      return {records, result: records.length >= MAX_ELECTIONS_PER_IMBALANCE}
    }).then(more => {
      this.rebalancing = false
      if (more) this.balancePartitionLeaders(percentage)
    }, () => {
      this.rebalancing = false
    })
  }

  /**
   * AlterPartitionReassignments: start, replace or cancel reassignments (`partition-reassignment.ts`).
   * @throws KafkaError NOT_CONTROLLER
   */
  alterPartitionReassignments(req: Pick<AlterPartitionReassignmentsRequest, 'topics'>): Promise<AlterPartitionReassignmentsResponse> {
    return this.run('alterPartitionReassignments', image => {
      const {records, response} = alterPartitionReassignments(image, req, this.uncleanDefault)
      return {records, result: response}
    })
  }

  /** ListPartitionReassignments of every topic (null) or the named partitions. @throws KafkaError NOT_CONTROLLER */
  listPartitionReassignments(topics: {name: string, partitionIndexes: number[]}[] | null): Promise<ListPartitionReassignmentsResponse> {
    return this.run('listPartitionReassignments', image => ({records: [], result: listPartitionReassignments(image, topics)}))
  }

  /** Stores ACLs (CreateAcls; acl-control.ts). @throws KafkaError NOT_CONTROLLER */
  createAcls(acls: StandardAcl[]): Promise<AclResult[]> {
    return this.run('createAcls', image => {
      const {records, results} = createAcls(image, acls)
      return {records, result: results}
    })
  }

  /** Removes the ACLs each filter matches (DeleteAcls; acl-control.ts). @throws KafkaError NOT_CONTROLLER */
  deleteAcls(filters: AclFilter[]): Promise<AclDeleteResult[]> {
    return this.run('deleteAcls', image => {
      const {records, results} = deleteAcls(image, filters)
      return {records, result: results}
    })
  }

  /** Hands out the next block of 1000 producer ids (AllocateProducerIds). @throws KafkaError STALE_BROKER_EPOCH, NOT_CONTROLLER */
  allocateProducerIds(brokerId: number, brokerEpoch: number): Promise<{firstProducerId: number, size: number}> {
    return this.run('allocateProducerIds', image => {
      const b = image.brokers.get(brokerId)
      if (!b || b.epoch !== brokerEpoch) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `Expected broker epoch ${b?.epoch ?? -1}, but got broker epoch ${brokerEpoch}`)
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
      validate = (n, v) => validateDynamicBrokerConfig(n, v)
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

  /** Deactivates (stopping the timers) and waits for queued operations. */
  async close(): Promise<void> {
    this.closed = true
    this.deactivate()
    await this.queue
  }
}
