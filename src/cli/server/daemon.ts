/**
 * `kts server start -daemon` (kafka-server-start.sh -daemon): start `kts server start <config>` as
 * a detached child (its own session, stdin closed) whose stdout and stderr go to
 * `$LOG_DIR/kafkaServer.out`, and return once its node accepts connections, or fail with the one
 * line the child printed (port in use, bad config, ...) once the child has exited, so that nothing
 * is left running. The child reports over IPC (node-ipc.ts), not through its log.
 *
 * Differences from Kafka's script: kafkaServer.out is appended to, not truncated (several daemons
 * may share a LOG_DIR); the command waits for the node instead of returning at once.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {TerseError} from '../errors.js'
import {isNodeProcessMessage, SERVER_IPC_ENV, type StartedMessage} from './node-ipc.js'
import {removeServerRecord} from './server-registry.js'

export interface StartDaemonOptions {
  /** The package's bin/run.js. */
  runJs: string
  /** Absolute path of the server.properties. */
  configPath: string
  /** `--override` values (`k=v`), passed on. */
  overrides: readonly string[]
  /** Absolute LOG_DIR (created if missing). */
  logDir: string
  /** Give up (SIGKILL the child) after this many ms without `started`; default 60,000. */
  timeoutMs?: number
}

export interface DaemonStarted extends Omit<StartedMessage, 'type'> {
  /** `$LOG_DIR/kafkaServer.out`. */
  outFile: string
  /** `$LOG_DIR/server.log`. */
  serverLog: string
}

/**
 * Starts the daemon and waits for it. @throws TerseError with the child's own error line, or
 * `kts server did not start within 60 s; see <LOG_DIR>/kafkaServer.out` (the child is killed).
 */
export async function startDaemon(opts: StartDaemonOptions): Promise<DaemonStarted> {
  fs.mkdirSync(opts.logDir, {recursive: true})
  const outFile = path.join(opts.logDir, 'kafkaServer.out')
  const outFd = fs.openSync(outFile, 'a')
  const args = [opts.runJs, 'server', 'start', opts.configPath, ...opts.overrides.flatMap((o) => ['--override', o])]
  let child: ChildProcess
  try {
    child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', outFd, outFd, 'ipc'],
      env: {...process.env, [SERVER_IPC_ENV]: 'daemon', LOG_DIR: opts.logDir},
    })
  } finally {
    fs.closeSync(outFd)
  }
  const timeoutMs = opts.timeoutMs ?? 60_000
  const started = await new Promise<StartedMessage>((resolve, reject) => {
    let failure: string | null = null
    let settled = false
    let failTimer: NodeJS.Timeout | undefined
    const timer = setTimeout(() => {
      failure ??= `kts server did not start within ${Math.round(timeoutMs / 1000)} s; see ${outFile}`
      kill('SIGKILL')
    }, timeoutMs)
    const kill = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal)
      } catch {
        // gone
      }
    }
    child.on('message', (m: unknown) => {
      if (!isNodeProcessMessage(m) || settled) return
      if (m.type === 'started') {
        settled = true
        clearTimeout(timer)
        resolve(m)
      } else {
        // The child exits next; fail only then, so that no process is left behind.
        failure = m.message
        failTimer = setTimeout(() => kill('SIGKILL'), 10_000)
      }
    })
    child.once('error', (err) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new TerseError(`Cannot start ${process.execPath}: ${err.message}`))
    })
    child.once('exit', (code, signal) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(failTimer)
      if (child.pid !== undefined) removeServerRecord(child.pid)
      reject(new TerseError(failure ?? `kts server exited (${signal ?? `code ${code}`}) before it started; see ${outFile}`))
    })
  })
  child.disconnect()
  child.unref()
  const {type: _type, ...info} = started
  return {...info, outFile, serverLog: path.join(opts.logDir, 'server.log')}
}
