/**
 * The in-memory ACL index every node builds from the metadata image, and its matching rules
 * (Kafka `StandardAuthorizerData`):
 * - an action on resource (type, name) is governed by the LITERAL ACLs on that name, the LITERAL
 *   ACLs on the wildcard `*`, and the PREFIXED ACLs whose name is a prefix of it;
 * - an ACL applies when its principal is the caller's or `<type>:*`, its host is `*` or the
 *   caller's address, and its operation is the requested one or ALL; ALLOW ACLs also imply
 *   DESCRIBE (by READ, WRITE, DELETE, ALTER) and DESCRIBE_CONFIGS (by ALTER_CONFIGS);
 * - any applicable DENY wins over every ALLOW; no applicable ACL is a denial, except when the
 *   resource has no ACL at all (for anyone), which `allow.everyone.if.no.acl.found` decides.
 * Lookups cost one map probe per prefix length of the name; no allocation beyond the prefixes.
 */
import {AclOperation, AclPermissionType, PatternType, WILDCARD_HOST, WILDCARD_RESOURCE, type StandardAcl} from './acl-binding.js'

/** What the ACLs say about one action. */
export const AclDecision = {ALLOWED: 'ALLOWED', DENIED: 'DENIED', NO_ACLS: 'NO_ACLS'} as const
export type AclDecision = typeof AclDecision[keyof typeof AclDecision]

/** The caller of an action. */
export interface AclCaller {
  /** `<type>:<name>`, e.g. `User:alice`. */
  principal: string
  /** `<type>:*`, e.g. `User:*` (the wildcard principal of the caller's type). */
  wildcardPrincipal: string
  /** Client address as text, e.g. `127.0.0.1`. */
  host: string
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER])
const IMPLIES_DESCRIBE_CONFIGS: ReadonlySet<number> = new Set([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS])

/** ALLOW/DENY when `acl` applies to `caller` doing `operation`, else null (Kafka `StandardAuthorizerData.findResult`). */
export function aclResult(acl: StandardAcl, caller: AclCaller, operation: number): 'ALLOW' | 'DENY' | null {
  if (acl.principal !== caller.principal && acl.principal !== caller.wildcardPrincipal) return null
  if (acl.host !== WILDCARD_HOST && acl.host !== caller.host) return null
  const allow = acl.permissionType === AclPermissionType.ALLOW
  if (acl.operation !== AclOperation.ALL) {
    if (allow && operation === AclOperation.DESCRIBE) {
      if (!IMPLIES_DESCRIBE.has(acl.operation)) return null
    } else if (allow && operation === AclOperation.DESCRIBE_CONFIGS) {
      if (!IMPLIES_DESCRIBE_CONFIGS.has(acl.operation)) return null
    } else if (acl.operation !== operation) {
      return null
    }
  }
  return allow ? 'ALLOW' : 'DENY'
}

interface TypeAcls {
  literal: Map<string, StandardAcl[]>
  prefixed: Map<string, StandardAcl[]>
}

function push(m: Map<string, StandardAcl[]>, key: string, acl: StandardAcl): void {
  const list = m.get(key)
  if (list) list.push(acl)
  else m.set(key, [acl])
}

export class AclIndex {
  private readonly byType = new Map<number, TypeAcls>()
  /** Every ACL of the index, in insertion order. */
  readonly acls: readonly StandardAcl[]

  constructor(acls: Iterable<StandardAcl>) {
    const all: StandardAcl[] = []
    for (const acl of acls) {
      all.push(acl)
      let t = this.byType.get(acl.resourceType)
      if (!t) this.byType.set(acl.resourceType, t = {literal: new Map(), prefixed: new Map()})
      push(acl.patternType === PatternType.PREFIXED ? t.prefixed : t.literal, acl.resourceName, acl)
    }
    this.acls = all
  }

  /** The ACLs governing resource (`resourceType`, `name`): literal, wildcard, then prefixed. */
  *governing(resourceType: number, name: string): Generator<StandardAcl> {
    const t = this.byType.get(resourceType)
    if (!t) return
    const exact = t.literal.get(name)
    if (exact) yield* exact
    if (name !== WILDCARD_RESOURCE) {
      const wildcard = t.literal.get(WILDCARD_RESOURCE)
      if (wildcard) yield* wildcard
    }
    if (t.prefixed.size === 0) return
    for (let i = 1; i <= name.length; i++) {
      const list = t.prefixed.get(name.slice(0, i))
      if (list) yield* list
    }
  }

  /** What the ACLs decide for `caller` doing `operation` on (`resourceType`, `name`). */
  decide(caller: AclCaller, operation: number, resourceType: number, name: string): AclDecision {
    let any = false
    let allowed = false
    for (const acl of this.governing(resourceType, name)) {
      any = true
      const r = aclResult(acl, caller, operation)
      if (r === 'DENY') return AclDecision.DENIED
      if (r === 'ALLOW') allowed = true
    }
    return allowed ? AclDecision.ALLOWED : any ? AclDecision.DENIED : AclDecision.NO_ACLS
  }

  /** Every ACL of `resourceType` (for checks by resource type). */
  ofType(resourceType: number): StandardAcl[] {
    const t = this.byType.get(resourceType)
    if (!t) return []
    const out: StandardAcl[] = []
    for (const l of t.literal.values()) out.push(...l)
    for (const l of t.prefixed.values()) out.push(...l)
    return out
  }
}
