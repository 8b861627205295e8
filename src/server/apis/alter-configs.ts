// AlterConfigs (33): v0-2 (Kafka 3.9). Legacy semantics: the given configs replace all dynamic
// configs of the resource (topic or broker). Through the QuorumController.
import {AlterConfigsApi, type AlterConfigsRequest, type AlterConfigsResponse} from '../../protocol/generated/messages/alter-configs.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {configsAuthorizationError} from '../security/authorizer/request-authorization.js'
import {ErrorCode} from '../../protocol/errors.js'

async function handleAlterConfigs(req: AlterConfigsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<AlterConfigsResponse>> {
  const {controller} = ctx.services
  const denied = req.resources.map(r => configsAuthorizationError(ctx, r.resourceType, r.resourceName))
  const deniedResponses = req.resources.flatMap((r, i) => denied[i] === ErrorCode.NONE ? []
    : [{resourceType: r.resourceType, resourceName: r.resourceName, errorCode: denied[i], errorMessage: null}])
  try {
    const allowed = req.resources.filter((_, i) => denied[i] === ErrorCode.NONE)
    const responses = allowed.length > 0 ? await controller.legacyAlterConfigs(allowed, req.validateOnly) : []
    return {throttleTimeMs: 0, responses: [...responses, ...deniedResponses]}
  } catch (err) {
    const code = errorCodeFor(err)
    return {throttleTimeMs: 0, responses: req.resources.map(r => ({resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code, errorMessage: (err as Error).message}))}
  }
}

export const alterConfigs = defineApi<AlterConfigsRequest, ControllerServices>(AlterConfigsApi, 0, 2, handleAlterConfigs)
