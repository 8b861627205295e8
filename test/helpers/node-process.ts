/**
 * One `kts server start <config>` process for tests: spawned in its own process group from the
 * compiled dist/ (`npm test` builds first), stdout and stderr captured (interleaved, across
 * restarts), signals sent to the whole group. `start()` resolves once the output contains
 * `Kafka Server started` after this start AND a TCP connect to `readyPort` succeeds; otherwise it
 * kills the process and rejects with the captured output.
 *
 * Leaks: every spawned process group is SIGKILLed in a process 'exit' handler, so a failing test
 * leaves no process behind; owners should still `close()` in after hooks.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import {repoRoot} from './run-cli.js'
import {waitFor} from './wait-for.js'

export const STARTED_MARKER = 'Kafka Server started'

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

/** True when a TCP connection to host:port is accepted. */
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

/** Runs `node <args>` from the repository root to completion (with a kill deadline). */
export function runNode(args: string[], timeoutMs: number): Promise<{code: number | null, out: string}> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, {cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    c.stderr.setEncoding('utf8').on('data', (d: string) => (out += d))
    const timer = setTimeout(() => {
      out += `\n[node-process] killed after ${timeoutMs} ms\n`
      c.kill('SIGKILL')
    }, timeoutMs)
    c.once('error', (err) => (out += `\n[node-process] ${err.message}\n`))
    c.once('close', (code) => {
      clearTimeout(timer)
      resolve({code, out})
    })
  })
}

/** `node bin/run.js <args>` argument list. */
export function ktsArgs(...args: string[]): string[] {
  return [path.join(repoRoot(), 'bin', 'run.js'), ...args]
}

export interface NodeProcessOptions {
  configFile: string
  /** Port that must accept connections before the node counts as up (its first listener). */
  readyPort: number
  env?: NodeJS.ProcessEnv
  /** Prefix of this process's lines in `output()` of a cluster, e.g. `[node 2] `. */
  label?: string
}

export class NodeProcess {
  private child: ChildProcess | null = null
  private exited: Promise<void> = Promise.resolve()
  private out = ''
  private stopped = false
  /** Exit code of the last process that exited (null for a signal or while running). */
  private lastExitCode: number | null = null
  /** Output length when the current process was spawned (its start marker must come after). */
  private startedAt = 0

  constructor(readonly opts: NodeProcessOptions) {
    installExitHandler()
  }

  /** Pid of the running process, 0 when not running. */
  get pid(): number {
    return this.child?.pid ?? 0
  }

  get running(): boolean {
    return this.child !== null
  }

  /** Everything the process printed so far, across restarts. */
  output(): string {
    return this.out
  }

  /** Appends a note to the output (restarts, kills). */
  note(text: string): void {
    this.out += `\n[node-process] ${text}\n`
  }

  /** Spawns the process; with `waitReady` (default) resolves once it is up (see the file comment). */
  async start(timeoutMs = 20_000, waitReady = true): Promise<void> {
    if (this.child) throw new Error('already running')
    const c = spawn(process.execPath, ktsArgs('server', 'start', this.opts.configFile), {
      // Its own pid directory (next to its config): a `kts server stop` run elsewhere never sees it.
      cwd: repoRoot(), env: {...process.env, KTS_PID_DIR: path.join(path.dirname(this.opts.configFile), 'run'), ...this.opts.env},
      detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child = c
    this.stopped = false
    live.add(c)
    const startedAt = this.out.length
    this.startedAt = startedAt
    let exitInfo: string | null = null
    this.exited = new Promise((resolve) => {
      c.once('exit', (code, signal) => {
        exitInfo = `exited with ${signal ?? `code ${code}`}`
        this.lastExitCode = code
        live.delete(c)
        if (this.child === c) this.child = null
        resolve()
      })
    })
    c.once('error', (err) => this.note(`spawn error: ${err.message}`))
    const label = this.opts.label ?? ''
    const append = (d: string): void => {
      this.out += label ? d.replace(/^(?=.)/gm, label) : d
    }
    c.stdout!.setEncoding('utf8').on('data', append)
    c.stderr!.setEncoding('utf8').on('data', append)
    if (!waitReady) return
    try {
      const state = await waitFor(async () => {
        if (exitInfo !== null) return 'exited'
        return this.out.indexOf(STARTED_MARKER, startedAt) >= 0 && await canConnect(this.opts.readyPort) ? 'up' : false
      }, {timeoutMs, intervalMs: 50, message: `"${STARTED_MARKER}" and a connection to 127.0.0.1:${this.opts.readyPort}`})
      if (state === 'exited') throw new Error(`kts server start ${exitInfo} before it was up`)
    } catch (err) {
      await this.signal('SIGKILL')
      throw new Error(`kts node did not start: ${(err as Error).message}\n--- output ---\n${this.out}`)
    }
  }

  /** Resolves once the output shows the node started (after `start(_, false)`). */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    await waitFor(async () => this.out.indexOf(STARTED_MARKER, this.startedAt) >= 0 && await canConnect(this.opts.readyPort), {
      timeoutMs, message: () => `node ${this.opts.configFile} to start\n--- output ---\n${this.out}`,
    })
  }

  /**
   * Sends `signal` to the process group; for SIGTERM/SIGKILL waits for the exit (SIGKILL after
   * `graceMs` when a SIGTERM is not enough).
   */
  async signal(signal: NodeJS.Signals, graceMs = 15_000): Promise<void> {
    const c = this.child
    if (c === null || c.pid === undefined) return
    if (signal === 'SIGTERM' || signal === 'SIGKILL') this.stopped = true
    try {
      process.kill(-c.pid, signal)
    } catch {
      return
    }
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return
    const wait = this.exited
    let timer: NodeJS.Timeout | undefined
    await Promise.race([wait, new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.note(`no exit ${graceMs} ms after ${signal}; sending SIGKILL`)
        try {
          process.kill(-c.pid!, 'SIGCONT')
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

  stop(graceMs?: number): Promise<void> {
    return this.signal('SIGTERM', graceMs)
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL')
  }

  /** Resolves when the process has exited (e.g. after it was asked to stop elsewhere). */
  waitExit(): Promise<void> {
    return this.exited
  }

  /** Exit code of the process that last exited, null when it ended by a signal (or has not exited). */
  get exitCode(): number | null {
    return this.lastExitCode
  }

  /** Whether it was stopped or killed by the test (rather than exiting by itself). */
  get stoppedByTest(): boolean {
    return this.stopped
  }
}
