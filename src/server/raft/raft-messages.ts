/**
 * The messages the Raft core exchanges (Kafka `RaftRequest` / `RaftResponse` + `RaftUtil`'s
 * singleton builders): the generated wire types of Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch
 * and FetchSnapshot for `__cluster_metadata-0`, complete (every field set) so that the simulation
 * can pass them between cores without encoding.
 */
import {ZERO_UUID, METADATA_TOPIC_ID} from '../../protocol/primitives/uuid.js'
import {ErrorCode} from '../../protocol/errors.js'
import {VoteApi, type VoteRequest, type VoteResponse} from '../../protocol/generated/messages/vote.js'
import {BeginQuorumEpochApi, type BeginQuorumEpochRequest, type BeginQuorumEpochResponse} from '../../protocol/generated/messages/begin-quorum-epoch.js'
import {EndQuorumEpochApi, type EndQuorumEpochRequest, type EndQuorumEpochResponse} from '../../protocol/generated/messages/end-quorum-epoch.js'
import {FetchApi, type FetchRequest, type FetchResponse, type FetchResponsePartitionData} from '../../protocol/generated/messages/fetch.js'
import {FetchSnapshotApi, type FetchSnapshotRequest, type FetchSnapshotResponse, type FetchSnapshotResponsePartitionSnapshot} from '../../protocol/generated/messages/fetch-snapshot.js'
import {AddRaftVoterApi, type AddRaftVoterRequest, type AddRaftVoterResponse} from '../../protocol/generated/messages/add-raft-voter.js'
import {RemoveRaftVoterApi, type RemoveRaftVoterRequest, type RemoveRaftVoterResponse} from '../../protocol/generated/messages/remove-raft-voter.js'
import {UpdateRaftVoterApi, type UpdateRaftVoterRequest, type UpdateRaftVoterResponse} from '../../protocol/generated/messages/update-raft-voter.js'
import {ApiVersionsApi, type ApiVersionsRequest, type ApiVersionsResponse} from '../../protocol/generated/messages/api-versions.js'

export const METADATA_TOPIC_NAME = '__cluster_metadata'
export {METADATA_TOPIC_ID}

/**
 * API keys of the Raft RPCs (FetchApi.apiKey etc. as literal types). ApiVersions only goes out:
 * the leader asks a voter being added which kraft.version it supports (KIP-853).
 */
export const ApiKey = {
  FETCH: 1, API_VERSIONS: 18, VOTE: 52, BEGIN_QUORUM_EPOCH: 53, END_QUORUM_EPOCH: 54, FETCH_SNAPSHOT: 59,
  ADD_RAFT_VOTER: 80, REMOVE_RAFT_VOTER: 81, UPDATE_RAFT_VOTER: 82,
} as const
for (const [spec, key] of [[FetchApi, ApiKey.FETCH], [VoteApi, ApiKey.VOTE], [BeginQuorumEpochApi, ApiKey.BEGIN_QUORUM_EPOCH],
  [EndQuorumEpochApi, ApiKey.END_QUORUM_EPOCH], [FetchSnapshotApi, ApiKey.FETCH_SNAPSHOT], [ApiVersionsApi, ApiKey.API_VERSIONS],
  [AddRaftVoterApi, ApiKey.ADD_RAFT_VOTER], [RemoveRaftVoterApi, ApiKey.REMOVE_RAFT_VOTER], [UpdateRaftVoterApi, ApiKey.UPDATE_RAFT_VOTER]] as const) {
  if (spec.apiKey !== key) throw new Error(`API key of ${spec.name} is ${spec.apiKey}, not ${key}`)
}

