// DescribeConfigs (32): v0-4 (Kafka 3.9). Topic and broker resources from the MetadataImage and
// server.properties (sources: DYNAMIC_TOPIC_CONFIG, DYNAMIC_BROKER_CONFIG,
// DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG); synonyms when requested (v1+).
// * Unknown topic → UNKNOWN_TOPIC_OR_PARTITION; a broker id other than this node or '' →
//   INVALID_REQUEST; other resource types → INVALID_REQUEST.
import {DescribeConfigsApi, type DescribeConfigsRequest, type DescribeConfigsResponse} from '../../protocol/generated/messages/describe-configs.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ConfigResourceType} from '../metadata/metadata-image.js'
import {describeBrokerConfigs, describeTopicConfigs, type DescribedConfig} from '../controller/config-describer.js'
import type {CommonServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

function handleDescribeConfigs(req: DescribeConfigsRequest, ctx: RequestContext<CommonServices>): Input<DescribeConfigsResponse> {
  const cache = ctx.services.metadata
  const image = cache.image
  const v = ctx.apiVersion
  return {
    throttleTimeMs: 0,
    results: req.resources.map(res => {
      const base = {resourceType: res.resourceType, resourceName: res.resourceName}
      let configs: DescribedConfig[]
      // Kafka `AuthHelper`/`ConfigHelper`: DescribeConfigs on the topic, or on the cluster for broker resources.
      const denied = res.resourceType === ConfigResourceType.TOPIC
        ? (isAuthorized(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, res.resourceName) ? ErrorCode.NONE : ErrorCode.TOPIC_AUTHORIZATION_FAILED)
        : (isClusterAuthorized(ctx, AclOperation.DESCRIBE_CONFIGS) ? ErrorCode.NONE : ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      if (denied !== ErrorCode.NONE) return {...base, errorCode: denied, errorMessage: null, configs: []}
      if (res.resourceType === ConfigResourceType.TOPIC) {
        if (!image.topicsByName.has(res.resourceName)) {
          return {...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.', configs: []}
        }
        configs = describeTopicConfigs(image, ctx.services.config, res.resourceName)
      } else if (res.resourceType === ConfigResourceType.BROKER) {
        if (res.resourceName !== '' && res.resourceName !== String(ctx.services.nodeId)) {
          return {...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${ctx.services.nodeId} or empty string, but received ${res.resourceName}`, configs: []}
        }
        configs = describeBrokerConfigs(image, ctx.services.config, res.resourceName)
      } else {
        return {...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${res.resourceType}`, configs: []}
      }
      const keys = res.configurationKeys
      if (keys && keys.length > 0) configs = configs.filter(c => keys.includes(c.name))
      return {
        ...base,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        configs: configs.map(c => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          // v0 has isDefault instead of configSource.
          isDefault: c.isDefault,
          configSource: c.configSource,
          isSensitive: c.isSensitive,
          synonyms: v >= 1 && req.includeSynonyms ? c.synonyms : [],
          configType: c.configType,
          documentation: null,
        })),
      }
    }),
  }
}

export const describeConfigs = defineApi<DescribeConfigsRequest, CommonServices>(DescribeConfigsApi, 0, 4, handleDescribeConfigs)
