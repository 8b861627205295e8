/**
 * Caps the rate of bytes the cleaner reads and writes (`log.cleaner.io.max.bytes.per.second`,
 * Kafka `kafka.utils.Throttler`): callers report bytes, and when the rate over the current window
 * exceeds the cap the caller waits until it falls back to it. Shared by all cleaner workers.
 */

/** How often the measuring window restarts (Kafka's `checkIntervalMs`, 300 ms). */
const CHECK_INTERVAL_MS = 300

export class Throttler {
  private periodStart: number
  private observed = 0

  /** `maxBytesPerSecond`: the cap (Infinity or Number.MAX_VALUE = none). */
  constructor(public maxBytesPerSecond: number, private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = ms => new Promise(r => setTimeout(r, ms))) {
    this.periodStart = now()
  }

  get enabled(): boolean { return Number.isFinite(this.maxBytesPerSecond) && this.maxBytesPerSecond < Number.MAX_VALUE && this.maxBytesPerSecond > 0 }

  /** Accounts `bytes` and waits when the rate since the window start is above the cap. */
  async maybeThrottle(bytes: number): Promise<void> {
    if (!this.enabled) return
    this.observed += bytes
    const elapsed = this.now() - this.periodStart
    if (elapsed < CHECK_INTERVAL_MS && this.observed < this.maxBytesPerSecond * CHECK_INTERVAL_MS / 1000) return
    const wantedMs = this.observed * 1000 / this.maxBytesPerSecond
    if (wantedMs > elapsed) await this.sleep(Math.ceil(wantedMs - elapsed))
    this.periodStart = this.now()
    this.observed = 0
  }
}
