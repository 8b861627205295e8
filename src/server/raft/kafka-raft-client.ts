/**
 * KafkaRaftClient: KRaft's Raft (KIP-595, KIP-996 pre-vote, KIP-630 snapshots;
 * storage-and-kraft.md §5; Kafka `org.apache.kafka.raft.KafkaRaftClient`) as a pure state
 * machine. No sockets, timers, clock or randomness of its own: the driver (raft-manager.ts) or the
 * simulation hands in requests, responses and `now` (ms) and takes out the messages to send
 * (`takeOutbound()`); `poll(now)` runs the timers and returns when it wants to be polled again.
 * The log, the quorum-state file and the snapshots are synchronous seams (replicated-log.ts).
 *
 * - Elections: a voter whose election timer (random in [T, 2T)) or fetch timeout expires asks the
 *   other voters for pre-votes (Vote with PreVote) in its current epoch; with a majority it bumps
 *   the epoch, votes for itself and asks for votes; with a majority it leads. A vote is granted
 *   only to a log at least as up to date (last epoch, end offset) and once per epoch; quorum-state
 *   is written before the grant or the new epoch takes effect.
 * - Replication is pulled: followers and observers Fetch from the leader (FetchOffset,
 *   LastFetchedEpoch); the leader answers with records and its high watermark, a DivergingEpoch
 *   (the follower truncates) or a SnapshotId (the follower downloads it with FetchSnapshot). A
 *   Fetch with nothing to return waits up to MaxWaitMs on the leader.
 * - The leader appends a LEADER_CHANGE record when its epoch starts, sends BeginQuorumEpoch to the
 *   voters, batches appends (linger), flushes before counting its own end offset, and resigns with
 *   EndQuorumEpoch on shutdown or when no majority fetched within 1.5 × the fetch timeout.
 * - Committed batches go to the listeners in offset order; a listener hears that this node leads
 *   only once it was handed every committed record before the epoch's start offset.
 *
 * Errors are thrown only for broken invariants (RaftInvariantError: the node must stop) and for
 * misuse (NotLeaderError from scheduleAppend, Error from createSnapshot).
 */
import {ErrorCode} from '../../protocol/errors.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {ControlRecordType, decodeRecordBatches, encodeControlRecordKey, encodeRecordBatch} from '../../protocol/records/records.js'
import {writeLeaderChangeMessage} from '../../protocol/generated/data/leader-change-message.js'
import type {VoteRequest, VoteResponse} from '../../protocol/generated/messages/vote.js'
import type {BeginQuorumEpochRequest, BeginQuorumEpochResponse} from '../../protocol/generated/messages/begin-quorum-epoch.js'
import type {EndQuorumEpochRequest, EndQuorumEpochResponse} from '../../protocol/generated/messages/end-quorum-epoch.js'
import type {FetchRequest, FetchResponse} from '../../protocol/generated/messages/fetch.js'
import type {FetchSnapshotRequest, FetchSnapshotResponse} from '../../protocol/generated/messages/fetch-snapshot.js'
import type {DescribeQuorumResponsePartitionData} from '../../protocol/generated/messages/describe-quorum.js'
import type {AddRaftVoterRequest, AddRaftVoterResponse} from '../../protocol/generated/messages/add-raft-voter.js'
import type {RemoveRaftVoterRequest, RemoveRaftVoterResponse} from '../../protocol/generated/messages/remove-raft-voter.js'
import type {UpdateRaftVoterRequest, UpdateRaftVoterResponse} from '../../protocol/generated/messages/update-raft-voter.js'
import type {ApiVersionsResponse} from '../../protocol/generated/messages/api-versions.js'
import {BatchAccumulator} from './batch-accumulator.js'
import {LeaderState} from './leader-state.js'
import {InconsistentClusterIdError, QuorumState, RaftInvariantError, type Election} from './quorum-state.js'
import {RequestManager} from './request-manager.js'
import {ELECTION_BACKOFF_BASE_MS, FETCH_MAX_WAIT_MS, MAX_BATCH_SIZE_BYTES, type RaftConfig} from './raft-config.js'
import {
  ApiKey, METADATA_TOPIC_ID, METADATA_TOPIC_NAME, addRaftVoterResponse, apiVersionsRequest, removeRaftVoterResponse, updateRaftVoterResponse, beginQuorumEpochRequest, beginQuorumEpochResponse, endQuorumEpochRequest,
  endQuorumEpochResponse, errorResponseBody, fetchRequest, fetchResponse, fetchSnapshotRequest, fetchSnapshotResponse, voteRequest, voteResponse,
  type InboundRequest, type InboundResponse, type OutboundMessage, type RaftRequestBody, type RaftResponseBody,
} from './raft-messages.js'
import type {OffsetAndEpoch, QuorumStateStore, RecordSerde, ReplicatedLog, SnapshotId, SnapshotStore} from './replicated-log.js'
import {decodeSnapshot, decodeSnapshotVoters, encodeSnapshot, snapshotName} from './snapshot-file.js'
import {
  SUPPORTED_KRAFT_VERSION, VoterSetHistory, describeVoters, scanVotersRecords, sortVoters, voterControlRecords,
  type Endpoint, type VoterNode, type VoterSet,
} from './voter-set.js'

export {InconsistentClusterIdError, RaftInvariantError}

/** The leader of an epoch as the node knows it (leaderId -1: unknown). */
export interface LeaderAndEpoch {
  leaderId: number
  epoch: number
}

/** A committed batch of records (control batches are not delivered). */
export interface CommittedBatch<T> {
  baseOffset: number
  lastOffset: number
  epoch: number
  /** The batch's max timestamp (ms): the leader's time when it wrote the batch. */
  appendTimestamp: number
  /** Bytes of the batch in the log. */
  sizeInBytes: number
  /** The records; the record at index i has offset baseOffset + i. */
  records: T[]
}

/** Consumer of the committed log (Kafka `RaftClient.Listener`). */
export interface RaftListener<T> {
  /** The state as of `id.endOffset` (replaces the listener's state); committed batches after it follow. */
  handleLoadSnapshot(snapshot: {id: SnapshotId, records: T[]}): void
  handleCommit(batch: CommittedBatch<T>): void
  /** The leader changed; this node as leader only once the listener holds every record before the epoch start. */
  handleLeaderChange(leader: LeaderAndEpoch): void
}

/** scheduleAppend on a node that is not the leader of that epoch (Kafka `NotLeaderException`). */
export class NotLeaderError extends Error {
  constructor(message = 'This node is not the leader of the metadata quorum') {
    super(message)
    this.name = 'NotLeaderError'
  }
}

export interface RaftLogger {
  debug?(msg: string): void
  info(msg: string): void
  warn(msg: string): void
  error(msg: string, err?: unknown): void
}

export interface RaftClientOptions<T> {
  nodeId: number
  /** This replica's metadata log directory id (ZERO_UUID when unknown). */
  directoryId?: string
  clusterId: string
  /**
   * Static voter ids (`controller.quorum.voters`, kraft.version 0); a node not listed is an
   * observer. Absent: a dynamic quorum (kraft.version 1, KIP-853) whose voters come from the
   * bootstrap snapshot `0-0.checkpoint` and the VotersRecords of the log.
   */
  voters?: readonly number[]
  /** How many `controller.quorum.bootstrap.servers` there are: observers look for the leader at -2, -3, ... (default: ask the static voters). */
  bootstrapServers?: number
  /** The controller listener name (`controller.listener.names[0]`): which endpoint of a voter to reach. */
  listenerName?: string
  /** This node's controller listener endpoints (UpdateRaftVoter, leader endpoints in responses). */
  localEndpoints?: Endpoint[]
  log: ReplicatedLog
  quorumStateStore: QuorumStateStore
  snapshotStore: SnapshotStore
  serde: RecordSerde<T>
  config: RaftConfig
  /** Uniform in [0, 1): election timers, backoffs, the voter an observer asks. */
  random: () => number
  logger?: RaftLogger
  /**
   * `metadata.max.retention.bytes`: when a new snapshot is written and the log holds more bytes
   * than this, the log start moves up to the snapshot and older segments and snapshots go.
   */
  maxRetentionBytes?: number
  /** MaxWaitMs of this node's Fetch requests (default 500). */
  fetchMaxWaitMs?: number
}

/** An AddRaftVoter / RemoveRaftVoter the leader is working on (Kafka `AddVoterHandlerState`). */
interface PendingVoterChange {
  kind: 'add' | 'remove'
  requestId: number
  /** The voter to add, waiting for its ApiVersions answer until `lastOffset` is set. */
  voter: VoterNode
  apiVersionsCorrelationId: number
  /** Offset of the appended VotersRecord; the change is done once it is committed. */
  lastOffset: number | null
  deadline: number
}

type ValidOffsetAndEpoch = {kind: 'valid'} | {kind: 'diverging', divergence: OffsetAndEpoch} | {kind: 'snapshot', id: SnapshotId}

interface ParkedFetch {
  requestId: number
  apiVersion: number
  request: FetchRequest
  deadline: number
}

interface ListenerContext<T> {
  listener: RaftListener<T>
  /** Next offset to deliver; -1 before the first delivery (load the latest snapshot first). */
  nextOffset: number
  lastFired: LeaderAndEpoch | null
}

const NULL_LOGGER: RaftLogger = {info() {}, warn() {}, error() {}}

/** The replica id of a Fetch (ReplicaState from v15), -1 for a consumer. */
function fetchReplicaId(req: FetchRequest, apiVersion: number): number {
  return apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId
}

export class KafkaRaftClient<T> {
  readonly nodeId: number
  private readonly directoryId: string
  private readonly clusterId: string
  private readonly log: ReplicatedLog
  private readonly snapshotStore: SnapshotStore
  private readonly serde: RecordSerde<T>
  private readonly config: RaftConfig
  private readonly random: () => number
  private readonly logger: RaftLogger
  private readonly maxRetentionBytes: number
  private readonly fetchMaxWaitMs: number
  readonly quorum: QuorumState
  private readonly requests: RequestManager
  private readonly listeners: ListenerContext<T>[] = []
  private outbox: OutboundMessage[] = []
  private parked: ParkedFetch[] = []
  private parkedDirty: 'none' | 'all' | 'endOffset' = 'none'
  /**
   * As leader: the high watermark last sent to each replica in a Fetch response. A Fetch from a
   * replica that has not seen the current high watermark is answered at once, not parked (what
   * KIP-1166 does with the HighWatermark field of Fetch v18): otherwise a replica whose previous
   * Fetch was answered just before the high watermark moved learns about the commit only when its
   * next Fetch times out, up to the fetch max wait later (brokers acting on committed metadata late).
   */
  private readonly hwSentTo = new Map<number, number>()
  private snapshots: SnapshotId[] = []
  private hw = 0
  private nextCorrelationId = 1
  private shutdownDeadline: number | null = null
  private initialized = false
  /** 0: static voters; 1: the voters live in the log (KIP-853). */
  readonly kraftVersion: number
  /** Voter sets of the local log by offset (the static set at -1 for kraft.version 0). */
  readonly voterHistory: VoterSetHistory
  private readonly bootstrapServers: number
  private readonly listenerName: string
  private readonly localEndpoints: Endpoint[]
  /** Where other nodes listen (controller listener), from voter sets and leader endpoints. */
  private readonly knownEndpoints = new Map<number, {host: string, port: number}>()
  /** The one AddRaftVoter / RemoveRaftVoter in progress on this leader. */
  private voterChange: PendingVoterChange | null = null
  /** Epoch in which this voter told the leader its endpoints (UpdateRaftVoter), and when it may try again after an error. */
  private updateVoterSentEpoch = -1
  private updateVoterRetryAt = 0

