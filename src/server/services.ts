/**
 * The services a node hands to API handlers (through `RequestContext.services`), one bag per
 * listener kind as Kafka splits `KafkaApis` (broker listeners) and `ControllerApis` (controller
 * listeners). Each service is owned by its layer; handlers only call these and never touch files.
 */
import type {ServerConfig} from './config/server-config.js'
import type {QuorumController} from './controller/quorum-controller.js'
import type {ControllerChannel} from './broker/controller-channel.js'
import type {GroupCoordinator} from './group/group-coordinator.js'
import type {MetadataCache} from './metadata/metadata-cache.js'
import type {MetadataView} from './metadata-view.js'
import type {ProducerIdManager} from './replica/producer-id-manager.js'
import type {ReplicaManager} from './replica/replica-manager.js'
import type {MetadataRaft} from './shared-server.js'
import type {BrokerMetrics} from './metrics/broker-metrics.js'
import type {Logger} from './util/logger.js'
import type {TransactionCoordinator} from './txn/transaction-coordinator.js'
import type {LocalMarkerWriter} from './txn/txn-marker-channel.js'

import type {KafkaPrincipal} from './security/kafka-principal.js'
import type {StandardAuthorizer} from './security/authorizer/authorizer.js'

/** What every handler may read, on any listener. */
export interface CommonServices {
  nodeId: number
  clusterId: string
  /** Parsed server.properties (server/config/server-config.ts). */
  config: ServerConfig
  logger: Logger
  /** Metadata cache: `.image` is the current committed MetadataImage (server/metadata). */
  metadata: MetadataCache
  /** Narrow read-only metadata view for data-plane handlers (always current). */
  view(): MetadataView
  /** The metadata quorum as this node sees it (leader, epoch; DescribeQuorum on the leader). */
  raft: MetadataRaft
  /**
   * The StandardAuthorizer when `authorizer.class.name` names it; null/absent: no authorization
   * (every check passes, the ACL APIs answer SECURITY_DISABLED). Checks go through
   * security/authorizer/request-authorization.ts.
   */
  authorizer?: StandardAuthorizer | null
}

/** Broker listeners (Kafka `KafkaApis`). */
export interface BrokerServices extends CommonServices {
  /** Partitions led/followed here: produce, fetch, list offsets (server/replica). */
  replicaManager: ReplicaManager
  /** Producer ids for InitProducerId, handed out from controller-allocated blocks. */
  producerIds: ProducerIdManager
  /** Classic group coordinator (server/group). */
  groupCoordinator: GroupCoordinator
  /** Transaction coordinator over `__transaction_state` (server/txn). */
  txnCoordinator: TransactionCoordinator
  /** WriteTxnMarkers on partitions led here (markers replicated as acks=all; group offsets completed). */
  writeTxnMarkers: LocalMarkerWriter
  /**
   * KIP-890 verification of a transactional produce: per partition, NONE when it is in the
   * producer's ongoing transaction, else INVALID_TXN_STATE / PRODUCER_FENCED / ... (asks the
   * transactional id's coordinator, here or on another broker).
   */
  verifyTxnPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: {topic: string, partition: number}[]): Promise<number[]>
  /** Requests to the active controller: forwarding (KIP-590) and broker-to-controller RPCs. */
  controllerChannel: ControllerChannel
  /** Traffic counters for /metrics (`NO_BROKER_METRICS` when kts.metrics.listeners is empty). */
  metrics: BrokerMetrics
  /**
   * Creates topics with the broker defaults (num.partitions, default.replication.factor) for
   * Metadata auto-creation, through the active controller; resolves once they are in this
   * broker's image or failed (per-topic error codes; TOPIC_ALREADY_EXISTS counts as success).
   */
  autoCreateTopics(topics: AutoCreatableTopic[]): Promise<{name: string, errorCode: number}[]>
}

/** A topic to create on demand (Metadata auto-creation, internal topics such as `__consumer_offsets`). */
export interface AutoCreatableTopic {
  name: string
  /** -1: num.partitions. */
  numPartitions?: number
  /** -1: default.replication.factor. */
  replicationFactor?: number
  configs?: {name: string, value: string}[]
}

/** Controller listeners (Kafka `ControllerApis`). */
export interface ControllerServices extends CommonServices {
  /** The QuorumController of this node; its operations fail with NOT_CONTROLLER unless it is active. */
  controller: QuorumController
  /**
   * Handles a client request a broker forwarded (KIP-590; the Envelope API and the in-process path
   * of combined nodes), authorized as `principal` (Envelope.requestPrincipal, else the sender's).
   * @returns the Envelope error code (NOT_CONTROLLER when this controller is not active,
   *   INVALID_REQUEST for an unparsable or non-forwardable request) and the response header + body
   */
  handleForwarded(request: Buffer, clientHost: string, principal: KafkaPrincipal): Promise<{errorCode: number, response: Buffer | null}>
}
