/** Time source and timers for the group coordinator; injectable so tests drive time by hand. */
export interface CoordinatorClock {
  /** ms since the epoch. */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Wall clock and Node timers (unref'd so they never keep the process alive). */
export const systemClock: CoordinatorClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
}
