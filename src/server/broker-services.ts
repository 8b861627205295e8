/**
 * The services a node hands to API handlers (through RequestContext.services). Each is owned by
 * its layer; handlers only call these and never touch files directly.
 */
import type {Logger} from './util/logger.js'
import type {MetadataView} from './metadata-view.js'

export interface BrokerServices {
  nodeId: number
  clusterId: string
  /** Parsed server.properties (see server/config/server-config.ts). */
  config: any
  logger: Logger
  /** Metadata cache: `.image` is the current MetadataImage (server/metadata). */
  metadata: any
  /** Narrow read-only metadata view for data-plane handlers (always current). */
  view(): MetadataView
  /**
   * Creates topics with the broker defaults (num.partitions, default.replication.factor) for
   * Metadata auto-creation; resolves once they are in the image or failed (per-topic error codes).
   */
  autoCreateTopics(names: string[]): Promise<{name: string, errorCode: number}[]>
  /** Active controller in this process (combined mode), or a forwarding client. */
  controller: any
  /** Partitions led/followed here: produce, fetch, list offsets (server/replica). */
  replicaManager: any
  /** Producer ids for InitProducerId, handed out from controller-allocated blocks. */
  producerIds: {nextId(): Promise<number>}
  /** Classic group coordinator (server/group). */
  groupCoordinator: any
  /** Listeners as advertised to clients: name -> {host, port}. */
  advertisedListeners: {name: string, host: string, port: number, securityProtocol: string}[]
}
