/**
 * Drives the Python interop clients in test/interop/py/ (`/usr/bin/python3 <script> produce|consume
 * BOOTSTRAP TOPIC [extra]`), which print JSON lines of records.
 */
import fs from 'node:fs'
import path from 'node:path'
import {repoRoot} from '../helpers/run-cli.js'
import {runProcess, runProcessOk} from '../helpers/run-process.js'
import {parseJsonLines, type ReadRecord, type TestRecord} from './interop-check.js'

export const PYTHON = '/usr/bin/python3'

/** The script's path in the source tree (tests run from dist/, the .py files stay in test/). */
export function pyScript(name: string): string {
  return path.join(repoRoot(), 'test', 'interop', 'py', name)
}

/** True when `/usr/bin/python3` can import `module`. */
export async function pythonHasModule(module: string): Promise<boolean> {
  if (!fs.existsSync(PYTHON)) return false
  const r = await runProcess(PYTHON, ['-c', `import ${module}`], {timeoutMs: 15_000}).catch(() => null)
  return r !== null && r.code === 0
}

/** Produces `records` with the script; resolves with its delivery reports (send order). */
export async function pyProduce(script: string, bootstrap: string, topic: string, records: TestRecord[], extra: string[] = []): Promise<ReadRecord[]> {
  const input = records.map((r) => `${r.key}\t${r.value}\n`).join('')
  const {stdout} = await runProcessOk(PYTHON, [pyScript(script), 'produce', bootstrap, topic, ...extra], {input, timeoutMs: 45_000})
  return parseJsonLines(stdout)
}

/** Reads every record of `topic` with the script. */
export async function pyConsume(script: string, bootstrap: string, topic: string, extra: string[] = []): Promise<ReadRecord[]> {
  const {stdout} = await runProcessOk(PYTHON, [pyScript(script), 'consume', bootstrap, topic, ...extra], {timeoutMs: 45_000})
  return parseJsonLines(stdout)
}
