// Fetch (1): v4-17 for consumers (record batches v2; v0-3 would need down-conversion).
// * Long poll: MaxWaitMs / MinBytes through the replica manager; MaxBytes bounds the response,
//   PartitionMaxBytes each partition, and the first partition with data returns at least one batch (KIP-74).
// * Reads up to the high watermark (read_uncommitted) or the last stable offset (read_committed).
// * Fetch sessions (KIP-227), as Java clients use them; topic ids from v13.
// * CurrentLeaderEpoch (v9+) is checked: FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH.
// * Followers (ReplicaId, or ReplicaState v15+, >= 0) read up to the log end offset; the leader records
//   their position (high watermark, ISR); LastFetchedEpoch (v12+) is checked against the leader-epoch
//   cache and a diverging log gets DivergingEpoch instead of records (KIP-320). A replica id that is not
//   a replica of the partition gets UNKNOWN_LEADER_EPOCH (NOT_LEADER_OR_FOLLOWER without an epoch), as Kafka.
// * read_committed (IsolationLevel 1): AbortedTransactions lists the aborted transactions (from the
//   `.txnindex` files) overlapping the records returned, so that the client drops their batches.
// * Authorization: ClusterAction on the cluster for followers, Read on the topic for consumers;
//   TOPIC_AUTHORIZATION_FAILED per partition otherwise.
// * Gaps: PreferredReadReplica is always -1 (no fetching from followers, KIP-392); CurrentLeader
//   (KIP-951) is not filled.
import {FetchApi, type FetchRequest, type FetchResponse} from '../../protocol/generated/messages/fetch.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {FINAL_EPOCH, INITIAL_EPOCH, type CachedPartition, type FetchSession} from '../replica/fetch-session-cache.js'
import type {FetchPartitionResult} from '../replica/replica-manager.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized, isClusterAuthorized} from '../security/authorizer/request-authorization.js'

type ResponseTopic = NonNullable<Input<FetchResponse>['responses']>[number]

function key(topicOrId: string, partition: number): string {
  return `${topicOrId}:${partition}`
}

