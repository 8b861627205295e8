/**
 * What the leader of an epoch knows about its replicas (Kafka `LeaderState`): each voter's and
 * observer's fetch offset and fetch times, the high watermark, check-quorum and the voters that
 * acknowledged the epoch.
 *
 * High watermark: the voters' end offsets (the leader's own flushed end offset included), sorted
 * descending; the one at index ⌊voters/2⌋ is held by a majority. It is taken only when it is above
 * the epoch start offset (a record of the leader's own epoch is committed, KIP-595) and never
 * moves backwards.
 */
import {CHECK_QUORUM_TIMEOUT_FACTOR, OBSERVER_SESSION_TIMEOUT_MS} from './raft-config.js'
import type {BatchAccumulator} from './batch-accumulator.js'

/** Progress of one replica as the leader sees it. */
export interface ReplicaProgress {
  replicaId: number
  directoryId: string
  /** Fetch offset (the leader's own: its flushed end offset); -1 unknown. */
  endOffset: number
  /** Leader time of the last fetch, -1 never. */
  lastFetchTimestamp: number
  /** Leader time at which the replica was last known caught up with the leader's end offset, -1 never. */
  lastCaughtUpTimestamp: number
  /** The leader's end offset at the previous fetch (for lastCaughtUpTimestamp). */
  lastFetchLeaderEndOffset: number
  /** The voter fetched or acknowledged BeginQuorumEpoch in this epoch. */
  acknowledged: boolean
}

function progress(replicaId: number, directoryId: string): ReplicaProgress {
  return {replicaId, directoryId, endOffset: -1, lastFetchTimestamp: -1, lastCaughtUpTimestamp: -1, lastFetchLeaderEndOffset: -1, acknowledged: false}
}

export class LeaderState {
  readonly voterStates = new Map<number, ReplicaProgress>()
  readonly observerStates = new Map<number, ReplicaProgress>()
  /** The leader's own progress (in voterStates while it is a voter). */
  readonly local: ReplicaProgress
  /** Null until a record of this epoch is committed. */
  highWatermark: number | null = null
  private readonly fetchedVoters = new Set<number>()
  private checkQuorumDeadline: number
  private readonly checkQuorumTimeoutMs: number
  /** Next time BeginQuorumEpoch goes out to the voters. */
  beginQuorumEpochDeadline: number
  /** Set when the leader must resign (it removed itself from the voters, KIP-853). */
  resignRequested = false

  constructor(
    readonly localId: number,
    localDirectoryId: string,
    readonly epoch: number,
    /** Offset of this epoch's LEADER_CHANGE record. */
    readonly epochStartOffset: number,
    voters: readonly {id: number, directoryId: string}[],
    readonly grantingVoters: ReadonlySet<number>,
    readonly accumulator: BatchAccumulator,
    private readonly fetchTimeoutMs: number,
    now: number,
  ) {
    this.local = progress(localId, localDirectoryId)
    this.local.acknowledged = true
    this.setVoters(voters)
    this.checkQuorumTimeoutMs = Math.floor(fetchTimeoutMs * CHECK_QUORUM_TIMEOUT_FACTOR)
    this.checkQuorumDeadline = now + this.checkQuorumTimeoutMs
    this.beginQuorumEpochDeadline = now
  }

  /**
   * The voter set changed (a VotersRecord was appended or truncated away): replicas move between
   * voters and observers with their progress (Kafka `updateVoterAndObserverStates`).
   */
  setVoters(voters: readonly {id: number, directoryId: string}[]): void {
    const old = new Map(this.voterStates)
    this.voterStates.clear()
    for (const v of voters) {
      const s = v.id === this.localId ? this.local : old.get(v.id) ?? this.observerStates.get(v.id) ?? progress(v.id, v.directoryId)
      old.delete(v.id)
      this.observerStates.delete(v.id)
      s.directoryId = v.directoryId // a voter's key is the voter set's (zero in a static quorum, as Kafka reports it)
      this.voterStates.set(v.id, s)
    }
    for (const [id, s] of old) if (id !== this.localId) this.observerStates.set(id, s)
    for (const id of [...this.fetchedVoters]) if (!this.voterStates.has(id)) this.fetchedVoters.delete(id)
  }

  get isLocalVoter(): boolean {
    return this.voterStates.has(this.localId)
  }

  /** When check-quorum fails (Infinity with a single voter). */
  checkQuorumExpiresAt(): number {
    return this.voterStates.size === 1 && this.isLocalVoter ? Infinity : this.checkQuorumDeadline
  }

