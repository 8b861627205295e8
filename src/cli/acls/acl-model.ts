/**
 * The ACL shapes of `kts acls` and their text as Kafka's Java classes print them (`ResourcePattern`,
 * `ResourcePatternFilter`, `AccessControlEntry`, `AclBinding` `toString()`), and the name parsing
 * of `SecurityUtils.operation` / `parseKafkaPrincipal` and the `--resource-pattern-type` converter.
 */
import {UsageError} from '../errors.js'
import {
  AclOperation, PatternType, ResourceType,
  operationName, patternTypeName, permissionTypeName, resourceTypeName,
} from '../../server/security/authorizer/acl-binding.js'

export {AclOperation, AclPermissionType, PatternType, ResourceType} from '../../server/security/authorizer/acl-binding.js'

/** A resource pattern, or a pattern filter when `patternType` is ANY/MATCH or `name` is null. */
export interface ResourcePatternFilter {
  resourceType: number
  /** null: any name (`<any>`). */
  name: string | null
  patternType: number
}

/** One access control entry (principal `<type>:<name>`, host, operation, permission). */
export interface AccessControlEntry {
  principal: string
  host: string
  operation: number
  permissionType: number
}

/** `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`. */
export function patternText(p: ResourcePatternFilter): string {
  return `ResourcePattern(resourceType=${resourceTypeName(p.resourceType)}, name=${p.name ?? '<any>'}, patternType=${patternTypeName(p.patternType)})`
}

/** `(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)`. */
export function entryText(e: AccessControlEntry): string {
  return `(principal=${e.principal}, host=${e.host}, operation=${operationName(e.operation)}, permissionType=${permissionTypeName(e.permissionType)})`
}

/** `(pattern=ResourcePattern(...), entry=(principal=...))` (Kafka `AclBinding.toString`). */
export function bindingText(p: ResourcePatternFilter, e: AccessControlEntry): string {
  return `(pattern=${patternText(p)}, entry=${entryText(e)})`
}

/** The key identifying a pattern (for grouping). */
export function patternKey(p: ResourcePatternFilter): string {
  return `${p.resourceType}\u0000${p.patternType}\u0000${p.name ?? '\u0001'}`
}

/**
 * An operation from its name as Kafka's `SecurityUtils.operation` accepts it: `Read`, `READ`,
 * `DescribeConfigs`, `describe_configs`, ... (case and underscores ignored).
 * @throws UsageError `Unknown operation: <name>` (not ANY/UNKNOWN: those are no operations to grant)
 */
export function parseOperation(name: string): number {
  const want = name.trim().replace(/_/g, '').toLowerCase()
  for (const [k, v] of Object.entries(AclOperation)) {
    if (v === AclOperation.UNKNOWN || v === AclOperation.ANY) continue
    if (k.replace(/_/g, '').toLowerCase() === want) return v
  }
  throw new UsageError(`Unknown operation: ${name}`)
}

/** `--resource-pattern-type` (case-insensitive LITERAL, PREFIXED, ANY, MATCH). @throws UsageError as joptsimple words it */
export function parsePatternType(value: string): number {
  const v = value.trim().toUpperCase()
  const code = (PatternType as Record<string, number>)[v]
  if (code === undefined || code === PatternType.UNKNOWN) {
    throw new UsageError(`Cannot parse argument '${value}' of option resource-pattern-type`)
  }
  return code
}

/** A principal `<type>:<name>` (Kafka `SecurityUtils.parseKafkaPrincipal`). @throws UsageError */
export function parsePrincipal(s: string): string {
  const t = s.trim()
  const i = t.indexOf(':')
  if (i <= 0 || i === t.length - 1) throw new UsageError(`expected a string in format principalType:principalName but got ${t}`)
  return t
}

/** Operations Kafka accepts on each resource type, ALL included (Kafka `AclEntry.supportedOperations`). */
export const VALID_OPERATIONS: ReadonlyMap<number, readonly number[]> = new Map([
  [ResourceType.TOPIC, [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
  [ResourceType.GROUP, [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE]],
  [ResourceType.CLUSTER, [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE]],
  [ResourceType.TRANSACTIONAL_ID, [AclOperation.DESCRIBE, AclOperation.WRITE]],
  [ResourceType.DELEGATION_TOKEN, [AclOperation.DESCRIBE]],
  [ResourceType.USER, [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS]],
])
