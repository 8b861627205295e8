/**
 * `meta.properties`: the identity of a log directory (storage-and-kraft.md §3.2; Kafka
 * `org.apache.kafka.metadata.properties.MetaProperties` / `PropertiesUtils`).
 *
 * Java properties: a `#` line, a `#<Date.toString()>` line, then `node.id`, `directory.id`,
 * `version`, `cluster.id` (the order the JDK writes them). Written to `meta.properties.tmp`,
 * fsynced, renamed over `meta.properties`, and the directory fsynced.
 */
import fs from 'node:fs'
import path from 'node:path'
import {parse as parseProperties} from 'dot-properties'
import {atomicWriteFileSync} from '../log/atomic-file-writer.js'

export const META_PROPERTIES_FILE = 'meta.properties'

export interface MetaProperties {
  /** 1 for KRaft (0 = legacy ZooKeeper layout with `broker.id`). */
  version: number
  clusterId?: string
  nodeId?: number
  /** KIP-858 directory id (22-char uuid text). */
  directoryId?: string
  /** Any other keys found in the file, kept as read. */
  other?: Record<string, string>
}

/** A meta.properties file that exists but cannot be read or is malformed. */
export class MetaPropertiesError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'MetaPropertiesError'
  }
}

/** Raw key/values of `<dir>/meta.properties`, or null when the file does not exist. @throws MetaPropertiesError */
export function readMetaPropertiesRaw(dir: string): Record<string, string> | null {
  const file = path.join(dir, META_PROPERTIES_FILE)
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new MetaPropertiesError(`I/O error reading ${file}: ${(err as Error).message}`)
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(parseProperties(text))) if (typeof v === 'string') out[k] = v.trim()
  return out
}

/**
 * Reads `<dir>/meta.properties`; null when it does not exist.
 * @throws MetaPropertiesError when it exists but is unreadable or has a bad `version`/`node.id`.
 */
export function readMetaProperties(dir: string): MetaProperties | null {
  const raw = readMetaPropertiesRaw(dir)
  if (raw === null) return null
  const file = path.join(dir, META_PROPERTIES_FILE)
  const {version, 'cluster.id': clusterId, 'node.id': nodeId, 'broker.id': brokerId, 'directory.id': directoryId, ...other} = raw
  if (version === undefined) throw new MetaPropertiesError(`Failed to find required property version in ${file}.`)
  if (version !== '0' && version !== '1') throw new MetaPropertiesError(`Unknown meta.properties version ${version} in ${file}`)
  const idText = version === '1' ? nodeId : brokerId
  if (idText !== undefined && !/^-?\d+$/.test(idText)) throw new MetaPropertiesError(`Invalid node.id ${idText} in ${file}`)
  const mp: MetaProperties = {version: Number(version)}
  if (clusterId !== undefined) mp.clusterId = clusterId
  if (idText !== undefined) mp.nodeId = Number(idText)
  if (directoryId !== undefined) mp.directoryId = directoryId
  if (Object.keys(other).length > 0) mp.other = other
  return mp
}

/** Java's `Date.toString()` in UTC: `Tue Nov 24 07:46:47 UTC 2026`. */
export function javaDateString(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
  const p = (n: number) => String(n).padStart(2, '0')
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
}

/** The file text Kafka writes (JDK `Properties.store(writer, "")` order). */
export function metaPropertiesText(mp: MetaProperties, now = new Date()): string {
  const lines = ['#', `#${javaDateString(now)}`]
  if (mp.nodeId !== undefined) lines.push(`${mp.version === 0 ? 'broker.id' : 'node.id'}=${mp.nodeId}`)
  if (mp.directoryId !== undefined) lines.push(`directory.id=${mp.directoryId}`)
  lines.push(`version=${mp.version}`)
  if (mp.clusterId !== undefined) lines.push(`cluster.id=${mp.clusterId}`)
  for (const [k, v] of Object.entries(mp.other ?? {})) lines.push(`${k}=${v}`)
  return lines.join('\n') + '\n'
}

/** Writes a file atomically: `<file>.tmp`, fsync, rename, fsync of the directory. */
export function writeFileAtomically(file: string, data: string | Buffer): void {
  atomicWriteFileSync(file, file + '.tmp', data, true)
}

/** Writes `<dir>/meta.properties` atomically (tmp + fsync + rename). */
export function writeMetaProperties(dir: string, mp: MetaProperties): void {
  writeFileAtomically(path.join(dir, META_PROPERTIES_FILE), metaPropertiesText(mp))
}
