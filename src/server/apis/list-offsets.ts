// ListOffsets (2): v0-9.
// * Timestamp -2 earliest (log start offset), -1 latest (high watermark, or last stable offset for
//   read_committed), -3 max timestamp (KIP-734), -4 earliest-local (= earliest, no tiered storage),
//   -5 latest-tiered (none: offset -1), >= 0 first offset whose timestamp is >= it (via .timeindex).
// * v0 answers OldStyleOffsets; CurrentLeaderEpoch (v4+) is checked.
// * A follower (ReplicaId >= 0) sees up to the log end offset (-1 = log end offset), as Kafka answers
//   replicas; ReplicaId -2 (debugging) may ask a follower.
import {ListOffsetsApi, type ListOffsetsRequest, type ListOffsetsResponse} from '../../protocol/generated/messages/list-offsets.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {Partition} from '../replica/partition.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const EARLIEST_TIMESTAMP = -2
export const LATEST_TIMESTAMP = -1
export const MAX_TIMESTAMP = -3
export const EARLIEST_LOCAL_TIMESTAMP = -4
export const LATEST_TIERED_TIMESTAMP = -5

interface OffsetAnswer { errorCode: number; offset: number; timestamp: number; leaderEpoch: number }

/** ListOffsets ReplicaId of consumers, and of debugging tools allowed to read a follower. */
export const CONSUMER_REPLICA_ID = -1
export const DEBUGGING_REPLICA_ID = -2

/**
 * Resolves one ListOffsets query against a hosted partition (Kafka `fetchOffsetForTimestamp`):
 * leader epoch check first, then leadership (unless `replicaId` is DEBUGGING_REPLICA_ID).
 */
export function listOffset(p: Partition, timestamp: number, isolationLevel: number, currentLeaderEpoch: number, replicaId = CONSUMER_REPLICA_ID): OffsetAnswer {
  const none = {errorCode: ErrorCode.NONE, offset: -1, timestamp: -1, leaderEpoch: -1}
  const epochError = p.checkCurrentLeaderEpoch(currentLeaderEpoch)
  if (epochError !== ErrorCode.NONE) return {...none, errorCode: epochError}
  if (!p.isLeader && replicaId !== DEBUGGING_REPLICA_ID) return {...none, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER}
  const log = p.log
  const upper = replicaId !== CONSUMER_REPLICA_ID ? log.logEndOffset : isolationLevel === 1 ? p.lastStableOffset : p.highWatermark
  switch (timestamp) {
    case EARLIEST_TIMESTAMP:
    case EARLIEST_LOCAL_TIMESTAMP:
      return {...none, offset: log.logStartOffset, leaderEpoch: log.epochForOffset(log.logStartOffset)}
    case LATEST_TIMESTAMP:
      return {...none, offset: upper, leaderEpoch: log.latestEpoch() ?? -1}
    case LATEST_TIERED_TIMESTAMP:
      return none
    case MAX_TIMESTAMP: {
      const r = log.fetchMaxTimestamp()
      return r && r.offset < upper ? {...none, ...r} : none
    }
    default: {
      const r = log.fetchOffsetByTimestamp(timestamp)
      return r && r.offset < upper ? {...none, ...r} : none
    }
  }
}

function handleListOffsets(req: ListOffsetsRequest, ctx: RequestContext): Input<ListOffsetsResponse> {
  const rm = ctx.services.replicaManager
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((pr) => {
        const p: Partition | undefined = rm.getPartition(t.name, pr.partitionIndex)
        const a = !isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name)
          ? {errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, offset: -1, timestamp: -1, leaderEpoch: -1}
          : p
          ? listOffset(p, pr.timestamp, req.isolationLevel, pr.currentLeaderEpoch, req.replicaId)
          : {errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1, timestamp: -1, leaderEpoch: -1}
        return {
          partitionIndex: pr.partitionIndex,
          errorCode: a.errorCode,
          oldStyleOffsets: a.offset >= 0 ? [a.offset] : [],
          timestamp: a.timestamp,
          offset: a.offset,
          leaderEpoch: a.leaderEpoch,
        }
      }),
    })),
  }
}

export const listOffsets = defineApi(ListOffsetsApi, 0, 9, handleListOffsets)
