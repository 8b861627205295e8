/**
 * Delayed operations (Kafka `DelayedOperation` / `DelayedOperationPurgatory`): a request that
 * cannot be answered yet (an acks=all produce waiting for the high watermark, a fetch waiting for
 * `min.bytes`) waits in watch lists keyed by partition — each Partition owns one list for produces
 * and one for fetches — and is completed by the events that can satisfy it (the high watermark or
 * log end offset moving, leadership changing) or by its own timer. No polling.
 */
import type {ReplicaTime} from './replica-time.js'

/** A watch list: the operations waiting on one partition for one kind of event. */
export type WatchList = Set<DelayedOperation>

export abstract class DelayedOperation {
  private completed = false
  private expired = false
  private cancelTimer: (() => void) | null = null
  private readonly watching: WatchList[] = []

  get isCompleted(): boolean {
    return this.completed
  }

  /** True when the operation completed because its timer fired. */
  protected get isExpired(): boolean {
    return this.expired
  }

  /** Checks whether the operation can complete now and, if so, completes it (`forceComplete`). */
  abstract tryComplete(): boolean

  /** Runs once when the operation completes (satisfied, forced or expired): sends the response. */
  protected abstract onComplete(): void

  /** Completes the operation now unless it already is; removes it from its watch lists. */
  forceComplete(): boolean {
    if (this.completed) return false
    this.completed = true
    this.cancelTimer?.()
    this.cancelTimer = null
    for (const list of this.watching) list.delete(this)
    this.watching.length = 0
    this.onComplete()
    return true
  }

  /**
   * Completes `this` now if it can, else adds it to `lists` and arms its timeout (Kafka
   * `tryCompleteElseWatch`); on timeout it completes with `isExpired` set.
   */
  tryCompleteElseWatch(lists: WatchList[], timeoutMs: number, time: ReplicaTime): void {
    if (this.tryComplete()) return
    for (const list of lists) {
      list.add(this)
      this.watching.push(list)
    }
    this.cancelTimer = time.schedule(timeoutMs, () => {
      this.cancelTimer = null
      this.expired = true
      this.forceComplete()
    })
  }
}

/** Tries to complete every operation watching `list` (Kafka `checkAndComplete`). */
export function checkAndComplete(list: WatchList): void {
  if (list.size === 0) return
  // Completed operations leave the set while it is iterated, which Set iteration allows.
  for (const op of list) op.tryComplete()
}
