/**
 * Event-loop delay probe for a process the bench starts (issue 11, acceptance 7), preloaded with no
 * change to the program under test:
 *
 *   KTS_EVENT_LOOP_PROBE_FILE=/tmp/x/probe.json node --import file:///…/dist/bench/event-loop-probe.js bin/run.js server start …
 *
 * It runs `perf_hooks.monitorEventLoopDelay({resolution: 1})` (a 1 ms timer whose lateness is
 * recorded) from the moment it is loaded. On every SIGUSR2 it writes the histogram since the
 * previous SIGUSR2 (or since start) to the file named by KTS_EVENT_LOOP_PROBE_FILE, as one JSON
 * object of shape {@link EventLoopProbeReport}, and resets the histogram. So a bench brackets a
 * phase with two signals: the first report (discarded) resets, the second one covers the phase.
 * The file is written to `<file>.tmp` and renamed, so a reader never sees half of it; `seq` counts
 * the reports (1, 2, …) so that a reader waiting for a new one can tell it from the last.
 *
 * Stalls: a second timer (every 5 ms, unref'd) notes each gap of at least KTS_EVENT_LOOP_PROBE_STALL_MS
 * (default 50) beyond its period, with the wall-clock time it began, so that a long block can be
 * matched with the process's log lines; a report lists the longest (at most 10) of its interval.
 *
 * Without KTS_EVENT_LOOP_PROBE_FILE the module does nothing. The signal listener does not keep the
 * process alive, and the monitor's timer is not a handle of the event loop.
 * The delay is what Node measures (`IntervalHistogram`, nanoseconds, converted to ms here): how late
 * the libuv timer fired, i.e. how long the loop was busy (or blocked) beyond its 1 ms period.
 */
import fs from 'node:fs'
import {monitorEventLoopDelay} from 'node:perf_hooks'

/** Environment variable naming the report file. */
export const PROBE_FILE_ENV = 'KTS_EVENT_LOOP_PROBE_FILE'

/** One report: event-loop delay percentiles in ms over the interval since the previous report. */
export interface EventLoopProbeReport {
  /** 1 for the first report of the process, then 2, 3, … */
  seq: number
  /** Process id of the probed process. */
  pid: number
  /** ms the interval lasted (since the previous report, or since the probe was loaded). */
  intervalMs: number
  /** When this report was taken, on CLOCK_MONOTONIC in µs (`process.hrtime`, the clock of `--cpu-prof` timestamps). */
  monoUs: number
  /** Samples recorded (about one per ms of the interval while the loop keeps up). */
  count: number
  p50: number
  p99: number
  p999: number
  max: number
  mean: number
  /** Stalls seen in the interval: how many, and the longest (at most 10, longest first). */
  stallCount: number
  stalls: EventLoopStall[]
}

/** One long block of the event loop. */
export interface EventLoopStall {
  /** Wall-clock time (ISO 8601) the block began, about. */
  at: string
  /** ms the loop did not run timers (beyond the 5 ms period). */
  ms: number
  /** When it began on CLOCK_MONOTONIC in µs (`process.hrtime`; the clock of a `--cpu-prof` profile's timestamps). */
  monoUs: number
}

const STALL_PERIOD_MS = 5
const MAX_STALLS = 10

const file = process.env[PROBE_FILE_ENV]
if (file) {
  const histogram = monitorEventLoopDelay({resolution: 1})
  histogram.enable()
  let seq = 0
  let since = performance.now()
  const stallMs = Number(process.env.KTS_EVENT_LOOP_PROBE_STALL_MS) || 50
  let stalls: EventLoopStall[] = []
  let stallCount = 0
  let last = performance.now()
  setInterval(() => {
    const now = performance.now()
    const gap = now - last - STALL_PERIOD_MS
    last = now
    if (gap < stallMs) return
    stallCount++
    stalls.push({at: new Date(Date.now() - gap).toISOString(), ms: Math.round(gap), monoUs: Math.round(Number(process.hrtime.bigint() / 1000n) - gap * 1000)})
    if (stalls.length > MAX_STALLS) stalls = stalls.sort((a, b) => b.ms - a.ms).slice(0, MAX_STALLS)
  }, STALL_PERIOD_MS).unref()
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3
  process.on('SIGUSR2', () => {
    const now = performance.now()
    const count = histogram.count
    const report: EventLoopProbeReport = {
      seq: ++seq,
      pid: process.pid,
      intervalMs: Math.round(now - since),
      monoUs: Number(process.hrtime.bigint() / 1000n),
      count,
      // An empty histogram reports min/max sentinels and NaN mean: give zeros instead.
      p50: count > 0 ? ms(histogram.percentile(50)) : 0,
      p99: count > 0 ? ms(histogram.percentile(99)) : 0,
      p999: count > 0 ? ms(histogram.percentile(99.9)) : 0,
      max: count > 0 ? ms(histogram.max) : 0,
      mean: count > 0 ? ms(histogram.mean) : 0,
      stallCount,
      stalls: stalls.sort((a, b) => b.ms - a.ms),
    }
    histogram.reset()
    stalls = []
    stallCount = 0
    since = now
    try {
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(report) + '\n')
      fs.renameSync(`${file}.tmp`, file)
    } catch (err) {
      process.stderr.write(`event-loop probe: cannot write ${file}: ${(err as Error).message}\n`)
    }
  })
}
