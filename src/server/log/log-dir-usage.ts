/**
 * What DescribeLogDirs reports about the log directories (Kafka 3.9
 * `ReplicaManager.describeLogDirs`): per directory (absolute path) the partition logs it holds with
 * their size in bytes, offset lag (`max(high watermark - log end offset, 0)`, -1 when the partition
 * is not online here) and isFuture (always false: kts moves no replicas between dirs), plus the
 * file system's total and usable bytes (`FileStore.getTotalSpace/getUsableSpace`, -1 when unknown).
 * An unreadable directory is reported with KAFKA_STORAGE_ERROR and no partitions.
 */
import fs from 'node:fs'
import path from 'node:path'
import {ErrorCode} from '../../protocol/errors.js'
import type {UnifiedLog} from './unified-log.js'

/** One partition log of a directory. Sizes in bytes. */
export interface LogDirPartition {
  topic: string
  partition: number
  size: number
  offsetLag: number
  isFuture: boolean
}

/** One log directory. `totalBytes`/`usableBytes` -1 when unknown. */
export interface LogDirUsage {
  logDir: string
  errorCode: number
  partitions: LogDirPartition[]
  totalBytes: number
  usableBytes: number
}

/**
 * Describes `logDirs` from their `logs`. `wanted(topic, partition)` selects the partitions to list
 * (DescribeLogDirs `topics`); `highWatermark(log)` is the partition's high watermark, or undefined
 * when the partition is not online here.
 */
export function describeLogDirs(
  logDirs: readonly string[], logs: readonly UnifiedLog[],
  wanted: (topic: string, partition: number) => boolean,
  highWatermark: (log: UnifiedLog) => number | undefined,
): LogDirUsage[] {
  return logDirs.map((dir) => {
    const abs = path.resolve(dir)
    let totalBytes = -1
    let usableBytes = -1
    try {
      const st = fs.statfsSync(abs)
      totalBytes = st.blocks * st.bsize
      usableBytes = st.bavail * st.bsize
    } catch {
      return {logDir: abs, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, partitions: [], totalBytes, usableBytes}
    }
    const partitions = logs
      .filter(l => path.dirname(path.resolve(l.dir)) === abs && wanted(l.topicPartition.topic, l.topicPartition.partition))
      .map((l): LogDirPartition => {
        const hw = highWatermark(l)
        return {topic: l.topicPartition.topic, partition: l.topicPartition.partition, size: l.size, offsetLag: hw === undefined ? -1 : Math.max(hw - l.logEndOffset, 0), isFuture: false}
      })
    return {logDir: abs, errorCode: ErrorCode.NONE, partitions, totalBytes, usableBytes}
  })
}
