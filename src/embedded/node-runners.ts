/**
 * One node of a `startKafka()` cluster, run in this process or as a child `kts server start`
 * process. Both start from a server.properties file that startKafka wrote and whose storage it formatted.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import path from 'node:path'
import {isNodeProcessMessage, SERVER_IPC_ENV} from '../cli/server/node-ipc.js'
import {loadServerConfig} from '../server/config/server-config.js'
import {launchNode, type RunningNode} from '../server/launch.js'

export interface NodeRunner {
  /** Pid of the process that runs the node while it runs (this process when in-process), else null. */
  readonly pid: number | null
  readonly running: boolean
  /** Starts the node; resolves once it accepts connections. @throws Error (one line) when it cannot start */
  start(timeoutMs: number): Promise<void>
  /** Shuts the node down cleanly (SIGTERM for a child); resolves once it is down. No-op when not running. */
  stop(): Promise<void>
  /** Stops the node abruptly (SIGKILL). Child processes only. */
  kill(): Promise<void>
}

/** The node in this process (`launchNode`). */
export class InProcessNode implements NodeRunner {
  private node: RunningNode | null = null

  constructor(private readonly configFile: string) {}

  get pid(): number | null {
    return this.node === null ? null : process.pid
  }

  get running(): boolean {
    return this.node !== null
  }

  async start(): Promise<void> {
    if (this.node !== null) return
    const config = loadServerConfig(this.configFile)
    this.node = await launchNode({config, configPath: this.configFile})
  }

  async stop(): Promise<void> {
    const n = this.node
    this.node = null
    if (n !== null) await n.shutdown()
  }

  async kill(): Promise<void> {
    throw new Error(`kill() needs startKafka({mode: 'child-process'}): an in-process node cannot be killed abruptly (use restart() or stop())`)
  }
}

const TAIL_CHARS = 64 * 1024
const STOP_GRACE_MS = 15_000

/**
 * The node in a child process, `node <root>/dist/src/embedded/node-main.js <configFile>` (what
 * `kts server start <configFile>` runs, without the CLI layer) with KTS_SERVER_IPC=attached: it
 * reports `started`/`failed` over IPC and shuts down when this process goes away. Its output is
 * forwarded to this process's stdout/stderr and the last 64 KiB are kept for error messages.
 */
export class ChildProcessNode implements NodeRunner {
  private child: ChildProcess | null = null
  private exited: Promise<void> = Promise.resolve()
  private tail = ''

  constructor(private readonly mainJs: string, private readonly configFile: string, private readonly logLevel: string) {}

  get pid(): number | null {
    return this.child?.pid ?? null
  }

  get running(): boolean {
    return this.child !== null
  }

  /** The last 64 KiB the child printed (stdout and stderr interleaved). */
  output(): string {
    return this.tail
  }

  async start(timeoutMs: number): Promise<void> {
    if (this.child !== null) return
    const child = spawn(process.execPath, [this.mainJs, this.configFile], {
      cwd: path.dirname(this.configFile),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {...process.env, [SERVER_IPC_ENV]: 'attached', KTS_LOG_LEVEL: this.logLevel},
    })
    this.child = child
    trackChild(child)
    const keep = (d: Buffer, to: NodeJS.WriteStream): void => {
      to.write(d)
      this.tail = (this.tail + d.toString('utf8')).slice(-TAIL_CHARS)
    }
    child.stdout!.on('data', (d: Buffer) => keep(d, process.stdout))
    child.stderr!.on('data', (d: Buffer) => keep(d, process.stderr))
    this.exited = new Promise((resolve) => child.once('exit', () => {
      liveChildren.delete(child)
      if (this.child === child) this.child = null
      resolve()
    }))
    const exited = this.exited
    try {
      await new Promise<void>((resolve, reject) => {
        let failure: string | null = null
        const timer = setTimeout(() => {
          failure = `the kts node did not start within ${timeoutMs} ms`
          child.kill('SIGKILL')
        }, timeoutMs)
        child.on('message', (m: unknown) => {
          if (!isNodeProcessMessage(m)) return
          if (m.type === 'started') {
            clearTimeout(timer)
            resolve()
          } else {
            failure = m.message // the child exits next
          }
        })
        child.once('error', (err) => {
          failure ??= `cannot start ${process.execPath}: ${err.message}`
        })
        exited.then(() => {
          clearTimeout(timer)
          reject(new Error(failure ?? `the kts node process exited before it started:\n${this.tail.slice(-4000)}`))
        }, reject)
      })
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
      throw err
    }
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM', STOP_GRACE_MS)
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL', STOP_GRACE_MS)
  }

  /** Sends `signal`, waits for the exit; SIGKILL after `graceMs`. */
  private async signal(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child
    if (child === null) return
    const exited = this.exited
    child.kill(signal)
    let timer: NodeJS.Timeout | undefined
    await Promise.race([exited, new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve()
      }, graceMs)
    })])
    await exited
    clearTimeout(timer)
  }
}

/** Children still running, SIGKILLed when this process exits (they also stop by themselves when their IPC channel closes). */
const liveChildren = new Set<ChildProcess>()
let exitHandlerInstalled = false

function trackChild(child: ChildProcess): void {
  liveChildren.add(child)
  if (exitHandlerInstalled) return
  exitHandlerInstalled = true
  process.once('exit', () => {
    for (const c of liveChildren) {
      try {
        c.kill('SIGKILL')
      } catch {
        // gone
      }
    }
  })
}
