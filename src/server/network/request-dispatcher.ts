/**
 * Decodes a request frame (header, then body with the generated codec for its API version),
 * runs the API's handler and encodes the response frame.
 *
 * Version checks follow Kafka's `SocketServer.parseRequestHeader`: an API this listener does not
 * serve, or a version outside its range, closes the connection — except ApiVersions, which is
 * answered in the v0 format with UNSUPPORTED_VERSION and its own supported range so the client can
 * retry (KIP-511; `../shared/spec/storage-and-kraft.md` §9.1).
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {readRequestHeader, responseHeaderVersion, writeResponseHeader} from '../../protocol/header.js'
import {API_CODECS} from '../../protocol/generated/messages/index.js'
import {writeApiVersionsResponse} from '../../protocol/generated/messages/api-versions.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {ApiDefinition, RequestContext} from '../apis/registry.js'
import type {Logger} from '../util/logger.js'
import {NO_BROKER_METRICS, type BrokerMetrics} from '../metrics/broker-metrics.js'
import {CloseConnectionError, type ConnectionInfo, type FrameHandler} from './connection.js'

const API_VERSIONS_KEY = 18

export class RequestDispatcher<S> implements FrameHandler {
  constructor(
    private readonly apis: ReadonlyMap<number, ApiDefinition<S>>,
    private readonly services: S,
    private readonly logger: Logger,
    /** Request counts and times (RequestMetrics); none by default. */
    private readonly metrics: BrokerMetrics = NO_BROKER_METRICS,
  ) {}

  /** Whether this dispatcher serves `apiKey` at `apiVersion`. */
  serves(apiKey: number, apiVersion: number): boolean {
    const def = this.apis.get(apiKey)
    return def !== undefined && apiVersion >= def.minVersion && apiVersion <= def.maxVersion
  }

  /**
   * Handles one request frame (header + body, no size prefix) from `conn` — a real connection, or
   * the connection a forwarded request (Envelope) stands for.
   * @throws CloseConnectionError for an unparsable header, an API or version not served, or a malformed body
   */
  async handle(frame: Buffer, conn: ConnectionInfo): Promise<Buffer[] | null> {
    const startMs = performance.now()
    const r = new Reader(frame)
    let header: ReturnType<typeof readRequestHeader>
    try {
      header = readRequestHeader(r)
    } catch (err) {
      throw new CloseConnectionError(`unparsable request header: ${(err as Error).message}`)
    }
    const {apiKey, apiVersion, correlationId} = header
    const def = this.apis.get(apiKey)
    if (apiKey === API_VERSIONS_KEY && def && apiVersion > def.maxVersion) {
      return this.unsupportedApiVersions(correlationId, def)
    }
    if (!def || apiVersion < def.minVersion || apiVersion > def.maxVersion) {
      throw new CloseConnectionError(
        def
          ? `unsupported version ${apiVersion} of API ${def.spec.name} (${apiKey}); served ${def.minVersion}-${def.maxVersion}`
          : `API key ${apiKey} not served on listener ${conn.listenerName}`,
      )
    }
    const codec = API_CODECS.get(apiKey)!
    let request: unknown
    try {
      request = codec.readRequest(r, apiVersion)
    } catch (err) {
      throw new CloseConnectionError(`malformed ${def.spec.name} v${apiVersion} request: ${(err as Error).message}`)
    }
    const ctx: RequestContext<S> = {
      apiVersion,
      correlationId,
      clientId: header.clientId,
      listenerName: conn.listenerName,
      clientHost: conn.clientHost,
      connectionId: conn.id,
      principal: conn.principal,
      rawRequest: frame,
      services: this.services,
      apis: this.apis,
      allowPipelining: conn.allowPipelining ? () => conn.allowPipelining!() : undefined,
    }
    const response = await def.handler(request, ctx)
    if (response === null) {
      this.metrics.recordRequest(apiKey, def.spec.name, apiVersion, request, performance.now() - startMs)
      return null
    }
    const w = new Writer(1024)
    writeResponseHeader(w, correlationId, responseHeaderVersion(apiKey, apiVersion))
    codec.writeResponse(w, response, apiVersion)
    this.metrics.recordRequest(apiKey, def.spec.name, apiVersion, request, performance.now() - startMs)
    return frameOf(w)
  }

  private unsupportedApiVersions(correlationId: number, def: ApiDefinition<S>): Buffer[] {
    const w = new Writer()
    writeResponseHeader(w, correlationId, 0)
    writeApiVersionsResponse(
      w,
      {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: [{apiKey: API_VERSIONS_KEY, minVersion: def.minVersion, maxVersion: def.maxVersion}],
      },
      0,
    )
    return frameOf(w)
  }
}

/** Size-prefixed frame chunks for a response writer. */
export function frameOf(w: Writer): Buffer[] {
  const chunks = w.toChunks()
  const size = Buffer.allocUnsafe(4)
  size.writeInt32BE(w.length, 0)
  return [size, ...chunks]
}
