/**
 * A local multi-node cluster on this machine (`kts cluster start|status|stop`; no Kafka
 * counterpart): one directory holding each node's config, data and logs, and `cluster.json`
 * describing them. Nodes run as `kts server start -daemon` processes; their pids come from the
 * server registry (`kts server stop`'s pid files), matched by config file.
 */
import fs from 'node:fs'
import path from 'node:path'
import {TerseError} from '../errors.js'
import {startDaemon, type DaemonStarted} from '../server/daemon.js'
import {isRunning, removeServerRecord, runningServers, type ServerRecord} from '../server/server-registry.js'
import {BrokerConnection} from '../../protocol/client/broker-connection.js'
import {DescribeQuorumApi, type DescribeQuorumResponse} from '../../protocol/generated/messages/describe-quorum.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {loadServerConfig} from '../../server/config/server-config.js'
import {formatStorage} from '../../server/storage/formatter.js'
import {randomClusterId} from '../../server/storage/storage-ids.js'
import {layoutNodes, nodeProperties, type ClusterLayout, type LocalNode} from './layout.js'

export const MANIFEST_FILE = 'cluster.json'

/** `<dir>/cluster.json`. */
export interface ClusterManifest {
  clusterId: string
  layout: ClusterLayout
  nodes: LocalNode[]
}

/** Reads `<dir>/cluster.json`; null when the directory holds no cluster. @throws TerseError when unreadable */
export function readManifest(dir: string): ClusterManifest | null {
  const file = path.join(dir, MANIFEST_FILE)
  if (!fs.existsSync(file)) return null
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterManifest
  } catch (err) {
    throw new TerseError(`Cannot read ${file}: ${(err as Error).message}`)
  }
}

/**
 * Writes every node's server.properties and formats its storage with one new cluster id, as
 * `kts storage format -t <id> -c <file>` does for each.
 * @throws TerseError when `dir` already holds a cluster or a node's storage cannot be formatted
 */
export function createCluster(dir: string, layout: ClusterLayout): ClusterManifest {
  if (readManifest(dir) !== null) throw new TerseError(`${dir} already holds a kts cluster (${MANIFEST_FILE})`)
  const nodes = layoutNodes(layout, dir)
  const clusterId = randomClusterId()
  for (const n of nodes) {
    fs.mkdirSync(n.dir, {recursive: true})
    fs.writeFileSync(n.configFile, nodeProperties(n, nodes, layout))
    formatStorage({config: loadServerConfig(n.configFile), clusterId})
  }
  const manifest: ClusterManifest = {clusterId, layout, nodes}
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
  return manifest
}

/** The running server process of `node`, if any. */
export function nodeProcess(node: LocalNode, running: ServerRecord[] = runningServers()): ServerRecord | undefined {
  return running.find(r => path.resolve(r.configFile) === path.resolve(node.configFile))
}

/**
 * Starts every node that is not running as a daemon, all at once (a broker's start completes only
 * once a quorum of controllers is up), and resolves once each is up: controllers listen, brokers
 * are registered and unfenced.
 * @throws TerseError naming the nodes that failed to start (the others keep running)
 */
export async function startNodes(manifest: ClusterManifest, runJs: string, timeoutMs = 60_000): Promise<Map<number, DaemonStarted | ServerRecord>> {
  const running = runningServers()
  const results = await Promise.allSettled(manifest.nodes.map(async n => {
    const existing = nodeProcess(n, running)
    if (existing) return existing
    return startDaemon({runJs, configPath: n.configFile, overrides: [], logDir: n.logDir, timeoutMs})
  }))
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`node ${manifest.nodes[i].id}: ${(r.reason as Error).message}`] : []))
  if (failed.length > 0) throw new TerseError(`Could not start ${failed.join('; ')}`)
  return new Map(results.map((r, i) => [manifest.nodes[i].id, (r as PromiseFulfilledResult<DaemonStarted | ServerRecord>).value]))
}

/** SIGTERM to each of `targets`, then waits for all of them to exit. @throws TerseError at the deadline */
async function terminate(targets: {node: LocalNode, rec: ServerRecord}[], timeoutMs: number): Promise<void> {
  for (const t of targets) {
    try {
      process.kill(t.rec.pid, 'SIGTERM')
    } catch {
      // exited meanwhile
    }
  }
  const deadline = Date.now() + timeoutMs
  let pending = targets
  while (pending.length > 0 && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 50))
    pending = pending.filter(t => isRunning(t.rec))
  }
  if (pending.length > 0) throw new TerseError(`Node(s) ${pending.map(t => t.node.id).join(', ')} did not stop within ${Math.round(timeoutMs / 1000)} s`)
  for (const t of targets) removeServerRecord(t.rec.pid)
}

/**
 * Stops the running nodes of the cluster with SIGTERM: broker-only nodes first, all at once (their
 * controlled shutdown needs the controllers), then the controllers one at a time with the active
 * controller last, so that each controlled shutdown still finds a quorum.
 * @returns the ids of the nodes that were stopped
 */
