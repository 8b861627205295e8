/**
 * The admin calls of `kts acls` over our protocol client, as Kafka's `Admin.describeAcls`,
 * `createAcls` and `deleteAcls` make them (DescribeAcls/CreateAcls/DeleteAcls v≤3, at least v1): to
 * the first reachable bootstrap server (brokers forward CreateAcls/DeleteAcls to the active
 * controller). Connection failures are retried until `default.api.timeout.ms`. Kafka errors are
 * `TerseError`s worded as Java's exception `toString()` (`org.apache.kafka.common.errors.SecurityDisabledException:
 * No Authorizer is configured.`). Works against any Kafka cluster.
 */
import {CreateAclsApi, type CreateAclsResponse} from '../../protocol/generated/messages/create-acls.js'
import {DeleteAclsApi, type DeleteAclsResponse} from '../../protocol/generated/messages/delete-acls.js'
import {DescribeAclsApi, type DescribeAclsResponse} from '../../protocol/generated/messages/describe-acls.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {ErrorCode} from '../../protocol/errors.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'
import {TerseError} from '../errors.js'
import {javaExceptionText} from '../groups/group-errors.js'
import {connectToFirstServer, type AdminTarget} from '../quorum/admin-target.js'
import {AclOperation, AclPermissionType, type AccessControlEntry, type ResourcePatternFilter} from './acl-model.js'

/** One ACL binding: a concrete pattern and entry. */
export interface AclBinding {
  pattern: ResourcePatternFilter & {name: string}
  entry: AccessControlEntry
}

/** An entry filter: null fields match anything; ANY operation/permission. */
export type AccessControlEntryFilter = {principal: string | null, host: string | null, operation: number, permissionType: number}

export const ANY_ENTRY: AccessControlEntryFilter = {principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermissionType.ANY}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function kafkaError(code: number, message: string | null): TerseError {
  return new TerseError(javaExceptionText(code, message), {kafkaErrorCode: code})
}

export class AclAdmin {
  private conn: Promise<BrokerConnection> | null = null

  constructor(private readonly target: AdminTarget) {}

  /** The ACL bindings `pattern` × `entry` filters select. @throws TerseError for the response's error */
  describeAcls(pattern: ResourcePatternFilter, entry: AccessControlEntryFilter = ANY_ENTRY): Promise<AclBinding[]> {
    return this.call(DescribeAclsApi, async (conn, version) => {
      const res = await conn.send(DescribeAclsApi, version, {
        resourceTypeFilter: pattern.resourceType, resourceNameFilter: pattern.name, patternTypeFilter: pattern.patternType,
        principalFilter: entry.principal, hostFilter: entry.host, operation: entry.operation, permissionType: entry.permissionType,
      }) as DescribeAclsResponse
      if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, res.errorMessage)
      return res.resources.flatMap(r => r.acls.map(a => ({
        pattern: {resourceType: r.resourceType, name: r.resourceName, patternType: r.patternType},
        entry: {principal: a.principal, host: a.host, operation: a.operation, permissionType: a.permissionType},
      })))
    })
  }

  /** Creates the bindings. @throws TerseError for the first creation that failed */
  createAcls(bindings: AclBinding[]): Promise<void> {
    return this.call(CreateAclsApi, async (conn, version) => {
      const res = await conn.send(CreateAclsApi, version, {
        creations: bindings.map(b => ({
          resourceType: b.pattern.resourceType, resourceName: b.pattern.name, resourcePatternType: b.pattern.patternType,
          principal: b.entry.principal, host: b.entry.host, operation: b.entry.operation, permissionType: b.entry.permissionType,
        })),
      }) as CreateAclsResponse
      for (const r of res.results) if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage)
    })
  }

  /** Deletes what each filter matches; resolves with the deleted bindings. @throws TerseError for the first failed filter */
  deleteAcls(filters: {pattern: ResourcePatternFilter, entry: AccessControlEntryFilter}[]): Promise<AclBinding[]> {
    return this.call(DeleteAclsApi, async (conn, version) => {
      const res = await conn.send(DeleteAclsApi, version, {
        filters: filters.map(f => ({
          resourceTypeFilter: f.pattern.resourceType, resourceNameFilter: f.pattern.name, patternTypeFilter: f.pattern.patternType,
          principalFilter: f.entry.principal, hostFilter: f.entry.host, operation: f.entry.operation, permissionType: f.entry.permissionType,
        })),
      }) as DeleteAclsResponse
      const out: AclBinding[] = []
      for (const r of res.filterResults) {
        if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage)
        for (const m of r.matchingAcls) {
          if (m.errorCode !== ErrorCode.NONE) throw kafkaError(m.errorCode, m.errorMessage)
          out.push({pattern: {resourceType: m.resourceType, name: m.resourceName, patternType: m.patternType},
            entry: {principal: m.principal, host: m.host, operation: m.operation, permissionType: m.permissionType}})
        }
      }
      return out
    })
  }

  close(): void {
    this.conn?.then(c => c.close(), () => undefined)
    this.conn = null
  }

  /** Runs `fn` on a connection at the highest common version (≥ 1, ≤ 3), retrying connection failures. */
  private async call<T>(spec: ApiSpec, fn: (conn: BrokerConnection, version: number) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.target.apiTimeoutMs
    let backoff = 100
    for (;;) {
      try {
        const conn = await this.connection()
        let version: number
        try {
          version = conn.version(spec, 3)
        } catch {
          version = -1
        }
        if (version < 1) {
          const api = spec.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()
          throw new TerseError(`org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support ${api}`, {kafkaErrorCode: ErrorCode.UNSUPPORTED_VERSION})
        }
        return await fn(conn, version)
      } catch (err) {
        if (!(err instanceof ProtocolClientError)) throw err
        this.close()
        if (Date.now() + backoff >= deadline) {
          const call = spec.name.charAt(0).toLowerCase() + spec.name.slice(1)
          throw new TerseError(`org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: ${call}`, {cause: err, kafkaErrorCode: ErrorCode.REQUEST_TIMED_OUT})
        }
        await delay(backoff)
        backoff = Math.min(backoff * 2, 1000)
      }
    }
  }

  private connection(): Promise<BrokerConnection> {
    if (this.conn === null) {
      const attempt = connectToFirstServer(this.target)
      attempt.catch(() => {
        if (this.conn === attempt) this.conn = null
      })
      this.conn = attempt
    }
    return this.conn
  }
}
