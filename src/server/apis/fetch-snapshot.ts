// FetchSnapshot (59): v0-1 on controller listeners (KIP-630). A follower behind the leader's log
// start downloads the leader's snapshot by byte position; answered by the Raft core.
import {FetchSnapshotApi, type FetchSnapshotRequest} from '../../protocol/generated/messages/fetch-snapshot.js'
import {ApiKey} from '../raft/raft-messages.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {defineApi, type ApiDefinition, type RequestContext} from './registry.js'

export function fetchSnapshotApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<FetchSnapshotRequest, S>(FetchSnapshotApi, 0, 1, (req, ctx: RequestContext<S>) =>
    raft.handleRaftRequest({apiKey: ApiKey.FETCH_SNAPSHOT, data: req}, ctx.apiVersion))
}
