/**
 * An acks=all produce waiting for the high watermark of each partition it appended to (Kafka
 * `DelayedProduce`). A partition is done when its high watermark passes the request's last
 * offset (NONE, or NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank below min.insync.replicas
 * meanwhile) or when this node stops leading it (NOT_LEADER_OR_FOLLOWER); partitions still waiting
 * when the request's timeout fires get REQUEST_TIMED_OUT.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {DelayedOperation} from './delayed-operation.js'
import type {Partition, ProduceResult} from './partition.js'

export interface ProduceWait {
  partition: Partition
  /** The offset after the appended batch: the high watermark must reach it. */
  requiredOffset: number
  /** The partition's response, updated in place. */
  result: ProduceResult
}

export class DelayedProduce extends DelayedOperation {
  private readonly pending: boolean[]

  constructor(private readonly waits: ProduceWait[], private readonly done: () => void) {
    super()
    this.pending = waits.map(() => true)
  }

  tryComplete(): boolean {
    let waiting = false
    for (let i = 0; i < this.waits.length; i++) {
      if (!this.pending[i]) continue
      const w = this.waits[i]
      const check = w.partition.checkEnoughReplicasReachOffset(w.requiredOffset)
      if (check.done) {
        this.pending[i] = false
        w.result.errorCode = check.errorCode
      } else {
        waiting = true
      }
    }
    return waiting ? false : this.forceComplete()
  }

  protected onComplete(): void {
    for (let i = 0; i < this.waits.length; i++) {
      if (this.pending[i]) this.waits[i].result.errorCode = ErrorCode.REQUEST_TIMED_OUT
    }
    this.done()
  }
}
