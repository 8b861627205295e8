/**
 * The broker role of a KRaft node (Kafka `BrokerServer`): partition logs, the replica manager
 * following the metadata image, the group coordinator on `__consumer_offsets`, the broker listeners,
 * and the broker's lifecycle with the active controller (registration, heartbeats, fencing,
 * controlled shutdown) — all over the node's SharedServer (metadata log observer or voter).
 *
 * Start-up (Kafka's order): logs (recovery) → replica manager and coordinators follow the image →
 * register with the controller → wait until caught up with the metadata log → open the broker
 * listeners → wait until unfenced. Shutdown: controlled shutdown, then everything backwards.
 */
import {CreateTopicsApi, type CreateTopicsResponse} from '../../protocol/generated/messages/create-topics.js'
import {AllocateProducerIdsApi, type AllocateProducerIdsResponse} from '../../protocol/generated/messages/allocate-producer-ids.js'
import {AlterPartitionApi, type AlterPartitionResponse} from '../../protocol/generated/messages/alter-partition.js'
import {KafkaError, ErrorCode} from '../../protocol/errors.js'
import {brokerApis} from '../apis/index.js'
import {MAX_METADATA_VERSION_LEVEL, MIN_METADATA_VERSION_LEVEL} from '../apis/api-versions.js'
import type {ServerConfig} from '../config/server-config.js'
import {logConfigFromServer} from '../config/server-config.js'
import {logConfigForTopic, minInsyncReplicasForTopic} from '../config/topic-log-config.js'
import {effectiveServerConfig} from '../config/dynamic-broker-config.js'
import {systemClock} from '../group/clock.js'
import {GroupCoordinator, groupCoordinatorConfigFrom} from '../group/group-coordinator.js'
import {GROUP_METADATA_TOPIC_NAME} from '../group/group-partition.js'
import {LogManager, type LogConfig} from '../log/index.js'
import {LogCleaner, cleanerConfigFrom} from '../log/cleaner/log-cleaner.js'
import {metadataViewOf} from '../metadata/image-metadata-view.js'
import {ConfigResourceType, type MetadataImage} from '../metadata/metadata-image.js'
import {RequestDispatcher} from '../network/request-dispatcher.js'
import {SocketServer} from '../network/socket-server.js'
import {allListenerSecurity} from '../security/listener-security.js'
import {interNodeSecurity} from '../security/inter-node-security.js'
import {NetworkLeaderEndpoint} from '../replica/leader-endpoint.js'
import type {Partition, PartitionState} from '../replica/partition.js'
import {ProducerIdManager} from '../replica/producer-id-manager.js'
import {ReplicaManager} from '../replica/replica-manager.js'
import type {AutoCreatableTopic, BrokerServices} from '../services.js'
import type {SharedServer} from '../shared-server.js'
import {getLogger, type Logger} from '../util/logger.js'
import {BrokerLifecycleManager} from './broker-lifecycle-manager.js'
import {NO_NODE_METRICS, type NodeMetricsService} from '../metrics/metrics-service.js'
import {ControllerChannel, type LocalController} from './controller-channel.js'
import {groupStorage} from './group-storage.js'
import {AddPartitionsToTxnApi, type AddPartitionsToTxnResponse} from '../../protocol/generated/messages/add-partitions-to-txn.js'
import {InterBrokerClient} from '../txn/inter-broker-client.js'
import {TransactionCoordinator} from '../txn/transaction-coordinator.js'
import {TRANSACTION_STATE_TOPIC_NAME, TransactionStateManager} from '../txn/transaction-state-manager.js'
import {TxnMarkerChannel, type LocalMarkerWriter} from '../txn/txn-marker-channel.js'

import {createAuthorizer} from '../security/authorizer/authorizer.js'