export async function stopNodes(manifest: ClusterManifest, timeoutMs = 60_000): Promise<number[]> {
  const running = runningServers()
  const targets = manifest.nodes.flatMap(n => {
    const rec = nodeProcess(n, running)
    return rec ? [{node: n, rec}] : []
  })
  await terminate(targets.filter(t => !t.node.roles.includes('controller')), timeoutMs)
  const leaderId = (await clusterStatus(manifest)).leaderId
  const controllers = targets.filter(t => t.node.roles.includes('controller'))
    .sort((a, b) => Number(a.node.id === leaderId) - Number(b.node.id === leaderId) || a.node.id - b.node.id)
  for (const t of controllers) await terminate([t], timeoutMs)
  return targets.map(t => t.node.id).sort((a, b) => a - b)
}

/** One node as `kts cluster status` shows it. */
export interface NodeStatus {
  id: number
  roles: string
  listeners: string
  /** 0 when not running. */
  pid: number
  /** Leader, Follower, Observer, or '-' (not running or unknown). */
  raft: string
  /** unfenced, fenced (registered but not serving clients), '-' (no broker role or not running). */
  broker: string
}

export interface ClusterStatus {
  clusterId: string
  leaderId: number
  leaderEpoch: number
  nodes: NodeStatus[]
  /** Bootstrap servers: every broker. */
  bootstrapServers: string
}

async function ask<T>(port: number, host: string, fn: (c: BrokerConnection) => Promise<T>): Promise<T | null> {
  let c: BrokerConnection | null = null
  try {
    c = await BrokerConnection.connect({host, port, clientId: 'kts-cluster-status', connectTimeoutMs: 2000, requestTimeoutMs: 3000})
    return await fn(c)
  } catch {
    return null
  } finally {
    c?.close()
  }
}

/** The cluster's state as its running nodes report it (DescribeQuorum from the leader, Metadata from a broker). */
export async function clusterStatus(manifest: ClusterManifest): Promise<ClusterStatus> {
  const {host} = manifest.layout
  const running = runningServers()
  let quorum: DescribeQuorumResponse['topics'][number]['partitions'][number] | null = null
  for (const n of manifest.nodes.filter(x => x.controllerPort > 0 && nodeProcess(x, running))) {
    quorum = await ask(n.controllerPort, host, async c => {
      const res = await c.send(DescribeQuorumApi, c.version(DescribeQuorumApi), {topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}) as DescribeQuorumResponse
      const p = res.topics[0]?.partitions[0]
      return p && p.errorCode === 0 ? p : null
    })
    if (quorum) break
  }
  let liveBrokers: Set<number> | null = null
  for (const n of manifest.nodes.filter(x => x.brokerPort > 0 && nodeProcess(x, running))) {
    liveBrokers = await ask(n.brokerPort, host, async c => {
      const res = await c.send(MetadataApi, c.version(MetadataApi, 12), {topics: [], allowAutoTopicCreation: false}) as MetadataResponse
      return new Set(res.brokers.map(b => b.nodeId))
    })
    if (liveBrokers) break
  }
  const nodes = manifest.nodes.map((n): NodeStatus => {
    const rec = nodeProcess(n, running)
    let raft = '-'
    if (rec && quorum) {
      if (quorum.leaderId === n.id) raft = 'Leader'
      else if (quorum.currentVoters.some(v => v.replicaId === n.id)) raft = 'Follower'
      else if (quorum.observers.some(v => v.replicaId === n.id)) raft = 'Observer'
    }
    let broker = '-'
    if (rec && n.brokerPort > 0 && liveBrokers) broker = liveBrokers.has(n.id) ? 'unfenced' : 'fenced'
    const listeners = [n.brokerPort ? `PLAINTEXT://${host}:${n.brokerPort}` : '', n.controllerPort ? `CONTROLLER://${host}:${n.controllerPort}` : ''].filter(Boolean).join(',')
    return {id: n.id, roles: n.roles.join(','), listeners, pid: rec?.pid ?? 0, raft, broker}
  })
  return {
    clusterId: manifest.clusterId,
    leaderId: quorum?.leaderId ?? -1,
    leaderEpoch: quorum?.leaderEpoch ?? -1,
    nodes,
    bootstrapServers: manifest.nodes.filter(n => n.brokerPort > 0).map(n => `${host}:${n.brokerPort}`).join(','),
  }
}

/**
 * Polls the cluster's status until the quorum has a leader and every broker is seen unfenced (a
 * started broker is unfenced, but the broker asked may not have replayed that yet), or `timeoutMs`
 * passes; resolves with the last status either way.
 */
export async function waitUntilServing(manifest: ClusterManifest, timeoutMs = 15_000): Promise<ClusterStatus> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const status = await clusterStatus(manifest)
    const ready = status.leaderId >= 0 && status.nodes.every(n => !n.roles.includes('broker') || n.broker === 'unfenced')
    if (ready || Date.now() >= deadline) return status
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
