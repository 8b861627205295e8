/**
 * The election state of one replica (Kafka `QuorumState` with `UnattachedState`,
 * `ProspectiveState` (KIP-996 pre-vote), `CandidateState`, `LeaderState`, `FollowerState`,
 * `ResignedState`).
 *
 * Every replica has an epoch, the leader it knows in that epoch and the candidate it voted for in
 * that epoch; this triple is the `quorum-state` file and is written (durably) before any
 * transition takes effect. Within one epoch a known leader or a vote is never forgotten by any
 * replica (with a dynamic quorum an observer may already be a voter in the candidate's voter set),
 * so no replica grants two votes in an epoch nor votes in an epoch whose leader it knows.
 *
 * Roles:
 * - unattached: knows no leader of the epoch; a voter campaigns when its election timer expires,
 *   an observer asks random voters who leads.
 * - prospective (voters): asks for pre-votes without bumping the epoch; a majority → candidate,
 *   a lost pre-election → back to follower (leader known) or unattached.
 * - candidate (voters): epoch + 1, voted for itself, asks for votes; a majority → leader.
 * - leader: see leader-state.ts. resigned: a leader that gave up (shutdown, check-quorum) or a
 *   former leader after restart; it never leads this epoch again.
 * - follower: fetches from the leader; a voter that hears nothing for the fetch timeout goes
 *   prospective, an observer unattached.
 */
import type {ElectionState, QuorumStateStore} from './replicated-log.js'
import type {LeaderState} from './leader-state.js'

export type Role = 'unattached' | 'prospective' | 'candidate' | 'leader' | 'follower' | 'resigned'

export interface Election {
  granted: Set<number>
  rejected: Set<number>
  /** The election (pre-election) times out at this time. */
  deadline: number
  /** Elections lost so far (for the exponential backoff). */
  retries: number
}

export interface CandidateData extends Election {
  /** Set while backing off after a lost election: then prospective again. */
  backoffUntil: number | null
}

/** A snapshot being downloaded from the leader (FetchSnapshot). */
export interface SnapshotDownload {
  id: {endOffset: number, epoch: number}
  chunks: Buffer[]
  /** Bytes downloaded so far. */
  position: number
}

export interface FollowerData {
  /** Campaign (voter) or look for the leader again (observer) at this time. */
  fetchDeadline: number
  /** Last successful Fetch/FetchSnapshot response from the leader, -1 none. */
  lastFetchSuccessMs: number
  /** The leader sent EndQuorumEpoch: it is going away. */
  leaderResigned: boolean
  download: SnapshotDownload | null
}

export interface ResignedData {
  electionDeadline: number
  unackedVoters: Set<number>
  preferredSuccessors: number[]
}

export type RoleData =
  | {role: 'unattached', electionDeadline: number}
  | {role: 'prospective', election: Election}
  | {role: 'candidate', election: CandidateData}
  | {role: 'leader', leader: LeaderState}
  | {role: 'follower', follower: FollowerData}
  | {role: 'resigned', resigned: ResignedData}

/** A broken Raft invariant (e.g. two leaders in one epoch): the node must stop. */
/**
 * This node's storage belongs to another cluster than the quorum's: the leader answered its Fetch,
 * or a majority of the other voters answered its requests, with INCONSISTENT_CLUSTER_ID. Fatal:
 * the node stops (one line), the quorum goes on without it.
 */
export class InconsistentClusterIdError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InconsistentClusterIdError'
  }
}

export class RaftInvariantError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RaftInvariantError'
  }
}

export class QuorumState {
  epoch = 0
  /** Leader known in this epoch, -1 none. */
  leaderId = -1
  /** Candidate voted for in this epoch, -1 none. */
  votedId = -1
  data: RoleData = {role: 'unattached', electionDeadline: Infinity}
  private persisted: ElectionState | null = null

  /** `voters`: the current voter ids (static, or the newest voter set of the log: it may change). */
  constructor(
    readonly localId: number,
    private readonly votersNow: () => readonly number[],
    private readonly store: QuorumStateStore,
  ) {}

  get voters(): readonly number[] {
    return this.votersNow()
  }

  get role(): Role {
    return this.data.role
  }

  get isVoter(): boolean {
    return this.voters.includes(this.localId)
  }

  get isOnlyVoter(): boolean {
    const v = this.voters
    return v.length === 1 && v[0] === this.localId
  }

  isVoterId(id: number): boolean {
    return this.voters.includes(id)
  }

  /** The stored election state, as read at start (null: none). */
  load(): ElectionState | null {
    const s = this.store.read()
    // a missing file is the initial state: nothing to write until it changes
    this.persisted = s ?? {leaderEpoch: 0, leaderId: -1, votedId: -1}
    if (s) {
      this.epoch = s.leaderEpoch
      this.leaderId = s.leaderId
      this.votedId = s.votedId
    }
    return s
  }

  /** Sets the triple and the role, persisting the triple first when it changed. */
  set(epoch: number, leaderId: number, votedId: number, data: RoleData): void {
    if (epoch < this.epoch) throw new RaftInvariantError(`Epoch cannot go back from ${this.epoch} to ${epoch}`)
    // every replica (voters change: an observer may be a voter in another replica's view and vote)
    if (epoch === this.epoch && ((this.leaderId >= 0 && leaderId !== this.leaderId) || (this.votedId >= 0 && votedId !== this.votedId))) {
      throw new RaftInvariantError(`Cannot change leader ${this.leaderId} / vote ${this.votedId} to ${leaderId} / ${votedId} within epoch ${epoch}`)
    }
    const p = this.persisted
    if (!p || p.leaderEpoch !== epoch || p.leaderId !== leaderId || p.votedId !== votedId) {
      const next = {leaderEpoch: epoch, leaderId, votedId}
      this.store.write(next)
      this.persisted = next
    }
    this.epoch = epoch
    this.leaderId = leaderId
    this.votedId = votedId
    this.data = data
  }

  /** The leader as the rest of the node sees it: self when leading, the followed leader, else -1. */
  currentLeaderId(): number {
    if (this.data.role === 'leader') return this.localId
    if (this.data.role === 'follower') return this.leaderId
    return -1
  }

  /**
   * Whether a (pre-)vote may be granted to `candidateId` in the current epoch (the request's epoch
   * was already adopted). `logUpToDate`: the candidate's (last epoch, end offset) ≥ ours.
   */
  canGrantVote(candidateId: number, logUpToDate: boolean, preVote: boolean, now: number, fetchTimeoutMs: number): boolean {
    if (!logUpToDate) return false
    const d = this.data
    if (preVote) {
      switch (d.role) {
        case 'unattached': case 'prospective': case 'candidate': return true
        case 'follower': return d.follower.leaderResigned || d.follower.lastFetchSuccessMs < 0 || now - d.follower.lastFetchSuccessMs >= fetchTimeoutMs
        case 'leader': case 'resigned': return false
      }
    }
    if (d.role !== 'unattached' && d.role !== 'prospective') return false
    return this.leaderId < 0 && (this.votedId < 0 || this.votedId === candidateId)
  }
}
