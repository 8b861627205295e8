/**
 * `kts dump-log` of an aborted-transaction index, `.txnindex` (Kafka 3.9
 * `DumpLogSegments.dumpTxnIndex`, `TransactionIndex`/`AbortedTxn`: 34-byte entries of int16 version,
 * int64 producerId, firstOffset, lastOffset, lastStableOffset).
 */
import fs from 'node:fs'
import type {DumpSink} from './dump-output.js'

const ENTRY_SIZE = 34

export function dumpTxnIndex(file: string, sink: DumpSink): void {
  const buf = fs.readFileSync(file)
  let out = ''
  for (let p = 0; p + ENTRY_SIZE <= buf.length; p += ENTRY_SIZE) {
    const version = buf.readInt16BE(p)
    if (version !== 0) throw new Error(`Unexpected aborted transaction version ${version} in transaction index ${file}, current version is 0`)
    out += `version: ${version} producerId: ${buf.readBigInt64BE(p + 2)} firstOffset: ${buf.readBigInt64BE(p + 10)}` +
      ` lastOffset: ${buf.readBigInt64BE(p + 18)} lastStableOffset: ${buf.readBigInt64BE(p + 26)}\n`
  }
  sink.out(out)
}
