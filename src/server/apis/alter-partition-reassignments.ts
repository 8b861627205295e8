// AlterPartitionReassignments (45): v0 (Kafka 3.9, KIP-455), controller listener; brokers forward it.
// Starts, replaces or cancels (replicas null) partition reassignments through the QuorumController
// (controller/partition-reassignment.ts). Per partition: NONE, UNKNOWN_TOPIC_OR_PARTITION,
// INVALID_REPLICA_ASSIGNMENT (empty list, unregistered broker, duplicate broker, a revert needing an
// unclean election), NO_REASSIGNMENT_IN_PROGRESS, with Kafka's messages. Top level: NOT_CONTROLLER.
import {AlterPartitionReassignmentsApi, type AlterPartitionReassignmentsRequest, type AlterPartitionReassignmentsResponse} from '../../protocol/generated/messages/alter-partition-reassignments.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleAlterPartitionReassignments(req: AlterPartitionReassignmentsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<AlterPartitionReassignmentsResponse>> {
  try {
    return await ctx.services.controller.alterPartitionReassignments(req)
  } catch (err) {
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), errorMessage: (err as Error).message, responses: []}
  }
}

export const alterPartitionReassignments = defineApi<AlterPartitionReassignmentsRequest, ControllerServices>(AlterPartitionReassignmentsApi, 0, 0, handleAlterPartitionReassignments)
