// DescribeGroups (15): v0-5. Unknown groups are described as Dead without error (as Kafka does);
// member metadata/assignment only in Stable. Authorized operations are not computed (no ACLs).
import {DescribeGroupsApi, type DescribeGroupsRequest, type DescribeGroupsResponse} from '../../protocol/generated/messages/describe-groups.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations, isAuthorized} from '../security/authorizer/request-authorization.js'

export const describeGroups = defineApi(DescribeGroupsApi, 0, 5, (req: DescribeGroupsRequest, ctx: RequestContext): Input<DescribeGroupsResponse> => {
  const coord = coordinatorOf(ctx)
  const empty = {groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED}
  return {
    groups: req.groups.map(groupId => {
      // Kafka: Describe on the group; AuthorizedOperations (v3+) when asked.
      if (!isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return {...empty, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId}
      if (!coord) return {...empty, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId}
      const d = coord.describeGroup(groupId)
      return {...d, authorizedOperations: ctx.apiVersion >= 3 && req.includeAuthorizedOperations && d.errorCode === ErrorCode.NONE
        ? authorizedOperations(ctx, ResourceType.GROUP, groupId) : AUTHORIZED_OPERATIONS_OMITTED}
    }),
  }
})
