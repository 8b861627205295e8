/**
 * Topic-level log configuration (Kafka's `LogConfig`, names in comments) and shared log types.
 * Defaults follow `../shared/spec/storage-and-kraft.md` §3.11.
 */
export interface LogConfig {
  /** segment.bytes: max bytes of one segment (default 1073741824). */
  segmentBytes: number
  /** segment.ms: roll after this age in ms (default 604800000). */
  segmentMs: number
  /** segment.index.bytes: preallocated index size in bytes (default 10485760). */
  segmentIndexBytes: number
  /** index.interval.bytes: bytes between index entries (default 4096). */
  indexIntervalBytes: number
  /** retention.ms (default 604800000; -1 = forever). */
  retentionMs: number
  /** retention.bytes (default -1 = off). */
  retentionBytes: number
  /** max.message.bytes: max batch size in bytes (default 1048588). */
  maxMessageBytes: number
  /** file.delete.delay.ms (default 60000). */
  fileDeleteDelayMs: number
  /** cleanup.policy: `delete` (default), `compact` or `compact,delete` (compact: the log cleaner keeps the latest record per key, and the produce path refuses keyless records). */
  cleanupPolicy: string
  /** delete.retention.ms: how long tombstones (and transaction markers) outlive their cleaning (default 86400000). */
  deleteRetentionMs?: number
  /** min.cleanable.dirty.ratio: dirty bytes / cleanable bytes that make the cleaner pick a log (default 0.5). */
  minCleanableDirtyRatio?: number
  /** min.compaction.lag.ms: records younger than this stay uncleaned (default 0). */
  minCompactionLagMs?: number
  /** max.compaction.lag.ms: dirty data older than this is cleaned whatever the ratio (default Long.MAX_VALUE). */
  maxCompactionLagMs?: number
  /** message.timestamp.type */
  messageTimestampType: 'CreateTime' | 'LogAppendTime'
  /** flush.messages: fsync after this many messages (unset = never on produce). */
  flushMessages?: number
  /** flush.ms: fsync when the last flush is older than this (unset = never on produce). */
  flushMs?: number
  /** compression.type: `producer` (default: keep the producer's codec), `uncompressed`, `gzip`, `snappy`, `lz4`, `zstd`. */
  compressionType?: string
  /** compression.gzip.level (KIP-390; -1 = zlib's default). */
  compressionGzipLevel?: number
  /** compression.zstd.level (KIP-390; default 3). */
  compressionZstdLevel?: number
  /** message.timestamp.before.max.ms (ms; unset or ≥ Long.MAX = unbounded). */
  messageTimestampBeforeMaxMs?: number
  /** message.timestamp.after.max.ms (ms; unset or ≥ Long.MAX = unbounded). */
  messageTimestampAfterMaxMs?: number
  /** message.timestamp.difference.max.ms (deprecated; stands in for before/after when those are unbounded). */
  messageTimestampDifferenceMaxMs?: number
}

export const DEFAULT_LOG_CONFIG: LogConfig = {
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  segmentIndexBytes: 10485760,
  indexIntervalBytes: 4096,
  retentionMs: 604800000,
  retentionBytes: -1,
  maxMessageBytes: 1048588,
  fileDeleteDelayMs: 60000,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 86400000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: 'CreateTime',
}

export interface TopicPartition { topic: string; partition: number }

/** `${topic}-${partition}`: the partition directory name and checkpoint key. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`
}

/** Maps to OFFSET_OUT_OF_RANGE (1). */
export class OffsetOutOfRangeError extends Error {
  readonly errorCode = 1
  constructor(message: string) { super(message); this.name = 'OffsetOutOfRangeError' }
}

/** Maps to CORRUPT_MESSAGE (2). */
export class CorruptRecordError extends Error {
  readonly errorCode = 2
  constructor(message: string) { super(message); this.name = 'CorruptRecordError' }
}

/** Maps to MESSAGE_TOO_LARGE (10) / RECORD_LIST_TOO_LARGE (18). */
export class RecordTooLargeError extends Error {
  readonly errorCode = 10
  constructor(message: string) { super(message); this.name = 'RecordTooLargeError' }
}

/** Offsets not increasing in appendAsFollower: Kafka's UnexpectedAppendOffsetException (UNKNOWN_SERVER_ERROR -1). */
export class UnexpectedAppendOffsetError extends Error {
  readonly errorCode = -1
  constructor(message: string) { super(message); this.name = 'UnexpectedAppendOffsetError' }
}

export interface LogAppendInfo {
  firstOffset: number
  lastOffset: number
  /** Largest batch maxTimestamp appended (ms), -1 if none. */
  maxTimestamp: number
  /** Broker time used for LogAppendTime, -1 for CreateTime. */
  logAppendTimeMs: number
  validBytes: number
  numBatches: number
}

/** Minimal logger seam (log4js loggers fit). */
export interface LogLogger {
  info(msg: string): void
  warn(msg: string): void
}

/** 20-digit zero-padded base offset, Kafka's segment file prefix. */
export function filenamePrefixFromOffset(offset: number): string {
  return String(offset).padStart(20, '0')
}
