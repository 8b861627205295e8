// DescribeTransactions (65): v0. The state of each transactional id this broker coordinates:
// TRANSACTIONAL_ID_NOT_FOUND when unknown, NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS when its
// `__transaction_state` partition is not (yet) led here.
// Authorization (Kafka `KafkaApis.handleDescribeTransactionsRequest`): Describe on each TransactionalId,
// else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for it; the partitions of topics the principal may not
// Describe are left out of the answer.
import {DescribeTransactionsApi, type DescribeTransactionsRequest, type DescribeTransactionsResponse} from '../../protocol/generated/messages/describe-transactions.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'
import {ErrorCode} from '../../protocol/errors.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const describeTransactions = defineApi(DescribeTransactionsApi, 0, 0, (req: DescribeTransactionsRequest, ctx: RequestContext): Input<DescribeTransactionsResponse> => ({
  throttleTimeMs: 0,
  transactionStates: req.transactionalIds.map(id => {
    if (!isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, id)) {
      return {errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, transactionalId: id, transactionState: '', transactionTimeoutMs: 0,
        transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: []}
    }
    const d = ctx.services.txnCoordinator.describe(id)
    return {...d, topics: d.topics.filter(t => isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.topic))}
  }),
}))
