/**
 * Broker sessions on the active controller (Kafka `BrokerHeartbeatManager`): when each registered
 * broker was last heard from. Kept in memory only — a newly active controller starts every
 * registered broker's session afresh, so a failover never fences a healthy broker.
 *
 * Pure bookkeeping: times are passed in (ms), nothing here appends records; the QuorumController
 * turns expired sessions into fencing records.
 */
export class BrokerHeartbeatManager {
  /** brokerId → last contact time (ms). */
  private readonly lastContact = new Map<number, number>()

  /** @param sessionTimeoutMs `broker.session.timeout.ms` */
  constructor(private readonly sessionTimeoutMs: number) {}

  /** Records contact from `brokerId` at `now` (a registration or a heartbeat). */
  touch(brokerId: number, now: number): void {
    this.lastContact.set(brokerId, now)
  }

  /** Forgets a broker (unregistered). */
  remove(brokerId: number): void {
    this.lastContact.delete(brokerId)
  }

  /** Starts a fresh session at `now` for each of `brokerIds`, forgetting all others (on activation). */
  reset(brokerIds: Iterable<number>, now: number): void {
    this.lastContact.clear()
    for (const id of brokerIds) this.lastContact.set(id, now)
  }

  /** Whether `brokerId` was heard from within the session timeout before `now`. */
  hasValidSession(brokerId: number, now: number): boolean {
    const t = this.lastContact.get(brokerId)
    return t !== undefined && now - t <= this.sessionTimeoutMs
  }

  /** Ids among `candidates` whose session has expired at `now` (never heard from counts as expired). */
  expired(candidates: Iterable<number>, now: number): number[] {
    const out: number[] = []
    for (const id of candidates) if (!this.hasValidSession(id, now)) out.push(id)
    return out
  }
}
