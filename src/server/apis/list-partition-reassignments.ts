// ListPartitionReassignments (46): v0 (Kafka 3.9, KIP-455), controller listener; brokers forward it.
// The ongoing reassignments (replicas, adding and removing replicas) of every topic (topics null) or
// of the named partitions; unknown and non-reassigning partitions are left out. Top level: NOT_CONTROLLER.
import {ListPartitionReassignmentsApi, type ListPartitionReassignmentsRequest, type ListPartitionReassignmentsResponse} from '../../protocol/generated/messages/list-partition-reassignments.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleListPartitionReassignments(req: ListPartitionReassignmentsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<ListPartitionReassignmentsResponse>> {
  try {
    return await ctx.services.controller.listPartitionReassignments(req.topics)
  } catch (err) {
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), errorMessage: (err as Error).message, topics: []}
  }
}

export const listPartitionReassignments = defineApi<ListPartitionReassignmentsRequest, ControllerServices>(ListPartitionReassignmentsApi, 0, 0, handleListPartitionReassignments)
