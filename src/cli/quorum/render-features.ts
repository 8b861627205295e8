/**
 * Text of `kts features describe` as Kafka 3.9/4.0's `FeatureCommand.handleDescribe` prints it: one
 * line per supported feature, sorted by name,
 * `Feature: <name>\tSupportedMinVersion: <v>\tSupportedMaxVersion: <v>\tFinalizedVersionLevel: <v>\tEpoch: <e>`.
 * metadata.version levels print as release names (`3.9-IV0`), unknown ones as `UNKNOWN <n>`; a
 * feature that is not finalized has level 0; no epoch prints `-`.
 */
import {METADATA_VERSION_FEATURE, metadataVersionName, LATEST_PRODUCTION_LEVEL} from '../../server/storage/metadata-version.js'
import type {FeatureMetadata} from './kraft-admin.js'

/** metadata.version levels Kafka 4.0's tool knows beyond kts' own table (3.0-IV1 .. 3.9-IV0). */
const KAFKA_4_0_LEVELS: Record<number, string> = {22: '4.0-IV0', 23: '4.0-IV1', 24: '4.0-IV2', 25: '4.0-IV3'}

/** Kafka `FeatureCommand.levelToString`. */
export function levelToString(feature: string, level: number): string {
  if (feature !== METADATA_VERSION_FEATURE) return String(level)
  if (level >= 1 && level <= LATEST_PRODUCTION_LEVEL) return metadataVersionName(level)
  return KAFKA_4_0_LEVELS[level] ?? `UNKNOWN ${level}`
}

/** One line per supported feature, sorted by name (each ends with a newline). */
export function renderFeatures(meta: FeatureMetadata): string {
  const epoch = meta.finalizedFeaturesEpoch === null ? '-' : String(meta.finalizedFeaturesEpoch)
  return [...meta.supportedFeatures]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(f => {
      const finalized = meta.finalizedFeatures.find(x => x.name === f.name)?.maxVersionLevel ?? 0
      return `Feature: ${f.name}\tSupportedMinVersion: ${levelToString(f.name, f.minVersion)}\tSupportedMaxVersion: ${levelToString(f.name, f.maxVersion)}` +
        `\tFinalizedVersionLevel: ${levelToString(f.name, finalized)}\tEpoch: ${epoch}\n`
    })
    .join('')
}
