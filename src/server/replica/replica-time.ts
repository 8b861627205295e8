/** Time and timers of the replica layer: the wall clock in a broker, a hand-driven fake in tests. */
export interface ReplicaTime {
  /** ms since the epoch. */
  now(): number
  /** Calls `fn` once after `ms`; returns a canceller. */
  schedule(ms: number, fn: () => void): () => void
}

/** Wall clock and Node timers (unref'd: they never keep the process alive). */
export const systemReplicaTime: ReplicaTime = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref()
    return () => clearTimeout(t)
  },
}
