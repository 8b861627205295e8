/**
 * `kts storage format` (kafka-tools.md §1.2, Kafka 3.9 `org.apache.kafka.metadata.storage.Formatter`):
 * writes `meta.properties` (version 1, node.id, cluster.id, a new directory.id) and
 * `bootstrap.checkpoint` (metadata.version) into every unformatted directory of
 * `log.dirs` + `metadata.log.dir` (sorted, de-duplicated). Every check happens before anything is written.
 *
 * Dynamic quorum (KIP-853, no `controller.quorum.voters`): `--standalone` (this controller is the
 * only initial voter, at its first advertised controller listener, with a new directory id) or
 * `--initial-controllers` write the bootstrap snapshot `__cluster_metadata-0/0-0.checkpoint`
 * (kraft.version 1 + the voters) into the metadata dir, whose directory.id is then the voter's;
 * `--no-initial-controllers` formats a controller that joins later (an observer until added).
 */
import fs from 'node:fs'
import path from 'node:path'
import type {ServerConfig} from '../config/server-config.js'
import {writeBootstrapCheckpoint} from './bootstrap-checkpoint.js'
import {parseAddScram} from './scram-bootstrap.js'
import {encodeMetadataRecord, MetadataRecordType} from '../metadata/metadata-record.js'
import {configToLogDirectories} from './log-directories.js'
import {readMetaProperties, writeMetaProperties} from './meta-properties.js'
import {LATEST_PRODUCTION_LEVEL, metadataVersionName, parseMetadataVersion} from './metadata-version.js'
import {StorageError} from './storage-errors.js'
import {randomDirectoryId, uuidStringProblem} from './storage-ids.js'
import {parseDynamicVoters, toVoterSet, writeBootstrapVotersSnapshot, type DynamicVoter} from './dynamic-voters.js'

export interface FormatOptions {
  config: ServerConfig
  /** `-t/--cluster-id`: 22-char uuid text (base64url of 16 bytes). */
  clusterId: string
  /** `-g/--ignore-formatted`: skip formatted directories instead of failing. */
  ignoreFormatted?: boolean
  /** `-r/--release-version`, e.g. `3.9` or `3.9-IV0`; default: latest production (3.9-IV0). */
  releaseVersion?: string
  /** `-s/--standalone`: this controller alone is the initial voter set of a dynamic quorum. */
  standalone?: boolean
  /** `-I/--initial-controllers`: `id@host:port:directoryId,...`, the initial voters of a dynamic quorum. */
  initialControllers?: string
  /** `-N/--no-initial-controllers`: a controller of a dynamic quorum that joins later. */
  noInitialControllers?: boolean
  /** `-S/--add-scram` values (`SCRAM-SHA-256=[name=alice,password=alice-secret]`): bootstrap SCRAM credentials. */
  addScram?: readonly string[]
}

export interface FormatResult {
  /** Lines for stdout, in order (`Formatting metadata directory /x with metadata.version 3.9-IV0.`). */
  lines: string[]
  /** Directories written, sorted. */
  formattedDirectories: string[]
  metadataVersion: string
  metadataVersionLevel: number
  clusterId: string
  nodeId: number
}

/**
 * Formats the storage of one node.
 * @throws StorageError for: a legacy (non-KRaft) config, a bad cluster id
 *   (`Cluster ID string X does not appear to be a valid UUID: <reason>`), a bad release version,
 *   an already formatted directory without `ignoreFormatted`
 *   (`Log directory X is already formatted. Use --ignore-formatted to ignore this directory and format the others.`),
 *   a formatted directory with another cluster/node id, or `No available log directories to format.`
 */
