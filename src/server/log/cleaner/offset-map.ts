/**
 * The log cleaner's dedupe map (Kafka `SkimpyOffsetMap`): record key → the largest offset seen for
 * it, in a fixed memory budget. Keys are stored as a 16-byte hash beside an 8-byte offset, 24 bytes
 * per slot as Kafka, open addressing with linear probing. Kafka hashes with MD5; here the 16 bytes
 * are four 32-bit MurmurHash3 lanes with different seeds, computed in one pass without allocating
 * (MD5 through node:crypto cost a quarter of the cleaner's time). Two keys with the same 128-bit hash
 * would share a slot (Kafka accepts that risk too).
 *
 * Capacity: `floor(memoryBytes / 24)` slots, filled to at most `loadFactor` (Kafka's
 * `log.cleaner.io.buffer.load.factor`, 0.9); `put` of a new key on a full map throws, callers check
 * `isFull` first. The slots are allocated once and reused (`clear`).
 */
/** Bytes per entry (MD5 hash + int64 offset), as Kafka's `SkimpyOffsetMap.bytesPerEntry`. */
export const OFFSET_MAP_BYTES_PER_ENTRY = 24

export class OffsetMap {
  /** Number of slots. */
  readonly slots: number
  /** Most entries this map takes (slots × load factor). */
  readonly maxEntries: number
  private readonly hashes: Uint32Array
  private readonly offsets: Float64Array
  /** The hash of the key being looked up (4 lanes). */
  private readonly h = new Uint32Array(4)
  private entries = 0
  private latest = -1

  /** `memoryBytes`: the budget (≥ 24 bytes); `loadFactor` in (0, 1]. */
  constructor(memoryBytes: number, loadFactor = 0.9) {
    this.slots = Math.max(1, Math.floor(memoryBytes / OFFSET_MAP_BYTES_PER_ENTRY))
    this.maxEntries = Math.max(1, Math.floor(this.slots * Math.min(1, Math.max(loadFactor, 0.01))))
    this.hashes = new Uint32Array(this.slots * 4)
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
    this.putRange(key, 0, key.length, offset)
  }

  /** `put` of the key `buf[start, end)` (no Buffer view allocated). */
  putRange(buf: Buffer, start: number, end: number, offset: number): void {
    const h = this.hashKey(buf, start, end)
    let slot = h[0] % this.slots
    for (;;) {
      const o = this.offsets[slot]
      if (o < 0) {
        if (this.entries >= this.maxEntries) throw new Error('Offset map is full')
        this.hashes.set(h, slot * 4)
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
    return this.getRange(key, 0, key.length)
  }

  /** `get` of the key `buf[start, end)`. */
  getRange(buf: Buffer, start: number, end: number): number {
    const h = this.hashKey(buf, start, end)
    let slot = h[0] % this.slots
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

  private sameHash(slot: number, h: Uint32Array): boolean {
    const hs = this.hashes
    const b = slot * 4
    return hs[b] === h[0] && hs[b + 1] === h[1] && hs[b + 2] === h[2] && hs[b + 3] === h[3]
  }

  /** Four MurmurHash3 (x86, 32-bit) lanes of `key[start, end)` with different seeds, into `this.h`. */
  private hashKey(key: Buffer, start: number, end: number): Uint32Array {
    let h0 = 0x9747b28c; let h1 = 0x5bd1e995; let h2 = 0x1b873593; let h3 = 0x85ebca6b
    const n = end - start
    let i = start
    for (; i + 4 <= end; i += 4) {
      const k = mixK(key[i] | (key[i + 1] << 8) | (key[i + 2] << 16) | (key[i + 3] << 24))
      h0 = mixH(h0 ^ k); h1 = mixH(h1 ^ Math.imul(k, 0x27d4eb2f)); h2 = mixH(h2 ^ (k ^ 0x165667b1)); h3 = mixH(h3 ^ Math.imul(k ^ h0, 0x61c88647))
    }
    let t = 0
    if ((n & 3) === 3) t ^= key[i + 2] << 16
    if ((n & 3) >= 2) t ^= key[i + 1] << 8
    if ((n & 3) >= 1) {
      t = mixK(t ^ key[i])
      h0 ^= t; h1 ^= Math.imul(t, 0x27d4eb2f); h2 ^= t ^ 0x165667b1; h3 ^= Math.imul(t ^ h0, 0x61c88647)
    }
    const out = this.h
    out[0] = fmix(h0 ^ n); out[1] = fmix(h1 ^ n); out[2] = fmix(h2 ^ n); out[3] = fmix(h3 ^ n)
    return out
  }
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  return Math.imul(k, 0x1b873593)
}

function mixH(h: number): number {
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
