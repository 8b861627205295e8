// Heartbeat (12): v0-4 (storage-and-kraft.md §7.2): REBALANCE_IN_PROGRESS during a rebalance,
// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID (v3+).
import {HeartbeatApi, type HeartbeatRequest, type HeartbeatResponse} from '../../protocol/generated/messages/heartbeat.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const heartbeat = defineApi(HeartbeatApi, 0, 4, (req: HeartbeatRequest, ctx: RequestContext): Input<HeartbeatResponse> => {
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return {errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED}
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}
  return {errorCode: coord.heartbeat(req, ctx.apiVersion)}
})
