/**
 * The metadata log `<metadata.log.dir>/__cluster_metadata-0` as the Raft core's ReplicatedLog
 * (Kafka `KafkaMetadataLog`, storage-and-kraft.md §4.1): a partition log (UnifiedLog: segments,
 * indexes, leader-epoch-checkpoint, partition.metadata with topic id AAAAAAAAAAAAAAAAAAAAAQ).
 *
 * On open every segment is recovered (batch framing and CRC checked, a torn tail truncated,
 * missing indexes and the leader-epoch cache rebuilt), so the single index-less
 * `00000000000000000000.log` that earlier versions of kts wrote opens as it is. Reads return raw
 * batch bytes up to a size bound; `flush()` fsyncs the `.log` files (one fsync per flush: the
 * indexes and the leader-epoch checkpoint are rebuilt from them on open). Old segments are deleted as soon as the log
 * start moves past them (the metadata log is read synchronously, nobody holds them open).
 */
import path from 'node:path'
import {METADATA_TOPIC_ID} from '../../protocol/primitives/uuid.js'
import {DEFAULT_LOG_CONFIG, UnifiedLog, type LogLogger} from '../log/index.js'
import {MAX_BATCH_SIZE_BYTES} from './raft-config.js'
import type {OffsetAndEpoch, ReplicatedLog} from './replicated-log.js'

export const METADATA_TOPIC = '__cluster_metadata'
export const METADATA_PARTITION_DIR = `${METADATA_TOPIC}-0`

export interface MetadataLogOptions {
  /** metadata.log.dir: the partition directory goes under it. */
  metadataLogDir: string
  /** metadata.log.segment.bytes (default 1 GiB). */
  segmentBytes?: number
  /** metadata.log.segment.ms (default 7 days). */
  segmentMs?: number
  logger?: LogLogger
}

export class KafkaMetadataLog implements ReplicatedLog {
  private constructor(readonly log: UnifiedLog) {}

  /** The partition directory of a metadata log dir. */
  static partitionDir(metadataLogDir: string): string {
    return path.join(metadataLogDir, METADATA_PARTITION_DIR)
  }

  /**
   * Opens (creating if needed) and recovers the metadata log.
   * @throws Error when the directory cannot be read or holds another topic's log
   */
  static open(opts: MetadataLogOptions): KafkaMetadataLog {
    const log = UnifiedLog.open({
      dir: KafkaMetadataLog.partitionDir(opts.metadataLogDir),
      topicPartition: {topic: METADATA_TOPIC, partition: 0},
      config: {
        ...DEFAULT_LOG_CONFIG,
        segmentBytes: opts.segmentBytes ?? DEFAULT_LOG_CONFIG.segmentBytes,
        segmentMs: opts.segmentMs ?? DEFAULT_LOG_CONFIG.segmentMs,
        maxMessageBytes: MAX_BATCH_SIZE_BYTES + 1024,
        retentionMs: -1,
        retentionBytes: -1,
        fileDeleteDelayMs: 0,
      },
      recoveryPoint: 0,
      hadCleanShutdown: false,
      topicId: METADATA_TOPIC_ID,
      logger: opts.logger,
    })
    return new KafkaMetadataLog(log)
  }

  /** Bytes recovery removed from a torn tail when the log was opened. */
  get bytesTruncatedOnLoad(): number {
    return this.log.bytesTruncatedOnLoad
  }

  get dir(): string {
    return this.log.dir
  }

  startOffset(): number {
    return this.log.logStartOffset
  }

  endOffset(): number {
    return this.log.logEndOffset
  }

  lastEpoch(): number | null {
    return this.log.latestEpoch()
  }

  appendAsLeader(records: Buffer, epoch: number): {firstOffset: number, lastOffset: number} {
    const info = this.log.appendAsLeader(records, epoch)
    return {firstOffset: info.firstOffset, lastOffset: info.lastOffset}
  }

  appendAsFollower(records: Buffer): {firstOffset: number, lastOffset: number} {
    const first = Number(records.readBigInt64BE(0))
    if (first !== this.log.logEndOffset) throw new Error(`Fetched batch at ${first} does not start at the log end offset ${this.log.logEndOffset}`)
    const info = this.log.appendAsFollower(records)
    return {firstOffset: info.firstOffset, lastOffset: info.lastOffset}
  }

  read(offset: number, maxBytes: number): Buffer {
    return this.log.read(offset, maxBytes, this.log.logEndOffset, true).records
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch | null {
    const latest = this.log.latestEpoch()
    if (latest === null) return null
    if (epoch >= latest) return {epoch: latest, offset: this.log.logEndOffset}
    const r = this.log.endOffsetForEpoch(epoch)
    return r.epoch < 0 ? null : {epoch: r.epoch, offset: r.endOffset}
  }

  truncateTo(offset: number): void {
    this.log.truncateTo(offset)
  }

  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset)
  }

  deleteBefore(offset: number): void {
    this.log.maybeIncrementLogStartOffset(offset)
  }

  /** fsyncs the appended batches (the indexes and the leader-epoch checkpoint are rebuilt by recovery on open). */
  flush(): void {
    this.log.flushData()
  }

  sizeInBytes(): number {
    return this.log.size
  }

  close(): void {
    this.log.close()
  }
}
