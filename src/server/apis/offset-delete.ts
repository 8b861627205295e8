// OffsetDelete (47): v0 (KIP-496). Partitions of topics the group still subscribes to get
// GROUP_SUBSCRIBED_TO_TOPIC; unknown group → GROUP_ID_NOT_FOUND.
import {OffsetDeleteApi, type OffsetDeleteRequest, type OffsetDeleteResponse} from '../../protocol/generated/messages/offset-delete.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'

export const offsetDelete = defineApi(OffsetDeleteApi, 0, 0, async (req: OffsetDeleteRequest, ctx: RequestContext): Promise<Input<OffsetDeleteResponse>> => {
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}
  return coord.deleteOffsets(req.groupId, req.topics)
})
