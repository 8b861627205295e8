/**
 * The leader's append buffer (Kafka `BatchAccumulator`): records scheduled by `append` are given
 * their offsets at once and collected into batches that are written when the linger time
 * (`controller.quorum.append.linger.ms`) of the oldest pending record has passed, when a batch is
 * full, or when `flushNow()` asks. The records of one `append` call always land in one batch.
 */
export interface DrainedBatch {
  baseOffset: number
  values: Buffer[]
}

interface OpenBatch extends DrainedBatch {
  bytes: number
  createdMs: number
}

/** Rough per-record overhead in a batch (length, attributes, deltas, key, headers). */
const RECORD_OVERHEAD = 16
/** Header of a record batch. */
const BATCH_OVERHEAD = 61

export class BatchTooLargeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BatchTooLargeError'
  }
}

export class BatchAccumulator {
  private completed: DrainedBatch[] = []
  private current: OpenBatch | null = null
  private forced = false
  private next: number

  constructor(readonly epoch: number, baseOffset: number, private readonly lingerMs: number, private readonly maxBatchBytes: number) {
    this.next = baseOffset
  }

  /** Offset the next appended record gets. */
  get nextOffset(): number {
    return this.next
  }

  /**
   * Adds `values` (encoded records) as an atomic group.
   * @returns the offset of the last record
   * @throws BatchTooLargeError when the group alone exceeds the maximum batch size
   */
  append(values: Buffer[], now: number): number {
    let bytes = 0
    for (const v of values) bytes += v.length + RECORD_OVERHEAD
    if (bytes + BATCH_OVERHEAD > this.maxBatchBytes) {
      throw new BatchTooLargeError(`The ${values.length} records (${bytes} bytes) exceed the maximum batch size of ${this.maxBatchBytes} bytes`)
    }
    if (this.current && this.current.bytes + bytes > this.maxBatchBytes) {
      this.completed.push(this.current)
      this.current = null
    }
    this.current ??= {baseOffset: this.next, values: [], bytes: BATCH_OVERHEAD, createdMs: now}
    for (const v of values) this.current.values.push(v)
    this.current.bytes += bytes
    this.next += values.length
    return this.next - 1
  }

  /** The leader wrote `count` records itself (a control batch) with nothing pending: the next offsets move up. */
  skip(count: number): void {
    if (this.current || this.completed.length > 0) throw new Error('Cannot skip offsets while records are pending')
    this.next += count
  }

  /** Makes the next `drain` return everything pending, linger or not. */
  flushNow(): void {
    if (this.current || this.completed.length > 0) this.forced = true
  }

  /** When the pending records are due (Infinity when none). */
  drainDeadline(): number {
    if (this.forced || this.completed.length > 0) return 0
    return this.current ? this.current.createdMs + this.lingerMs : Infinity
  }

  /** The batches due at `now`, in offset order. */
  drain(now: number): DrainedBatch[] {
    if (now < this.drainDeadline()) return []
    const out = this.completed
    if (this.current) out.push({baseOffset: this.current.baseOffset, values: this.current.values})
    this.completed = []
    this.current = null
    this.forced = false
    return out
  }
}
