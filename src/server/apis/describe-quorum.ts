// DescribeQuorum (55): v0-2 (Kafka 3.9, KIP-595/KIP-853), controller listener (brokers forward it).
// State of the `__cluster_metadata-0` quorum from its leader: leader, epoch, high watermark, voters
// and observers with their log end offsets and fetch times and, v2, the voters' controller listeners.
// * Other topics/partitions → UNKNOWN_TOPIC_OR_PARTITION; not the leader → NOT_LEADER_OR_FOLLOWER
//   with the leader as this node knows it.
import {DescribeQuorumApi, type DescribeQuorumRequest, type DescribeQuorumResponse} from '../../protocol/generated/messages/describe-quorum.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

const METADATA_TOPIC = '__cluster_metadata'

function handleDescribeQuorum(req: DescribeQuorumRequest, ctx: RequestContext<ControllerServices>): Input<DescribeQuorumResponse> {
  const {raft, config} = ctx.services
  const listenerName = config.controllerListenerNames[0] ?? 'CONTROLLER'
  const quorum = raft.describeQuorum()
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: req.topics.map(t => ({
      topicName: t.topicName,
      partitions: t.partitions.map(p => {
        if (t.topicName !== METADATA_TOPIC || p.partitionIndex !== 0) {
          return {partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, currentVoters: [], observers: []}
        }
        if (quorum === null) {
          const {leaderId, epoch} = raft.leaderAndEpoch()
          return {partitionIndex: 0, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, errorMessage: null, leaderId, leaderEpoch: epoch, currentVoters: [], observers: []}
        }
        return {
          partitionIndex: 0,
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
    nodes: config.controllerQuorumVoters.map(v => ({nodeId: v.id, listeners: [{name: listenerName, host: v.host, port: v.port}]})),
  }
}

export const describeQuorum = defineApi<DescribeQuorumRequest, ControllerServices>(DescribeQuorumApi, 0, 2, handleDescribeQuorum)
