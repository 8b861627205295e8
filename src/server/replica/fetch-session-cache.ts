/**
 * Incremental fetch sessions (KIP-227; Kafka `FetchSession.scala`). A client that sends
 * SessionEpoch 0 gets a session id; later requests with epoch 1, 2, ... carry only changed
 * partitions (and ForgottenTopicsData), and the response carries only partitions with new data,
 * errors, or changed high watermark / log start offset. SessionEpoch -1 is a sessionless full fetch.
 *
 * Errors (top-level FetchResponse.ErrorCode): FETCH_SESSION_ID_NOT_FOUND for an unknown or
 * evicted session, INVALID_FETCH_SESSION_EPOCH for an epoch other than the expected one.
 */

/** Kafka's `max.incremental.fetch.session.cache.slots` default. */
export const MAX_FETCH_SESSIONS = 1000
export const INITIAL_EPOCH = 0
export const FINAL_EPOCH = -1

export interface CachedPartition {
  topic: string
  topicId: string
  partition: number
  fetchOffset: number
  partitionMaxBytes: number
  currentLeaderEpoch: number
  /** Epoch of the fetcher's last batch (v12+), -1 = none. */
  lastFetchedEpoch: number
  /** A follower's log start offset (v5+), -1 = unknown. */
  logStartOffset: number
  /** What the last response told the client; -1 = never sent. */
  lastHighWatermark: number
  lastLogStartOffset: number
}

export class FetchSession {
  /** Epoch expected in the next request. */
  nextEpoch = 1
  lastUsedMs: number
  readonly partitions = new Map<string, CachedPartition>()

  constructor(readonly id: number, nowMs: number) {
    this.lastUsedMs = nowMs
  }
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>()
  private nextId = 1 + Math.floor(Math.random() * 1_000_000)

  constructor(private readonly maxSessions = MAX_FETCH_SESSIONS) {}

  get size(): number {
    return this.sessions.size
  }

  /** Creates a session, evicting the least recently used one when full. */
  create(nowMs: number): FetchSession {
    if (this.sessions.size >= this.maxSessions) {
      let oldest: FetchSession | undefined
      for (const s of this.sessions.values()) if (!oldest || s.lastUsedMs < oldest.lastUsedMs) oldest = s
      if (oldest) this.sessions.delete(oldest.id)
    }
    let id = this.nextId++
    if (this.nextId > 0x7fffffff) this.nextId = 1
    while (this.sessions.has(id) || id === 0) id = this.nextId++
    const s = new FetchSession(id, nowMs)
    this.sessions.set(id, s)
    return s
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id)
  }

  remove(id: number): void {
    this.sessions.delete(id)
  }
}
