/**
 * Transaction markers (Kafka `EndTransactionMarker`, `ControlRecordType`; spec §1.5): a control
 * batch (attributes control + transactional) of the transaction's producer id and epoch, base
 * sequence -1, holding one record whose key is int16 version 0 + int16 type (0 ABORT, 1 COMMIT) and
 * whose value is int16 version 0 + int32 coordinator epoch.
 */
import {ControlRecordType, decodeRecordBatch, encodeRecordBatch} from '../../protocol/records/records.js'
import type {RecordBatchHeader} from '../../protocol/records/record-batch.js'
import {CONTROL_FLAG_MASK, TRANSACTIONAL_FLAG_MASK} from '../../protocol/records/record-batch.js'

export interface TxnMarker {
  committed: boolean
  coordinatorEpoch: number
}

/** One COMMIT/ABORT control batch at base offset 0 (the log assigns the offset). */
export function encodeTxnMarker(producerId: number, producerEpoch: number, coordinatorEpoch: number, committed: boolean, timestampMs: number): Buffer {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(committed ? ControlRecordType.COMMIT : ControlRecordType.ABORT, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0)
  value.writeInt32BE(coordinatorEpoch, 2)
  return encodeRecordBatch({
    isControl: true, isTransactional: true, producerId, producerEpoch, baseSequence: -1,
    records: [{key, value, timestamp: timestampMs}],
  })
}

/** True for a control batch of a transactional producer (a marker candidate). */
export function isTxnControlBatch(h: RecordBatchHeader): boolean {
  return (h.attributes & CONTROL_FLAG_MASK) !== 0 && (h.attributes & TRANSACTIONAL_FLAG_MASK) !== 0 && h.producerId >= 0
}

/**
 * Reads the marker of the control batch `h` in `buf` (positions as in `h`).
 * @returns null for another control record type (or an unreadable batch)
 */
export function readTxnMarker(buf: Buffer, h: RecordBatchHeader): TxnMarker | null {
  try {
    const batch = decodeRecordBatch(buf.subarray(h.position, h.position + h.sizeInBytes), 0, false)
    const rec = batch.records[0]
    if (!rec?.key || rec.key.length < 4) return null
    const type = rec.key.readInt16BE(2)
    if (type !== ControlRecordType.COMMIT && type !== ControlRecordType.ABORT) return null
    const coordinatorEpoch = rec.value && rec.value.length >= 6 ? rec.value.readInt32BE(2) : -1
    return {committed: type === ControlRecordType.COMMIT, coordinatorEpoch}
  } catch {
    return null
  }
}
