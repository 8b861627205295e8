/**
 * Where transaction state lives (Kafka `TransactionStateManager`): the `__transaction_state`
 * partitions this broker leads, loaded into memory on election, and every state change appended as
 * a TransactionLogKey/Value record (replicated as acks=all) before it takes effect.
 *
 * Transactional id → partition: `abs(javaHashCode(id)) % transaction.state.log.num.partitions`
 * (`TransactionStateManager.partitionFor`). The coordinator epoch of a partition is its leader epoch.
 * Single-threaded by construction: state changes only between awaits.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {decodeRecordBatches, encodeRecordBatch} from '../../protocol/records/records.js'
import {mapStoreError, type CoordinatorPartitionStorage} from '../group/group-coordinator.js'
import {groupPartitionFor} from '../group/group-partition.js'
import {TransactionMetadata, transitToValue, valueToTransit, type TxnTransit} from './transaction-metadata.js'
import {decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue} from './txn-records.js'

/** Name of the internal transaction log topic. */
export const TRANSACTION_STATE_TOPIC_NAME = '__transaction_state'

interface PartitionLoad { status: 'loading' | 'active', coordinatorEpoch: number }

export class TransactionStateManager {
  private readonly partitions = new Map<number, PartitionLoad>()
  private readonly txns = new Map<string, TransactionMetadata>()

  /**
   * @param numPartitions transaction.state.log.num.partitions
   * @param loadBufferSize transaction.state.log.load.buffer.size (bytes)
   */
  constructor(private readonly storage: CoordinatorPartitionStorage, readonly numPartitions: number, private readonly loadBufferSize: number) {}

  partitionFor(transactionalId: string): number {
    return groupPartitionFor(transactionalId, this.numPartitions)
  }

  /** NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for a transactional id. */
  coordinatorError(transactionalId: string): number {
    const p = this.partitions.get(this.partitionFor(transactionalId))
    if (!p) return ErrorCode.NOT_COORDINATOR
    return p.status === 'loading' ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE
  }

  /** The coordinator epoch of the id's partition, -1 when not owned. */
  coordinatorEpoch(transactionalId: string): number {
    const p = this.partitions.get(this.partitionFor(transactionalId))
    return p?.status === 'active' ? p.coordinatorEpoch : -1
  }

  get(transactionalId: string): TransactionMetadata | undefined {
    return this.txns.get(transactionalId)
  }

  /** Adds new metadata unless the id has some (Kafka `putTransactionStateIfNotExists`); returns the stored one. */
  putIfNotExists(md: TransactionMetadata): TransactionMetadata {
    const existing = this.txns.get(md.transactionalId)
    if (existing) return existing
    this.txns.set(md.transactionalId, md)
    return md
  }

  /** Every loaded transaction of the partitions owned and active here. */
  all(): TransactionMetadata[] {
    return [...this.txns.values()].filter(md => this.partitions.get(this.partitionFor(md.transactionalId))?.status === 'active')
  }

  /** True while `transactionalId`'s partition is owned here with `coordinatorEpoch`. */
  isOwnedAt(transactionalId: string, coordinatorEpoch: number): boolean {
    const p = this.partitions.get(this.partitionFor(transactionalId))
    return p !== undefined && p.status === 'active' && p.coordinatorEpoch === coordinatorEpoch
  }

  /**
   * Writes `transit` for `md` and applies it once replicated (Kafka `appendTransactionToLog`).
   * `md.pendingState` must already be set; it is cleared either way.
   * @returns NONE, or the error for the client: NOT_COORDINATOR (not the leader any more, or the
   *   partition moved meanwhile), COORDINATOR_NOT_AVAILABLE (not enough replicas, timeout), ...
   */
  async write(md: TransactionMetadata, transit: TxnTransit): Promise<number> {
    const id = md.transactionalId
    const epoch = this.coordinatorEpoch(id)
    if (epoch < 0) {
      md.pendingState = null
      return ErrorCode.NOT_COORDINATOR
    }
    const records = encodeRecordBatch({records: [{key: encodeTxnKey(id), value: encodeTxnValue(transitToValue(transit)), timestamp: transit.txnLastUpdateTimestamp}]})
    try {
      await this.storage.append(this.partitionFor(id), records)
    } catch (e) {
      md.pendingState = null
      return mapStoreError(e)
    }
    if (!this.isOwnedAt(id, epoch) || this.txns.get(id) !== md) {
      md.pendingState = null
      return ErrorCode.NOT_COORDINATOR
    }
    md.apply(transit)
    return ErrorCode.NONE
  }

