// OffsetDelete (47): v0 (KIP-496). Partitions of topics the group still subscribes to get
// GROUP_SUBSCRIBED_TO_TOPIC; unknown group → GROUP_ID_NOT_FOUND.
import {OffsetDeleteApi, type OffsetDeleteRequest, type OffsetDeleteResponse} from '../../protocol/generated/messages/offset-delete.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const offsetDelete = defineApi(OffsetDeleteApi, 0, 0, async (req: OffsetDeleteRequest, ctx: RequestContext): Promise<Input<OffsetDeleteResponse>> => {
  // Kafka: Delete on the group, Read on each topic.
  if (!isAuthorized(ctx, AclOperation.DELETE, ResourceType.GROUP, req.groupId)) return {errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED}
  const coord = coordinatorOf(ctx)
  if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE}
  if (!ctx.services.authorizer) return coord.deleteOffsets(req.groupId, req.topics)
  const denied = req.topics.filter(t => !isAuthorized(ctx, AclOperation.READ, ResourceType.TOPIC, t.name))
  const r = await coord.deleteOffsets(req.groupId, req.topics.filter(t => !denied.includes(t)))
  if (r.errorCode !== ErrorCode.NONE) return r
  return {...r, topics: [...r.topics, ...denied.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED}))}))]}
})
