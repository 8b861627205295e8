/**
 * The run of `kts consumer-perf-test` (Kafka `ConsumerPerformance.main` [4.0]): header, consume
 * `--messages` records as one member of the group, then the result row (or, with
 * `--show-detailed-stats`, a row per reporting interval instead). MB = 1024 × 1024 bytes of record
 * keys and values; times from the consumer's creation (`start.time`) to the last record
 * (`end.time`); `rebalance.time.ms` is the time spent joining the group (Kafka's
 * `ConsumerPerfRebListener`: from the start, or from a revocation, to the next assignment) and
 * `fetch.time.ms` the rest.
 *
 * Lines (stdout):
 * - header: `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`
 *   (`time, threadId, ...` with `--show-detailed-stats`);
 * - row: `%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f`;
 * - detailed row: `%s, %d, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f` (time, thread id 0, MB so far,
 *   interval MB/s, messages so far, interval msg/s, rebalance ms in the interval, fetch ms, fetch MB/s, fetch msg/s);
 * - `WARNING: Exiting before consuming the expected number of messages: timeout (10000 ms) exceeded. You can use the --timeout option to increase the timeout.`
 */
import {javaFixed} from './java-format.js'
import {PerfConsumer} from './perf-consumer.js'
import {formatMetrics} from './perf-metrics.js'
import type {ConsumerPerfOptions} from './consumer-perf-options.js'
import type {PerfConsumerMetrics} from './perf-consumer.js'

const MB = 1024 * 1024

/** Result of a run (`--json`). */
export interface ConsumerPerfResult {
  startMs: number
  endMs: number
  messages: number
  bytes: number
  rebalanceTimeMs: number
  fetchTimeMs: number
  mbPerSec: number
  messagesPerSec: number
  fetchMbPerSec: number
  fetchMessagesPerSec: number
  timedOut: boolean
}

export interface ConsumerPerfIo {
  out(line: string): void
  warn(message: string): void
}

/** Kafka's header line. */
export function consumerPerfHeader(showDetailedStats: boolean): string {
  const tail = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'
  return showDetailedStats
    ? `time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${tail}`
    : `start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec${tail}`
}

/** Runs the test; the consumer leaves its group (after committing) before this resolves. */
export async function runConsumerPerf(opts: ConsumerPerfOptions, io: ConsumerPerfIo, signal?: AbortSignal): Promise<ConsumerPerfResult> {
  if (!opts.hideHeader) io.out(consumerPerfHeader(opts.showDetailedStats))
  // Kafka's listener keeps the AtomicLong it was created with, while the loop replaces its own
  // after the first report: so only the first detailed row shows the rebalance time (mirrored).
  let joinTimeMs = 0
  let joinTimeMsInFirstRound = 0
  let reportedOnce = false
  let joinStartMs = 0
  const consumer = new PerfConsumer(opts.consumer, opts.topic, {
    onPartitionsAssigned() {
      const elapsed = Date.now() - joinStartMs
      joinTimeMs += elapsed
      joinTimeMsInFirstRound += elapsed
    },
    onPartitionsRevoked() {
      joinStartMs = Date.now()
    },
    onWarning: io.warn,
  })
  const startMs = Date.now()
  joinStartMs = startMs
  signal?.addEventListener('abort', () => consumer.stop())

  let messagesRead = 0
  let bytesRead = 0
  let lastMessagesRead = 0
  let lastBytesRead = 0
  let lastReportTimeMs = Date.now()
  let result: {records: number, bytes: number, timedOut: boolean}
  let metrics: PerfConsumerMetrics | null = null
  let endMs = 0
  try {
    result = await consumer.run(opts.numMessages, opts.timeoutMs, (records, bytes, nowMs) => {
      if (records === 0) return
      messagesRead += records
      bytesRead += bytes
      if (nowMs - lastReportTimeMs >= opts.reportingIntervalMs) {
        if (opts.showDetailedStats) {
          io.out(progressLine(opts, bytesRead, lastBytesRead, messagesRead, lastMessagesRead, lastReportTimeMs, nowMs, reportedOnce ? 0 : joinTimeMsInFirstRound))
        }
        reportedOnce = true
        lastReportTimeMs = nowMs
        lastMessagesRead = messagesRead
        lastBytesRead = bytesRead
      }
    })
    if (result.records < opts.numMessages && result.timedOut) {
      io.out(`WARNING: Exiting before consuming the expected number of messages: timeout (${opts.timeoutMs} ms) exceeded. You can use the --timeout option to increase the timeout.`)
    }
  } finally {
    // The result row comes after close(), as Kafka prints it, with the end time from before it.
    endMs = Date.now()
    if (opts.printMetrics) metrics = {...consumer.metrics}
    await consumer.close()
  }
  const elapsedSec = (endMs - startMs) / 1000
  const fetchTimeMs = endMs - startMs - joinTimeMs
  const totalMb = result.bytes / MB
  const summary: ConsumerPerfResult = {
    startMs, endMs, messages: result.records, bytes: result.bytes, rebalanceTimeMs: joinTimeMs, fetchTimeMs,
    mbPerSec: totalMb / elapsedSec, messagesPerSec: result.records / elapsedSec,
    fetchMbPerSec: totalMb / (fetchTimeMs / 1000), fetchMessagesPerSec: result.records / (fetchTimeMs / 1000), timedOut: result.timedOut,
  }
  if (!opts.showDetailedStats) {
    io.out(`${opts.formatDate(startMs)}, ${opts.formatDate(endMs)}, ${javaFixed(totalMb, 4)}, ${javaFixed(summary.mbPerSec, 4)}, ` +
      `${result.records}, ${javaFixed(summary.messagesPerSec, 4)}, ${joinTimeMs}, ${fetchTimeMs}, ` +
      `${javaFixed(summary.fetchMbPerSec, 4)}, ${javaFixed(summary.fetchMessagesPerSec, 4)}`)
  }
  if (metrics !== null) for (const line of consumerMetricLines(metrics, opts.consumer.clientId, opts.topic)) io.out(line)
  return summary
}

