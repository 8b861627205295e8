/**
 * Runs the real `kts` binary on a pseudo-terminal, through util-linux `script -qec CMD /dev/null`
 * (so stdin and stdout are TTYs for kts), and types an answer once a prompt appears.
 * `ptyAvailable()` tells whether `script` exists (tests skip otherwise).
 */
import {spawn, spawnSync} from 'node:child_process'
import path from 'node:path'
import {repoRoot} from './run-cli.js'

export interface PtyResult {
  /** Everything the terminal showed (kts's stdout and stderr, the echoed input, escapes). */
  output: string
  /** kts's exit code (`script -e` passes it on). */
  code: number | null
}

/** True when util-linux `script` can be run. */
export function ptyAvailable(): boolean {
  const r = spawnSync('script', ['--version'], {encoding: 'utf8'})
  return r.status === 0 && /util-linux/.test(r.stdout)
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * Runs `node bin/run.js ...args` on a pty. When the output matches `answer.when`, writes
 * `answer.send` to the terminal. Rejects (after SIGKILL) when `timeoutMs` (default 30 s) passes.
 */
export function runCliInPty(args: string[], opts: {env?: NodeJS.ProcessEnv, cwd?: string, answer?: {when: RegExp, send: string}, timeoutMs?: number} = {}): Promise<PtyResult> {
  const root = repoRoot()
  const cmd = [process.execPath, path.join(root, 'bin', 'run.js'), ...args].map(shellQuote).join(' ')
  const timeoutMs = opts.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: opts.cwd ?? root,
      env: {...process.env, TERM: 'xterm', ...opts.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    let answered = opts.answer === undefined
    const onData = (d: string): void => {
      output += d
      if (!answered && opts.answer!.when.test(output)) {
        answered = true
        child.stdin.write(opts.answer!.send)
      }
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    child.stdin.on('error', () => undefined)
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kts ${args.join(' ')} (pty) did not finish within ${timeoutMs} ms\noutput: ${output}`))
    }, timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({output, code})
    })
  })
}