export interface BrokerServerOptions {
  config: ServerConfig
  clusterId: string
  nodeId: number
  shared: SharedServer
  /** The in-process controller of a combined node. */
  localController?: LocalController
  /** Directory ids of `log.dirs` (meta.properties). */
  directoryIds: string[]
  /** This process's broker incarnation id (a fresh random uuid per start). */
  incarnationId: string
  /** The node's metrics (kts.metrics.listeners); none when absent. */
  metrics?: NodeMetricsService
  /** Rejects when the node must stop while the broker starts (a fatal Raft error): start-up gives up. */
  abort?: Promise<never>
}

const SECURITY_PROTOCOL_IDS: Record<string, number> = {PLAINTEXT: 0, SSL: 1, SASL_PLAINTEXT: 2, SASL_SSL: 3}

/** Kafka's default `request.timeout.ms` of broker-to-controller requests. */
const CONTROLLER_REQUEST_TIMEOUT_MS = 30_000
/** Kafka's `retry.backoff.ms` for broker-to-controller requests. */
const CONTROLLER_RETRY_BACKOFF_MS = 100

export class BrokerServer {
  private readonly cleanups: (() => Promise<void> | void)[] = []
  private socketServer: SocketServer | null = null
  private lifecycle: BrokerLifecycleManager | null = null
  private readonly channels: ControllerChannel[] = []

  private constructor(private readonly opts: BrokerServerOptions, private readonly log: Logger) {}

  /**
   * Starts the broker; resolves once its listeners are open and the controller has unfenced it.
   * @throws Error for a port already in use or an unreadable log directory
   */
  static async start(opts: BrokerServerOptions): Promise<BrokerServer> {
    const server = new BrokerServer(opts, getLogger('kafka.server.BrokerServer', `[BrokerServer id=${opts.nodeId}] `))
    try {
      await server.startup()
    } catch (err) {
      await server.shutdown(false)
      throw err
    }
    return server
  }

  /** Bound ports of the broker listeners. */
  get boundPorts(): ReadonlyMap<string, number> {
    return this.socketServer?.boundPorts ?? new Map()
  }

