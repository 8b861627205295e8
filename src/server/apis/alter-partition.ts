// AlterPartition (56): v0-3 (Kafka 3.9), controller listener. A partition leader proposes a new ISR
// (expansion or shrink, KIP-497; broker epochs per ISR member from v3, KIP-903); the active
// controller validates it and commits a PartitionChangeRecord (QuorumController.alterPartition,
// controller/replication-control.ts).
// * Top level: STALE_BROKER_EPOCH for a sender whose broker epoch is not its registered one, NOT_CONTROLLER.
// * Per partition: UNKNOWN_TOPIC_OR_PARTITION (v0-1) / UNKNOWN_TOPIC_ID (v2+), FENCED_LEADER_EPOCH,
//   INVALID_UPDATE_VERSION (stale partition epoch), INVALID_REQUEST (not the leader, ISR outside the
//   replicas or without the leader), INELIGIBLE_REPLICA (v2+; OPERATION_NOT_ATTEMPTED before) for
//   fenced, shutting-down or re-registered brokers; otherwise the partition state after the change.
import {AlterPartitionApi, type AlterPartitionRequest, type AlterPartitionResponse} from '../../protocol/generated/messages/alter-partition.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleAlterPartition(req: AlterPartitionRequest, ctx: RequestContext<ControllerServices>): Promise<Input<AlterPartitionResponse>> {
  try {
    return await ctx.services.controller.alterPartition(req, ctx.apiVersion)
  } catch (err) {
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), topics: []}
  }
}

export const alterPartition = defineApi<AlterPartitionRequest, ControllerServices>(AlterPartitionApi, 0, 3, handleAlterPartition)
