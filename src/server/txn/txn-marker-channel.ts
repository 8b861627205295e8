/**
 * Delivers transaction markers to partition leaders (Kafka `TransactionMarkerChannelManager` +
 * `TransactionMarkerRequestCompletionHandler`): partitions led here are written in-process, others
 * get a WriteTxnMarkers (27) request on the inter-broker listener. Partitions are retried (leader
 * moved, not enough replicas, timeouts, broker unreachable) until written, dropped when their topic
 * was deleted, or until the coordinator stops owning the transaction.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {WriteTxnMarkersApi, type WriteTxnMarkersResponse} from '../../protocol/generated/messages/write-txn-markers.js'
import type {Logger} from '../util/logger.js'
import type {TxnMarkerRequest, TxnMarkerSender} from './transaction-coordinator.js'
import type {TxnPartition} from './transaction-metadata.js'
import type {InterBrokerClient} from './inter-broker-client.js'

/** Per-partition outcome of writing markers. */
export interface MarkerResult { topic: string, partition: number, errorCode: number }

/** Writes one transaction's markers to partitions led by this broker (the WriteTxnMarkers handler's work). */
export type LocalMarkerWriter = (producerId: number, producerEpoch: number, coordinatorEpoch: number, committed: boolean, partitions: TxnPartition[]) => Promise<MarkerResult[]>

export interface TxnMarkerChannelOptions {
  nodeId: number
  /** Leader broker of a partition: -1 when it has none, undefined when the partition does not exist. */
  leaderOf(topic: string, partition: number): number | undefined
  writeLocal: LocalMarkerWriter
  client: InterBrokerClient
  /** Pause between retries, ms. */
  retryBackoffMs: number
  logger: Logger
}

/** Errors after which a partition's marker is not retried (Kafka treats them as fatal for that partition). */
const GIVE_UP = new Set<number>([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.PRODUCER_FENCED, ErrorCode.TRANSACTION_COORDINATOR_FENCED, ErrorCode.CORRUPT_MESSAGE, ErrorCode.INVALID_REQUEST])

export class TxnMarkerChannel implements TxnMarkerSender {
  constructor(private readonly o: TxnMarkerChannelOptions) {}

  async send(req: TxnMarkerRequest, isActive: () => boolean): Promise<boolean> {
    let remaining = [...req.partitions]
    for (let attempt = 0; remaining.length > 0; attempt++) {
      if (!isActive()) return false
      const byLeader = new Map<number, TxnPartition[]>()
      const retry: TxnPartition[] = []
      for (const tp of remaining) {
        const leader = this.o.leaderOf(tp.topic, tp.partition)
        if (leader === undefined) {
          this.o.logger.info(`Dropping the ${req.committed ? 'COMMIT' : 'ABORT'} marker of ${req.transactionalId} for ${tp.topic}-${tp.partition}: the partition no longer exists`)
          continue
        }
        if (leader < 0) {
          retry.push(tp)
          continue
        }
        let l = byLeader.get(leader)
        if (!l) byLeader.set(leader, l = [])
        l.push(tp)
      }
      const results = await Promise.all([...byLeader].map(([leader, tps]) => this.write(leader, req, tps)))
      for (const rs of results) {
        for (const r of rs) {
          if (r.errorCode === ErrorCode.NONE) continue
          if (GIVE_UP.has(r.errorCode)) {
            this.o.logger.warn(`The ${req.committed ? 'COMMIT' : 'ABORT'} marker of ${req.transactionalId} for ${r.topic}-${r.partition} was refused with error ${r.errorCode}; not retrying`)
            continue
          }
          retry.push({topic: r.topic, partition: r.partition})
        }
      }
      remaining = retry
      if (remaining.length > 0) await new Promise<void>(resolve => setTimeout(resolve, Math.min(this.o.retryBackoffMs * (attempt + 1), 1000)).unref())
    }
    return true
  }

  private async write(leader: number, req: TxnMarkerRequest, tps: TxnPartition[]): Promise<MarkerResult[]> {
    const failed = (code: number): MarkerResult[] => tps.map(tp => ({topic: tp.topic, partition: tp.partition, errorCode: code}))
    if (leader === this.o.nodeId) {
      try {
        return await this.o.writeLocal(req.producerId, req.producerEpoch, req.coordinatorEpoch, req.committed, tps)
      } catch (e) {
        this.o.logger.warn(`Writing markers of ${req.transactionalId} locally failed: ${(e as Error).message}`)
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
      }
    }
    const topics = new Map<string, number[]>()
    for (const tp of tps) {
      let l = topics.get(tp.topic)
      if (!l) topics.set(tp.topic, l = [])
      l.push(tp.partition)
    }
    try {
      const res = await this.o.client.call<WriteTxnMarkersResponse>(leader, WriteTxnMarkersApi, 1, () => ({
        markers: [{
          producerId: req.producerId, producerEpoch: req.producerEpoch, transactionResult: req.committed, coordinatorEpoch: req.coordinatorEpoch,
          topics: [...topics].map(([name, partitionIndexes]) => ({name, partitionIndexes})),
        }],
      }))
      const out: MarkerResult[] = []
      for (const m of res.markers) for (const t of m.topics) for (const p of t.partitions) out.push({topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode})
      return out
    } catch (e) {
      this.o.logger.debug(`WriteTxnMarkers to broker ${leader} failed: ${(e as Error).message}`)
      return failed(ErrorCode.NETWORK_EXCEPTION)
    }
  }
}
