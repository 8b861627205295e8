// EndTxn (26): v0-4 (v5 belongs to KIP-890's transaction version 2, not served). Commits or aborts
// the producer's transaction: answered once PrepareCommit/PrepareAbort is written; the markers and
// CompleteCommit/CompleteAbort follow (TransactionCoordinator.endTxn for the error codes).
import {EndTxnApi, type EndTxnRequest, type EndTxnResponse} from '../../protocol/generated/messages/end-txn.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'

async function handle(req: EndTxnRequest, ctx: RequestContext): Promise<Input<EndTxnResponse>> {
  const errorCode = await ctx.services.txnCoordinator.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed)
  return {throttleTimeMs: 0, errorCode}
}

export const endTxn = defineApi(EndTxnApi, 0, 4, handle)
