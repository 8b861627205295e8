/**
 * Shared pieces of the transaction interop tests: the confluent-kafka transactional client
 * (test/interop/py/txn_confluent.py) and reading a topic with an isolation level.
 */
import {runProcessOk} from '../helpers/run-process.js'
import {PYTHON, pyScript} from './python-client.js'

/** One record as the Python client prints it. */
export interface Rec { partition: number, offset: number, value: string }

/** Runs txn_confluent.py with `args`; resolves with its stdout (rejects on a non-zero exit). */
export async function txnPy(args: string[], timeoutMs = 60_000): Promise<string> {
  const {stdout} = await runProcessOk(PYTHON, [pyScript('txn_confluent.py'), ...args], {timeoutMs})
  return stdout
}

/** Every record of `topic` from offset 0 up to the end offset for `isolation` (librdkafka, no group). */
export async function readTopic(bootstrap: string, topic: string, isolation: 'read_committed' | 'read_uncommitted'): Promise<Rec[]> {
  const out = await txnPy(['consume', bootstrap, topic, isolation])
  return out.split('\n').filter(l => l.trim()).map(l => JSON.parse(l) as Rec)
}

/** The values of `recs`, sorted. */
export function values(recs: Rec[]): string[] {
  return recs.map(r => r.value).sort()
}

