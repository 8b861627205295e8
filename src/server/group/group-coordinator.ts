/**
 * Classic consumer-group coordinator (Kafka `GroupMetadataManager` classic paths,
 * `GroupCoordinatorService`; spec storage-and-kraft.md §7.1, §7.2; KIP-394, KIP-345, KIP-211).
 *
 * Single-threaded by construction: state changes happen only between awaits. JoinGroup and
 * SyncGroup answers are promises resolved when the rebalance reaches the right phase; timers come
 * from an injectable {@link CoordinatorClock}. State is persisted in `__consumer_offsets` through
 * {@link CoordinatorPartitionStorage} as OffsetCommit / GroupMetadata records and replayed by
 * {@link GroupCoordinator.onElection}.
 */
import {randomDashedUuid} from '../../protocol/primitives/uuid.js'
import {ErrorCode, KafkaError} from '../../protocol/errors.js'
import {decodeRecordBatches, encodeRecordBatch, type RecordInput} from '../../protocol/records/records.js'
import {systemClock, type CoordinatorClock} from './clock.js'
import {
  ClassicGroup, offsetKey, type ClassicGroupMember, type CommittedOffset, type JoinGroupResult, type SyncGroupResult,
} from './classic-group.js'
import {GROUP_METADATA_TOPIC_NAME, groupPartitionFor} from './group-partition.js'
import {
  decodeCoordinatorKey, decodeGroupMetadataValue, decodeOffsetCommitValue, encodeGroupMetadataKey,
  encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue, subscribedTopics,
} from './group-records.js'

export type {JoinGroupResult, SyncGroupResult} from './classic-group.js'

/** Where the coordinator's records live (implemented by the replica manager). */
export interface CoordinatorPartitionStorage {
  /** Appends one record batch (from encodeRecordBatch) to __consumer_offsets-<partition> as leader;
   *  resolves once it is replicated (the high watermark passed it, as acks=all); rejects with a
   *  KafkaError (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...). */
  append(partition: number, records: Buffer): Promise<void>
  /**
   * Reads raw batches from `fromOffset` up to the log end offset (for loading on election: all of a
   * new leader's log is or will be committed); empty records = end. `nextOffset` may be left at
   * `fromOffset`: the loader continues after the last batch it decoded.
   */
  read(partition: number, fromOffset: number, maxBytes: number): {records: Buffer, nextOffset: number, logEndOffset: number}
}

/** Broker configs the coordinator uses (Kafka names in the docs; ms unless noted). */
export interface GroupCoordinatorConfig {
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number
  /** group.max.size (members) */
  maxSize: number
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number
  /** offset.metadata.max.bytes (bytes) */
  offsetMetadataMaxBytes: number
  /** offsets.load.buffer.size (bytes) */
  loadBufferSize: number
}

/** Reads the coordinator configs from a parsed server config (`ServerConfig.get`). */
export function groupCoordinatorConfigFrom(cfg: {get(name: string): unknown}): GroupCoordinatorConfig {
  const num = (k: string, dflt: number): number => {
    try {
      const v = cfg.get(k)
      return typeof v === 'number' ? v : dflt
    } catch {
      return dflt
    }
  }
  return {
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions', 50),
    initialRebalanceDelayMs: num('group.initial.rebalance.delay.ms', 3000),
    minSessionTimeoutMs: num('group.min.session.timeout.ms', 6000),
    maxSessionTimeoutMs: num('group.max.session.timeout.ms', 1800000),
    maxSize: num('group.max.size', 2147483647),
    offsetsRetentionMs: num('offsets.retention.minutes', 10080) * 60_000,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms', 600000),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes', 4096),
    loadBufferSize: num('offsets.load.buffer.size', 5242880),
  }
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = groupCoordinatorConfigFrom({get: () => undefined})

export interface GroupClientInfo { clientId: string, clientHost: string }

/** JoinGroup request body (generated `JoinGroupRequest` field names). */
export interface JoinGroupInput {
  groupId: string
  sessionTimeoutMs: number
  /** -1 (v0) means: same as the session timeout. */
  rebalanceTimeoutMs: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string
  protocols: {name: string, metadata: Buffer}[]
  reason?: string | null
}

export interface SyncGroupInput {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string | null
  protocolName: string | null
  assignments: {memberId: string, assignment: Buffer}[]
}

export interface HeartbeatInput { groupId: string, generationId: number, memberId: string, groupInstanceId: string | null }

export interface LeaveMemberInput { memberId: string, groupInstanceId: string | null }
export interface LeaveGroupResult { errorCode: number, members: {memberId: string, groupInstanceId: string | null, errorCode: number}[] }

export interface OffsetCommitInput {
  groupId: string
  /** -1 for standalone (simple) commits. */
  generationIdOrMemberEpoch: number
  memberId: string
  groupInstanceId: string | null
  /** -1 = broker default (OffsetCommit v2-4 only). */
  retentionTimeMs: number
  topics: {name: string, partitions: {partitionIndex: number, committedOffset: number, committedLeaderEpoch: number, committedMetadata: string | null}[]}[]
}
export interface OffsetCommitResult { topics: {name: string, partitions: {partitionIndex: number, errorCode: number}[]}[] }

/** TxnOffsetCommit request body (generated `TxnOffsetCommitRequest` field names; v0-2 carry generation -1, member ''). */
export interface TxnOffsetCommitInput {
  groupId: string
  producerId: number
  producerEpoch: number
  generationId: number
  memberId: string
  groupInstanceId: string | null
  topics: {name: string, partitions: {partitionIndex: number, committedOffset: number, committedLeaderEpoch: number, committedMetadata: string | null}[]}[]
}

type PendingOffset = {topic: string, partition: number, value: CommittedOffset}

export interface OffsetFetchPartition {
  partitionIndex: number
  committedOffset: number
  committedLeaderEpoch: number
  metadata: string | null
  errorCode: number
}
export interface OffsetFetchResult { errorCode: number, topics: {name: string, partitions: OffsetFetchPartition[]}[] }

export interface DescribedGroup {
  errorCode: number
  groupId: string
  groupState: string
  protocolType: string
  protocolData: string
  members: {memberId: string, groupInstanceId: string | null, clientId: string, clientHost: string, memberMetadata: Buffer, memberAssignment: Buffer}[]
}

export interface ListedGroup { groupId: string, protocolType: string, groupState: string, groupType: string }

type PartitionLoadState = {status: 'loading' | 'active', epoch: number}

const EMPTY = Buffer.alloc(0)

export class GroupCoordinator {
  private readonly groups = new Map<string, ClassicGroup>()
  private readonly partitions = new Map<number, PartitionLoadState>()
  /** Offsets of open transactions (TxnOffsetCommit): producer id → group id → offset key → offset. */
  private readonly pendingTxnOffsets = new Map<number, Map<string, Map<string, PendingOffset>>>()
  private expiryTimer: unknown = null
  private closed = false

  /**
   * @param topicExists tells OffsetCommit whether a topic partition exists (else UNKNOWN_TOPIC_OR_PARTITION)
   */
  constructor(
    private readonly storage: CoordinatorPartitionStorage,
    readonly config: GroupCoordinatorConfig = DEFAULT_GROUP_COORDINATOR_CONFIG,
    private readonly clock: CoordinatorClock = systemClock,
    private readonly topicExists: (topic: string, partition: number) => boolean = () => true,
  ) {
    this.scheduleExpiry()
  }