  constructor(opts: RaftClientOptions<T>) {
    this.nodeId = opts.nodeId
    this.directoryId = opts.directoryId ?? ZERO_UUID
    this.clusterId = opts.clusterId
    this.log = opts.log
    this.snapshotStore = opts.snapshotStore
    this.serde = opts.serde
    this.config = opts.config
    this.random = opts.random
    this.logger = opts.logger ?? NULL_LOGGER
    this.maxRetentionBytes = opts.maxRetentionBytes ?? 104857600
    this.fetchMaxWaitMs = opts.fetchMaxWaitMs ?? FETCH_MAX_WAIT_MS
    this.kraftVersion = opts.voters ? 0 : 1
    const staticVoters = opts.voters ? sortVoters(opts.voters.map(id => ({id, directoryId: ZERO_UUID, endpoints: [], kraftVersion: {...SUPPORTED_KRAFT_VERSION}}))) : null
    this.voterHistory = new VoterSetHistory(staticVoters)
    this.bootstrapServers = opts.bootstrapServers ?? 0
    this.listenerName = opts.listenerName ?? ''
    this.localEndpoints = opts.localEndpoints ?? []
    this.quorum = new QuorumState(opts.nodeId, () => this.voterIds(), opts.quorumStateStore)
    this.requests = new RequestManager(opts.config.requestTimeoutMs, opts.config.retryBackoffMs)
  }

  // ---- start ----------------------------------------------------------------------------------

  /**
   * Reads quorum-state, reconciles the log with the snapshots and takes the initial role: a former
   * leader comes back resigned, a follower follows, a voter that voted keeps its vote. A single
   * voter elects itself at once. Call `register` before or after, then `poll`.
   * @throws Error when quorum-state is unreadable
   */
  initialize(now: number): void {
    if (this.initialized) throw new Error('The Raft client is already initialized')
    this.initialized = true
    const stored = this.quorum.load()
    const all = this.snapshotStore.list()
    // the bootstrap snapshot (0-0, `kts storage format --standalone | --initial-controllers`) only gives the first voters
    const bootstrap = all.find(s => s.endOffset === 0 && s.epoch === 0)
    this.snapshots = all.filter(s => s !== bootstrap)
    const latest = this.latestSnapshotId()
    const lastEpoch = this.log.lastEpoch() ?? 0
    if (latest && (latest.epoch > lastEpoch || (latest.epoch === lastEpoch && latest.endOffset > this.log.endOffset()))) {
      // A snapshot beyond the log (a crash right after a download): the log restarts at it.
      this.logger.info(`Truncating the log fully to snapshot ${snapshotName(latest)} (log end offset ${this.log.endOffset()}, last epoch ${lastEpoch})`)
      this.log.truncateFullyAndStartAt(latest.endOffset)
    } else {
      const start = this.snapshots.find(s => s.endOffset >= this.log.startOffset() && s.endOffset <= this.log.endOffset())
      if (start && start.endOffset > this.log.startOffset()) this.log.deleteBefore(start.endOffset)
    }
    for (const s of this.snapshots.filter(s => s.endOffset < this.log.startOffset())) this.deleteSnapshot(s)
    const committed = this.latestSnapshotId()
    this.hw = committed && committed.endOffset <= this.log.endOffset() ? committed.endOffset : this.log.startOffset()
    if (this.kraftVersion >= 1) this.loadVoterHistory(bootstrap ?? null)
    this.onVotersChanged()

    const epoch = stored?.leaderEpoch ?? 0
    if (stored && stored.leaderId === this.nodeId) {
      this.quorum.set(epoch, this.nodeId, this.nodeId, {role: 'resigned', resigned: {electionDeadline: now + this.randomElectionTimeout(), unackedVoters: new Set(), preferredSuccessors: []}})
    } else if (stored && stored.leaderId >= 0) {
      this.quorum.set(epoch, stored.leaderId, stored.votedId, {role: 'follower', follower: this.newFollower(now)})
    } else {
      this.quorum.set(epoch, -1, stored?.votedId ?? -1, {role: 'unattached', electionDeadline: this.canCampaign() ? now + this.randomElectionTimeout() : Infinity})
    }
    this.logger.info(`Starting as ${this.quorum.role} in epoch ${this.quorum.epoch} (leader ${this.quorum.leaderId}, voted ${this.quorum.votedId}), ` +
      `log [${this.log.startOffset()}, ${this.log.endOffset()}), high watermark ${this.hw}`)
    if (this.quorum.isOnlyVoter) this.transitionToCandidate(now, 0)
  }

  /**
   * kraft.version 1: the voter sets of the bootstrap snapshot (or of the snapshot at the log start)
   * and of every VotersRecord in the log (Kafka `KRaftControlRecordStateMachine`).
   */
  private loadVoterHistory(bootstrap: SnapshotId | null): void {
    const start = this.log.startOffset()
    const base = start > 0 ? this.snapshotAt(start) : bootstrap
    const voters = base ? decodeSnapshotVoters(this.snapshotStore.read(base, 0, this.snapshotStore.size(base))) : null
    this.voterHistory.reset(voters, start > 0 ? start - 1 : -1)
    for (let offset = start; offset < this.log.endOffset();) {
      const buf = this.log.read(offset, MAX_BATCH_SIZE_BYTES)
      if (buf.length === 0) break
      for (const v of scanVotersRecords(buf)) this.voterHistory.add(v.offset, v.voters)
      offset = lastOffsetIn(buf) + 1
    }
    this.logger.info(`Voters ${describeVoters(this.voterHistory.latest() ?? [])} (from ${base ? snapshotName(base) : 'no snapshot'} and the log)`)
  }

  /** The newest voter set (committed or not): the one elections and the high watermark use. */
  voters(): VoterSet {
    return this.voterHistory.latest() ?? []
  }

  private voterIds(): number[] {
    return this.voters().map(v => v.id)
  }

  /**
   * Whether this node takes part in elections: it is a voter, or its removal is not committed yet
   * as far as it knows (then it may still be needed: a removed leader that crashed before the
   * removal committed holds the newest log; it counts votes in the new set, without itself).
   */
  private canCampaign(): boolean {
    if (this.quorum.isVoter) return true
    const at = this.voterHistory.latestOffset()
    if (this.kraftVersion === 0 || at === null || at < this.hw) return false
    return this.voterHistory.previous()?.some(v => v.id === this.nodeId) ?? false
  }

  /** Where `id` listens on the controller listener, as far as this node knows (null: unknown). */
  endpointOf(id: number): {host: string, port: number} | null {
    if (id === this.nodeId) {
      const e = this.localEndpoints.find(x => x.name === this.listenerName) ?? this.localEndpoints[0]
      return e ? {host: e.host, port: e.port} : null
    }
    return this.knownEndpoints.get(id) ?? null
  }

  /** After the voter set changed: endpoints, and the leader's voters and high watermark. */
  private onVotersChanged(): void {
    for (const v of this.voters()) {
      const e = v.endpoints.find(x => x.name === this.listenerName) ?? v.endpoints[0]
      if (e) this.knownEndpoints.set(v.id, {host: e.host, port: e.port})
    }
    const d = this.quorum.data
    if (d.role === 'leader') {
      d.leader.setVoters(this.voters())
      if (d.leader.maybeUpdateHighWatermark()) this.onLeaderHighWatermark(d.leader)
    }
  }

  /** Records the voter sets of batches just appended to the log. */
  private afterAppend(records: Buffer): void {
    if (this.kraftVersion === 0) return
    const found = scanVotersRecords(records)
    if (found.length === 0) return
    for (const v of found) this.voterHistory.add(v.offset, v.voters)
    this.logger.info(`Voter set ${describeVoters(this.voters())} at offset ${found[found.length - 1].offset}`)
    this.onVotersChanged()
  }

  /** Adds a listener; it first gets the latest snapshot (if any), then committed batches. */
  register(listener: RaftListener<T>): void {
    this.listeners.push({listener, nextOffset: -1, lastFired: null})
  }

  // ---- queries --------------------------------------------------------------------------------

  leaderAndEpoch(): LeaderAndEpoch {
    return {leaderId: this.quorum.currentLeaderId(), epoch: this.quorum.epoch}
  }

  isLeader(): boolean {
    return this.quorum.role === 'leader'
  }

  /** Offsets below are committed (the node's knowledge). */
  highWatermark(): number {
    return this.hw
  }

  logEndOffset(): number {
    return this.log.endOffset()
  }

  logStartOffset(): number {
    return this.log.startOffset()
  }

  latestSnapshotId(): SnapshotId | null {
    return this.snapshots.length > 0 ? this.snapshots[this.snapshots.length - 1] : null
  }

  /** Messages to send since the last call. */
  takeOutbound(): OutboundMessage[] {
    const out = this.outbox
    this.outbox = []
    return out
  }

  /**
   * DescribeQuorum partition data (Kafka `RaftUtil.singletonDescribeQuorumResponse`); a non-leader
   * answers NOT_LEADER_OR_FOLLOWER with the leader it knows.
   */
  describeQuorum(now: number): Omit<DescribeQuorumResponsePartitionData, 'partitionIndex' | 'errorMessage'> {
    const d = this.quorum.data
    if (d.role !== 'leader') {
      return {errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, leaderId: this.quorum.currentLeaderId(), leaderEpoch: this.quorum.epoch, highWatermark: -1, currentVoters: [], observers: []}
    }
    const ls = d.leader
    const describe = (s: {replicaId: number, directoryId: string, endOffset: number, lastFetchTimestamp: number, lastCaughtUpTimestamp: number}) => {
      const self = s.replicaId === this.nodeId
      return {
        replicaId: s.replicaId, replicaDirectoryId: s.directoryId || ZERO_UUID, logEndOffset: self ? this.log.endOffset() : s.endOffset,
        lastFetchTimestamp: self ? now : s.lastFetchTimestamp, lastCaughtUpTimestamp: self ? now : s.lastCaughtUpTimestamp,
      }
    }
    return {
      errorCode: ErrorCode.NONE, leaderId: this.nodeId, leaderEpoch: this.quorum.epoch, highWatermark: ls.highWatermark ?? -1,
      currentVoters: [...ls.voterStates.values()].map(describe), observers: ls.activeObservers(now).map(describe),
    }
  }

  // ---- appends and snapshots -----------------------------------------------------------------

  /**
   * Schedules `records` for appending in `epoch` as one atomic group; the batch is written after
   * the append linger time (or at `flushAppends`) and committed once a majority has it.
   * @returns the offset the last record will have
   * @throws NotLeaderError when this node is not the leader of `epoch` (or is shutting down);
   *   BatchTooLargeError when the records exceed 8 MiB
   */
  scheduleAppend(epoch: number, records: T[], now: number): number {
    const d = this.quorum.data
    if (d.role !== 'leader' || epoch !== this.quorum.epoch || this.shutdownDeadline !== null) {
      throw new NotLeaderError(`Node ${this.nodeId} is not the leader of epoch ${epoch} (${this.quorum.role} in epoch ${this.quorum.epoch})`)
    }
    if (records.length === 0) throw new Error('Cannot append an empty list of records')
    return d.leader.accumulator.append(records.map(r => this.serde.encode(r)), now)
  }

  /** Writes the scheduled records at the next poll instead of after the linger time. */
  flushAppends(): void {
    const d = this.quorum.data
    if (d.role === 'leader') d.leader.accumulator.flushNow()
  }

  /**
   * Writes a snapshot of the owner's state as of `endOffset` (Kafka `createSnapshot` +
   * `SnapshotWriter.freeze`); `epoch` is the epoch of the record at endOffset - 1. When the log
   * holds more than `maxRetentionBytes`, its start moves up to the snapshot. A snapshot not newer
   * than the latest one is ignored.
   * @returns the snapshot id, or null when ignored
   * @throws Error when endOffset is above the high watermark or (endOffset, epoch) is not in the log
   */
  createSnapshot(endOffset: number, epoch: number, records: T[], now: number): SnapshotId | null {
    const latest = this.latestSnapshotId()
    if (latest && endOffset <= latest.endOffset) return null
    if (endOffset > this.hw) throw new Error(`Cannot create a snapshot at offset ${endOffset} above the high watermark ${this.hw}`)
    const v = this.validateOffsetAndEpoch(endOffset, epoch)
    if (v.kind !== 'valid') throw new Error(`Cannot create a snapshot at offset ${endOffset} and epoch ${epoch}: ${v.kind} in the log`)
    const id = {endOffset, epoch}
    const voters = this.kraftVersion >= 1 ? this.voterHistory.at(endOffset - 1) : null
    this.snapshotStore.write(id, encodeSnapshot(id, records.map(r => this.serde.encode(r)), now, now, voters))
    this.snapshots.push(id)
    this.logger.info(`Wrote metadata snapshot ${snapshotName(id)} (${records.length} records)`)
    if (this.log.sizeInBytes() > this.maxRetentionBytes && endOffset > this.log.startOffset() && endOffset <= this.log.endOffset()) {
      this.log.deleteBefore(endOffset)
      this.voterHistory.trimPrefix(endOffset - 1)
      this.logger.info(`Log start offset moved to ${endOffset} (snapshot ${snapshotName(id)})`)
    }
    // Keep the latest snapshot and the one at the log start.
    for (const s of [...this.snapshots]) if (s !== id && s.endOffset !== this.log.startOffset()) this.deleteSnapshot(s)
    return id
  }

