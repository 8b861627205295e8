import assert from 'node:assert/strict'
import {ProducerStats} from '../../../../src/cli/perf/producer-stats.js'
import {ThroughputThrottler} from '../../../../src/cli/perf/throughput-throttler.js'

describe('perf tools: producer stats and throttler (Kafka ProducerPerformance.Stats, ThroughputThrottler)', () => {
  it('prints the window line after 5 s and Kafka\'s total line with sampled percentiles', () => {
    let now = 1_000_000
    const out: string[] = []
    const stats = new ProducerStats(1000, (l) => out.push(l), 5000, () => now)
    // 999 records acknowledged 2 ms after sending, then one slow record.
    now += 1000
    stats.record(2, 999, 999 * 100, now)
    assert.deepEqual(out, [])
    now += 4000
    stats.record(250, 1, 100, now)
    assert.deepEqual(out, ['1000 records sent, 200.0 records/sec (0.02 MB/sec), 2.2 ms avg latency, 250.0 ms max latency.'])
    now += 5000
    stats.printTotal()
    assert.equal(out[1], '1000 records sent, 100.0 records/sec (0.01 MB/sec), 2.25 ms avg latency, 250.00 ms max latency, 2 ms 50th, 2 ms 95th, 2 ms 99th, 250 ms 99.9th.')
  })

  it('samples every (n / 500000)-th latency for big runs', () => {
    let now = 0
    const out: string[] = []
    const stats = new ProducerStats(2_000_000, (l) => out.push(l), 5000, () => now)
    for (let i = 0; i < 2000; i++) stats.record(i % 10, 1000, 1000, now)
    now = 1000
    stats.printTotal()
    assert.match(out[0], /^2000000 records sent, 2000000\.0 records\/sec \(1\.91 MB\/sec\), 4\.50 ms avg latency, 9\.00 ms max latency, 5 ms 50th, 9 ms 95th, 9 ms 99th, 9 ms 99\.9th\.$/)
  })

  it('an empty run prints NaN averages like Java', () => {
    let now = 0
    const out: string[] = []
    const stats = new ProducerStats(10, (l) => out.push(l), 5000, () => now)
    now = 100
    stats.printTotal()
    assert.equal(out[0], '0 records sent, 0.0 records/sec (0.00 MB/sec), NaN ms avg latency, 0.00 ms max latency, 0 ms 50th, 0 ms 95th, 0 ms 99th, 0 ms 99.9th.')
  })

  it('throttles only above the target rate; -1 never', async () => {
    const off = new ThroughputThrottler(-1, 0)
    assert.equal(off.shouldThrottle(1e9, 1), false)
    const t = new ThroughputThrottler(1000, 10_000)
    assert.equal(t.shouldThrottle(100, 10_000), false, 'no time elapsed yet')
    assert.equal(t.shouldThrottle(999, 11_000), false)
    assert.equal(t.shouldThrottle(1001, 11_000), true)
    // 1000/s = 1 ms a record: sleeps once 2 ms of deficit have accumulated.
    const t0 = Date.now()
    await t.throttle()
    assert.ok(Date.now() - t0 < 5, 'first ms of deficit: no sleep')
    await t.throttle()
    assert.ok(Date.now() - t0 >= 2, 'second: sleeps the 2 ms deficit')
  })
})
