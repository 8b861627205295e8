/**
 * MetadataCache: holds the current MetadataImage and tells listeners about each new one
 * (Kafka `KRaftMetadataCache` + `MetadataPublisher`). The metadata loader (in combined mode the
 * Raft client's committed-batch listener) replays records into a MetadataDelta and `publish()`es it.
 */
import {MetadataDelta} from './metadata-delta.js'
import {MetadataImage} from './metadata-image.js'
import type {MetadataRecord} from './metadata-record.js'

export type MetadataListener = (delta: MetadataDelta, image: MetadataImage) => void

export class MetadataCache {
  private current: MetadataImage
  private readonly listeners: MetadataListener[] = []
  private waiters: {offset: number, resolve: () => void}[] = []

  constructor(clusterId = '') {
    this.current = MetadataImage.empty(clusterId)
  }

  /** The latest published image. */
  get image(): MetadataImage {
    return this.current
  }

  /** Calls `listener(delta, newImage)` after each publish; returns an unsubscribe function. */
  onUpdate(listener: MetadataListener): () => void {
    this.listeners.push(listener)
    return () => {
      const i = this.listeners.indexOf(listener)
      if (i >= 0) this.listeners.splice(i, 1)
    }
  }

  /** Resolves once the record at `offset` (or a later one) has been applied. */
  waitForOffset(offset: number): Promise<void> {
    if (this.current.offset >= offset) return Promise.resolve()
    return new Promise(resolve => this.waiters.push({offset, resolve}))
  }

  /** Replays `records` (with their offsets) in one delta and publishes the result. */
  replayBatch(records: {record: MetadataRecord, offset: number}[], lastOffset: number, epoch: number): void {
    const delta = new MetadataDelta(this.current)
    for (const {record, offset} of records) delta.replay(record, offset, epoch)
    delta.setOffset(lastOffset, epoch)
    this.publish(delta)
  }

  /** Installs `delta.apply()` as the current image, then notifies listeners and waiters. */
  publish(delta: MetadataDelta): void {
    const image = delta.apply()
    this.current = image
    for (const l of this.listeners) {
      try {
        l(delta, image)
      } catch {
        // a failing listener must not stop metadata propagation
      }
    }
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter(w => w.offset <= image.offset)
      this.waiters = this.waiters.filter(w => w.offset > image.offset)
      for (const w of ready) w.resolve()
    }
  }
}
