// Vote (52): v0-2 (v2: PreVote, KIP-996) on controller listeners. Candidates and prospective
// voters ask the other voters for (pre-)votes; answered by the Raft core (kafka-raft-client.ts).
import {VoteApi, type VoteRequest} from '../../protocol/generated/messages/vote.js'
import {ApiKey} from '../raft/raft-messages.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {defineApi, type ApiDefinition, type RequestContext} from './registry.js'

export function voteApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<VoteRequest, S>(VoteApi, 0, 2, (req, ctx: RequestContext<S>) => raft.handleRaftRequest({apiKey: ApiKey.VOTE, data: req}, ctx.apiVersion))
}