  private async startup(): Promise<void> {
    const {config, nodeId, clusterId, shared} = this.opts
    const metrics = this.opts.metrics ?? NO_NODE_METRICS
    const {metadata} = shared
    const log = this.log
    const image = (): MetadataImage => metadata.image

    // --- storage ------------------------------------------------------------------------------
    // The broker-level topic defaults: server.properties overlaid with the dynamic broker configs
    // (cluster default, then this broker), recomputed whenever the image's configs change.
    let effective: ServerConfig = config
    let brokerLogConfig = logConfigFromServer(config) as LogConfig
    const logManager = new LogManager({logDirs: config.logDirs, defaultConfig: brokerLogConfig, logger: getLogger('kafka.log.LogManager'), asyncIo: true})
    await logManager.startup({recoveryThreadsPerDataDir: config.get('num.recovery.threads.per.data.dir') as number})
    this.cleanups.push(() => logManager.shutdown(this.lifecycle?.brokerEpoch ?? -1))

    // --- the active controller -------------------------------------------------------------------
    const interNode = interNodeSecurity(config)
    const channel = (purpose: string): ControllerChannel => {
      const c = new ControllerChannel({
        nodeId, controllerAddress: id => shared.raft.controllerAddress(id), onLeaderChange: fn => shared.onLeaderChange(fn),
        local: this.opts.localController, clientId: `broker-${nodeId}-${purpose}`,
        requestTimeoutMs: CONTROLLER_REQUEST_TIMEOUT_MS, retryBackoffMs: CONTROLLER_RETRY_BACKOFF_MS, logger: log,
        security: interNode.controller,
      })
      this.channels.push(c)
      return c
    }
    const lifecycleChannel = channel('heartbeat')
    const forwardingChannel = channel('forwarding')
    const alterPartitionChannel = channel('alter-partition')

    // --- partitions -------------------------------------------------------------------------
    const topicOverrides = (topic: string): ReadonlyMap<string, string> => metadataViewOf(image()).topicConfigs(topic)
    const num = (key: string): number => config.get(key) as number
    const replicaManager = new ReplicaManager({
      nodeId,
      logManager,
      logConfigFor: (topic) => logConfigForTopic(brokerLogConfig, topicOverrides(topic)),
      minInsyncReplicasFor: (topic) => minInsyncReplicasForTopic(effective.minInsyncReplicas, topicOverrides(topic)),
      logger: getLogger('kafka.server.ReplicaManager', `[ReplicaManager broker=${nodeId}] `),
      alterPartition: (req) => alterPartitionChannel.send<AlterPartitionResponse>(AlterPartitionApi, req),
      leaderEndpoint: (leaderId) => new NetworkLeaderEndpoint({
        nodeId, leaderId, clientId: `broker-${nodeId}-fetcher-${leaderId}`, requestTimeoutMs: num('replica.socket.timeout.ms'),
        security: interNode.interBroker,
        address: () => image().brokers.get(leaderId)?.endpoints.find((e) => e.name === config.interBrokerListenerName) ?? null,
        topicName: (topicId) => image().topicsById.get(topicId)?.name,
      }),
      brokerStatus: (id) => {
        const b = image().brokers.get(id)
        return b && {fenced: b.fenced, inControlledShutdown: b.inControlledShutdown, epoch: b.epoch}
      },
      brokerEpoch: () => this.lifecycle?.brokerEpoch ?? -1,
      replicaLagTimeMaxMs: config.replicaLagTimeMaxMs,
      fetcher: {
        maxWaitMs: config.replicaFetchWaitMaxMs, minBytes: num('replica.fetch.min.bytes'), maxBytes: num('replica.fetch.response.max.bytes'),
        partitionMaxBytes: config.replicaFetchMaxBytes, backoffMs: num('replica.fetch.backoff.ms'),
      },
    })
    this.cleanups.push(() => replicaManager.shutdown())
    replicaManager.startup()

    // --- log cleaner (compacted topics) ---------------------------------------------------------
    const cleaner = new LogCleaner({
      config: cleanerConfigFrom(config), logDirs: config.logDirs, logs: () => logManager.allLogs(),
      lastStableOffsetOf: (l) => replicaManager.getPartition(l.topicPartition.topic, l.topicPartition.partition)?.lastStableOffset ?? 0,
      logger: getLogger('kafka.log.LogCleaner'),
      pauseAfterSwapMs: Number(process.env.KTS_CLEANER_PAUSE_AFTER_SWAP_MS ?? '') || undefined,
    })
    logManager.cleaner = cleaner
    cleaner.startup()
    this.cleanups.push(() => cleaner.shutdown())

    // --- group coordinator over __consumer_offsets ------------------------------------------
    const groupCoordinator = new GroupCoordinator(
      groupStorage(replicaManager, num('offsets.commit.timeout.ms')),
      groupCoordinatorConfigFrom(config),
      systemClock,
      (topic, partition) => image().topicsByName.get(topic)?.partitions.has(partition) ?? false,
    )
    this.cleanups.push(() => groupCoordinator.close())
    const groupLog = getLogger('kafka.coordinator.group.GroupCoordinator', `[GroupCoordinator ${nodeId}]: `)
    replicaManager.onLeadershipChange((p: Partition, isLeader: boolean) => {
      if (p.topic !== GROUP_METADATA_TOPIC_NAME) return
      if (isLeader) {
        const started = Date.now()
        groupCoordinator.onElection(p.partitionIndex, p.leaderEpoch).then(() => groupLog.info(
          `Finished loading offsets and group metadata from ${p.topic}-${p.partitionIndex} in ${Date.now() - started} milliseconds for epoch ${p.leaderEpoch}`,
        )).catch((err: unknown) => groupLog.error(`Failed to load groups of ${p.topic}-${p.partitionIndex}`, err))
      } else {
        groupCoordinator.onResignation(p.partitionIndex)
      }
    })

    // --- transaction coordinator over __transaction_state ---------------------------------------
    const leaderOf = (topic: string, partition: number): number | undefined => image().topicsByName.get(topic)?.partitions.get(partition)?.leader
    const interBroker = new InterBrokerClient({
      address: (id) => {
        const b = image().brokers.get(id)
        const e = b?.endpoints.find((x) => x.name === config.interBrokerListenerName)
        return e ? {host: e.host, port: e.port} : null
      },
      clientId: `broker-${nodeId}-txn`,
      requestTimeoutMs: TXN_REQUEST_TIMEOUT_MS,
    })
    this.cleanups.push(() => interBroker.close())
    const writeTxnMarkers: LocalMarkerWriter = async (producerId, producerEpoch, coordinatorEpoch, committed, tps) => {
      const results = await replicaManager.appendTxnMarkers(producerId, producerEpoch, coordinatorEpoch, committed, tps, TXN_REQUEST_TIMEOUT_MS)
      for (const r of results) {
        if (r.errorCode === ErrorCode.NONE && r.topic === GROUP_METADATA_TOPIC_NAME) groupCoordinator.completeTransaction(r.partition, producerId, committed)
      }
      return results
    }
    const txnLog = getLogger('kafka.coordinator.transaction.TransactionCoordinator', `[TransactionCoordinator id=${nodeId}] `)
    const txnState = new TransactionStateManager(
      groupStorage(replicaManager, TXN_REQUEST_TIMEOUT_MS, TRANSACTION_STATE_TOPIC_NAME), config.transactionStateLogNumPartitions, num('transaction.state.log.load.buffer.size'))
    let producerIdsRef: ProducerIdManager | null = null
    const txnCoordinator = new TransactionCoordinator(
      txnState,
      new TxnMarkerChannel({nodeId, leaderOf, writeLocal: writeTxnMarkers, client: interBroker, retryBackoffMs: CONTROLLER_RETRY_BACKOFF_MS, logger: txnLog}),
      () => producerIdsRef ? producerIdsRef.nextId() : Promise.reject(new Error('producer ids are not available yet')),
      {
        maxTimeoutMs: config.transactionMaxTimeoutMs, idExpirationMs: config.transactionalIdExpirationMs,
        abortTimedOutIntervalMs: num('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
        removeExpiredIntervalMs: num('transaction.remove.expired.transaction.cleanup.interval.ms'),
      },
      systemClock,
      txnLog,
    )
    this.cleanups.push(() => txnCoordinator.close())
    replicaManager.onLeadershipChange((p: Partition, isLeader: boolean) => {
      if (p.topic !== TRANSACTION_STATE_TOPIC_NAME) return
      if (isLeader) {
        txnCoordinator.onElection(p.partitionIndex, p.leaderEpoch).catch((err: unknown) =>
          txnLog.error(`Failed to load transactions of ${p.topic}-${p.partitionIndex}`, err))
      } else {
        txnCoordinator.onResignation(p.partitionIndex)
      }
    })
    const verifyTxnPartitions = async (transactionalId: string, producerId: number, producerEpoch: number, tps: {topic: string, partition: number}[]): Promise<number[]> => {
      const coordinator = leaderOf(TRANSACTION_STATE_TOPIC_NAME, txnState.partitionFor(transactionalId))
      let codes: number[]
      if (coordinator === nodeId) {
        codes = txnCoordinator.verifyPartitions(transactionalId, producerId, producerEpoch, tps)
      } else if (coordinator === undefined || coordinator < 0) {
        codes = tps.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE)
      } else {
        try {
          const res = await interBroker.call<AddPartitionsToTxnResponse>(coordinator, AddPartitionsToTxnApi, 4, () => ({
            transactions: [{transactionalId, producerId, producerEpoch, verifyOnly: true, topics: groupTopics(tps)}],
          }))
          const byTp = new Map<string, number>()
          for (const t of res.resultsByTransaction[0]?.topicResults ?? []) for (const r of t.resultsByPartition) byTp.set(`${t.name}:${r.partitionIndex}`, r.partitionErrorCode)
          codes = tps.map(tp => byTp.get(`${tp.topic}:${tp.partition}`) ?? (res.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR))
        } catch {
          codes = tps.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE)
        }
      }
      // Kafka (KAFKA-15151): coordinator trouble is retriable for the producer as NOT_ENOUGH_REPLICAS.
      return codes.map(c => c === ErrorCode.COORDINATOR_NOT_AVAILABLE || c === ErrorCode.NOT_COORDINATOR || c === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS ? ErrorCode.NOT_ENOUGH_REPLICAS : c)
    }