async function handleFetch(req: FetchRequest, ctx: RequestContext): Promise<Input<FetchResponse>> {
  const {services, apiVersion} = ctx
  const view = services.view()
  const usesIds = apiVersion >= 13
  const sessions = services.replicaManager.fetchSessions
  const now = Date.now()
  const replicaId = apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId

  // 1. Resolve the partitions of this request (names or ids), noting unknown topic ids.
  const unknownIds: CachedPartition[] = []
  const requested: CachedPartition[] = []
  for (const t of req.topics) {
    let name = t.topic
    let topicId = t.topicId ?? ZERO_UUID
    if (usesIds) {
      const tv = view.topicById(topicId)
      name = tv ? tv.name : ''
    } else {
      topicId = view.topic(name)?.topicId ?? ZERO_UUID
    }
    for (const p of t.partitions) {
      const cp: CachedPartition = {
        topic: name, topicId, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes,
        currentLeaderEpoch: p.currentLeaderEpoch, lastFetchedEpoch: apiVersion >= 12 ? p.lastFetchedEpoch : -1,
        logStartOffset: p.logStartOffset, lastHighWatermark: -1, lastLogStartOffset: -1,
      }
      if (usesIds && name === '') unknownIds.push(cp)
      else requested.push(cp)
    }
  }

  // 2. Sessions.
  let session: FetchSession | undefined
  let incremental = false
  if (apiVersion >= 7 && req.sessionEpoch !== FINAL_EPOCH) {
    if (req.sessionEpoch === INITIAL_EPOCH) {
      if (req.sessionId !== 0) sessions.remove(req.sessionId)
      session = sessions.create(now)
    } else {
      session = sessions.get(req.sessionId)
      if (!session) return {errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: []}
      if (session.nextEpoch !== req.sessionEpoch) {
        return {errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: 0, responses: []}
      }
      incremental = true
    }
  } else if (apiVersion >= 7 && req.sessionId !== 0) {
    sessions.remove(req.sessionId)
  }
  // A full cache (create → undefined) answers sessionless, as Kafka's SessionlessFetchContext.
  if (session) {
    session.nextEpoch++
    session.lastUsedMs = now
    for (const cp of requested) {
      const k = key(usesIds ? cp.topicId : cp.topic, cp.partition)
      const old = session.partitions.get(k)
      if (old) {
        old.fetchOffset = cp.fetchOffset
        old.partitionMaxBytes = cp.partitionMaxBytes
        old.currentLeaderEpoch = cp.currentLeaderEpoch
        old.lastFetchedEpoch = cp.lastFetchedEpoch
        old.logStartOffset = cp.logStartOffset
      } else {
        session.partitions.set(k, cp)
      }
    }
    for (const f of req.forgottenTopicsData ?? []) {
      for (const p of f.partitions) session.partitions.delete(key(usesIds ? f.topicId : f.topic, p))
    }
  }
  const inRequest = session ? [...session.partitions.values()] : requested

  // Authorization (Kafka `KafkaApis.handleFetchRequest`): followers need ClusterAction on the
  // cluster, consumers Read on each topic; the others get TOPIC_AUTHORIZATION_FAILED.
  let toRead = inRequest
  const denied: CachedPartition[] = []
  if (services.authorizer) {
    toRead = []
    const verdicts = new Map<string, boolean>()
    const clusterAction = replicaId >= 0 && isClusterAuthorized(ctx, AclOperation.CLUSTER_ACTION)
    for (const cp of inRequest) {
      let ok = verdicts.get(cp.topic)
      if (ok === undefined) verdicts.set(cp.topic, ok = replicaId >= 0 ? clusterAction : isAuthorized(ctx, AclOperation.READ, ResourceType.TOPIC, cp.topic))
      ;(ok ? toRead : denied).push(cp)
    }
  }

  // 3. Read (long poll).
  const results: FetchPartitionResult[] = await services.replicaManager.fetchMessages({
    replicaId,
    replicaEpoch: apiVersion >= 15 ? req.replicaState.replicaEpoch : -1,
    maxWaitMs: req.maxWaitMs,
    minBytes: req.minBytes,
    maxBytes: apiVersion >= 3 ? req.maxBytes : 0x7fffffff,
    isolationLevel: req.isolationLevel,
    partitions: toRead.map((cp) => ({
      topic: cp.topic, partition: cp.partition, fetchOffset: cp.fetchOffset,
      partitionMaxBytes: cp.partitionMaxBytes, currentLeaderEpoch: cp.currentLeaderEpoch,
      lastFetchedEpoch: cp.lastFetchedEpoch, logStartOffset: cp.logStartOffset,
    })),
  })

  // 4. Build the response, grouping by topic in request order.
  const byTopic = new Map<string, ResponseTopic>()
  const topicEntry = (cp: CachedPartition): ResponseTopic => {
    const k = usesIds ? cp.topicId : cp.topic
    let e = byTopic.get(k)
    if (!e) {
      e = {topic: cp.topic, topicId: cp.topicId, partitions: []}
      byTopic.set(k, e)
    }
    return e
  }
  for (let i = 0; i < toRead.length; i++) {
    const cp = toRead[i]
    const r = results[i]
    if (r.errorCode === ErrorCode.NONE) services.metrics.recordFetch(cp.topic, r.records?.length ?? 0, replicaId >= 0)
    const hasData = (r.records?.length ?? 0) > 0
    const changed = !incremental || hasData || r.errorCode !== ErrorCode.NONE || r.divergingEpoch !== null ||
      r.highWatermark !== cp.lastHighWatermark || r.logStartOffset !== cp.lastLogStartOffset
    cp.lastHighWatermark = r.highWatermark
    cp.lastLogStartOffset = r.logStartOffset
    if (!changed) continue
    topicEntry(cp).partitions!.push({
      partitionIndex: r.partition,
      errorCode: r.errorCode,
      highWatermark: r.highWatermark,
      lastStableOffset: r.lastStableOffset,
      logStartOffset: r.logStartOffset,
      abortedTransactions: req.isolationLevel === 1 ? (r.abortedTransactions ?? []) : null,
      divergingEpoch: r.divergingEpoch ?? undefined,
      preferredReadReplica: -1,
      records: r.records ?? Buffer.alloc(0),
    })
  }
  for (const cp of denied) {
    topicEntry(cp).partitions!.push({
      partitionIndex: cp.partition, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, highWatermark: -1,
      lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, records: Buffer.alloc(0),
    })
  }
  for (const cp of unknownIds) {
    topicEntry(cp).partitions!.push({
      partitionIndex: cp.partition, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, highWatermark: -1,
      lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, records: Buffer.alloc(0),
    })
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: session ? session.id : 0,
    responses: [...byTopic.values()],
  }
}

export const fetch = defineApi(FetchApi, 4, 17, handleFetch)
