/**
 * The coordinator's state of one transactional id (Kafka `TransactionMetadata`, `TransactionState`;
 * spec §8.2). Transitions are prepared as a new state (`TxnTransit`), written to
 * `__transaction_state`, and only applied once the write is replicated; `pendingState` is set
 * meanwhile, and any other request for the id gets CONCURRENT_TRANSACTIONS.
 */
import type {TransactionLogValue} from './txn-records.js'

/** Status ids as stored in TransactionLogValue.TransactionStatus. */
export enum TxnState {
  Empty = 0,
  Ongoing = 1,
  PrepareCommit = 2,
  PrepareAbort = 3,
  CompleteCommit = 4,
  CompleteAbort = 5,
  Dead = 6,
  PrepareEpochFence = 7,
}

/** Kafka's state names (DescribeTransactions, ListTransactions filters, kafka-transactions.sh). */
export const TXN_STATE_NAMES: Record<TxnState, string> = {
  [TxnState.Empty]: 'Empty',
  [TxnState.Ongoing]: 'Ongoing',
  [TxnState.PrepareCommit]: 'PrepareCommit',
  [TxnState.PrepareAbort]: 'PrepareAbort',
  [TxnState.CompleteCommit]: 'CompleteCommit',
  [TxnState.CompleteAbort]: 'CompleteAbort',
  [TxnState.Dead]: 'Dead',
  [TxnState.PrepareEpochFence]: 'PrepareEpochFence',
}

/** Largest producer epoch; the coordinator moves to a new producer id before reaching it (Kafka `Short.MaxValue - 1` check). */
export const MAX_PRODUCER_EPOCH = 32767

/** A topic partition of a transaction. */
export interface TxnPartition { topic: string, partition: number }

/** The state a transition writes (Kafka `TxnTransitMetadata`). */
export interface TxnTransit {
  producerId: number
  lastProducerId: number
  producerEpoch: number
  lastProducerEpoch: number
  txnTimeoutMs: number
  state: TxnState
  partitions: TxnPartition[]
  txnStartTimestamp: number
  txnLastUpdateTimestamp: number
}

export function partitionKey(tp: TxnPartition): string {
  return `${tp.topic}\u0000${tp.partition}`
}

export class TransactionMetadata {
  producerId: number
  lastProducerId: number
  producerEpoch: number
  lastProducerEpoch: number
  txnTimeoutMs: number
  state: TxnState
  /** Partitions of the ongoing (or completing) transaction, keyed by `partitionKey`. */
  readonly partitions = new Map<string, TxnPartition>()
  txnStartTimestamp: number
  txnLastUpdateTimestamp: number
  /** The state being written, null when none. */
  pendingState: TxnState | null = null

  constructor(readonly transactionalId: string, t: TxnTransit) {
    this.producerId = t.producerId
    this.lastProducerId = t.lastProducerId
    this.producerEpoch = t.producerEpoch
    this.lastProducerEpoch = t.lastProducerEpoch
    this.txnTimeoutMs = t.txnTimeoutMs
    this.state = t.state
    for (const p of t.partitions) this.partitions.set(partitionKey(p), p)
    this.txnStartTimestamp = t.txnStartTimestamp
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp
  }

  /** The current state as a transit (the base of the next one). */
  snapshot(): TxnTransit {
    return {
      producerId: this.producerId, lastProducerId: this.lastProducerId, producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch, txnTimeoutMs: this.txnTimeoutMs, state: this.state,
      partitions: [...this.partitions.values()], txnStartTimestamp: this.txnStartTimestamp, txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
    }
  }

  /** Applies a written transit (Kafka `completeTransitionTo`). */
  apply(t: TxnTransit): void {
    this.producerId = t.producerId
    this.lastProducerId = t.lastProducerId
    this.producerEpoch = t.producerEpoch
    this.lastProducerEpoch = t.lastProducerEpoch
    this.txnTimeoutMs = t.txnTimeoutMs
    this.state = t.state
    this.partitions.clear()
    for (const p of t.partitions) this.partitions.set(partitionKey(p), p)
    this.txnStartTimestamp = t.txnStartTimestamp
    this.txnLastUpdateTimestamp = t.txnLastUpdateTimestamp
    this.pendingState = null
  }

  /** True when every partition of `tps` is already part of the transaction. */
  containsAll(tps: TxnPartition[]): boolean {
    return tps.every(tp => this.partitions.has(partitionKey(tp)))
  }
}

/** The record value of a transit (Kafka `TransactionLog.valueToBytes`): partitions null when Empty/Complete*. */
export function transitToValue(t: TxnTransit): TransactionLogValue {
  const byTopic = new Map<string, number[]>()
  for (const p of t.partitions) {
    let l = byTopic.get(p.topic)
    if (!l) byTopic.set(p.topic, l = [])
    l.push(p.partition)
  }
  const withPartitions = t.state !== TxnState.Empty && t.state !== TxnState.CompleteCommit && t.state !== TxnState.CompleteAbort
  return {
    producerId: t.producerId, previousProducerId: -1, nextProducerId: -1, producerEpoch: t.producerEpoch,
    transactionTimeoutMs: t.txnTimeoutMs, transactionStatus: t.state,
    transactionPartitions: withPartitions ? [...byTopic].map(([topic, partitionIds]) => ({topic, partitionIds})) : null,
    transactionLastUpdateTimestampMs: t.txnLastUpdateTimestamp, transactionStartTimestampMs: t.txnStartTimestamp,
    clientTransactionVersion: 0,
  }
}

/** A transit read back from a record value (loading). */
export function valueToTransit(v: TransactionLogValue): TxnTransit {
  const partitions: TxnPartition[] = []
  for (const t of v.transactionPartitions ?? []) for (const p of t.partitionIds) partitions.push({topic: t.topic, partition: p})
  return {
    producerId: v.producerId, lastProducerId: -1, producerEpoch: v.producerEpoch, lastProducerEpoch: -1,
    txnTimeoutMs: v.transactionTimeoutMs, state: v.transactionStatus as TxnState, partitions,
    txnStartTimestamp: v.transactionStartTimestampMs, txnLastUpdateTimestamp: v.transactionLastUpdateTimestampMs,
  }
}
