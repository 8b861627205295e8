/**
 * API handler registry: each `src/server/apis/<api-name>.ts` exports one `defineApi(...)` result;
 * `apis/index.ts` lists them per listener kind (Kafka's `KafkaApis` on broker listeners,
 * `ControllerApis` on controller listeners). ApiVersions is built from the registry a listener
 * serves, so an API that is not registered is not advertised and clients never call it (kfake's
 * regKey pattern).
 *
 * Handlers are typed by the services they need (`S`): broker-listener handlers take
 * `BrokerServices`, controller-listener handlers `ControllerServices`, and handlers that run on
 * both take `CommonServices` (server/services.ts).
 */
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {BrokerServices} from '../services.js'
import type {KafkaPrincipal} from '../security/kafka-principal.js'

/** The version range an API is served with on a listener (what ApiVersions advertises). */
export interface ApiVersionRange {
  spec: ApiSpec
  minVersion: number
  maxVersion: number
}

/** Per-request context handed to every handler. */
export interface RequestContext<S = BrokerServices> {
  apiVersion: number
  correlationId: number
  clientId: string | null
  /** Listener the request arrived on, e.g. `PLAINTEXT` or `CONTROLLER`. */
  listenerName: string
  /** Peer address as Kafka prints it, without the leading `/`, e.g. `127.0.0.1`. */
  clientHost: string
  /** Unique id of the connection (for fetch sessions and the like). */
  connectionId: string
  /** The connection's authenticated principal (`User:ANONYMOUS` on PLAINTEXT); the authorizer checks it. */
  principal: KafkaPrincipal
  /** The request as received: header + body, without the size prefix (forwarded as is, KIP-590). */
  rawRequest: Buffer
  services: S
  /** APIs served on this listener (for ApiVersions). */
  apis: ReadonlyMap<number, ApiVersionRange>
  /**
   * A Produce handler calls this while it runs (before its first await) when the request is
   * processed and only waits for its appends to be written: the connection may process its next
   * Produce meanwhile (network/connection.ts). Absent outside a connection (tests).
   */
  allowPipelining?: () => void
}

/** A handler's result: the response body (schema defaults fill absent fields), or null for no response. */
export type ApiResult = Promise<Input<unknown> | null> | Input<unknown> | null

/**
 * A handler maps a decoded request to a response body. Returning `null` sends no response
 * (Produce with acks=0). Throwing closes nothing: the network layer logs it and answers with the
 * API's top-level error if it can, else closes the connection.
 */
export type ApiHandler<S> = (req: unknown, ctx: RequestContext<S>) => ApiResult

export interface ApiDefinition<S = BrokerServices> extends ApiVersionRange {
  handler: ApiHandler<S>
}

/**
 * Registers `handler` for `spec` at versions `minVersion`..`maxVersion`. `Req` is the generated
 * request type the dispatcher decodes with the same schema, so the cast below is the one place
 * where the decoded body meets its static type.
 * @throws Error when the range lies outside the schema's valid versions (a programming error)
 */
export function defineApi<Req, S = BrokerServices>(
  spec: ApiSpec,
  minVersion: number,
  maxVersion: number,
  handler: (req: Req, ctx: RequestContext<S>) => ApiResult,
): ApiDefinition<S> {
  if (minVersion < spec.minVersion || maxVersion > spec.maxVersion || minVersion > maxVersion) {
    throw new Error(`${spec.name}: served versions ${minVersion}-${maxVersion} outside schema range ${spec.minVersion}-${spec.maxVersion}`)
  }
  return {spec, minVersion, maxVersion, handler: handler as ApiHandler<S>}
}
