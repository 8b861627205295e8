// Produce (0): v3-11 (magic 2 record batches only; v0-2 carry legacy message sets and are not served).
// * acks 0: no response; 1: answered after the leader's append; -1 (all): answered once the high
//   watermark of every partition passed its batch, i.e. every ISR member has it (the request waits
//   in the purgatory without blocking other connections), or with REQUEST_TIMED_OUT after TimeoutMs.
// * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, CORRUPT_MESSAGE,
//   INVALID_RECORD, MESSAGE_TOO_LARGE, NOT_ENOUGH_REPLICAS (acks=all while the ISR is below the
//   topic's min.insync.replicas: nothing appended), NOT_ENOUGH_REPLICAS_AFTER_APPEND (the ISR shrank
//   below it while waiting), REQUEST_TIMED_OUT, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
//   UNSUPPORTED_COMPRESSION_TYPE; duplicates of idempotent batches are answered with the original offset.
// * Transactions are not supported yet: InitProducerId with a TransactionalId is refused, so
//   no transactional batches arrive from well-behaved clients.
// * Every record is validated as Kafka's LogValidator does (replica/log-validator.ts): the batch's
//   max timestamp is recomputed from its records, keyless records on a compacted topic get
//   INVALID_RECORD and timestamps outside message.timestamp.before/after.max.ms INVALID_TIMESTAMP,
//   both with RecordErrors (v8+, KIP-467) and ErrorMessage; other partitions are unaffected.
// * The topic's compression.type (default `producer`) is applied: a batch with another codec is
//   recompressed before the append (Partition.appendRecordsToLeader, replica/recompress.ts).
// * Authorization (Kafka `KafkaApis.handleProduceRequest`): Write on the TransactionalId (else
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition) and Write on each topic (else
//   TOPIC_AUTHORIZATION_FAILED for its partitions, checked before the topic's existence).
// * Gaps: CurrentLeader / NodeEndpoints (KIP-951) are not filled.
import {ProduceApi, type ProduceRequest, type ProduceResponse} from '../../protocol/generated/messages/produce.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ErrorCode} from '../../protocol/errors.js'
import {recordCountOf} from '../metrics/broker-metrics.js'
import type {AppendedPartition} from '../replica/replica-manager.js'
import {defineApi, type RequestContext} from './registry.js'
import type {ProduceResult} from '../replica/partition.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

function response(req: ProduceRequest, appended: AppendedPartition[]): Input<ProduceResponse> {
  let i = 0
  return {
    responses: req.topicData.map(t => ({
      name: t.name,
      partitionResponses: t.partitionData.map(pd => {
        const r = appended[i++].result
        return {index: pd.index, errorCode: r.errorCode, baseOffset: r.baseOffset, logAppendTimeMs: r.logAppendTimeMs, logStartOffset: r.logStartOffset, errorMessage: r.errorMessage, recordErrors: r.recordErrors ?? []}
      }),
    })),
    throttleTimeMs: 0,
  }
}

function refused(errorCode: number): ProduceResult {
  return {errorCode, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, lastOffset: -1}
}

function handleProduce(req: ProduceRequest, ctx: RequestContext): Input<ProduceResponse> | null | Promise<Input<ProduceResponse>> {
  const rm = ctx.services.replicaManager
  const metrics = ctx.services.metrics
  const appended: AppendedPartition[] = []
  const authorizing = ctx.services.authorizer != null
  const txnDenied = authorizing && req.transactionalId !== null && !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
  for (const t of req.topicData) {
    const denied = txnDenied ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : authorizing && !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TOPIC, t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE
    for (const pd of t.partitionData) {
      if (denied !== ErrorCode.NONE) {
        appended.push({topic: t.name, partition: pd.index, result: refused(denied)})
        continue
      }
      const r = rm.appendRecords(t.name, pd.index, pd.records, ctx.apiVersion, req.acks)
      if (r.errorCode === ErrorCode.NONE && pd.records) metrics.recordProduce(t.name, recordCountOf(pd.records), pd.records.length)
      appended.push({topic: t.name, partition: pd.index, result: r})
    }
  }
  if (req.acks === 0) return null
  if (req.acks === -1) {
    const wait = rm.awaitReplication(appended, req.timeoutMs)
    if (wait) return wait.then(() => response(req, appended))
  }
  return response(req, appended)
}

export const produce = defineApi(ProduceApi, 3, 11, handleProduce)
