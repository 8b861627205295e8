// DeleteAcls (31): v1-3 (Kafka 4.0, KIP-896 floor), decided by the active controller; brokers
// forward it (Kafka `ControllerApis.handleDeleteAcls`).
// * No authorizer: every filter fails with SECURITY_DISABLED; without Alter on the cluster,
//   CLUSTER_AUTHORIZATION_FAILED per filter.
// * Per filter: the ACLs it matched and removed (acl-filter.ts semantics: null fields, ANY, MATCH),
//   or INVALID_REQUEST for an unusable filter.
import {DeleteAclsApi, type DeleteAclsRequest, type DeleteAclsResponse} from '../../protocol/generated/messages/delete-acls.js'
import {ErrorCode, errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {AclOperation} from '../security/authorizer/acl-binding.js'
import {AuthorizationMessages, isClusterAuthorized} from '../security/authorizer/request-authorization.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleDeleteAcls(req: DeleteAclsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<DeleteAclsResponse>> {
  const fail = (errorCode: number, errorMessage: string): Input<DeleteAclsResponse> =>
    ({throttleTimeMs: 0, filterResults: req.filters.map(() => ({errorCode, errorMessage, matchingAcls: []}))})
  if (!ctx.services.authorizer) return fail(ErrorCode.SECURITY_DISABLED, AuthorizationMessages.securityDisabled)
  if (!isClusterAuthorized(ctx, AclOperation.ALTER)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AuthorizationMessages.cluster)
  try {
    const results = await ctx.services.controller.deleteAcls(req.filters.map(f => ({
      resourceType: f.resourceTypeFilter, resourceName: f.resourceNameFilter, patternType: f.patternTypeFilter,
      principal: f.principalFilter, host: f.hostFilter, operation: f.operation, permissionType: f.permissionType,
    })))
    return {
      throttleTimeMs: 0,
      filterResults: results.map(r => ({
        errorCode: r.errorCode, errorMessage: r.errorMessage,
        matchingAcls: r.matchingAcls.map(a => ({
          errorCode: 0, errorMessage: null, resourceType: a.resourceType, resourceName: a.resourceName, patternType: a.patternType,
          principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType,
        })),
      })),
    }
  } catch (err) {
    return fail(errorCodeFor(err), (err as Error).message)
  }
}

export const deleteAcls = defineApi<DeleteAclsRequest, ControllerServices>(DeleteAclsApi, 1, 3, handleDeleteAcls)
