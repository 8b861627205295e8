// EndQuorumEpoch (54): v0-1 on controller listeners. A resigning leader names its preferred
// successors; answered by the Raft core (kafka-raft-client.ts).
import {EndQuorumEpochApi, type EndQuorumEpochRequest} from '../../protocol/generated/messages/end-quorum-epoch.js'
import {ApiKey} from '../raft/raft-messages.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {defineApi, type ApiDefinition, type RequestContext} from './registry.js'

export function endQuorumEpochApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<EndQuorumEpochRequest, S>(EndQuorumEpochApi, 0, 1, (req, ctx: RequestContext<S>) =>
    raft.handleRaftRequest({apiKey: ApiKey.END_QUORUM_EPOCH, data: req}, ctx.apiVersion))
}
