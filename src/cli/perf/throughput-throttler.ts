/**
 * Kafka's `ThroughputThrottler` (server-common `org.apache.kafka.server.util`), as the producer perf
 * tool uses it between sends: `if (throttler.shouldThrottle(i, sendStartMs)) await throttler.throttle()`.
 *
 * A negative target never throttles; a positive one sleeps, on average, 1/target s per record once
 * the average rate since `startMs` exceeds it, in sleeps of at least 2 ms (the deficit accumulates);
 * a target of 0 blocks until `wakeup()`.
 */

const NS_PER_MS = 1_000_000
const NS_PER_SEC = 1000 * NS_PER_MS
const MIN_SLEEP_NS = 2 * NS_PER_MS

const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class ThroughputThrottler {
  private readonly sleepTimeNs: number
  private sleepDeficitNs = 0
  private wakeupRequested = false
  private wake: (() => void) | null = null

  /**
   * @param targetThroughput records (or bytes) per second; < 0 disables throttling.
   * @param startMs when the first record was sent (ms since the epoch).
   */
  constructor(private readonly targetThroughput: number, private readonly startMs: number) {
    this.sleepTimeNs = targetThroughput > 0 ? Math.trunc(NS_PER_SEC / targetThroughput) : Number.MAX_SAFE_INTEGER
  }

  /** True when `amountSoFar` records sent by `sendStartMs` exceed the target rate (Java `float` seconds, as Kafka). */
  shouldThrottle(amountSoFar: number, sendStartMs: number): boolean {
    if (this.targetThroughput < 0) return false
    const elapsedSec = Math.fround(Math.fround(sendStartMs - this.startMs) / 1000)
    return elapsedSec > 0 && amountSoFar / elapsedSec > this.targetThroughput
  }

  /** Sleeps off the accumulated deficit when it reaches 2 ms (forever for a target of 0, until `wakeup()`). */
  async throttle(): Promise<void> {
    if (this.targetThroughput === 0) {
      // Kafka waits on a monitor; an interval keeps the event loop (and the process) alive meanwhile.
      const keepAlive = setInterval(() => undefined, 60_000)
      try {
        while (!this.wakeupRequested) await new Promise<void>((resolve) => (this.wake = resolve))
      } finally {
        clearInterval(keepAlive)
      }
      return
    }
    this.sleepDeficitNs += this.sleepTimeNs
    if (this.sleepDeficitNs < MIN_SLEEP_NS) return
    const start = process.hrtime.bigint()
    let remainingNs = this.sleepDeficitNs
    while (!this.wakeupRequested && remainingNs > 0) {
      await Promise.race([sleepMs(Math.max(1, Math.ceil(remainingNs / NS_PER_MS))), new Promise<void>((resolve) => (this.wake = resolve))])
      remainingNs = this.sleepDeficitNs - Number(process.hrtime.bigint() - start)
    }
    this.wakeupRequested = false
    this.sleepDeficitNs = 0
  }

  /** Ends a sleep in progress. */
  wakeup(): void {
    this.wakeupRequested = true
    this.wake?.()
  }
}