  private deleteSnapshot(id: SnapshotId): void {
    this.snapshotStore.delete(id)
    this.snapshots = this.snapshots.filter(s => s !== id && (s.endOffset !== id.endOffset || s.epoch !== id.epoch))
  }

  private snapshotAt(endOffset: number): SnapshotId | null {
    return this.snapshots.find(s => s.endOffset === endOffset) ?? null
  }

  // ---- shutdown -------------------------------------------------------------------------------

  /** Starts a graceful shutdown: a leader resigns (EndQuorumEpoch); no new elections. */
  beginShutdown(now: number, timeoutMs: number): void {
    if (this.shutdownDeadline === null) this.shutdownDeadline = now + timeoutMs
  }

  /**
   * Done when this node is an observer or the only voter, another leader is known, a resigned
   * leader's EndQuorumEpoch was acknowledged by every other voter or its election timeout passed
   * (Kafka's `GracefulShutdown`: voters that are down never acknowledge), or the time is up.
   */
  isShutdownComplete(now: number): boolean {
    if (this.shutdownDeadline === null) return false
    if (!this.quorum.isVoter || this.quorum.isOnlyVoter || now >= this.shutdownDeadline) return true
    const d = this.quorum.data
    if (d.role === 'resigned' && (d.resigned.unackedVoters.size === 0 || now >= d.resigned.electionDeadline)) return true
    const leader = this.quorum.currentLeaderId()
    return leader >= 0 && leader !== this.nodeId
  }

  // ---- the event loop -------------------------------------------------------------------------

  /**
   * Runs timers and sends what is due.
   * @returns the time (ms) at which to poll again at the latest
   */
  poll(now: number): number {
    let next = now
    for (let i = 0; i < 8 && next <= now; i++) next = this.pollCurrentState(now)
    for (const p of this.parked) {
      if (p.deadline > now) next = Math.min(next, p.deadline)
      else if (this.parkedDirty === 'none') this.parkedDirty = 'endOffset'
    }
    this.afterStep(now)
    if (this.shutdownDeadline !== null) next = Math.min(next, this.shutdownDeadline)
    return Math.max(next, now + 1)
  }

  private pollCurrentState(now: number): number {
    switch (this.quorum.role) {
      case 'leader': return this.pollLeader(now)
      case 'candidate': return this.pollCandidate(now)
      case 'prospective': return this.pollProspective(now)
      case 'follower': return this.pollFollower(now)
      case 'unattached': return this.pollUnattached(now)
      case 'resigned': return this.pollResigned(now)
    }
  }

  private pollLeader(now: number): number {
    const d = this.quorum.data
    if (d.role !== 'leader') return now
    const ls = d.leader
    if (this.shutdownDeadline !== null && !this.quorum.isOnlyVoter) {
      this.transitionToResigned(now, ls.nonLeaderVotersByDescendingFetchOffset())
      return now
    }
    if (now >= ls.checkQuorumExpiresAt()) {
      this.logger.info(`Did not receive Fetch from a majority of the voters within ${Math.floor(this.config.fetchTimeoutMs * 1.5)} ms; resigning in epoch ${ls.epoch}`)
      this.transitionToResigned(now, ls.nonLeaderVotersByDescendingFetchOffset())
      return now
    }
    if (ls.resignRequested) {
      this.logger.info(`Resigning in epoch ${ls.epoch}: this node is not in the committed voter set ${describeVoters(this.voters())}`)
      this.transitionToResigned(now, ls.nonLeaderVotersByDescendingFetchOffset())
      return now
    }
    const vc = this.voterChange
    if (vc && now >= vc.deadline) this.finishVoterChange(ErrorCode.REQUEST_TIMED_OUT, null)
    this.drainAccumulator(ls, now)
    let next = Math.min(ls.accumulator.drainDeadline(), ls.checkQuorumExpiresAt(), this.voterChange?.deadline ?? Infinity)
    if (now >= ls.beginQuorumEpochDeadline) {
      for (const v of this.voters()) {
        if (v.id === this.nodeId) continue
        this.maybeSend(v.id, now, () => ({apiKey: ApiKey.BEGIN_QUORUM_EPOCH, data: beginQuorumEpochRequest({
          clusterId: this.clusterId, voterId: v.id, voterDirectoryId: v.directoryId, leaderId: this.nodeId, epoch: ls.epoch,
          leaderEndpoints: this.localEndpoints})}))
      }
      ls.resetBeginQuorumEpochTimer(now)
    }
    next = Math.min(next, ls.beginQuorumEpochDeadline)
    return next
  }

  /** Writes the scheduled batches that are due. */
  private drainAccumulator(ls: LeaderState, now: number): void {
    const batches = ls.accumulator.drain(now)
    if (batches.length === 0) return
    for (const b of batches) {
      const buf = encodeRecordBatch({baseOffset: b.baseOffset, partitionLeaderEpoch: ls.epoch, records: b.values.map(value => ({key: null, value, timestamp: now}))})
      const info = this.log.appendAsLeader(buf, ls.epoch)
      if (info.firstOffset !== b.baseOffset) throw new RaftInvariantError(`Batch appended at ${info.firstOffset}, expected ${b.baseOffset}`)
    }
    this.flushLeaderLog(ls)
  }

  /** Flushes, then counts the leader's end offset (only flushed records count toward the high watermark). */
  private flushLeaderLog(ls: LeaderState): void {
    this.log.flush()
    if (ls.updateLocalState(this.log.endOffset())) this.onLeaderHighWatermark(ls)
    if (this.parkedDirty === 'none') this.parkedDirty = 'endOffset'
  }

  private onLeaderHighWatermark(ls: LeaderState): void {
    if (ls.highWatermark === null) return
    if (ls.highWatermark < this.hw) throw new RaftInvariantError(`Leader high watermark ${ls.highWatermark} is below the known high watermark ${this.hw}`)
    this.hw = ls.highWatermark
    this.parkedDirty = 'all'
    const vc = this.voterChange
    if (vc && vc.lastOffset !== null && this.hw > vc.lastOffset) {
      // the VotersRecord is committed (Kafka `highWatermarkUpdated`)
      this.finishVoterChange(ErrorCode.NONE, null)
    }
    // not in the committed voter set (it removed itself, perhaps before a restart): resign
    if (!ls.isLocalVoter && (this.voterHistory.latestOffset() ?? -1) < this.hw) ls.resignRequested = true
  }

  private pollCandidate(now: number): number {
    const d = this.quorum.data
    if (d.role !== 'candidate') return now
    if (!this.canCampaign()) {
      this.transitionToUnattached(this.quorum.epoch, now)
      return now
    }
    const e = d.election
    if (e.backoffUntil !== null) {
      if (now < e.backoffUntil) return e.backoffUntil
      if (this.shutdownDeadline !== null) return Infinity
      this.transitionToProspective(now, e.retries + 1)
      return now
    }
    if (now >= e.deadline) {
      e.backoffUntil = now + this.electionBackoffMs(e.retries + 1)
      this.logger.info(`Election in epoch ${this.quorum.epoch} timed out; backing off ${e.backoffUntil - now} ms`)
      return e.backoffUntil
    }
    return Math.min(e.deadline, this.sendVoteRequests(e, false, now))
  }

  private pollProspective(now: number): number {
    const d = this.quorum.data
    if (d.role !== 'prospective') return now
    if (!this.canCampaign()) {
      this.prospectiveLost(now)
      return now
    }
    if (now >= d.election.deadline) {
      this.prospectiveLost(now)
      return now
    }
    return Math.min(d.election.deadline, this.sendVoteRequests(d.election, true, now))
  }

  private sendVoteRequests(e: Election, preVote: boolean, now: number): number {
    if (this.isElectionRejected(e)) return Infinity
    let next = Infinity
    const lastEpoch = this.lastFetchedEpoch()
    const lastOffset = this.log.endOffset()
    for (const {id: v, directoryId} of this.voters()) {
      if (e.granted.has(v) || e.rejected.has(v)) continue
      next = Math.min(next, this.maybeSend(v, now, () => ({apiKey: ApiKey.VOTE, data: voteRequest({
        clusterId: this.clusterId, voterId: v, voterDirectoryId: directoryId, epoch: this.quorum.epoch, candidateId: this.nodeId, candidateDirectoryId: this.directoryId,
        lastOffsetEpoch: lastEpoch, lastOffset, preVote,
      })})))
    }
    return next
  }

  private pollFollower(now: number): number {
    const d = this.quorum.data
    if (d.role !== 'follower') return now
    const f = d.follower
    if (now >= f.fetchDeadline) {
      if (this.canCampaign()) {
        if (this.shutdownDeadline !== null) return Infinity
        this.logger.info(`No successful Fetch from leader ${this.quorum.leaderId} within ${this.config.fetchTimeoutMs} ms in epoch ${this.quorum.epoch}; asking for pre-votes`)
        this.transitionToProspective(now, 0)
      } else {
        this.transitionToUnattached(this.quorum.epoch, now)
      }
      return now
    }
    const leader = this.quorum.leaderId
    const update = now >= this.updateVoterRetryAt ? this.updateVoterRequest() : null
    if (update && this.requests.isReady(leader, now)) {
      this.updateVoterSentEpoch = this.quorum.epoch
      this.maybeSend(leader, now, () => ({apiKey: ApiKey.UPDATE_RAFT_VOTER, data: update}))
      return Math.min(f.fetchDeadline, this.requests.readyAt(leader, now))
    }
    const sendAt = this.maybeSend(leader, now, () => this.buildFetchOrFetchSnapshot())
    return Math.min(f.fetchDeadline, sendAt)
  }

  /**
   * UpdateRaftVoter for a voter whose endpoints in the voter set differ from its own listeners
   * (once per epoch, Kafka `pollFollowerAsVoter`); null when there is nothing to tell.
   */
  private updateVoterRequest(): UpdateRaftVoterRequest | null {
    if (this.kraftVersion < 1 || this.localEndpoints.length === 0 || this.updateVoterSentEpoch === this.quorum.epoch || this.hw === 0) return null
    const self = this.voters().find(v => v.id === this.nodeId)
    if (!self || self.directoryId !== this.directoryId) return null
    const same = (a: Endpoint[], b: Endpoint[]): boolean => a.length === b.length && a.every(x => b.some(y => x.name === y.name && x.host === y.host && x.port === y.port))
    if (same(self.endpoints, this.localEndpoints) && self.kraftVersion.min === SUPPORTED_KRAFT_VERSION.min && self.kraftVersion.max === SUPPORTED_KRAFT_VERSION.max) return null
    return {
      clusterId: this.clusterId, currentLeaderEpoch: this.quorum.epoch, voterId: this.nodeId, voterDirectoryId: this.directoryId,
      listeners: this.localEndpoints.map(e => ({name: e.name, host: e.host, port: e.port})),
      kRaftVersionFeature: {minSupportedVersion: SUPPORTED_KRAFT_VERSION.min, maxSupportedVersion: SUPPORTED_KRAFT_VERSION.max},
    }
  }

