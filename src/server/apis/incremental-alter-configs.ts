// IncrementalAlterConfigs (44): v0-1 (Kafka 3.9). SET / DELETE / APPEND / SUBTRACT per config on
// topic and broker resources. Through the QuorumController.
import {IncrementalAlterConfigsApi, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse} from '../../protocol/generated/messages/incremental-alter-configs.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleIncrementalAlterConfigs(req: IncrementalAlterConfigsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<IncrementalAlterConfigsResponse>> {
  const {controller} = ctx.services
  try {
    const responses = await controller.incrementalAlterConfigs(req.resources, req.validateOnly)
    return {throttleTimeMs: 0, responses}
  } catch (err) {
    const code = errorCodeFor(err)
    return {throttleTimeMs: 0, responses: req.resources.map(r => ({resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code, errorMessage: (err as Error).message}))}
  }
}

export const incrementalAlterConfigs = defineApi<IncrementalAlterConfigsRequest, ControllerServices>(IncrementalAlterConfigsApi, 0, 1, handleIncrementalAlterConfigs)
