/**
 * ACL changes the active controller decides (Kafka `AclControlManager`): pure functions
 * `(image, request) → {records, results}` over the image's ACLs.
 * - create: each ACL is validated (INVALID_REQUEST with Kafka's message); an ACL identical to a
 *   stored one (or to an earlier one of the same request) succeeds without a record; else one
 *   AccessControlEntryRecord with a fresh random id.
 * - delete: each filter removes every stored ACL it matches (RemoveAccessControlEntryRecord once
 *   per ACL even when several filters match it) and reports them.
 */
import {ErrorCode} from '../../protocol/errors.js'
import {randomUuid} from '../../protocol/primitives/uuid.js'
import type {MetadataImage} from '../metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../metadata/metadata-record.js'
import {invalidAclProblem, sameAcl, type StandardAcl} from '../security/authorizer/acl-binding.js'
import {aclMatchesFilter, invalidFilterProblem, type AclFilter} from '../security/authorizer/acl-filter.js'

export interface AclResult {
  errorCode: number
  errorMessage: string | null
}

export interface AclDeleteResult extends AclResult {
  /** The ACLs the filter removed (empty on error). */
  matchingAcls: StandardAcl[]
}

/** Records creating `acls` (Kafka `AclControlManager.createAcls`). */
export function createAcls(image: MetadataImage, acls: StandardAcl[]): {records: MetadataRecord[], results: AclResult[]} {
  const records: MetadataRecord[] = []
  const results: AclResult[] = []
  const added: StandardAcl[] = []
  const existing = [...image.acls.values()]
  for (const acl of acls) {
    const problem = invalidAclProblem(acl)
    if (problem) {
      results.push({errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem})
      continue
    }
    if (!existing.some(e => sameAcl(e, acl)) && !added.some(e => sameAcl(e, acl))) {
      added.push(acl)
      records.push({type: T.ACCESS_CONTROL_ENTRY, version: 0, data: {id: newAclId(image), ...acl}})
    }
    results.push({errorCode: ErrorCode.NONE, errorMessage: null})
  }
  return {records, results}
}

/** Records removing the ACLs `filters` match (Kafka `AclControlManager.deleteAcls`). */
export function deleteAcls(image: MetadataImage, filters: AclFilter[]): {records: MetadataRecord[], results: AclDeleteResult[]} {
  const records: MetadataRecord[] = []
  const results: AclDeleteResult[] = []
  const removed = new Set<string>()
  for (const f of filters) {
    const problem = invalidFilterProblem(f)
    if (problem) {
      results.push({errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matchingAcls: []})
      continue
    }
    const matchingAcls: StandardAcl[] = []
    for (const [id, acl] of image.acls) {
      if (!aclMatchesFilter(f, acl)) continue
      matchingAcls.push(acl)
      if (!removed.has(id)) {
        removed.add(id)
        records.push({type: T.REMOVE_ACCESS_CONTROL_ENTRY, version: 0, data: {id}})
      }
    }
    results.push({errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls})
  }
  return {records, results}
}

function newAclId(image: MetadataImage): string {
  for (;;) {
    const id = randomUuid()
    if (!image.acls.has(id)) return id
  }
}
