/**
 * The hooks the request path calls to count traffic (Kafka `BrokerTopicStats` and
 * `RequestChannel.Metrics`). Every call is a few additions on plain numbers: no allocation, no
 * record decoding, no prom-client work — the Prometheus registry reads these totals at scrape time
 * (`node-metrics.ts`). With no metrics listener configured the node passes `NO_BROKER_METRICS`.
 */
import {BATCH_LENGTH_OFFSET, LOG_OVERHEAD, RECORD_BATCH_OVERHEAD, RECORDS_COUNT_OFFSET} from '../../protocol/records/record-batch.js'

export interface BrokerMetrics {
  /**
   * One partition of a Produce request was appended (or was a duplicate of an idempotent batch,
   * which Kafka counts too). Kafka `ReplicaManager.appendToLocalLog`: MessagesInPerSec,
   * BytesInPerSec, TotalProduceRequestsPerSec, per topic and for all topics.
   * @param records record count from the batch headers
   * @param bytes size of the partition's `records` field as received, in bytes
   */
  recordProduce(topic: string, records: number, bytes: number): void

  /**
   * One partition of a Fetch response (Kafka `KafkaApis.handleFetchRequest` → `updateBytesOut`,
   * and TotalFetchRequestsPerSec from `ReplicaManager.readFromLog`).
   * @param bytes size of the partition's `records` in the response, in bytes (0 when empty)
   * @param fromFollower a replica's fetch (ReplicationBytesOutPerSec) rather than a consumer's (BytesOutPerSec)
   */
  recordFetch(topic: string, bytes: number, fromFollower: boolean): void

  /**
   * One request handled, from decoding its header to its encoded response (Kafka
   * `RequestChannel.Request.updateRequestMetrics`: RequestsPerSec by request and version,
   * TotalTimeMs by request; Fetch also counts as FetchConsumer or FetchFollower).
   * @param apiName the API's name as Kafka's `ApiKeys` spells it (`Produce`, `Fetch`, ...)
   * @param request the decoded request body; only a Fetch's replica id is read from it
   * @param totalTimeMs elapsed time in ms (fractional)
   */
  recordRequest(apiKey: number, apiName: string, apiVersion: number, request: unknown, totalTimeMs: number): void
}

/** Hooks that do nothing: the node's default when `kts.metrics.listeners` is empty. */
export const NO_BROKER_METRICS: BrokerMetrics = {
  recordProduce() {},
  recordFetch() {},
  recordRequest() {},
}

/**
 * Records in the record batches of `records` (the `recordsCount` field of each v2 batch header,
 * Kafka `LogAppendInfo.numMessages`). The buffer must hold whole batches (validated produce data).
 */
export function recordCountOf(records: Buffer): number {
  let count = 0
  let p = 0
  while (p + RECORD_BATCH_OVERHEAD <= records.length) {
    count += records.readInt32BE(p + RECORDS_COUNT_OFFSET)
    p += records.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD
  }
  return count
}
