/**
 * One KRaft node in one process (Kafka `KafkaRaftServer` with `BrokerServer` + `ControllerServer`
 * in combined mode): wires the layers of `../shared/DESIGN.md` together and owns their lifecycle.
 *
 * Start-up order: verify storage (meta.properties) → open the logs (LogManager, recovery) →
 * controller (Raft log replay, election, bootstrap) → replica manager following the metadata image
 * → broker registration (unfenced) → group coordinator on `__consumer_offsets` → listeners.
 * Shutdown runs the same steps backwards and ends with the clean-shutdown marker.
 */
import {randomUuid} from '../protocol/primitives/uuid.js'
import type {ServerConfig} from './config/server-config.js'
import {logConfigFromServer} from './config/server-config.js'
import {logConfigForTopic, minInsyncReplicasForTopic} from './config/topic-log-config.js'
import {loadMetaPropertiesEnsemble} from './storage/meta-properties-ensemble.js'
import {LogManager, type LogConfig} from './log/index.js'
import {ControllerServer} from './controller/controller-server.js'
import {metadataViewOf} from './metadata/image-metadata-view.js'
import type {MetadataImage} from './metadata/metadata-image.js'
import {ReplicaManager} from './replica/replica-manager.js'
import type {Partition, PartitionState} from './replica/partition.js'
import {ProducerIdManager} from './replica/producer-id-manager.js'
import {GroupCoordinator, groupCoordinatorConfigFrom, type CoordinatorPartitionStorage} from './group/group-coordinator.js'
import {GROUP_METADATA_TOPIC_NAME} from './group/group-partition.js'
import {systemClock} from './group/clock.js'
import {SocketServer, type ListenerSpec} from './network/socket-server.js'
import {RequestDispatcher} from './network/request-dispatcher.js'
import {brokerApis, controllerApis} from './apis/index.js'
import {createTopics} from './apis/create-topics.js'
import {deleteTopics} from './apis/delete-topics.js'
import {createPartitions} from './apis/create-partitions.js'
import {describeConfigs} from './apis/describe-configs.js'
import {alterConfigs} from './apis/alter-configs.js'
import {incrementalAlterConfigs} from './apis/incremental-alter-configs.js'
import {describeCluster} from './apis/describe-cluster.js'
import {describeQuorum} from './apis/describe-quorum.js'
import {unregisterBroker} from './apis/unregister-broker.js'
import {findCoordinator} from './apis/find-coordinator.js'
import {joinGroup} from './apis/join-group.js'
import {syncGroup} from './apis/sync-group.js'
import {heartbeat} from './apis/heartbeat.js'
import {leaveGroup} from './apis/leave-group.js'
import {offsetCommit} from './apis/offset-commit.js'
import {offsetFetch} from './apis/offset-fetch.js'
import {listGroups} from './apis/list-groups.js'
import {describeGroups} from './apis/describe-groups.js'
import {deleteGroups} from './apis/delete-groups.js'
import {offsetDelete} from './apis/offset-delete.js'
import type {BrokerServices} from './broker-services.js'
import {KafkaError, ErrorCode} from '../protocol/errors.js'
import {batchHeaders, lastOffsetOf} from '../protocol/records/record-batch.js'
import {getLogger, shutdownLogging, type Logger} from './util/logger.js'

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
  /** Stops listeners, coordinators, the controller and closes the logs (writing checkpoints). */
  shutdown(): Promise<void>
  /** Resolves once the node has shut down. */
  done: Promise<void>
}

const SECURITY_PROTOCOL_IDS: Record<string, number> = {PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3}

/** APIs served on broker listeners beyond the data-plane core of apis/index.ts. */
const BROKER_EXTRA_APIS = [
  createTopics, deleteTopics, createPartitions, describeConfigs, alterConfigs, incrementalAlterConfigs,
  describeCluster, describeQuorum, unregisterBroker,
  findCoordinator, joinGroup, syncGroup, heartbeat, leaveGroup, offsetCommit, offsetFetch, listGroups,
  describeGroups, deleteGroups, offsetDelete,
]

/** APIs served on controller listeners (admin clients may bootstrap to a controller, KIP-919). */
const CONTROLLER_EXTRA_APIS = [describeCluster, describeQuorum, unregisterBroker, createTopics, deleteTopics, createPartitions, describeConfigs, alterConfigs, incrementalAlterConfigs]

/**
 * Starts a combined broker+controller node from a parsed config.
 * @throws StorageError when storage is not formatted or does not match the config
 * @throws Error (one readable line) for listeners with an unsupported security protocol, a port
 *   already in use, or a metadata log that cannot be read
 */