/** A Raft request body with its API key. */
export type RaftRequestBody =
  | {apiKey: typeof ApiKey.VOTE, data: VoteRequest}
  | {apiKey: typeof ApiKey.BEGIN_QUORUM_EPOCH, data: BeginQuorumEpochRequest}
  | {apiKey: typeof ApiKey.END_QUORUM_EPOCH, data: EndQuorumEpochRequest}
  | {apiKey: typeof ApiKey.FETCH, data: FetchRequest}
  | {apiKey: typeof ApiKey.FETCH_SNAPSHOT, data: FetchSnapshotRequest}
  | {apiKey: typeof ApiKey.ADD_RAFT_VOTER, data: AddRaftVoterRequest}
  | {apiKey: typeof ApiKey.REMOVE_RAFT_VOTER, data: RemoveRaftVoterRequest}
  | {apiKey: typeof ApiKey.UPDATE_RAFT_VOTER, data: UpdateRaftVoterRequest}
  | {apiKey: typeof ApiKey.API_VERSIONS, data: ApiVersionsRequest}

/** A Raft response body with its API key. */
export type RaftResponseBody =
  | {apiKey: typeof ApiKey.VOTE, data: VoteResponse}
  | {apiKey: typeof ApiKey.BEGIN_QUORUM_EPOCH, data: BeginQuorumEpochResponse}
  | {apiKey: typeof ApiKey.END_QUORUM_EPOCH, data: EndQuorumEpochResponse}
  | {apiKey: typeof ApiKey.FETCH, data: FetchResponse}
  | {apiKey: typeof ApiKey.FETCH_SNAPSHOT, data: FetchSnapshotResponse}
  | {apiKey: typeof ApiKey.ADD_RAFT_VOTER, data: AddRaftVoterResponse}
  | {apiKey: typeof ApiKey.REMOVE_RAFT_VOTER, data: RemoveRaftVoterResponse}
  | {apiKey: typeof ApiKey.UPDATE_RAFT_VOTER, data: UpdateRaftVoterResponse}
  | {apiKey: typeof ApiKey.API_VERSIONS, data: ApiVersionsResponse}

export type RaftApiKey = RaftRequestBody['apiKey']

/** A request this node received; `requestId` (unique per node) ties the eventual response to it. */
export type InboundRequest = RaftRequestBody & {requestId: number, apiVersion: number}

/**
 * A request this node sends to `destination` (a node id, or -2, -3, ... for the i-th entry of
 * `controller.quorum.bootstrap.servers`, as Kafka numbers them); `address`: where the core knows
 * that node listens (voter set, leader endpoints), else the driver's configured address. Its
 * response comes back with the same correlation id.
 */
export type OutboundRequest = RaftRequestBody & {kind: 'request', destination: number, correlationId: number, address?: {host: string, port: number} | null}

/** The response to an inbound request. */
export type OutboundResponse = RaftResponseBody & {kind: 'response', requestId: number}

export type OutboundMessage = OutboundRequest | OutboundResponse

/**
 * The answer to an outbound request: a response body, or `error` when none came (connection
 * failure, timeout: NETWORK_EXCEPTION / REQUEST_TIMED_OUT / BROKER_NOT_AVAILABLE).
 */
export type InboundResponse = {source: number, correlationId: number} & (RaftResponseBody | {apiKey: RaftApiKey, error: number})

// ---- requests ---------------------------------------------------------------------------------

export function voteRequest(o: {clusterId: string, voterId: number, voterDirectoryId?: string, epoch: number, candidateId: number, candidateDirectoryId: string,
  lastOffsetEpoch: number, lastOffset: number, preVote: boolean}): VoteRequest {
  return {
    clusterId: o.clusterId,
    voterId: o.voterId,
    topics: [{topicName: METADATA_TOPIC_NAME, partitions: [{
      partitionIndex: 0, candidateEpoch: o.epoch, candidateId: o.candidateId, candidateDirectoryId: o.candidateDirectoryId,
      voterDirectoryId: o.voterDirectoryId ?? ZERO_UUID, lastOffsetEpoch: o.lastOffsetEpoch, lastOffset: o.lastOffset, preVote: o.preVote,
    }]}],
  }
}

