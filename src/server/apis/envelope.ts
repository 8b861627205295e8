// Envelope (58): v0 (KIP-590), controller listener. A broker forwards a client's admin request
// (CreateTopics, DeleteTopics, configs, ...) to the active controller inside an Envelope; the
// controller handles the embedded request as if the client had sent it and returns the embedded
// response (header + body).
// * NOT_CONTROLLER (the broker retries elsewhere) when this controller is not active;
//   INVALID_REQUEST for an embedded request that cannot be parsed or is not forwardable.
import {EnvelopeApi, type EnvelopeRequest, type EnvelopeResponse} from '../../protocol/generated/messages/envelope.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

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
  const {errorCode, response} = await ctx.services.handleForwarded(req.requestData, hostOf(req.clientHostAddress, ctx.clientHost))
  return {errorCode, responseData: response}
}

export const envelope = defineApi<EnvelopeRequest, ControllerServices>(EnvelopeApi, 0, 0, handleEnvelope)
