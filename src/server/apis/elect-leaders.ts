// ElectLeaders (43): v0-2 (Kafka 3.9, KIP-460), controller listener; brokers forward it (KIP-590).
// Preferred (ElectionType 0; v0 always) or unclean (1) leader elections through the QuorumController
// (controller/leader-election.ts). Per partition: NONE, ELECTION_NOT_NEEDED,
// PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION; a null
// partition list elects for every partition and leaves out ELECTION_NOT_NEEDED ones. Failures of the
// whole request (NOT_CONTROLLER, INVALID_REQUEST for an unknown election type) are answered as
// Kafka's `ElectLeadersRequest.getErrorResponse`: the top-level code (v1+) and the same code on
// every named partition.
import {ElectLeadersApi, type ElectLeadersRequest, type ElectLeadersResponse} from '../../protocol/generated/messages/elect-leaders.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

/** The response failing every named partition with `errorCode` (Kafka `ElectLeadersRequest.getErrorResponse`). */
export function electLeadersErrorResponse(req: ElectLeadersRequest, errorCode: number, errorMessage: string): Input<ElectLeadersResponse> {
  return {
    throttleTimeMs: 0, errorCode,
    replicaElectionResults: (req.topicPartitions ?? []).map(t => ({topic: t.topic, partitionResult: t.partitions.map(partitionId => ({partitionId, errorCode, errorMessage}))})),
  }
}

async function handleElectLeaders(req: ElectLeadersRequest, ctx: RequestContext<ControllerServices>): Promise<Input<ElectLeadersResponse>> {
  try {
    return await ctx.services.controller.electLeaders(req)
  } catch (err) {
    return electLeadersErrorResponse(req, errorCodeFor(err), (err as Error).message)
  }
}

export const electLeaders = defineApi<ElectLeadersRequest, ControllerServices>(ElectLeadersApi, 0, 2, handleElectLeaders)
