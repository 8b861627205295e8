// ApiVersions (18): v0-4.
// * Lists the APIs served on the connection's listener (from the handler registry, so an API that is
//   not implemented is never advertised) and, v3+, supported/finalized features (metadata.version).
// * v3+ ClientSoftwareName/Version must match Kafka's pattern, else INVALID_REQUEST.
// * A request version above ours is answered in v0 format by the dispatcher (KIP-511).
// * Produce is advertised from v0 although only v3+ is served (the dispatcher still closes the
//   connection on v0-2), as Kafka 4.0 does: `ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION`,
//   KAFKA-18659. librdkafka before 2.11.1 checks codec support with "Produce somewhere in 0..0" and
//   silently sends gzip/snappy/lz4 batches uncompressed when the advertised minimum is above 0.
// * Features (v3+, Kafka 3.9 `ApiVersionManager` / `ApiVersionsResponse.Builder`): SupportedFeatures
//   from SUPPORTED_FEATURES (below v4, features whose minimum is 0 are left out: KAFKA-17492),
//   FinalizedFeatures = every finalized level of the metadata image and kraft.version, except level 0
//   (min = max = level), FinalizedFeaturesEpoch = offset of the last applied metadata record (-1 before any).
import {ApiVersionsApi, type ApiVersionsRequest, type ApiVersionsResponse} from '../../protocol/generated/messages/api-versions.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {CommonServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

const PRODUCE_KEY = 0
/** Produce min version put in ApiVersions responses (Kafka's `PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION`). */
const PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION = 0

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/
/** metadata.version levels this node supports (3.3-IV0 .. 3.9-IV0). */
export const MIN_METADATA_VERSION_LEVEL = 4
export const MAX_METADATA_VERSION_LEVEL = 21

/**
 * Feature name -> supported level range (Kafka `BrokerFeatures.defaultSupportedFeatures`: features
 * whose highest level is 0 are not listed): `kraft.version` 0-1 (1: the dynamic quorum, KIP-853).
 */
export const SUPPORTED_FEATURES: ReadonlyMap<string, {minVersion: number, maxVersion: number}> = new Map([
  ['kraft.version', {minVersion: 0, maxVersion: 1}],
  ['metadata.version', {minVersion: MIN_METADATA_VERSION_LEVEL, maxVersion: MAX_METADATA_VERSION_LEVEL}],
])

/** First ApiVersions version that may list features with a minimum level of 0 (KAFKA-17492). */
const FEATURE_LEVEL_0_MIN_API_VERSION = 4

function handleApiVersions(req: ApiVersionsRequest, ctx: RequestContext<CommonServices>): Input<ApiVersionsResponse> {
  const apiKeys = [...ctx.apis.values()]
    .sort((a, b) => a.spec.apiKey - b.spec.apiKey)
    .map((d) => ({
      apiKey: d.spec.apiKey,
      minVersion: d.spec.apiKey === PRODUCE_KEY ? PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION : d.minVersion,
      maxVersion: d.maxVersion,
    }))
  let errorCode: number = ErrorCode.NONE
  if (ctx.apiVersion >= 3 && (!SOFTWARE_PATTERN.test(req.clientSoftwareName) || !SOFTWARE_PATTERN.test(req.clientSoftwareVersion))) {
    errorCode = ErrorCode.INVALID_REQUEST
  }
  const image = ctx.services.metadata.image
  const supportedFeatures = [...SUPPORTED_FEATURES]
    .filter(([, range]) => ctx.apiVersion >= FEATURE_LEVEL_0_MIN_API_VERSION || range.minVersion > 0)
    .map(([name, range]) => ({name, ...range}))
  // kraft.version is not a FeatureLevelRecord: the Raft layer knows it (Kafka `KRaftMetadataCache.features`)
  const finalizedFeatures = [...image.features, ['kraft.version', ctx.services.raft.kraftVersion()] as const]
    .filter(([, level]) => level !== 0)
    .map(([name, level]) => ({name, minVersionLevel: level, maxVersionLevel: level}))
  return {
    errorCode,
    apiKeys,
    throttleTimeMs: 0,
    supportedFeatures,
    finalizedFeaturesEpoch: image.offset,
    finalizedFeatures,
  }
}

export const apiVersions = defineApi<ApiVersionsRequest, CommonServices>(ApiVersionsApi, 0, 4, handleApiVersions)
