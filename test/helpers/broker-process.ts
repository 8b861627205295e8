/**
 * A real kts broker for tests: one `kts server start` process (combined broker+controller, KRaft
 * single-node quorum) on random free loopback ports with its own temp dir.
 *
 * It writes `<tmp>/server.properties`, runs `node bin/run.js storage format -t <random id> -c <file>`,
 * then spawns `node bin/run.js server start <file>` (the compiled dist/; `npm test` builds first) in
 * its own process group, capturing stdout and stderr. `startBroker()` resolves when the output
 * contains `Kafka Server started` AND a TCP connect to the PLAINTEXT port succeeds (deadline 20 s by
 * default); otherwise it kills the process and rejects with the captured output.
 *
 * Leaks: every spawned process group is SIGKILLed and every temp dir deleted in a process 'exit'
 * handler, so a failing test leaves nothing behind; suites should still `await broker.close()` in `after()`.
 *
 * `KTS_TEST_BOOTSTRAP=host:port` (manual runs only) makes `startBroker()` return a handle on that
 * already running cluster instead (`external: true`; stop/kill/restart then throw).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {repoRoot} from './run-cli.js'
import {freePorts} from './free-port.js'
import {makeTempDir, removeTempDir} from './temp-dir.js'
import {waitFor} from './wait-for.js'

export interface BrokerOptions {
  /** Extra or replacing server.properties entries (written after the defaults). */
  overrides?: Record<string, string | number | boolean>
  /** Deadline for start-up and for each restart, ms (default 20,000). */
  startTimeoutMs?: number
  /** Extra environment for the broker process. */
  env?: NodeJS.ProcessEnv
}

export interface BrokerHandle {
  /** `127.0.0.1:PORT` of the PLAINTEXT listener. */
  bootstrap: string
  port: number
  controllerPort: number
  /** The broker's temp dir (holds server.properties and `logs/`). */
  dir: string
  /** `log.dirs` of the broker (`<dir>/logs`). */
  logDir: string
  /** Path of the written server.properties. */
  configFile: string
  /** The cluster id given to `storage format`. */
  clusterId: string
  /** True for a `KTS_TEST_BOOTSTRAP` cluster that this helper did not start. */
  external: boolean
  /** Pid of the running `kts server start` process (0 when not running or external). */
  readonly pid: number
  /** SIGTERM to the process group, then wait for exit (SIGKILL after 15 s). Keeps the dirs. */
  stop(): Promise<void>
  /** SIGKILL to the process group, then wait for exit. Keeps the dirs. */
  kill(): Promise<void>
  /** Stops the process if it runs (SIGTERM) and starts it again with the same dirs and ports. */
  restart(): Promise<void>
  /** Everything the process(es) printed so far, stdout and stderr interleaved, across restarts. */
  output(): string
  /** Kills the process (SIGKILL) if it runs and deletes the temp dir. Idempotent. */
  close(): Promise<void>
}

const STARTED_MARKER = 'Kafka Server started'
const live = new Set<ChildProcess>()
let exitHandlerInstalled = false

function killAllSync(): void {
  for (const child of live) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  live.clear()
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return
  exitHandlerInstalled = true
  process.once('exit', killAllSync)
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      killAllSync()
      process.exit(130)
    })
  }
}

/** A random cluster id in Kafka's text form (22 chars URL-safe base64, not starting with '-'). */
export function randomClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

/** Renders properties as `key=value` lines (values are written as given; keep them single-line). */
function renderProperties(props: Record<string, string | number | boolean>): string {
  return Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n'
}

/** True when a TCP connection to 127.0.0.1:port is accepted. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({port, host})
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

function runNode(args: string[], timeoutMs: number): Promise<{code: number | null, out: string}> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, {cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    c.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
    const timer = setTimeout(() => {
      out += `\n[broker-process] killed after ${timeoutMs} ms\n`
      c.kill('SIGKILL')
    }, timeoutMs)
    c.once('error', (err) => (out += `\n[broker-process] ${err.message}\n`))
    c.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, out})
    })
  })
}

function externalHandle(bootstrap: string): BrokerHandle {
  const port = Number(bootstrap.split(':').pop())
  const unsupported = async (): Promise<never> => {
    throw new Error(`KTS_TEST_BOOTSTRAP=${bootstrap}: an external cluster cannot be stopped or restarted by the tests`)
  }
  return {
    bootstrap, port, controllerPort: 0, dir: '', logDir: '', configFile: '', clusterId: '', external: true, pid: 0,
    stop: unsupported, kill: unsupported, restart: unsupported,
    output: () => `(external cluster ${bootstrap}: no output captured)`,
    close: async () => undefined,
  }
}

/**
 * Formats storage and starts a kts broker+controller; see the file comment. Rejects (with the
 * captured output in the message) when formatting fails or the broker is not up within the deadline.
 */
