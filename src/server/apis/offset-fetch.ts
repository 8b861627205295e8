// OffsetFetch (9): v0-9. v0-1 carry errors per partition, v2-7 a top-level error, v8+ one entry
// per group (batched). Offsets never committed are -1. Topics null (v2+) = all of the group's.
// RequireStable (v7+, KIP-447): a partition with an offset in an open transaction gets UNSTABLE_OFFSET_COMMIT.
import {OffsetFetchApi, type OffsetFetchRequest, type OffsetFetchResponse} from '../../protocol/generated/messages/offset-fetch.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {coordinatorOf} from '../group/coordinator-of.js'
import type {OffsetFetchResult} from '../group/group-coordinator.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

type Topics = {name: string, partitionIndexes: number[]}[] | null

export const offsetFetch = defineApi(OffsetFetchApi, 0, 9, (req: OffsetFetchRequest, ctx: RequestContext): Input<OffsetFetchResponse> => {
  const coord = coordinatorOf(ctx)
  const requireStable = ctx.apiVersion >= 7 && req.requireStable
  const fetchOne = (groupId: string, topics: Topics): OffsetFetchResult => {
    // Kafka: Describe on the group, then Describe on each topic (named: TOPIC_AUTHORIZATION_FAILED;
    // all topics: the others are left out).
    if (!isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) return {errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: []}
    if (!coord) return {errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: []}
    const r = coord.fetchOffsets(groupId, topics, requireStable)
    if (!ctx.services.authorizer || r.errorCode !== ErrorCode.NONE) return r
    const mayDescribe = (name: string) => isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)
    if (topics === null) return {...r, topics: r.topics.filter(t => mayDescribe(t.name))}
    return {...r, topics: r.topics.map(t => mayDescribe(t.name) ? t : {name: t.name, partitions: t.partitions.map(p =>
      ({partitionIndex: p.partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED}))})}
  }
  if (ctx.apiVersion >= 8) {
    return {groups: req.groups.map(g => ({groupId: g.groupId, ...fetchOne(g.groupId, g.topics)}))}
  }
  const r = fetchOne(req.groupId, req.topics)
  if (ctx.apiVersion >= 2) return r
  // v0-1: no top-level error; a group-level error is reported on each requested partition.
  if (r.errorCode !== ErrorCode.NONE) {
    return {topics: (req.topics ?? []).map(t => ({name: t.name, partitions: t.partitionIndexes.map(p =>
      ({partitionIndex: p, committedOffset: -1, metadata: '', errorCode: r.errorCode}))}))}
  }
  return {topics: r.topics}
})
