// OffsetCommit (8): v0-9 (storage-and-kraft.md §7.2 item 8). Generation -1 with an empty member id
// commits for a standalone consumer; unknown topics get UNKNOWN_TOPIC_OR_PARTITION per partition.
import {OffsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse} from '../../protocol/generated/messages/offset-commit.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'

export const offsetCommit = defineApi(OffsetCommitApi, 0, 9, async (req: OffsetCommitRequest, ctx: RequestContext): Promise<Input<OffsetCommitResponse>> => {
  const coord = coordinatorOf(ctx)
  if (!coord) {
    return {topics: req.topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}))}))}
  }
  return coord.commitOffsets(req, ctx.apiVersion)
})
