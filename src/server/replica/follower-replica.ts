/**
 * What a partition leader knows about one follower replica (Kafka `Replica` / `ReplicaState`),
 * learned from the follower's Fetch requests: its log start and end offsets, when it last fetched,
 * when it was last caught up, and the broker epoch it fetched with. Offsets are -1 and times 0
 * while unknown. Pure bookkeeping; times in ms.
 */
export class FollowerReplica {
  logStartOffset = -1
  /** The follower's log end offset: the fetch offset of its last Fetch. */
  logEndOffset = -1
  /** The leader's log end offset when the follower last fetched. */
  lastFetchLeaderLogEndOffset = -1
  lastFetchTimeMs = 0
  /** The last time the follower had everything the leader had when it fetched (see `updateFetchState`). */
  lastCaughtUpTimeMs = 0
  /** Broker epoch of the follower's last Fetch (ReplicaState.ReplicaEpoch, -1 = not sent); null before any Fetch. */
  brokerEpoch: number | null = null

  constructor(readonly brokerId: number) {}

  /**
   * Whether the follower counts as caught up at `nowMs`: it has the leader's log end offset, or it
   * was caught up less than `maxLagMs` ago (`replica.lag.time.max.ms`).
   */
  isCaughtUp(leaderEndOffset: number, nowMs: number, maxLagMs: number): boolean {
    return leaderEndOffset === this.logEndOffset || nowMs - this.lastCaughtUpTimeMs <= maxLagMs
  }

  /**
   * Records a Fetch at `fetchOffset` (Kafka `Replica.updateFetchStateOrThrow`): the follower is
   * caught up as of this fetch when it asked for the leader's current end offset, and as of its
   * previous fetch when it now asks for at least what the leader's end offset was then.
   */
  updateFetchState(fetchOffset: number, followerStartOffset: number, fetchTimeMs: number, leaderEndOffset: number, brokerEpoch: number): void {
    if (fetchOffset >= leaderEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, fetchTimeMs)
    else if (fetchOffset >= this.lastFetchLeaderLogEndOffset) this.lastCaughtUpTimeMs = Math.max(this.lastCaughtUpTimeMs, this.lastFetchTimeMs)
    this.logStartOffset = followerStartOffset
    this.logEndOffset = fetchOffset
    this.lastFetchLeaderLogEndOffset = leaderEndOffset
    this.lastFetchTimeMs = fetchTimeMs
    this.brokerEpoch = brokerEpoch
  }

  /**
   * Resets the state when this node starts a new leader epoch (Kafka `Replica.resetReplicaState`):
   * an ISR member counts as caught up now (so the new leader does not drop it before it fetches),
   * others as never; a newly elected leader forgets the follower's offsets.
   */
  reset(nowMs: number, leaderEndOffset: number, isNewLeader: boolean, isInSync: boolean): void {
    this.lastCaughtUpTimeMs = isInSync ? nowMs : 0
    if (isNewLeader) {
      this.logStartOffset = -1
      this.logEndOffset = -1
      this.lastFetchLeaderLogEndOffset = -1
      this.lastFetchTimeMs = 0
      this.brokerEpoch = null
    } else {
      this.lastFetchLeaderLogEndOffset = leaderEndOffset
      this.lastFetchTimeMs = isInSync ? nowMs : 0
    }
  }
}
