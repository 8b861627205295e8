// AddOffsetsToTxn (25): v0-4. Adds the group's `__consumer_offsets` partition
// (abs(hash(groupId)) % offsets.topic.num.partitions) to the transaction, so that the coordinator
// writes a marker there and the group's TxnOffsetCommit offsets commit or abort with it.
// Authorization (Kafka `KafkaApis.handleAddOffsetsToTxnRequest`): Write on the TransactionalId
// (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then Read on the group (GROUP_AUTHORIZATION_FAILED).
import {AddOffsetsToTxnApi, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse} from '../../protocol/generated/messages/add-offsets-to-txn.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ErrorCode} from '../../protocol/errors.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'
import {GROUP_METADATA_TOPIC_NAME, groupPartitionFor} from '../group/group-partition.js'
import {defineApi, type RequestContext} from './registry.js'

async function handle(req: AddOffsetsToTxnRequest, ctx: RequestContext): Promise<Input<AddOffsetsToTxnResponse>> {
  if (!isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return {throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED}
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return {throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED}
  const partition = groupPartitionFor(req.groupId, ctx.services.config.offsetsTopicNumPartitions)
  const errorCode = await ctx.services.txnCoordinator.addPartitions(req.transactionalId, req.producerId, req.producerEpoch,
    [{topic: GROUP_METADATA_TOPIC_NAME, partition}])
  return {throttleTimeMs: 0, errorCode}
}

export const addOffsetsToTxn = defineApi(AddOffsetsToTxnApi, 0, 4, handle)
