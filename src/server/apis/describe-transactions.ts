// DescribeTransactions (65): v0. The state of each transactional id this broker coordinates:
// TRANSACTIONAL_ID_NOT_FOUND when unknown, NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS when its
// `__transaction_state` partition is not (yet) led here.
import {DescribeTransactionsApi, type DescribeTransactionsRequest, type DescribeTransactionsResponse} from '../../protocol/generated/messages/describe-transactions.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'

export const describeTransactions = defineApi(DescribeTransactionsApi, 0, 0, (req: DescribeTransactionsRequest, ctx: RequestContext): Input<DescribeTransactionsResponse> => ({
  throttleTimeMs: 0,
  transactionStates: req.transactionalIds.map(id => ctx.services.txnCoordinator.describe(id)),
}))
