/**
 * Kafka `Uuid` helpers (`org.apache.kafka.common.Uuid`, `DirectoryId`): the text form and constants
 * (re-exported from `uuid-text.ts`) and random ids, which are RFC 4122 version-4 UUIDs from the
 * `uuid` package as Kafka's `Uuid.randomUuid()` wraps Java's `UUID.randomUUID()`.
 * Spec: `../shared/spec/kafka-tools.md` §1.1.
 */
import {v4 as uuidV4} from 'uuid'
import {RESERVED_DIRECTORY_IDS, RESERVED_UUIDS} from './uuid-text.js'

export * from './uuid-text.js'

/** The 16 bytes of a new RFC 4122 version-4 UUID (the `uuid` package; Java's `UUID.randomUUID()`). */
export function randomUuidBytes(): Buffer {
  return uuidV4(undefined, Buffer.alloc(16))
}

/** A new RFC 4122 version-4 UUID in the dashed hex form (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, Java `UUID.randomUUID().toString()`). */
export function randomDashedUuid(): string {
  return uuidV4()
}

/**
 * A random Kafka uuid (Kafka `Uuid.randomUuid()`, which wraps Java's `UUID.randomUUID()`): an
 * RFC 4122 version-4 UUID (122 random bits, version/variant bits set) in Kafka's text form;
 * redrawn if reserved (`ZERO_UUID`, `METADATA_TOPIC_ID`) or if the text starts with `-` (it would
 * look like a command-line flag).
 */
export function randomUuid(): string {
  for (;;) {
    const s = randomUuidBytes().toString('base64url')
    if (!RESERVED_UUIDS.has(s) && s.charCodeAt(0) !== 45 /* '-' */) return s
  }
}

/**
 * A random log directory id (Kafka `DirectoryId.random()`: `Uuid.randomUuid()` redrawn while it
 * is reserved): a version-4 UUID, never one of the reserved ids (first 8 bytes zero and last 8
 * bytes < 100; a version-4 UUID never is, the check documents the rule) and never starting with `-`.
 */
export function randomDirectoryId(): string {
  for (;;) {
    const s = randomUuid()
    const b = Buffer.from(s, 'base64url')
    if (b.readBigUInt64BE(0) === 0n && b.readBigUInt64BE(8) < 100n) continue
    if (!RESERVED_DIRECTORY_IDS.has(s)) return s
  }
}
