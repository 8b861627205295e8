/**
 * ACL binding filters of DescribeAcls and DeleteAcls (Kafka `AclBindingFilter`,
 * `ResourcePatternFilter.matches`, `AccessControlEntryFilter.matches`): null fields and the ANY
 * codes match everything; pattern type MATCH matches every stored pattern that would apply to the
 * named resource (the literal name, the `*` wildcard, and PREFIXED patterns the name starts with).
 */
import {AclOperation, AclPermissionType, PatternType, ResourceType, WILDCARD_RESOURCE, type StandardAcl} from './acl-binding.js'

/** A filter as DescribeAcls / DeleteAcls carry it (schema field names without the `Filter` suffix). */
export interface AclFilter {
  resourceType: number
  /** null: any name. */
  resourceName: string | null
  patternType: number
  /** null: any principal. */
  principal: string | null
  /** null: any host. */
  host: string | null
  operation: number
  permissionType: number
}

/** Why a filter is unusable (Kafka's `InvalidRequestException` texts), or null. */
export function invalidFilterProblem(f: AclFilter): string | null {
  if (f.resourceType === ResourceType.UNKNOWN || f.resourceType > ResourceType.USER) return 'The filter contains an unknown resource type'
  if (f.patternType === PatternType.UNKNOWN || f.patternType > PatternType.PREFIXED) return 'The filter contains an unknown pattern type'
  if (f.operation === AclOperation.UNKNOWN || f.operation > AclOperation.DESCRIBE_TOKENS) return 'The filter contains an unknown operation'
  if (f.permissionType === AclPermissionType.UNKNOWN || f.permissionType > AclPermissionType.ALLOW) return 'The filter contains an unknown permission type'
  return null
}

function patternMatches(f: AclFilter, acl: StandardAcl): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== acl.resourceType) return false
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== acl.patternType) return false
  if (f.resourceName === null) return true
  if (f.patternType === PatternType.ANY || f.patternType === acl.patternType) return f.resourceName === acl.resourceName
  // MATCH
  if (acl.patternType === PatternType.LITERAL) return f.resourceName === acl.resourceName || acl.resourceName === WILDCARD_RESOURCE
  return f.resourceName.startsWith(acl.resourceName)
}

/** Whether `acl` passes `f`. */
export function aclMatchesFilter(f: AclFilter, acl: StandardAcl): boolean {
  return patternMatches(f, acl) &&
    (f.principal === null || f.principal === acl.principal) &&
    (f.host === null || f.host === acl.host) &&
    (f.operation === AclOperation.ANY || f.operation === acl.operation) &&
    (f.permissionType === AclPermissionType.ANY || f.permissionType === acl.permissionType)
}
