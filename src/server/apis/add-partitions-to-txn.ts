// AddPartitionsToTxn (24): v0-4 (v5 belongs to KIP-890's transaction version 2, not served).
// * v0-3 (clients): one transaction; its partitions join it (state Ongoing). A partition of an
//   unknown topic gets UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED (nothing added).
//   Producer errors (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS,
//   NOT_COORDINATOR, ...) are reported on every partition.
// * v4+ (brokers, batched): several transactions; VerifyOnly checks that each partition is already in
//   the producer's ongoing transaction (KIP-890 part 1): NONE or INVALID_TXN_STATE per partition.
// * Authorization (Kafka `KafkaApis.handleAddPartitionsToTxnRequest`): v4+ needs ClusterAction on the
//   cluster (else CLUSTER_AUTHORIZATION_FAILED for the whole request: only brokers send it); v0-3 need
//   Write on the TransactionalId (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition). Every
//   version then needs Write on each topic: TOPIC_AUTHORIZATION_FAILED on those partitions,
//   UNKNOWN_TOPIC_OR_PARTITION on unknown ones, OPERATION_NOT_ATTEMPTED on the others (nothing added).
import {AddPartitionsToTxnApi, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse} from '../../protocol/generated/messages/add-partitions-to-txn.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {TxnPartition} from '../txn/transaction-metadata.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

type TopicResult = {name: string, resultsByPartition: {partitionIndex: number, partitionErrorCode: number}[]}

function results(topics: {name: string, partitions: number[]}[], code: (tp: TxnPartition) => number): TopicResult[] {
  return topics.map(t => ({name: t.name, resultsByPartition: t.partitions.map(p => ({partitionIndex: p, partitionErrorCode: code({topic: t.name, partition: p})}))}))
}

async function addOne(ctx: RequestContext, txnId: string, producerId: number, producerEpoch: number, verifyOnly: boolean,
  topics: {name: string, partitions: number[]}[]): Promise<TopicResult[]> {
  const coord = ctx.services.txnCoordinator
  const tps: TxnPartition[] = []
  for (const t of topics) for (const p of t.partitions) tps.push({topic: t.name, partition: p})
  if (ctx.apiVersion < 4 && !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, txnId)) {
    return results(topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  }
  const deniedTopics = new Set(topics.map(t => t.name).filter(name => !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TOPIC, name)))
  const view = ctx.services.view()
  const unknown = new Set(tps.filter(tp => !deniedTopics.has(tp.topic) && !view.topic(tp.topic)?.partitions.some(p => p.partition === tp.partition)).map(tp => `${tp.topic}:${tp.partition}`))
  if (unknown.size > 0 || deniedTopics.size > 0) {
    return results(topics, tp => deniedTopics.has(tp.topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
      : unknown.has(`${tp.topic}:${tp.partition}`) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED)
  }
  if (verifyOnly) {
    const codes = coord.verifyPartitions(txnId, producerId, producerEpoch, tps)
    let i = 0
    return results(topics, () => codes[i++])
  }
  const code = await coord.addPartitions(txnId, producerId, producerEpoch, tps)
  return results(topics, () => code)
}

async function handle(req: AddPartitionsToTxnRequest, ctx: RequestContext): Promise<Input<AddPartitionsToTxnResponse>> {
  if (ctx.apiVersion < 4) {
    const r = await addOne(ctx, req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, false, req.v3AndBelowTopics)
    return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTopicV3AndBelow: r}
  }
  if (!isClusterAuthorized(ctx, AclOperation.CLUSTER_ACTION)) {
    return {throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: []}
  }
  const out = await Promise.all(req.transactions.map(async t => ({
    transactionalId: t.transactionalId,
    topicResults: await addOne(ctx, t.transactionalId, t.producerId, t.producerEpoch, t.verifyOnly, t.topics),
  })))
  return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction: out}
}

export const addPartitionsToTxn = defineApi(AddPartitionsToTxnApi, 0, 4, handle)
