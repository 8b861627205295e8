/**
 * `kts acls` options, checked as Kafka 4.0's `AclCommand.AclCommandOptions.checkArgs` checks them
 * (same messages), and the ACL plan they describe: which resource patterns (or filters) get which
 * access control entries, with the `--producer` / `--consumer` / `--idempotent` conveniences.
 */
import {UsageError} from '../errors.js'
import {operationName, resourceTypeName, CLUSTER_NAME, WILDCARD_HOST} from '../../server/security/authorizer/acl-binding.js'
import {
  AclOperation, AclPermissionType, PatternType, ResourceType, VALID_OPERATIONS,
  parseOperation, parsePatternType, parsePrincipal, patternKey,
  type AccessControlEntry, type ResourcePatternFilter,
} from './acl-model.js'

/** The flags as oclif parsed them (repeatable options are arrays). */
export interface RawAclFlags {
  add?: boolean
  remove?: boolean
  list?: boolean
  topic?: string[]
  cluster?: boolean
  group?: string[]
  'transactional-id'?: string[]
  'delegation-token'?: string[]
  'user-principal'?: string[]
  'resource-pattern-type'?: string
  operation?: string[]
  'allow-principal'?: string[]
  'deny-principal'?: string[]
  'allow-host'?: string[]
  'deny-host'?: string[]
  principal?: string[]
  producer?: boolean
  consumer?: boolean
  idempotent?: boolean
  force?: boolean
}

export type AclAction = 'add' | 'remove' | 'list'

/** Resource patterns (filters for --remove/--list) with the entries to add or remove (empty: all). */
export interface AclPlanItem {
  filter: ResourcePatternFilter
  entries: AccessControlEntry[]
}

const has = (v: unknown): boolean => Array.isArray(v) ? v.length > 0 : v === true || (typeof v === 'string')

/** joptsimple's wording of `CommandLineUtils.checkInvalidArgs`. */
function checkInvalid(raw: RawAclFlags, used: keyof RawAclFlags, invalid: (keyof RawAclFlags)[]): void {
  if (!has(raw[used])) return
  for (const k of invalid) if (has(raw[k])) throw new UsageError(`Option "[${used}]" can't be used with option "[${k}]"`)
}

/** The action, after Kafka's argument checks. @throws UsageError with Kafka's message */
export function checkAclArgs(raw: RawAclFlags): AclAction {
  const actions = (['add', 'remove', 'list'] as const).filter(a => raw[a] === true)
  if (actions.length !== 1) throw new UsageError('Command must include exactly one action: --list, --add, --remove. ')
  checkInvalid(raw, 'list', ['producer', 'consumer', 'allow-host', 'allow-principal', 'deny-host', 'deny-principal'])
  checkInvalid(raw, 'producer', ['operation', 'deny-principal', 'deny-host'])
  checkInvalid(raw, 'consumer', ['operation', 'deny-principal', 'deny-host'])
  if (has(raw.principal) && !raw.list) throw new UsageError('The --principal option is only available if --list is set')
  if (raw.producer && !has(raw.topic)) throw new UsageError('With --producer you must specify a --topic')
  if (raw.idempotent && !raw.producer) throw new UsageError('The --idempotent option is only available if --producer is set')
  if (raw.consumer && (!has(raw.topic) || !has(raw.group) || (!raw.producer && (raw.cluster || has(raw['transactional-id']))))) {
    throw new UsageError('With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.')
  }
  return actions[0]
}

/** `--resource-pattern-type` (default LITERAL). */
export function patternTypeOf(raw: RawAclFlags): number {
  return raw['resource-pattern-type'] === undefined ? PatternType.LITERAL : parsePatternType(raw['resource-pattern-type'])
}

/** The resource filters named on the command line (Kafka `getResourceFilter`). @throws UsageError when `required` and none */
export function resourceFilters(raw: RawAclFlags, required: boolean): ResourcePatternFilter[] {
  const patternType = patternTypeOf(raw)
  const out: ResourcePatternFilter[] = []
  const add = (resourceType: number, name: string): void => {
    const f = {resourceType, name, patternType}
    if (!out.some(o => patternKey(o) === patternKey(f))) out.push(f)
  }
  for (const t of raw.topic ?? []) add(ResourceType.TOPIC, t.trim())
  if (patternType === PatternType.LITERAL && (raw.cluster || raw.idempotent)) add(ResourceType.CLUSTER, CLUSTER_NAME)
  for (const g of raw.group ?? []) add(ResourceType.GROUP, g.trim())
  for (const t of raw['transactional-id'] ?? []) add(ResourceType.TRANSACTIONAL_ID, t)
  for (const t of raw['delegation-token'] ?? []) add(ResourceType.DELEGATION_TOKEN, t.trim())
  for (const u of raw['user-principal'] ?? []) add(ResourceType.USER, u.trim())
  if (out.length === 0 && required) {
    throw new UsageError('You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>')
  }
  return out
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)]
}

