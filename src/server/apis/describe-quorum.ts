// DescribeQuorum (55): v0-2 (Kafka 3.9, KIP-595/KIP-836/KIP-853). State of the `__cluster_metadata-0`
// quorum from the Raft client, as Kafka's `KafkaRaftClient.handleDescribeQuorumRequest` /
// `RaftUtil.singletonDescribeQuorumResponse` build it:
// * leader id, epoch, high watermark; CurrentVoters in `controller.quorum.voters` order. The leader
//   reports its own log end offset with LastFetchTimestamp = LastCaughtUpTimestamp = now; a voter
//   whose progress the Raft client does not expose reports -1 for all three (Kafka: unknown).
// * ReplicaDirectoryId (v2): the zero uuid, as Kafka reports voters of a static quorum
//   (`controller.quorum.voters` carries no directory ids).
// * Nodes (v2): each voter's endpoint on the first `controller.listener.names` listener.
// * Observers: none yet (brokers of a combined node are not Raft observers).
// * Errors: another topic/partition → UNKNOWN_TOPIC_OR_PARTITION; this node is not the leader →
//   NOT_LEADER_OR_FOLLOWER (with the leader id and epoch this node knows), each with Kafka's message.
import {DescribeQuorumApi, type DescribeQuorumRequest, type DescribeQuorumResponse} from '../../protocol/generated/messages/describe-quorum.js'
import {ErrorCode, errorMessage} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {QuorumVoter} from '../config/server-config.js'
import type {QuorumController} from '../controller/quorum-controller.js'
import {defineApi, type RequestContext} from './registry.js'

const METADATA_TOPIC = '__cluster_metadata'
const METADATA_PARTITION = 0

function handleDescribeQuorum(req: DescribeQuorumRequest, ctx: RequestContext): Input<DescribeQuorumResponse> {
  const controller: QuorumController | undefined = ctx.services.controller
  const raft = controller?.raftClient
  const now = Date.now()
  const voters: QuorumVoter[] = ctx.services.config.controllerQuorumVoters ?? []
  const listenerName: string = ctx.services.config.controllerListenerNames?.[0] ?? 'CONTROLLER'
  const partitionError = (partitionIndex: number, errorCode: number): Input<DescribeQuorumResponse['topics'][number]['partitions'][number]> => ({
    partitionIndex, errorCode, errorMessage: errorMessage(errorCode), leaderId: raft?.leaderId ?? -1, leaderEpoch: raft?.epoch ?? -1,
    highWatermark: -1, currentVoters: [], observers: [],
  })
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: req.topics.map(t => ({
      topicName: t.topicName,
      partitions: t.partitions.map(p => {
        if (t.topicName !== METADATA_TOPIC || p.partitionIndex !== METADATA_PARTITION) return partitionError(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        if (!raft || !raft.isLeader) return partitionError(p.partitionIndex, ErrorCode.NOT_LEADER_OR_FOLLOWER)
        const isSelf = (id: number): boolean => id === raft.nodeId
        return {
          partitionIndex: METADATA_PARTITION,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          leaderId: raft.leaderId,
          leaderEpoch: raft.epoch,
          highWatermark: raft.highWatermark,
          currentVoters: raft.voters.map(id => ({
            replicaId: id,
            replicaDirectoryId: ZERO_UUID,
            logEndOffset: isSelf(id) ? raft.logEndOffset : -1,
            lastFetchTimestamp: isSelf(id) ? now : -1,
            lastCaughtUpTimestamp: isSelf(id) ? now : -1,
          })),
          observers: [],
        }
      }),
    })),
    nodes: voters.map(v => ({nodeId: v.id, listeners: [{name: listenerName, host: v.host, port: v.port}]})),
  }
}

export const describeQuorum = defineApi(DescribeQuorumApi, 0, 2, handleDescribeQuorum)
