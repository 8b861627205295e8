// CreateTopics (19): v0-7 (Kafka 3.9). Goes through the QuorumController (ctx.services.controller).
// * Per-topic errors with Kafka's messages (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION,
//   INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT, INVALID_CONFIG).
// * v5+: the response carries numPartitions, replicationFactor and the topic's effective configs.
// * validateOnly computes the result without writing records.
import {CreateTopicsApi, type CreateTopicsRequest, type CreateTopicsResponse} from '../../protocol/generated/messages/create-topics.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {describeTopicConfigs} from '../controller/config-describer.js'
import {MetadataImage, ConfigResourceType} from '../metadata/metadata-image.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {AuthorizationMessages, isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'
import {ErrorCode} from '../../protocol/errors.js'

async function handleCreateTopics(req: CreateTopicsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<CreateTopicsResponse>> {
  const {controller} = ctx.services
  const cache = ctx.services.metadata
  // Kafka `ControllerApis.createTopics`: Create on the cluster, or on each topic.
  const denied = ctx.services.authorizer && !isClusterAuthorized(ctx, AclOperation.CREATE)
    ? req.topics.filter(t => !isAuthorized(ctx, AclOperation.CREATE, ResourceType.TOPIC, t.name)) : []
  const deniedResults = denied.map(t => ({name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    errorMessage: ctx.apiVersion >= 1 ? AuthorizationMessages.topic : null, numPartitions: -1, replicationFactor: -1, configs: null}))
  if (denied.length > 0 && denied.length === req.topics.length) return {throttleTimeMs: 0, topics: deniedResults}
  try {
    const results = await controller.createTopics(req.topics.filter(t => !denied.includes(t)).map(t => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments,
      configs: t.configs,
    })), req.validateOnly)
    const topics: Input<CreateTopicsResponse>['topics'] = results.map(r => {
      if (r.errorCode !== 0 || ctx.apiVersion < 5) {
        return {name: r.name, topicId: r.topicId, errorCode: r.errorCode, errorMessage: ctx.apiVersion >= 1 ? r.errorMessage : null, numPartitions: -1, replicationFactor: -1, configs: r.errorCode !== 0 ? null : []}
      }
      // For validateOnly the topic is not in the image: describe with its would-be overrides.
      let image = cache.image
      if (!image.topicsByName.has(r.name)) {
        const configs = new Map(image.configs)
        configs.set(`${ConfigResourceType.TOPIC}:${r.name}`, new Map(r.configs.map(c => [c.name, c.value])))
        image = new MetadataImage(image.offset, image.epoch, image.clusterId, image.features, image.brokers, image.topicsById, image.topicsByName, configs, image.nextProducerId, image.acls)
      }
      const configs = describeTopicConfigs(image, ctx.services.config, r.name).map(c => ({
        name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: c.isSensitive,
      }))
      return {name: r.name, topicId: ctx.apiVersion >= 7 ? r.topicId : undefined, errorCode: 0, errorMessage: null, numPartitions: r.numPartitions, replicationFactor: r.replicationFactor, configs}
    })
    return {throttleTimeMs: 0, topics: [...topics ?? [], ...deniedResults]}
  } catch (err) {
    const code = errorCodeFor(err)
    return {throttleTimeMs: 0, topics: req.topics.map(t => ({name: t.name, errorCode: code, errorMessage: (err as Error).message, numPartitions: -1, replicationFactor: -1, configs: null}))}
  }
}

export const createTopics = defineApi<CreateTopicsRequest, ControllerServices>(CreateTopicsApi, 0, 7, handleCreateTopics)
