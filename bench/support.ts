/**
 * Pieces bench/run.ts and bench/groups.ts both need (bench/ does not import from test/): the
 * repository root, positive-integer settings from the environment, free loopback ports, and the
 * `server.properties` of a combined broker+controller node (the keys of Kafka's
 * config/kraft/server.properties that place it on given ports and a log dir).
 */
import type {ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

/** The kts repository root: the first directory above this file with package.json and bin/run.js. */
export function findRepoRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin', 'run.js'))) return dir
    if (path.dirname(dir) === dir) throw new Error('cannot find the kts repository root (package.json + bin/run.js) above this file')
  }
}

/** The environment variable `name` as a positive integer (`_` separators allowed), or `dflt` when unset or empty; throws otherwise. */
export function envInt(name: string, dflt: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return dflt
  const v = Number(raw.replace(/_/g, ''))
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`)
  return v
}

/** `n` distinct ports that were free on 127.0.0.1 a moment ago (all listeners are held open until every port is known). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < n; i++) {
      const server = net.createServer()
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(0, '127.0.0.1', () => resolve())
      })
      const address = server.address()
      if (address === null || typeof address === 'string') throw new Error('cannot read the port of a loopback listener')
      ports.push(address.port)
    }
    return ports
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  }
}

/**
 * The keys that make a single combined-mode node (node.id 1, broker and controller) listen on
 * 127.0.0.1:`port` (PLAINTEXT) and 127.0.0.1:`controllerPort` (CONTROLLER) and keep its logs in
 * `logDir`, with `__consumer_offsets` and `__transaction_state` at replication factor 1.
 */
export function kraftNodeProperties(port: number, controllerPort: number, logDir: string): Record<string, string | number> {
  return {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': logDir,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
  }
}

/** `key=value` lines, one per property, as a `.properties` file's text. */
export function renderProperties(props: Record<string, string | number>): string {
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n'
}

/** True once something accepts a TCP connection on 127.0.0.1:`port` (false after 1 s or on an error). */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({port, host: '127.0.0.1'})
    const done = (ok: boolean): void => {
      s.destroy()
      resolve(ok)
    }
    s.setTimeout(1000, () => done(false))
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

/** Sends `signal` to the process group of `child` (spawned detached), else to the child alone. */
export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}
