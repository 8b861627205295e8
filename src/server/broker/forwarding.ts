/**
 * Broker-side handlers for the admin APIs the active controller decides (Kafka `ForwardingManager`,
 * KIP-590): the request is forwarded as received, inside an Envelope, and the controller's response
 * goes back to the client unchanged. The client's principal travels in Envelope.requestPrincipal,
 * so the controller authorizes the original caller. When no active controller answers before the deadline the
 * client gets the API's error response with REQUEST_TIMED_OUT (or the Envelope's error), as
 * Kafka's `AbstractRequest.getErrorResponse` builds it.
 */
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {ApiDefinition, RequestContext} from '../apis/registry.js'
import {electLeadersErrorResponse} from '../apis/elect-leaders.js'
import type {ElectLeadersRequest} from '../../protocol/generated/messages/elect-leaders.js'
import type {BrokerServices, ControllerServices} from '../services.js'

/** Default deadline of a forwarded request when the request carries none, ms (Kafka `request.timeout.ms`). */
const FORWARD_TIMEOUT_MS = 30_000

interface Named { name: string }
interface Resource { resourceType: number, resourceName: string }

/** The error response of a forwarded request (every entry carries `errorCode`). */
export function forwardingErrorResponse(apiKey: number, apiVersion: number, req: unknown, errorCode: number, errorMessage: string): Input<unknown> {
  const r = req as Record<string, unknown>
  switch (apiKey) {
    case 19: // CreateTopics
      return {throttleTimeMs: 0, topics: (r.topics as Named[]).map(t => ({name: t.name, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null}))}
    case 20: { // DeleteTopics
      const topics = apiVersion >= 6
        ? (r.topics as {name: string | null, topicId: string}[])
        : (r.topicNames as string[]).map(name => ({name, topicId: ZERO_UUID}))
      return {throttleTimeMs: 0, responses: topics.map(t => ({name: t.name, topicId: t.topicId, errorCode, errorMessage}))}
    }
    case 37: // CreatePartitions
      return {throttleTimeMs: 0, results: (r.topics as Named[]).map(t => ({name: t.name, errorCode, errorMessage}))}
    case 33: // AlterConfigs
    case 44: // IncrementalAlterConfigs
      return {throttleTimeMs: 0, responses: (r.resources as Resource[]).map(x => ({resourceType: x.resourceType, resourceName: x.resourceName, errorCode, errorMessage}))}
    case 30: // CreateAcls
      return {throttleTimeMs: 0, results: (r.creations as unknown[]).map(() => ({errorCode, errorMessage}))}
    case 31: // DeleteAcls
      return {throttleTimeMs: 0, filterResults: (r.filters as unknown[]).map(() => ({errorCode, errorMessage, matchingAcls: []}))}
    case 43: // ElectLeaders
      return electLeadersErrorResponse(r as unknown as ElectLeadersRequest, errorCode, errorMessage)
    default: // DescribeQuorum, UnregisterBroker, Alter/ListPartitionReassignments and others with a top-level error
      return {throttleTimeMs: 0, errorCode, errorMessage}
  }
}

/** The broker listener's version of a controller API: same versions, forwarded to the active controller. */
export function forwardedApi(def: ApiDefinition<ControllerServices>): ApiDefinition<BrokerServices> {
  const apiKey = def.spec.apiKey
  return {
    spec: def.spec,
    minVersion: def.minVersion,
    maxVersion: def.maxVersion,
    async handler(req: unknown, ctx: RequestContext<BrokerServices>) {
      const requested = (req as {timeoutMs?: unknown}).timeoutMs
      const timeoutMs = typeof requested === 'number' && requested > 0 ? requested : FORWARD_TIMEOUT_MS
      try {
        return await ctx.services.controllerChannel.forward(ctx.rawRequest, apiKey, ctx.apiVersion, ctx.clientHost, timeoutMs, ctx.principal) as Input<unknown>
      } catch (err) {
        ctx.services.logger.warn(`Forwarding ${def.spec.name} from ${ctx.clientId} failed: ${(err as Error).message}`)
        return forwardingErrorResponse(apiKey, ctx.apiVersion, req, errorCodeFor(err), (err as Error).message)
      }
    },
  }
}