    // --- follow the metadata image ------------------------------------------------------------
    const lifecycle = new BrokerLifecycleManager({
      nodeId, clusterId, incarnationId: this.opts.incarnationId, channel: lifecycleChannel,
      listeners: config.advertisedListeners.map((e) => ({name: e.name, host: e.host, port: e.port, securityProtocol: SECURITY_PROTOCOL_IDS[e.securityProtocol] ?? 0})),
      rack: (config.get('broker.rack') as string | null) ?? null,
      logDirs: this.opts.directoryIds,
      metadataVersionRange: {min: MIN_METADATA_VERSION_LEVEL, max: MAX_METADATA_VERSION_LEVEL},
      heartbeatIntervalMs: config.brokerHeartbeatIntervalMs,
      sessionTimeoutMs: config.brokerSessionTimeoutMs,
      retryBackoffMs: CONTROLLER_RETRY_BACKOFF_MS,
      metadataOffset: () => image().offset,
      logger: getLogger('kafka.server.BrokerLifecycleManager', `[BrokerLifecycleManager id=${nodeId}] `),
    })
    this.lifecycle = lifecycle
    this.cleanups.push(() => lifecycle.close())

    // The replica manager and the coordinators follow the image only once this broker has caught up
    // with the metadata log (Kafka installs the BrokerMetadataPublisher after the initial catch-up):
    // a restarted node replays its local metadata log from an old snapshot or offset, and acting on
    // those historic states would make it lead or follow partitions in epochs long gone (writing
    // leader-epoch entries for them into its logs and fetching from stale leaders).
    let caughtUp = false
    let applied: MetadataImage | null = null
    const applyImage = (next: MetadataImage): void => {
      if (!caughtUp) return
      const topicsChanged = applied === null || applied.topicsByName !== next.topicsByName
      const configsChanged = applied === null || applied.configs !== next.configs
      applied = next
      if (topicsChanged) {
        const states: PartitionState[] = []
        for (const t of metadataViewOf(next).topics()) states.push(...t.partitions)
        replicaManager.applyPartitionStates(states)
      }
      if (configsChanged) {
        try {
          effective = effectiveServerConfig(config, next.configsOf(ConfigResourceType.BROKER, ''), next.configsOf(ConfigResourceType.BROKER, String(nodeId)),
            (name, reason) => log.warn(`Ignoring the dynamic broker config ${name}: ${reason}`))
          brokerLogConfig = logConfigFromServer(effective) as LogConfig
          logManager.defaultConfig = brokerLogConfig
        } catch (err) {
          log.error('Ignoring the dynamic broker configs: they do not combine with server.properties', err)
        }
        for (const topic of new Set(replicaManager.allPartitions().map((p) => p.topic))) replicaManager.refreshLogConfigs(topic)
        // dynamic log.cleaner.* broker configs (Kafka LogCleaner.reconfigure: the workers restart)
        const cleanerConfig = cleanerConfigFrom(effective)
        if (JSON.stringify(cleanerConfig) !== JSON.stringify(cleaner.config)) {
          cleaner.reconfigure(cleanerConfig).catch((err: unknown) => log.error('Failed to reconfigure the log cleaner', err))
        }
        cleaner.wakeup() // a topic may have become compacted
      }
    }
    const unsubscribe = metadata.onUpdate((_delta, next) => {
      try {
        applyImage(next)
      } catch (err) {
        log.error('Error applying metadata update', err)
      }
      lifecycle.metadataAdvanced()
    })
    this.cleanups.push(() => unsubscribe())

