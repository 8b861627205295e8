import type {ServerConfig} from '../config/server-config.js'

/**
 * The directories `kts storage format|info` and the node look at: every entry of `log.dirs` (or
 * `log.dir`) plus `metadata.log.dir`, de-duplicated and sorted (Kafka `StorageTool.configToLogDirectories`).
 */
export function configToLogDirectories(config: ServerConfig): string[] {
  const dirs = new Set(config.logDirs)
  if (config.metadataLogDir) dirs.add(config.metadataLogDir)
  return [...dirs].sort()
}
