/**
 * SCRAM credential decisions of the controller (Kafka's `ScramControlManager`) and the describe
 * view of the image (Kafka's `ScramImage.describe`), as pure functions of the metadata image.
 *
 * AlterUserScramCredentials: deletions → RemoveUserScramCredentialRecord, upsertions (salt + salted
 * password, computed by the client) → UserScramCredentialRecord with StoredKey/ServerKey (the
 * salted password itself is never stored). Per user, the first error wins and none of that user's
 * changes apply: a user altered twice in one request (even for two mechanisms) → DUPLICATE_RESOURCE
 * `A user credential cannot be altered twice in the same request`; an empty name →
 * UNACCEPTABLE_CREDENTIAL `Username must not be empty`; an unknown mechanism →
 * UNSUPPORTED_SASL_MECHANISM `Unknown SCRAM mechanism`; iterations outside 4096..16384 →
 * UNACCEPTABLE_CREDENTIAL `Too few iterations` / `Too many iterations`; deleting a credential that
 * does not exist → RESOURCE_NOT_FOUND. One result per deletion, then per upsertion, in request order.
 */
import {ErrorCode} from '../../protocol/errors.js'
import type {AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponseAlterUserScramCredentialsResult} from '../../protocol/generated/messages/alter-user-scram-credentials.js'
import type {DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult} from '../../protocol/generated/messages/describe-user-scram-credentials.js'
import {credentialFromSaltedPassword, SCRAM_MAX_ITERATIONS, scramMechanismByType, type ScramMechanism} from '../../protocol/security/scram.js'
import type {MetadataImage} from '../metadata/metadata-image.js'
import {MetadataRecordType as T, type MetadataRecord} from '../metadata/metadata-record.js'

interface ApiError {code: number, message: string}

const DUPLICATE: ApiError = {code: ErrorCode.DUPLICATE_RESOURCE, message: 'A user credential cannot be altered twice in the same request'}

function validateNameAndMechanism(name: string, m: ScramMechanism | undefined): ApiError | null {
  if (name === '') return {code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Username must not be empty'}
  if (m === undefined) return {code: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: 'Unknown SCRAM mechanism'}
  return null
}

/** The records and results of an AlterUserScramCredentials request against `image`. */
export function alterUserScramCredentials(image: MetadataImage, req: Pick<AlterUserScramCredentialsRequest, 'deletions' | 'upsertions'>): {
  records: MetadataRecord[]
  results: AlterUserScramCredentialsResponseAlterUserScramCredentialsResult[]
} {
  const errors = new Map<string, ApiError>()
  const deletions = new Map<string, {name: string, mechanism: number}>()
  const upserts = new Map<string, AlterUserScramCredentialsRequest['upsertions'][number]>()
  for (const d of req.deletions) {
    if (errors.has(d.name)) continue
    if (deletions.delete(d.name)) {
      errors.set(d.name, DUPLICATE)
      continue
    }
    const m = scramMechanismByType(d.mechanism)
    const error = validateNameAndMechanism(d.name, m) ??
      (image.scramCredential(d.mechanism, d.name) === undefined ? {code: ErrorCode.RESOURCE_NOT_FOUND, message: 'Attempt to delete a user credential that does not exist'} : null)
    if (error) errors.set(d.name, error)
    else deletions.set(d.name, d)
  }
  for (const u of req.upsertions) {
    if (errors.has(u.name)) continue
    if (deletions.delete(u.name) || upserts.delete(u.name)) {
      errors.set(u.name, DUPLICATE)
      continue
    }
    const m = scramMechanismByType(u.mechanism)
    let error = validateNameAndMechanism(u.name, m)
    if (!error && u.iterations < m!.minIterations) error = {code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too few iterations'}
    if (!error && u.iterations > SCRAM_MAX_ITERATIONS) error = {code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too many iterations'}
    if (!error && u.saltedPassword.length !== m!.keyLength) error = {code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Invalid salted password length'}
    if (!error && u.salt.length === 0) error = {code: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Salt must not be empty'}
    if (error) errors.set(u.name, error)
    else upserts.set(u.name, u)
  }
  const records: MetadataRecord[] = []
  for (const d of deletions.values()) records.push({type: T.REMOVE_USER_SCRAM_CREDENTIAL, version: 0, data: {name: d.name, mechanism: d.mechanism}})
  for (const u of upserts.values()) {
    const c = credentialFromSaltedPassword(scramMechanismByType(u.mechanism)!, u.salt, u.saltedPassword, u.iterations)
    records.push({type: T.USER_SCRAM_CREDENTIAL, version: 0, data: {name: u.name, mechanism: u.mechanism, salt: c.salt, storedKey: c.storedKey, serverKey: c.serverKey, iterations: c.iterations}})
  }
  const result = (user: string): AlterUserScramCredentialsResponseAlterUserScramCredentialsResult => {
    const e = errors.get(user)
    return {user, errorCode: e?.code ?? ErrorCode.NONE, errorMessage: e?.message ?? null}
  }
  return {records, results: [...req.deletions.map((d) => result(d.name)), ...req.upsertions.map((u) => result(u.name))]}
}

/**
 * DescribeUserScramCredentials results (Kafka's `ScramImage.describe`): every user with a
 * credential (sorted) when `users` is null or empty; else each named user once — a user named twice
 * → DUPLICATE_RESOURCE, a user without credentials → RESOURCE_NOT_FOUND.
 */
export function describeUserScramCredentials(image: MetadataImage, users: readonly string[] | null): DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult[] {
  const unique = new Map<string, boolean>()
  if (users === null || users.length === 0) {
    const all = new Set<string>()
    for (const m of image.scram.values()) for (const u of m.keys()) all.add(u)
    for (const u of [...all].sort()) unique.set(u, false)
  } else {
    for (const u of users) unique.set(u, unique.has(u))
  }
  const out: DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult[] = []
  for (const [user, duplicate] of unique) {
    if (duplicate) {
      out.push({user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: []})
      continue
    }
    const infos = [...image.scram.entries()].sort(([a], [b]) => a - b)
      .filter(([, m]) => m.has(user)).map(([mechanism, m]) => ({mechanism, iterations: m.get(user)!.iterations}))
    if (infos.length === 0) out.push({user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: []})
    else out.push({user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos})
  }
  return out
}
