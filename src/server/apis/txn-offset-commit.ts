// TxnOffsetCommit (28): v0-4, to the group coordinator. Offsets are written as a transactional batch
// of the producer and stay pending until the transaction's marker reaches the group's
// `__consumer_offsets` partition (GroupCoordinator.txnCommitOffsets). v3+ carries the member's
// generation, member id and instance id (KIP-447), which are checked as OffsetCommit checks them.
// Authorization (Kafka `KafkaApis.handleTxnOffsetCommitRequest`): Write on the TransactionalId
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED on every partition), Read on the group
// (GROUP_AUTHORIZATION_FAILED on every partition), then Read on each topic: TOPIC_AUTHORIZATION_FAILED
// on the partitions of denied topics, UNKNOWN_TOPIC_OR_PARTITION on unknown ones; the rest are committed.
import {TxnOffsetCommitApi, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse} from '../../protocol/generated/messages/txn-offset-commit.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

type TopicResult = {name: string, partitions: {partitionIndex: number, errorCode: number}[]}

function allFailed(req: TxnOffsetCommitRequest, errorCode: number): Input<TxnOffsetCommitResponse> {
  return {throttleTimeMs: 0, topics: req.topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode}))}))}
}

async function handle(req: TxnOffsetCommitRequest, ctx: RequestContext): Promise<Input<TxnOffsetCommitResponse>> {
  if (!isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return allFailed(req, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return allFailed(req, ErrorCode.GROUP_AUTHORIZATION_FAILED)
  const failed: TopicResult[] = []
  const view = ctx.services.view()
  const allowed: TxnOffsetCommitRequest['topics'] = []
  for (const t of req.topics) {
    if (!isAuthorized(ctx, AclOperation.READ, ResourceType.TOPIC, t.name)) {
      failed.push({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED}))})
      continue
    }
    const known = view.topic(t.name)
    const exists = (i: number) => known?.partitions.some(p => p.partition === i) ?? false
    const missing = t.partitions.filter(p => !exists(p.partitionIndex))
    if (missing.length > 0) failed.push({name: t.name, partitions: missing.map(p => ({partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}))})
    const present = t.partitions.filter(p => exists(p.partitionIndex))
    if (present.length > 0) allowed.push({...t, partitions: present})
  }
  if (allowed.length === 0) return {throttleTimeMs: 0, topics: failed}
  const coord = coordinatorOf(ctx)
  if (!coord) {
    return {throttleTimeMs: 0, topics: [...failed, ...allowed.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}))}))]}
  }
  const v3 = ctx.apiVersion >= 3
  const r = await coord.txnCommitOffsets({
    groupId: req.groupId, producerId: req.producerId, producerEpoch: req.producerEpoch,
    generationId: v3 ? req.generationId : -1, memberId: v3 ? req.memberId : '', groupInstanceId: v3 ? req.groupInstanceId : null,
    topics: allowed.map(t => ({name: t.name, partitions: t.partitions.map(p => ({
      partitionIndex: p.partitionIndex, committedOffset: p.committedOffset,
      committedLeaderEpoch: ctx.apiVersion >= 2 ? p.committedLeaderEpoch : -1, committedMetadata: p.committedMetadata,
    }))})),
  })
  return {throttleTimeMs: 0, topics: [...failed, ...r.topics]}
}

export const txnOffsetCommit = defineApi(TxnOffsetCommitApi, 0, 4, handle)
