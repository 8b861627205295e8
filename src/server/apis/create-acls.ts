// CreateAcls (30): v1-3 (Kafka 4.0, KIP-896 floor), decided by the active controller; brokers
// forward it (Kafka `ApiKeys.CREATE_ACLS` is forwardable). Kafka `ControllerApis.handleCreateAcls`.
// * No authorizer: every creation fails with SECURITY_DISABLED ("No Authorizer is configured.").
// * The principal must be allowed Alter on the cluster, else CLUSTER_AUTHORIZATION_FAILED per creation.
// * Per creation: INVALID_REQUEST with Kafka's message for an unusable ACL (acl-control.ts).
import {CreateAclsApi, type CreateAclsRequest, type CreateAclsResponse} from '../../protocol/generated/messages/create-acls.js'
import {ErrorCode, errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {AclOperation} from '../security/authorizer/acl-binding.js'
import {AuthorizationMessages, isClusterAuthorized} from '../security/authorizer/request-authorization.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleCreateAcls(req: CreateAclsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<CreateAclsResponse>> {
  const fail = (errorCode: number, errorMessage: string): Input<CreateAclsResponse> =>
    ({throttleTimeMs: 0, results: req.creations.map(() => ({errorCode, errorMessage}))})
  if (!ctx.services.authorizer) return fail(ErrorCode.SECURITY_DISABLED, AuthorizationMessages.securityDisabled)
  if (!isClusterAuthorized(ctx, AclOperation.ALTER)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AuthorizationMessages.cluster)
  try {
    const results = await ctx.services.controller.createAcls(req.creations.map(c => ({
      resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType,
      principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType,
    })))
    return {throttleTimeMs: 0, results}
  } catch (err) {
    return fail(errorCodeFor(err), (err as Error).message)
  }
}

export const createAcls = defineApi<CreateAclsRequest, ControllerServices>(CreateAclsApi, 1, 3, handleCreateAcls)
