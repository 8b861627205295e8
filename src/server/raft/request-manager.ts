/**
 * Outbound request bookkeeping per destination (Kafka `RequestManager`): at most one request in
 * flight to each node; a request that fails or gets no answer within the request timeout puts the
 * destination in backoff for `retryBackoffMs`. A response counts only if it answers the request in
 * flight, so late, duplicated or reordered responses are ignored. `resetAll()` (on every state
 * transition) forgets every request in flight.
 */
interface Connection {
  inflight: {correlationId: number, deadline: number} | null
  backoffUntil: number
}

export class RequestManager {
  private readonly connections = new Map<number, Connection>()

  constructor(private readonly requestTimeoutMs: number, private readonly retryBackoffMs: number) {}

  private conn(id: number): Connection {
    let c = this.connections.get(id)
    if (!c) {
      c = {inflight: null, backoffUntil: 0}
      this.connections.set(id, c)
    }
    return c
  }

  /** No request in flight and not backing off. */
  isReady(id: number, now: number): boolean {
    this.expire(id, now)
    const c = this.conn(id)
    return c.inflight === null && now >= c.backoffUntil
  }

  /** Whether a request to `id` is in flight. */
  hasInflight(id: number, now: number): boolean {
    this.expire(id, now)
    return this.conn(id).inflight !== null
  }

  /** Time at which `id` may next be sent to (in flight: its timeout; backing off: the backoff end). */
  readyAt(id: number, now: number): number {
    this.expire(id, now)
    const c = this.conn(id)
    return c.inflight ? c.inflight.deadline : Math.max(now, c.backoffUntil)
  }

  onRequestSent(id: number, correlationId: number, now: number): void {
    this.conn(id).inflight = {correlationId, deadline: now + this.requestTimeoutMs}
  }

  isResponseExpected(id: number, correlationId: number): boolean {
    return this.connections.get(id)?.inflight?.correlationId === correlationId
  }

  /** Clears the request in flight; a failed one starts the backoff. */
  onResponse(id: number, success: boolean, now: number): void {
    const c = this.conn(id)
    c.inflight = null
    c.backoffUntil = success ? 0 : now + this.retryBackoffMs
  }

  /** Forgets every request in flight and every backoff. */
  resetAll(): void {
    this.connections.clear()
  }

  private expire(id: number, now: number): void {
    const c = this.connections.get(id)
    if (c?.inflight && now >= c.inflight.deadline) {
      c.inflight = null
      c.backoffUntil = now + this.retryBackoffMs
    }
  }
}