/** Kafka `printConsumerProgress`: basic then extended progress of one interval. */
function progressLine(opts: ConsumerPerfOptions, bytesRead: number, lastBytesRead: number, messagesRead: number, lastMessagesRead: number,
  startMs: number, endMs: number, joinTimeMsInSingleRound: number): string {
  const elapsedMs = endMs - startMs
  const totalMbRead = bytesRead / MB
  const intervalMbRead = (bytesRead - lastBytesRead) / MB
  const intervalMbPerSec = 1000 * intervalMbRead / elapsedMs
  const intervalMessagesPerSec = ((messagesRead - lastMessagesRead) / elapsedMs) * 1000
  const fetchTimeMs = endMs - startMs - joinTimeMsInSingleRound
  const fetchMbPerSec = fetchTimeMs <= 0 ? 0 : 1000 * intervalMbRead / fetchTimeMs
  const fetchMessagesPerSec = fetchTimeMs <= 0 ? 0 : 1000 * (messagesRead - lastMessagesRead) / fetchTimeMs
  return `${opts.formatDate(endMs)}, 0, ${javaFixed(totalMbRead, 4)}, ${javaFixed(intervalMbPerSec, 4)}, ${messagesRead}, ${javaFixed(intervalMessagesPerSec, 4)}` +
    `, ${joinTimeMsInSingleRound}, ${fetchTimeMs}, ${javaFixed(fetchMbPerSec, 4)}, ${javaFixed(fetchMessagesPerSec, 4)}`
}

/** `--print-metrics` lines of `kts consumer-perf-test` (Kafka consumer metric names). */
export function consumerMetricLines(m: PerfConsumerMetrics, clientId: string, topic: string): string[] {
  const elapsedSec = Math.max(1, Date.now() - m.startMs) / 1000
  const client: Array<[string, string]> = [['client-id', clientId]]
  const topicTags: Array<[string, string]> = [['client-id', clientId], ['topic', topic]]
  const avg = (total: number, n: number): number => (n > 0 ? total / n : NaN)
  const f = (name: string, value: number): {group: string, name: string, tags: Array<[string, string]>, value: number} =>
    ({group: 'consumer-fetch-manager-metrics', name, tags: client, value})
  const ft = (name: string, value: number): {group: string, name: string, tags: Array<[string, string]>, value: number} =>
    ({group: 'consumer-fetch-manager-metrics', name, tags: topicTags, value})
  const c = (name: string, value: number): {group: string, name: string, tags: Array<[string, string]>, value: number} =>
    ({group: 'consumer-coordinator-metrics', name, tags: client, value})
  return formatMetrics([
    f('bytes-consumed-rate', m.fetchBytesTotal / elapsedSec),
    f('bytes-consumed-total', m.fetchBytesTotal),
    f('fetch-latency-avg', avg(m.fetchLatencyTotalMs, m.fetches)),
    f('fetch-latency-max', m.fetches > 0 ? m.fetchLatencyMaxMs : NaN),
    f('fetch-rate', m.fetches / elapsedSec),
    f('fetch-size-avg', avg(m.fetchBytesTotal, m.fetches)),
    f('fetch-size-max', m.fetches > 0 ? m.fetchBytesMax : NaN),
    f('fetch-total', m.fetches),
    f('records-consumed-rate', m.records / elapsedSec),
    f('records-consumed-total', m.records),
    f('records-per-request-avg', avg(m.records, m.fetches)),
    ft('bytes-consumed-total', m.fetchBytesTotal),
    ft('records-consumed-total', m.records),
    c('commit-total', m.commits),
    c('join-time-avg', avg(m.joinTimeTotalMs, m.joins)),
    c('join-time-max', m.joins > 0 ? m.joinTimeMaxMs : NaN),
    c('join-total', m.joins),
    {group: 'consumer-metrics', name: 'connection-creation-total', tags: client, value: m.connectionCreations},
  ])
}
