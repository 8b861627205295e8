/**
 * What API handlers call to authorize a request (Kafka `AuthHelper`): every check passes when the
 * node runs without an authorizer (`authorizer.class.name` empty). The messages are Kafka's
 * exception texts for the authorization error codes.
 */
import type {KafkaPrincipal} from '../kafka-principal.js'
import {AclOperation, CLUSTER_NAME, ResourceType} from './acl-binding.js'
import {ErrorCode} from '../../../protocol/errors.js'
import {SUPPORTED_OPERATIONS, type StandardAuthorizer} from './authorizer.js'

/** The parts of a RequestContext the checks read (any listener's services). */
export interface AuthorizationContext {
  principal: KafkaPrincipal
  clientHost: string
  services: {authorizer?: StandardAuthorizer | null}
}

/** `authorizedOperations` when the client did not ask for it (schema default, Kafka `Integer.MIN_VALUE`). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648

/** Whether the request may do `operation` on (`resourceType`, `name`); true without an authorizer. */
export function isAuthorized(ctx: AuthorizationContext, operation: number, resourceType: number, name: string): boolean {
  const a = ctx.services.authorizer
  return !a || a.authorize(ctx, operation, resourceType, name)
}

/** `isAuthorized` on the cluster resource (`kafka-cluster`). */
export function isClusterAuthorized(ctx: AuthorizationContext, operation: number): boolean {
  return isAuthorized(ctx, operation, ResourceType.CLUSTER, CLUSTER_NAME)
}

/** Whether `operation` is allowed on some resource of `resourceType` (KIP-679); true without an authorizer. */
export function isAuthorizedByResourceType(ctx: AuthorizationContext, operation: number, resourceType: number): boolean {
  const a = ctx.services.authorizer
  return !a || a.authorizeByResourceType(ctx, operation, resourceType)
}

/**
 * The `authorizedOperations` bit field of a resource: every supported operation when no
 * authorizer is configured (Kafka reports what the authorizer allows; without one, all).
 */
export function authorizedOperations(ctx: AuthorizationContext, resourceType: number, name: string): number {
  const a = ctx.services.authorizer
  if (a) return a.authorizedOperations(ctx, resourceType, name)
  let bits = 0
  for (const op of SUPPORTED_OPERATIONS.get(resourceType) ?? []) bits |= 1 << op
  return bits
}


/** Kafka's exception messages for the authorization failures. */
export const AuthorizationMessages = {
  topic: 'Topic authorization failed.',
  group: 'Group authorization failed.',
  cluster: 'Cluster authorization failed.',
  transactionalId: 'Transactional Id authorization failed.',
  securityDisabled: 'No Authorizer is configured.',
} as const

/**
 * NONE when the request may alter the configs of (`resourceType`, `name`) (AlterConfigs on the topic
 * for topics, on the cluster for broker and broker-logger resources), else TOPIC_/CLUSTER_AUTHORIZATION_FAILED
 * (Kafka `ControllerApis.handleLegacyAlterConfigs` / `handleIncrementalAlterConfigs`).
 */
export function configsAuthorizationError(ctx: AuthorizationContext, configResourceType: number, name: string): number {
  if (configResourceType === CONFIG_RESOURCE_TOPIC) return isAuthorized(ctx, AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, name) ? 0 : ErrorCode.TOPIC_AUTHORIZATION_FAILED
  return isClusterAuthorized(ctx, AclOperation.ALTER_CONFIGS) ? 0 : ErrorCode.CLUSTER_AUTHORIZATION_FAILED
}

/** ConfigResource.Type.TOPIC. */
const CONFIG_RESOURCE_TOPIC = 2
