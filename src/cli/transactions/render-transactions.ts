/**
 * Output of `kts transactions` as kafka-transactions.sh prints it (Kafka `TransactionsCommand`):
 * tables whose columns are padded to their widest cell, every cell followed by a tab.
 */
import type {ProducerState, TransactionDescription, TransactionListing} from './transaction-admin.js'

/** Kafka `TransactionsCommand.prettyPrintTable`: header then rows, each cell padded and tab-terminated. */
export function prettyPrintTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]) + '\t').join('') + '\n'
  return line(headers) + rows.map(line).join('')
}

export const LIST_HEADERS = ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState']
export const DESCRIBE_HEADERS = ['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs',
  'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions']
export const PRODUCERS_HEADERS = ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset']
export const HANGING_HEADERS = ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)']

export function renderList(listings: TransactionListing[]): string {
  return prettyPrintTable(LIST_HEADERS, listings.map(l => [l.transactionalId, String(l.coordinatorId), String(l.producerId), l.state]))
}

export function renderDescribe(transactionalId: string, d: TransactionDescription, nowMs: number): string {
  const started = d.transactionStartTimeMs >= 0
  return prettyPrintTable(DESCRIBE_HEADERS, [[
    String(d.coordinatorId), transactionalId, String(d.producerId), String(d.producerEpoch), d.state, String(d.transactionTimeoutMs),
    started ? String(d.transactionStartTimeMs) : 'None', started ? String(nowMs - d.transactionStartTimeMs) : 'None', d.topicPartitions.join(','),
  ]])
}

export function renderProducers(producers: ProducerState[]): string {
  return prettyPrintTable(PRODUCERS_HEADERS, producers.map(p => [
    String(p.producerId), String(p.producerEpoch), String(p.coordinatorEpoch), String(p.lastSequence), String(p.lastTimestamp),
    p.currentTransactionStartOffset >= 0 ? String(p.currentTransactionStartOffset) : 'None',
  ]))
}

/** A hanging transaction found by `find-hanging`. */
export interface HangingTransaction { topic: string, partition: number, producer: ProducerState }

export function renderHanging(hanging: HangingTransaction[], nowMs: number): string {
  return prettyPrintTable(HANGING_HEADERS, hanging.map(h => [
    h.topic, String(h.partition), String(h.producer.producerId), String(h.producer.producerEpoch), String(h.producer.coordinatorEpoch),
    String(h.producer.currentTransactionStartOffset), String(h.producer.lastTimestamp), String(Math.floor((nowMs - h.producer.lastTimestamp) / 60_000)),
  ]))
}
