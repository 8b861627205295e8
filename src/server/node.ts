/**
 * One KRaft node in one process (Kafka `KafkaRaftServer`): starts the roles `process.roles` asks
 * for over a shared Raft client and metadata cache, and owns their lifecycle.
 *
 * Start-up order: verify storage (meta.properties) → SharedServer (metadata log replay, joining the
 * quorum) → ControllerServer and its listeners (controller role) → BrokerServer (broker role:
 * logs, registration with the active controller, broker listeners, unfencing). Shutdown runs
 * backwards: the broker's controlled shutdown first, the controller, the Raft client, logging.
 */
import {allListenerSecurity} from './security/listener-security.js'
import {interNodeSecurity} from './security/inter-node-security.js'
import {randomUuid} from '../protocol/primitives/uuid.js'
import type {ServerConfig} from './config/server-config.js'
import {loadMetaPropertiesEnsemble} from './storage/meta-properties-ensemble.js'
import {ControllerServer} from './controller/controller-server.js'
import {BrokerServer} from './broker/broker-server.js'
import {SharedServer} from './shared-server.js'
import {getLogger, shutdownLogging, type Logger} from './util/logger.js'
import {createNodeMetrics} from './metrics/metrics-service.js'

export interface StartNodeOptions {
  config: ServerConfig
  /** The server.properties the config came from (logged). */
  configPath?: string
}

export interface RunningNode {
  nodeId: number
  clusterId: string
  /** Bound ports by listener name (differs from the config when port 0 was configured). */
  boundPorts: ReadonlyMap<string, number>
  /** `http://host:port/metrics` of each `kts.metrics.listeners` entry (bound ports); empty when metrics are off. */
  metricsUrls: string[]
  /** Stops the broker (controlled shutdown), the controller and the Raft client, closing the logs. */
  shutdown(): Promise<void>
  /** Resolves once the node has shut down. */
  done: Promise<void>
  /** Why the node stopped by itself (a fatal error, e.g. its storage belongs to another cluster); null otherwise. */
  readonly failure: Error | null
}

/**
 * Starts a node with the roles of `config.processRoles`; resolves once its listeners are open
 * and, with the broker role, the controller has unfenced it.
 * @throws StorageError when storage is not formatted or does not match the config
 * @throws Error (one readable line) for listeners with an unsupported security protocol, a port
 *   already in use, or a metadata log that cannot be read
 */
export async function startNode({config, configPath}: StartNodeOptions): Promise<RunningNode> {
  const startedAt = Date.now()
  const nodeId = config.nodeId
  const log = getLogger('kafka.server.KafkaRaftServer', `[KafkaRaftServer nodeId=${nodeId}] `)
  // Every listener's TLS/SASL settings must be usable before anything starts (throws one ConfigError line).
  allListenerSecurity(config)
  interNodeSecurity(config)
  for (const key of config.unknownKeys ?? []) log.warn(`The configuration '${key}' was supplied but isn't a known config.`)
  if (configPath) log.info(`Starting node from ${configPath}`)

  const ensemble = loadMetaPropertiesEnsemble(config)
  for (const dir of ensemble.rewritten) log.info(`Rewriting ${dir}/meta.properties`)
  const clusterId = ensemble.clusterId

  const stops: (() => Promise<void>)[] = []
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop()
      } catch (err) {
        log.error('Error during shutdown', err)
      }
    }
  }
  const boundPorts = new Map<string, number>()
  let metricsUrls: string[] = []
  let shutdown: (() => Promise<void>) | null = null
  let failure: Error | null = null
  let abortStartup!: (err: Error) => void
  const aborted = new Promise<never>((_, reject) => { abortStartup = reject })
  aborted.catch(() => undefined)
  try {
    // --- metrics (kts.metrics.listeners, off by default): bound first, so a port in use fails fast
    const metrics = await createNodeMetrics(config, getLogger('kts.metrics.MetricsListener', `[MetricsListener nodeId=${nodeId}] `))
    stops.push(() => metrics.stop())
    metricsUrls = await metrics.start()

    const shared = await SharedServer.start({
      config, clusterId, nodeId, directoryId: ensemble.metadataDirectoryId, logger: getLogger('kafka.raft.KafkaRaftClient', `[RaftManager id=${nodeId}] `),
      onFatal: (err) => {
        failure ??= err
        log.error('The Raft client failed; shutting down', err)
        abortStartup(err)
        void shutdown?.()
      },
    })
    stops.push(() => shared.shutdown())
    const isBroker = config.processRoles.includes('broker')
    const incarnationId = randomUuid()
    let controller: ControllerServer | null = null
    if (config.processRoles.includes('controller')) {
      const c = await ControllerServer.start({config, clusterId, nodeId, shared, localBrokerIncarnationId: isBroker ? incarnationId : undefined, metrics: metrics.hooks})
      controller = c
      stops.push(() => c.shutdown())
      await c.startListeners()
      metrics.bindController({controller: c.controller, metadata: c.metadata, connections: c})
      for (const [name, port] of c.boundPorts) boundPorts.set(name, port)
    }
    if (isBroker) {
      const b = await BrokerServer.start({
        config, clusterId, nodeId, shared, localController: controller?.local, incarnationId,
        directoryIds: ensemble.directories.map(d => d.directoryId), metrics, abort: aborted,
      })
      stops.push(() => b.shutdown())
      for (const [name, port] of b.boundPorts) boundPorts.set(name, port)
    }
  } catch (err) {
    await stopAll()
    throw err
  }

  const listenersText = config.listeners.map((l) => `${l.name}://${l.host}:${boundPorts.get(l.name) ?? l.port}`).join(',')
  log.info(`Kafka Server started (cluster id ${clusterId}, listeners ${listenersText}, ${Date.now() - startedAt} ms)`)

  let resolveDone!: () => void
  const done = new Promise<void>((r) => (resolveDone = r))
  let stopping: Promise<void> | null = null
  shutdown = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('Shutting down')
      await stopAll()
      log.info('Kafka Server shut down')
      await shutdownLogging()
      resolveDone()
    })()
    return stopping
  }
  return {nodeId, clusterId, boundPorts, metricsUrls, shutdown, done, get failure() { return failure }}
}

export type {Logger}