    const producerIds = new ProducerIdManager(async () => {
      const res = await forwardingChannel.send<AllocateProducerIdsResponse>(AllocateProducerIdsApi, {brokerId: nodeId, brokerEpoch: lifecycle.brokerEpoch})
      if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, 'The controller could not allocate producer ids')
      return {producerIdStart: res.producerIdStart, producerIdLen: res.producerIdLen}
    })
    producerIdsRef = producerIds

    // --- register, catch up, listen, get unfenced ---------------------------------------------
    lifecycle.start()
    log.info('Waiting for the broker to catch up with the metadata log')
    await Promise.race([lifecycle.caughtUp, this.opts.abort ?? lifecycle.caughtUp])
    caughtUp = true
    applyImage(metadata.image)

    const requestLog = getLogger('kafka.network.RequestChannel', `[SocketServer listenerType=BROKER, nodeId=${nodeId}] `)
    const services: BrokerServices = {
      nodeId,
      clusterId,
      config,
      logger: requestLog,
      metadata,
      view: () => metadataViewOf(metadata.image),
      raft: shared.raft,
      replicaManager,
      producerIds,
      groupCoordinator,
      txnCoordinator,
      writeTxnMarkers,
      verifyTxnPartitions,
      controllerChannel: forwardingChannel,
      autoCreateTopics: (topics) => autoCreateTopics(forwardingChannel, topics, log),
      metrics: metrics.hooks,
      authorizer: createAuthorizer(config, metadata),
    }
    const dispatcher = new RequestDispatcher(brokerApis(), services, requestLog, metrics.hooks)
    const controllerNames = new Set(config.controllerListenerNames)
    const security = allListenerSecurity(config)
    const specs = config.listeners.filter((l) => !controllerNames.has(l.name)).map((l) => ({name: l.name, host: l.host, port: l.port, security: security.get(l.name)}))
    const socketServer = new SocketServer(specs, config.socketRequestMaxBytes, () => dispatcher, requestLog,
      (m, user) => metadata.image.scramCredential(m.type, user))
    this.socketServer = socketServer
    this.cleanups.push(() => socketServer.stop())
    await socketServer.start()
    metrics.bindBroker({replicas: replicaManager, groups: groupCoordinator, connections: socketServer, cleaner})

    log.info('Waiting for the broker to be unfenced')
    await Promise.race([lifecycle.unfenced, this.opts.abort ?? lifecycle.unfenced])

    // --- periodic work --------------------------------------------------------------------------
    const timers: NodeJS.Timeout[] = []
    const every = (ms: number, name: string, fn: () => void | Promise<unknown>): void => {
      const t = setInterval(() => {
        Promise.resolve().then(fn).catch((err: unknown) => log.error(`${name} failed`, err))
      }, ms)
      t.unref()
      timers.push(t)
    }
    txnCoordinator.startup()
    // checkpoint files, written on the thread pool (Kafka's three tasks; clean shutdown writes them all synchronously)
    every(config.replicaHighWatermarkCheckpointIntervalMs, 'High watermark checkpoint',
      () => logManager.checkpointAsync({highWatermarks: replicaManager.highWatermarks()}))
    const recoveryPointMs = num('log.flush.offset.checkpoint.interval.ms')
    if (recoveryPointMs > 0) every(recoveryPointMs, 'Recovery point checkpoint', () => logManager.checkpointAsync({recoveryPoints: true}))
    const startOffsetMs = num('log.flush.start.offset.checkpoint.interval.ms')
    if (startOffsetMs > 0) every(startOffsetMs, 'Log start offset checkpoint', () => logManager.checkpointAsync({logStartOffsets: true}))
    every(config.logRetentionCheckIntervalMs, 'Log retention', () => replicaManager.cleanupLogs(Date.now()))
    every(num('producer.id.expiration.check.interval.ms'), 'Producer id expiration',
      () => replicaManager.removeExpiredProducers(Date.now(), num('producer.id.expiration.ms')))
    if (config.logFlushIntervalMs !== null) {
      every(Math.max(config.logFlushIntervalMs, 1000), 'Log flush', () => { for (const l of logManager.allLogs()) l.flush() })
    }
    this.cleanups.push(() => { for (const t of timers) clearInterval(t) })
    log.info('Transition from STARTING to STARTED')
  }

  /**
   * Shuts the broker down: a controlled shutdown with the controller first (when `controlled` and
   * registered), then the listeners, coordinators, partitions and logs, backwards.
   */
  async shutdown(controlled = true): Promise<void> {
    const lifecycle = this.lifecycle
    if (controlled && lifecycle && lifecycle.brokerEpoch >= 0) {
      const done = await lifecycle.controlledShutdown(this.opts.config.brokerSessionTimeoutMs)
      if (!done) this.log.warn('The controller did not acknowledge the controlled shutdown in time; shutting down anyway')
    }
    // Nothing more is asked of the controller: fail whatever is still waiting for it.
    for (const c of this.channels.splice(0)) c.close()
    const cleanups = this.cleanups.splice(0).reverse()
    for (const c of cleanups) {
      try {
        await c()
      } catch (err) {
        this.log.error('Error during shutdown', err)
      }
    }
  }
}

