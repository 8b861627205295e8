/**
 * Kafka `Uuid` text and constants (`org.apache.kafka.common.Uuid`, `DirectoryId`), without the
 * random ids (those are in `uuid.ts`, which re-exports all of this): code that only needs the
 * constants or conversions, such as the CLI tools, imports this file and does not load the `uuid`
 * package. Uuids travel as 16 bytes on the wire and are shown as URL-safe base64 without padding
 * (22 chars) — the form used across this codebase (docs/CONTRACTS.md). Spec: `../shared/spec/kafka-tools.md` §1.1.
 */

/** `Uuid.ZERO_UUID` (all zero bits). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'
/** `Uuid.ONE_UUID`: the topic id of `__cluster_metadata` (Kafka `Uuid.METADATA_TOPIC_ID`). */
export const METADATA_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ'
/** `DirectoryId.UNASSIGNED` (zero), `LOST` (1) and `MIGRATING` (2). */
export const DIRECTORY_ID_UNASSIGNED = ZERO_UUID
export const DIRECTORY_ID_LOST = 'AAAAAAAAAAAAAAAAAAAAAQ'
export const DIRECTORY_ID_MIGRATING = 'AAAAAAAAAAAAAAAAAAAAAg'

/** `Uuid.RESERVED`: never handed out by `randomUuid()`. */
export const RESERVED_UUIDS: ReadonlySet<string> = new Set([ZERO_UUID, METADATA_TOPIC_ID])
/** `DirectoryId.RESERVED`: ids 0..99 are reserved; the named ones are 0, 1 and 2. */
export const RESERVED_DIRECTORY_IDS: ReadonlySet<string> = new Set([DIRECTORY_ID_UNASSIGNED, DIRECTORY_ID_LOST, DIRECTORY_ID_MIGRATING])

const BASE64URL_22 = /^[A-Za-z0-9_-]{22}$/

/** 16 bytes → Kafka's text form. Throws RangeError unless `bytes` has exactly 16 bytes. */
export function uuidToString(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`A Uuid has 16 bytes, got ${bytes.length}`)
  return Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('base64url')
}

/** Kafka's text form → 16 bytes. Throws `InvalidUuidError` if `s` is not a valid uuid string. */
export function uuidToBytes(s: string): Buffer {
  const problem = uuidStringProblem(s)
  if (problem !== null) throw new InvalidUuidError(s, problem)
  return Buffer.from(s, 'base64url')
}

/** Thrown for uuid text that does not decode to exactly 16 bytes (Kafka `Uuid.fromString`). */
export class InvalidUuidError extends Error {
  constructor(readonly input: string, readonly reason: string) {
    super(reason)
    this.name = 'InvalidUuidError'
  }
}

/**
 * Why `s` is not Kafka uuid text, or null when it is (Kafka `Uuid.fromString`: base64url, no
 * padding, decoding to exactly 16 bytes). The reason texts follow Kafka's messages.
 */
export function uuidStringProblem(s: string): string | null {
  if (s.length > 24) return `Input string with prefix \`${s.slice(0, 24)}\` is too long to be decoded as a base64 UUID`
  // Java's URL decoder accepts optional '=' padding and ignores non-zero trailing bits.
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s)) return `Illegal base64 character in ${JSON.stringify(s)}`
  const bytes = Buffer.from(s, 'base64url')
  if (bytes.length !== 16) return `Unexpected length of uuid bytes: ${bytes.length}`
  return null
}

/** True if `s` is Kafka uuid text: 22 base64url chars (no padding) decoding to exactly 16 bytes. */
export function isValidUuidString(s: string): boolean {
  return BASE64URL_22.test(s) && uuidStringProblem(s) === null
}

/** Kafka text → the dashed hex form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (Java `UUID.toString()`). */
export function uuidToDashed(s: string): string {
  const h = uuidToBytes(s).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** Dashed hex form → Kafka text. Throws `InvalidUuidError` on malformed input. */
export function uuidFromDashed(dashed: string): string {
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(dashed)) {
    throw new InvalidUuidError(dashed, `Invalid UUID string: ${dashed}`)
  }
  return Buffer.from(dashed.replace(/-/g, ''), 'hex').toString('base64url')
}
