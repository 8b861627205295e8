/**
 * Runs an external program (kcat, python3, ...) with a deadline, capturing stdout and stderr.
 */
import {spawn} from 'node:child_process'

export interface ProcessResult {
  stdout: string
  stderr: string
  /** Exit code, or null when killed by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
}

/**
 * Spawns `cmd args`, writes `input` to its stdin (then closes stdin) and resolves on exit. At
 * `timeoutMs` (default 30,000) the process gets SIGKILL and the promise rejects with what it
 * printed so far. A missing program rejects with the spawn error (ENOENT).
 */
export function runProcess(cmd: string, args: string[], opts: {input?: string | Buffer, timeoutMs?: number, env?: NodeJS.ProcessEnv, cwd?: string} = {}): Promise<ProcessResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {cwd: opts.cwd, env: {...process.env, ...opts.env}, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) {
        reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout.slice(-4000)}\nstderr: ${stderr.slice(-4000)}`))
      } else {
        resolve({stdout, stderr, code, signal})
      }
    })
    child.stdin.on('error', () => undefined) // EPIPE when the program exits without reading
    child.stdin.end(opts.input ?? '')
  })
}

/** Like `runProcess` but rejects unless the exit code is 0. */
export async function runProcessOk(cmd: string, args: string[], opts: Parameters<typeof runProcess>[2] = {}): Promise<ProcessResult> {
  const r = await runProcess(cmd, args, opts)
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.signal ?? `code ${r.code}`}\nstdout: ${r.stdout.slice(-4000)}\nstderr: ${r.stderr.slice(-4000)}`)
  }
  return r
}
