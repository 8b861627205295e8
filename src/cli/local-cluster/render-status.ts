/**
 * `kts cluster status` / the end of `kts cluster start`: the cluster's nodes as a table for people
 * (cli-table3; header bold on a colour terminal only).
 */
import Table from 'cli-table3'
import {styleFor} from '../output/style.js'
import type {ClusterStatus} from './local-cluster.js'

const HEADERS = ['NodeId', 'Roles', 'Listeners', 'Pid', 'Raft', 'Broker']

export function renderClusterStatus(status: ClusterStatus, stream: NodeJS.WriteStream = process.stdout): string {
  const style = styleFor(stream)
  const table = new Table({
    head: HEADERS.map(h => style.header(h)),
    style: {head: [], border: []},
  })
  for (const n of status.nodes) {
    table.push([String(n.id), n.roles, n.listeners, n.pid > 0 ? String(n.pid) : 'stopped', n.raft, n.broker])
  }
  const leader = status.leaderId >= 0 ? `${status.leaderId} (epoch ${status.leaderEpoch})` : 'none'
  return [
    `Cluster ID: ${status.clusterId}`,
    `Bootstrap servers: ${status.bootstrapServers}`,
    `Active controller: ${leader}`,
    table.toString(),
  ].join('\n') + '\n'
}
