/**
 * ACL vocabulary as Kafka's wire protocol and metadata log encode it (Kafka `ResourceType`,
 * `PatternType`, `AclOperation`, `AclPermissionType`, `AclBinding`; KIP-11, KIP-290), and
 * `StandardAcl`, one stored ACL (AccessControlEntryRecord, metadata record type 18).
 */

/** Kafka `ResourceType` codes (int8 on the wire). */
export const ResourceType = {UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7} as const

/** Kafka `PatternType` codes: ANY and MATCH are filters only; LITERAL and PREFIXED are stored. */
export const PatternType = {UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4} as const

/** Kafka `AclOperation` codes; ALL matches every operation; ANY is a filter only. */
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8,
  CLUSTER_ACTION: 9, DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const

/** Kafka `AclPermissionType` codes; ANY is a filter only. */
export const AclPermissionType = {UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3} as const

/** The resource name that matches every resource of its type (LITERAL patterns only). */
export const WILDCARD_RESOURCE = '*'
/** The host that matches every client address. */
export const WILDCARD_HOST = '*'
/** The cluster resource's only name. */
export const CLUSTER_NAME = 'kafka-cluster'

function nameOf(table: Record<string, number>, code: number): string {
  for (const [k, v] of Object.entries(table)) if (v === code) return k
  return 'UNKNOWN'
}

/** `TOPIC`, `GROUP`, ... (Kafka's enum names, as AclCommand prints them). */
export const resourceTypeName = (code: number): string => nameOf(ResourceType, code)
export const patternTypeName = (code: number): string => nameOf(PatternType, code)
export const operationName = (code: number): string => nameOf(AclOperation, code)
export const permissionTypeName = (code: number): string => nameOf(AclPermissionType, code)

/** One ACL as stored (Kafka `StandardAcl`): a LITERAL or PREFIXED pattern and a concrete entry. */
export interface StandardAcl {
  resourceType: number
  resourceName: string
  patternType: number
  /** `<type>:<name>`, e.g. `User:alice`; `User:*` matches every user. */
  principal: string
  /** Exact client address or `*`. */
  host: string
  operation: number
  permissionType: number
}

/** A stored ACL with its metadata-log id (AccessControlEntryRecord.id, Kafka `StandardAclWithId`). */
export interface StandardAclWithId {
  id: string
  acl: StandardAcl
}

/**
 * Why an ACL cannot be stored (Kafka `StandardAcl`/`AclControlManager.validateNewAcl`), or null.
 * The texts are Kafka's `InvalidRequestException` messages.
 */
export function invalidAclProblem(acl: StandardAcl): string | null {
  if (acl.resourceType <= ResourceType.ANY || acl.resourceType > ResourceType.USER) return `Invalid resourceType ${acl.resourceType}`
  if (acl.patternType !== PatternType.LITERAL && acl.patternType !== PatternType.PREFIXED) return `Invalid patternType ${acl.patternType}`
  if (acl.operation <= AclOperation.ANY || acl.operation > AclOperation.DESCRIBE_TOKENS) return `Invalid operation ${acl.operation}`
  if (acl.permissionType !== AclPermissionType.ALLOW && acl.permissionType !== AclPermissionType.DENY) return `Invalid permissionType ${acl.permissionType}`
  if (acl.resourceName === '') return 'Resource name should not be empty'
  if (acl.resourceType === ResourceType.CLUSTER && acl.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`
  const colon = acl.principal.indexOf(':')
  if (colon <= 0) return `Could not parse principal from \`${acl.principal}\` (no colon is present separating the principal type from the principal name)`
  return null
}

/** Same ACL (every field), as Kafka compares `StandardAcl`s to skip duplicates. */
export function sameAcl(a: StandardAcl, b: StandardAcl): boolean {
  return a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType &&
    a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType
}
