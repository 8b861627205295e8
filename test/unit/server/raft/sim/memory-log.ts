/**
 * In-memory ReplicatedLog, quorum-state store and snapshot store for the Raft simulation. The log
 * keeps whole batches (the leader's encoded bytes) and models durability: `flush()` makes the
 * appended batches durable, `crash()` loses any suffix of what was not flushed. Truncation, log
 * start moves and the stores are durable at once.
 */
import type {ElectionState, OffsetAndEpoch, QuorumStateStore, ReplicatedLog, SnapshotId, SnapshotStore} from '../../../../../src/server/raft/replicated-log.js'

interface Batch {
  baseOffset: number
  lastOffset: number
  epoch: number
  bytes: Buffer
}

function parseBatches(buf: Buffer): Batch[] {
  const out: Batch[] = []
  let p = 0
  while (p < buf.length) {
    if (p + 61 > buf.length) throw new Error(`Incomplete batch at byte ${p}`)
    const size = buf.readInt32BE(p + 8) + 12
    if (size < 61 || p + size > buf.length) throw new Error(`Bad batch length at byte ${p}`)
    const baseOffset = Number(buf.readBigInt64BE(p))
    out.push({baseOffset, lastOffset: baseOffset + buf.readInt32BE(p + 23), epoch: buf.readInt32BE(p + 12), bytes: buf.subarray(p, p + size)})
    p += size
  }
  return out
}

export class MemoryLog implements ReplicatedLog {
  private batches: Batch[] = []
  private start = 0
  /** Batches [0, durable) survive a crash. */
  private durable = 0
  private epochs: {epoch: number, startOffset: number}[] | null = null

  startOffset(): number {
    return this.start
  }

  endOffset(): number {
    const last = this.batches[this.batches.length - 1]
    return last ? last.lastOffset + 1 : this.start
  }

  lastEpoch(): number | null {
    const last = this.batches[this.batches.length - 1]
    return last ? last.epoch : null
  }

  appendAsLeader(records: Buffer, epoch: number): {firstOffset: number, lastOffset: number} {
    const batches = parseBatches(records)
    for (const b of batches) if (b.epoch !== epoch) throw new Error(`Leader batch of epoch ${b.epoch} appended in epoch ${epoch}`)
    return this.append(batches)
  }

  appendAsFollower(records: Buffer): {firstOffset: number, lastOffset: number} {
    return this.append(parseBatches(records))
  }

  private append(batches: Batch[]): {firstOffset: number, lastOffset: number} {
    if (batches.length === 0) throw new Error('Empty append')
    let next = this.endOffset()
    for (const b of batches) {
      if (b.baseOffset !== next) throw new Error(`Batch at ${b.baseOffset} appended at log end offset ${next}`)
      const last = this.batches[this.batches.length - 1]
      if (last && b.epoch < last.epoch) throw new Error(`Batch epoch ${b.epoch} below the last epoch ${last.epoch}`)
      this.batches.push(b)
      next = b.lastOffset + 1
    }
    this.epochs = null
    return {firstOffset: batches[0].baseOffset, lastOffset: batches[batches.length - 1].lastOffset}
  }

