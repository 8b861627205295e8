// OffsetForLeaderEpoch (23): v0-4.
// * For the requested epoch: the largest epoch <= it and the start offset of the next higher epoch
//   (or the log end offset for the current epoch); (-1, -1) if undefined (storage spec §6).
// * CurrentLeaderEpoch (v2+) is checked before leadership (Kafka `Partition.lastOffsetForLeaderEpoch`):
//   FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, then NOT_LEADER_OR_FOLLOWER; consumers (ReplicaId -1)
//   and followers alike are served by the leader.
import {OffsetForLeaderEpochApi, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse} from '../../protocol/generated/messages/offset-for-leader-epoch.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {Partition} from '../replica/partition.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

function handleOffsetForLeaderEpoch(req: OffsetForLeaderEpochRequest, ctx: RequestContext): Input<OffsetForLeaderEpochResponse> {
  const rm = ctx.services.replicaManager
  // Kafka: ClusterAction on the cluster (followers) or Describe on each topic (consumers, KIP-320).
  const clusterAction = isClusterAuthorized(ctx, AclOperation.CLUSTER_ACTION)
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((pr) => {
        const base = {partition: pr.partition, errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1}
        if (!clusterAction && !isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic)) return {...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED}
        const p: Partition | undefined = rm.getPartition(t.topic, pr.partition)
        if (!p) return {...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}
        const epochError = p.checkCurrentLeaderEpoch(pr.currentLeaderEpoch)
        if (epochError !== ErrorCode.NONE) return {...base, errorCode: epochError}
        if (!p.isLeader) return {...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER}
        const r = p.log.endOffsetForEpoch(pr.leaderEpoch)
        return {...base, leaderEpoch: r.epoch, endOffset: r.endOffset}
      }),
    })),
  }
}

export const offsetForLeaderEpoch = defineApi(OffsetForLeaderEpochApi, 0, 4, handleOffsetForLeaderEpoch)
