/** Fake clock and fake `__consumer_offsets` storage for group coordinator unit tests. */
import assert from 'node:assert/strict'
import type {CoordinatorClock} from '../../../../src/server/group/clock.js'
import type {CoordinatorPartitionStorage} from '../../../../src/server/group/group-coordinator.js'

interface Timer { at: number, seq: number, fn: () => void, cancelled: boolean }

/** Manually advanced clock; timers fire in deadline order during `advance`. */
export class FakeClock implements CoordinatorClock {
  private t = 1_700_000_000_000
  private seq = 0
  private timers: Timer[] = []

  now(): number { return this.t }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = {at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false}
    this.timers.push(timer)
    return timer
  }

  clearTimeout(handle: unknown): void {
    if (handle) (handle as Timer).cancelled = true
  }

  /** Moves time forward by `ms`, firing due timers in order (and letting promise callbacks run between them). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      this.timers = this.timers.filter(t => !t.cancelled)
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.timers[0]
      if (!next || next.at > end) break
      this.timers.shift()
      this.t = next.at
      next.fn()
      await flush()
    }
    this.t = end
    await flush()
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>(resolve => setImmediate(resolve))
}

/** In-memory log per partition: one entry per appended batch; offsets are batch indexes. */
export class FakeStorage implements CoordinatorPartitionStorage {
  readonly logs = new Map<number, Buffer[]>()
  /** When set, the next append rejects with it. */
  failNext: Error | null = null
  /** Batches returned per read (to make loading take several reads). */
  batchesPerRead = Infinity

  async append(partition: number, records: Buffer): Promise<void> {
    if (this.failNext) {
      const e = this.failNext
      this.failNext = null
      throw e
    }
    let log = this.logs.get(partition)
    if (!log) this.logs.set(partition, log = [])
    log.push(Buffer.from(records))
  }

  read(partition: number, fromOffset: number, _maxBytes: number): {records: Buffer, nextOffset: number, logEndOffset: number} {
    const log = this.logs.get(partition) ?? []
    const slice = log.slice(fromOffset, Math.min(log.length, fromOffset + this.batchesPerRead))
    return {records: Buffer.concat(slice), nextOffset: fromOffset + slice.length, logEndOffset: log.length}
  }
}

/** Minimal chai-like `expect` over node:assert (chai is not a dependency). */
export function expect(actual: any) {
  const api = {
    equal: (v: unknown) => assert.equal(actual, v),
    match: (re: RegExp) => assert.match(actual, re),
    have: {
      length: (n: number) => assert.equal(actual.length, n),
      members: (arr: unknown[]) => assert.deepEqual([...actual].sort(), [...arr].sort()),
    },
    deep: {equal: (v: unknown) => assert.deepEqual(actual, v)},
    not: {equal: (v: unknown) => assert.notEqual(actual, v)},
  }
  return {to: api}
}
