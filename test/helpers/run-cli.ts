/**
 * Runs the real `kts` binary (`node bin/run.js ...`, i.e. the tsc output in dist/) as a child
 * process with a deadline, capturing stdout, stderr and the exit code.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export interface CliResult {
  stdout: string
  stderr: string
  /** Exit code, or null when killed by a signal (then `signal` is set). */
  code: number | null
  signal: NodeJS.Signals | null
}

/** The repository root (the directory of the `kts` package.json), found from this file's location. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = path.join(dir, 'package.json')
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'kts') return dir
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('kts package root not found')
    dir = parent
  }
}

/**
 * Runs `node bin/run.js ...args`; kills it with SIGKILL and rejects when `timeoutMs` (default 30 s) passes.
 * `input` is written to stdin (stdin is closed either way). `runJs` runs another copy of the
 * package (see package-sandbox.ts) instead of this repository's `bin/run.js`.
 */
export function runCli(args: string[], opts: {timeoutMs?: number, env?: NodeJS.ProcessEnv, input?: string, cwd?: string, runJs?: string} = {}): Promise<CliResult> {
  const root = repoRoot()
  const timeoutMs = opts.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.runJs ?? path.join(root, 'bin', 'run.js'), ...args], {
      cwd: opts.cwd ?? root,
      env: {...process.env, ...opts.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kts ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({stdout, stderr, code, signal})
    })
    child.stdin.end(opts.input ?? '')
  })
}
