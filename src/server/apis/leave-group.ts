// LeaveGroup (13): v0-5. v0-2 name one member (the top-level error is its error); v3+ a batch of
// members, by member id and/or group.instance.id (KIP-345).
import {LeaveGroupApi, type LeaveGroupRequest, type LeaveGroupResponse} from '../../protocol/generated/messages/leave-group.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const leaveGroup = defineApi(LeaveGroupApi, 0, 5, (req: LeaveGroupRequest, ctx: RequestContext): Input<LeaveGroupResponse> => {
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return {errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED}
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}
  if (ctx.apiVersion <= 2) {
    const r = coord.leaveGroup(req.groupId, [{memberId: req.memberId, groupInstanceId: null}])
    return {errorCode: r.errorCode || (r.members[0]?.errorCode ?? ErrorCode.NONE)}
  }
  const r = coord.leaveGroup(req.groupId, req.members.map(m => ({memberId: m.memberId, groupInstanceId: m.groupInstanceId})))
  return {errorCode: r.errorCode, members: r.members}
})
