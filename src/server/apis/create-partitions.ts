// CreatePartitions (37): v0-3 (Kafka 3.9). Through the QuorumController; per-topic errors with
// Kafka's messages (`Topic already has 3 partition(s).`, INVALID_REPLICA_ASSIGNMENT, ...).
import {CreatePartitionsApi, type CreatePartitionsRequest, type CreatePartitionsResponse} from '../../protocol/generated/messages/create-partitions.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {AuthorizationMessages, isAuthorized} from '../security/authorizer/request-authorization.js'
import {ErrorCode} from '../../protocol/errors.js'

async function handleCreatePartitions(req: CreatePartitionsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<CreatePartitionsResponse>> {
  const {controller} = ctx.services
  // Kafka: Alter on each topic.
  const denied = req.topics.filter(t => !isAuthorized(ctx, AclOperation.ALTER, ResourceType.TOPIC, t.name))
  const deniedResults = denied.map(t => ({name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: AuthorizationMessages.topic}))
  try {
    const allowed = req.topics.filter(t => !denied.includes(t))
    const results = allowed.length > 0 ? await controller.createPartitions(allowed.map(t => ({name: t.name, count: t.count, assignments: t.assignments})), req.validateOnly) : []
    return {throttleTimeMs: 0, results: [...results, ...deniedResults]}
  } catch (err) {
    const code = errorCodeFor(err)
    return {throttleTimeMs: 0, results: req.topics.map(t => ({name: t.name, errorCode: code, errorMessage: (err as Error).message}))}
  }
}

export const createPartitions = defineApi<CreatePartitionsRequest, ControllerServices>(CreatePartitionsApi, 0, 3, handleCreatePartitions)
