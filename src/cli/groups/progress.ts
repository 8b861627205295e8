/**
 * Progress of long `kts consumer-groups` runs (describing, resetting or deleting many groups):
 * one status line on stderr, redrawn in place (`\r` + erase line) and erased before any other
 * output. Shown only when stdout and stderr are both terminals and the output is not `--json`,
 * so scripts and pipes never see it.
 */

/** A progress line. `clear()` erases it (it is redrawn by the next `update`). */
export interface Progress {
  update(label: string, done: number, total: number): void
  clear(): void
}

/** A progress that prints nothing. */
export const NO_PROGRESS: Progress = {update: () => undefined, clear: () => undefined}

/** True when progress should be shown: not JSON, stdout and stderr are TTYs. */
export function progressWanted(json: boolean, stdout: {isTTY?: boolean} = process.stdout, stderr: {isTTY?: boolean} = process.stderr): boolean {
  return !json && stdout.isTTY === true && stderr.isTTY === true
}

/** A progress line on `stream` (a TTY). */
export function ttyProgress(stream: {write(s: string): unknown}): Progress {
  let shown = false
  return {
    update(label, done, total) {
      stream.write(`\r\x1b[K${label} ${done}/${total}`)
      shown = true
    },
    clear() {
      if (!shown) return
      stream.write('\r\x1b[K')
      shown = false
    },
  }
}
