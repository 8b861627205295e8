// DeleteRecords (21): v0-2.
// * Moves the log start offset (offset -1 = the high watermark); whole segments below it are deleted
//   by the log. Offsets above the high watermark → OFFSET_OUT_OF_RANGE.
import {DeleteRecordsApi, type DeleteRecordsRequest, type DeleteRecordsResponse} from '../../protocol/generated/messages/delete-records.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {Partition} from '../replica/partition.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

function handleDeleteRecords(req: DeleteRecordsRequest, ctx: RequestContext): Input<DeleteRecordsResponse> {
  const rm = ctx.services.replicaManager
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((pr) => {
        if (!isAuthorized(ctx, AclOperation.DELETE, ResourceType.TOPIC, t.name)) return {partitionIndex: pr.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED}
        const p: Partition | undefined = rm.getPartition(t.name, pr.partitionIndex)
        if (!p) return {partitionIndex: pr.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}
        if (!p.isLeader) return {partitionIndex: pr.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER}
        const target = pr.offset === -1 ? p.highWatermark : pr.offset
        if (target < 0 || target > p.highWatermark) {
          return {partitionIndex: pr.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE}
        }
        if (target > p.log.logStartOffset) p.log.maybeIncrementLogStartOffset(target)
        return {partitionIndex: pr.partitionIndex, lowWatermark: p.log.logStartOffset, errorCode: ErrorCode.NONE}
      }),
    })),
  }
}

export const deleteRecords = defineApi(DeleteRecordsApi, 0, 2, handleDeleteRecords)