export function beginQuorumEpochRequest(o: {clusterId: string, voterId: number, voterDirectoryId?: string, leaderId: number, epoch: number,
  leaderEndpoints?: {name: string, host: string, port: number}[]}): BeginQuorumEpochRequest {
  return {
    clusterId: o.clusterId,
    voterId: o.voterId,
    topics: [{topicName: METADATA_TOPIC_NAME, partitions: [{partitionIndex: 0, voterDirectoryId: o.voterDirectoryId ?? ZERO_UUID, leaderId: o.leaderId, leaderEpoch: o.epoch}]}],
    leaderEndpoints: o.leaderEndpoints ?? [],
  }
}

export function endQuorumEpochRequest(o: {clusterId: string, leaderId: number, epoch: number, preferredSuccessors: number[]}): EndQuorumEpochRequest {
  return {
    clusterId: o.clusterId,
    topics: [{topicName: METADATA_TOPIC_NAME, partitions: [{
      partitionIndex: 0, leaderId: o.leaderId, leaderEpoch: o.epoch, preferredSuccessors: o.preferredSuccessors,
      preferredCandidates: o.preferredSuccessors.map(candidateId => ({candidateId, candidateDirectoryId: ZERO_UUID})),
    }]}],
    leaderEndpoints: [],
  }
}

export function fetchRequest(o: {clusterId: string, replicaId: number, replicaDirectoryId: string, epoch: number, fetchOffset: number,
  lastFetchedEpoch: number, maxWaitMs: number, maxBytes: number}): FetchRequest {
  return {
    clusterId: o.clusterId,
    replicaId: o.replicaId,
    replicaState: {replicaId: o.replicaId, replicaEpoch: -1},
    maxWaitMs: o.maxWaitMs,
    minBytes: 0,
    maxBytes: o.maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{topic: METADATA_TOPIC_NAME, topicId: METADATA_TOPIC_ID, partitions: [{
      partition: 0, currentLeaderEpoch: o.epoch, fetchOffset: o.fetchOffset, lastFetchedEpoch: o.lastFetchedEpoch,
      logStartOffset: -1, partitionMaxBytes: o.maxBytes, replicaDirectoryId: o.replicaDirectoryId,
    }]}],
    forgottenTopicsData: [],
    rackId: '',
  }
}

export function fetchSnapshotRequest(o: {clusterId: string, replicaId: number, replicaDirectoryId: string, epoch: number,
  snapshotId: {endOffset: number, epoch: number}, position: number, maxBytes: number}): FetchSnapshotRequest {
  return {
    clusterId: o.clusterId,
    replicaId: o.replicaId,
    maxBytes: o.maxBytes,
    topics: [{name: METADATA_TOPIC_NAME, partitions: [{
      partition: 0, currentLeaderEpoch: o.epoch, snapshotId: {endOffset: o.snapshotId.endOffset, epoch: o.snapshotId.epoch},
      position: o.position, replicaDirectoryId: o.replicaDirectoryId,
    }]}],
  }
}

// ---- responses --------------------------------------------------------------------------------

export function voteResponse(errorCode: number, p?: {errorCode: number, leaderId: number, leaderEpoch: number, voteGranted: boolean}): VoteResponse {
  return {
    errorCode,
    topics: p ? [{topicName: METADATA_TOPIC_NAME, partitions: [{partitionIndex: 0, ...p}]}] : [],
    nodeEndpoints: [],
  }
}

export function beginQuorumEpochResponse(errorCode: number, p?: {errorCode: number, leaderId: number, leaderEpoch: number}): BeginQuorumEpochResponse {
  return {errorCode, topics: p ? [{topicName: METADATA_TOPIC_NAME, partitions: [{partitionIndex: 0, ...p}]}] : [], nodeEndpoints: []}
}