  private buildFetchOrFetchSnapshot(): RaftRequestBody {
    const d = this.quorum.data
    const dl = d.role === 'follower' ? d.follower.download : null
    if (dl) {
      return {apiKey: ApiKey.FETCH_SNAPSHOT, data: fetchSnapshotRequest({clusterId: this.clusterId, replicaId: this.nodeId, replicaDirectoryId: this.directoryId,
        epoch: this.quorum.epoch, snapshotId: dl.id, position: dl.position, maxBytes: MAX_BATCH_SIZE_BYTES})}
    }
    return {apiKey: ApiKey.FETCH, data: this.buildFetchRequest()}
  }

  private buildFetchRequest(): FetchRequest {
    return fetchRequest({clusterId: this.clusterId, replicaId: this.nodeId, replicaDirectoryId: this.directoryId, epoch: this.quorum.epoch,
      fetchOffset: this.log.endOffset(), lastFetchedEpoch: this.lastFetchedEpoch(), maxWaitMs: this.fetchMaxWaitMs, maxBytes: MAX_BATCH_SIZE_BYTES})
  }

  private pollUnattached(now: number): number {
    const d = this.quorum.data
    if (d.role !== 'unattached') return now
    if (!this.canCampaign()) {
      // An observer asks a random bootstrap server (static: a voter); the answer names the leader.
      const servers = this.bootstrapServers > 0 ? Array.from({length: this.bootstrapServers}, (_, i) => -(i + 2)) : this.quorum.voters.filter(v => v !== this.nodeId)
      if (servers.length === 0) return Infinity
      const ready = servers.filter(v => this.requests.isReady(v, now))
      if (ready.length === 0 || servers.some(v => this.requests.hasInflight(v, now))) return Math.min(...servers.map(v => this.requests.readyAt(v, now)))
      const v = ready[Math.floor(this.random() * ready.length)]
      return this.maybeSend(v, now, () => ({apiKey: ApiKey.FETCH, data: this.buildFetchRequest()}))
    }
    if (this.shutdownDeadline !== null) return Infinity
    if (d.electionDeadline === Infinity) d.electionDeadline = now + this.randomElectionTimeout() // it just became a voter
    if (now >= d.electionDeadline) {
      this.transitionToProspective(now, 0)
      return now
    }
    return d.electionDeadline
  }

  private pollResigned(now: number): number {
    const d = this.quorum.data
    if (d.role !== 'resigned') return now
    const r = d.resigned
    let next = Infinity
    for (const v of r.unackedVoters) {
      next = Math.min(next, this.maybeSend(v, now, () => ({apiKey: ApiKey.END_QUORUM_EPOCH, data: endQuorumEpochRequest({
        clusterId: this.clusterId, leaderId: this.nodeId, epoch: this.quorum.epoch, preferredSuccessors: r.preferredSuccessors,
      })})))
    }
    if (this.shutdownDeadline !== null) return Math.min(next, r.electionDeadline)
    if (now >= r.electionDeadline) {
      if (this.canCampaign()) this.transitionToProspective(now, 0)
      else this.transitionToUnattached(this.quorum.epoch, now)
      return now
    }
    return Math.min(next, r.electionDeadline)
  }

  /** Sends the request built by `build` when `destination` is ready; returns when it is ready again. */
  private maybeSend(destination: number, now: number, build: () => RaftRequestBody): number {
    if (this.requests.isReady(destination, now)) {
      const correlationId = this.nextCorrelationId++
      this.requests.onRequestSent(destination, correlationId, now)
      // static voters: the driver's controller.quorum.voters addresses
      const address = this.kraftVersion >= 1 && destination >= 0 ? this.endpointOf(destination) : null
      this.outbox.push({...build(), kind: 'request', destination, correlationId, address})
    }
    return this.requests.readyAt(destination, now)
  }

  // ---- transitions ----------------------------------------------------------------------------

  private randomElectionTimeout(): number {
    return this.config.electionTimeoutMs + Math.floor(this.random() * this.config.electionTimeoutMs)
  }

  /** Randomized binary exponential backoff after `retries` lost elections (Kafka `binaryExponentialElectionBackoffMs`). */
  private electionBackoffMs(retries: number): number {
    const bound = 2 << Math.min(20, Math.max(0, retries - 1))
    return Math.min(ELECTION_BACKOFF_BASE_MS * Math.floor(this.random() * bound), this.config.electionBackoffMaxMs)
  }

  private newFollower(now: number): {fetchDeadline: number, lastFetchSuccessMs: number, leaderResigned: boolean, download: null} {
    return {fetchDeadline: now + this.config.fetchTimeoutMs, lastFetchSuccessMs: -1, leaderResigned: false, download: null}
  }

  /** Leaves the current role: parked fetches are answered (with an error) and requests forgotten. */
  private leaveRole(): void {
    this.requests.resetAll()
    if (this.parked.length > 0) this.parkedDirty = 'all'
    if (this.quorum.role !== 'leader') this.finishVoterChange(ErrorCode.NOT_LEADER_OR_FOLLOWER, null)
  }

  private transitionToUnattached(epoch: number, now: number): void {
    const timeout = this.canCampaign() ? now + this.randomElectionTimeout() : Infinity
    if (epoch > this.quorum.epoch) this.quorum.set(epoch, -1, -1, {role: 'unattached', electionDeadline: timeout})
    else this.quorum.set(epoch, this.quorum.leaderId, this.quorum.votedId, {role: 'unattached', electionDeadline: timeout})
    this.leaveRole()
  }

  private transitionToFollower(epoch: number, leaderId: number, now: number): void {
    if (leaderId === this.nodeId) throw new RaftInvariantError(`Cannot follow itself in epoch ${epoch}`)
    const votedId = epoch === this.quorum.epoch ? this.quorum.votedId : -1
    this.quorum.set(epoch, leaderId, votedId, {role: 'follower', follower: this.newFollower(now)})
    this.logger.info(`Following leader ${leaderId} in epoch ${epoch}`)
    this.leaveRole()
  }

  private transitionToProspective(now: number, retries: number): void {
    const election = {granted: new Set([this.nodeId]), rejected: new Set<number>(), deadline: now + this.randomElectionTimeout(), retries}
    this.quorum.set(this.quorum.epoch, this.quorum.leaderId, this.quorum.votedId, {role: 'prospective', election})
    this.leaveRole()
    if (this.hasMajority(election.granted)) this.transitionToCandidate(now, retries)
  }

  private transitionToCandidate(now: number, retries: number): void {
    const epoch = this.quorum.epoch + 1
    const election = {granted: new Set([this.nodeId]), rejected: new Set<number>(), deadline: now + this.randomElectionTimeout(), retries, backoffUntil: null}
    this.quorum.set(epoch, -1, this.nodeId, {role: 'candidate', election})
    this.logger.info(`Candidate in epoch ${epoch} (log end offset ${this.log.endOffset()}, last epoch ${this.lastFetchedEpoch()})`)
    this.leaveRole()
    if (this.hasMajority(election.granted)) this.becomeLeader(now, election.granted)
  }

  private becomeLeader(now: number, granted: ReadonlySet<number>): void {
    const epoch = this.quorum.epoch
    const epochStartOffset = this.log.endOffset()
    const w = new Writer(32)
    writeLeaderChangeMessage(w, {version: 0, leaderId: this.nodeId, voters: this.quorum.voters.map(voterId => ({voterId})),
      grantingVoters: [...granted].map(voterId => ({voterId}))}, 0)
    const records = [{key: encodeControlRecordKey(ControlRecordType.LEADER_CHANGE), value: w.toBuffer(), timestamp: now}]
    // voters from the bootstrap snapshot are written to the log so that they replicate (Kafka `appendLeaderChangeMessageAndBootstrapRecords`)
    if (this.kraftVersion >= 1 && this.voterHistory.latestOffset() === -1) records.push(...voterControlRecords(this.voters(), now, true))
    const accumulator = new BatchAccumulator(epoch, epochStartOffset + records.length, this.config.appendLingerMs, MAX_BATCH_SIZE_BYTES)
    const ls = new LeaderState(this.nodeId, this.directoryId, epoch, epochStartOffset, this.voters(), granted, accumulator, this.config.fetchTimeoutMs, now)
    this.quorum.set(epoch, this.nodeId, this.nodeId, {role: 'leader', leader: ls})
    this.leaveRole()
    this.hwSentTo.clear()
    this.logger.info(`Leader of epoch ${epoch} (epoch start offset ${epochStartOffset}, voters ${JSON.stringify(this.quorum.voters)})`)
    this.appendControlBatch(ls, epochStartOffset, records)
  }

  /** Appends a control batch at `baseOffset` (the log end) in the leader's epoch, flushes, and counts it. */
  private appendControlBatch(ls: LeaderState, baseOffset: number, records: {key: Buffer, value: Buffer, timestamp: number}[]): number {
    const buf = encodeRecordBatch({baseOffset, partitionLeaderEpoch: ls.epoch, isControl: true, records})
    const info = this.log.appendAsLeader(buf, ls.epoch)
    if (info.firstOffset !== baseOffset) throw new RaftInvariantError(`Control batch appended at ${info.firstOffset}, expected ${baseOffset}`)
    this.afterAppend(buf)
    this.flushLeaderLog(ls)
    return info.lastOffset
  }

  /**
   * Appends a VotersRecord with `voters` (Kafka `LeaderState.appendVotersRecord`): the records
   * scheduled before it are written first. The new set takes effect at once.
   * @returns its offset
   */
  private appendVotersRecord(ls: LeaderState, voters: VoterSet, now: number): number {
    ls.accumulator.flushNow()
    this.drainAccumulator(ls, now)
    const base = this.log.endOffset()
    if (ls.accumulator.nextOffset !== base) throw new RaftInvariantError(`Accumulator at ${ls.accumulator.nextOffset}, log end offset ${base}`)
    const last = this.appendControlBatch(ls, base, voterControlRecords(voters, now, false))
    ls.accumulator.skip(last + 1 - base)
    return last
  }

  private transitionToResigned(now: number, preferredSuccessors: number[]): void {
    this.quorum.set(this.quorum.epoch, this.nodeId, this.nodeId, {role: 'resigned', resigned: {
      electionDeadline: now + this.randomElectionTimeout(), unackedVoters: new Set(preferredSuccessors), preferredSuccessors,
    }})
    this.logger.info(`Resigned as leader of epoch ${this.quorum.epoch}; preferred successors ${JSON.stringify(preferredSuccessors)}`)
    this.leaveRole()
  }

  /** A lost pre-election: back to following the known leader, else unattached (same epoch). */
  private prospectiveLost(now: number): void {
    const leader = this.quorum.leaderId
    if (leader >= 0 && leader !== this.nodeId) this.transitionToFollower(this.quorum.epoch, leader, now)
    else this.transitionToUnattached(this.quorum.epoch, now)
  }

  private hasMajority(ids: ReadonlySet<number>): boolean {
    let n = 0
    for (const v of this.quorum.voters) if (ids.has(v)) n++
    return n * 2 > this.quorum.voters.length
  }

  private isElectionRejected(e: Election): boolean {
    let n = 0
    for (const v of this.quorum.voters) if (e.rejected.has(v)) n++
    return (this.quorum.voters.length - n) * 2 <= this.quorum.voters.length
  }

  /**
   * Adopts what a request or response says about the leader of `epoch` (Kafka `maybeTransition`).
   * @throws RaftInvariantError when it names another leader of an epoch whose leader is known
   */
  private maybeTransition(leaderId: number, epoch: number, now: number): void {
    if (!this.isConsistentLeader(leaderId, epoch)) {
      throw new RaftInvariantError(`Leader ${leaderId} of epoch ${epoch} is inconsistent with this node: ${this.quorum.role} in epoch ${this.quorum.epoch}, leader ${this.quorum.leaderId}`)
    }
    if (epoch > this.quorum.epoch) {
      if (leaderId >= 0) this.transitionToFollower(epoch, leaderId, now)
      else this.transitionToUnattached(epoch, now)
    } else if (epoch === this.quorum.epoch && leaderId >= 0 && leaderId !== this.nodeId && (this.quorum.leaderId < 0 || this.quorum.role === 'unattached')) {
      // the leader of this epoch, which this node did not know (or an observer lost and found again)
      this.transitionToFollower(epoch, leaderId, now)
    }
  }

