/**
 * `--print-metrics` of the perf tools, in the layout of Kafka's `ToolsUtils.printMetrics`: a blank
 * line, `Metric Name` / `Value` header, then `group:name:{tags}` padded to the longest name,
 * ` : `, the value with `%.3f`, sorted by that merged name.
 *
 * The values come from our client's counters under Kafka's metric names (a subset of the Java
 * client's); rates are averages over the whole run (Kafka's are over its last 30 s sample windows).
 */
import {javaFixed} from './java-format.js'
import type {PerfProducerMetrics} from './perf-producer.js'
import type {PerfProducerSettings} from './producer-config.js'

/** One metric: Kafka's group, name and tags (in Kafka's tag order), and its value. */
export interface MetricValue {
  group: string
  name: string
  tags: Array<[string, string]>
  value: number
}

/** The lines of `ToolsUtils.printMetrics` for `metrics` (none when empty). */
export function formatMetrics(metrics: readonly MetricValue[]): string[] {
  if (metrics.length === 0) return []
  const sorted = new Map<string, number>()
  for (const m of metrics) sorted.set(`${m.group}:${m.name}:{${m.tags.map(([k, v]) => `${k}=${v}`).join(', ')}}`, m.value)
  const names = [...sorted.keys()].sort()
  const width = Math.max(...names.map((n) => n.length))
  const lines = ['', `${'Metric Name'.padEnd(width)}   Value`]
  for (const n of names) lines.push(`${n.padEnd(width)} : ${javaFixed(sorted.get(n)!, 3)}`)
  return lines
}

/** `--print-metrics` lines of `kts producer-perf-test`. */
export function producerMetricLines(m: PerfProducerMetrics, clientId: string, topic: string, s: PerfProducerSettings): string[] {
  const elapsedSec = Math.max(1, Date.now() - m.startMs) / 1000
  const client: Array<[string, string]> = [['client-id', clientId]]
  const topicTags: Array<[string, string]> = [['client-id', clientId], ['topic', topic]]
  const avg = (total: number, n: number): number => (n > 0 ? total / n : NaN)
  const p = (name: string, value: number): MetricValue => ({group: 'producer-metrics', name, tags: client, value})
  const t = (name: string, value: number): MetricValue => ({group: 'producer-topic-metrics', name, tags: topicTags, value})
  return formatMetrics([
    p('batch-size-avg', avg(m.batchBytesTotal, m.batches)),
    p('batch-size-max', m.batches > 0 ? m.batchBytesMax : NaN),
    p('buffer-total-bytes', s.bufferMemory),
    p('bufferpool-wait-time-ns-total', m.bufferWaitMs * 1e6),
    p('compression-rate-avg', avg(m.compressionRatioTotal, m.batches)),
    p('connection-creation-total', m.connectionCreations),
    p('incoming-byte-rate', m.bytesRead / elapsedSec),
    p('incoming-byte-total', m.bytesRead),
    p('metadata-request-total', m.metadataRequests),
    p('outgoing-byte-rate', m.bytesWritten / elapsedSec),
    p('outgoing-byte-total', m.bytesWritten),
    p('record-error-rate', m.recordErrors / elapsedSec),
    p('record-error-total', m.recordErrors),
    p('record-queue-time-avg', avg(m.recordQueueTimeTotalMs, m.recordsSent + m.recordErrors)),
    p('record-queue-time-max', m.recordQueueTimeMaxMs),
    p('record-retry-rate', m.recordRetries / elapsedSec),
    p('record-retry-total', m.recordRetries),
    p('record-send-rate', m.recordsSent / elapsedSec),
    p('record-send-total', m.recordsSent),
    p('records-per-request-avg', avg(m.recordsSent + m.recordErrors, m.requests)),
    p('request-latency-avg', avg(m.requestLatencyTotalMs, m.requests)),
    p('request-latency-max', m.requests > 0 ? m.requestLatencyMaxMs : NaN),
    p('request-rate', m.requests / elapsedSec),
    p('request-total', m.requests),
    t('byte-rate', m.bytesAcked / elapsedSec),
    t('byte-total', m.bytesAcked),
    t('compression-rate', avg(m.compressionRatioTotal, m.batches)),
    t('record-error-rate', m.recordErrors / elapsedSec),
    t('record-error-total', m.recordErrors),
    t('record-retry-rate', m.recordRetries / elapsedSec),
    t('record-retry-total', m.recordRetries),
    t('record-send-rate', m.recordsSent / elapsedSec),
    t('record-send-total', m.recordsSent),
  ])
}
