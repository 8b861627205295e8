/**
 * Raft timing and size settings (Kafka `QuorumConfig`; storage-and-kraft.md §5.1). Times in ms.
 */
export interface RaftConfig {
  /** controller.quorum.election.timeout.ms: an election timer is random in [T, 2T). */
  electionTimeoutMs: number
  /** controller.quorum.election.backoff.max.ms: cap of the backoff after a lost election. */
  electionBackoffMaxMs: number
  /** controller.quorum.fetch.timeout.ms: a follower hearing nothing from its leader this long campaigns. */
  fetchTimeoutMs: number
  /** controller.quorum.request.timeout.ms */
  requestTimeoutMs: number
  /** controller.quorum.retry.backoff.ms: wait after a failed request before the next one to that node. */
  retryBackoffMs: number
  /** controller.quorum.append.linger.ms: how long scheduleAppend waits to fill a batch. */
  appendLingerMs: number
}

export const DEFAULT_RAFT_CONFIG: RaftConfig = {
  electionTimeoutMs: 1000,
  electionBackoffMaxMs: 1000,
  fetchTimeoutMs: 2000,
  requestTimeoutMs: 2000,
  retryBackoffMs: 20,
  appendLingerMs: 25,
}

/** Long-poll wait of a follower's Fetch (Kafka `KafkaRaftClient.MAX_FETCH_WAIT_MS`). */
export const FETCH_MAX_WAIT_MS = 500
/** Largest batch the leader writes, and the Fetch / FetchSnapshot size (`MAX_BATCH_SIZE_BYTES`). */
export const MAX_BATCH_SIZE_BYTES = 8 * 1024 * 1024
/** The leader resigns when no majority fetched within this factor of the fetch timeout (check-quorum). */
export const CHECK_QUORUM_TIMEOUT_FACTOR = 1.5
/** Base of the randomized exponential election backoff (`RETRY_BACKOFF_BASE_MS`). */
export const ELECTION_BACKOFF_BASE_MS = 100
/** The leader forgets an observer that has not fetched for this long (`OBSERVER_SESSION_TIMEOUT_MS`). */
export const OBSERVER_SESSION_TIMEOUT_MS = 300_000
