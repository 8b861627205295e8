/**
 * Broker sessions on the active controller (Kafka `BrokerHeartbeatManager`): when each registered
 * broker was last heard from, the metadata offset it last reported, and where its controlled
 * shutdown started. Kept in memory only — a newly active controller starts every registered
 * broker's session afresh, so a failover never fences a healthy broker.
 *
 * Pure bookkeeping: times are passed in (ms), nothing here appends records; the QuorumController
 * turns expired sessions into fencing records.
 */
interface BrokerSession {
  /** Last contact time (ms). */
  lastContactMs: number
  /** The metadata offset the broker last reported having replayed (-1 unknown). */
  metadataOffset: number
  /**
   * Offset of the last record that moved the broker into controlled shutdown, -1 when it is not
   * shutting down (Kafka `BrokerHeartbeatState.controlledShutdownOffset`).
   */
  controlledShutdownOffset: number
}

export class BrokerHeartbeatManager {
  private readonly sessions = new Map<number, BrokerSession>()

  /** @param sessionTimeoutMs `broker.session.timeout.ms` */
  constructor(private readonly sessionTimeoutMs: number) {}

  /**
   * Records contact from `brokerId` at `now` (a registration or a heartbeat) with the metadata
   * offset it reported (-1 for a registration). A fenced broker leaves controlled shutdown.
   */
  touch(brokerId: number, now: number, metadataOffset = -1, fenced = false): void {
    const s = this.sessions.get(brokerId)
    if (s) {
      s.lastContactMs = now
      if (metadataOffset >= 0) s.metadataOffset = metadataOffset
      if (fenced) s.controlledShutdownOffset = -1
    } else {
      this.sessions.set(brokerId, {lastContactMs: now, metadataOffset, controlledShutdownOffset: -1})
    }
  }

  /** Forgets a broker (unregistered). */
  remove(brokerId: number): void {
    this.sessions.delete(brokerId)
  }

  /** Starts a fresh session at `now` for each of `brokerIds`, forgetting all others (on activation). */
  reset(brokerIds: Iterable<number>, now: number): void {
    this.sessions.clear()
    for (const id of brokerIds) this.sessions.set(id, {lastContactMs: now, metadataOffset: -1, controlledShutdownOffset: -1})
  }

  /** Whether `brokerId` was heard from within the session timeout before `now`. */
  hasValidSession(brokerId: number, now: number): boolean {
    const s = this.sessions.get(brokerId)
    return s !== undefined && now - s.lastContactMs <= this.sessionTimeoutMs
  }

  /** Ids among `candidates` whose session has expired at `now` (never heard from counts as expired). */
  expired(candidates: Iterable<number>, now: number): number[] {
    const out: number[] = []
    for (const id of candidates) if (!this.hasValidSession(id, now)) out.push(id)
    return out
  }

  /**
   * Marks `brokerId` as in controlled shutdown from the record at `offset` on; keeps an earlier
   * offset (Kafka `maybeUpdateControlledShutdownOffset`).
   */
  maybeUpdateControlledShutdownOffset(brokerId: number, offset: number): void {
    const s = this.sessions.get(brokerId)
    if (s && s.controlledShutdownOffset < 0) s.controlledShutdownOffset = offset
  }

  /** A fenced broker leaves controlled shutdown (its next heartbeat asking to shut down is granted at once). */
  fence(brokerId: number): void {
    const s = this.sessions.get(brokerId)
    if (s) s.controlledShutdownOffset = -1
  }

  /** Offset where `brokerId`'s controlled shutdown started, -1 when unknown. */
  controlledShutdownOffset(brokerId: number): number {
    return this.sessions.get(brokerId)?.controlledShutdownOffset ?? -1
  }

  /**
   * The lowest metadata offset reported by the `active` brokers (unfenced, not shutting down);
   * Infinity when there are none (Kafka `lowestActiveOffset`). A broker not heard from since this
   * controller activated counts as offset -1.
   */
  lowestActiveOffset(active: Iterable<number>): number {
    let lowest = Infinity
    for (const id of active) lowest = Math.min(lowest, this.sessions.get(id)?.metadataOffset ?? -1)
    return lowest
  }
}
