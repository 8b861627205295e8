// Fetch (1) of `__cluster_metadata` on controller listeners: v12-17 (DivergingEpoch, SnapshotId,
// CurrentLeader need v12; topic ids from v13). Followers and observers pull the metadata log from
// the Raft leader; a Fetch with nothing new waits up to MaxWaitMs. The partition Fetch served on
// broker listeners is fetch.ts.
import {FetchApi, type FetchRequest} from '../../protocol/generated/messages/fetch.js'
import {ApiKey} from '../raft/raft-messages.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {defineApi, type ApiDefinition, type RequestContext} from './registry.js'

export function raftFetchApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<FetchRequest, S>(FetchApi, 12, 17, (req, ctx: RequestContext<S>) => raft.handleRaftRequest({apiKey: ApiKey.FETCH, data: req}, ctx.apiVersion))
}
