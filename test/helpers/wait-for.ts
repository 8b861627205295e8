/**
 * Polling with a deadline: the only way tests wait for something (never a bare sleep).
 */

export interface WaitForOptions {
  /** Give up after this many ms (default 10,000). */
  timeoutMs?: number
  /** Poll every this many ms (default 50). */
  intervalMs?: number
  /** Included in the timeout error (default 'condition'). */
  message?: string | (() => string)
}

/**
 * Calls `cond` until it returns a value other than `false`, `undefined` or `null` and resolves with
 * that value. A `cond` that throws counts as "not yet"; the last error is included in the timeout
 * error. Rejects with `Error('timed out after N ms waiting for <message>')` at the deadline.
 */
export async function waitFor<T>(cond: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<Exclude<T, false | undefined | null>> {
  const timeoutMs = opts.timeoutMs ?? 10_000
  const intervalMs = opts.intervalMs ?? 50
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const v = await cond()
      if (v !== false && v !== undefined && v !== null) return v as Exclude<T, false | undefined | null>
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const what = typeof opts.message === 'function' ? opts.message() : (opts.message ?? 'condition')
      const cause = lastError === undefined ? '' : ` (last error: ${(lastError as Error)?.message ?? String(lastError)})`
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`)
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline - Date.now()))))
  }
}

/**
 * Races `promise` against a timer: rejects with `Error('<what> did not finish within N ms')` when
 * the timer fires first. The timer is cleared either way.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
  } finally {
    if (timer) clearTimeout(timer)
  }
}
