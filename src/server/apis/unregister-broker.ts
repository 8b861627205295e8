// UnregisterBroker (64): v0 (Kafka 3.9, KIP-777). Removes a broker registration through the
// QuorumController (`QuorumController.unregisterBroker`), fenced or not, as Kafka does; the
// broker's ISR memberships and leaderships move to other unfenced in-sync replicas.
// * No such broker → BROKER_ID_NOT_REGISTERED; this node is not the active controller →
//   NOT_CONTROLLER. The error message is the controller's (Kafka's `ControllerApis` sends the code
//   only; its admin client shows the code's default message either way).
import {UnregisterBrokerApi, type UnregisterBrokerRequest, type UnregisterBrokerResponse} from '../../protocol/generated/messages/unregister-broker.js'
import {ErrorCode, errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleUnregisterBroker(req: UnregisterBrokerRequest, ctx: RequestContext<ControllerServices>): Promise<Input<UnregisterBrokerResponse>> {
  const {controller} = ctx.services
  try {
    await controller.unregisterBroker(req.brokerId)
    return {throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null}
  } catch (err) {
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), errorMessage: (err as Error).message}
  }
}

export const unregisterBroker = defineApi<UnregisterBrokerRequest, ControllerServices>(UnregisterBrokerApi, 0, 0, handleUnregisterBroker)
