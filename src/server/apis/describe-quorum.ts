// DescribeQuorum (55): v0-2 (Kafka 3.9, KIP-595/KIP-836/KIP-853), controller listener (brokers
// forward it). State of the `__cluster_metadata-0` quorum from its leader, as Kafka's
// `KafkaRaftClient.handleDescribeQuorumRequest` builds it: leader id, epoch, high watermark;
// voters and observers with their log end offsets, last fetch and last caught-up times (-1 when
// unknown); v2: each voter's endpoint on the first `controller.listener.names` listener (from the
// voter set: VotersRecords with a dynamic quorum, controller.quorum.voters with a static one).
// * Errors: another topic/partition → UNKNOWN_TOPIC_OR_PARTITION; this node is not the leader →
//   NOT_LEADER_OR_FOLLOWER (with the leader id and epoch this node knows), each with Kafka's message.
import {DescribeQuorumApi, type DescribeQuorumRequest, type DescribeQuorumResponse} from '../../protocol/generated/messages/describe-quorum.js'
import {ErrorCode, errorMessage} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

const METADATA_TOPIC = '__cluster_metadata'
const METADATA_PARTITION = 0

type PartitionData = Input<DescribeQuorumResponse['topics'][number]['partitions'][number]>

function handleDescribeQuorum(req: DescribeQuorumRequest, ctx: RequestContext<ControllerServices>): Input<DescribeQuorumResponse> {
  const {raft, config} = ctx.services
  const listenerName = config.controllerListenerNames[0] ?? 'CONTROLLER'
  const quorum = raft.describeQuorum()
  const partitionError = (partitionIndex: number, errorCode: number): PartitionData => {
    const {leaderId, epoch} = raft.leaderAndEpoch()
    return {partitionIndex, errorCode, errorMessage: errorMessage(errorCode), leaderId, leaderEpoch: epoch, highWatermark: -1, currentVoters: [], observers: []}
  }
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: req.topics.map(t => ({
      topicName: t.topicName,
      partitions: t.partitions.map((p): PartitionData => {
        if (t.topicName !== METADATA_TOPIC || p.partitionIndex !== METADATA_PARTITION) return partitionError(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        if (quorum === null) return partitionError(p.partitionIndex, ErrorCode.NOT_LEADER_OR_FOLLOWER)
        return {
          partitionIndex: METADATA_PARTITION,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          leaderId: quorum.leaderId,
          leaderEpoch: quorum.leaderEpoch,
          highWatermark: quorum.highWatermark,
          currentVoters: quorum.voters,
          observers: quorum.observers,
        }
      }),
    })),
    nodes: raft.voters().map(v => ({nodeId: v.id, listeners: v.endpoints.filter(e => e.name === listenerName).map(e => ({name: e.name, host: e.host, port: e.port}))})),
  }
}

export const describeQuorum = defineApi<DescribeQuorumRequest, ControllerServices>(DescribeQuorumApi, 0, 2, handleDescribeQuorum)
