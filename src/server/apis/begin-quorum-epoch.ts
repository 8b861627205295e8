// BeginQuorumEpoch (53): v0-1 on controller listeners. A new leader tells the voters it leads its
// epoch; answered by the Raft core (kafka-raft-client.ts).
import {BeginQuorumEpochApi, type BeginQuorumEpochRequest} from '../../protocol/generated/messages/begin-quorum-epoch.js'
import {ApiKey} from '../raft/raft-messages.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {defineApi, type ApiDefinition, type RequestContext} from './registry.js'

export function beginQuorumEpochApi<S>(raft: RaftRequestHandler): ApiDefinition<S> {
  return defineApi<BeginQuorumEpochRequest, S>(BeginQuorumEpochApi, 0, 1, (req, ctx: RequestContext<S>) =>
    raft.handleRaftRequest({apiKey: ApiKey.BEGIN_QUORUM_EPOCH, data: req}, ctx.apiVersion))
}
