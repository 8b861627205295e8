// Produce (0): v3-11 (magic 2 record batches only; v0-2 carry legacy message sets and are not served).
// * acks 0: no response; 1 and -1: answered after the local append (with one replica per
//   partition the high watermark moves with the append, so acks=-1 needs no wait yet).
// * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, CORRUPT_MESSAGE,
//   INVALID_RECORD, MESSAGE_TOO_LARGE, NOT_ENOUGH_REPLICAS, OUT_OF_ORDER_SEQUENCE_NUMBER,
//   INVALID_PRODUCER_EPOCH, UNSUPPORTED_COMPRESSION_TYPE; duplicates of idempotent batches are
//   answered with the original offset.
// * Transactions are not supported yet: InitProducerId with a TransactionalId is refused, so
//   no transactional batches arrive from well-behaved clients.
// * The topic's compression.type (default `producer`) is applied: a batch with another codec is
//   recompressed before the append (Partition.appendRecordsToLeader, replica/recompress.ts).
// * Gaps: keyless records are not rejected on compacted topics; RecordErrors are not filled.
import {ProduceApi, type ProduceRequest, type ProduceResponse} from '../../protocol/generated/messages/produce.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ErrorCode} from '../../protocol/errors.js'
import {recordCountOf} from '../metrics/broker-metrics.js'
import {defineApi, type RequestContext} from './registry.js'

function handleProduce(req: ProduceRequest, ctx: RequestContext): Input<ProduceResponse> | null {
  const rm = ctx.services.replicaManager
  const metrics = ctx.services.metrics
  const responses = []
  for (const t of req.topicData) {
    const partitionResponses = []
    for (const pd of t.partitionData) {
      const r = rm.appendRecords(t.name, pd.index, pd.records, ctx.apiVersion, req.acks)
      if (r.errorCode === ErrorCode.NONE && pd.records) metrics.recordProduce(t.name, recordCountOf(pd.records), pd.records.length)
      partitionResponses.push({
        index: pd.index,
        errorCode: r.errorCode,
        baseOffset: r.baseOffset,
        logAppendTimeMs: r.logAppendTimeMs,
        logStartOffset: r.logStartOffset,
        errorMessage: r.errorMessage,
      })
    }
    responses.push({name: t.name, partitionResponses})
  }
  if (req.acks === 0) return null
  return {responses, throttleTimeMs: 0}
}

export const produce = defineApi(ProduceApi, 3, 11, handleProduce)
