// TxnOffsetCommit (28): v0-4, to the group coordinator. Offsets are written as a transactional batch
// of the producer and stay pending until the transaction's marker reaches the group's
// `__consumer_offsets` partition (GroupCoordinator.txnCommitOffsets). v3+ carries the member's
// generation, member id and instance id (KIP-447), which are checked as OffsetCommit checks them.
import {TxnOffsetCommitApi, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse} from '../../protocol/generated/messages/txn-offset-commit.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'

async function handle(req: TxnOffsetCommitRequest, ctx: RequestContext): Promise<Input<TxnOffsetCommitResponse>> {
  const coord = coordinatorOf(ctx)
  if (!coord) {
    return {throttleTimeMs: 0, topics: req.topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}))}))}
  }
  const v3 = ctx.apiVersion >= 3
  const r = await coord.txnCommitOffsets({
    groupId: req.groupId, producerId: req.producerId, producerEpoch: req.producerEpoch,
    generationId: v3 ? req.generationId : -1, memberId: v3 ? req.memberId : '', groupInstanceId: v3 ? req.groupInstanceId : null,
    topics: req.topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({
      partitionIndex: p.partitionIndex, committedOffset: p.committedOffset,
      committedLeaderEpoch: ctx.apiVersion >= 2 ? p.committedLeaderEpoch : -1, committedMetadata: p.committedMetadata,
    }))})),
  })
  return {throttleTimeMs: 0, topics: r.topics}
}

export const txnOffsetCommit = defineApi(TxnOffsetCommitApi, 0, 4, handle)
