// DeleteTopics (20): v0-6 (Kafka 3.9). v0-5 name topics in `topicNames`; v6 in `topics` by name or id.
// * Unknown names → UNKNOWN_TOPIC_OR_PARTITION, unknown ids → UNKNOWN_TOPIC_ID,
//   delete.topic.enable=false → TOPIC_DELETION_DISABLED. Through the QuorumController.
import {DeleteTopicsApi, type DeleteTopicsRequest, type DeleteTopicsResponse} from '../../protocol/generated/messages/delete-topics.js'
import {errorCodeFor} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {ControllerServices} from '../services.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {AuthorizationMessages, isAuthorized} from '../security/authorizer/request-authorization.js'
import {ErrorCode} from '../../protocol/errors.js'

async function handleDeleteTopics(req: DeleteTopicsRequest, ctx: RequestContext<ControllerServices>): Promise<Input<DeleteTopicsResponse>> {
  const {controller} = ctx.services
  const names: string[] = []
  const topicIds: string[] = []
  if (ctx.apiVersion >= 6) {
    for (const t of req.topics) {
      if (t.name !== null && t.name !== undefined) names.push(t.name)
      else topicIds.push(t.topicId)
    }
  } else {
    names.push(...req.topicNames)
  }
  // Kafka: Delete on each topic (by id: on the topic the id names).
  const denied: {name: string | null, topicId: string, errorCode: number, errorMessage: string | null}[] = []
  if (ctx.services.authorizer) {
    const image = ctx.services.metadata.image
    const deny = (name: string | null, topicId: string) =>
      denied.push({name, topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: ctx.apiVersion >= 5 ? AuthorizationMessages.topic : null})
    for (const name of [...names]) {
      if (!isAuthorized(ctx, AclOperation.DELETE, ResourceType.TOPIC, name)) {
        names.splice(names.indexOf(name), 1)
        deny(name, ZERO_UUID)
      }
    }
    for (const id of [...topicIds]) {
      const name = image.topicsById.get(id)?.name
      if (name !== undefined && !isAuthorized(ctx, AclOperation.DELETE, ResourceType.TOPIC, name)) {
        topicIds.splice(topicIds.indexOf(id), 1)
        deny(null, id)
      }
    }
  }
  try {
    const results = names.length + topicIds.length > 0 ? await controller.deleteTopics({names, topicIds}) : []
    return {
      throttleTimeMs: 0,
      responses: [...results.map(r => ({
        name: r.name ?? null,
        topicId: r.topicId ?? ZERO_UUID,
        errorCode: r.errorCode,
        errorMessage: ctx.apiVersion >= 5 ? r.errorMessage : null,
      })), ...denied],
    }
  } catch (err) {
    const code = errorCodeFor(err)
    return {
      throttleTimeMs: 0,
      responses: [...names.map(name => ({name, topicId: ZERO_UUID, errorCode: code})), ...topicIds.map(topicId => ({name: null, topicId, errorCode: code}))],
    }
  }
}

export const deleteTopics = defineApi<DeleteTopicsRequest, ControllerServices>(DeleteTopicsApi, 0, 6, handleDeleteTopics)