  private isConsistentLeader(leaderId: number, epoch: number): boolean {
    if (leaderId < 0 || epoch < this.quorum.epoch) return true
    if (epoch > this.quorum.epoch) return leaderId !== this.nodeId
    if (this.quorum.leaderId < 0) return leaderId !== this.nodeId
    return leaderId === this.quorum.leaderId
  }

  // ---- log helpers ----------------------------------------------------------------------------

  /** Epoch of the last record held (the snapshot's when the log is empty after one), 0 when none. */
  lastFetchedEpoch(): number {
    const e = this.log.lastEpoch()
    if (e !== null) return e
    return this.snapshotAt(this.log.endOffset())?.epoch ?? 0
  }

  /** The log's end offset for `epoch` (Kafka `KafkaMetadataLog.endOffsetForEpoch`). */
  private endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    const r = this.log.endOffsetForEpoch(epoch)
    if (r === null) return {offset: this.log.endOffset(), epoch: this.lastFetchedEpoch()}
    const startSnapshot = this.log.startOffset() > 0 ? this.snapshotAt(this.log.startOffset()) : null
    if (startSnapshot && r.offset === startSnapshot.endOffset && r.epoch === epoch) {
      // The epoch is older than every epoch in the log: the snapshot at the log start is the divergence point.
      return {offset: startSnapshot.endOffset, epoch: startSnapshot.epoch}
    }
    return r
  }

  /** Whether a replica at (offset, epoch) matches this log (Kafka `ReplicatedLog.validateOffsetAndEpoch`). */
  private validateOffsetAndEpoch(offset: number, epoch: number): ValidOffsetAndEpoch {
    const start = this.log.startOffset()
    if (start === 0 && offset === 0) return {kind: 'valid'}
    const startSnapshot = start > 0 ? this.snapshotAt(start) : null
    const latest = this.latestSnapshotId()
    if (latest && (offset < start || (startSnapshot && ((offset === start && epoch !== startSnapshot.epoch) || epoch < startSnapshot.epoch)))) {
      return {kind: 'snapshot', id: latest}
    }
    const e = this.endOffsetForEpoch(epoch)
    if (e.epoch !== epoch || e.offset < offset) return {kind: 'diverging', divergence: e}
    return {kind: 'valid'}
  }

  /** Where to truncate for the leader's diverging (end offset, epoch) (Kafka `truncateToEndOffset`). */
  private truncationOffset(d: OffsetAndEpoch): number {
    if (d.epoch === 0) return Math.min(d.offset, this.log.endOffset())
    const local = this.endOffsetForEpoch(d.epoch)
    return local.epoch === d.epoch ? Math.min(local.offset, d.offset) : local.offset
  }

  // ---- inbound requests -----------------------------------------------------------------------

  /** Handles a request; its response is in `takeOutbound()` now or after a later poll (a parked Fetch). */
  handleRequest(req: InboundRequest, now: number): void {
    switch (req.apiKey) {
      case ApiKey.VOTE: this.respond(req.requestId, {apiKey: ApiKey.VOTE, data: this.handleVoteRequest(req.data, now)}); break
      case ApiKey.BEGIN_QUORUM_EPOCH: this.respond(req.requestId, {apiKey: ApiKey.BEGIN_QUORUM_EPOCH, data: this.handleBeginQuorumEpochRequest(req.data, now)}); break
      case ApiKey.END_QUORUM_EPOCH: this.respond(req.requestId, {apiKey: ApiKey.END_QUORUM_EPOCH, data: this.handleEndQuorumEpochRequest(req.data, now)}); break
      case ApiKey.FETCH: this.handleFetchRequest(req.requestId, req.apiVersion, req.data, now); break
      case ApiKey.FETCH_SNAPSHOT: this.respond(req.requestId, {apiKey: ApiKey.FETCH_SNAPSHOT, data: this.handleFetchSnapshotRequest(req.data, now)}); break
      case ApiKey.ADD_RAFT_VOTER: {
        const res = this.handleAddRaftVoterRequest(req.requestId, req.data, now)
        if (res) this.respond(req.requestId, {apiKey: ApiKey.ADD_RAFT_VOTER, data: res})
        break
      }
      case ApiKey.REMOVE_RAFT_VOTER: {
        const res = this.handleRemoveRaftVoterRequest(req.requestId, req.data, now)
        if (res) this.respond(req.requestId, {apiKey: ApiKey.REMOVE_RAFT_VOTER, data: res})
        break
      }
      case ApiKey.UPDATE_RAFT_VOTER: this.respond(req.requestId, {apiKey: ApiKey.UPDATE_RAFT_VOTER, data: this.handleUpdateRaftVoterRequest(req.data, now)}); break
      case ApiKey.API_VERSIONS: this.respond(req.requestId, errorResponseBody(ApiKey.API_VERSIONS, ErrorCode.INVALID_REQUEST)); break
    }
    this.afterStep(now)
  }

  // ---- voter changes (KIP-853) ------------------------------------------------------------------

  /**
   * The checks common to AddRaftVoter, RemoveRaftVoter and UpdateRaftVoter on the leader (Kafka
   * `AddVoterHandler` steps 1-3): null when the change may go ahead.
   */
  private voterChangeProblem(op: string): {error: number, message: string} | null {
    const d = this.quorum.data
    if (d.role !== 'leader' || this.shutdownDeadline !== null) return {error: ErrorCode.NOT_LEADER_OR_FOLLOWER, message: `Node ${this.nodeId} is not the leader`}
    if (this.voterChange) return {error: ErrorCode.REQUEST_TIMED_OUT, message: 'Request timed out waiting for leader to handle previous voter operation'}
    const hw = d.leader.highWatermark
    if (hw === null) return {error: ErrorCode.REQUEST_TIMED_OUT, message: 'Request timed out waiting for leader to establish HWM and fence previous voter changes'}
    if (this.kraftVersion < 1) return {error: ErrorCode.UNSUPPORTED_VERSION, message: `Cluster doesn't support ${op} voter because the kraft.version feature is ${this.kraftVersion}`}
    const at = this.voterHistory.latestOffset()
    if (at === null || at >= hw) {
      return {error: ErrorCode.REQUEST_TIMED_OUT, message: `Request timed out waiting for voters to commit the latest voter change at ${at === null ? 'Optional.empty' : `Optional[${at}]`} with HWM ${hw}`}
    }
    return null
  }

  /**
   * AddRaftVoter (80): checks, then asks the new voter which kraft.version it supports
   * (ApiVersions); `handleApiVersionsResponse` appends the VotersRecord once it is caught up, and
   * the answer goes out when that record is committed (or REQUEST_TIMED_OUT at the deadline).
   * @returns the response now, or null when it comes later
   */
  private handleAddRaftVoterRequest(requestId: number, req: AddRaftVoterRequest, now: number): AddRaftVoterResponse | null {
    if (!this.hasValidClusterId(req.clusterId)) return addRaftVoterResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    if (req.voterId < 0 || req.voterDirectoryId === ZERO_UUID) {
      return addRaftVoterResponse(ErrorCode.INVALID_REQUEST, `Invalid replica key ${req.voterId}:${req.voterDirectoryId}`)
    }
    const problem = this.voterChangeProblem('adding')
    if (problem) return addRaftVoterResponse(problem.error, problem.message)
    if (this.voters().some(v => v.id === req.voterId)) {
      return addRaftVoterResponse(ErrorCode.DUPLICATE_VOTER, `The voter id for ReplicaKey(id=${req.voterId}, directoryId=${req.voterDirectoryId}) is already part of the set of voters ${describeVoters(this.voters())}.`)
    }
    const endpoints = req.listeners.map(l => ({name: l.name, host: l.host, port: l.port}))
    const address = endpoints.find(e => e.name === this.listenerName) ?? (this.listenerName === '' ? endpoints[0] : undefined)
    if (!address) return addRaftVoterResponse(ErrorCode.INVALID_REQUEST, `Add voter request didn't include the endpoint for the default listener ${this.listenerName}`)
    if (!this.requests.isReady(req.voterId, now)) return addRaftVoterResponse(ErrorCode.REQUEST_TIMED_OUT, `New voter ${req.voterId} is not ready to receive requests`)
    const correlationId = this.nextCorrelationId++
    this.requests.onRequestSent(req.voterId, correlationId, now)
    this.outbox.push({apiKey: ApiKey.API_VERSIONS, data: apiVersionsRequest(), kind: 'request', destination: req.voterId, correlationId, address: {host: address.host, port: address.port}})
    this.voterChange = {
      kind: 'add', requestId, apiVersionsCorrelationId: correlationId, lastOffset: null,
      voter: {id: req.voterId, directoryId: req.voterDirectoryId, endpoints, kraftVersion: {...SUPPORTED_KRAFT_VERSION}},
      deadline: now + (req.timeoutMs > 0 ? req.timeoutMs : this.config.requestTimeoutMs),
    }
    return null
  }

  /** The new voter's ApiVersions answer (Kafka `AddVoterHandler.handleApiVersionsResponse`). */
  private handleApiVersionsResponse(source: number, correlationId: number, res: ApiVersionsResponse | null, now: number): boolean {
    const vc = this.voterChange
    const d = this.quorum.data
    if (!vc || vc.kind !== 'add' || vc.lastOffset !== null || vc.apiVersionsCorrelationId !== correlationId || d.role !== 'leader') return true
    if (!res || res.errorCode !== ErrorCode.NONE) {
      this.finishVoterChange(ErrorCode.REQUEST_TIMED_OUT, `Aborted add voter operation for since API_VERSIONS returned an error ${res?.errorCode ?? 'NETWORK_EXCEPTION'}`)
      return false
    }
    const range = res.supportedFeatures.find(f => f.name === 'kraft.version')
    if (!range || range.minVersion > this.kraftVersion || range.maxVersion < this.kraftVersion) {
      this.finishVoterChange(ErrorCode.INVALID_REQUEST, `Aborted add voter operation for ${source} since the kraft.version range ` +
        `${range ? `(min: ${range.minVersion}, max: ${range.maxVersion})` : '(min: 0, max: 0)'} doesn't support the finalized version ${this.kraftVersion}`)
      return true
    }
    if (!d.leader.isReplicaCaughtUp(vc.voter.id, vc.voter.directoryId, now)) {
      this.finishVoterChange(ErrorCode.REQUEST_TIMED_OUT, `Aborted add voter operation for ReplicaKey(id=${vc.voter.id}, directoryId=${vc.voter.directoryId}) since it is lagging behind`)
      return true
    }
    vc.voter = {...vc.voter, kraftVersion: {min: range.minVersion, max: range.maxVersion}}
    this.logger.info(`Adding voter ${vc.voter.id} (directory ${vc.voter.directoryId})`)
    vc.lastOffset = this.appendVotersRecord(d.leader, sortVoters([...this.voters(), vc.voter]), now)
    return true
  }

  /** RemoveRaftVoter (81): appends the VotersRecord without it; answered once that is committed. */
  private handleRemoveRaftVoterRequest(requestId: number, req: RemoveRaftVoterRequest, now: number): RemoveRaftVoterResponse | null {
    if (!this.hasValidClusterId(req.clusterId)) return removeRaftVoterResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    if (req.voterId < 0 || req.voterDirectoryId === ZERO_UUID) {
      return removeRaftVoterResponse(ErrorCode.INVALID_REQUEST, `Invalid replica key ${req.voterId}:${req.voterDirectoryId}`)
    }
    const problem = this.voterChangeProblem('removing')
    if (problem) return removeRaftVoterResponse(problem.error, problem.message)
    const voters = this.voters()
    const target = voters.find(v => v.id === req.voterId && v.directoryId === req.voterDirectoryId)
    if (!target || voters.length === 1) {
      return removeRaftVoterResponse(ErrorCode.VOTER_NOT_FOUND, `Cannot remove voter ReplicaKey(id=${req.voterId}, directoryId=${req.voterDirectoryId}) from the set of voters ${describeVoters(voters)}`)
    }
    const d = this.quorum.data
    if (d.role !== 'leader') return removeRaftVoterResponse(ErrorCode.NOT_LEADER_OR_FOLLOWER)
    this.logger.info(`Removing voter ${target.id} (directory ${target.directoryId})`)
    const lastOffset = this.appendVotersRecord(d.leader, voters.filter(v => v !== target), now)
    this.voterChange = {kind: 'remove', requestId, voter: target, apiVersionsCorrelationId: -1, lastOffset, deadline: now + this.config.requestTimeoutMs}
    return null
  }

  /**
   * UpdateRaftVoter (82): a voter's new endpoints or kraft.version range; the VotersRecord is
   * appended and the answer does not wait for its commit (Kafka `UpdateVoterHandler`).
   */
  private handleUpdateRaftVoterRequest(req: UpdateRaftVoterRequest, now: number): UpdateRaftVoterResponse {
    if (!this.hasValidClusterId(req.clusterId)) return updateRaftVoterResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    const leader = (): {leaderId: number, leaderEpoch: number, host: string, port: number} => {
      const id = this.quorum.currentLeaderId()
      const e = id >= 0 ? this.endpointOf(id) : null
      return {leaderId: id, leaderEpoch: this.quorum.epoch, host: e?.host ?? '', port: e?.port ?? 0}
    }
    const err = this.validateLeaderOnlyRequest(req.currentLeaderEpoch)
    if (err !== ErrorCode.NONE) return updateRaftVoterResponse(err, leader())
    if (req.voterId < 0 || req.voterDirectoryId === ZERO_UUID) return updateRaftVoterResponse(ErrorCode.INVALID_REQUEST, leader())
    const problem = this.voterChangeProblem('updating')
    if (problem) return updateRaftVoterResponse(problem.error, leader())
    const range = req.kRaftVersionFeature
    if (range.minSupportedVersion > this.kraftVersion || range.maxSupportedVersion < this.kraftVersion) return updateRaftVoterResponse(ErrorCode.INVALID_REQUEST, leader())
    const endpoints = req.listeners.map(l => ({name: l.name, host: l.host, port: l.port}))
    if (!endpoints.some(e => e.name === this.listenerName)) return updateRaftVoterResponse(ErrorCode.INVALID_REQUEST, leader())
    const voters = this.voters()
    const current = voters.find(v => v.id === req.voterId && v.directoryId === req.voterDirectoryId)
    if (!current) return updateRaftVoterResponse(ErrorCode.VOTER_NOT_FOUND, leader())
    const d = this.quorum.data
    if (d.role !== 'leader') return updateRaftVoterResponse(ErrorCode.NOT_LEADER_OR_FOLLOWER, leader())
    const updated = {...current, endpoints, kraftVersion: {min: range.minSupportedVersion, max: range.maxSupportedVersion}}
    this.logger.info(`Updating voter ${current.id}: endpoints ${JSON.stringify(endpoints)}`)
    this.appendVotersRecord(d.leader, voters.map(v => v === current ? updated : v), now)
    return updateRaftVoterResponse(ErrorCode.NONE, leader())
  }

  /** Answers the pending AddRaftVoter / RemoveRaftVoter and forgets it. */
  private finishVoterChange(error: number, message: string | null): void {
    const vc = this.voterChange
    if (!vc) return
    this.voterChange = null
    if (error !== ErrorCode.NONE) this.logger.info(`${vc.kind === 'add' ? 'Adding' : 'Removing'} voter ${vc.voter.id} failed: error ${error}${message ? ` (${message})` : ''}`)
    if (vc.kind === 'add') this.respond(vc.requestId, {apiKey: ApiKey.ADD_RAFT_VOTER, data: addRaftVoterResponse(error, message)})
    else this.respond(vc.requestId, {apiKey: ApiKey.REMOVE_RAFT_VOTER, data: removeRaftVoterResponse(error, message)})
  }

  /** Sends a Fetch response, remembering the high watermark the replica now knows (leader only). */
  private respondToFetch(requestId: number, apiVersion: number, req: FetchRequest, data: FetchResponse): void {
    const hw = data.responses[0]?.partitions[0]?.highWatermark ?? -1
    const replicaId = fetchReplicaId(req, apiVersion)
    if (this.quorum.role === 'leader' && replicaId >= 0 && hw >= 0) this.hwSentTo.set(replicaId, hw)
    this.respond(requestId, {apiKey: ApiKey.FETCH, data})
  }

  private respond(requestId: number, body: RaftResponseBody): void {
    if ('nodeEndpoints' in body.data && body.data.nodeEndpoints.length === 0) {
      // where the leader this node knows listens (Fetch v16+, Vote/BeginQuorumEpoch/EndQuorumEpoch v1+, FetchSnapshot v1+)
      const leaderId = this.quorum.currentLeaderId()
      const e = leaderId >= 0 ? this.endpointOf(leaderId) : null
      if (e) body.data.nodeEndpoints = [{nodeId: leaderId, host: e.host, port: e.port, rack: null}]
    }
    this.outbox.push({...body, kind: 'response', requestId})
  }

  private hasValidClusterId(clusterId: string | null): boolean {
    return clusterId === null || clusterId === this.clusterId
  }

  private static isMetadataPartition(topics: {topicName: string, partitions: {partitionIndex: number}[]}[]): boolean {
    return topics.length === 1 && topics[0].topicName === METADATA_TOPIC_NAME && topics[0].partitions.length === 1 && topics[0].partitions[0].partitionIndex === 0
  }

  /**
   * Vote, BeginQuorumEpoch, EndQuorumEpoch: only in this epoch or later; with static voters only
   * between voters. With a dynamic quorum the voter sets of two replicas may differ for a while
   * (a VotersRecord not replicated yet), so any replica takes part (KIP-853).
   */
  private validateVoterOnlyRequest(remoteId: number, epoch: number): number {
    if (epoch < this.quorum.epoch) return ErrorCode.FENCED_LEADER_EPOCH
    if (remoteId < 0) return ErrorCode.INVALID_REQUEST
    if (this.kraftVersion === 0 && (!this.quorum.isVoter || !this.quorum.isVoterId(remoteId))) return ErrorCode.INCONSISTENT_VOTER_SET
    return ErrorCode.NONE
  }

  /** A request meant for replica (voterId, voterDirectoryId): this one? (v1+; -1 / zero: any) */
  private isLocalVoterKey(voterId: number, voterDirectoryId: string): boolean {
    if (voterId >= 0 && voterId !== this.nodeId) return false
    return voterDirectoryId === ZERO_UUID || this.directoryId === ZERO_UUID || voterDirectoryId === this.directoryId
  }

  /** Fetch, FetchSnapshot: only to the leader of exactly this epoch. */
  private validateLeaderOnlyRequest(epoch: number): number {
    if (epoch < this.quorum.epoch) return ErrorCode.FENCED_LEADER_EPOCH
    if (epoch > this.quorum.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH
    if (this.quorum.role !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER
    if (this.shutdownDeadline !== null) return ErrorCode.BROKER_NOT_AVAILABLE
    return ErrorCode.NONE
  }

  private handleVoteRequest(req: VoteRequest, now: number): VoteResponse {
    if (!this.hasValidClusterId(req.clusterId)) return voteResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    if (!KafkaRaftClient.isMetadataPartition(req.topics)) return voteResponse(ErrorCode.INVALID_REQUEST)
    const p = req.topics[0].partitions[0]
    const reply = (errorCode: number, voteGranted = false): VoteResponse =>
      voteResponse(ErrorCode.NONE, {errorCode, leaderId: this.quorum.currentLeaderId(), leaderEpoch: this.quorum.epoch, voteGranted})
    if (p.lastOffset < 0 || p.lastOffsetEpoch < 0 || p.lastOffsetEpoch > p.candidateEpoch || (!p.preVote && p.lastOffsetEpoch === p.candidateEpoch)) {
      return reply(ErrorCode.INVALID_REQUEST)
    }
    const err = this.validateVoterOnlyRequest(p.candidateId, p.candidateEpoch)
    if (err !== ErrorCode.NONE) return reply(err)
    if (!this.isLocalVoterKey(req.voterId, p.voterDirectoryId)) return reply(ErrorCode.INVALID_VOTER_KEY)
    if (p.candidateEpoch > this.quorum.epoch) this.transitionToUnattached(p.candidateEpoch, now)
    const ours = this.lastFetchedEpoch()
    const upToDate = p.lastOffsetEpoch > ours || (p.lastOffsetEpoch === ours && p.lastOffset >= this.log.endOffset())
    const granted = this.quorum.canGrantVote(p.candidateId, upToDate, p.preVote, now, this.config.fetchTimeoutMs)
    if (granted && !p.preVote && this.quorum.votedId < 0) {
      // Persist the vote before answering; wait a fresh election timeout for the candidate.
      this.quorum.set(this.quorum.epoch, -1, p.candidateId, {role: 'unattached', electionDeadline: now + this.randomElectionTimeout()})
      this.leaveRole()
    }
    this.logger.debug?.(`${p.preVote ? 'Pre-vote' : 'Vote'} for ${p.candidateId} in epoch ${p.candidateEpoch}: ${granted ? 'granted' : 'rejected'}`)
    return reply(ErrorCode.NONE, granted)
  }

  private handleBeginQuorumEpochRequest(req: BeginQuorumEpochRequest, now: number): BeginQuorumEpochResponse {
    if (!this.hasValidClusterId(req.clusterId)) return beginQuorumEpochResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    if (!KafkaRaftClient.isMetadataPartition(req.topics)) return beginQuorumEpochResponse(ErrorCode.INVALID_REQUEST)
    const p = req.topics[0].partitions[0]
    const reply = (errorCode: number): BeginQuorumEpochResponse =>
      beginQuorumEpochResponse(ErrorCode.NONE, {errorCode, leaderId: this.quorum.currentLeaderId(), leaderEpoch: this.quorum.epoch})
    const err = this.validateVoterOnlyRequest(p.leaderId, p.leaderEpoch)
    if (err !== ErrorCode.NONE) return reply(err)
    if (!this.isLocalVoterKey(req.voterId, p.voterDirectoryId)) return reply(ErrorCode.INVALID_VOTER_KEY)
    const e = req.leaderEndpoints.find(x => x.name === this.listenerName)
    if (e && p.leaderId !== this.nodeId) this.knownEndpoints.set(p.leaderId, {host: e.host, port: e.port})
    this.maybeTransition(p.leaderId, p.leaderEpoch, now)
    return reply(ErrorCode.NONE)
  }

  private handleEndQuorumEpochRequest(req: EndQuorumEpochRequest, now: number): EndQuorumEpochResponse {
    if (!this.hasValidClusterId(req.clusterId)) return endQuorumEpochResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    if (!KafkaRaftClient.isMetadataPartition(req.topics)) return endQuorumEpochResponse(ErrorCode.INVALID_REQUEST)
    const p = req.topics[0].partitions[0]
    const reply = (errorCode: number): EndQuorumEpochResponse =>
      endQuorumEpochResponse(ErrorCode.NONE, {errorCode, leaderId: this.quorum.currentLeaderId(), leaderEpoch: this.quorum.epoch})
    const err = this.validateVoterOnlyRequest(p.leaderId, p.leaderEpoch)
    if (err !== ErrorCode.NONE) return reply(err)
    this.maybeTransition(p.leaderId, p.leaderEpoch, now)
    const d = this.quorum.data
    if (d.role === 'follower' && this.quorum.leaderId === p.leaderId) {
      const successors = p.preferredCandidates.length > 0 ? p.preferredCandidates.map(c => c.candidateId) : p.preferredSuccessors
      d.follower.leaderResigned = true
      d.follower.fetchDeadline = Math.min(d.follower.fetchDeadline, now + this.endEpochElectionBackoff(successors))
    }
    return reply(ErrorCode.NONE)
  }

  /** The first preferred successor campaigns at once, later ones wait longer, others the maximum (Kafka `strictExponentialElectionBackoffMs`). */
  private endEpochElectionBackoff(successors: number[]): number {
    const position = successors.indexOf(this.nodeId)
    if (position === 0) return 0
    const max = this.config.electionBackoffMaxMs
    if (position < 0) return max
    const base = max >> (successors.length - 1)
    return Math.min(max, base << (position - 1))
  }

  private static isMetadataFetchTopic(topics: FetchRequest['topics'], apiVersion: number): boolean {
    if (topics.length !== 1 || topics[0].partitions.length !== 1 || topics[0].partitions[0].partition !== 0) return false
    return apiVersion >= 13 ? topics[0].topicId === METADATA_TOPIC_ID : topics[0].topic === METADATA_TOPIC_NAME
  }

  private handleFetchRequest(requestId: number, apiVersion: number, req: FetchRequest, now: number): void {
    const send = (data: FetchResponse): void => this.respondToFetch(requestId, apiVersion, req, data)
    if (!this.hasValidClusterId(req.clusterId)) return send(fetchResponse(ErrorCode.INCONSISTENT_CLUSTER_ID))
    if (!KafkaRaftClient.isMetadataFetchTopic(req.topics, apiVersion)) return send(fetchResponse(ErrorCode.INVALID_REQUEST))
    const p = req.topics[0].partitions[0]
    if (req.maxWaitMs < 0 || p.fetchOffset < 0 || p.lastFetchedEpoch < 0 || p.lastFetchedEpoch > p.currentLeaderEpoch) {
      return send(fetchResponse(ErrorCode.NONE, {errorCode: ErrorCode.INVALID_REQUEST}))
    }
    const res = this.tryCompleteFetch(req, apiVersion, now)
    const pd = res.responses[0].partitions[0]
    const replicaId = fetchReplicaId(req, apiVersion)
    const hwNotSeen = replicaId >= 0 && pd.highWatermark > (this.hwSentTo.get(replicaId) ?? -1)
    if (pd.errorCode !== ErrorCode.NONE || (pd.records?.length ?? 0) > 0 || req.maxWaitMs === 0 || pd.divergingEpoch.epoch >= 0 || pd.snapshotId.epoch >= 0 || hwNotSeen) {
      return send(res)
    }
    this.parked.push({requestId, apiVersion, request: req, deadline: now + req.maxWaitMs})
  }

  private tryCompleteFetch(req: FetchRequest, apiVersion: number, now: number): FetchResponse {
    const p = req.topics[0].partitions[0]
    const currentLeader = {leaderId: this.quorum.currentLeaderId(), leaderEpoch: this.quorum.epoch}
    const err = this.validateLeaderOnlyRequest(p.currentLeaderEpoch)
    const d = this.quorum.data
    if (err !== ErrorCode.NONE || d.role !== 'leader') return fetchResponse(ErrorCode.NONE, {errorCode: err, currentLeader})
    const ls = d.leader
    const latest = this.latestSnapshotId()
    const v: ValidOffsetAndEpoch = p.fetchOffset === 0 && latest ? {kind: 'snapshot', id: latest} : this.validateOffsetAndEpoch(p.fetchOffset, p.lastFetchedEpoch)
    const base = {currentLeader, highWatermark: ls.highWatermark ?? -1, logStartOffset: this.log.startOffset()}
    if (v.kind === 'diverging') return fetchResponse(ErrorCode.NONE, {...base, divergingEpoch: {epoch: v.divergence.epoch, endOffset: v.divergence.offset}})
    if (v.kind === 'snapshot') return fetchResponse(ErrorCode.NONE, {...base, snapshotId: {endOffset: v.id.endOffset, epoch: v.id.epoch}})
    if (p.fetchOffset > this.log.endOffset() || p.fetchOffset < this.log.startOffset()) {
      return fetchResponse(ErrorCode.NONE, {...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE})
    }
    const maxBytes = Math.min(req.maxBytes, p.partitionMaxBytes > 0 ? p.partitionMaxBytes : MAX_BATCH_SIZE_BYTES, MAX_BATCH_SIZE_BYTES)
    const records = this.log.read(p.fetchOffset, maxBytes)
    const replicaId = fetchReplicaId(req, apiVersion)
    if (ls.updateReplicaState(replicaId, p.replicaDirectoryId, p.fetchOffset, now)) this.onLeaderHighWatermark(ls)
    return fetchResponse(ErrorCode.NONE, {...base, highWatermark: ls.highWatermark ?? -1, records})
  }

  private handleFetchSnapshotRequest(req: FetchSnapshotRequest, now: number): FetchSnapshotResponse {
    if (!this.hasValidClusterId(req.clusterId)) return fetchSnapshotResponse(ErrorCode.INCONSISTENT_CLUSTER_ID)
    if (req.topics.length !== 1 || req.topics[0].partitions.length !== 1) return fetchSnapshotResponse(ErrorCode.INVALID_REQUEST)
    const p = req.topics[0].partitions[0]
    const currentLeader = {leaderId: this.quorum.currentLeaderId(), leaderEpoch: this.quorum.epoch}
    if (req.topics[0].name !== METADATA_TOPIC_NAME || p.partition !== 0) {
      return fetchSnapshotResponse(ErrorCode.NONE, {index: p.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, currentLeader})
    }
    const err = this.validateLeaderOnlyRequest(p.currentLeaderEpoch)
    const d = this.quorum.data
    if (err !== ErrorCode.NONE || d.role !== 'leader') return fetchSnapshotResponse(ErrorCode.NONE, {errorCode: err, currentLeader})
    const id = {endOffset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch}
    const size = this.snapshots.some(s => s.endOffset === id.endOffset && s.epoch === id.epoch) ? this.snapshotStore.size(id) : -1
    if (size < 0) return fetchSnapshotResponse(ErrorCode.NONE, {errorCode: ErrorCode.SNAPSHOT_NOT_FOUND, currentLeader})
    if (p.position < 0 || p.position >= size) return fetchSnapshotResponse(ErrorCode.NONE, {errorCode: ErrorCode.POSITION_OUT_OF_RANGE, currentLeader})
    const chunk = this.snapshotStore.read(id, p.position, Math.min(req.maxBytes > 0 ? req.maxBytes : MAX_BATCH_SIZE_BYTES, MAX_BATCH_SIZE_BYTES))
    d.leader.updateCheckQuorum(req.replicaId, now)
    return fetchSnapshotResponse(ErrorCode.NONE, {snapshotId: id, currentLeader, size, position: p.position, unalignedRecords: chunk})
  }

  // ---- inbound responses ----------------------------------------------------------------------

  /** Handles the response (or failure) of a request this node sent; stale ones are ignored. */
  handleResponse(res: InboundResponse, now: number): void {
    if (!this.requests.isResponseExpected(res.source, res.correlationId)) return
    let success = false
    if (!('error' in res) && (res.data as {errorCode?: number}).errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID) this.onInconsistentClusterId(res.source, res.apiKey)
    if ('error' in res) {
      if (res.apiKey === ApiKey.API_VERSIONS) this.handleApiVersionsResponse(res.source, res.correlationId, null, now)
    } else {
      if ('nodeEndpoints' in res.data) this.learnEndpoints(res.data.nodeEndpoints)
      switch (res.apiKey) {
        case ApiKey.API_VERSIONS: success = this.handleApiVersionsResponse(res.source, res.correlationId, res.data, now); break
        case ApiKey.UPDATE_RAFT_VOTER: success = this.handleUpdateRaftVoterResponse(res.data, now); break
        case ApiKey.VOTE: success = this.handleVoteResponse(res.source, res.data, now); break
        case ApiKey.BEGIN_QUORUM_EPOCH: success = this.handleBeginQuorumEpochResponse(res.source, res.data, now); break
        case ApiKey.END_QUORUM_EPOCH: success = this.handleEndQuorumEpochResponse(res.source, res.data, now); break
        case ApiKey.FETCH: success = this.handleFetchResponse(res.source, res.data, now); break
        case ApiKey.FETCH_SNAPSHOT: success = this.handleFetchSnapshotResponse(res.source, res.data, now); break
      }
    }
    if (this.requests.isResponseExpected(res.source, res.correlationId)) this.requests.onResponse(res.source, success, now)
    this.afterStep(now)
  }

  /** Voters that answered this node with INCONSISTENT_CLUSTER_ID. */
  private readonly refusedBy = new Set<number>()

  /**
   * A peer says this node belongs to another cluster. Fatal when it is the leader answering a Fetch
   * (observers and followers fetch only from the leader they were told of) or when a majority of the
   * other voters say so; a single voter saying so is the odd one out, not this node.
   * @throws InconsistentClusterIdError
   */
  private onInconsistentClusterId(source: number, apiKey: number): void {
    this.refusedBy.add(source)
    const others = this.quorum.voters.filter(v => v !== this.nodeId)
    const refusing = others.filter(v => this.refusedBy.has(v)).length
    if (apiKey === ApiKey.FETCH || apiKey === ApiKey.FETCH_SNAPSHOT || refusing * 2 > others.length) {
      throw new InconsistentClusterIdError(`The metadata quorum belongs to another cluster: node ${source} answered INCONSISTENT_CLUSTER_ID (this node's storage was formatted with cluster id ${this.clusterId}; reformat it with the quorum's cluster id)`)
    }
  }

  /** Leader endpoints in a response (NodeEndpoints, KIP-853): how to reach a leader this node may not know. */
  private learnEndpoints(nodes: readonly {nodeId: number, host: string, port: number}[]): void {
    for (const n of nodes) if (n.nodeId >= 0 && n.nodeId !== this.nodeId) this.knownEndpoints.set(n.nodeId, {host: n.host, port: n.port})
  }

  private handleUpdateRaftVoterResponse(res: UpdateRaftVoterResponse, now: number): boolean {
    const l = res.currentLeader
    if (l.leaderId >= 0 && l.host !== '') this.knownEndpoints.set(l.leaderId, {host: l.host, port: l.port})
    const handled = this.handleCommonResponse(res.errorCode, l.leaderId, l.leaderEpoch, now)
    if (handled !== null) return handled
    if (res.errorCode === ErrorCode.NONE) return true
    // try again in this epoch, after a fetch timeout
    this.updateVoterSentEpoch = -1
    this.updateVoterRetryAt = now + this.config.fetchTimeoutMs
    return false
  }

  /**
   * What every response says about epochs and leaders (Kafka `maybeHandleCommonResponse`).
   * @returns true/false (handled: success or not), or null when the API handler goes on
   */
  private handleCommonResponse(error: number, leaderId: number, epoch: number, now: number): boolean | null {
    if (epoch < this.quorum.epoch || error === ErrorCode.UNKNOWN_LEADER_EPOCH) return true
    if (epoch > this.quorum.epoch || error === ErrorCode.FENCED_LEADER_EPOCH || error === ErrorCode.NOT_LEADER_OR_FOLLOWER) {
      this.maybeTransition(leaderId, epoch, now)
      return true
    }
    if (leaderId >= 0 && leaderId !== this.nodeId && (this.quorum.leaderId < 0 || this.quorum.role === 'unattached')) {
      // learning the leader of this epoch (an observer asking a voter): follow it, and use the response
      this.maybeTransition(leaderId, epoch, now)
      return error === ErrorCode.NONE ? null : true
    }
    if (error === ErrorCode.BROKER_NOT_AVAILABLE) return false
    if (error === ErrorCode.INVALID_VOTER_KEY) return true
    return null
  }

  private partitionOf<P>(topics: {partitions: P[]}[]): P | null {
    return topics.length === 1 && topics[0].partitions.length === 1 ? topics[0].partitions[0] : null
  }

  private handleVoteResponse(source: number, res: VoteResponse, now: number): boolean {
    if (res.errorCode !== ErrorCode.NONE) return false
    const p = this.partitionOf(res.topics)
    if (!p) return false
    const handled = this.handleCommonResponse(p.errorCode, p.leaderId, p.leaderEpoch, now)
    if (handled !== null) return handled
    if (p.errorCode !== ErrorCode.NONE) return false
    const d = this.quorum.data
    if (d.role !== 'prospective' && d.role !== 'candidate') return true
    const e = d.election
    if (p.voteGranted) e.granted.add(source)
    else e.rejected.add(source)
    if (d.role === 'prospective') {
      if (this.hasMajority(e.granted)) this.transitionToCandidate(now, e.retries)
      else if (this.isElectionRejected(e)) this.prospectiveLost(now)
    } else {
      if (this.hasMajority(e.granted)) this.becomeLeader(now, e.granted)
      else if (this.isElectionRejected(d.election) && d.election.backoffUntil === null) {
        d.election.backoffUntil = now + this.electionBackoffMs(d.election.retries + 1)
        this.logger.info(`Lost the election in epoch ${this.quorum.epoch}; backing off ${d.election.backoffUntil - now} ms`)
      }
    }
    return true
  }

  private handleBeginQuorumEpochResponse(source: number, res: BeginQuorumEpochResponse, now: number): boolean {
    if (res.errorCode !== ErrorCode.NONE) return false
    const p = this.partitionOf(res.topics)
    if (!p) return false
    const handled = this.handleCommonResponse(p.errorCode, p.leaderId, p.leaderEpoch, now)
    if (handled !== null) return handled
    if (p.errorCode !== ErrorCode.NONE) return false
    const d = this.quorum.data
    if (d.role === 'leader') d.leader.acknowledge(source)
    return true
  }

  private handleEndQuorumEpochResponse(source: number, res: EndQuorumEpochResponse, now: number): boolean {
    if (res.errorCode !== ErrorCode.NONE) return false
    const p = this.partitionOf(res.topics)
    if (!p) return false
    const handled = this.handleCommonResponse(p.errorCode, p.leaderId, p.leaderEpoch, now)
    if (handled !== null) return handled
    if (p.errorCode !== ErrorCode.NONE) return false
    const d = this.quorum.data
    if (d.role === 'resigned') d.resigned.unackedVoters.delete(source)
    return true
  }

  private handleFetchResponse(source: number, res: FetchResponse, now: number): boolean {
    if (res.errorCode !== ErrorCode.NONE) return false
    const p = this.partitionOf(res.responses)
    if (!p) return false
    const handled = this.handleCommonResponse(p.errorCode, p.currentLeader.leaderId, p.currentLeader.leaderEpoch, now)
    if (handled !== null) return handled
    const d = this.quorum.data
    if (d.role !== 'follower' || source !== this.quorum.leaderId || p.errorCode !== ErrorCode.NONE) return false
    const f = d.follower
    if (p.divergingEpoch.epoch >= 0) {
      const target = Math.max(this.truncationOffset({offset: p.divergingEpoch.endOffset, epoch: p.divergingEpoch.epoch}), this.log.startOffset())
      if (target < this.hw) throw new RaftInvariantError(`Leader ${source} asked to truncate to ${target}, below the high watermark ${this.hw}`)
      this.logger.info(`Truncating the log to ${target} (diverging epoch ${p.divergingEpoch.epoch} ends at ${p.divergingEpoch.endOffset} on leader ${source})`)
      this.log.truncateTo(target)
      this.log.flush()
      if (this.kraftVersion >= 1) {
        this.voterHistory.truncateTo(target)
        this.onVotersChanged()
      }
    } else if (p.snapshotId.epoch >= 0 || p.snapshotId.endOffset >= 0) {
      if (p.snapshotId.epoch < 0 || p.snapshotId.endOffset < 0) return false
      const id = {endOffset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch}
      if (this.snapshots.some(s => s.endOffset === id.endOffset && s.epoch === id.epoch)) this.installSnapshot(id)
      else {
        f.download = {id, chunks: [], position: 0}
        this.logger.info(`Fetching snapshot ${snapshotName(id)} from leader ${source}`)
      }
    } else {
      const records = p.records
      if (records && records.length > 0) {
        const first = records.length >= 8 ? records.readBigInt64BE(0) : -1n
        if (Number(first) !== this.log.endOffset()) {
          this.logger.warn(`Ignoring a Fetch response from ${source} whose records start at ${first}, not at the log end offset ${this.log.endOffset()}`)
          return false
        }
        this.log.appendAsFollower(records)
        this.log.flush()
        this.afterAppend(records)
      }
      if (p.highWatermark >= 0) this.updateFollowerHighWatermark(Math.min(p.highWatermark, this.log.endOffset()))
    }
    f.lastFetchSuccessMs = now
    f.fetchDeadline = Math.max(f.fetchDeadline, now + (f.leaderResigned ? 0 : this.config.fetchTimeoutMs))
    return true
  }

  private updateFollowerHighWatermark(hw: number): void {
    if (hw > this.hw) this.hw = hw
    else if (hw < this.hw) this.logger.debug?.(`Ignoring a high watermark ${hw} below ${this.hw}`)
  }

  private handleFetchSnapshotResponse(source: number, res: FetchSnapshotResponse, now: number): boolean {
    if (res.errorCode !== ErrorCode.NONE) return false
    const p = this.partitionOf(res.topics)
    if (!p) return false
    const handled = this.handleCommonResponse(p.errorCode, p.currentLeader.leaderId, p.currentLeader.leaderEpoch, now)
    if (handled !== null) return handled
    const d = this.quorum.data
    if (d.role !== 'follower' || source !== this.quorum.leaderId || !d.follower.download) return false
    const f = d.follower
    const dl = d.follower.download!
    if (p.errorCode === ErrorCode.SNAPSHOT_NOT_FOUND || p.snapshotId.endOffset < 0 || p.snapshotId.epoch < 0) {
      this.logger.info(`Leader ${source} no longer has snapshot ${snapshotName(dl.id)}; fetching again`)
      f.download = null
      return true
    }
    if (p.errorCode !== ErrorCode.NONE) return false
    const chunk = p.unalignedRecords ?? Buffer.alloc(0)
    if (p.snapshotId.endOffset !== dl.id.endOffset || p.snapshotId.epoch !== dl.id.epoch || p.position !== dl.position || chunk.length === 0 || dl.position + chunk.length > p.size) {
      this.logger.warn(`Unexpected FetchSnapshot response from ${source} (snapshot ${p.snapshotId.endOffset}-${p.snapshotId.epoch} at ${p.position}); restarting the download`)
      f.download = null
      return false
    }
    dl.chunks.push(Buffer.from(chunk))
    dl.position += chunk.length
    if (dl.position === p.size) {
      const bytes = Buffer.concat(dl.chunks)
      f.download = null
      try {
        decodeSnapshot(bytes)
      } catch (err) {
        this.logger.error(`Downloaded snapshot ${snapshotName(dl.id)} is invalid; fetching again`, err)
        return false
      }
      this.snapshotStore.write(dl.id, bytes)
      this.snapshots.push(dl.id)
      this.snapshots.sort((a, b) => a.endOffset - b.endOffset)
      this.installSnapshot(dl.id)
    }
    f.lastFetchSuccessMs = now
    f.fetchDeadline = Math.max(f.fetchDeadline, now + (f.leaderResigned ? 0 : this.config.fetchTimeoutMs))
    return true
  }

  /** The log restarts empty at a complete snapshot from the leader; older snapshots go. */
  private installSnapshot(id: SnapshotId): void {
    if (this.hw > id.endOffset) throw new RaftInvariantError(`Snapshot ${snapshotName(id)} ends below the high watermark ${this.hw}`)
    this.log.truncateFullyAndStartAt(id.endOffset)
    if (this.kraftVersion >= 1) {
      const voters = decodeSnapshotVoters(this.snapshotStore.read(id, 0, this.snapshotStore.size(id)))
      if (voters) this.voterHistory.reset(voters, id.endOffset - 1)
      else this.voterHistory.truncateTo(id.endOffset)
      this.onVotersChanged()
    }
    for (const s of [...this.snapshots]) if (s.endOffset < id.endOffset) this.deleteSnapshot(s)
    this.hw = id.endOffset
    this.logger.info(`Installed snapshot ${snapshotName(id)}; the log starts at ${id.endOffset}`)
  }

  // ---- after every step: parked fetches, listeners --------------------------------------------

  private afterStep(now: number): void {
    while (this.parkedDirty !== 'none') {
      const mode = this.parkedDirty
      this.parkedDirty = 'none'
      const end = this.log.endOffset()
      const due = this.parked.filter(p => mode === 'all' || p.deadline <= now || p.request.topics[0].partitions[0].fetchOffset < end)
      if (due.length === 0) continue
      this.parked = this.parked.filter(p => !due.includes(p))
      for (const p of due) this.respondToFetch(p.requestId, p.apiVersion, p.request, this.tryCompleteFetch(p.request, p.apiVersion, now))
    }
    this.deliverToListeners()
  }

  private deliverToListeners(): void {
    for (const ctx of this.listeners) {
      for (let guard = 0; guard < 1_000_000; guard++) {
        if (!this.deliverOnce(ctx)) break
      }
      this.maybeFireLeaderChange(ctx)
    }
  }

  /** Delivers the next snapshot or batches to one listener; false when there is nothing to deliver. */
  private deliverOnce(ctx: ListenerContext<T>): boolean {
    const hw = this.hw
    const latest = this.latestSnapshotId()
    if (ctx.nextOffset === -1 || ctx.nextOffset < this.log.startOffset()) {
      if (latest && latest.endOffset <= hw && latest.endOffset > ctx.nextOffset) {
        const bytes = this.snapshotStore.read(latest, 0, this.snapshotStore.size(latest))
        const records = decodeSnapshot(bytes).map(v => this.serde.decode(v))
        ctx.nextOffset = latest.endOffset
        this.safely(() => ctx.listener.handleLoadSnapshot({id: latest, records}))
        return true
      }
      if (ctx.nextOffset === -1) {
        ctx.nextOffset = 0
        return true
      }
      if (ctx.nextOffset < this.log.startOffset()) return false
    }
    if (ctx.nextOffset >= hw) return false
    const buf = this.log.read(ctx.nextOffset, MAX_BATCH_SIZE_BYTES)
    let progressed = false
    for (const b of decodeRecordBatches(buf)) {
      if (b.lastOffset < ctx.nextOffset) continue
      if (b.baseOffset !== ctx.nextOffset) throw new RaftInvariantError(`Batch at ${b.baseOffset} does not start at the next delivery offset ${ctx.nextOffset}`)
      if (b.lastOffset >= hw) break
      ctx.nextOffset = b.lastOffset + 1
      progressed = true
      if (b.isControl) continue
      const records = b.records.map(r => this.serde.decode(r.value ?? Buffer.alloc(0)))
      const batch = {baseOffset: b.baseOffset, lastOffset: b.lastOffset, epoch: b.partitionLeaderEpoch, appendTimestamp: b.maxTimestamp, sizeInBytes: b.sizeInBytes, records}
      this.safely(() => ctx.listener.handleCommit(batch))
      if (ctx.nextOffset < this.log.startOffset()) break
    }
    return progressed
  }

  private maybeFireLeaderChange(ctx: ListenerContext<T>): void {
    const d = this.quorum.data
    if (d.role === 'leader' && ctx.nextOffset < d.leader.epochStartOffset) return
    const la = this.leaderAndEpoch()
    if (ctx.lastFired && ctx.lastFired.leaderId === la.leaderId && ctx.lastFired.epoch === la.epoch) return
    ctx.lastFired = la
    this.safely(() => ctx.listener.handleLeaderChange(la))
  }

  private safely(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      if (err instanceof RaftInvariantError) throw err
      this.logger.error('A Raft listener failed', err)
    }
  }
}

/** Last offset of the last whole batch in `buf`. */
function lastOffsetIn(buf: Buffer): number {
  let p = 0
  let last = -1
  while (p + 61 <= buf.length) {
    const size = buf.readInt32BE(p + 8) + 12
    if (p + size > buf.length) break
    last = Number(buf.readBigInt64BE(p)) + buf.readInt32BE(p + 23)
    p += size
  }
  return last
}
