// Envelope (58): v0 (KIP-590), controller listener. A broker forwards a client's admin request
// (CreateTopics, DeleteTopics, configs, ...) to the active controller inside an Envelope; the
// controller handles the embedded request as if the client had sent it and returns the embedded
// response (header + body).
// * NOT_CONTROLLER (the broker retries elsewhere) when this controller is not active;
//   INVALID_REQUEST for an embedded request that cannot be parsed or is not forwardable.
// * With an authorizer: the sender needs ClusterAction on the cluster (CLUSTER_AUTHORIZATION_FAILED);
//   the embedded request is authorized as Envelope.requestPrincipal (Kafka's DefaultPrincipalData
//   serialization; PRINCIPAL_DESERIALIZATION_FAILURE when unreadable), else as the sender.
import {EnvelopeApi, type EnvelopeRequest, type EnvelopeResponse} from '../../protocol/generated/messages/envelope.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {KafkaPrincipal} from '../security/kafka-principal.js'
import {deserializePrincipal} from '../security/principal-serde.js'
import {AclOperation} from '../security/authorizer/acl-binding.js'
import {isClusterAuthorized} from '../security/authorizer/request-authorization.js'

/** Envelope.clientHostAddress (4 or 16 address bytes) as text. */
function hostOf(address: Buffer, fallback: string): string {
  if (address.length === 4) return [...address].join('.')
  if (address.length === 16) {
    const groups: string[] = []
    for (let i = 0; i < 16; i += 2) groups.push(address.readUInt16BE(i).toString(16))
    return groups.join(':')
  }
  return fallback
}

async function handleEnvelope(req: EnvelopeRequest, ctx: RequestContext<ControllerServices>): Promise<Input<EnvelopeResponse>> {
  // Kafka `ControllerApis.handleEnvelopeRequest`: only a principal with ClusterAction (a broker) may forward.
  if (!isClusterAuthorized(ctx, AclOperation.CLUSTER_ACTION)) return {errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, responseData: null}
  let principal: KafkaPrincipal
  try {
    principal = req.requestPrincipal === null ? ctx.principal : deserializePrincipal(req.requestPrincipal)
  } catch {
    return {errorCode: ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE, responseData: null}
  }
  const {errorCode, response} = await ctx.services.handleForwarded(req.requestData, hostOf(req.clientHostAddress, ctx.clientHost), principal)
  return {errorCode, responseData: response}
}

export const envelope = defineApi<EnvelopeRequest, ControllerServices>(EnvelopeApi, 0, 0, handleEnvelope)
