// DescribeCluster (60): v0-1 (Kafka 3.9, KIP-700, KIP-919).
// * Broker listeners: the live (unfenced) brokers with this listener's endpoint, and as controller
//   id a live broker (this node when live): KRaft brokers never expose the controllers to clients,
//   and admin requests sent to that "controller" are forwarded (KRaftMetadataCache.getControllerId).
//   EndpointType must be 1 (broker).
// * Controller listeners (KIP-919, `--bootstrap-controller`): the quorum voters with their
//   controller endpoints and the Raft leader id (-1 when unknown or not among the voters), as
//   Kafka's `ControllerApis.handleDescribeCluster`. EndpointType must be 2 (controller).
// * Errors (Kafka `AuthHelper.computeDescribeClusterResponse`): an unknown EndpointType →
//   UNSUPPORTED_ENDPOINT_TYPE (v0: INVALID_REQUEST); the other listener kind's type →
//   MISMATCHED_ENDPOINT_TYPE (v0: INVALID_REQUEST), each with Kafka's message.
// * Authorization as Kafka: no check; ClusterAuthorizedOperations (when asked) is 0 unless the
//   principal may Describe the cluster.
import {DescribeClusterApi, type DescribeClusterRequest, type DescribeClusterResponse} from '../../protocol/generated/messages/describe-cluster.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {CommonServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, CLUSTER_NAME, ResourceType} from '../security/authorizer/acl-binding.js'
import {AUTHORIZED_OPERATIONS_OMITTED, authorizedOperations, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

/** Kafka `EndpointType`: 1 broker, 2 controller. */
const BROKER_ENDPOINTS = 1
const CONTROLLER_ENDPOINTS = 2
const ENDPOINT_TYPE_NAMES: Record<number, string> = {[BROKER_ENDPOINTS]: 'BROKER', [CONTROLLER_ENDPOINTS]: 'CONTROLLER'}

function errorResponse(ctx: RequestContext<CommonServices>, errorCode: number, errorMessage: string): Input<DescribeClusterResponse> {
  return {
    throttleTimeMs: 0, errorCode: ctx.apiVersion === 0 ? ErrorCode.INVALID_REQUEST : errorCode, errorMessage,
    clusterId: '', controllerId: -1, brokers: [], clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
}

function handleDescribeCluster(req: DescribeClusterRequest, ctx: RequestContext<CommonServices>): Input<DescribeClusterResponse> {
  const {services} = ctx
  const onController = services.config.controllerListenerNames.includes(ctx.listenerName)
  const expected = onController ? CONTROLLER_ENDPOINTS : BROKER_ENDPOINTS
  const requested = ctx.apiVersion >= 1 ? req.endpointType : BROKER_ENDPOINTS
  if (ENDPOINT_TYPE_NAMES[requested] === undefined) {
    return errorResponse(ctx, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${requested}`)
  }
  if (requested !== expected) {
    return errorResponse(ctx, ErrorCode.MISMATCHED_ENDPOINT_TYPE,
      `The request was sent to an endpoint of type ${ENDPOINT_TYPE_NAMES[expected]}, but we wanted an endpoint of type ${ENDPOINT_TYPE_NAMES[requested]}`)
  }
  const base = {
    throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, endpointType: requested, clusterId: services.clusterId,
    // Kafka `AuthHelper.computeDescribeClusterResponse`: the bits only for a principal that may Describe the cluster.
    clusterAuthorizedOperations: !req.includeClusterAuthorizedOperations ? AUTHORIZED_OPERATIONS_OMITTED
      : isClusterAuthorized(ctx, AclOperation.DESCRIBE) ? authorizedOperations(ctx, ResourceType.CLUSTER, CLUSTER_NAME) : 0,
  }
  if (onController) {
    const voters = services.raft.voters().flatMap(v => {
      const e = v.endpoints.find(x => x.name === ctx.listenerName) ?? v.endpoints[0]
      return e ? [{brokerId: v.id, host: e.host, port: e.port, rack: null}] : []
    })
    const leaderId = services.raft.leaderAndEpoch().leaderId
    return {...base, controllerId: voters.some(v => v.brokerId === leaderId) ? leaderId : -1, brokers: voters}
  }
  const live = services.metadata.image.liveBrokers()
  const brokers = live.flatMap(b => {
    const ep = b.endpoints.find(e => e.name === ctx.listenerName)
    return ep ? [{brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack}] : []
  })
  const controllerId = live.some(b => b.id === services.nodeId) ? services.nodeId : (live[0]?.id ?? -1)
  return {...base, controllerId, brokers}
}

export const describeCluster = defineApi<DescribeClusterRequest, CommonServices>(DescribeClusterApi, 0, 1, handleDescribeCluster)
