/**
 * Text of `kts metadata-quorum describe` exactly as Kafka 3.9/4.0's `MetadataQuorumCommand` prints
 * it (kafka-tools.md §7.2):
 * - `--status`: eight `Label:` lines, labels padded to 24 characters; CurrentVoters /
 *   CurrentObservers as `[{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://localhost:9093"]}]`
 *   (`"directoryId": null` for the zero uuid, `endpoints` left out when unknown).
 * - `--replication`: `ToolsUtils.prettyPrintTable`, each cell padded to its column's width and
 *   followed by a TAB; rows: the leader, the other voters (`Follower`), the observers (`Observer`).
 */
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {TerseError} from '../errors.js'
import type {QuorumInfo, ReplicaState} from './kraft-admin.js'

/** The voter that leads, as Kafka's tool finds it. @throws TerseError `No value present` when the leader is not a voter (Java's Optional.get). */
function leaderOf(info: QuorumInfo): ReplicaState {
  const leader = info.voters.find(v => v.replicaId === info.leaderId)
  if (leader === undefined) throw new TerseError('No value present')
  return leader
}

/** MaxFollowerLag and MaxFollowerLagTimeMs of `describe --status`. */
export function followerLag(info: QuorumInfo): {maxFollowerLag: number, maxFollowerLagTimeMs: number} {
  const leader = leaderOf(info)
  // Java's Stream.min keeps the first of equal elements.
  const laggard = info.voters.reduce((min, v) => (v.logEndOffset < min.logEndOffset ? v : min), info.voters[0])
  const maxFollowerLag = leader.logEndOffset - laggard.logEndOffset
  let maxFollowerLagTimeMs: number
  if (laggard === leader) maxFollowerLagTimeMs = 0
  else if (leader.lastCaughtUpTimestamp !== null && laggard.lastCaughtUpTimestamp !== null) maxFollowerLagTimeMs = leader.lastCaughtUpTimestamp - laggard.lastCaughtUpTimestamp
  else maxFollowerLagTimeMs = -1
  return {maxFollowerLag, maxFollowerLagTimeMs}
}

/** `RaftVoterEndpoint.toString()`: `NAME://host:port`, IPv6 hosts in brackets. */
function endpointText(e: {name: string, host: string, port: number}): string {
  return `${e.name}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`
}

function replicaList(info: QuorumInfo, replicas: ReplicaState[]): string {
  const items = replicas.map(r => {
    const endpoints = info.nodes.find(n => n.nodeId === r.replicaId)?.endpoints ?? []
    let s = `{"id": ${r.replicaId}, "directoryId": ${r.replicaDirectoryId === ZERO_UUID ? 'null' : `"${r.replicaDirectoryId}"`}`
    if (endpoints.length > 0) s += `, "endpoints": [${endpoints.map(e => `"${endpointText(e)}"`).join(', ')}]`
    return s + '}'
  })
  return `[${items.join(', ')}]`
}

/** The `describe --status` text (with its final newline). */
export function renderStatus(clusterId: string, info: QuorumInfo): string {
  const {maxFollowerLag, maxFollowerLagTimeMs} = followerLag(info)
  const lines: [string, string | number][] = [
    ['ClusterId:', clusterId],
    ['LeaderId:', info.leaderId],
    ['LeaderEpoch:', info.leaderEpoch],
    ['HighWatermark:', info.highWatermark],
    ['MaxFollowerLag:', maxFollowerLag],
    ['MaxFollowerLagTimeMs:', maxFollowerLagTimeMs],
    ['CurrentVoters:', replicaList(info, info.voters)],
    ['CurrentObservers:', replicaList(info, info.observers)],
  ]
  return lines.map(([label, value]) => label.padEnd(24) + String(value)).join('\n') + '\n'
}

/**
 * `ms ago` of `--human-readable`.
 * @throws TerseError (Kafka's message) when the timestamp is not between the epoch and `now` (clock drift)
 */
export function relativeTimeMs(timestampMs: number, desc: string, now: number): number {
  if (!(timestampMs > 0 && timestampMs <= now)) {
    throw new TerseError(`Error while computing relative time, possible drift in system clock.\nCurrent timestamp is ${now}, ${desc} timestamp is ${timestampMs}`)
  }
  return now - timestampMs
}

export const REPLICATION_HEADERS = ['NodeId', 'DirectoryId', 'LogEndOffset', 'Lag', 'LastFetchTimestamp', 'LastCaughtUpTimestamp', 'Status']

/** The `describe --replication` rows as strings, in Kafka's order. */
export function replicationRows(info: QuorumInfo, humanReadable: boolean, now: number): string[][] {
  const leader = leaderOf(info)
  const time = (ts: number | null, desc: string): string =>
    ts === null ? '-1' : humanReadable ? `${relativeTimeMs(ts, desc, now)} ms ago` : String(ts)
  const row = (r: ReplicaState, status: string): string[] => [
    String(r.replicaId), r.replicaDirectoryId, String(r.logEndOffset), String(leader.logEndOffset - r.logEndOffset),
    time(r.lastFetchTimestamp, 'last fetch'), time(r.lastCaughtUpTimestamp, 'last caught up'), status,
  ]
  return [
    row(leader, 'Leader'),
    ...info.voters.filter(v => v.replicaId !== info.leaderId).map(v => row(v, 'Follower')),
    ...info.observers.map(o => row(o, 'Observer')),
  ]
}

/** Kafka `ToolsUtils.prettyPrintTable`: every cell padded to its column's width, then a TAB. */
export function prettyTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  return [headers, ...rows].map(r => r.map((cell, i) => cell.padEnd(widths[i]) + '\t').join('') + '\n').join('')
}

/** The `describe --replication` text. */
export function renderReplication(info: QuorumInfo, humanReadable: boolean, now = Date.now()): string {
  return prettyTable(REPLICATION_HEADERS, replicationRows(info, humanReadable, now))
}
