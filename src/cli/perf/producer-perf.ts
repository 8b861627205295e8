/**
 * The run of `kts producer-perf-test` (Kafka `ProducerPerformance.start` [4.0]): `numRecords` keyless
 * records sent as fast as the producer takes them, or throttled to `--throughput` records/s by
 * Kafka's `ThroughputThrottler`; a record's latency runs from just before its send to its
 * acknowledgement. Window lines every 5 s, the total line at the end, then `--print-metrics`.
 *
 * Payloads as Kafka's `generateRandomPayload`: `--record-size` → fresh random upper-case letters
 * for every record (written straight into the batch), `--payload-file` → a random line of the file,
 * `--payload-monotonic` → the record's index in decimal.
 */
import {PerfProducer} from './perf-producer.js'
import {ProducerStats} from './producer-stats.js'
import {ThroughputThrottler} from './throughput-throttler.js'
import {producerMetricLines} from './perf-metrics.js'
import type {ProducerPerfOptions} from './producer-perf-options.js'

/** Result of a run (`--json`). Rates per second over the whole run; latencies in ms. */
export interface ProducerPerfResult {
  records: number
  recordsPerSec: number
  mbPerSec: number
  avgLatencyMs: number
  maxLatencyMs: number
  failedRecords: number
}

export interface ProducerPerfIo {
  /** A stdout line (window, total, metrics). */
  out(line: string): void
  /** A stderr line (send errors, warnings). */
  err(line: string): void
  /** A warning from the client (a WARN log line). */
  warn(message: string): void
}

/** Records between two yields to the event loop (responses are handled there). */
const YIELD_EVERY = 1024
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Fills `len` bytes at `at` with random 'A'..'Z' (xorshift32; two letters a draw, each from 16
 * bits scaled to 0..25). Returns the new generator state.
 */
function fillRandomLetters(buf: Buffer, at: number, len: number, state: number): number {
  let s = state
  const last = at + len - 1
  let p = at
  while (p < last) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    buf[p] = 65 + (((s & 0xffff) * 26) >>> 16)
    buf[p + 1] = 65 + (((s >>> 16) * 26) >>> 16)
    p += 2
  }
  if (p === last) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    buf[p] = 65 + (((s & 0xffff) * 26) >>> 16)
  }
  return s
}

/**
 * Runs the test. Resolves when every record is acknowledged or failed.
 * @throws TerseError when the topic's metadata or a producer id cannot be had within max.block.ms.
 */
export async function runProducerPerf(opts: ProducerPerfOptions, io: ProducerPerfIo, signal?: AbortSignal): Promise<ProducerPerfResult> {
  for (const n of opts.notices) io.out(n)
  const stats = new ProducerStats(opts.numRecords, io.out)
  let failed = 0
  const producer = new PerfProducer(opts.producer, opts.topic, {
    onAcked(runs, nowMs) {
      for (let i = 0; i < runs.length; i += 3) stats.record(nowMs - runs[i], runs[i + 1], runs[i + 2], nowMs)
    },
    onError(message, records) {
      failed += records
      io.err(message)
    },
    onWarning: io.warn,
  })
  const startMs = Date.now()
  const throttler = new ThroughputThrottler(opts.throughput, startMs)
  signal?.addEventListener('abort', () => throttler.wakeup())
  try {
    await producer.start()
    const payload = opts.payload
    const payloads = payload.kind === 'file' ? payload.payloads : []
    let rng = 0x2545f491
    let sinceYield = 0
    for (let i = 0; i < opts.numRecords; i++) {
      if (signal?.aborted) break
      if (producer.mustWait) await producer.waitForMemory()
      const now = Date.now()
      if (payload.kind === 'random') {
        const at = producer.append(now, payload.size)
        rng = fillRandomLetters(producer.valueBuffer, at, payload.size, rng)
      } else if (payload.kind === 'file') {
        rng ^= rng << 13
        rng ^= rng >>> 17
        rng ^= rng << 5
        const value = payloads[(rng >>> 0) % payloads.length]
        const at = producer.append(now, value.length)
        producer.valueBuffer.set(value, at)
      } else {
        const text = String(i)
        const at = producer.append(now, text.length)
        producer.valueBuffer.write(text, at, 'latin1')
      }
      if (throttler.shouldThrottle(i, now)) {
        producer.poll()
        await throttler.throttle()
      }
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0
        producer.poll()
        await yieldToEventLoop()
      }
    }
    await producer.flush()
    stats.printTotal()
    if (opts.printMetrics) for (const line of producerMetricLines(producer.metricsSnapshot(), opts.producer.clientId, opts.topic, opts.producer)) io.out(line)
  } finally {
    producer.close()
  }
  const s = stats.summary()
  return {
    records: s.records,
    recordsPerSec: 1000 * s.records / s.elapsedMs,
    mbPerSec: 1000 * s.bytes / s.elapsedMs / (1024 * 1024),
    avgLatencyMs: s.avgLatencyMs,
    maxLatencyMs: s.maxLatencyMs,
    failedRecords: failed,
  }
}
