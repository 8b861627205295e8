// DescribeAcls (29): v1-3 (Kafka 4.0, KIP-896 floor), answered on broker and controller listeners
// from this node's metadata image (Kafka `AclApis.handleDescribeAcls`).
// * No authorizer: SECURITY_DISABLED; without Describe on the cluster: CLUSTER_AUTHORIZATION_FAILED.
// * An unusable filter (unknown resource/pattern type, operation, permission): INVALID_REQUEST.
// * The matching ACLs grouped by resource pattern, patterns in the order first met.
import {DescribeAclsApi, type DescribeAclsRequest, type DescribeAclsResponse} from '../../protocol/generated/messages/describe-acls.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {AclOperation} from '../security/authorizer/acl-binding.js'
import {aclMatchesFilter, invalidFilterProblem, type AclFilter} from '../security/authorizer/acl-filter.js'
import {AuthorizationMessages, isClusterAuthorized} from '../security/authorizer/request-authorization.js'
import type {CommonServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

function handleDescribeAcls(req: DescribeAclsRequest, ctx: RequestContext<CommonServices>): Input<DescribeAclsResponse> {
  const fail = (errorCode: number, errorMessage: string): Input<DescribeAclsResponse> => ({throttleTimeMs: 0, errorCode, errorMessage, resources: []})
  if (!ctx.services.authorizer) return fail(ErrorCode.SECURITY_DISABLED, AuthorizationMessages.securityDisabled)
  if (!isClusterAuthorized(ctx, AclOperation.DESCRIBE)) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AuthorizationMessages.cluster)
  const filter: AclFilter = {
    resourceType: req.resourceTypeFilter, resourceName: req.resourceNameFilter, patternType: req.patternTypeFilter,
    principal: req.principalFilter, host: req.hostFilter, operation: req.operation, permissionType: req.permissionType,
  }
  const problem = invalidFilterProblem(filter)
  if (problem) return fail(ErrorCode.INVALID_REQUEST, problem)
  const byPattern = new Map<string, {resourceType: number, resourceName: string, patternType: number, acls: {principal: string, host: string, operation: number, permissionType: number}[]}>()
  for (const acl of ctx.services.metadata.image.acls.values()) {
    if (!aclMatchesFilter(filter, acl)) continue
    const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`
    let r = byPattern.get(key)
    if (!r) byPattern.set(key, r = {resourceType: acl.resourceType, resourceName: acl.resourceName, patternType: acl.patternType, acls: []})
    r.acls.push({principal: acl.principal, host: acl.host, operation: acl.operation, permissionType: acl.permissionType})
  }
  return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: [...byPattern.values()]}
}

export const describeAcls = defineApi<DescribeAclsRequest, CommonServices>(DescribeAclsApi, 1, 3, handleDescribeAcls)
