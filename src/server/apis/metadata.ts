// Metadata (3): v0-12.
// * Brokers: unfenced brokers with an endpoint on the request's listener.
// * Topics: all (null list, v1+; empty list in v0 means all) or the named/ids ones (v10+ ids, v12 ids only).
// * Auto-creation (auto.create.topics.enable, AllowAutoTopicCreation v4+, always on v0-3): unknown topics
//   are created with num.partitions / default.replication.factor and answered LEADER_NOT_AVAILABLE.
// * ControllerId: KRaft brokers report a live broker (this node when live), as Kafka does for clients.
// * Authorization (Kafka `KafkaApis.handleTopicMetadataRequest`): topics the principal may not
//   Describe are left out of an all-topics answer and answered TOPIC_AUTHORIZATION_FAILED when
//   named (by id: name null); auto-creation needs Create on the cluster or the topic, else
//   TOPIC_AUTHORIZATION_FAILED. Topic/ClusterAuthorizedOperations (v8+) when asked (the cluster's
//   only with Describe on it, else 0).
import {MetadataApi, type MetadataRequest, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {TopicView} from '../metadata-view.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, CLUSTER_NAME, ResourceType} from '../security/authorizer/acl-binding.js'
import {AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations, isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

type ResponseTopic = NonNullable<Input<MetadataResponse>['topics']>[number]

export function topicToMetadata(t: TopicView, liveBrokers: Set<number>): ResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.isInternal,
    partitions: t.partitions.map((p) => ({
      errorCode: p.leader >= 0 && liveBrokers.has(p.leader) ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((r) => !liveBrokers.has(r)),
    })),
  }
}

async function handleMetadata(req: MetadataRequest, ctx: RequestContext): Promise<Input<MetadataResponse>> {
  const {services, apiVersion} = ctx
  let view = services.view()
  const brokers = view.brokers().filter((b) => !b.fenced)
  const liveBrokers = new Set(brokers.map((b) => b.nodeId))
  const responseBrokers = []
  for (const b of brokers) {
    const ep = b.endpoints.find((e) => e.listenerName === ctx.listenerName)
    if (ep) responseBrokers.push({nodeId: b.nodeId, host: ep.host, port: ep.port, rack: b.rack})
  }
  const topics: ResponseTopic[] = []
  const requested = req.topics
  const all = requested === null || (apiVersion === 0 && requested.length === 0)
  const authorizing = services.authorizer != null
  const mayDescribe = (name: string): boolean => !authorizing || isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)
  if (all) {
    for (const t of view.topics()) if (mayDescribe(t.name)) topics.push(topicToMetadata(t, liveBrokers))
  } else {
    const allowAuto = (apiVersion < 4 || req.allowAutoTopicCreation) && services.config.autoCreateTopicsEnable !== false
    const toCreate: string[] = []
    for (const rt of requested) {
      const byId = rt.topicId && rt.topicId !== ZERO_UUID ? view.topicById(rt.topicId) : undefined
      if (rt.name == null || rt.name === '') {
        if (byId && !mayDescribe(byId.name)) topics.push({errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: null, topicId: rt.topicId, partitions: []})
        else if (byId) topics.push(topicToMetadata(byId, liveBrokers))
        else topics.push({errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: rt.topicId, partitions: []})
        continue
      }
      const t = view.topic(rt.name)
      if (!mayDescribe(rt.name)) topics.push({errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: rt.name, topicId: ZERO_UUID, partitions: []})
      else if (t) topics.push(topicToMetadata(t, liveBrokers))
      else if (allowAuto && !rt.name.startsWith('__') && authorizing && !isClusterAuthorized(ctx, AclOperation.CREATE) &&
        !isAuthorized(ctx, AclOperation.CREATE, ResourceType.TOPIC, rt.name)) {
        topics.push({errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name: rt.name, topicId: ZERO_UUID, partitions: []})
      } else if (allowAuto && !rt.name.startsWith('__')) toCreate.push(rt.name)
      else topics.push({errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: rt.name, topicId: ZERO_UUID, partitions: []})
    }
    if (toCreate.length > 0) {
      const results = await services.autoCreateTopics(toCreate.map(name => ({name})))
      view = services.view()
      for (const r of results) {
        const created = view.topic(r.name)
        const errorCode =
          r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS
            ? ErrorCode.LEADER_NOT_AVAILABLE
            : r.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION ? ErrorCode.INVALID_TOPIC_EXCEPTION : r.errorCode
        // Like Kafka's AutoTopicCreationManager, the creating request is answered LEADER_NOT_AVAILABLE
        // without partitions even when the topic is already complete; clients ask again.
        topics.push({errorCode, name: r.name, topicId: created?.topicId ?? ZERO_UUID, partitions: []})
      }
    }
  }
  if (apiVersion >= 8 && req.includeTopicAuthorizedOperations) {
    for (const t of topics) {
      if (t.errorCode === ErrorCode.NONE && t.name) t.topicAuthorizedOperations = authorizedOperations(ctx, ResourceType.TOPIC, t.name)
    }
  }
  return {
    clusterAuthorizedOperations: !(apiVersion >= 8 && apiVersion <= 10 && req.includeClusterAuthorizedOperations) ? AUTHORIZED_OPERATIONS_OMITTED
      : isClusterAuthorized(ctx, AclOperation.DESCRIBE) ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : 0,
    throttleTimeMs: 0,
    brokers: responseBrokers,
    clusterId: view.clusterId,
    // KRaft brokers name a live broker as controller: clients cannot reach the controllers, and
    // admin requests sent to that broker are forwarded (KRaftMetadataCache.getControllerId).
    controllerId: liveBrokers.has(services.nodeId) ? services.nodeId : (brokers[0]?.nodeId ?? -1),
    topics,
  }
}

export const metadata = defineApi(MetadataApi, 0, 12, handleMetadata)
