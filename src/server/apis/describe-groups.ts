// DescribeGroups (15): v0-5. Unknown groups are described as Dead without error (as Kafka does);
// member metadata/assignment only in Stable. Authorized operations are not computed (no ACLs).
import {DescribeGroupsApi, type DescribeGroupsRequest, type DescribeGroupsResponse} from '../../protocol/generated/messages/describe-groups.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'

const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

export const describeGroups = defineApi(DescribeGroupsApi, 0, 5, (req: DescribeGroupsRequest, ctx: RequestContext): Input<DescribeGroupsResponse> => {
  const coord = coordinatorOf(ctx)
  return {
    groups: req.groups.map(groupId => coord
      ? {...coord.describeGroup(groupId), authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED}
      : {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: AUTHORIZED_OPERATIONS_OMITTED}),
  }
})