/** Kafka's `request.timeout.ms` for the transaction coordinator's log appends and inter-broker requests. */
const TXN_REQUEST_TIMEOUT_MS = 30_000

function groupTopics(tps: {topic: string, partition: number}[]): {name: string, partitions: number[]}[] {
  const m = new Map<string, number[]>()
  for (const tp of tps) {
    let l = m.get(tp.topic)
    if (!l) m.set(tp.topic, l = [])
    l.push(tp.partition)
  }
  return [...m].map(([name, partitions]) => ({name, partitions}))
}

/** How long a Metadata request waits for the controller to create its topics before answering anyway, ms. */
const AUTO_CREATE_TIMEOUT_MS = 5_000

/**
 * Metadata auto-creation through the active controller (Kafka `AutoTopicCreationManager`).
 * Kafka does not wait for the answer; kts waits up to AUTO_CREATE_TIMEOUT_MS so that an invalid
 * name can be reported, and otherwise lets the client retry (LEADER_NOT_AVAILABLE).
 */
async function autoCreateTopics(channel: ControllerChannel, topics: AutoCreatableTopic[], log: Logger): Promise<{name: string, errorCode: number}[]> {
  const unique = [...new Map(topics.map(t => [t.name, t])).values()]
  try {
    const res = await channel.forwardRequest<CreateTopicsResponse>(CreateTopicsApi, {
      topics: unique.map(t => ({
        name: t.name, numPartitions: t.numPartitions ?? -1, replicationFactor: t.replicationFactor ?? -1,
        assignments: [], configs: t.configs ?? [],
      })),
      timeoutMs: AUTO_CREATE_TIMEOUT_MS,
      validateOnly: false,
    }, AUTO_CREATE_TIMEOUT_MS)
    return res.topics.map(t => ({name: t.name, errorCode: t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.NONE : t.errorCode}))
  } catch (err) {
    log.warn(`Auto-creation of ${unique.map(t => t.name).join(', ')} did not complete: ${(err as Error).message}`)
    return unique.map(t => ({name: t.name, errorCode: ErrorCode.NONE}))
  }
}
