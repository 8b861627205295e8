/**
 * `kts storage info` (kafka-tools.md §1.3, Kafka `StorageTool.infoCommand`): lists the log
 * directories, the metadata found, and problems (exit 1 when any).
 */
import fs from 'node:fs'
import type {ServerConfig} from '../config/server-config.js'
import {configToLogDirectories} from './log-directories.js'
import {readMetaPropertiesRaw} from './meta-properties.js'

export interface StorageInfo {
  /** Existing directories, sorted. */
  directories: string[]
  /** meta.properties of the first formatted directory, keys sorted; null when none. */
  metadata: Record<string, string> | null
  problems: string[]
  /** Kafka's exact text for stdout. */
  text: string
  /** 1 when there are problems, else 0. */
  exitCode: number
}

/** Inspects the storage of `config` (reads only). */
export function storageInfo(config: ServerConfig): StorageInfo {
  const dirs = configToLogDirectories(config)
  if (dirs.length === 0) return {directories: [], metadata: null, problems: [], text: 'No directories specified.\n', exitCode: 0}
  const found: string[] = []
  const problems: string[] = []
  const metas: {dir: string, meta: Record<string, string>}[] = []
  for (const dir of dirs) {
    let stat
    try {
      stat = fs.statSync(dir)
    } catch {
      problems.push(`${dir} does not exist`)
      continue
    }
    if (!stat.isDirectory()) {
      problems.push(`${dir} is not a directory`)
      continue
    }
    found.push(dir)
    let meta
    try {
      meta = readMetaPropertiesRaw(dir)
    } catch {
      problems.push(`${dir}: I/O error trying to read meta.properties`)
      continue
    }
    if (meta === null) problems.push(`${dir} is not formatted.`)
    else metas.push({dir, meta})
  }
  if (new Set(metas.map((m) => m.meta['cluster.id'])).size > 1) problems.push('Mismatched cluster IDs between storage directories.')
  if (new Set(metas.map((m) => m.meta['node.id'] ?? m.meta['broker.id'])).size > 1) problems.push('Mismatched node IDs between storage directories.')
  if (config.processRoles.length > 0 && metas.some((m) => m.meta.version === '0')) {
    problems.push('The kafka configuration file appears to be for a cluster in KRaft mode, but the directories are formatted for legacy mode.')
  }
  let text = ''
  if (found.length > 0) text += `${found.length === 1 ? 'Found log directory:' : 'Found log directories:'}\n${found.map((d) => `  ${d}\n`).join('')}\n`
  let metadata: Record<string, string> | null = null
  if (metas.length > 0) {
    const m = metas[0].meta
    metadata = Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]))
    text += `Found metadata: {${Object.entries(metadata).map(([k, v]) => `${k}=${v}`).join(', ')}}\n\n`
  }
  if (problems.length > 0) text += `${problems.length === 1 ? 'Found problem:' : 'Found problems:'}\n${problems.map((p) => `  ${p}\n`).join('')}\n`
  return {directories: found, metadata, problems, text, exitCode: problems.length > 0 ? 1 : 0}
}
