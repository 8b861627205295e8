// IncrementalAlterConfigs (44): v0-1 (Kafka 3.9). SET / DELETE / APPEND / SUBTRACT per config on
// topic and broker resources. Through the QuorumController.
import {IncrementalAlterConfigsApi, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse} from '../../protocol/generated/messages/incremental-alter-configs.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {configsAuthorizationError} from '../security/authorizer/request-authorization.js'
import {ErrorCode} from '../../protocol/errors.js'

async function handleIncrementalAlterConfigs(req: IncrementalAlterConfigsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<IncrementalAlterConfigsResponse>> {
  const {controller} = ctx.services
  const denied = req.resources.map(r => configsAuthorizationError(ctx, r.resourceType, r.resourceName))
  const deniedResponses = req.resources.flatMap((r, i) => denied[i] === ErrorCode.NONE ? []
    : [{resourceType: r.resourceType, resourceName: r.resourceName, errorCode: denied[i], errorMessage: null}])
  try {
    const allowed = req.resources.filter((_, i) => denied[i] === ErrorCode.NONE)
    const responses = allowed.length > 0 ? await controller.incrementalAlterConfigs(allowed, req.validateOnly) : []
    return {throttleTimeMs: 0, responses: [...responses, ...deniedResponses]}
  } catch (err) {
    const code = errorCodeFor(err)
    return {throttleTimeMs: 0, responses: req.resources.map(r => ({resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code, errorMessage: (err as Error).message}))}
  }
}

export const incrementalAlterConfigs = defineApi<IncrementalAlterConfigsRequest, ControllerServices>(IncrementalAlterConfigsApi, 0, 1, handleIncrementalAlterConfigs)
