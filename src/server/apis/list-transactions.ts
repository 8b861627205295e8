// ListTransactions (66): v0-1. The transactional ids of the `__transaction_state` partitions this
// broker leads, filtered by state names (unknown names are echoed in UnknownStateFilters), producer
// ids and (v1, KIP-994) a minimum running time in ms. COORDINATOR_LOAD_IN_PROGRESS while a
// partition loads. Only the ids the principal may Describe are listed (Kafka
// `KafkaApis.handleListTransactionsRequest`).
import {ListTransactionsApi, type ListTransactionsRequest, type ListTransactionsResponse} from '../../protocol/generated/messages/list-transactions.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const listTransactions = defineApi(ListTransactionsApi, 0, 1, (req: ListTransactionsRequest, ctx: RequestContext): Input<ListTransactionsResponse> => {
  const r = ctx.services.txnCoordinator.list(req.stateFilters, req.producerIdFilters, ctx.apiVersion >= 1 ? req.durationFilter : -1)
  return {throttleTimeMs: 0, ...r, transactionStates: r.transactionStates.filter(t => isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, t.transactionalId))}
})
