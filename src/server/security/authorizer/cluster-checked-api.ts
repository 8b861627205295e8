/**
 * APIs authorized by one operation on the cluster resource as a whole (Kafka `ControllerApis`):
 * the inter-node and quorum APIs (ClusterAction), DescribeQuorum and ListPartitionReassignments
 * (Describe), ElectLeaders, AlterPartitionReassignments, UnregisterBroker, AddRaftVoter and
 * RemoveRaftVoter (Alter). A denied request gets the API's error response with
 * CLUSTER_AUTHORIZATION_FAILED and never reaches the handler.
 */
import {ErrorCode} from '../../../protocol/errors.js'
import type {ApiDefinition, RequestContext} from '../../apis/registry.js'
import {forwardingErrorResponse} from '../../broker/forwarding.js'
import type {CommonServices} from '../../services.js'
import {AclOperation} from './acl-binding.js'
import {AuthorizationMessages, isClusterAuthorized} from './request-authorization.js'

/** API key → the cluster operation it needs (controller listeners). */
export const CLUSTER_OPERATION_BY_API: ReadonlyMap<number, number> = new Map([
  [1, AclOperation.CLUSTER_ACTION], // Fetch (Raft)
  [52, AclOperation.CLUSTER_ACTION], // Vote
  [53, AclOperation.CLUSTER_ACTION], // BeginQuorumEpoch
  [54, AclOperation.CLUSTER_ACTION], // EndQuorumEpoch
  [59, AclOperation.CLUSTER_ACTION], // FetchSnapshot
  [82, AclOperation.CLUSTER_ACTION], // UpdateRaftVoter
  [56, AclOperation.CLUSTER_ACTION], // AlterPartition
  [62, AclOperation.CLUSTER_ACTION], // BrokerRegistration
  [63, AclOperation.CLUSTER_ACTION], // BrokerHeartbeat
  [67, AclOperation.CLUSTER_ACTION], // AllocateProducerIds
  [55, AclOperation.DESCRIBE], // DescribeQuorum
  [46, AclOperation.DESCRIBE], // ListPartitionReassignments
  [43, AclOperation.ALTER], // ElectLeaders
  [45, AclOperation.ALTER], // AlterPartitionReassignments
  [64, AclOperation.ALTER], // UnregisterBroker
  [80, AclOperation.ALTER], // AddRaftVoter
  [81, AclOperation.ALTER], // RemoveRaftVoter
])

/** `def` behind its cluster check (unchanged when the API has none). */
export function clusterChecked<S extends CommonServices>(def: ApiDefinition<S>): ApiDefinition<S> {
  const operation = CLUSTER_OPERATION_BY_API.get(def.spec.apiKey)
  if (operation === undefined) return def
  const inner = def.handler
  return {
    ...def,
    handler(req: unknown, ctx: RequestContext<S>) {
      if (isClusterAuthorized(ctx, operation)) return inner(req, ctx)
      return forwardingErrorResponse(def.spec.apiKey, ctx.apiVersion, req, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, AuthorizationMessages.cluster)
    },
  }
}
