/**
 * `kts dump-log` of a producer-state snapshot, `<offset>.snapshot` (Kafka 3.9
 * `DumpLogSegments.dumpProducerIdSnapshot`, `ProducerStateManager.readSnapshot`; format in
 * storage-and-kraft.md §3.4: int16 version 1, uint32 CRC-32C of everything after the CRC, int32
 * entry count, 46-byte entries). One line per producer;
 * a corrupt file prints Kafka's `CorruptSnapshotException` message on stderr.
 */
import fs from 'node:fs'
import {crc32c} from '../../protocol/records/crc32c.js'
import type {DumpSink} from './dump-output.js'

const VERSION = 1
/** Offset of the entry count: the CRC covers it and everything after. */
const ENTRIES_OFFSET = 6
const ENTRY_SIZE = 46

/** `DefaultRecordBatch.decrementSequence`. */
function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return 2147483647 - (decrement - sequence) + 1
  return sequence - decrement
}

/** One producer's line: `producerId: ... lastTimestamp: T ` then, when it has a last batch, its metadata. */
export function producerSnapshotLines(bytes: Buffer): string {
  if (bytes.length < ENTRIES_OFFSET + 4) throw new Error(`Snapshot failed schema validation: Error reading field 'version': java.nio.BufferUnderflowException`)
  const version = bytes.readInt16BE(0)
  if (version !== VERSION) throw new Error(`Snapshot contained an unknown file version ${version}`)
  const crc = bytes.readUInt32BE(2)
  const computed = crc32c(bytes, ENTRIES_OFFSET, bytes.length)
  if (crc !== computed) throw new Error(`Snapshot is corrupt (CRC is no longer valid). Stored crc: ${crc}. Computed crc: ${computed}`)
  const count = bytes.readInt32BE(ENTRIES_OFFSET)
  if (count < 0 || ENTRIES_OFFSET + 4 + count * ENTRY_SIZE > bytes.length) {
    throw new Error(`Snapshot failed schema validation: Error reading array of size ${count}, only ${bytes.length - ENTRIES_OFFSET - 4} bytes available`)
  }
  let out = ''
  for (let i = 0, p = ENTRIES_OFFSET + 4; i < count; i++, p += ENTRY_SIZE) {
    const producerId = bytes.readBigInt64BE(p)
    const epoch = bytes.readInt16BE(p + 8)
    const lastSequence = bytes.readInt32BE(p + 10)
    const lastOffset = Number(bytes.readBigInt64BE(p + 14))
    const offsetDelta = bytes.readInt32BE(p + 22)
    const timestamp = bytes.readBigInt64BE(p + 26)
    const coordinatorEpoch = bytes.readInt32BE(p + 34)
    const txnFirst = bytes.readBigInt64BE(p + 38)
    out += `producerId: ${producerId} producerEpoch: ${epoch} coordinatorEpoch: ${coordinatorEpoch}` +
      ` currentTxnFirstOffset: ${txnFirst >= 0n ? `OptionalLong[${txnFirst}]` : 'OptionalLong.empty'} lastTimestamp: ${timestamp} `
    if (lastOffset >= 0) {
      out += `firstSequence: ${decrementSequence(lastSequence, offsetDelta)} lastSequence: ${lastSequence} lastOffset: ${lastOffset} offsetDelta: ${offsetDelta} timestamp: ${timestamp}`
    }
    out += '\n'
  }
  return out
}

/** Dumps one snapshot file; Kafka prints a corrupt snapshot's message on stderr and goes on. */
export function dumpProducerSnapshot(file: string, sink: DumpSink): void {
  let text: string
  try {
    text = producerSnapshotLines(fs.readFileSync(file))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) throw err
    sink.err(`${(err as Error).message}\n`)
    return
  }
  sink.out(text)
}
