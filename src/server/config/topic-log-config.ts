/**
 * A topic's effective `LogConfig`: the broker defaults (logConfigFromServer) overlaid with the
 * topic's dynamic config overrides from the metadata image (ConfigRecords, already validated by
 * the controller against TOPIC_CONFIG_DEFS). Kafka `LogConfig.fromProps`.
 */
import type {LogConfig} from '../log/index.js'

const NUMERIC: Record<string, keyof LogConfig> = {
  'segment.bytes': 'segmentBytes',
  'segment.ms': 'segmentMs',
  'segment.index.bytes': 'segmentIndexBytes',
  'index.interval.bytes': 'indexIntervalBytes',
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'max.message.bytes': 'maxMessageBytes',
  'file.delete.delay.ms': 'fileDeleteDelayMs',
  'flush.messages': 'flushMessages',
  'flush.ms': 'flushMs',
  'compression.gzip.level': 'compressionGzipLevel',
  'compression.zstd.level': 'compressionZstdLevel',
  'message.timestamp.before.max.ms': 'messageTimestampBeforeMaxMs',
  'message.timestamp.after.max.ms': 'messageTimestampAfterMaxMs',
  'message.timestamp.difference.max.ms': 'messageTimestampDifferenceMaxMs',
  'delete.retention.ms': 'deleteRetentionMs',
  'min.cleanable.dirty.ratio': 'minCleanableDirtyRatio',
  'min.compaction.lag.ms': 'minCompactionLagMs',
  'max.compaction.lag.ms': 'maxCompactionLagMs',
}

/** `base` with the overrides of `overrides` (topic config name → string value) applied. */
export function logConfigForTopic(base: LogConfig, overrides: ReadonlyMap<string, string>): LogConfig {
  if (overrides.size === 0) return base
  const out: LogConfig = {...base}
  for (const [name, value] of overrides) {
    const field = NUMERIC[name]
    if (field !== undefined) {
      const n = Number(value)
      if (Number.isFinite(n)) (out as unknown as Record<string, number>)[field] = n
    } else if (name === 'cleanup.policy') {
      out.cleanupPolicy = value
    } else if (name === 'compression.type') {
      out.compressionType = value
    } else if (name === 'message.timestamp.type' && (value === 'CreateTime' || value === 'LogAppendTime')) {
      out.messageTimestampType = value
    }
  }
  return out
}

/** min.insync.replicas of a topic: its override, else the broker's. */
export function minInsyncReplicasForTopic(brokerDefault: number, overrides: ReadonlyMap<string, string>): number {
  const v = overrides.get('min.insync.replicas')
  const n = v === undefined ? NaN : Number(v)
  return Number.isInteger(n) && n >= 1 ? n : brokerDefault
}