/** Entries for `operations` from the allow/deny principals and hosts (Kafka `getAcl`). */
function entriesFor(raw: RawAclFlags, operations: number[]): AccessControlEntry[] {
  const out: AccessControlEntry[] = []
  const build = (principals: string[] | undefined, hosts: string[] | undefined, permissionType: number): void => {
    const ps = unique((principals ?? []).map(parsePrincipal))
    const hs = hosts && hosts.length > 0 ? unique(hosts.map(h => h.trim())) : ps.length > 0 ? [WILDCARD_HOST] : []
    for (const principal of ps) for (const operation of operations) for (const host of hs) out.push({principal, host, operation, permissionType})
  }
  build(raw['allow-principal'], raw['allow-host'], AclPermissionType.ALLOW)
  build(raw['deny-principal'], raw['deny-host'], AclPermissionType.DENY)
  return out
}

/** What --add/--remove act on (Kafka `getResourceFilterToAcls`), operations validated per resource type. */
export function aclPlan(raw: RawAclFlags): AclPlanItem[] {
  const items = new Map<string, AclPlanItem>()
  const put = (filter: ResourcePatternFilter, entries: AccessControlEntry[], merge: boolean): void => {
    const k = patternKey(filter)
    const old = items.get(k)
    if (old && merge) {
      for (const e of entries) if (!old.entries.some(o => sameEntry(o, e))) old.entries.push(e)
    } else {
      items.set(k, {filter, entries})
    }
  }
  if (!raw.producer && !raw.consumer) {
    const operations = unique((raw.operation && raw.operation.length > 0 ? raw.operation : ['All']).map(parseOperation))
    for (const f of resourceFilters(raw, true)) put(f, entriesFor(raw, operations), false)
  }
  if (raw.producer) {
    const filters = resourceFilters(raw, true)
    for (const f of filters.filter(x => x.resourceType === ResourceType.TOPIC)) put(f, entriesFor(raw, [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE]), false)
    for (const f of filters.filter(x => x.resourceType === ResourceType.TRANSACTIONAL_ID)) put(f, entriesFor(raw, [AclOperation.WRITE, AclOperation.DESCRIBE]), false)
    if (raw.idempotent) put({resourceType: ResourceType.CLUSTER, name: CLUSTER_NAME, patternType: PatternType.LITERAL}, entriesFor(raw, [AclOperation.IDEMPOTENT_WRITE]), false)
  }
  if (raw.consumer) {
    const filters = resourceFilters(raw, true)
    for (const f of filters.filter(x => x.resourceType === ResourceType.TOPIC)) put(f, entriesFor(raw, [AclOperation.READ, AclOperation.DESCRIBE]), true)
    for (const f of filters.filter(x => x.resourceType === ResourceType.GROUP)) put(f, entriesFor(raw, [AclOperation.READ]), true)
  }
  const plan = [...items.values()]
  for (const item of plan) {
    const valid = [...VALID_OPERATIONS.get(item.filter.resourceType) ?? [], AclOperation.ALL]
    if (item.entries.some(e => !valid.includes(e.operation))) {
      throw new UsageError(`ResourceType ${resourceTypeName(item.filter.resourceType)} only supports operations [${valid.map(operationName).join(', ')}]`)
    }
  }
  return plan
}

/** --add's plan: specific pattern types only, and every resource needs entries. @throws UsageError */
export function addPlan(raw: RawAclFlags): AclPlanItem[] {
  const pt = patternTypeOf(raw)
  if (pt !== PatternType.LITERAL && pt !== PatternType.PREFIXED) {
    throw new UsageError(`A '--resource-pattern-type' value of '${(raw['resource-pattern-type'] ?? '').trim().toUpperCase()}' is not valid when adding acls.`)
  }
  const plan = aclPlan(raw)
  if (plan.some(i => i.entries.length === 0)) throw new UsageError('You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.')
  return plan
}

export function sameEntry(a: AccessControlEntry, b: AccessControlEntry): boolean {
  return a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType
}

/** `--principal` values of `--list`. @throws UsageError for one without `type:` */
export function parsePrincipalList(values: string[] | undefined): string[] {
  return unique((values ?? []).map(parsePrincipal))
}
