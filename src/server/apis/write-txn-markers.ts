// WriteTxnMarkers (27): v0-1, from transaction coordinators to partition leaders. Appends one
// COMMIT/ABORT control batch per partition (Partition.appendTxnMarker: INVALID_PRODUCER_EPOCH,
// TRANSACTION_COORDINATOR_FENCED, NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS,
// UNKNOWN_TOPIC_OR_PARTITION) and answers once they are replicated (acks=all); a marker on a
// `__consumer_offsets` partition also commits/aborts the producer's pending TxnOffsetCommit offsets.
// Authorization (Kafka `KafkaApis.handleWriteTxnMarkersRequest`): ClusterAction on the cluster, else
// CLUSTER_AUTHORIZATION_FAILED on every partition (brokers send it as a `super.users` principal).
import {WriteTxnMarkersApi, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse} from '../../protocol/generated/messages/write-txn-markers.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ErrorCode} from '../../protocol/errors.js'
import {AclOperation} from '../security/authorizer/acl-binding.js'
import {isClusterAuthorized} from '../security/authorizer/request-authorization.js'
import {defineApi, type RequestContext} from './registry.js'

async function handle(req: WriteTxnMarkersRequest, ctx: RequestContext): Promise<Input<WriteTxnMarkersResponse>> {
  if (!isClusterAuthorized(ctx, AclOperation.CLUSTER_ACTION)) {
    return {markers: req.markers.map(m => ({producerId: m.producerId, topics: m.topics.map(t => ({name: t.name,
      partitions: t.partitionIndexes.map(partitionIndex => ({partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED}))}))}))}
  }
  const markers = await Promise.all(req.markers.map(async m => {
    const tps = m.topics.flatMap(t => t.partitionIndexes.map(partition => ({topic: t.name, partition})))
    const results = await ctx.services.writeTxnMarkers(m.producerId, m.producerEpoch, m.coordinatorEpoch, m.transactionResult, tps)
    const byTopic = new Map<string, {partitionIndex: number, errorCode: number}[]>()
    for (const r of results) {
      let l = byTopic.get(r.topic)
      if (!l) byTopic.set(r.topic, l = [])
      l.push({partitionIndex: r.partition, errorCode: r.errorCode})
    }
    return {producerId: m.producerId, topics: [...byTopic].map(([name, partitions]) => ({name, partitions}))}
  }))
  return {markers}
}

export const writeTxnMarkers = defineApi(WriteTxnMarkersApi, 0, 1, handle)
