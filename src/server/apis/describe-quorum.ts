// DescribeQuorum (55): v0-2 (Kafka 3.9, KIP-595/KIP-853). State of the `__cluster_metadata-0`
// quorum from the Raft client: leader, epoch, high watermark, voters (with log end offsets) and,
// v2, the voters' controller listeners.
// * Other topics/partitions → UNKNOWN_TOPIC_OR_PARTITION; not the leader → NOT_LEADER_OR_FOLLOWER.
import {DescribeQuorumApi, type DescribeQuorumRequest, type DescribeQuorumResponse} from '../../protocol/generated/messages/describe-quorum.js'
import {ErrorCode} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {QuorumController} from '../controller/quorum-controller.js'
import {defineApi, type RequestContext} from './registry.js'

const METADATA_TOPIC = '__cluster_metadata'

function handleDescribeQuorum(req: DescribeQuorumRequest, ctx: RequestContext): Input<DescribeQuorumResponse> {
  const controller: QuorumController | undefined = ctx.services.controller
  const raft = controller?.raftClient
  const now = Date.now()
  const voters: {id: number, host: string, port: number}[] = ctx.services.config.controllerQuorumVoters ?? []
  const listenerName: string = ctx.services.config.controllerListenerNames?.[0] ?? 'CONTROLLER'
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: req.topics.map(t => ({
      topicName: t.topicName,
      partitions: t.partitions.map(p => {
        if (t.topicName !== METADATA_TOPIC || p.partitionIndex !== 0) {
          return {partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, currentVoters: [], observers: []}
        }
        if (!raft || !raft.isLeader) {
          return {partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: null, leaderId: raft?.leaderId ?? -1, leaderEpoch: raft?.epoch ?? -1, currentVoters: [], observers: []}
        }
        return {
          partitionIndex: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          leaderId: raft.leaderId,
          leaderEpoch: raft.epoch,
          highWatermark: raft.highWatermark,
          currentVoters: raft.voters.map(id => ({
            replicaId: id,
            replicaDirectoryId: ZERO_UUID,
            logEndOffset: id === raft.nodeId ? raft.logEndOffset : -1,
            lastFetchTimestamp: id === raft.nodeId ? now : -1,
            lastCaughtUpTimestamp: id === raft.nodeId ? now : -1,
          })),
          observers: [],
        }
      }),
    })),
    nodes: voters.map(v => ({nodeId: v.id, listeners: [{name: listenerName, host: v.host, port: v.port}]})),
  }
}

export const describeQuorum = defineApi(DescribeQuorumApi, 0, 2, handleDescribeQuorum)
