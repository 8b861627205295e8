// DescribeCluster (60): v0-1 (Kafka 3.9). Brokers (unfenced, with this listener's endpoint) and the
// active controller id from the MetadataImage / Raft. endpointType 2 (controller, v1) answers
// with the controller endpoints of the quorum voters.
import {DescribeClusterApi, type DescribeClusterRequest, type DescribeClusterResponse} from '../../protocol/generated/messages/describe-cluster.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {MetadataCache} from '../metadata/metadata-cache.js'
import {defineApi, type RequestContext} from './registry.js'

/** Kafka `EndpointType`: 1 broker, 2 controller. */
const BROKER_ENDPOINTS = 1

function handleDescribeCluster(req: DescribeClusterRequest, ctx: RequestContext): Input<DescribeClusterResponse> {
  const cache: MetadataCache = ctx.services.metadata
  const image = cache.image
  const endpointType = ctx.apiVersion >= 1 ? req.endpointType : BROKER_ENDPOINTS
  const controllerId: number = ctx.services.controller?.isActive ? ctx.services.nodeId : -1
  if (endpointType !== BROKER_ENDPOINTS) {
    const voters: {id: number, host: string, port: number}[] = ctx.services.config.controllerQuorumVoters ?? []
    return {
      throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, endpointType, clusterId: ctx.services.clusterId,
      controllerId, brokers: voters.map(v => ({brokerId: v.id, host: v.host, port: v.port, rack: null})), clusterAuthorizedOperations: -2147483648,
    }
  }
  const brokers = image.liveBrokers().flatMap(b => {
    const ep = b.endpoints.find(e => e.name === ctx.listenerName) ?? b.endpoints[0]
    return ep ? [{brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack}] : []
  })
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType,
    clusterId: ctx.services.clusterId,
    controllerId,
    brokers,
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? 0 : -2147483648,
  }
}

export const describeCluster = defineApi(DescribeClusterApi, 0, 1, handleDescribeCluster)
