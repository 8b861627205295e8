/**
 * Raft election states (KIP-595; Kafka `EpochState` implementations: `UnattachedState`,
 * `CandidateState`, `LeaderState`, `FollowerState`, `ResignedState`). Each is an immutable value;
 * `KafkaRaftClient` moves between them, persisting `quorum-state` before acting on a transition.
 */
import type {ElectionState} from './quorum-state-file.js'

export interface UnattachedState {
  kind: 'unattached'
  epoch: number
  /** Voted-for id in this epoch, -1 if none. */
  votedId: number
}

export interface CandidateState {
  kind: 'candidate'
  epoch: number
  /** Voters that granted their vote (this node included). */
  grantingVoters: ReadonlySet<number>
}

export interface LeaderState {
  kind: 'leader'
  epoch: number
  /** First offset of this epoch (the LEADER_CHANGE record). */
  epochStartOffset: number
}

export interface FollowerState {
  kind: 'follower'
  epoch: number
  leaderId: number
}

export interface ResignedState {
  kind: 'resigned'
  epoch: number
}

export type RaftState = UnattachedState | CandidateState | LeaderState | FollowerState | ResignedState

/** The quorum-state file contents for a state of node `localId`. */
export function electionStateOf(state: RaftState, localId: number): ElectionState {
  switch (state.kind) {
    case 'unattached': return {leaderEpoch: state.epoch, leaderId: -1, votedId: state.votedId}
    case 'candidate': return {leaderEpoch: state.epoch, leaderId: -1, votedId: localId}
    case 'leader': return {leaderEpoch: state.epoch, leaderId: localId, votedId: -1}
    case 'follower': return {leaderEpoch: state.epoch, leaderId: state.leaderId, votedId: -1}
    case 'resigned': return {leaderEpoch: state.epoch, leaderId: localId, votedId: -1}
  }
}

/** Whether `granted` votes are a majority of `voters`. */
export function hasMajority(granted: ReadonlySet<number>, voters: readonly number[]): boolean {
  let n = 0
  for (const v of voters) if (granted.has(v)) n++
  return n * 2 > voters.length
}