export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerHandle> {
  const external = process.env.KTS_TEST_BOOTSTRAP
  if (external) return externalHandle(external)
  installExitHandler()

  const root = repoRoot()
  const runJs = path.join(root, 'bin', 'run.js')
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000
  const dir = makeTempDir('kts-broker-')
  const logDir = path.join(dir, 'logs')
  const configFile = path.join(dir, 'server.properties')
  const [port, controllerPort] = await freePorts(2)
  const clusterId = randomClusterId()
  fs.writeFileSync(configFile, renderProperties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDir,
    'offsets.topic.replication.factor': 1,
    'group.initial.rebalance.delay.ms': 0,
    ...opts.overrides,
  }))

  const format = await runNode([runJs, 'storage', 'format', '-t', clusterId, '-c', configFile], 30_000)
  if (format.code !== 0) {
    removeTempDir(dir)
    throw new Error(`kts storage format failed (exit ${format.code}):\n${format.out}`)
  }

  let out = format.out
  let child: ChildProcess | null = null
  let exited: Promise<void> = Promise.resolve()

  const spawnServer = async (): Promise<void> => {
    const c = spawn(process.execPath, [runJs, 'server', 'start', configFile], {
      cwd: root,
      env: {...process.env, ...opts.env},
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = c
    live.add(c)
    const startedAt = out.length
    let exitInfo: string | null = null
    exited = new Promise((resolve) => {
      c.once('exit', (code, signal) => {
        exitInfo = `exited with ${signal ?? `code ${code}`}`
        live.delete(c)
        if (child === c) child = null
        resolve()
      })
    })
    c.once('error', (err) => {
      out += `\n[broker-process] spawn error: ${err.message}\n`
    })
    c.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d))
    try {
      const state = await waitFor(async () => {
        if (exitInfo !== null) return 'exited'
        return out.indexOf(STARTED_MARKER, startedAt) >= 0 && await canConnect(port) ? 'up' : false
      }, {timeoutMs: startTimeoutMs, intervalMs: 50, message: `"${STARTED_MARKER}" and a connection to 127.0.0.1:${port}`})
      if (state === 'exited') throw new Error(`kts server start ${exitInfo} before it was up`)
    } catch (err) {
      await killChild('SIGKILL')
      throw new Error(`kts broker did not start: ${(err as Error).message}\n--- broker output ---\n${out}`)
    }
  }

  const killChild = async (signal: NodeJS.Signals, graceMs = 15_000): Promise<void> => {
    const c: ChildProcess | null = child
    if (c === null || c.pid === undefined) return
    const wait = exited
    try {
      process.kill(-c.pid, signal)
    } catch {
      // already gone
    }
    let timer: NodeJS.Timeout | undefined
    await Promise.race([wait, new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        out += `\n[broker-process] no exit ${graceMs} ms after ${signal}; sending SIGKILL\n`
        try {
          process.kill(-c.pid!, 'SIGKILL')
        } catch {
          // gone
        }
        resolve()
      }, graceMs)
    })])
    await wait
    if (timer) clearTimeout(timer)
  }

  try {
    await spawnServer()
  } catch (err) {
    removeTempDir(dir)
    throw err
  }

  let closed = false
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    controllerPort,
    dir,
    logDir,
    configFile,
    clusterId,
    external: false,
    get pid(): number {
      const c: ChildProcess | null = child
      return c?.pid ?? 0
    },
    stop: () => killChild('SIGTERM'),
    kill: () => killChild('SIGKILL'),
    restart: async () => {
      if (closed) throw new Error('broker handle closed')
      await killChild('SIGTERM')
      out += '\n[broker-process] ---- restart ----\n'
      await spawnServer()
    },
    output: () => out,
    close: async () => {
      if (closed) return
      closed = true
      await killChild('SIGKILL')
      removeTempDir(dir)
    },
  }
}
