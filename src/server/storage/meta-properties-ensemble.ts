/**
 * Storage check at node start (Kafka `MetaPropertiesEnsemble.verify`, kafka-tools.md §6.2): every
 * directory of `log.dirs` + `metadata.log.dir` must hold a `meta.properties` with the same
 * cluster.id and the configured node.id. A directory without `directory.id` gets one (rewritten in place).
 */
import fs from 'node:fs'
import path from 'node:path'
import type {ServerConfig} from '../config/server-config.js'
import {configToLogDirectories} from './log-directories.js'
import {readMetaProperties, writeMetaProperties, MetaPropertiesError} from './meta-properties.js'
import {StorageError} from './storage-errors.js'
import {randomDirectoryId} from './storage-ids.js'

export interface MetaPropertiesEnsemble {
  clusterId: string
  nodeId: number
  /** Every log directory (sorted) with its directory.id. */
  directories: {dir: string, directoryId: string}[]
  metadataLogDir: string
  metadataDirectoryId: string
  /** Directories whose meta.properties got a new directory.id (the node may log `Rewriting <dir>/meta.properties`). */
  rewritten: string[]
}

/**
 * Loads and verifies the formatted storage of a node.
 * @throws StorageError ``No `meta.properties` found in <dir> (have you run `kts storage format` to format the directory?)``,
 *   `Stored node id 2 doesn't match previous node id 1 in <dir>/meta.properties. ...`,
 *   `Invalid cluster.id in: <dir>/meta.properties. Expected X, but read Y`, a legacy (version 0) directory,
 *   or ``Found unexpected metadata location in data directory `<path>` (the configured metadata directory is <dir>).``
 */
export function loadMetaPropertiesEnsemble(config: ServerConfig): MetaPropertiesEnsemble {
  const dirs = configToLogDirectories(config)
  let clusterId: string | undefined
  const directories: {dir: string, directoryId: string}[] = []
  const rewritten: string[] = []
  for (const dir of dirs) {
    const file = path.join(dir, 'meta.properties')
    let meta
    try {
      meta = readMetaProperties(dir)
    } catch (err) {
      throw new StorageError(err instanceof MetaPropertiesError ? err.message : `I/O error reading ${file}: ${(err as Error).message}`)
    }
    if (meta === null) throw new StorageError(`No \`meta.properties\` found in ${dir} (have you run \`kts storage format\` to format the directory?)`)
    if (meta.version !== 1) throw new StorageError(`Found legacy (ZooKeeper) meta.properties version ${meta.version} in ${file}; kts supports only KRaft storage (version 1).`)
    if (meta.clusterId === undefined) throw new StorageError(`Failed to find required property cluster.id in ${file}.`)
    if (meta.nodeId === undefined) throw new StorageError(`Failed to find required property node.id in ${file}.`)
    if (meta.nodeId !== config.nodeId) {
      throw new StorageError(`Stored node id ${meta.nodeId} doesn't match previous node id ${config.nodeId} in ${file}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`)
    }
    if (clusterId === undefined) clusterId = meta.clusterId
    else if (meta.clusterId !== clusterId) throw new StorageError(`Invalid cluster.id in: ${file}. Expected ${clusterId}, but read ${meta.clusterId}`)
    if (meta.directoryId === undefined) {
      meta.directoryId = randomDirectoryId()
      writeMetaProperties(dir, meta)
      rewritten.push(dir)
    }
    if (dir !== config.metadataLogDir && fs.existsSync(path.join(dir, '__cluster_metadata-0'))) {
      throw new StorageError(`Found unexpected metadata location in data directory \`${path.join(dir, '__cluster_metadata-0')}\` (the configured metadata directory is ${config.metadataLogDir}).`)
    }
    directories.push({dir, directoryId: meta.directoryId})
  }
  if (clusterId === undefined) throw new StorageError('No readable meta.properties files found.')
  const metadataDirectoryId = directories.find((d) => d.dir === config.metadataLogDir)?.directoryId ?? directories[0].directoryId
  return {clusterId, nodeId: config.nodeId, directories, metadataLogDir: config.metadataLogDir, metadataDirectoryId, rewritten}
}
