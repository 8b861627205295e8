/**
 * Recent request times of one API for the TotalTimeMs percentiles (Kafka's Yammer histogram,
 * exported by the JMX exporter as `quantile` gauges). A sliding window of the last `size`
 * samples (Dropwizard `SlidingWindowReservoir`; Kafka's biased reservoir also holds 1028): adding
 * is one array store, the sort happens only at scrape time.
 */

/** The quantiles Yammer's snapshot exposes (50thPercentile ... 999thPercentile), with the JMX exporter's label text. */
export const QUANTILES: readonly {label: string, q: number}[] = [
  {label: '0.50', q: 0.5},
  {label: '0.75', q: 0.75},
  {label: '0.95', q: 0.95},
  {label: '0.98', q: 0.98},
  {label: '0.99', q: 0.99},
  {label: '0.999', q: 0.999},
]

export class LatencyReservoir {
  private readonly values: Float64Array
  private next = 0
  /** Samples ever added (the `_count` of the histogram). */
  count = 0

  constructor(readonly size = 1028) {
    this.values = new Float64Array(size)
  }

  add(ms: number): void {
    this.values[this.next] = ms
    this.next = this.next + 1 === this.size ? 0 : this.next + 1
    this.count++
  }

  /**
   * Values at `qs` over the window (Yammer `Snapshot.getValue`: linear interpolation at
   * `q * (n + 1)`), or null when nothing was recorded.
   */
  quantiles(qs: readonly number[]): number[] | null {
    const n = Math.min(this.count, this.size)
    if (n === 0) return null
    const sorted = this.values.slice(0, n).sort()
    return qs.map((q) => {
      const pos = q * (n + 1)
      if (pos < 1) return sorted[0]
      if (pos >= n) return sorted[n - 1]
      const lower = sorted[Math.floor(pos) - 1]
      const upper = sorted[Math.floor(pos)]
      return lower + (pos - Math.floor(pos)) * (upper - lower)
    })
  }
}
