// BrokerRegistration (62): v0-4 (Kafka 3.9), controller listener. A broker registers with the
// active controller (Kafka `ClusterControlManager.registerBroker`): it starts fenced; its broker
// epoch is the offset of its RegisterBrokerRecord.
// * INCONSISTENT_CLUSTER_ID, DUPLICATE_BROKER_REGISTRATION (another live broker has the id),
//   UNSUPPORTED_VERSION (finalized metadata.version outside the broker's range), NOT_CONTROLLER.
import {BrokerRegistrationApi, type BrokerRegistrationRequest, type BrokerRegistrationResponse} from '../../protocol/generated/messages/broker-registration.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleBrokerRegistration(req: BrokerRegistrationRequest, ctx: RequestContext<ControllerServices>): Promise<Input<BrokerRegistrationResponse>> {
  const mv = req.features.find(f => f.name === 'metadata.version')
  try {
    const {brokerEpoch} = await ctx.services.controller.registerBroker({
      brokerId: req.brokerId,
      clusterId: req.clusterId,
      incarnationId: req.incarnationId,
      listeners: req.listeners,
      rack: req.rack,
      metadataVersionRange: mv ? {min: mv.minSupportedVersion, max: mv.maxSupportedVersion} : undefined,
      logDirs: req.logDirs,
    })
    return {throttleTimeMs: 0, errorCode: 0, brokerEpoch}
  } catch (err) {
    ctx.services.logger.info(`Registration of broker ${req.brokerId} refused: ${(err as Error).message}`)
    return {throttleTimeMs: 0, errorCode: errorCodeFor(err), brokerEpoch: -1}
  }
}

export const brokerRegistration = defineApi<BrokerRegistrationRequest, ControllerServices>(BrokerRegistrationApi, 0, 4, handleBrokerRegistration)
