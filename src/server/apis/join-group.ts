// JoinGroup (11): v0-9, classic groups (storage-and-kraft.md §7.2; KIP-394 MEMBER_ID_REQUIRED v4+,
// KIP-345 group.instance.id v5+, skipAssignment v9). Long-polls until the join phase completes.
import {JoinGroupApi, type JoinGroupRequest, type JoinGroupResponse} from '../../protocol/generated/messages/join-group.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const joinGroup = defineApi(JoinGroupApi, 0, 9, async (req: JoinGroupRequest, ctx: RequestContext): Promise<Input<JoinGroupResponse>> => {
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return {errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, memberId: req.memberId}
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, generationId: -1, memberId: req.memberId}
  return coord.joinGroup(req, ctx.apiVersion, {clientId: ctx.clientId ?? '', clientHost: `/${ctx.clientHost}`}) // Kafka: InetAddress.toString(), e.g. /127.0.0.1
})