export function formatStorage(opts: FormatOptions): FormatResult {
  const {config, clusterId} = opts
  if (config.processRoles.length === 0) {
    throw new StorageError('The kafka configuration file appears to be for a legacy cluster. Formatting is only supported for clusters in KRaft mode.')
  }
  const problem = uuidStringProblem(clusterId)
  if (problem !== null) throw new StorageError(`Cluster ID string ${clusterId} does not appear to be a valid UUID: ${problem}`)
  if (config.nodeId < 0) throw new StorageError(`The node.id must be set to a non-negative integer. We saw ${config.nodeId}`)
  let mv = {level: LATEST_PRODUCTION_LEVEL, name: metadataVersionName(LATEST_PRODUCTION_LEVEL)}
  if (opts.releaseVersion !== undefined) {
    try {
      mv = parseMetadataVersion(opts.releaseVersion)
    } catch (err) {
      throw new StorageError((err as Error).message)
    }
  }
  const isController = config.processRoles.includes('controller')
  if ([opts.standalone, opts.initialControllers !== undefined, opts.noInitialControllers].filter(Boolean).length > 1) {
    throw new StorageError('Only one of --standalone, --initial-controllers and --no-initial-controllers may be given.')
  }
  let initialVoters: DynamicVoter[] | null = null
  if (opts.standalone) {
    if (!isController) throw new StorageError('You can only use --standalone on a controller.')
    const listener = config.controllerAdvertisedListeners[0]
    if (!listener) throw new StorageError('The controller listener is not configured: set controller.listener.names and listeners.')
    initialVoters = [{nodeId: config.nodeId, host: listener.host === '' ? 'localhost' : listener.host, port: listener.port, directoryId: randomDirectoryId()}]
  } else if (opts.initialControllers !== undefined) {
    try {
      initialVoters = parseDynamicVoters(opts.initialControllers)
    } catch (err) {
      throw new StorageError((err as Error).message)
    }
  }
  if (initialVoters !== null && config.controllerQuorumVoters.length > 0) {
    throw new StorageError('You cannot specify controller.quorum.voters and format the node with --initial-controllers or --standalone. If you want to use dynamic quorum, please remove controller.quorum.voters and specify controller.quorum.bootstrap.servers instead.')
  }
  if (isController && !opts.noInitialControllers && initialVoters === null && config.controllerQuorumVoters.length === 0) {
    throw new StorageError('Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.')
  }
  const localVoter = initialVoters?.find(v => v.nodeId === config.nodeId) ?? null
  const scramRecords = (opts.addScram ?? []).map(parseAddScram).map((c) => encodeMetadataRecord({
    type: MetadataRecordType.USER_SCRAM_CREDENTIAL, version: 0,
    data: {name: c.name, mechanism: c.mechanism.type, salt: c.salt, storedKey: c.storedKey, serverKey: c.serverKey, iterations: c.iterations},
  }))

  const lines: string[] = []
  const toFormat: string[] = []
  let formattedCount = 0
  for (const dir of configToLogDirectories(config)) {
    let meta
    try {
      meta = readMetaProperties(dir)
    } catch {
      lines.push(`I/O error trying to read log directory ${dir}. Ignoring...`)
      continue
    }
    if (meta === null) {
      toFormat.push(dir)
      continue
    }
    if (!opts.ignoreFormatted) {
      throw new StorageError(`Log directory ${dir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.`)
    }
    const file = path.join(dir, 'meta.properties')
    if (meta.clusterId !== undefined && meta.clusterId !== clusterId) {
      throw new StorageError(`Invalid cluster.id in: ${file}. Expected ${clusterId}, but read ${meta.clusterId}`)
    }
    if (meta.nodeId !== undefined && meta.nodeId !== config.nodeId) {
      throw new StorageError(`Stored node id ${meta.nodeId} doesn't match previous node id ${config.nodeId} in ${file}. If you moved your data, make sure your configured node id matches. If you intend to create a new node, you should remove all data in your data directories.`)
    }
    formattedCount++
  }
  const result: FormatResult = {lines, formattedDirectories: [], metadataVersion: mv.name, metadataVersionLevel: mv.level, clusterId, nodeId: config.nodeId}
  if (toFormat.length === 0) {
    if (formattedCount > 0) {
      lines.push('All of the log directories are already formatted.')
      return result
    }
    throw new StorageError('No available log directories to format.')
  }
  for (const dir of toFormat) {
    const isMetadataDir = dir === config.metadataLogDir
    const kind = !isMetadataDir
      ? 'data directory'
      : localVoter ? 'dynamic metadata voter directory' : config.controllerQuorumVoters.length > 0 ? 'metadata directory' : 'dynamic metadata directory'
    try {
      fs.mkdirSync(dir, {recursive: true})
      const directoryId = isMetadataDir && localVoter ? localVoter.directoryId : randomDirectoryId()
      writeMetaProperties(dir, {version: 1, nodeId: config.nodeId, clusterId, directoryId})
      writeBootstrapCheckpoint(dir, mv.level, {}, scramRecords)
      if (isMetadataDir && initialVoters) writeBootstrapVotersSnapshot(dir, toVoterSet(initialVoters, config.controllerListenerNames[0] ?? 'CONTROLLER'))
    } catch (err) {
      throw new StorageError(`Error while writing meta.properties file ${path.join(dir, 'meta.properties')}: ${(err as Error).message}`)
    }
    lines.push(`Formatting ${kind} ${dir} with metadata.version ${mv.name}.`)
    result.formattedDirectories.push(dir)
  }
  return result
}
