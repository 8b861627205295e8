/**
 * The statistics of `kts producer-perf-test`, as Kafka's `ProducerPerformance.Stats` [4.0] keeps and
 * prints them: totals, a 5-second reporting window, and every `sampling`-th latency (at most
 * 500,000 samples) for the percentiles.
 *
 * Kafka records one completed record at a time; our producer completes whole batches, so
 * `record()` takes a run of `count` records that share a latency (they were sent in the same
 * millisecond and acknowledged together) — the same sums, maxima and samples, without a call per record.
 *
 * Lines (stdout; MB = 1024 × 1024 bytes):
 * - window: `%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.`
 * - total: `%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, %d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.`
 */
import {javaFixed} from './java-format.js'

const MB = 1024 * 1024

export class ProducerStats {
  private readonly start: number
  private readonly latencies: Int32Array
  private readonly sampling: number
  private iteration = 0
  private index = 0
  private count = 0
  private bytes = 0
  private maxLatency = 0
  private totalLatency = 0
  private windowCount = 0
  private windowMaxLatency = 0
  private windowTotalLatency = 0
  private windowBytes = 0
  private windowStart: number

  /**
   * @param numRecords records the run will send (sizes the latency samples).
   * @param print where lines go (stdout).
   * @param reportingIntervalMs window length (Kafka: 5000).
   * @param now clock (ms), for tests.
   */
  constructor(numRecords: number, private readonly print: (line: string) => void, private readonly reportingIntervalMs = 5000,
    private readonly now: () => number = Date.now) {
    this.start = now()
    this.windowStart = this.start
    this.sampling = Math.max(1, Math.floor(numRecords / Math.max(1, Math.min(numRecords, 500_000))))
    this.latencies = new Int32Array(Math.floor(numRecords / this.sampling) + 1)
  }

  /** Records sent so far. */
  get totalCount(): number {
    return this.count
  }

  /**
   * Counts `count` records of `bytes` bytes in all, acknowledged `latency` ms after they were sent,
   * at `time` (ms); prints the window line when the window is over.
   */
  record(latency: number, count: number, bytes: number, time: number): void {
    if (count <= 0) return
    this.count += count
    this.bytes += bytes
    this.totalLatency += latency * count
    if (latency > this.maxLatency) this.maxLatency = latency
    this.windowCount += count
    this.windowBytes += bytes
    this.windowTotalLatency += latency * count
    if (latency > this.windowMaxLatency) this.windowMaxLatency = latency
    // Samples: iterations i in [iteration, iteration + count) with i % sampling === 0.
    const first = Math.ceil(this.iteration / this.sampling) * this.sampling
    for (let i = first; i < this.iteration + count && this.index < this.latencies.length; i += this.sampling) this.latencies[this.index++] = latency
    this.iteration += count
    if (time - this.windowStart >= this.reportingIntervalMs) {
      this.printWindow()
      this.newWindow()
    }
  }

  /** The window line (Kafka `printWindow`). */
  printWindow(): void {
    const elapsed = this.now() - this.windowStart
    const recsPerSec = 1000 * this.windowCount / elapsed
    const mbPerSec = 1000 * this.windowBytes / elapsed / MB
    this.print(`${this.windowCount} records sent, ${javaFixed(recsPerSec, 1)} records/sec (${javaFixed(mbPerSec, 2)} MB/sec), ` +
      `${javaFixed(this.windowTotalLatency / this.windowCount, 1)} ms avg latency, ${javaFixed(this.windowMaxLatency, 1)} ms max latency.`)
  }

  private newWindow(): void {
    this.windowStart = this.now()
    this.windowCount = 0
    this.windowMaxLatency = 0
    this.windowTotalLatency = 0
    this.windowBytes = 0
  }

  /** The final line (Kafka `printTotal`). */
  printTotal(): void {
    const elapsed = this.now() - this.start
    const recsPerSec = 1000 * this.count / elapsed
    const mbPerSec = 1000 * this.bytes / elapsed / MB
    const [p50, p95, p99, p999] = this.percentiles([0.5, 0.95, 0.99, 0.999])
    this.print(`${this.count} records sent, ${javaFixed(recsPerSec, 1)} records/sec (${javaFixed(mbPerSec, 2)} MB/sec), ` +
      `${javaFixed(this.totalLatency / this.count, 2)} ms avg latency, ${javaFixed(this.maxLatency, 2)} ms max latency, ` +
      `${p50} ms 50th, ${p95} ms 95th, ${p99} ms 99th, ${p999} ms 99.9th.`)
  }

  /** Summary figures for the caller (records/s and MB/s since the start, ms latencies). */
  summary(): {records: number, bytes: number, elapsedMs: number, avgLatencyMs: number, maxLatencyMs: number} {
    return {records: this.count, bytes: this.bytes, elapsedMs: this.now() - this.start, avgLatencyMs: this.totalLatency / this.count, maxLatencyMs: this.maxLatency}
  }

  private percentiles(ps: number[]): number[] {
    const size = Math.min(this.index, this.latencies.length)
    const sorted = this.latencies.subarray(0, size).sort()
    // Kafka reads latencies[(int) (p * size)], which is 0 (never written) for an empty run.
    return ps.map((p) => (size === 0 ? 0 : sorted[Math.trunc(p * size)]))
  }
}
