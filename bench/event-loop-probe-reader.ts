/**
 * The bench's side of bench/event-loop-probe.ts: how to preload the probe into a node process the
 * bench spawns, and how to read its reports (SIGUSR2, then wait — with a deadline — for the report
 * file to hold the next sequence number).
 *
 *   const probe = eventLoopProbeSpawn(path.join(dir, 'event-loop.json'))
 *   const child = spawn(process.execPath, [...probe.nodeArgs, runJs, 'server', 'start', config], {env: {...process.env, ...probe.env}})
 *   const reader = new EventLoopProbeReader(child.pid!, probe.file, () => child.exitCode === null && child.signalCode === null)
 *   const {result, loop} = await reader.around(() => somePhase())   // loop.p99, loop.max in ms
 */
import fs from 'node:fs'
import {PROBE_FILE_ENV, type EventLoopProbeReport} from './event-loop-probe.js'

export type {EventLoopProbeReport} from './event-loop-probe.js'

/** The compiled probe next to this module (dist/bench/event-loop-probe.js), as a file: URL for `--import`. */
export const PROBE_URL = new URL('./event-loop-probe.js', import.meta.url)

/** What to add to a `node` command line and its environment so that the probe reports into `file`. */
export function eventLoopProbeSpawn(file: string): {nodeArgs: string[], env: Record<string, string>, file: string} {
  if (!fs.existsSync(PROBE_URL)) throw new Error(`${PROBE_URL.pathname} is missing: run npm run build`)
  return {nodeArgs: ['--import', PROBE_URL.href], env: {[PROBE_FILE_ENV]: file}, file}
}

/** Reads the reports of the probe in process `pid`; `alive()` false makes a wait fail at once. */
export class EventLoopProbeReader {
  private seq = 0

  constructor(private readonly pid: number, private readonly file: string, private readonly alive: () => boolean = () => true) {}

  /**
   * SIGUSR2 to the process, then its next report (the histogram since the previous one, which the
   * probe resets). Throws when the process is gone or no report comes within `deadlineMs`.
   */
  async report(deadlineMs = 10_000): Promise<EventLoopProbeReport> {
    const want = this.seq + 1
    process.kill(this.pid, 'SIGUSR2')
    const deadline = performance.now() + deadlineMs
    for (;;) {
      try {
        const r = JSON.parse(fs.readFileSync(this.file, 'utf8')) as EventLoopProbeReport
        if (r.seq === want) {
          this.seq = want
          return r
        }
      } catch {
        // not written yet
      }
      if (!this.alive()) throw new Error(`event-loop probe: process ${this.pid} ended before report #${want}`)
      if (performance.now() > deadline) throw new Error(`event-loop probe: no report #${want} in ${this.file} within ${deadlineMs} ms (is the probe preloaded?)`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  /** The event-loop delay during `fn`: a report before (discarded: it resets), one after. */
  async around<T>(fn: () => Promise<T>): Promise<{result: T, loop: EventLoopProbeReport}> {
    await this.report()
    const result = await fn()
    return {result, loop: await this.report()}
  }
}

/** "p50 1.1 ms, p99 4.2 ms, max 90.0 ms (812 samples; 1 stall >= 50 ms, longest 88 ms at 09:16:19.243Z)". */
export function formatLoopDelay(r: EventLoopProbeReport): string {
  const stalls = r.stallCount > 0 ? `; ${r.stallCount} stall${r.stallCount > 1 ? 's' : ''} >= 50 ms, longest ${r.stalls[0].ms} ms at ${r.stalls[0].at.slice(11)}` : ''
  return `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms (${r.count} samples${stalls})`
}

/**
 * The lines of a Kafka-style log (`[2026-12-06 09:16:29,448] INFO ...`, local time) stamped within
 * `marginMs` of a stall; for pointing at what the process did while its loop was blocked.
 */
export function logLinesAround(log: string, stall: {at: string, ms: number}, marginMs = 50): string[] {
  const from = Date.parse(stall.at) - marginMs
  const to = Date.parse(stall.at) + stall.ms + marginMs
  const out: string[] = []
  for (const line of log.split('\n')) {
    const m = /^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})\]/.exec(line)
    if (!m) continue
    const t = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).getTime()
    if (t >= from && t <= to) out.push(line)
  }
  return out
}
