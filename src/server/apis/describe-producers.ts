// DescribeProducers (61): v0. The producers with state on a partition replica hosted here, leader
// or follower (Kafka `ReplicaManager.activeProducerState`): id, epoch, last sequence (-1 when none), last timestamp,
// coordinator epoch of the last marker and the first offset of the open transaction (-1 when
// none). Errors per partition: UNKNOWN_TOPIC_OR_PARTITION (not hosted here), TOPIC_AUTHORIZATION_FAILED
// without Read on the topic (Kafka `KafkaApis.handleDescribeProducersRequest`).
import {DescribeProducersApi, type DescribeProducersRequest, type DescribeProducersResponse} from '../../protocol/generated/messages/describe-producers.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {AuthorizationMessages, isAuthorized} from '../security/authorizer/request-authorization.js'

export const describeProducers = defineApi(DescribeProducersApi, 0, 0, (req: DescribeProducersRequest, ctx: RequestContext): Input<DescribeProducersResponse> => ({
  throttleTimeMs: 0,
  topics: req.topics.map(t => ({
    name: t.name,
    partitions: t.partitionIndexes.map(partitionIndex => {
      if (!isAuthorized(ctx, AclOperation.READ, ResourceType.TOPIC, t.name)) {
        return {partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: AuthorizationMessages.topic, activeProducers: []}
      }
      const p = ctx.services.replicaManager.getPartition(t.name, partitionIndex)
      if (!p) return {partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: []}
      const activeProducers = [...p.producerState.allEntries()].map(([producerId, e]) => ({
        producerId, producerEpoch: e.producerEpoch, lastSequence: e.batches[e.batches.length - 1]?.lastSeq ?? -1,
        lastTimestamp: e.lastTimestampMs, coordinatorEpoch: e.coordinatorEpoch, currentTxnStartOffset: e.currentTxnFirstOffset,
      }))
      return {partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null, activeProducers}
    }),
  })),
}))
