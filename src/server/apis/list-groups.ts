// ListGroups (16): v0-5; StatesFilter v4+, TypesFilter v5+ (only "classic" groups exist here).
import {ListGroupsApi, type ListGroupsRequest, type ListGroupsResponse} from '../../protocol/generated/messages/list-groups.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

export const listGroups = defineApi(ListGroupsApi, 0, 5, (req: ListGroupsRequest, ctx: RequestContext): Input<ListGroupsResponse> => {
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: []}
  const r = coord.listGroups(req.statesFilter ?? [], req.typesFilter ?? [])
  // Kafka: Describe on the cluster lists every group, else only the groups the principal may Describe.
  if (!ctx.services.authorizer || isClusterAuthorized(ctx, AclOperation.DESCRIBE)) return r
  return {...r, groups: r.groups.filter(g => isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId))}
})
