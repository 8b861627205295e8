// AllocateProducerIds (67): v0 (Kafka 3.9), controller listener. Hands a broker the next block of
// 1000 producer ids (ProducerIdsRecord); STALE_BROKER_EPOCH for an unknown broker epoch; NOT_CONTROLLER.
import {AllocateProducerIdsApi, type AllocateProducerIdsRequest, type AllocateProducerIdsResponse} from '../../protocol/generated/messages/allocate-producer-ids.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleAllocateProducerIds(req: AllocateProducerIdsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<AllocateProducerIdsResponse>> {
  try {
    const block = await ctx.services.controller.allocateProducerIds(req.brokerId, req.brokerEpoch)
    return {throttleTimeMs: 0, errorCode: 0, producerIdStart: block.firstProducerId, producerIdLen: block.size}
  } catch (err) {
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), producerIdStart: -1, producerIdLen: 0}
  }
}

export const allocateProducerIds = defineApi<AllocateProducerIdsRequest, ControllerServices>(AllocateProducerIdsApi, 0, 0, handleAllocateProducerIds)
