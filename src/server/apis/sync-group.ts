// SyncGroup (14): v0-5 (storage-and-kraft.md §7.2). The leader's assignments are stored in
// __consumer_offsets before every member gets its assignment.
import {SyncGroupApi, type SyncGroupRequest, type SyncGroupResponse} from '../../protocol/generated/messages/sync-group.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const syncGroup = defineApi(SyncGroupApi, 0, 5, async (req: SyncGroupRequest, ctx: RequestContext): Promise<Input<SyncGroupResponse>> => {
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return {errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED}
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}
  return coord.syncGroup(req, ctx.apiVersion)
})
