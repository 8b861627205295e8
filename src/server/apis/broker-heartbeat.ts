// BrokerHeartbeat (63): v0-1 (Kafka 3.9), controller listener. Keeps a broker's session alive and
// moves it between fenced, unfenced and controlled shutdown (QuorumController.brokerHeartbeat).
// * STALE_BROKER_EPOCH when the broker is not registered with that epoch; NOT_CONTROLLER.
import {BrokerHeartbeatApi, type BrokerHeartbeatRequest, type BrokerHeartbeatResponse} from '../../protocol/generated/messages/broker-heartbeat.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleBrokerHeartbeat(req: BrokerHeartbeatRequest, ctx: RequestContext<ControllerServices>): Promise<Input<BrokerHeartbeatResponse>> {
  try {
    const reply = await ctx.services.controller.brokerHeartbeat({
      brokerId: req.brokerId,
      brokerEpoch: req.brokerEpoch,
      currentMetadataOffset: req.currentMetadataOffset,
      wantFence: req.wantFence,
      wantShutDown: req.wantShutDown,
    })
    return {throttleTimeMs: 0, errorCode: 0, ...reply}
  } catch (err) {
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), isCaughtUp: false, isFenced: true, shouldShutDown: false}
  }
}

export const brokerHeartbeat = defineApi<BrokerHeartbeatRequest, ControllerServices>(BrokerHeartbeatApi, 0, 1, handleBrokerHeartbeat)
