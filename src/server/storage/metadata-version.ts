/**
 * `metadata.version` feature levels and names (Kafka `server-common/.../MetadataVersion.java`;
 * storage-and-kraft.md §4.4). Levels below 3.3-IV0 (4) cannot bootstrap a KRaft cluster.
 */

/** Feature level → release name, for every production level up to 3.9-IV0. */
const LEVELS: [number, string][] = [
  [1, '3.0-IV1'], [2, '3.1-IV0'], [3, '3.2-IV0'], [4, '3.3-IV0'], [5, '3.3-IV1'], [6, '3.3-IV2'], [7, '3.3-IV3'],
  [8, '3.4-IV0'], [9, '3.5-IV0'], [10, '3.5-IV1'], [11, '3.5-IV2'], [12, '3.6-IV0'], [13, '3.6-IV1'], [14, '3.6-IV2'],
  [15, '3.7-IV0'], [16, '3.7-IV1'], [17, '3.7-IV2'], [18, '3.7-IV3'], [19, '3.7-IV4'], [20, '3.8-IV0'], [21, '3.9-IV0'],
]

export const METADATA_VERSION_FEATURE = 'metadata.version'
/** Lowest level usable for bootstrap (3.3-IV0). */
export const MINIMUM_BOOTSTRAP_LEVEL = 4
/** Latest production metadata.version of Kafka 3.9: 3.9-IV0. */
export const LATEST_PRODUCTION_LEVEL = 21

export interface MetadataVersion {
  level: number
  /** e.g. `3.9-IV0` */
  name: string
}

/** The name of a level (`21` → `3.9-IV0`), or `level N` when unknown. */
export function metadataVersionName(level: number): string {
  return LEVELS.find(([l]) => l === level)?.[1] ?? `level ${level}`
}

/** An error for an unusable `--release-version`. */
export class MetadataVersionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MetadataVersionError'
  }
}

/**
 * Parses `3.9`, `3.9-IV0` (a short name means the last IV of that release).
 * @throws MetadataVersionError `metadata.version 2.8-IV1 is too old to be supported.` /
 *   `Unknown metadata.version '9.9'. Supported metadata.version are 3.3-IV0 to 3.9-IV0` (Kafka 3.9 Formatter).
 */
export function parseMetadataVersion(text: string): MetadataVersion {
  const v = text.trim()
  const m = /^(\d+)\.(\d+)(?:\.\d+)?(-IV\d+)?$/.exec(v)
  if (m) {
    const major = Number(m[1])
    const minor = Number(m[2])
    if (major < 3 || (major === 3 && minor < 3)) {
      const name = m[3] ? `${m[1]}.${m[2]}${m[3]}` : major === 2 && minor === 8 ? '2.8-IV1' : `${m[1]}.${m[2]}-IV0`
      throw new MetadataVersionError(`metadata.version ${name} is too old to be supported.`)
    }
    const prefix = `${m[1]}.${m[2]}`
    const matches = LEVELS.filter(([, n]) => (m[3] ? n === prefix + m[3] : n.startsWith(prefix + '-')))
    if (matches.length > 0) {
      const [level, name] = matches[matches.length - 1]
      return {level, name}
    }
  }
  throw new MetadataVersionError(
    `Unknown metadata.version '${v}'. Supported metadata.version are ${metadataVersionName(MINIMUM_BOOTSTRAP_LEVEL)} to ${metadataVersionName(LATEST_PRODUCTION_LEVEL)}`,
  )
}
