/**
 * The initial voters of a dynamic quorum (KIP-853) given to `kts storage format`: `--standalone`
 * (this controller alone) or `--initial-controllers id@host:port:directoryId,...` (Kafka
 * `DynamicVoter`, `DynamicVoters`), and the bootstrap snapshot that carries them:
 * `<metadata.log.dir>/__cluster_metadata-0/00000000000000000000-0000000000.checkpoint` with a
 * SNAPSHOT_HEADER, a KRAFT_VERSION (1) and a KRAFT_VOTERS record, and a SNAPSHOT_FOOTER.
 */
import fs from 'node:fs'
import path from 'node:path'
import {uuidStringProblem} from '../../protocol/primitives/uuid-text.js'
import {encodeSnapshot, snapshotFileName} from '../raft/snapshot-file.js'
import {SUPPORTED_KRAFT_VERSION, sortVoters, type VoterNode} from '../raft/voter-set.js'
import {writeFileAtomically} from './meta-properties.js'

export interface DynamicVoter {
  nodeId: number
  host: string
  port: number
  directoryId: string
}

/** The metadata partition directory (`__cluster_metadata-0`) under `metadata.log.dir`. */
export const METADATA_PARTITION_DIR = '__cluster_metadata-0'

/**
 * Parses one `id@host:port:directoryId` (IPv6 hosts in brackets).
 * @throws Error with Kafka's message (`No @ found in dynamic voter string.`, ...)
 */
export function parseDynamicVoter(text: string): DynamicVoter {
  let input = text.trim()
  const at = input.indexOf('@')
  if (at < 0) throw new Error('No @ found in dynamic voter string.')
  if (at === 0) throw new Error('Invalid @ at beginning of dynamic voter string.')
  const idText = input.slice(0, at)
  if (!/^-?\d+$/.test(idText)) throw new Error('Failed to parse node id in dynamic voter string.')
  const nodeId = Number(idText)
  if (nodeId < 0) throw new Error(`Invalid negative node id ${nodeId} in dynamic voter string.`)
  input = input.slice(at + 1)
  if (input === '') throw new Error('No hostname found after node id.')
  let host: string
  if (input.startsWith('[')) {
    const end = input.indexOf(']')
    if (end < 0) throw new Error('Hostname began with left bracket, but no right bracket was found.')
    host = input.slice(1, end)
    input = input.slice(end + 1)
  } else {
    const colon = input.indexOf(':')
    if (colon < 0) throw new Error('No colon following hostname could be found.')
    host = input.slice(0, colon)
    input = input.slice(colon)
  }
  if (!input.startsWith(':')) throw new Error('Port section must start with a colon.')
  input = input.slice(1)
  const colon = input.indexOf(':')
  if (colon < 0) throw new Error('No colon following port could be found.')
  const portText = input.slice(0, colon)
  if (!/^-?\d+$/.test(portText)) throw new Error('Failed to parse port in dynamic voter string.')
  const port = Number(portText)
  if (port < 0 || port > 65535) throw new Error(`Invalid port ${port} in dynamic voter string.`)
  const directoryId = input.slice(colon + 1)
  if (uuidStringProblem(directoryId) !== null) throw new Error('Failed to parse directory ID in dynamic voter string.')
  return {nodeId, host, port, directoryId}
}

/**
 * Parses `--initial-controllers`: comma-separated voters, each node id and directory id once.
 * @throws Error with Kafka's message
 */
export function parseDynamicVoters(text: string): DynamicVoter[] {
  const voters: DynamicVoter[] = []
  for (const part of text.split(',')) {
    if (part.trim() === '') continue
    const v = parseDynamicVoter(part)
    if (voters.some(x => x.nodeId === v.nodeId)) throw new Error(`Node id ${v.nodeId} was specified more than once.`)
    if (voters.some(x => x.directoryId === v.directoryId)) throw new Error(`Directory id ${v.directoryId} was specified more than once.`)
    voters.push(v)
  }
  if (voters.length === 0) throw new Error('No voters given.')
  return voters
}

/** The voter set of the bootstrap snapshot: each voter on the controller listener `listenerName`. */
export function toVoterSet(voters: readonly DynamicVoter[], listenerName: string): VoterNode[] {
  return sortVoters(voters.map(v => ({
    id: v.nodeId, directoryId: v.directoryId, endpoints: [{name: listenerName, host: v.host, port: v.port}], kraftVersion: {...SUPPORTED_KRAFT_VERSION},
  })))
}

/** Writes the bootstrap snapshot 0-0 with `voters` into `<metadataLogDir>/__cluster_metadata-0`. */
export function writeBootstrapVotersSnapshot(metadataLogDir: string, voters: readonly VoterNode[], nowMs = Date.now()): string {
  const dir = path.join(metadataLogDir, METADATA_PARTITION_DIR)
  fs.mkdirSync(dir, {recursive: true})
  const id = {endOffset: 0, epoch: 0}
  const file = path.join(dir, snapshotFileName(id))
  writeFileAtomically(file, encodeSnapshot(id, [], 0, nowMs, voters))
  return file
}
