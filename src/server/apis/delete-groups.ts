// DeleteGroups (42): v0-2. Only Empty groups (else NON_EMPTY_GROUP); unknown → GROUP_ID_NOT_FOUND.
import {DeleteGroupsApi, type DeleteGroupsRequest, type DeleteGroupsResponse} from '../../protocol/generated/messages/delete-groups.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const deleteGroups = defineApi(DeleteGroupsApi, 0, 2, async (req: DeleteGroupsRequest, ctx: RequestContext): Promise<Input<DeleteGroupsResponse>> => {
  const coord = coordinatorOf(ctx)
  const results = []
  for (const groupId of req.groupsNames) {
    if (!isAuthorized(ctx, AclOperation.DELETE, ResourceType.GROUP, groupId)) results.push({groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED})
    else results.push({groupId, errorCode: coord ? await coord.deleteGroup(groupId) : ErrorCode.COORDINATOR_NOT_AVAILABLE})
  }
  return {results}
})
