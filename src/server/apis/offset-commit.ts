// OffsetCommit (8): v0-9 (storage-and-kraft.md §7.2 item 8). Generation -1 with an empty member id
// commits for a standalone consumer; unknown topics get UNKNOWN_TOPIC_OR_PARTITION per partition.
import {OffsetCommitApi, type OffsetCommitRequest, type OffsetCommitResponse} from '../../protocol/generated/messages/offset-commit.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const offsetCommit = defineApi(OffsetCommitApi, 0, 9, async (req: OffsetCommitRequest, ctx: RequestContext): Promise<Input<OffsetCommitResponse>> => {
  const all = (topics: typeof req.topics, errorCode: number) =>
    topics.map(t => ({name: t.name, partitions: t.partitions.map(p => ({partitionIndex: p.partitionIndex, errorCode}))}))
  // Kafka: Read on the group (GROUP_AUTHORIZATION_FAILED everywhere), then Read on each topic.
  if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, req.groupId)) return {topics: all(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED)}
  const coord = coordinatorOf(ctx)
  if (!coord) return {topics: all(req.topics, ErrorCode.COORDINATOR_NOT_AVAILABLE)}
  if (!ctx.services.authorizer) return coord.commitOffsets(req, ctx.apiVersion)
  const denied = req.topics.filter(t => !isAuthorized(ctx, AclOperation.READ, ResourceType.TOPIC, t.name))
  if (denied.length === 0) return coord.commitOffsets(req, ctx.apiVersion)
  const allowed = req.topics.filter(t => !denied.includes(t))
  const r = allowed.length > 0 ? await coord.commitOffsets({...req, topics: allowed}, ctx.apiVersion) : {topics: []}
  return {...r, topics: [...r.topics, ...all(denied, ErrorCode.TOPIC_AUTHORIZATION_FAILED)]}
})
