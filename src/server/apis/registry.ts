/**
 * API handler registry: each `src/server/apis/<api-name>.ts` exports one `defineApi(...)` result;
 * `apis/index.ts` lists them. ApiVersions is built from this registry, so an API that is not
 * registered is not advertised and clients never call it (kfake's regKey pattern).
 */
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {BrokerServices} from '../broker-services.js'

/** Per-request context handed to every handler. */
export interface RequestContext {
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** Listener the request arrived on, e.g. `PLAINTEXT` or `CONTROLLER`. */
  listenerName: string
  /** Peer address as Kafka prints it, without the leading `/`, e.g. `127.0.0.1`. */
  clientHost: string
  /** Unique id of the connection (for fetch sessions and the like). */
  connectionId: string
  services: BrokerServices
  /** APIs served on this listener (for ApiVersions). */
  apis: ReadonlyMap<number, ApiDefinition>
}

/**
 * A handler maps a decoded request to a response body (schema defaults fill absent fields).
 * Returning `null` sends no response (Produce with acks=0). Throwing closes nothing: the network
 * layer logs it and answers with the API's top-level error if it can, else closes the connection.
 */
export type ApiHandler = (req: any, ctx: RequestContext) => Promise<Input<any> | null> | Input<any> | null

export interface ApiDefinition {
  spec: ApiSpec
  /** Versions this broker serves (within the schema's valid range). */
  minVersion: number
  maxVersion: number
  handler: ApiHandler
}

export function defineApi(spec: ApiSpec, minVersion: number, maxVersion: number, handler: ApiHandler): ApiDefinition {
  if (minVersion < spec.minVersion || maxVersion > spec.maxVersion || minVersion > maxVersion) {
    throw new Error(`${spec.name}: served versions ${minVersion}-${maxVersion} outside schema range ${spec.minVersion}-${spec.maxVersion}`)
  }
  return {spec, minVersion, maxVersion, handler}
}
