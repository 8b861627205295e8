// AddRaftVoter (80), RemoveRaftVoter (81), UpdateRaftVoter (82): v0 (Kafka 3.9, KIP-853) on
// controller listeners; brokers forward AddRaftVoter and RemoveRaftVoter to the active controller.
// Answered by the Raft leader (kafka-raft-client.ts): one voter change at a time, each committed
// before the next; Kafka's errors (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, DUPLICATE_VOTER,
// VOTER_NOT_FOUND, UNSUPPORTED_VERSION with kraft.version 0, INVALID_REQUEST, INCONSISTENT_CLUSTER_ID).
import {AddRaftVoterApi, type AddRaftVoterRequest} from '../../protocol/generated/messages/add-raft-voter.js'
import {RemoveRaftVoterApi, type RemoveRaftVoterRequest} from '../../protocol/generated/messages/remove-raft-voter.js'
import {UpdateRaftVoterApi, type UpdateRaftVoterRequest} from '../../protocol/generated/messages/update-raft-voter.js'
import {ApiKey} from '../raft/raft-messages.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {defineApi, type ApiDefinition, type RequestContext} from './registry.js'

export function addRaftVoterApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<AddRaftVoterRequest, S>(AddRaftVoterApi, 0, 0, (req, ctx: RequestContext<S>) =>
    raft.handleRaftRequest({apiKey: ApiKey.ADD_RAFT_VOTER, data: req}, ctx.apiVersion))
}

export function removeRaftVoterApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<RemoveRaftVoterRequest, S>(RemoveRaftVoterApi, 0, 0, (req, ctx: RequestContext<S>) =>
    raft.handleRaftRequest({apiKey: ApiKey.REMOVE_RAFT_VOTER, data: req}, ctx.apiVersion))
}

export function updateRaftVoterApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<UpdateRaftVoterRequest, S>(UpdateRaftVoterApi, 0, 0, (req, ctx: RequestContext<S>) =>
    raft.handleRaftRequest({apiKey: ApiKey.UPDATE_RAFT_VOTER, data: req}, ctx.apiVersion))
}
