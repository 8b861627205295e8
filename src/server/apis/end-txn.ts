// EndTxn (26): v0-4 (v5 belongs to KIP-890's transaction version 2, not served). Commits or aborts
// the producer's transaction: answered once PrepareCommit/PrepareAbort is written; the markers and
// CompleteCommit/CompleteAbort follow (TransactionCoordinator.endTxn for the error codes).
// Authorization (Kafka `KafkaApis.handleEndTxnRequest`): Write on the TransactionalId, else
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
import {EndTxnApi, type EndTxnRequest, type EndTxnResponse} from '../../protocol/generated/messages/end-txn.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ErrorCode} from '../../protocol/errors.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'
import {defineApi, type RequestContext} from './registry.js'

async function handle(req: EndTxnRequest, ctx: RequestContext): Promise<Input<EndTxnResponse>> {
  if (!isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, req.transactionalId)) return {throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED}
  const errorCode = await ctx.services.txnCoordinator.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed)
  return {throttleTimeMs: 0, errorCode}
}

export const endTxn = defineApi(EndTxnApi, 0, 4, handle)