  private indexOf(offset: number): number {
    let lo = 0
    let hi = this.batches.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const b = this.batches[mid]
      if (b.lastOffset < offset) lo = mid + 1
      else if (b.baseOffset > offset) hi = mid - 1
      else return mid
    }
    return lo
  }

  read(offset: number, maxBytes: number): Buffer {
    if (offset < this.start || offset > this.endOffset()) throw new Error(`Offset ${offset} outside [${this.start}, ${this.endOffset()}]`)
    const parts: Buffer[] = []
    let bytes = 0
    for (let i = this.indexOf(offset); i < this.batches.length; i++) {
      const b = this.batches[i]
      if (parts.length > 0 && bytes + b.bytes.length > maxBytes) break
      parts.push(b.bytes)
      bytes += b.bytes.length
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  }

  private epochEntries(): {epoch: number, startOffset: number}[] {
    if (!this.epochs) {
      this.epochs = []
      for (const b of this.batches) {
        const last = this.epochs[this.epochs.length - 1]
        if (!last || b.epoch > last.epoch) this.epochs.push({epoch: b.epoch, startOffset: b.baseOffset})
      }
    }
    return this.epochs
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch | null {
    const entries = this.epochEntries()
    if (entries.length === 0) return null
    const latest = entries[entries.length - 1]
    if (epoch >= latest.epoch) return {epoch: latest.epoch, offset: this.endOffset()}
    const hi = entries.findIndex(e => e.epoch > epoch)
    if (hi === 0) return {epoch, offset: entries[0].startOffset}
    return {epoch: entries[hi - 1].epoch, offset: entries[hi].startOffset}
  }

  truncateTo(offset: number): void {
    if (offset >= this.endOffset()) return
    if (offset < this.start) throw new Error(`Truncation to ${offset} below the log start ${this.start}`)
    const i = this.indexOf(offset)
    if (i < this.batches.length && this.batches[i].baseOffset !== offset) throw new Error(`Truncation to ${offset} inside a batch`)
    this.batches = this.batches.slice(0, i)
    this.durable = Math.min(this.durable, this.batches.length)
    this.epochs = null
  }

  truncateFullyAndStartAt(offset: number): void {
    this.batches = []
    this.start = offset
    this.durable = 0
    this.epochs = null
  }

  deleteBefore(offset: number): void {
    if (offset <= this.start) return
    if (offset > this.endOffset()) throw new Error(`Log start ${offset} above the log end ${this.endOffset()}`)
    const keep = this.batches.filter(b => b.baseOffset >= offset)
    if (keep.length > 0 && keep[0].baseOffset !== offset) throw new Error(`Log start ${offset} inside a batch`)
    this.durable = Math.max(0, this.durable - (this.batches.length - keep.length))
    this.batches = keep
    this.start = offset
    this.epochs = null
  }

  flush(): void {
    this.durable = this.batches.length
  }

  sizeInBytes(): number {
    let n = 0
    for (const b of this.batches) n += b.bytes.length
    return n
  }

  close(): void {}

  /** A crash: keeps the flushed batches and a random part of the rest. */
  crash(random: () => number): void {
    const kept = this.durable + Math.floor(random() * (this.batches.length - this.durable + 1))
    this.batches = this.batches.slice(0, kept)
    this.durable = kept
    this.epochs = null
  }

  /** Header facts of every batch (for the simulation's checks). */
  allBatches(): readonly Batch[] {
    return this.batches
  }

  batchAt(baseOffset: number): Batch | undefined {
    const i = this.indexOf(baseOffset)
    const b = this.batches[i]
    return b && b.baseOffset === baseOffset ? b : undefined
  }
}

export class MemoryQuorumStateStore implements QuorumStateStore {
  state: ElectionState | null = null
  writes = 0

  read(): ElectionState | null {
    return this.state ? {...this.state} : null
  }

  write(state: ElectionState): void {
    this.state = {...state}
    this.writes++
  }
}

const key = (id: SnapshotId): string => `${id.endOffset}-${id.epoch}`

export class MemorySnapshotStore implements SnapshotStore {
  private readonly files = new Map<string, {id: SnapshotId, bytes: Buffer}>()

  list(): SnapshotId[] {
    return [...this.files.values()].map(f => f.id).sort((a, b) => a.endOffset - b.endOffset)
  }

  size(id: SnapshotId): number {
    return this.files.get(key(id))?.bytes.length ?? -1
  }

  read(id: SnapshotId, position: number, maxBytes: number): Buffer {
    const f = this.files.get(key(id))
    if (!f) throw new Error(`No snapshot ${key(id)}`)
    return f.bytes.subarray(position, position + maxBytes)
  }

  write(id: SnapshotId, bytes: Buffer): void {
    this.files.set(key(id), {id: {...id}, bytes})
  }

  delete(id: SnapshotId): void {
    this.files.delete(key(id))
  }
}
