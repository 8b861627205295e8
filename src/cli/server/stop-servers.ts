/**
 * `kts server stop` (kafka-server-stop.sh, Kafka 3.7+): signal the running kts servers that match
 * `--node-id` / `--process-role` (SIGTERM, or `$SIGNAL`), then wait until each has exited.
 *
 * Matching follows Kafka's script: `--node-id N` stops nodes whose node.id is N and wins over
 * `--process-role`; `--process-role R` stops nodes whose process.roles is exactly R (a combined
 * `broker,controller` node matches neither role). Kafka's script returns at once; kts waits.
 */
import os from 'node:os'
import {isRunning, removeServerRecord, runningServers, type ServerRecord} from './server-registry.js'

export interface StopFilter {
  nodeId?: number
  processRole?: 'broker' | 'controller'
}

export interface StopResult {
  /** The servers that were signalled and have exited. */
  stopped: ServerRecord[]
  /** Signalled but still running at the deadline. */
  stillRunning: ServerRecord[]
}

/** True if `rec` matches the filter (no filter: every server). */
export function matchesStopFilter(rec: ServerRecord, f: StopFilter): boolean {
  if (f.nodeId !== undefined) return rec.nodeId === f.nodeId
  if (f.processRole !== undefined) return rec.processRoles.join(',') === f.processRole
  return true
}

/**
 * Parses Kafka's `SIGNAL` variable (`TERM`, `SIGTERM`, `KILL`, `9`); default SIGTERM.
 * @throws Error naming the value when it is not a signal
 */
export function parseSignal(raw: string | undefined): NodeJS.Signals {
  if (raw === undefined || raw === '') return 'SIGTERM'
  const signals = os.constants.signals as Record<string, number>
  if (/^\d+$/.test(raw)) {
    const name = Object.keys(signals).find((k) => signals[k] === Number(raw))
    if (name) return name as NodeJS.Signals
  } else {
    const name = raw.toUpperCase().startsWith('SIG') ? raw.toUpperCase() : `SIG${raw.toUpperCase()}`
    if (name in signals) return name as NodeJS.Signals
  }
  throw new Error(`Invalid signal in SIGNAL: ${raw}`)
}

/**
 * Signals every matching running server and waits (polling every 50 ms) until they exit or
 * `timeoutMs` passes. Returns null when no server matches.
 */
export async function stopServers(filter: StopFilter, opts: {signal?: NodeJS.Signals, timeoutMs?: number, env?: NodeJS.ProcessEnv} = {}): Promise<StopResult | null> {
  const env = opts.env ?? process.env
  const targets = runningServers(env).filter((r) => matchesStopFilter(r, filter))
  if (targets.length === 0) return null
  const signal = opts.signal ?? 'SIGTERM'
  for (const t of targets) {
    try {
      process.kill(t.pid, signal)
    } catch {
      // exited meanwhile
    }
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  let pending = targets
  while (pending.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    pending = pending.filter((t) => isRunning(t))
  }
  const stopped = targets.filter((t) => !pending.includes(t))
  // A process killed with SIGKILL cannot remove its own record.
  for (const t of stopped) removeServerRecord(t.pid, env)
  return {stopped, stillRunning: pending}
}
