/**
 * Random ids for storage formatting, in Kafka's text form (URL-safe base64 without padding, 22
 * chars; kafka-tools.md §1.1): thin names over the shared `protocol/primitives/uuid.ts`.
 */
export {randomDirectoryId, uuidStringProblem, uuidToString} from '../../protocol/primitives/uuid.js'
/** A new cluster id: Kafka `Uuid.randomUuid()` (version-4, never reserved, never starting with `-`). */
export {randomUuid as randomClusterId} from '../../protocol/primitives/uuid.js'
