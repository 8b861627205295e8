/**
 * Temporary directories for tests: `makeTempDir()` creates one under the OS temp dir and remembers
 * it; `removeTempDir()` deletes one; every directory still registered is deleted when the process
 * exits (synchronously, in a process 'exit' handler), so a failing test does not leak it.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const live = new Set<string>()
let exitHandlerInstalled = false

function removeAllSync(): void {
  for (const dir of live) {
    try {
      fs.rmSync(dir, {recursive: true, force: true})
    } catch {
      // best effort at exit
    }
  }
  live.clear()
}

/** Creates `<os tmp>/<prefix>XXXXXX` (mkdtemp) and returns its absolute path. */
export function makeTempDir(prefix = 'kts-test-'): string {
  if (!exitHandlerInstalled) {
    process.once('exit', removeAllSync)
    exitHandlerInstalled = true
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  live.add(dir)
  return dir
}

/** Deletes a directory made by `makeTempDir` (recursively; a missing directory is fine). */
export function removeTempDir(dir: string): void {
  fs.rmSync(dir, {recursive: true, force: true})
  live.delete(dir)
}

/** Runs `fn` with a fresh temp dir and deletes the dir afterwards, whether `fn` succeeds or throws. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, prefix?: string): Promise<T> {
  const dir = makeTempDir(prefix)
  try {
    return await fn(dir)
  } finally {
    removeTempDir(dir)
  }
}