  /** Writes a tombstone for an expired id and forgets it (Kafka `removeExpiredTransactionalIds`). */
  async remove(md: TransactionMetadata): Promise<number> {
    const id = md.transactionalId
    const epoch = this.coordinatorEpoch(id)
    if (epoch < 0) return ErrorCode.NOT_COORDINATOR
    try {
      await this.storage.append(this.partitionFor(id), encodeRecordBatch({records: [{key: encodeTxnKey(id), value: null}]}))
    } catch (e) {
      return mapStoreError(e)
    }
    if (this.txns.get(id) === md && md.pendingState === null) this.txns.delete(id)
    return ErrorCode.NONE
  }

  /**
   * This broker leads `__transaction_state-<partition>` at `coordinatorEpoch`: replays its log (the
   * last record per id wins, tombstones delete). Until done the partition's ids get
   * COORDINATOR_LOAD_IN_PROGRESS.
   * @returns the loaded transactions of the partition (the coordinator resumes those in PrepareCommit/PrepareAbort)
   */
  async load(partition: number, coordinatorEpoch: number): Promise<TransactionMetadata[]> {
    const current = this.partitions.get(partition)
    if (current && current.coordinatorEpoch >= coordinatorEpoch) return []
    this.dropPartition(partition)
    const state: PartitionLoad = {status: 'loading', coordinatorEpoch}
    this.partitions.set(partition, state)
    const latest = new Map<string, Buffer | null>()
    let from = 0
    try {
      for (;;) {
        if (this.partitions.get(partition) !== state) return []
        const chunk = this.storage.read(partition, from, this.loadBufferSize)
        if (chunk.records.length === 0) break
        let next = chunk.nextOffset
        for (const batch of decodeRecordBatches(chunk.records)) {
          next = Math.max(next, batch.lastOffset + 1)
          if (batch.isControl) continue
          for (const rec of batch.records) {
            if (!rec.key) continue
            try {
              latest.set(decodeTxnKey(rec.key), rec.value === null ? null : Buffer.from(rec.value))
            } catch {
              // unknown key versions are skipped, as Kafka does
            }
          }
        }
        if (next <= from) throw new Error(`Cannot load ${TRANSACTION_STATE_TOPIC_NAME}-${partition}: the batch at offset ${from} does not fit in transaction.state.log.load.buffer.size`)
        from = next
        if (from >= chunk.logEndOffset) break
        await new Promise<void>(resolve => setImmediate(resolve))
      }
    } catch (e) {
      if (this.partitions.get(partition) === state) this.partitions.delete(partition)
      throw e
    }
    if (this.partitions.get(partition) !== state) return []
    const loaded: TransactionMetadata[] = []
    for (const [id, value] of latest) {
      if (value === null) continue
      try {
        const md = new TransactionMetadata(id, valueToTransit(decodeTxnValue(value)))
        this.txns.set(id, md)
        loaded.push(md)
      } catch {
        // an undecodable value is skipped
      }
    }
    state.status = 'active'
    return loaded
  }

  /** This broker no longer leads the partition: its transactions are forgotten here. */
  onResignation(partition: number): void {
    this.dropPartition(partition)
  }

  private dropPartition(partition: number): void {
    this.partitions.delete(partition)
    for (const [id] of this.txns) if (this.partitionFor(id) === partition) this.txns.delete(id)
  }

  /** Partitions led and loaded here (ListTransactions, metrics). */
  ownedPartitions(): number[] {
    return [...this.partitions].filter(([, p]) => p.status === 'active').map(([i]) => i)
  }

  /** True while some owned partition is still loading. */
  get isLoading(): boolean {
    for (const p of this.partitions.values()) if (p.status === 'loading') return true
    return false
  }
}
