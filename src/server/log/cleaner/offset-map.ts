/**
 * The log cleaner's dedupe map (Kafka `SkimpyOffsetMap`): record key → the largest offset seen for
 * it, in a fixed memory budget. Keys are stored as their MD5 hash (16 bytes) beside an 8-byte offset,
 * 24 bytes per slot, open addressing with linear probing. Two keys with the same MD5 would share a
 * slot (Kafka accepts that risk too).
 *
 * Capacity: `floor(memoryBytes / 24)` slots, filled to at most `loadFactor` (Kafka's
 * `log.cleaner.io.buffer.load.factor`, 0.9); `put` of a new key on a full map throws, callers check
 * `isFull` first. The slots are allocated once and reused (`clear`).
 */
import {hash} from 'node:crypto'

/** Bytes per entry (MD5 hash + int64 offset), as Kafka's `SkimpyOffsetMap.bytesPerEntry`. */
export const OFFSET_MAP_BYTES_PER_ENTRY = 24
const HASH_SIZE = 16

export class OffsetMap {
  /** Number of slots. */
  readonly slots: number
  /** Most entries this map takes (slots × load factor). */
  readonly maxEntries: number
  private readonly hashes: Buffer
  private readonly offsets: Float64Array
  private entries = 0
  private latest = -1

  /** `memoryBytes`: the budget (≥ 24 bytes); `loadFactor` in (0, 1]. */
  constructor(memoryBytes: number, loadFactor = 0.9) {
    this.slots = Math.max(1, Math.floor(memoryBytes / OFFSET_MAP_BYTES_PER_ENTRY))
    this.maxEntries = Math.max(1, Math.floor(this.slots * Math.min(1, Math.max(loadFactor, 0.01))))
    this.hashes = Buffer.alloc(this.slots * HASH_SIZE)
    this.offsets = new Float64Array(this.slots).fill(-1)
  }

  get size(): number { return this.entries }
  get isFull(): boolean { return this.entries >= this.maxEntries }
  /** Largest offset put since the last clear, -1 if none. */
  get latestOffset(): number { return this.latest }
  /** Fraction of the usable capacity in use (Kafka's `utilization`). */
  get utilization(): number { return this.entries / this.maxEntries }

  /** Records that `key`'s latest offset is `offset` (offsets are put in increasing order). */
  put(key: Buffer, offset: number): void {
    const h = hash('md5', key, 'buffer')
    let slot = h.readUInt32BE(0) % this.slots
    for (;;) {
      const o = this.offsets[slot]
      if (o < 0) {
        if (this.entries >= this.maxEntries) throw new Error('Offset map is full')
        h.copy(this.hashes, slot * HASH_SIZE)
        this.offsets[slot] = offset
        this.entries++
        break
      }
      if (this.sameHash(slot, h)) { this.offsets[slot] = offset; break }
      slot = slot + 1 === this.slots ? 0 : slot + 1
    }
    if (offset > this.latest) this.latest = offset
  }

  /** The latest offset of `key`, or -1 when the map does not hold it. */
  get(key: Buffer): number {
    const h = hash('md5', key, 'buffer')
    let slot = h.readUInt32BE(0) % this.slots
    for (let probes = 0; probes < this.slots; probes++) {
      const o = this.offsets[slot]
      if (o < 0) return -1
      if (this.sameHash(slot, h)) return o
      slot = slot + 1 === this.slots ? 0 : slot + 1
    }
    return -1
  }

  clear(): void {
    this.offsets.fill(-1)
    this.entries = 0
    this.latest = -1
  }

  private sameHash(slot: number, h: Buffer): boolean {
    const base = slot * HASH_SIZE
    const hs = this.hashes
    for (let i = 0; i < HASH_SIZE; i++) if (hs[base + i] !== h[i]) return false
    return true
  }
}
