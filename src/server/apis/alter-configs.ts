// AlterConfigs (33): v0-2 (Kafka 3.9). Legacy semantics: the given configs replace all dynamic
// configs of the resource (topic or broker). Through the QuorumController.
import {AlterConfigsApi, type AlterConfigsRequest, type AlterConfigsResponse} from '../../protocol/generated/messages/alter-configs.js'
import {errorCodeFor} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'

async function handleAlterConfigs(req: AlterConfigsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<AlterConfigsResponse>> {
  const {controller} = ctx.services
  try {
    const responses = await controller.legacyAlterConfigs(req.resources, req.validateOnly)
    return {throttleTimeMs: 0, responses}
  } catch (err) {
    const code = errorCodeFor(err)
    return {throttleTimeMs: 0, responses: req.resources.map(r => ({resourceType: r.resourceType, resourceName: r.resourceName, errorCode: code, errorMessage: (err as Error).message}))}
  }
}

export const alterConfigs = defineApi<AlterConfigsRequest, ControllerServices>(AlterConfigsApi, 0, 2, handleAlterConfigs)
