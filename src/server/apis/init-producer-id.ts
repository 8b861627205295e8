// InitProducerId (22): v0-5.
// * Idempotent producers (TransactionalId null): a new producer id from a block allocated by the
//   controller (ProducerIdsRecord, blocks of 1000), epoch 0. v3+ with an existing id/epoch: the same
//   id with the epoch bumped (KIP-360), or a new id when the epoch is exhausted.
// * Transactional ids: the transaction coordinator (TransactionCoordinator.initProducerId): epoch bump
//   fencing older instances, the abort of an open transaction first (CONCURRENT_TRANSACTIONS: retry),
//   INVALID_TRANSACTION_TIMEOUT above transaction.max.timeout.ms, NOT_COORDINATOR, PRODUCER_FENCED.
import {InitProducerIdApi, type InitProducerIdRequest, type InitProducerIdResponse} from '../../protocol/generated/messages/init-producer-id.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized, isAuthorizedByResourceType, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

const MAX_EPOCH = 32767

async function handleInitProducerId(req: InitProducerIdRequest, ctx: RequestContext): Promise<Input<InitProducerIdResponse>> {
  const {services} = ctx
  const fail = (errorCode: number): Input<InitProducerIdResponse> => ({throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1})
  if (req.transactionalId !== null && !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) {
    return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  }
  // Kafka (KIP-679): an idempotent producer needs IdempotentWrite on the cluster or Write on some topic.
  if (req.transactionalId === null && !isClusterAuthorized(ctx, AclOperation.IDEMPOTENT_WRITE) &&
    !isAuthorizedByResourceType(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
    return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
  }
  if (req.transactionalId !== null) {
    const expected = ctx.apiVersion >= 3 ? {producerId: req.producerId, producerEpoch: req.producerEpoch} : {producerId: -1, producerEpoch: -1}
    const r = await services.txnCoordinator.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected)
    return {throttleTimeMs: 0, ...r}
  }
  if (req.producerId >= 0 && req.producerEpoch >= 0 && req.producerEpoch < MAX_EPOCH - 1) {
    return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: req.producerId, producerEpoch: req.producerEpoch + 1}
  }
  const producerId: number = await services.producerIds.nextId()
  return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0}
}

export const initProducerId = defineApi(InitProducerIdApi, 0, 5, handleInitProducerId)
