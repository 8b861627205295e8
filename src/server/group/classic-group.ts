/**
 * In-memory state of one classic consumer group (Kafka `ClassicGroup`, `ClassicGroupMember`,
 * `ClassicGroupState`; spec storage-and-kraft.md §7.2). Only the GroupCoordinator mutates it.
 */

/** `ClassicGroupState` names as Kafka prints them (DescribeGroups, ListGroups). */
export type ClassicGroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

export interface JoinGroupResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  skipAssignment: boolean
  memberId: string
  members: {memberId: string, groupInstanceId: string | null, metadata: Buffer}[]
}

export interface SyncGroupResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export interface ClassicGroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** ms */
  rebalanceTimeoutMs: number
  /** ms */
  sessionTimeoutMs: number
  protocolType: string
  /** Supported protocols in preference order. */
  protocols: {name: string, metadata: Buffer}[]
  assignment: Buffer
  /** Set while the member waits for its JoinGroup response. */
  awaitingJoin: ((r: JoinGroupResult) => void) | null
  /** Set while the member waits for its SyncGroup response. */
  awaitingSync: ((r: SyncGroupResult) => void) | null
  /** JoinGroup version of the pending join (for skipAssignment, v9+). */
  joinVersion: number
  /** Session timer handle. */
  sessionTimer: unknown
  isNew: boolean
}

export interface CommittedOffset {
  offset: number
  leaderEpoch: number
  metadata: string
  /** ms since the epoch */
  commitTimestamp: number
  /** ms since the epoch, -1 when none */
  expireTimestamp: number
}

export class ClassicGroup {
  state: ClassicGroupState = 'Empty'
  generationId = 0
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  /** ms since the epoch of the last state change (KIP-211 expiry base when Empty). */
  currentStateTimestamp: number
  readonly members = new Map<string, ClassicGroupMember>()
  /** groupInstanceId → memberId (KIP-345). */
  readonly staticMembers = new Map<string, string>()
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet → expiry timer. */
  readonly pendingMembers = new Map<string, unknown>()
  /** `topic\0partition` → committed offset. */
  readonly offsets = new Map<string, {topic: string, partition: number, value: CommittedOffset}>()
  /** Join-phase timer (initial delay or rebalance timeout). */
  joinTimer: unknown = null
  /**
   * Members of the current generation that have not sent SyncGroup yet; they are removed when
   * `syncTimer` (the rebalance timeout, from the end of the join phase) fires first.
   */
  readonly pendingSync = new Set<string>()
  syncTimer: unknown = null
  /** Set when a new member joined during the initial delay (extends it). */
  newMemberAdded = false
  /** Remaining rebalance timeout (ms) of an initial delayed join. */
  initialDelayRemainingMs = 0

  constructor(readonly groupId: string, readonly partition: number, now: number) {
    this.currentStateTimestamp = now
  }

  transitionTo(state: ClassicGroupState, now: number): void {
    this.state = state
    this.currentStateTimestamp = now
  }

  /** Largest rebalance timeout among members (ms), the join-phase deadline. */
  rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false
    for (const m of this.members.values()) if (!m.awaitingJoin) return false
    return true
  }

  /** Protocols every member supports (in the first member's order). */
  candidateProtocols(extra?: {name: string}[]): string[] {
    const lists = [...this.members.values()].map(m => m.protocols.map(p => p.name))
    if (extra) lists.push(extra.map(p => p.name))
    if (lists.length === 0) return []
    return lists[0].filter(n => lists.every(l => l.includes(n)))
  }

  /** Whether a member with these protocols may join (`ClassicGroup.supportsProtocols`). */
  supportsProtocols(protocolType: string, protocols: {name: string}[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0
    return this.protocolType === protocolType && this.candidateProtocols(protocols).length > 0
  }

  /** Protocol chosen by vote: each member votes its most preferred candidate; ties to candidate order. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>(candidates.map(c => [c, 0]))
    for (const m of this.members.values()) {
      const vote = m.protocols.find(p => votes.has(p.name))
      if (vote) votes.set(vote.name, votes.get(vote.name)! + 1)
    }
    let best = candidates[0]
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c
    return best
  }

  metadataFor(m: ClassicGroupMember, protocol: string | null): Buffer {
    return m.protocols.find(p => p.name === protocol)?.metadata ?? Buffer.alloc(0)
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0
  }
}

export function offsetKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`
}