export async function startNode({config, configPath}: StartNodeOptions): Promise<RunningNode> {
  const startedAt = Date.now()
  const nodeId = config.nodeId
  const log = getLogger('kafka.server.KafkaRaftServer', `[KafkaRaftServer nodeId=${nodeId}] `)
  const brokerLog = getLogger('kafka.server.BrokerServer', `[BrokerServer id=${nodeId}] `)

  if (!config.processRoles.includes('broker') || !config.processRoles.includes('controller')) {
    throw new Error(`process.roles=${config.processRoles.join(',')} is not supported yet: kts runs combined nodes (process.roles=broker,controller)`)
  }
  for (const l of config.listeners) {
    const protocol = config.listenerSecurityProtocolMap[l.name] ?? l.securityProtocol
    if (protocol !== 'PLAINTEXT') throw new Error(`Listener ${l.name} uses security protocol ${protocol}, which is not supported yet (only PLAINTEXT)`)
  }
  for (const key of config.unknownKeys ?? []) log.warn(`The configuration '${key}' was supplied but isn't a known config.`)
  if (configPath) log.info(`Starting node from ${configPath}`)

  const ensemble = loadMetaPropertiesEnsemble(config)
  for (const dir of ensemble.rewritten) log.info(`Rewriting ${dir}/meta.properties`)
  const clusterId = ensemble.clusterId

  // --- storage ------------------------------------------------------------------------------
  const brokerLogConfig = logConfigFromServer(config) as LogConfig
  const logManager = new LogManager({logDirs: config.logDirs, defaultConfig: brokerLogConfig, logger: getLogger('kafka.log.LogManager')})
  logManager.startup()
  let brokerEpoch = -1

  const cleanups: (() => Promise<void> | void)[] = []
  const runCleanups = async (): Promise<void> => {
    for (const c of cleanups.reverse()) {
      try {
        await c()
      } catch (err) {
        log.error('Error during shutdown', err)
      }
    }
    cleanups.length = 0
  }
  cleanups.push(() => logManager.shutdown(brokerEpoch))

  try {
    // --- controller (Raft + metadata image) -------------------------------------------------
    const controllerServer = await ControllerServer.start({config, clusterId, nodeId, logger: getLogger('kafka.raft.KafkaRaftClient', `[RaftManager id=${nodeId}] `)})
    cleanups.push(() => controllerServer.shutdown())
    const {controller, metadata} = controllerServer
    const image = (): MetadataImage => metadata.image

    // --- partitions -------------------------------------------------------------------------
    const topicOverrides = (topic: string): ReadonlyMap<string, string> => metadataViewOf(image()).topicConfigs(topic)
    const replicaManager = new ReplicaManager(
      nodeId,
      logManager,
      (topic) => logConfigForTopic(brokerLogConfig, topicOverrides(topic)),
      (topic) => minInsyncReplicasForTopic(config.minInsyncReplicas, topicOverrides(topic)),
      getLogger('kafka.server.ReplicaManager', `[ReplicaManager broker=${nodeId}] `),
    )
    cleanups.push(() => replicaManager.shutdown())

    // --- group coordinator over __consumer_offsets ------------------------------------------
    const groupStorage: CoordinatorPartitionStorage = {
      async append(partition, records) {
        const p = replicaManager.getPartition(GROUP_METADATA_TOPIC_NAME, partition)
        if (!p) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${GROUP_METADATA_TOPIC_NAME}-${partition} is not hosted here`)
        const {lastOffset} = p.appendInternal(records)
        if (p.highWatermark <= lastOffset) throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, 'Group records not replicated')
      },
      read(partition, fromOffset, maxBytes) {
        const p = replicaManager.getPartition(GROUP_METADATA_TOPIC_NAME, partition)
        if (!p) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${GROUP_METADATA_TOPIC_NAME}-${partition} is not hosted here`)
        const start = Math.max(fromOffset, p.logStartOffset)
        const hw = p.highWatermark
        if (start >= hw) return {records: Buffer.alloc(0), nextOffset: start, logEndOffset: hw}
        const {records} = p.log.read(start, maxBytes, hw, true)
        let nextOffset = start
        for (const h of batchHeaders(records)) nextOffset = lastOffsetOf(h) + 1
        return {records, nextOffset, logEndOffset: hw}
      },
    }
    const groupCoordinator = new GroupCoordinator(
      groupStorage,
      groupCoordinatorConfigFrom(config),
      systemClock,
      (topic, partition) => {
        const t = image().topicsByName.get(topic)
        return t !== undefined && t.partitions.has(partition)
      },
    )
    cleanups.push(() => groupCoordinator.close())
    const groupLog = getLogger('kafka.coordinator.group.GroupCoordinator', `[GroupCoordinator ${nodeId}]: `)
    replicaManager.onLeadershipChange((p: Partition, isLeader: boolean) => {
      if (p.topic !== GROUP_METADATA_TOPIC_NAME) return
      if (isLeader) {
        groupCoordinator.onElection(p.partitionIndex, p.leaderEpoch).catch((err: unknown) =>
          groupLog.error(`Failed to load groups of ${p.topic}-${p.partitionIndex}`, err))
      } else {
        groupCoordinator.onResignation(p.partitionIndex)
      }
    })

    // --- follow the metadata image ------------------------------------------------------------
    let applied: MetadataImage | null = null
    const applyImage = (next: MetadataImage): void => {
      const topicsChanged = applied === null || applied.topicsByName !== next.topicsByName
      const configsChanged = applied === null || applied.configs !== next.configs
      applied = next
      if (topicsChanged) {
        const states: PartitionState[] = []
        for (const t of metadataViewOf(next).topics()) states.push(...t.partitions)
        replicaManager.applyPartitionStates(states)
      }
      if (configsChanged) {
        for (const topic of new Set(replicaManager.allPartitions().map((p) => p.topic))) replicaManager.refreshLogConfigs(topic)
      }
    }
    const unsubscribe = metadata.onUpdate((_delta, next) => {
      try {
        applyImage(next)
      } catch (err) {
        brokerLog.error('Error applying metadata update', err)
      }
    })
    cleanups.push(() => unsubscribe())
    applyImage(metadata.image)

    // --- broker registration ------------------------------------------------------------------
    const registration = await controller.registerBroker({
      brokerId: nodeId,
      incarnationId: randomUuid(),
      listeners: config.advertisedListeners.map((e) => ({
        name: e.name, host: e.host, port: e.port, securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol] ?? 0,
      })),
      rack: (config.get('broker.rack') as string | null) ?? null,
      unfence: true,
    })
    brokerEpoch = registration.brokerEpoch
    const producerIds = new ProducerIdManager(async () => {
      const b = await controller.allocateProducerIds(nodeId, brokerEpoch)
      return {producerIdStart: b.firstProducerId, producerIdLen: b.size}
    })

    // --- services and listeners -----------------------------------------------------------------
    const requestLog = getLogger('kafka.network.RequestChannel', `[SocketServer listenerType=BROKER, nodeId=${nodeId}] `)
    const services: BrokerServices = {
      nodeId,
      clusterId,
      config,
      logger: requestLog,
      metadata,
      view: () => metadataViewOf(metadata.image),
      autoCreateTopics: (names) => controller.autoCreateTopics(names),
      controller,
      replicaManager,
      producerIds,
      groupCoordinator,
      advertisedListeners: config.advertisedListeners.map((e) => ({name: e.name, host: e.host, port: e.port, securityProtocol: e.securityProtocol})),
    }
    const brokerDispatcher = new RequestDispatcher(brokerApis(BROKER_EXTRA_APIS), services, requestLog)
    const controllerDispatcher = new RequestDispatcher(controllerApis(CONTROLLER_EXTRA_APIS), services, requestLog)
    const controllerNames = new Set(config.controllerListenerNames)
    const listenerSpecs: ListenerSpec[] = config.listeners.map((l) => ({name: l.name, host: l.host, port: l.port}))
    const socketServer = new SocketServer(listenerSpecs, config.socketRequestMaxBytes,
      (name) => (controllerNames.has(name) ? controllerDispatcher : brokerDispatcher), requestLog)
    await socketServer.start()
    cleanups.push(() => socketServer.stop())

    // --- periodic work --------------------------------------------------------------------------
    const timers: NodeJS.Timeout[] = []
    const every = (ms: number, name: string, fn: () => void | Promise<unknown>): void => {
      const t = setInterval(() => {
        Promise.resolve().then(fn).catch((err: unknown) => log.error(`${name} failed`, err))
      }, ms)
      t.unref()
      timers.push(t)
    }
    every(config.replicaHighWatermarkCheckpointIntervalMs, 'High watermark checkpoint', () => replicaManager.checkpoint())
    every(config.logRetentionCheckIntervalMs, 'Log retention', () => replicaManager.cleanupLogs(Date.now()))
    if (config.logFlushIntervalMs !== null) {
      every(Math.max(config.logFlushIntervalMs, 1000), 'Log flush', () => { for (const l of logManager.allLogs()) l.flush() })
    }
    cleanups.push(() => { for (const t of timers) clearInterval(t) })

    const listenersText = config.listeners.map((l) => `${l.name}://${l.host}:${socketServer.boundPorts.get(l.name) ?? l.port}`).join(',')
    log.info(`Kafka Server started (cluster id ${clusterId}, listeners ${listenersText}, ${Date.now() - startedAt} ms)`)

    let resolveDone!: () => void
    const done = new Promise<void>((r) => (resolveDone = r))
    let stopping: Promise<void> | null = null
    return {
      nodeId,
      clusterId,
      boundPorts: socketServer.boundPorts,
      shutdown(): Promise<void> {
        stopping ??= (async () => {
          log.info('Shutting down')
          await runCleanups()
          log.info('Kafka Server shut down')
          await shutdownLogging()
          resolveDone()
        })()
        return stopping
      },
      done,
    }
  } catch (err) {
    await runCleanups()
    throw err
  }
}

export type {Logger}
