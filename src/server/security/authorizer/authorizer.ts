/**
 * Kafka's `StandardAuthorizer` (KIP-801): `authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer`
 * turns it on; ACLs come from the metadata image (AccessControlEntryRecords replayed on every node),
 * `super.users` (semicolon-separated `<type>:<name>` principals) may do everything, and
 * `allow.everyone.if.no.acl.found` (default false) decides actions on resources no ACL names.
 * The index is rebuilt from the image's ACL map whenever that map changes (identity check, lazily).
 */
import type {MetadataCache} from '../../metadata/metadata-cache.js'
import type {StandardAcl} from './acl-binding.js'
import {AclOperation, CLUSTER_NAME, ResourceType, AclPermissionType} from './acl-binding.js'
import {AclDecision, AclIndex, aclResult, type AclCaller} from './acl-index.js'
import type {KafkaPrincipal} from '../kafka-principal.js'
import {LOCAL_NODE_PRINCIPAL} from './local-node-principal.js'

/** The only authorizer class kts implements. */
export const STANDARD_AUTHORIZER_CLASS = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'
/** Kafka 2.x's ZooKeeper authorizer, named in many old configs: refused with a hint. */
export const ACL_AUTHORIZER_CLASS = 'kafka.security.authorizer.AclAuthorizer'

/** Who asks: the request's principal and client address. */
export interface AuthorizationSubject {
  principal: KafkaPrincipal
  /** Client address as text, e.g. `127.0.0.1`. */
  clientHost: string
}

export interface AuthorizerSettings {
  /** `<type>:<name>` principals (`super.users`, split at `;`, trimmed). */
  superUsers: readonly string[]
  allowEveryoneIfNoAclFound: boolean
}

/** Operations Kafka reports in `authorizedOperations` per resource type (Kafka `AclEntry.supportedOperations`). */
export const SUPPORTED_OPERATIONS: ReadonlyMap<number, readonly number[]> = new Map([
  [ResourceType.TOPIC, [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE,
    AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]],
  [ResourceType.GROUP, [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE]],
  [ResourceType.CLUSTER, [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE]],
  [ResourceType.TRANSACTIONAL_ID, [AclOperation.DESCRIBE, AclOperation.WRITE]],
])

/** Parses `super.users` (`User:admin;User:broker`). */
export function parseSuperUsers(value: string | null | undefined): string[] {
  return (value ?? '').split(';').map(s => s.trim()).filter(s => s !== '')
}

export class StandardAuthorizer {
  private indexedAcls: ReadonlyMap<string, StandardAcl> | null = null
  private index = new AclIndex([])
  private readonly superUsers: ReadonlySet<string>

  constructor(private readonly metadata: MetadataCache, readonly settings: AuthorizerSettings) {
    this.superUsers = new Set(settings.superUsers)
  }

  /** The index over the current image's ACLs. */
  aclIndex(): AclIndex {
    const acls = this.metadata.image.acls
    if (acls !== this.indexedAcls) {
      this.index = new AclIndex(acls.values())
      this.indexedAcls = acls
    }
    return this.index
  }

  /** A `super.users` principal, or this node's own in-process requests (LOCAL_NODE_PRINCIPAL). */
  isSuperUser(principal: KafkaPrincipal): boolean {
    return principal === LOCAL_NODE_PRINCIPAL || this.superUsers.has(`${principal.principalType}:${principal.name}`)
  }

  /** Whether `subject` may do `operation` on (`resourceType`, `name`) (Kafka `Authorizer.authorize`). */
  authorize(subject: AuthorizationSubject, operation: number, resourceType: number, name: string): boolean {
    if (this.isSuperUser(subject.principal)) return true
    const d = this.aclIndex().decide(callerOf(subject), operation, resourceType, name)
    return d === AclDecision.ALLOWED || (d === AclDecision.NO_ACLS && this.settings.allowEveryoneIfNoAclFound)
  }

  /**
   * Whether `subject` may do `operation` on at least one resource of `resourceType` (Kafka
   * `Authorizer.authorizeByResourceType`, KIP-679: InitProducerId of idempotent producers). Simplified
   * as in Kafka's default implementation: some ALLOW ACL applies and the resource it names (its
   * literal name, the prefix itself) is not denied; or no ACL of the type exists and
   * `allow.everyone.if.no.acl.found` holds.
   */
  authorizeByResourceType(subject: AuthorizationSubject, operation: number, resourceType: number): boolean {
    if (this.isSuperUser(subject.principal)) return true
    const caller = callerOf(subject)
    const acls = this.aclIndex().ofType(resourceType)
    if (acls.length === 0) return this.settings.allowEveryoneIfNoAclFound
    for (const acl of acls) {
      if (acl.permissionType !== AclPermissionType.ALLOW || aclResult(acl, caller, operation) !== 'ALLOW') continue
      if (this.aclIndex().decide(caller, operation, resourceType, acl.resourceName) === AclDecision.ALLOWED) return true
    }
    return false
  }

  /**
   * The `authorizedOperations` bit field of a resource (bit `1 << code` per allowed operation among
   * those Kafka reports for the type; Kafka `Utils.to32BitField`).
   */
  authorizedOperations(subject: AuthorizationSubject, resourceType: number, name: string): number {
    let bits = 0
    for (const op of SUPPORTED_OPERATIONS.get(resourceType) ?? []) {
      if (this.authorize(subject, op, resourceType, name)) bits |= 1 << op
    }
    return bits
  }
}

function callerOf(s: AuthorizationSubject): AclCaller {
  return {principal: `${s.principal.principalType}:${s.principal.name}`, wildcardPrincipal: `${s.principal.principalType}:*`, host: s.clientHost}
}

export {CLUSTER_NAME}

/** The parts of the server config the authorizer reads. */
export interface AuthorizerConfig {
  get(name: string): unknown
}

/**
 * The node's authorizer from `authorizer.class.name`, `super.users` and
 * `allow.everyone.if.no.acl.found`: null when the class name is empty.
 * @throws Error for any other class name (server start-up refuses it earlier, unsupported-configs.ts)
 */
export function createAuthorizer(config: AuthorizerConfig, metadata: MetadataCache): StandardAuthorizer | null {
  const className = String(config.get('authorizer.class.name') ?? '').trim()
  if (className === '') return null
  if (className !== STANDARD_AUTHORIZER_CLASS) throw new Error(`Unsupported authorizer.class.name=${className}: kts implements only ${STANDARD_AUTHORIZER_CLASS}`)
  const superUsers = config.get('super.users')
  return new StandardAuthorizer(metadata, {
    superUsers: parseSuperUsers(typeof superUsers === 'string' ? superUsers : null),
    allowEveryoneIfNoAclFound: config.get('allow.everyone.if.no.acl.found') === true,
  })
}
