/**
 * The read-only view of cluster metadata that the data-plane handlers (Metadata, Produce,
 * Fetch, ListOffsets, ...) need, adapted from the MetadataImage by the node. Keeping handlers on
 * this narrow interface lets the image evolve without touching them.
 */
import type {PartitionState} from './replica/partition.js'

export interface TopicView {
  name: string
  topicId: string
  isInternal: boolean
  /** Sorted by partition id. */
  partitions: PartitionState[]
}

export interface BrokerEndpointView {
  listenerName: string
  host: string
  port: number
  securityProtocol: string
}

export interface BrokerView {
  nodeId: number
  rack: string | null
  fenced: boolean
  endpoints: BrokerEndpointView[]
}

export interface MetadataView {
  readonly clusterId: string
  /** Offset of the last metadata record applied. */
  readonly offset: number
  /** Finalized metadata.version feature level. */
  readonly metadataVersionLevel: number
  topics(): Iterable<TopicView>
  topic(name: string): TopicView | undefined
  topicById(id: string): TopicView | undefined
  brokers(): BrokerView[]
  /** Config overrides set on a topic (DYNAMIC_TOPIC_CONFIG). */
  topicConfigs(name: string): ReadonlyMap<string, string>
}