export function endQuorumEpochResponse(errorCode: number, p?: {errorCode: number, leaderId: number, leaderEpoch: number}): EndQuorumEpochResponse {
  return {errorCode, topics: p ? [{topicName: METADATA_TOPIC_NAME, partitions: [{partitionIndex: 0, ...p}]}] : [], nodeEndpoints: []}
}

/** A Fetch response for `__cluster_metadata-0`; `p` overrides the defaults (no records, no divergence). */
export function fetchResponse(errorCode: number, p?: Partial<FetchResponsePartitionData>): FetchResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    sessionId: 0,
    responses: p ? [{topic: METADATA_TOPIC_NAME, topicId: METADATA_TOPIC_ID, partitions: [{
      partitionIndex: 0, errorCode: ErrorCode.NONE, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1,
      divergingEpoch: {epoch: -1, endOffset: -1}, currentLeader: {leaderId: -1, leaderEpoch: -1}, snapshotId: {endOffset: -1, epoch: -1},
      abortedTransactions: null, preferredReadReplica: -1, records: null, ...p,
    }]}] : [],
    nodeEndpoints: [],
  }
}

export function fetchSnapshotResponse(errorCode: number, p?: Partial<FetchSnapshotResponsePartitionSnapshot>): FetchSnapshotResponse {
  return {
    throttleTimeMs: 0,
    errorCode,
    topics: p ? [{name: METADATA_TOPIC_NAME, partitions: [{
      index: 0, errorCode: ErrorCode.NONE, snapshotId: {endOffset: -1, epoch: -1}, currentLeader: {leaderId: -1, leaderEpoch: -1},
      size: 0, position: 0, unalignedRecords: null, ...p,
    }]}] : [],
    nodeEndpoints: [],
  }
}

export function addRaftVoterResponse(errorCode: number, errorMessage: string | null = null): AddRaftVoterResponse {
  return {throttleTimeMs: 0, errorCode, errorMessage}
}

export function removeRaftVoterResponse(errorCode: number, errorMessage: string | null = null): RemoveRaftVoterResponse {
  return {throttleTimeMs: 0, errorCode, errorMessage}
}

export function updateRaftVoterResponse(errorCode: number, leader: {leaderId: number, leaderEpoch: number, host: string, port: number} = {leaderId: -1, leaderEpoch: -1, host: '', port: 0}): UpdateRaftVoterResponse {
  return {throttleTimeMs: 0, errorCode, currentLeader: leader}
}

/** The ApiVersions request the leader sends to a voter being added (Kafka `AddVoterHandler.buildApiVersionsRequest`). */
export function apiVersionsRequest(): ApiVersionsRequest {
  return {clientSoftwareName: 'kts-raft', clientSoftwareVersion: '1'}
}

/** The response a failed request gets, by API (Kafka `RaftUtil.errorResponse`). */
export function errorResponseBody(apiKey: RaftApiKey, errorCode: number): RaftResponseBody {
  switch (apiKey) {
    case ApiKey.VOTE: return {apiKey, data: voteResponse(errorCode)}
    case ApiKey.BEGIN_QUORUM_EPOCH: return {apiKey, data: beginQuorumEpochResponse(errorCode)}
    case ApiKey.END_QUORUM_EPOCH: return {apiKey, data: endQuorumEpochResponse(errorCode)}
    case ApiKey.FETCH: return {apiKey, data: fetchResponse(errorCode)}
    case ApiKey.FETCH_SNAPSHOT: return {apiKey, data: fetchSnapshotResponse(errorCode)}
    case ApiKey.ADD_RAFT_VOTER: return {apiKey, data: addRaftVoterResponse(errorCode)}
    case ApiKey.REMOVE_RAFT_VOTER: return {apiKey, data: removeRaftVoterResponse(errorCode)}
    case ApiKey.UPDATE_RAFT_VOTER: return {apiKey, data: updateRaftVoterResponse(errorCode)}
    case ApiKey.API_VERSIONS: return {apiKey, data: {errorCode, apiKeys: [], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false}}
  }
}
