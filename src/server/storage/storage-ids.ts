/**
 * Random ids for storage formatting (Kafka `Uuid.randomUuid()` and `DirectoryId.random()`), in
 * Kafka's text form: URL-safe base64 without padding, 22 chars (kafka-tools.md §1.1).
 * NOTE: a teammate is writing the shared `src/protocol/primitives/uuid.ts`; this module exists so
 * formatting works without it and can be switched to it later.
 */
import {randomBytes} from 'node:crypto'

const RESERVED_UUIDS = new Set(['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAQ'])
/** DirectoryId.UNASSIGNED (…AA = zero), LOST (…AQ), MIGRATING (…Ag) and the metadata topic id. */
const RESERVED_DIRECTORY_IDS = new Set(['AAAAAAAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAAAQ', 'AAAAAAAAAAAAAAAAAAAAAg'])

/** 16 bytes → 22-char URL-safe base64 without padding. */
export function uuidToString(bytes: Buffer): string {
  return bytes.toString('base64url')
}

/** A random version-4 uuid like Java's `UUID.randomUUID()`; never reserved, never starting with `-`. */
export function randomClusterId(): string {
  for (;;) {
    const b = randomBytes(16)
    b[6] = (b[6] & 0x0f) | 0x40
    b[8] = (b[8] & 0x3f) | 0x80
    const s = uuidToString(b)
    if (!RESERVED_UUIDS.has(s) && !s.startsWith('-')) return s
  }
}

/** A random directory id (plain random 128 bits); never reserved, never starting with `-`. */
export function randomDirectoryId(): string {
  for (;;) {
    const s = uuidToString(randomBytes(16))
    if (!RESERVED_DIRECTORY_IDS.has(s) && !s.startsWith('-')) return s
  }
}

/**
 * Checks that `s` is Kafka's uuid text (`Uuid.fromString`): base64url decoding to exactly 16 bytes.
 * @returns null when valid, else the reason (used in `Cluster ID string X does not appear to be a valid UUID: <reason>`).
 */
export function uuidStringProblem(s: string): string | null {
  if (s.length > 24) return `Input string with prefix \`${s.slice(0, 24)}\` is too long to be decoded as a base64 UUID`
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return `Illegal base64 character in ${JSON.stringify(s)}`
  const bytes = Buffer.from(s, 'base64url')
  if (bytes.length !== 16 || uuidToString(bytes) !== s) return `Unexpected length of uuid bytes: ${bytes.length}`
  return null
}
