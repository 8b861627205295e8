/**
 * Caps the rate of bytes the cleaner reads and writes (`log.cleaner.io.max.bytes.per.second`,
 * Kafka `kafka.utils.Throttler`): callers report bytes, and when the rate over the current window
 * exceeds the cap the caller sleeps until it falls back to it.
 *
 * Shared by all cleaner worker threads as Kafka's one throttler is shared by its cleaner threads:
 * the state (window start, bytes observed, the cap) lives in a SharedArrayBuffer
 * (`createThrottleState`), guarded by a lock word; like Kafka, a thread sleeps holding the lock so
 * the others wait too. `maybeThrottle` blocks (Atomics.wait): call it on a worker thread only.
 */

/** How often the measuring window restarts (Kafka's `checkIntervalMs`, 300 ms). */
const CHECK_INTERVAL_MS = 300

/** Int32 index of the lock word; Float64 indexes of the state (after the first 8 bytes). */
const LOCK = 0
const PERIOD_START = 1
const OBSERVED = 2
const MAX_RATE = 3
const STATE_BYTES = 32

/** A new shared throttle state with cap `maxBytesPerSecond` (Infinity or Number.MAX_VALUE = none). */
export function createThrottleState(maxBytesPerSecond: number, nowMs = Date.now()): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(STATE_BYTES)
  const f = new Float64Array(sab)
  f[PERIOD_START] = nowMs
  f[MAX_RATE] = maxBytesPerSecond
  return sab
}

/** Sleeps `ms` on this thread (blocks it). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

export class Throttler {
  private readonly lock: Int32Array
  private readonly f: Float64Array

  /**
   * `state`: from `createThrottleState`; `sleep(ms)` blocks the thread (tests give a fake one, the
   * cleaner one that wakes early when its pass is aborted).
   */
  constructor(state: SharedArrayBuffer, private readonly now: () => number = Date.now, private readonly sleep: (ms: number) => void = sleepSync) {
    this.lock = new Int32Array(state, 0, 1)
    this.f = new Float64Array(state)
  }

  get maxBytesPerSecond(): number { return this.f[MAX_RATE] }
  /** Changes the cap for every thread sharing the state (dynamic log.cleaner.io.max.bytes.per.second). */
  set maxBytesPerSecond(v: number) { this.f[MAX_RATE] = v }

  get enabled(): boolean {
    const max = this.maxBytesPerSecond
    return Number.isFinite(max) && max < Number.MAX_VALUE && max > 0
  }

  /** Accounts `bytes` and sleeps when the rate since the window start is above the cap. */
  maybeThrottle(bytes: number): void {
    if (!this.enabled) return
    while (Atomics.compareExchange(this.lock, LOCK, 0, 1) !== 0) Atomics.wait(this.lock, LOCK, 1, 50)
    try {
      const f = this.f
      f[OBSERVED] += bytes
      const elapsed = this.now() - f[PERIOD_START]
      const max = f[MAX_RATE]
      if (elapsed < CHECK_INTERVAL_MS && f[OBSERVED] < max * CHECK_INTERVAL_MS / 1000) return
      const wantedMs = f[OBSERVED] * 1000 / max
      if (wantedMs > elapsed) this.sleep(Math.ceil(wantedMs - elapsed))
      f[PERIOD_START] = this.now()
      f[OBSERVED] = 0
    } finally {
      Atomics.store(this.lock, LOCK, 0)
      Atomics.notify(this.lock, LOCK, 1)
    }
  }
}
