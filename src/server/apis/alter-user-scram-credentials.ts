// AlterUserScramCredentials (51): v0 (KIP-554). The active controller decides
// (controller/scram-control.ts, Kafka's `ScramControlManager`) and appends UserScramCredentialRecord /
// RemoveUserScramCredentialRecord atomically; brokers forward the request (KIP-590).
// * Per-entry errors as Kafka's (DUPLICATE_RESOURCE, UNACCEPTABLE_CREDENTIAL, UNSUPPORTED_SASL_MECHANISM,
//   RESOURCE_NOT_FOUND); NOT_CONTROLLER on every entry when this node is not the active controller.
import {AlterUserScramCredentialsApi, type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResponse} from '../../protocol/generated/messages/alter-user-scram-credentials.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handle(req: AlterUserScramCredentialsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<AlterUserScramCredentialsResponse>> {
  try {
    return {throttleTimeMs: 0, results: await ctx.services.controller.alterUserScramCredentials(req)}
  } catch (err) {
    const errorCode = errorCodeFor(err)
    const users = [...req.deletions, ...req.upsertions].map((e) => e.name)
    return {throttleTimeMs: 0, results: users.map((user) => ({user, errorCode, errorMessage: (err as Error).message}))}
  }
}

export const alterUserScramCredentials = defineApi<AlterUserScramCredentialsRequest, ControllerServices>(AlterUserScramCredentialsApi, 0, 0, handle)
