/**
 * The controller role of a KRaft node (Kafka `ControllerServer` + `ControllerApis`): the
 * QuorumController, active while this node leads the metadata quorum, and the controller
 * listeners serving the Raft APIs, broker registration and heartbeats, admin requests sent to
 * controllers (KIP-919) and requests forwarded by brokers (Envelope, KIP-590).
 *
 * `start()` builds the controller over a SharedServer (the node's, or its own one for tests);
 * `startListeners()` opens the controller listeners.
 */
import {readRequestHeader} from '../../protocol/header.js'
import {ErrorCode} from '../../protocol/errors.js'
import {Reader} from '../../protocol/primitives/reader.js'
import type {ServerConfig} from '../config/server-config.js'
import {controllerApis} from '../apis/index.js'
import type {ApiDefinition} from '../apis/registry.js'
import type {LocalController} from '../broker/controller-channel.js'
import {metadataViewOf} from '../metadata/image-metadata-view.js'
import type {MetadataCache} from '../metadata/metadata-cache.js'
import {CloseConnectionError, type ConnectionInfo} from '../network/connection.js'
import type {KafkaPrincipal} from '../security/kafka-principal.js'
import {createAuthorizer} from '../security/authorizer/authorizer.js'
import {RequestDispatcher} from '../network/request-dispatcher.js'
import {SocketServer} from '../network/socket-server.js'
import {allListenerSecurity} from '../security/listener-security.js'
import type {ControllerServices} from '../services.js'
import {SharedServer, type MetadataRaft} from '../shared-server.js'
import {readBootstrapCheckpoint} from '../storage/bootstrap-checkpoint.js'
import {decodeMetadataRecord} from '../metadata/metadata-record.js'
import {MetadataDelta} from '../metadata/metadata-delta.js'
import {MetadataImage} from '../metadata/metadata-image.js'
import type {ScramCredentialLookup} from '../security/scram-server.js'
import {getLogger, type Logger} from '../util/logger.js'
import type {BrokerMetrics} from '../metrics/broker-metrics.js'
import {QuorumController} from './quorum-controller.js'

export interface ControllerServerOptions {
  config: ServerConfig
  clusterId: string
  nodeId: number
  /** The node's shared Raft + metadata; when absent the controller opens and owns its own. */
  shared?: SharedServer
  /** Incarnation id of the broker in this process (combined nodes). */
  localBrokerIncarnationId?: string
  logger?: Logger
  /** Request counts and times of the controller listeners (the node's metrics hooks); none when absent. */
  metrics?: BrokerMetrics
}

/**
 * APIs a broker may forward (Kafka `ApiKeys.forwardable`): CreateTopics, DeleteTopics, AlterConfigs,
 * CreatePartitions, IncrementalAlterConfigs, DescribeQuorum, UnregisterBroker, AddRaftVoter, RemoveRaftVoter and, as they come,
 * ACLs, quotas, SCRAM credentials, features, reassignments and leader elections.
 */
export const FORWARDABLE_API_KEYS: ReadonlySet<number> = new Set([19, 20, 30, 31, 33, 37, 43, 44, 45, 46, 49, 51, 55, 57, 64, 80, 81])

export class ControllerServer {
  readonly controller: QuorumController
  private readonly dispatcher: RequestDispatcher<ControllerServices>
  private readonly apis: Map<number, ApiDefinition<ControllerServices>>
  private socketServer: SocketServer | null = null
  /** SCRAM credentials of bootstrap.checkpoint (`storage format --add-scram`), for peers before the log has any. */
  private readonly bootstrapScram: MetadataDelta
  private readonly unsubscribe: () => void

  private constructor(
    readonly config: ServerConfig,
    readonly shared: SharedServer,
    private readonly ownsShared: boolean,
    private readonly logger: Logger,
    localBrokerIncarnationId: string | undefined,
    metrics: BrokerMetrics | undefined,
  ) {
    const boot = readBootstrapCheckpoint(config.metadataLogDir)
    this.bootstrapScram = new MetadataDelta(MetadataImage.empty())
    for (const rec of boot ? boot.otherRecords.map(decodeMetadataRecord) : []) this.bootstrapScram.replay(rec)
    this.controller = new QuorumController(shared.raft, shared.metadata, {
      clusterId: shared.metadata.image.clusterId,
      numPartitions: config.numPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      deleteTopicEnable: config.deleteTopicEnable,
      uncleanLeaderElectionEnable: config.get('unclean.leader.election.enable') === true,
      autoLeaderRebalance: config.get('auto.leader.rebalance.enable') === true ? {
        checkIntervalMs: Number(config.get('leader.imbalance.check.interval.seconds')) * 1000,
        imbalancePerBrokerPercentage: Number(config.get('leader.imbalance.per.broker.percentage')),
      } : null,
      brokerSessionTimeoutMs: config.brokerSessionTimeoutMs,
      metadataMaxIdleIntervalMs: config.metadataMaxIdleIntervalMs,
      bootstrapFeatures: () => (boot ? {...boot.features} : null),
      bootstrapRecords: () => (boot ? boot.otherRecords.map(decodeMetadataRecord) : []),
      localBrokerIncarnationId,
      logger: getLogger('org.apache.kafka.controller.QuorumController', `[QuorumController id=${shared.nodeId}] `),
    })
    const metadata = shared.metadata
    const services: ControllerServices = {
      nodeId: shared.nodeId,
      clusterId: metadata.image.clusterId,
      config,
      logger: logger,
      metadata,
      view: () => metadataViewOf(metadata.image),
      raft: shared.raft,
      authorizer: createAuthorizer(config, metadata),
      controller: this.controller,
      handleForwarded: (request, clientHost, principal) => this.handleForwarded(request, clientHost, principal),
    }
    this.apis = controllerApis(shared.raftApis<ControllerServices>())
    this.dispatcher = new RequestDispatcher(this.apis, services, logger, metrics)
    this.unsubscribe = shared.onLeaderChange(leader => this.controller.handleLeaderChange(leader))
  }

