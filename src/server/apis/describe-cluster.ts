// DescribeCluster (60): v0-1 (Kafka 3.9, KIP-919). On a broker listener: the unfenced brokers with
// their endpoint on this listener, and as controller id a live broker (KRaft brokers never expose
// the controllers to clients; admin requests sent to that "controller" are forwarded). On a
// controller listener (endpointType 2, `--bootstrap-controller`): the quorum's voters with their
// controller endpoints and the active controller's id.
// * An endpointType that does not match the listener → MISMATCHED_ENDPOINT_TYPE.
import {DescribeClusterApi, type DescribeClusterRequest, type DescribeClusterResponse} from '../../protocol/generated/messages/describe-cluster.js'
import {ErrorCode, errorMessage} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {CommonServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

/** Kafka `EndpointType`: 1 broker, 2 controller. */
const BROKER_ENDPOINTS = 1
const CONTROLLER_ENDPOINTS = 2
const UNKNOWN_OPERATIONS = -2147483648

function handleDescribeCluster(req: DescribeClusterRequest, ctx: RequestContext<CommonServices>): Input<DescribeClusterResponse> {
  const {services} = ctx
  const onController = services.config.controllerListenerNames.includes(ctx.listenerName)
  const endpointType = ctx.apiVersion >= 1 ? req.endpointType : BROKER_ENDPOINTS
  const base = {throttleTimeMs: 0, endpointType, clusterId: services.clusterId, clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? 0 : UNKNOWN_OPERATIONS}
  if ((endpointType === CONTROLLER_ENDPOINTS) !== onController) {
    const code = ErrorCode.MISMATCHED_ENDPOINT_TYPE
    return {...base, errorCode: code, errorMessage: errorMessage(code), controllerId: -1, brokers: []}
  }
  if (onController) {
    const voters = services.config.controllerQuorumVoters
    return {
      ...base, errorCode: ErrorCode.NONE, errorMessage: null,
      controllerId: services.raft.leaderAndEpoch().leaderId,
      brokers: voters.map(v => ({brokerId: v.id, host: v.host, port: v.port, rack: null})),
    }
  }
  const live = services.metadata.image.liveBrokers()
  const brokers = live.flatMap(b => {
    const ep = b.endpoints.find(e => e.name === ctx.listenerName)
    return ep ? [{brokerId: b.id, host: ep.host, port: ep.port, rack: b.rack}] : []
  })
  const self = live.find(b => b.id === services.nodeId)
  return {...base, errorCode: ErrorCode.NONE, errorMessage: null, controllerId: self?.id ?? live[0]?.id ?? -1, brokers}
}

export const describeCluster = defineApi<DescribeClusterRequest, CommonServices>(DescribeClusterApi, 0, 1, handleDescribeCluster)
