/**
 * Key/value formats of the records in `__transaction_state`
 * (`../shared/kafka-protocol/transaction-coordinator/TransactionLogKey.json` and
 * `TransactionLogValue.json`, Kafka `TransactionLog`; spec §8.2): key = int16 version 0 +
 * TransactionalId; value = int16 version + TransactionLogValue fields; a null value is a tombstone
 * (an expired transactional id). Writers use value version 0 (version 1 only carries KIP-890
 * transaction-version-2 tagged fields); readers accept both.
 */
import {ProtocolDecodeError, Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {readTransactionLogKey, writeTransactionLogKey} from '../../protocol/generated/coordinator/transaction-log-key.js'
import {readTransactionLogValue, writeTransactionLogValue, type TransactionLogValue} from '../../protocol/generated/coordinator/transaction-log-value.js'

export type {TransactionLogValue}

/** The record key of a transactional id. */
export function encodeTxnKey(transactionalId: string): Buffer {
  const w = new Writer(32)
  w.writeInt16(0)
  writeTransactionLogKey(w, {transactionalId}, 0)
  return w.toBuffer()
}

/** The transactional id of a record key. @throws ProtocolDecodeError for an unknown key version */
export function decodeTxnKey(key: Buffer): string {
  const r = new Reader(key)
  const version = r.readInt16()
  if (version !== 0) throw new ProtocolDecodeError(`Unknown __transaction_state key version ${version}`)
  return readTransactionLogKey(r, 0).transactionalId
}

export function encodeTxnValue(v: TransactionLogValue): Buffer {
  const w = new Writer(128)
  w.writeInt16(0)
  writeTransactionLogValue(w, v, 0)
  return w.toBuffer()
}

/** @throws ProtocolDecodeError for an unknown value version or a malformed value */
export function decodeTxnValue(value: Buffer): TransactionLogValue {
  const r = new Reader(value)
  const version = r.readInt16()
  if (version < 0 || version > 1) throw new ProtocolDecodeError(`Unknown __transaction_state value version ${version}`)
  return readTransactionLogValue(r, version)
}
