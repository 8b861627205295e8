/**
 * `kts dump-log --transaction-log-decoder`: `__transaction_state` records as Kafka 3.9's
 * `TransactionLog.formatRecordKeyAndValue` prints them: key
 * `transaction_metadata::transactionalId=<id>`, payload `producerId:<id>,producerEpoch:<epoch>,
 * state=<State>,partitions=[t-0,t-1],txnLastUpdateTimestamp=<ms>,txnTimeoutMs=<ms>`, `<DELETE>` for
 * a tombstone; a key of another version prints `unknown::version=<v>` and no payload. Schemas:
 * `../shared/kafka-protocol/transaction-coordinator/TransactionLog{Key,Value}.json`.
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {readTransactionLogKey} from '../../protocol/generated/coordinator/transaction-log-key.js'
import {readTransactionLogValue} from '../../protocol/generated/coordinator/transaction-log-value.js'
import type {DecodedRecord} from '../../protocol/records/records.js'
import type {ParsedRecord, RecordParser} from './record-parsers.js'

/** TransactionStatus ids → Kafka's state names. */
const STATES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence']

function parse(r: DecodedRecord): ParsedRecord {
  if (r.key === null || r.key.length < 2) return {key: null, payload: null}
  const k = new Reader(r.key)
  const keyVersion = k.readInt16()
  if (keyVersion !== 0) return {key: `unknown::version=${keyVersion}`, payload: null}
  const id = readTransactionLogKey(k, 0).transactionalId
  const key = `transaction_metadata::transactionalId=${id}`
  if (r.value === null) return {key, payload: '<DELETE>'}
  const v = new Reader(r.value)
  const valueVersion = v.readInt16()
  const m = readTransactionLogValue(v, valueVersion)
  const partitions = (m.transactionPartitions ?? []).flatMap(t => t.partitionIds.map(p => `${t.topic}-${p}`))
  const state = STATES[m.transactionStatus] ?? `Unknown(${m.transactionStatus})`
  return {
    key,
    payload: `producerId:${m.producerId},producerEpoch:${m.producerEpoch},state=${state},partitions=[${partitions.join(',')}],` +
      `txnLastUpdateTimestamp=${m.transactionLastUpdateTimestampMs},txnTimeoutMs=${m.transactionTimeoutMs}`,
  }
}

export const transactionLogRecordParser: RecordParser = {parse}
