/**
 * Sends partition leaders' ISR proposals to the active controller (Kafka
 * `DefaultAlterPartitionManager`): proposals queue per partition and go out together in one
 * AlterPartition request, one request in flight at a time. A top-level error or a failed round
 * trip re-sends the proposals after `retryBackoffMs`; per-partition answers go back to the
 * partition that asked. A second proposal for a partition whose first is still queued fails with
 * OPERATION_NOT_ATTEMPTED (a partition has at most one in flight anyway).
 */
import {ErrorCode} from '../../protocol/errors.js'
import type {AlterPartitionRequest, AlterPartitionResponse} from '../../protocol/generated/messages/alter-partition.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {Logger} from '../util/logger.js'
import type {ReplicaTime} from './replica-time.js'

/** One partition's proposal: the epochs it was made in and the new ISR with each member's broker epoch. */
export interface AlterPartitionItem {
  topic: string
  topicId: string
  partition: number
  leaderEpoch: number
  partitionEpoch: number
  newIsr: {brokerId: number, brokerEpoch: number}[]
}

/** The controller's answer for one partition: an error code, or the partition state after the change. */
export interface AlterPartitionResult {
  errorCode: number
  leaderId: number
  leaderEpoch: number
  isr: number[]
  partitionEpoch: number
}

/** Sends one AlterPartition request to the active controller and resolves with its response. */
export type AlterPartitionSender = (request: AlterPartitionRequest) => Promise<AlterPartitionResponse>

export interface AlterPartitionManagerOptions {
  brokerId: number
  /** The broker epoch from this broker's registration. */
  brokerEpoch(): number
  send: AlterPartitionSender
  /** Pause before re-sending after an error, ms. */
  retryBackoffMs: number
  time: ReplicaTime
  logger: Logger
}

interface Queued {
  item: AlterPartitionItem
  resolve: (r: AlterPartitionResult) => void
}

function keyOf(item: {topicId: string, partition: number}): string {
  return `${item.topicId}:${item.partition}`
}

export class AlterPartitionManager {
  private readonly unsent = new Map<string, Queued>()
  private inFlight = false
  private retryScheduled = false
  private closed = false

  constructor(private readonly opts: AlterPartitionManagerOptions) {}

  /** Queues a proposal; resolves with the controller's answer for that partition. */
  submit(item: AlterPartitionItem): Promise<AlterPartitionResult> {
    const key = keyOf(item)
    if (this.unsent.has(key)) {
      return Promise.resolve({errorCode: ErrorCode.OPERATION_NOT_ATTEMPTED, leaderId: -1, leaderEpoch: -1, isr: [], partitionEpoch: -1})
    }
    return new Promise(resolve => {
      this.unsent.set(key, {item, resolve})
      this.maybeSend()
    })
  }

  /** Stops sending; queued proposals stay unanswered (their partitions are going away with the broker). */
  close(): void {
    this.closed = true
  }

  private maybeSend(): void {
    if (this.inFlight || this.retryScheduled || this.closed || this.unsent.size === 0) return
    const batch = [...this.unsent.values()]
    this.inFlight = true
    const request = this.buildRequest(batch)
    this.opts.send(request).then(res => this.handleResponse(batch, res), (err: unknown) => {
      this.opts.logger.warn(`AlterPartition request failed, retrying: ${(err as Error).message}`)
      this.retryLater()
    }).finally(() => {
      this.inFlight = false
      this.maybeSend()
    })
  }

  private retryLater(): void {
    if (this.retryScheduled || this.closed) return
    this.retryScheduled = true
    this.opts.time.schedule(this.opts.retryBackoffMs, () => {
      this.retryScheduled = false
      this.maybeSend()
    })
  }

  private buildRequest(batch: Queued[]): AlterPartitionRequest {
    const topics = new Map<string, AlterPartitionRequest['topics'][number]>()
    for (const {item} of batch) {
      let t = topics.get(item.topicId)
      if (!t) {
        t = {topicName: item.topic, topicId: item.topicId, partitions: []}
        topics.set(item.topicId, t)
      }
      t.partitions.push({
        partitionIndex: item.partition, leaderEpoch: item.leaderEpoch, partitionEpoch: item.partitionEpoch, leaderRecoveryState: 0,
        newIsr: item.newIsr.map(m => m.brokerId), newIsrWithEpochs: item.newIsr,
      })
    }
    return {brokerId: this.opts.brokerId, brokerEpoch: this.opts.brokerEpoch(), topics: [...topics.values()]}
  }

  private handleResponse(batch: Queued[], res: AlterPartitionResponse): void {
    if (res.errorCode !== ErrorCode.NONE) {
      this.opts.logger.warn(`The controller answered AlterPartition with error ${res.errorCode}; retrying`)
      this.retryLater()
      return
    }
    const answers = new Map<string, AlterPartitionResult>()
    const byName = new Map(batch.map(q => [`${q.item.topic}:${q.item.partition}`, keyOf(q.item)]))
    for (const t of res.topics) {
      for (const p of t.partitions) {
        const key = t.topicId && t.topicId !== ZERO_UUID ? `${t.topicId}:${p.partitionIndex}` : byName.get(`${t.topicName}:${p.partitionIndex}`)
        if (key) answers.set(key, {errorCode: p.errorCode, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, isr: p.isr, partitionEpoch: p.partitionEpoch})
      }
    }
    for (const q of batch) {
      const key = keyOf(q.item)
      const answer = answers.get(key)
      // Unanswered partitions stay queued and go out again with the next request.
      if (answer === undefined || this.unsent.get(key) !== q) continue
      this.unsent.delete(key)
      q.resolve(answer)
    }
    if (this.unsent.size > 0 && batch.some(q => this.unsent.get(keyOf(q.item)) === q)) this.retryLater()
  }
}