  /**
   * Starts the controller role. When this node is already the active controller (a single-voter
   * quorum elects itself at start) it resolves after the bootstrap records are committed.
   * @throws Error when the metadata log or quorum-state cannot be read
   */
  static async start({config, clusterId, nodeId, shared, logger, localBrokerIncarnationId, metrics}: ControllerServerOptions): Promise<ControllerServer> {
    const log = logger ?? getLogger('kafka.server.ControllerServer', `[ControllerServer id=${nodeId}] `)
    const own = shared === undefined
    const s = shared ?? await SharedServer.start({config, clusterId, nodeId, logger: getLogger('kafka.raft.KafkaRaftClient', `[RaftManager id=${nodeId}] `)})
    const server = new ControllerServer(config, s, own, log, localBrokerIncarnationId, metrics)
    if (server.controller.isActive) await server.controller.waitForBootstrap()
    return server
  }

  get metadata(): MetadataCache {
    return this.shared.metadata
  }

  get raft(): MetadataRaft {
    return this.shared.raft
  }

  /** Bound ports of the controller listeners (after `startListeners`). */
  get boundPorts(): ReadonlyMap<string, number> {
    return this.socketServer?.boundPorts ?? new Map()
  }

  /** Open connections by controller listener name (socket-server-metrics connection-count). */
  connectionCounts(): ReadonlyMap<string, number> {
    return this.socketServer?.connectionCounts() ?? new Map()
  }

  /** Opens the controller listeners (`controller.listener.names` entries of `listeners`). */
  async startListeners(): Promise<void> {
    const names = new Set(this.config.controllerListenerNames)
    const security = allListenerSecurity(this.config)
    const specs = this.config.listeners.filter(l => names.has(l.name)).map(l => ({name: l.name, host: l.host, port: l.port, security: security.get(l.name)}))
    const metadata = this.shared.metadata
    const bootstrap = this.bootstrapScram.apply()
    // Until the metadata log holds its bootstrap records (metadata.version), controllers authenticate
    // each other (Raft) with the SCRAM credentials of their own bootstrap.checkpoint (`--add-scram`).
    const lookup: ScramCredentialLookup = (m, user) => {
      const image = metadata.image
      return image.metadataVersion > 0 ? image.scramCredential(m.type, user) : bootstrap.scramCredential(m.type, user)
    }
    const server = new SocketServer(specs, this.config.socketRequestMaxBytes, () => this.dispatcher, this.logger, lookup)
    this.socketServer = server
    await server.start()
  }

  /** The in-process path a broker of this node uses to reach this controller. */
  get local(): LocalController {
    return {
      isActive: () => this.controller.isActive,
      maxVersion: apiKey => this.apis.get(apiKey)?.maxVersion ?? -1,
      handleFrame: async (frame, conn) => {
        const chunks = await this.dispatcher.handle(frame, conn)
        return chunks === null ? null : Buffer.concat(chunks).subarray(4)
      },
      handleForwarded: (request, clientHost, principal) => this.handleForwarded(request, clientHost, principal),
    }
  }

  /** Handles a request a broker forwarded (see ControllerServices.handleForwarded). */
  private async handleForwarded(request: Buffer, clientHost: string, principal: KafkaPrincipal): Promise<{errorCode: number, response: Buffer | null}> {
    if (!this.controller.isActive) return {errorCode: ErrorCode.NOT_CONTROLLER, response: null}
    let apiKey: number
    let apiVersion: number
    try {
      ({apiKey, apiVersion} = readRequestHeader(new Reader(request)))
    } catch {
      return {errorCode: ErrorCode.INVALID_REQUEST, response: null}
    }
    if (!FORWARDABLE_API_KEYS.has(apiKey) || !this.dispatcher.serves(apiKey, apiVersion)) return {errorCode: ErrorCode.INVALID_REQUEST, response: null}
    const conn: ConnectionInfo = {id: `forwarded-${clientHost}`, listenerName: this.config.controllerListenerNames[0] ?? 'CONTROLLER', clientHost, principal}
    try {
      const chunks = await this.dispatcher.handle(request, conn)
      return {errorCode: ErrorCode.NONE, response: chunks === null ? null : Buffer.concat(chunks).subarray(4)}
    } catch (err) {
      if (err instanceof CloseConnectionError) return {errorCode: ErrorCode.INVALID_REQUEST, response: null}
      throw err
    }
  }

  /** Closes the listeners, deactivates the controller and, if it owns it, the shared server. */
  async shutdown(): Promise<void> {
    await this.socketServer?.stop()
    this.unsubscribe()
    await this.controller.close()
    if (this.ownsShared) await this.shared.shutdown()
  }
}