  // ---------------------------------------------------------------------------------------------
  // partition ownership

  /** `__consumer_offsets` partition of a group. */
  partitionFor(groupId: string): number {
    return groupPartitionFor(groupId, this.config.offsetsTopicNumPartitions)
  }

  /** True when this coordinator leads (and has loaded) the group's partition. */
  isCoordinatorFor(groupId: string): boolean {
    return this.partitions.get(this.partitionFor(groupId))?.status === 'active'
  }

  /** NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for a group id. */
  private coordinatorError(groupId: string): number {
    const p = this.partitions.get(this.partitionFor(groupId))
    if (!p) return ErrorCode.NOT_COORDINATOR
    if (p.status === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
    return ErrorCode.NONE
  }

  /**
   * This broker became leader of `__consumer_offsets-<partition>`: replays its log into memory.
   * Until done, the partition's groups get COORDINATOR_LOAD_IN_PROGRESS.
   */
  async onElection(partition: number, leaderEpoch: number): Promise<void> {
    const current = this.partitions.get(partition)
    if (current && current.epoch >= leaderEpoch && current.status === 'active') return
    if (current) this.dropPartitionGroups(partition)
    const state: PartitionLoadState = {status: 'loading', epoch: leaderEpoch}
    this.partitions.set(partition, state)
    try {
      await this.loadPartition(partition, state)
    } catch (e) {
      // A load that cannot finish leaves the partition unowned (NOT_COORDINATOR) rather than loading forever.
      if (this.partitions.get(partition) === state) this.partitions.delete(partition)
      throw e
    }
  }

  private async loadPartition(partition: number, state: PartitionLoadState): Promise<void> {
    // The last record of each key wins (as compaction would keep it): keep the newest raw value per
    // key (copied out of the read buffer) and decode only those at the end, so replaying a partition
    // that saw many commits of few keys costs one map update per record.
    const latest = new Map<string, {key: Buffer, value: Buffer | null}>()
    // Records of open transactions (TxnOffsetCommit) by producer id, applied at their COMMIT marker.
    const txnRecords = new Map<number, {id: string, key: Buffer, value: Buffer | null}[]>()
    const put = (id: string, key: Buffer, value: Buffer | null): void => {
      const entry = latest.get(id)
      if (entry) entry.value = value
      else latest.set(id, {key, value})
    }
    let from = 0
    for (;;) {
      if (this.partitions.get(partition) !== state) return // resigned or re-elected meanwhile
      const chunk = this.storage.read(partition, from, this.config.loadBufferSize)
      if (chunk.records.length === 0) break
      let next = chunk.nextOffset
      for (const batch of decodeRecordBatches(chunk.records)) {
        next = Math.max(next, batch.lastOffset + 1)
        if (batch.isControl) {
          const key = batch.records[0]?.key
          const type = key && key.length >= 4 ? key.readInt16BE(2) : -1
          const pending = txnRecords.get(batch.producerId)
          if (batch.isTransactional && (type === 0 || type === 1) && pending) {
            txnRecords.delete(batch.producerId)
            if (type === 1) for (const r of pending) put(r.id, r.key, r.value)
          }
          continue
        }
        let txn: {id: string, key: Buffer, value: Buffer | null}[] | undefined
        if (batch.isTransactional) {
          txn = txnRecords.get(batch.producerId)
          if (!txn) txnRecords.set(batch.producerId, txn = [])
        }
        for (const rec of batch.records) {
          const key = rec.key
          if (!key || key.length < 2) continue
          const keyVersion = key.readInt16BE(0)
          if (keyVersion < 0 || keyVersion > 2) continue // KIP-848/KIP-932 records and unknown keys
          // OffsetCommitKey v0 and v1 share a layout: identify a key by its bytes after the version.
          const id = (keyVersion === 2 ? 'g' : 'o') + key.toString('latin1', 2)
          const value = rec.value === null ? null : Buffer.from(rec.value)
          if (txn) txn.push({id, key: Buffer.from(key), value})
          else put(id, Buffer.from(key), value)
        }
      }
      if (next <= from) {
        // Not one whole batch in `loadBufferSize` bytes: Kafka grows its buffer; we refuse rather than skip records.
        throw new Error(`Cannot load ${GROUP_METADATA_TOPIC_NAME}-${partition}: the batch at offset ${from} does not fit in offsets.load.buffer.size`)
      }
      from = next
      if (from >= chunk.logEndOffset) break
      await new Promise<void>(resolve => setImmediate(resolve))
    }
    const offsets = new Map<string, Map<string, {topic: string, partition: number, value: CommittedOffset}>>()
    const metadata = new Map<string, ReturnType<typeof decodeGroupMetadataValue> | null>()
    for (const {key, value} of latest.values()) {
      try {
        const k = decodeCoordinatorKey(key)
        if (k.type === 'offset') {
          if (value === null) continue
          let g = offsets.get(k.key.group)
          if (!g) offsets.set(k.key.group, g = new Map())
          g.set(offsetKey(k.key.topic, k.key.partition), {topic: k.key.topic, partition: k.key.partition, value: decodeOffsetCommitValue(value)})
        } else if (k.type === 'group') {
          metadata.set(k.group, value === null ? null : decodeGroupMetadataValue(value))
        }
      } catch {
        // An undecodable record is skipped (Kafka logs and ignores unknown/corrupt coordinator records).
      }
    }
    if (this.partitions.get(partition) !== state) return
    for (const [producerId, recs] of txnRecords) {
      for (const r of recs) {
        try {
          const k = decodeCoordinatorKey(r.key)
          if (k.type !== 'offset' || r.value === null) continue
          this.addPendingTxnOffset(producerId, k.key.group, {topic: k.key.topic, partition: k.key.partition, value: decodeOffsetCommitValue(r.value)})
        } catch {
          // skipped, as other undecodable records
        }
      }
    }
    const now = this.clock.now()
    for (const groupId of new Set([...offsets.keys(), ...metadata.keys()])) {
      const meta = metadata.get(groupId)
      const offs = offsets.get(groupId)
      if (!meta && (!offs || offs.size === 0)) continue
      const g = new ClassicGroup(groupId, partition, now)
      if (meta) {
        g.protocolType = meta.protocolType || null
        g.generationId = meta.generation
        g.protocolName = meta.protocol
        g.leaderId = meta.leader
        if (meta.currentStateTimestamp >= 0) g.currentStateTimestamp = meta.currentStateTimestamp
        for (const m of meta.members) {
          const member = this.newMember(m.memberId, m.groupInstanceId, {clientId: m.clientId, clientHost: m.clientHost},
            m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout, m.sessionTimeout, meta.protocolType,
            [{name: meta.protocol ?? '', metadata: m.subscription}])
          member.assignment = m.assignment
          member.isNew = false
          g.members.set(member.memberId, member)
          if (m.groupInstanceId) g.staticMembers.set(m.groupInstanceId, m.memberId)
        }
        g.state = g.members.size > 0 ? 'Stable' : 'Empty'
      }
      if (offs) for (const [k, v] of offs) g.offsets.set(k, v)
      this.groups.set(groupId, g)
      for (const m of g.members.values()) this.scheduleSessionTimeout(g, m)
    }
    state.status = 'active'
  }

  /** This broker no longer leads the partition: drops its groups; their requests get NOT_COORDINATOR. */
  onResignation(partition: number): void {
    this.partitions.delete(partition)
    this.dropPartitionGroups(partition)
  }

  private dropPartitionGroups(partition: number): void {
    for (const [pid, byGroup] of this.pendingTxnOffsets) {
      for (const groupId of [...byGroup.keys()]) if (this.partitionFor(groupId) === partition) byGroup.delete(groupId)
      if (byGroup.size === 0) this.pendingTxnOffsets.delete(pid)
    }
    for (const [id, g] of this.groups) {
      if (g.partition !== partition) continue
      this.clearGroupTimers(g)
      for (const m of g.members.values()) {
        this.completeJoin(m, this.joinError(m.memberId, ErrorCode.NOT_COORDINATOR))
        this.completeSync(m, this.syncError(ErrorCode.NOT_COORDINATOR))
      }
      g.state = 'Dead'
      this.groups.delete(id)
    }
  }

  /** Stops all timers and answers pending requests with NOT_COORDINATOR. */
  close(): void {
    this.closed = true
    if (this.expiryTimer) this.clock.clearTimeout(this.expiryTimer)
    for (const p of [...this.partitions.keys()]) this.onResignation(p)
  }

  // ---------------------------------------------------------------------------------------------
  // JoinGroup

  /**
   * JoinGroup (11) v0-9. Resolves when the join phase completes (or at once for errors,
   * MEMBER_ID_REQUIRED and static rejoins of a Stable group).
   */
  async joinGroup(req: JoinGroupInput, version: number, client: GroupClientInfo): Promise<JoinGroupResult> {
    const memberId = req.memberId ?? ''
    const err = this.coordinatorError(req.groupId)
    if (err) return this.joinError(memberId, err)
    if (!req.groupId) return this.joinError(memberId, ErrorCode.INVALID_GROUP_ID)
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return this.joinError(memberId, ErrorCode.INVALID_SESSION_TIMEOUT)
    }
    const rebalanceTimeoutMs = version >= 1 && req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs
    const instanceId = version >= 5 ? (req.groupInstanceId ?? null) : null
    let group = this.groups.get(req.groupId)
    if (!group) {
      if (memberId !== '') return this.joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID)
      group = new ClassicGroup(req.groupId, this.partitionFor(req.groupId), this.clock.now())
      this.groups.set(req.groupId, group)
    }
    if (group.state === 'Dead') return this.joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE)
    if (!group.supportsProtocols(req.protocolType, req.protocols)) {
      // Kafka allows a lone existing member to change its protocols; keep it simple and strict otherwise.
      const only = group.members.size === 1 && group.members.has(memberId)
      if (!only) return this.joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    }
    const input = {...req, rebalanceTimeoutMs}
    if (memberId === '') return this.joinUnknownMember(group, input, version, instanceId, client)
    return this.joinKnownMember(group, input, version, instanceId, client)
  }

  private joinUnknownMember(g: ClassicGroup, req: JoinGroupInput, version: number, instanceId: string | null, client: GroupClientInfo): Promise<JoinGroupResult> {
    if (instanceId !== null) {
      const oldId = g.staticMembers.get(instanceId)
      const newId = `${instanceId}-${randomDashedUuid()}`
      if (oldId !== undefined && g.members.has(oldId)) return this.replaceStaticMember(g, oldId, newId, req, version, client)
      if (g.members.size >= this.config.maxSize) return Promise.resolve(this.joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED))
      return this.addMemberAndRebalance(g, newId, instanceId, req, version, client)
    }
    const newId = `${client.clientId}-${randomDashedUuid()}`
    if (g.members.size + g.pendingMembers.size >= this.config.maxSize) {
      return Promise.resolve(this.joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED))
    }
    if (version >= 4) {
      // KIP-394: hand out the id; the member must join again with it within its session timeout.
      const timer = this.clock.setTimeout(() => {
        if (g.pendingMembers.delete(newId) && g.state === 'PreparingRebalance') this.maybeCompleteJoin(g)
      }, req.sessionTimeoutMs)
      g.pendingMembers.set(newId, timer)
      return Promise.resolve(this.joinError(newId, ErrorCode.MEMBER_ID_REQUIRED))
    }
    return this.addMemberAndRebalance(g, newId, null, req, version, client)
  }

  private async replaceStaticMember(g: ClassicGroup, oldId: string, newId: string, req: JoinGroupInput, version: number, client: GroupClientInfo): Promise<JoinGroupResult> {
    const old = g.members.get(oldId)!
    const protocolsChanged = !sameProtocols(old.protocols, req.protocols)
    // Fence the old member id (KIP-345).
    this.completeJoin(old, this.joinError(oldId, ErrorCode.FENCED_INSTANCE_ID))
    this.completeSync(old, this.syncError(ErrorCode.FENCED_INSTANCE_ID))
    this.clock.clearTimeout(old.sessionTimer)
    g.members.delete(oldId)
    if (g.pendingSync.delete(oldId)) g.pendingSync.add(newId)
    const member: ClassicGroupMember = {...old, memberId: newId, clientId: client.clientId, clientHost: client.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs, sessionTimeoutMs: req.sessionTimeoutMs, awaitingJoin: null, awaitingSync: null,
      sessionTimer: null, joinVersion: version}
    g.members.set(newId, member)
    g.staticMembers.set(member.groupInstanceId!, newId)
    if (g.leaderId === oldId) g.leaderId = newId
    this.scheduleSessionTimeout(g, member)
    if (g.state === 'Stable' && !protocolsChanged) {
      // No rebalance: persist the new member id and answer with the current generation.
      const generation = g.generationId
      try {
        await this.storeGroup(g)
      } catch (e) {
        // Revert the replacement.
        if (g.members.get(newId) === member) {
          g.members.delete(newId)
          if (g.pendingSync.delete(newId)) g.pendingSync.add(oldId)
          this.clock.clearTimeout(member.sessionTimer)
          const restored = {...member, memberId: oldId}
          g.members.set(oldId, restored)
          g.staticMembers.set(member.groupInstanceId!, oldId)
          if (g.leaderId === newId) g.leaderId = oldId
          this.scheduleSessionTimeout(g, restored)
        }
        return this.joinError('', mapStoreError(e))
      }
      const isLeader = g.leaderId === newId
      const skip = isLeader && version >= 9
      return {
        errorCode: ErrorCode.NONE, generationId: generation, protocolType: g.protocolType, protocolName: g.protocolName,
        leader: g.leaderId ?? '', skipAssignment: skip, memberId: newId,
        members: skip ? this.joinMembers(g) : [],
      }
    }
    return this.updateMemberAndRebalance(g, member, req, version)
  }

  private joinKnownMember(g: ClassicGroup, req: JoinGroupInput, version: number, instanceId: string | null, client: GroupClientInfo): Promise<JoinGroupResult> {
    const memberId = req.memberId
    if (g.pendingMembers.has(memberId)) {
      this.clock.clearTimeout(g.pendingMembers.get(memberId))
      g.pendingMembers.delete(memberId)
      return this.addMemberAndRebalance(g, memberId, instanceId, req, version, client)
    }
    const fenced = this.staticMemberError(g, memberId, instanceId)
    if (fenced) return Promise.resolve(this.joinError(memberId, fenced))
    const member = g.members.get(memberId)
    if (!member || g.state === 'Empty' || g.state === 'Dead') return Promise.resolve(this.joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
    member.clientId = client.clientId
    member.clientHost = client.clientHost
    switch (g.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(g, member, req, version)
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, req.protocols)) {
          // A retried join (e.g. lost response): answer with the current generation.
          this.scheduleSessionTimeout(g, member)
          return Promise.resolve(this.currentJoinResult(g, member))
        }
        return this.updateMemberAndRebalance(g, member, req, version)
      default: // Stable
        if (g.leaderId === memberId || !sameProtocols(member.protocols, req.protocols)) {
          return this.updateMemberAndRebalance(g, member, req, version)
        }
        this.scheduleSessionTimeout(g, member)
        return Promise.resolve(this.currentJoinResult(g, member))
    }
  }

  private currentJoinResult(g: ClassicGroup, member: ClassicGroupMember): JoinGroupResult {
    const isLeader = g.leaderId === member.memberId
    return {
      errorCode: ErrorCode.NONE, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName,
      leader: g.leaderId ?? '', skipAssignment: false, memberId: member.memberId,
      members: isLeader ? this.joinMembers(g) : [],
    }
  }

  private newMember(memberId: string, instanceId: string | null, client: GroupClientInfo, rebalanceTimeoutMs: number,
    sessionTimeoutMs: number, protocolType: string, protocols: {name: string, metadata: Buffer}[]): ClassicGroupMember {
    return {
      memberId, groupInstanceId: instanceId, clientId: client.clientId, clientHost: client.clientHost, rebalanceTimeoutMs,
      sessionTimeoutMs, protocolType, protocols: protocols.map(p => ({name: p.name, metadata: Buffer.from(p.metadata ?? EMPTY)})),
      assignment: EMPTY, awaitingJoin: null, awaitingSync: null, joinVersion: 0, sessionTimer: null, isNew: true,
    }
  }

  private addMemberAndRebalance(g: ClassicGroup, memberId: string, instanceId: string | null, req: JoinGroupInput,
    version: number, client: GroupClientInfo): Promise<JoinGroupResult> {
    const member = this.newMember(memberId, instanceId, client, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols)
    member.joinVersion = version
    if (g.members.size === 0) g.protocolType = req.protocolType
    g.members.set(memberId, member)
    if (instanceId !== null) g.staticMembers.set(instanceId, memberId)
    if (g.leaderId === null) g.leaderId = memberId
    g.newMemberAdded = true
    const p = new Promise<JoinGroupResult>(resolve => { member.awaitingJoin = resolve })
    this.scheduleSessionTimeout(g, member)
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g)
    else this.prepareRebalance(g)
    return p
  }

  private updateMemberAndRebalance(g: ClassicGroup, member: ClassicGroupMember, req: JoinGroupInput, version: number): Promise<JoinGroupResult> {
    member.protocols = req.protocols.map(p => ({name: p.name, metadata: Buffer.from(p.metadata ?? EMPTY)}))
    member.protocolType = req.protocolType
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs
    member.sessionTimeoutMs = req.sessionTimeoutMs
    member.joinVersion = version
    // A duplicate join replaces the pending one.
    this.completeJoin(member, this.joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
    const p = new Promise<JoinGroupResult>(resolve => { member.awaitingJoin = resolve })
    this.scheduleSessionTimeout(g, member)
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g)
    else this.prepareRebalance(g)
    return p
  }

  private prepareRebalance(g: ClassicGroup): void {
    // Members waiting for a SyncGroup answer must rejoin.
    for (const m of g.members.values()) this.completeSync(m, this.syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    this.clearPendingSync(g)
    if (g.joinTimer) this.clock.clearTimeout(g.joinTimer)
    const wasEmpty = g.state === 'Empty'
    g.transitionTo('PreparingRebalance', this.clock.now())
    if (wasEmpty) {
      const delay = this.config.initialRebalanceDelayMs
      g.newMemberAdded = false
      g.initialDelayRemainingMs = Math.max(g.rebalanceTimeoutMs() - delay, 0)
      this.initialDelayGroups.add(g)
      g.joinTimer = this.clock.setTimeout(() => this.onInitialDelayExpired(g), delay)
    } else {
      g.joinTimer = this.clock.setTimeout(() => { g.joinTimer = null; this.completeJoinPhase(g) }, g.rebalanceTimeoutMs())
      this.maybeCompleteJoin(g)
    }
  }

  /** Initial delayed join (Kafka `InitialDelayedJoin`): extends while new members keep arriving. */
  private onInitialDelayExpired(g: ClassicGroup): void {
    g.joinTimer = null
    if (g.state !== 'PreparingRebalance') return
    if (g.newMemberAdded && g.initialDelayRemainingMs > 0) {
      g.newMemberAdded = false
      const delay = Math.min(this.config.initialRebalanceDelayMs, g.initialDelayRemainingMs)
      g.initialDelayRemainingMs = Math.max(g.initialDelayRemainingMs - delay, 0)
      g.joinTimer = this.clock.setTimeout(() => this.onInitialDelayExpired(g), delay)
      return
    }
    this.completeJoinPhase(g)
  }

  /** Completes the join phase early when every member has rejoined (not during the initial delay). */
  private maybeCompleteJoin(g: ClassicGroup): void {
    if (g.state !== 'PreparingRebalance') return
    if (this.inInitialDelay(g)) return
    if (g.allMembersJoined()) {
      if (g.joinTimer) this.clock.clearTimeout(g.joinTimer)
      g.joinTimer = null
      this.completeJoinPhase(g)
    }
  }

  private readonly initialDelayGroups = new WeakSet<ClassicGroup>()
  private inInitialDelay(g: ClassicGroup): boolean {
    return this.initialDelayGroups.has(g)
  }

  private completeJoinPhase(g: ClassicGroup): void {
    if (g.state !== 'PreparingRebalance') return
    this.initialDelayGroups.delete(g)
    // Members that did not rejoin in time are removed.
    for (const m of [...g.members.values()]) {
      if (!m.awaitingJoin) this.removeMemberQuietly(g, m)
    }
    for (const [id, t] of g.pendingMembers) { this.clock.clearTimeout(t); g.pendingMembers.delete(id) }
    g.generationId++
    this.clearPendingSync(g)
    const now = this.clock.now()
    if (g.members.size === 0) {
      g.protocolName = null
      g.leaderId = null
      g.transitionTo('Empty', now)
      this.storeGroup(g).catch(() => { /* best effort; the group is Empty anyway */ })
      return
    }
    g.protocolName = g.selectProtocol()
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!
    g.transitionTo('CompletingRebalance', now)
    this.schedulePendingSync(g)
    for (const m of g.members.values()) {
      const isLeader = m.memberId === g.leaderId
      this.completeJoin(m, {
        errorCode: ErrorCode.NONE, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName,
        leader: g.leaderId, skipAssignment: false, memberId: m.memberId, members: isLeader ? this.joinMembers(g) : [],
      })
      m.isNew = false
      this.scheduleSessionTimeout(g, m)
    }
  }

  private joinMembers(g: ClassicGroup): JoinGroupResult['members'] {
    return [...g.members.values()].map(m => ({memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: g.metadataFor(m, g.protocolName)}))
  }

  // ---------------------------------------------------------------------------------------------
  // SyncGroup

  /** SyncGroup (14) v0-5. Resolves once the leader's assignment is stored (or on error). */
  async syncGroup(req: SyncGroupInput, version: number): Promise<SyncGroupResult> {
    const err = this.coordinatorError(req.groupId)
    if (err) return this.syncError(err)
    const g = this.groups.get(req.groupId)
    if (!g || g.state === 'Dead') return this.syncError(ErrorCode.UNKNOWN_MEMBER_ID)
    const instanceId = version >= 3 ? (req.groupInstanceId ?? null) : null
    const fenced = this.staticMemberError(g, req.memberId, instanceId)
    if (fenced) return this.syncError(fenced)
    const member = g.members.get(req.memberId)
    if (!member) return this.syncError(ErrorCode.UNKNOWN_MEMBER_ID)
    if (req.generationId !== g.generationId) return this.syncError(ErrorCode.ILLEGAL_GENERATION)
    if ((req.protocolType && req.protocolType !== g.protocolType) || (req.protocolName && req.protocolName !== g.protocolName)) {
      return this.syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    }
    switch (g.state) {
      case 'Empty': return this.syncError(ErrorCode.UNKNOWN_MEMBER_ID)
      case 'PreparingRebalance': return this.syncError(ErrorCode.REBALANCE_IN_PROGRESS)
      case 'Stable':
        this.removePendingSync(g, member.memberId)
        this.scheduleSessionTimeout(g, member)
        return {errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: member.assignment}
      default: break
    }
    // CompletingRebalance
    this.completeSync(member, this.syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    this.removePendingSync(g, member.memberId)
    const p = new Promise<SyncGroupResult>(resolve => { member.awaitingSync = resolve })
    this.scheduleSessionTimeout(g, member)
    if (member.memberId === g.leaderId) {
      const assignments = new Map<string, Buffer>()
      for (const a of req.assignments ?? []) assignments.set(a.memberId, Buffer.from(a.assignment ?? EMPTY))
      const generation = g.generationId
      const stored = new Map<string, Buffer>()
      for (const m of g.members.values()) stored.set(m.memberId, assignments.get(m.memberId) ?? EMPTY)
      this.storeGroup(g, stored).then(() => {
        if (g.state !== 'CompletingRebalance' || g.generationId !== generation) return
        for (const m of g.members.values()) m.assignment = stored.get(m.memberId) ?? EMPTY
        g.transitionTo('Stable', this.clock.now())
        for (const m of g.members.values()) {
          this.completeSync(m, {errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment})
        }
      }, (e: unknown) => {
        if (g.state !== 'CompletingRebalance' || g.generationId !== generation) return
        const code = mapStoreError(e)
        for (const m of g.members.values()) this.completeSync(m, this.syncError(code))
        this.prepareRebalance(g)
      })
    }
    return p
  }

  // ---------------------------------------------------------------------------------------------
  // Heartbeat, LeaveGroup

  /** Heartbeat (12) v0-4: returns the error code. */
  heartbeat(req: HeartbeatInput, version: number): number {
    const err = this.coordinatorError(req.groupId)
    if (err) return err
    const g = this.groups.get(req.groupId)
    if (!g || g.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID
    const instanceId = version >= 3 ? (req.groupInstanceId ?? null) : null
    const fenced = this.staticMemberError(g, req.memberId, instanceId)
    if (fenced) return fenced
    const member = g.members.get(req.memberId)
    if (g.state === 'Empty' || !member) return ErrorCode.UNKNOWN_MEMBER_ID
    if (req.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION
    this.scheduleSessionTimeout(g, member)
    if (g.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS
    return ErrorCode.NONE
  }

  /** LeaveGroup (13) v0-5; v0-2 pass one member (`[{memberId, groupInstanceId: null}]`). */
  leaveGroup(groupId: string, members: LeaveMemberInput[]): LeaveGroupResult {
    const err = this.coordinatorError(groupId)
    if (err) return {errorCode: err, members: []}
    const g = this.groups.get(groupId)
    if (!g || g.state === 'Dead') {
      return {errorCode: ErrorCode.NONE, members: members.map(m => ({...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID}))}
    }
    const out: LeaveGroupResult['members'] = []
    let changed = false
    for (const req of members) {
      const instanceId = req.groupInstanceId ?? null
      let code: number = ErrorCode.NONE
      let target: ClassicGroupMember | undefined
      if (instanceId !== null) {
        const id = g.staticMembers.get(instanceId)
        if (id === undefined || !g.members.has(id)) code = ErrorCode.UNKNOWN_MEMBER_ID
        else if (req.memberId && req.memberId !== id) code = ErrorCode.FENCED_INSTANCE_ID
        else target = g.members.get(id)
      } else if (g.pendingMembers.has(req.memberId)) {
        this.clock.clearTimeout(g.pendingMembers.get(req.memberId))
        g.pendingMembers.delete(req.memberId)
        changed = true
      } else {
        target = g.members.get(req.memberId)
        if (!target) code = ErrorCode.UNKNOWN_MEMBER_ID
      }
      if (target) {
        this.removeMember(g, target, ErrorCode.UNKNOWN_MEMBER_ID, false)
        changed = true
      }
      out.push({memberId: req.memberId, groupInstanceId: instanceId, errorCode: code})
    }
    if (changed) this.onMembershipChanged(g)
    return {errorCode: ErrorCode.NONE, members: out}
  }

  /** Removes a member; answers its pending requests with `code`. Optionally triggers the rebalance. */
  private removeMember(g: ClassicGroup, m: ClassicGroupMember, code: number, rebalance: boolean): void {
    this.completeJoin(m, this.joinError(m.memberId, code))
    this.completeSync(m, this.syncError(code))
    this.removeMemberQuietly(g, m)
    if (rebalance) this.onMembershipChanged(g)
  }

  private removeMemberQuietly(g: ClassicGroup, m: ClassicGroupMember): void {
    this.clock.clearTimeout(m.sessionTimer)
    g.members.delete(m.memberId)
    this.removePendingSync(g, m.memberId)
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId)
    if (g.leaderId === m.memberId) g.leaderId = g.members.keys().next().value ?? null
  }

  private onMembershipChanged(g: ClassicGroup): void {
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g)
    else if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g)
  }

  /**
   * Kafka's pending-sync expiry (`GroupMetadataManager.schedulePendingSync`): members that got their
   * JoinGroup answer but send no SyncGroup within the rebalance timeout are removed and the group
   * rebalances, so a leader that never assigns cannot hold the group in CompletingRebalance.
   */
  private schedulePendingSync(g: ClassicGroup): void {
    this.clearPendingSync(g)
    for (const id of g.members.keys()) g.pendingSync.add(id)
    const generation = g.generationId
    g.syncTimer = this.clock.setTimeout(() => {
      g.syncTimer = null
      if (g.generationId !== generation || (g.state !== 'CompletingRebalance' && g.state !== 'Stable')) return
      const late = [...g.pendingSync].map(id => g.members.get(id)).filter(m => m !== undefined)
      g.pendingSync.clear()
      if (late.length === 0) return
      for (const m of late) this.removeMember(g, m, ErrorCode.UNKNOWN_MEMBER_ID, false)
      this.prepareRebalance(g)
    }, g.rebalanceTimeoutMs())
  }

  private removePendingSync(g: ClassicGroup, memberId: string): void {
    g.pendingSync.delete(memberId)
    if (g.pendingSync.size === 0 && g.syncTimer) {
      this.clock.clearTimeout(g.syncTimer)
      g.syncTimer = null
    }
  }

  private clearPendingSync(g: ClassicGroup): void {
    g.pendingSync.clear()
    if (g.syncTimer) this.clock.clearTimeout(g.syncTimer)
    g.syncTimer = null
  }

  private scheduleSessionTimeout(g: ClassicGroup, m: ClassicGroupMember): void {
    if (m.sessionTimer) this.clock.clearTimeout(m.sessionTimer)
    m.sessionTimer = this.clock.setTimeout(() => {
      m.sessionTimer = null
      if (g.members.get(m.memberId) !== m) return
      // A member waiting for its JoinGroup answer is kept alive until the join phase ends.
      if (m.awaitingJoin) { this.scheduleSessionTimeout(g, m); return }
      this.removeMember(g, m, ErrorCode.UNKNOWN_MEMBER_ID, true)
    }, m.sessionTimeoutMs)
  }

  /** KIP-345 fencing: a known instance id must come with its current member id. */
  private staticMemberError(g: ClassicGroup, memberId: string, instanceId: string | null): number {
    if (instanceId === null) return ErrorCode.NONE
    const current = g.staticMembers.get(instanceId)
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    return ErrorCode.NONE
  }

  private completeJoin(m: ClassicGroupMember, r: JoinGroupResult): void {
    const f = m.awaitingJoin
    if (f) { m.awaitingJoin = null; f(r) }
  }

  private completeSync(m: ClassicGroupMember, r: SyncGroupResult): void {
    const f = m.awaitingSync
    if (f) { m.awaitingSync = null; f(r) }
  }

  private joinError(memberId: string, errorCode: number): JoinGroupResult {
    return {errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: []}
  }

  private syncError(errorCode: number): SyncGroupResult {
    return {errorCode, protocolType: null, protocolName: null, assignment: EMPTY}
  }

  private clearGroupTimers(g: ClassicGroup): void {
    if (g.joinTimer) this.clock.clearTimeout(g.joinTimer)
    g.joinTimer = null
    this.clearPendingSync(g)
    for (const m of g.members.values()) this.clock.clearTimeout(m.sessionTimer)
    for (const t of g.pendingMembers.values()) this.clock.clearTimeout(t)
  }

  // ---------------------------------------------------------------------------------------------
  // persistence

  private async append(partition: number, records: RecordInput[]): Promise<void> {
    const now = this.clock.now()
    const batch = encodeRecordBatch({records: records.map(r => ({...r, timestamp: now}))})
    await this.storage.append(partition, batch)
  }

  /** Writes the group's GroupMetadata record (assignments from `assignments`, else the members'). */
  private storeGroup(g: ClassicGroup, assignments?: Map<string, Buffer>): Promise<void> {
    const value = encodeGroupMetadataValue({
      protocolType: g.protocolType ?? '', generation: g.generationId, protocol: g.protocolName, leader: g.leaderId,
      currentStateTimestamp: g.currentStateTimestamp,
      members: [...g.members.values()].map(m => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs, sessionTimeout: m.sessionTimeoutMs,
        subscription: g.metadataFor(m, g.protocolName), assignment: assignments?.get(m.memberId) ?? m.assignment,
      })),
    })
    return this.append(g.partition, [{key: encodeGroupMetadataKey(g.groupId), value}])
  }

  // ---------------------------------------------------------------------------------------------
  // offsets

  /**
   * OffsetCommit (8) v0-9: validates the member, writes OffsetCommit records, answers per partition.
   * Generation -1 commits for an Empty or unknown group (simple consumers, admin); an unknown group
   * with a generation gets ILLEGAL_GENERATION (GROUP_ID_NOT_FOUND from v9); an unknown member
   * UNKNOWN_MEMBER_ID; a wrong generation ILLEGAL_GENERATION; an unknown topic partition
   * UNKNOWN_TOPIC_OR_PARTITION (that partition only).
   */
  async commitOffsets(req: OffsetCommitInput, version: number): Promise<OffsetCommitResult> {
    const all = (code: number): OffsetCommitResult => ({
      topics: req.topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: code}))})),
    })
    const err = this.coordinatorError(req.groupId)
    if (err) return all(err)
    if (!req.groupId) return all(ErrorCode.INVALID_GROUP_ID)
    const generation = version >= 1 ? req.generationIdOrMemberEpoch : -1
    const memberId = version >= 1 ? (req.memberId ?? '') : ''
    const instanceId = version >= 7 ? (req.groupInstanceId ?? null) : null
    // Kafka `OffsetMetadataManager.validateOffsetCommit` + `ClassicGroup.validateOffsetCommit`.
    let g = this.groups.get(req.groupId)
    if (!g || g.state === 'Dead') {
      // Generation -1: a simple (standalone) consumer or the admin client; the group is created.
      if (generation >= 0) return all(version >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION)
      g = new ClassicGroup(req.groupId, this.partitionFor(req.groupId), this.clock.now())
      this.groups.set(req.groupId, g)
    } else if (generation >= 0 || g.state !== 'Empty') {
      if (generation < 0 && memberId === '' && instanceId === null) return all(ErrorCode.UNKNOWN_MEMBER_ID)
      const fenced = this.staticMemberError(g, memberId, instanceId)
      if (fenced) return all(fenced)
      const member = g.members.get(memberId)
      if (!member) return all(ErrorCode.UNKNOWN_MEMBER_ID)
      if (generation !== g.generationId) return all(ErrorCode.ILLEGAL_GENERATION)
      if (g.state === 'CompletingRebalance') return all(ErrorCode.REBALANCE_IN_PROGRESS)
      this.scheduleSessionTimeout(g, member)
    }
    const now = this.clock.now()
    const retention = version >= 2 && version <= 4 ? req.retentionTimeMs : -1
    const records: RecordInput[] = []
    const pending: {topic: string, partition: number, value: CommittedOffset}[] = []
    const result: OffsetCommitResult = {topics: []}
    for (const t of req.topics) {
      const parts: {partitionIndex: number, errorCode: number}[] = []
      result.topics.push({name: t.name, partitions: parts})
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? ''
        let code: number = ErrorCode.NONE
        if (!this.topicExists(t.name, p.partitionIndex)) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        else if (Buffer.byteLength(metadata) > this.config.offsetMetadataMaxBytes) code = ErrorCode.OFFSET_METADATA_TOO_LARGE
        parts.push({partitionIndex: p.partitionIndex, errorCode: code})
        if (code) continue
        const value: CommittedOffset = {
          offset: p.committedOffset, leaderEpoch: version >= 6 ? (p.committedLeaderEpoch ?? -1) : -1, metadata,
          commitTimestamp: now, expireTimestamp: retention >= 0 ? now + retention : -1,
        }
        records.push({key: encodeOffsetCommitKey({group: req.groupId, topic: t.name, partition: p.partitionIndex}), value: encodeOffsetCommitValue(value)})
        pending.push({topic: t.name, partition: p.partitionIndex, value})
      }
    }
    if (records.length === 0) return result
    try {
      await this.append(g.partition, records)
    } catch (e) {
      const code = mapStoreError(e)
      for (const t of result.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code
      return result
    }
    const group = this.groups.get(req.groupId)
    if (group) for (const o of pending) group.offsets.set(offsetKey(o.topic, o.partition), o)
    return result
  }

  // ---------------------------------------------------------------------------------------------
  // transactional offsets (KIP-98, KIP-447)

  /**
   * TxnOffsetCommit (28) v0-4: validates the member as OffsetCommit does (generation -1 for an Empty
   * or unknown group; no REBALANCE_IN_PROGRESS for transactional commits), writes the OffsetCommit
   * records as a transactional batch of the producer, and keeps them pending: the group sees them
   * only when the COMMIT marker reaches this partition ({@link completeTransaction}).
   */
  async txnCommitOffsets(req: TxnOffsetCommitInput): Promise<OffsetCommitResult> {
    const all = (code: number): OffsetCommitResult => ({
      topics: req.topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: code}))})),
    })
    const err = this.coordinatorError(req.groupId)
    if (err) return all(err)
    if (!req.groupId) return all(ErrorCode.INVALID_GROUP_ID)
    const g = this.groups.get(req.groupId)
    const generation = req.generationId
    if (g && g.state !== 'Dead' && (generation >= 0 || g.state !== 'Empty')) {
      if (generation >= 0 || req.memberId !== '') {
        const fenced = this.staticMemberError(g, req.memberId, req.groupInstanceId)
        if (fenced) return all(fenced)
        if (!g.members.has(req.memberId)) return all(ErrorCode.UNKNOWN_MEMBER_ID)
        if (generation !== g.generationId) return all(ErrorCode.ILLEGAL_GENERATION)
      }
    } else if (!g && generation >= 0) {
      return all(ErrorCode.ILLEGAL_GENERATION)
    }
    const now = this.clock.now()
    const records: RecordInput[] = []
    const pending: PendingOffset[] = []
    const result: OffsetCommitResult = {topics: []}
    for (const t of req.topics) {
      const parts: {partitionIndex: number, errorCode: number}[] = []
      result.topics.push({name: t.name, partitions: parts})
      for (const p of t.partitions) {
        const metadata = p.committedMetadata ?? ''
        let code: number = ErrorCode.NONE
        if (!this.topicExists(t.name, p.partitionIndex)) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        else if (Buffer.byteLength(metadata) > this.config.offsetMetadataMaxBytes) code = ErrorCode.OFFSET_METADATA_TOO_LARGE
        parts.push({partitionIndex: p.partitionIndex, errorCode: code})
        if (code) continue
        const value: CommittedOffset = {offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch ?? -1, metadata, commitTimestamp: now, expireTimestamp: -1}
        records.push({key: encodeOffsetCommitKey({group: req.groupId, topic: t.name, partition: p.partitionIndex}), value: encodeOffsetCommitValue(value), timestamp: now})
        pending.push({topic: t.name, partition: p.partitionIndex, value})
      }
    }
    if (records.length === 0) return result
    try {
      const batch = encodeRecordBatch({records, isTransactional: true, producerId: req.producerId, producerEpoch: req.producerEpoch, baseSequence: -1})
      await this.storage.append(this.partitionFor(req.groupId), batch)
    } catch (e) {
      const code = mapStoreError(e)
      for (const t of result.topics) for (const p of t.partitions) if (p.errorCode === ErrorCode.NONE) p.errorCode = code
      return result
    }
    for (const o of pending) this.addPendingTxnOffset(req.producerId, req.groupId, o)
    return result
  }

  private addPendingTxnOffset(producerId: number, groupId: string, o: PendingOffset): void {
    let byGroup = this.pendingTxnOffsets.get(producerId)
    if (!byGroup) this.pendingTxnOffsets.set(producerId, byGroup = new Map())
    let offs = byGroup.get(groupId)
    if (!offs) byGroup.set(groupId, offs = new Map())
    offs.set(offsetKey(o.topic, o.partition), o)
  }

  /**
   * A COMMIT/ABORT marker of `producerId` was written to `__consumer_offsets-<partition>` (Kafka
   * `GroupCoordinator.onTransactionCompleted`): its pending offsets of the partition's groups become
   * committed, or are dropped.
   */
  completeTransaction(partition: number, producerId: number, committed: boolean): void {
    const byGroup = this.pendingTxnOffsets.get(producerId)
    if (!byGroup) return
    for (const [groupId, offs] of [...byGroup]) {
      if (this.partitionFor(groupId) !== partition) continue
      byGroup.delete(groupId)
      if (!committed || this.partitions.get(partition)?.status !== 'active') continue
      let g = this.groups.get(groupId)
      if (!g || g.state === 'Dead') {
        g = new ClassicGroup(groupId, partition, this.clock.now())
        this.groups.set(groupId, g)
      }
      for (const [k, o] of offs) g.offsets.set(k, o)
    }
    if (byGroup.size === 0) this.pendingTxnOffsets.delete(producerId)
  }

  /** True when an open transaction holds an offset of the group's partition (OffsetFetch RequireStable). */
  private hasPendingTxnOffset(groupId: string, key: string): boolean {
    for (const byGroup of this.pendingTxnOffsets.values()) if (byGroup.get(groupId)?.has(key)) return true
    return false
  }

  /**
   * OffsetFetch (9) for one group: `topics` null = every committed offset. Offsets not committed
   * come back as -1 (leader epoch -1, metadata ''). With `requireStable` (v7+, KIP-447) a partition
   * with an offset in an open transaction gets UNSTABLE_OFFSET_COMMIT (retriable).
   */
  fetchOffsets(groupId: string, topics: {name: string, partitionIndexes: number[]}[] | null, requireStable = false): OffsetFetchResult {
    const err = this.coordinatorError(groupId)
    if (err) return {errorCode: err, topics: []}
    const g = this.groups.get(groupId)
    const entry = (topic: string, partition: number): OffsetFetchPartition => {
      if (requireStable && this.pendingTxnOffsets.size > 0 && this.hasPendingTxnOffset(groupId, offsetKey(topic, partition))) {
        return {partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT}
      }
      const o = g?.offsets.get(offsetKey(topic, partition))
      return o
        ? {partitionIndex: partition, committedOffset: o.value.offset, committedLeaderEpoch: o.value.leaderEpoch, metadata: o.value.metadata, errorCode: 0}
        : {partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0}
    }
    if (topics === null) {
      const byTopic = new Map<string, OffsetFetchPartition[]>()
      for (const o of g?.offsets.values() ?? []) {
        let l = byTopic.get(o.topic)
        if (!l) byTopic.set(o.topic, l = [])
        l.push(entry(o.topic, o.partition))
      }
      return {errorCode: 0, topics: [...byTopic].map(([name, partitions]) => ({name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex)}))}
    }
    return {errorCode: 0, topics: topics.map(t => ({name: t.name, partitions: t.partitionIndexes.map(p => entry(t.name, p))}))}
  }

  /** OffsetDelete (47) v0: removes committed offsets of topics the group is not subscribed to. */
  async deleteOffsets(groupId: string, topics: {name: string, partitions: {partitionIndex: number}[]}[]):
    Promise<{errorCode: number, topics: {name: string, partitions: {partitionIndex: number, errorCode: number}[]}[]}> {
    const err = this.coordinatorError(groupId)
    if (err) return {errorCode: err, topics: []}
    const g = this.groups.get(groupId)
    if (!g || g.state === 'Dead') return {errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: []}
    if (g.state !== 'Empty' && g.protocolType !== 'consumer' && g.protocolType !== null) {
      return {errorCode: ErrorCode.NON_EMPTY_GROUP, topics: []}
    }
    const subscribed = new Set<string>()
    if (g.state !== 'Empty') {
      for (const m of g.members.values()) for (const t of subscribedTopics(g.metadataFor(m, g.protocolName)) ?? []) subscribed.add(t)
    }
    const records: RecordInput[] = []
    const out = topics.map(t => ({
      name: t.name,
      partitions: t.partitions.map(p => {
        if (subscribed.has(t.name)) return {partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC}
        if (g.offsets.has(offsetKey(t.name, p.partitionIndex))) {
          records.push({key: encodeOffsetCommitKey({group: groupId, topic: t.name, partition: p.partitionIndex}), value: null})
        }
        return {partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE}
      }),
    }))
    if (records.length > 0) {
      try {
        await this.append(g.partition, records)
      } catch (e) {
        return {errorCode: mapStoreError(e), topics: []}
      }
      for (const t of out) for (const p of t.partitions) if (p.errorCode === 0) g.offsets.delete(offsetKey(t.name, p.partitionIndex))
    }
    return {errorCode: ErrorCode.NONE, topics: out}
  }

  // ---------------------------------------------------------------------------------------------
  // admin: ListGroups, DescribeGroups, DeleteGroups

  /** ListGroups (16): groups of loaded partitions; `statesFilter` compares case-insensitively. */
  listGroups(statesFilter: string[] = [], typesFilter: string[] = []): {errorCode: number, groups: ListedGroup[]} {
    const states = new Set(statesFilter.map(s => s.toLowerCase()))
    const types = new Set(typesFilter.map(s => s.toLowerCase()))
    const groups: ListedGroup[] = []
    let loading = false
    for (const p of this.partitions.values()) if (p.status === 'loading') loading = true
    for (const g of this.groups.values()) {
      if (g.state === 'Dead' || this.partitions.get(g.partition)?.status !== 'active') continue
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue
      if (types.size > 0 && !types.has('classic')) continue
      groups.push({groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic'})
    }
    return {errorCode: loading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE, groups}
  }

  /** DescribeGroups (15): unknown groups are described as Dead with no error (as Kafka does). */
  describeGroup(groupId: string): DescribedGroup {
    const base = {groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: []}
    const err = this.coordinatorError(groupId)
    if (err) return {...base, errorCode: err}
    const g = this.groups.get(groupId)
    if (!g) return {...base, errorCode: ErrorCode.NONE}
    const stable = g.state === 'Stable'
    return {
      errorCode: ErrorCode.NONE, groupId, groupState: g.state, protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map(m => ({
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        memberMetadata: stable ? g.metadataFor(m, g.protocolName) : EMPTY, memberAssignment: stable ? m.assignment : EMPTY,
      })),
    }
  }

  /** DeleteGroups (42): only Empty groups; writes offset and group tombstones. */
  async deleteGroup(groupId: string): Promise<number> {
    const err = this.coordinatorError(groupId)
    if (err) return err
    const g = this.groups.get(groupId)
    if (!g || g.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND
    if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP
    const records: RecordInput[] = [...g.offsets.values()].map(o =>
      ({key: encodeOffsetCommitKey({group: groupId, topic: o.topic, partition: o.partition}), value: null}))
    records.push({key: encodeGroupMetadataKey(groupId), value: null})
    try {
      await this.append(g.partition, records)
    } catch (e) {
      return mapStoreError(e)
    }
    if (this.groups.get(groupId) === g && g.state === 'Empty') {
      g.state = 'Dead'
      this.clearGroupTimers(g)
      this.groups.delete(groupId)
    }
    return ErrorCode.NONE
  }

  // ---------------------------------------------------------------------------------------------
  // offset expiry (offsets.retention.minutes, KIP-211)

  private scheduleExpiry(): void {
    if (this.closed) return
    this.expiryTimer = this.clock.setTimeout(() => {
      this.expireOffsets().catch(() => { /* retried next interval */ }).finally(() => this.scheduleExpiry())
    }, this.config.offsetsRetentionCheckIntervalMs)
  }

  /**
   * Writes tombstones for expired offsets and deletes Empty groups left without offsets. Offsets
   * of an Empty group expire `offsets.retention.minutes` after it became Empty; offsets of a group
   * without a protocol (standalone commits) after their commit; a v1 expire timestamp wins.
   * Returns the number of offsets expired.
   */
  async expireOffsets(): Promise<number> {
    const now = this.clock.now()
    let count = 0
    for (const g of [...this.groups.values()]) {
      if (this.partitions.get(g.partition)?.status !== 'active' || g.state === 'Dead') continue
      const expired: string[] = []
      for (const [k, o] of g.offsets) {
        let expires: number
        if (o.value.expireTimestamp >= 0) expires = o.value.expireTimestamp
        else if (g.state !== 'Empty') continue
        else if (g.protocolType === null) expires = o.value.commitTimestamp + this.config.offsetsRetentionMs
        else expires = Math.max(g.currentStateTimestamp, 0) + this.config.offsetsRetentionMs
        if (now >= expires) expired.push(k)
      }
      const deleteGroup = g.state === 'Empty' && expired.length === g.offsets.size
      if (expired.length === 0 && !deleteGroup) continue
      const records: RecordInput[] = expired.map(k => {
        const o = g.offsets.get(k)!
        return {key: encodeOffsetCommitKey({group: g.groupId, topic: o.topic, partition: o.partition}), value: null}
      })
      if (deleteGroup) records.push({key: encodeGroupMetadataKey(g.groupId), value: null})
      try {
        await this.append(g.partition, records)
      } catch {
        continue
      }
      for (const k of expired) g.offsets.delete(k)
      count += expired.length
      if (deleteGroup && g.state === 'Empty' && g.offsets.size === 0 && this.groups.get(g.groupId) === g) {
        g.state = 'Dead'
        this.clearGroupTimers(g)
        this.groups.delete(g.groupId)
      }
    }
    return count
  }

  /** Test/diagnostic view of a group (undefined when unknown). */
  group(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId)
  }

  /**
   * Counts for the metrics (Kafka `GroupMetadataManager` NumGroups, NumGroups<State>, NumOffsets):
   * the groups loaded here by state name, and their committed offsets. Read at scrape time.
   */
  metricsSnapshot(): {groupsByState: Map<string, number>, numOffsets: number} {
    const groupsByState = new Map<string, number>()
    let numOffsets = 0
    for (const g of this.groups.values()) {
      groupsByState.set(g.state, (groupsByState.get(g.state) ?? 0) + 1)
      numOffsets += g.offsets.size
    }
    return {groupsByState, numOffsets}
  }
}

function sameProtocols(a: {name: string, metadata: Buffer}[], b: {name: string, metadata: Buffer}[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || !Buffer.from(a[i].metadata ?? EMPTY).equals(Buffer.from(b[i].metadata ?? EMPTY))) return false
  }
  return true
}

/** Maps a storage append failure to the error the client sees (Kafka `GroupMetadataManager` / `CoordinatorRuntime`). */
export function mapStoreError(e: unknown): number {
  const code = e instanceof KafkaError ? e.code : ErrorCode.UNKNOWN_SERVER_ERROR
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE
    default:
      return code === ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : code
  }
}
