/**
 * Adapts a MetadataImage to the narrow `MetadataView` (server/metadata-view.ts) that data-plane
 * handlers read. One view per image (cached), built lazily per topic; cheap to call per request.
 */
import type {BrokerView, MetadataView, TopicView} from '../metadata-view.js'
import {ConfigResourceType, type MetadataImage, type TopicImage} from './metadata-image.js'

/** Kafka `SecurityProtocol` ids → names. */
const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']

/** Topics Kafka reports as internal. */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state'])

const views = new WeakMap<MetadataImage, MetadataView>()
const topicViews = new WeakMap<TopicImage, TopicView>()

function topicView(t: TopicImage): TopicView {
  let v = topicViews.get(t)
  if (!v) {
    v = {
      name: t.name,
      topicId: t.topicId,
      isInternal: INTERNAL_TOPICS.has(t.name),
      partitions: [...t.partitions.values()].sort((a, b) => a.partitionId - b.partitionId).map(p => ({
        topic: t.name, topicId: t.topicId, partition: p.partitionId, replicas: [...p.replicas], isr: [...p.isr],
        leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch,
      })),
    }
    topicViews.set(t, v)
  }
  return v
}

/** The MetadataView of `image`. */
export function metadataViewOf(image: MetadataImage): MetadataView {
  let v = views.get(image)
  if (v) return v
  let brokers: BrokerView[] | null = null
  v = {
    clusterId: image.clusterId,
    offset: image.offset,
    metadataVersionLevel: image.metadataVersion,
    *topics() {
      for (const t of image.topicsByName.values()) yield topicView(t)
    },
    topic(name) {
      const t = image.topicsByName.get(name)
      return t ? topicView(t) : undefined
    },
    topicById(id) {
      const t = image.topicsById.get(id)
      return t ? topicView(t) : undefined
    },
    brokers() {
      brokers ??= [...image.brokers.values()].sort((a, b) => a.id - b.id).map(b => ({
        nodeId: b.id, rack: b.rack, fenced: b.fenced,
        endpoints: b.endpoints.map(e => ({listenerName: e.name, host: e.host, port: e.port, securityProtocol: SECURITY_PROTOCOLS[e.securityProtocol] ?? 'PLAINTEXT'})),
      }))
      return brokers
    },
    topicConfigs(name) {
      return image.configsOf(ConfigResourceType.TOPIC, name)
    },
  }
  views.set(image, v)
  return v
}