  resetBeginQuorumEpochTimer(now: number): void {
    this.beginQuorumEpochDeadline = now + Math.floor(this.fetchTimeoutMs / 2)
  }

  /** A voter fetched (Fetch or FetchSnapshot): once a majority did, check-quorum restarts. */
  updateCheckQuorum(replicaId: number, now: number): void {
    if (replicaId === this.localId || !this.voterStates.has(replicaId)) return
    this.fetchedVoters.add(replicaId)
    const majority = Math.floor(this.voterStates.size / 2) + 1
    const needed = this.voterStates.has(this.localId) ? majority - 1 : majority
    if (this.fetchedVoters.size >= needed) {
      this.fetchedVoters.clear()
      this.checkQuorumDeadline = now + this.checkQuorumTimeoutMs
    }
  }

  acknowledge(voterId: number): void {
    const s = this.voterStates.get(voterId)
    if (s) s.acknowledged = true
  }

  /** The leader's flushed end offset moved. @returns whether the high watermark moved */
  updateLocalState(flushedEndOffset: number): boolean {
    const self = this.local
    if (flushedEndOffset < self.endOffset) throw new Error(`Non-monotonic update of the leader's end offset: ${self.endOffset} -> ${flushedEndOffset}`)
    self.endOffset = flushedEndOffset
    return this.maybeUpdateHighWatermark()
  }

  /**
   * A replica fetched at `fetchOffset` (a valid offset of the leader's log).
   * @returns whether the high watermark moved
   */
  updateReplicaState(replicaId: number, directoryId: string, fetchOffset: number, now: number): boolean {
    if (replicaId < 0 || replicaId === this.localId) return false
    const voter = this.voterStates.get(replicaId)
    let s = voter ?? this.observerStates.get(replicaId)
    if (!s) {
      s = progress(replicaId, directoryId)
      this.observerStates.set(replicaId, s)
    }
    if (!voter) s.directoryId = directoryId
    const leaderEnd = this.local.endOffset
    if (fetchOffset >= leaderEnd) s.lastCaughtUpTimestamp = Math.max(s.lastCaughtUpTimestamp, now)
    else if (s.lastFetchLeaderEndOffset > 0 && fetchOffset >= s.lastFetchLeaderEndOffset) s.lastCaughtUpTimestamp = Math.max(s.lastCaughtUpTimestamp, s.lastFetchTimestamp)
    s.lastFetchLeaderEndOffset = leaderEnd
    s.lastFetchTimestamp = Math.max(s.lastFetchTimestamp, now)
    s.endOffset = fetchOffset
    s.acknowledged = true
    this.updateCheckQuorum(replicaId, now)
    return voter !== undefined && this.maybeUpdateHighWatermark()
  }

  /**
   * A voter set change may make the majority's offset smaller than the high watermark: then it
   * stays (it never moves back).
   */
  maybeUpdateHighWatermark(): boolean {
    if (this.voterStates.size === 0) return false
    const offsets = [...this.voterStates.values()].map(s => s.endOffset).sort((a, b) => b - a)
    const candidate = offsets[Math.floor(offsets.length / 2)]
    if (candidate <= this.epochStartOffset) return false
    if (this.highWatermark !== null && candidate <= this.highWatermark) return false
    this.highWatermark = candidate
    return true
  }

  /** Remote voters, most caught up first (the preferred successors of EndQuorumEpoch). */
  nonLeaderVotersByDescendingFetchOffset(): number[] {
    return [...this.voterStates.values()].filter(s => s.replicaId !== this.localId)
      .sort((a, b) => b.endOffset - a.endOffset || a.replicaId - b.replicaId).map(s => s.replicaId)
  }

  /**
   * Whether an observer may be added as a voter (Kafka `isReplicaCaughtUp`): it fetched within the
   * last hour and was caught up with the leader's end offset at some point.
   */
  isReplicaCaughtUp(replicaId: number, directoryId: string, now: number): boolean {
    const s = this.observerStates.get(replicaId)
    return s !== undefined && s.directoryId === directoryId && s.lastCaughtUpTimestamp > 0 && s.lastFetchTimestamp > 0 && s.lastFetchTimestamp > now - 3_600_000
  }

  /** Observers that fetched within the observer session timeout. */
  activeObservers(now: number): ReplicaProgress[] {
    for (const [id, s] of this.observerStates) if (now - s.lastFetchTimestamp > OBSERVER_SESSION_TIMEOUT_MS) this.observerStates.delete(id)
    return [...this.observerStates.values()]
  }
}
