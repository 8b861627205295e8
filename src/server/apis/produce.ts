// Produce (0): v3-11 (magic 2 record batches only; v0-2 carry legacy message sets and are not served).
// * acks 0: no response; 1: answered after the leader's append; -1 (all): answered once the high
//   watermark of every partition passed its batch, i.e. every ISR member has it (the request waits
//   in the purgatory without blocking other connections), or with REQUEST_TIMED_OUT after TimeoutMs.
// * Per-partition errors: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, CORRUPT_MESSAGE,
//   INVALID_RECORD, MESSAGE_TOO_LARGE, NOT_ENOUGH_REPLICAS (acks=all while the ISR is below the
//   topic's min.insync.replicas: nothing appended), NOT_ENOUGH_REPLICAS_AFTER_APPEND (the ISR shrank
//   below it while waiting), REQUEST_TIMED_OUT, OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH,
//   UNSUPPORTED_COMPRESSION_TYPE; duplicates of idempotent batches are answered with the original offset.
// * Transactional batches (attribute bit 4) need the request's TransactionalId (else
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED, as Kafka's authorizer answers a null id). With
//   transaction.partition.verification.enable (KIP-890 part 1) the first transactional batch of a
//   producer on a partition is verified with the transaction coordinator: a partition not added to
//   the ongoing transaction gets INVALID_TXN_STATE (Kafka 3.6+), coordinator trouble NOT_ENOUGH_REPLICAS.
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
import {RECORD_BATCH_OVERHEAD, TRANSACTIONAL_FLAG_MASK, readBatchHeader} from '../../protocol/records/record-batch.js'
import {recordCountOf} from '../metrics/broker-metrics.js'
import type {AppendedPartition} from '../replica/replica-manager.js'
import {defineApi, type RequestContext} from './registry.js'
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

/** Producer id and epoch of a transactional batch in `records`, null otherwise (header only). */
function transactionalProducer(records: Buffer | null): {producerId: number, producerEpoch: number} | null {
  if (!records || records.length < RECORD_BATCH_OVERHEAD || records.readInt8(16) !== 2) return null
  const h = readBatchHeader(records, 0)
  return (h.attributes & TRANSACTIONAL_FLAG_MASK) !== 0 && h.producerId >= 0 ? {producerId: h.producerId, producerEpoch: h.producerEpoch} : null
}

function failed(errorCode: number): AppendedPartition['result'] {
  return {errorCode, errorMessage: null, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, lastOffset: -1}
}

function handleProduce(req: ProduceRequest, ctx: RequestContext): Input<ProduceResponse> | null | Promise<Input<ProduceResponse>> {
  const rm = ctx.services.replicaManager
  const refused = new Map<string, number>()
  const toVerify: {topic: string, partition: number, producerId: number, producerEpoch: number}[] = []
  for (const t of req.topicData) {
    for (const pd of t.partitionData) {
      const txn = transactionalProducer(pd.records)
      if (!txn) continue
      if (req.transactionalId === null) {
        refused.set(`${t.name}:${pd.index}`, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
        continue
      }
      const p = rm.getPartition(t.name, pd.index)
      if (p && p.isLeader && !p.hasOngoingTxn(txn.producerId)) toVerify.push({topic: t.name, partition: pd.index, ...txn})
    }
  }
  if (toVerify.length > 0 && req.transactionalId !== null && ctx.services.config.get('transaction.partition.verification.enable') !== false) {
    const {producerId, producerEpoch} = toVerify[0]
    return ctx.services.verifyTxnPartitions(req.transactionalId, producerId, producerEpoch, toVerify).then(codes => {
      codes.forEach((code, i) => { if (code !== ErrorCode.NONE) refused.set(`${toVerify[i].topic}:${toVerify[i].partition}`, code) })
      return appendAll(req, ctx, refused)
    }) as Promise<Input<ProduceResponse>>
  }
  return appendAll(req, ctx, refused)
}

function appendAll(req: ProduceRequest, ctx: RequestContext, refused: Map<string, number>): Input<ProduceResponse> | null | Promise<Input<ProduceResponse>> {
  const rm = ctx.services.replicaManager
  const metrics = ctx.services.metrics
  const appended: AppendedPartition[] = []
  const authorizing = ctx.services.authorizer != null
  const txnDenied = authorizing && req.transactionalId !== null && !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)
  for (const t of req.topicData) {
    const denied = txnDenied ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
      : authorizing && !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TOPIC, t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE
    for (const pd of t.partitionData) {
      const refusal = denied !== ErrorCode.NONE ? denied : refused.size > 0 ? refused.get(`${t.name}:${pd.index}`) : undefined
      if (refusal !== undefined) {
        appended.push({topic: t.name, partition: pd.index, result: failed(refusal)})
        continue
      }
      const r = rm.appendRecords(t.name, pd.index, pd.records, ctx.apiVersion, req.acks)
      if (r.errorCode === ErrorCode.NONE && pd.records) metrics.recordProduce(t.name, recordCountOf(pd.records), pd.records.length)
      appended.push({topic: t.name, partition: pd.index, result: r})
    }
  }
  if (req.acks === 0) return null
  // acks=1 and all: answered once the appends are in the log files (write-behind I/O), and for all once replicated
  const written = rm.awaitWritten(appended)
  const replicated = req.acks === -1 ? rm.awaitReplication(appended, req.timeoutMs) : null
  // acks=1 waiting only for its writes: the connection's next Produce need not wait (Kafka has written to the page cache by now)
  if (written && !replicated) ctx.allowPipelining?.()
  if (written && replicated) return Promise.all([written, replicated]).then(() => response(req, appended))
  if (written || replicated) return (written ?? replicated)!.then(() => response(req, appended))
  return response(req, appended)
}

export const produce = defineApi(ProduceApi, 3, 11, handleProduce)
