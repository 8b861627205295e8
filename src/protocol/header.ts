/**
 * Request and response headers (schemas `message/RequestHeader.json` v0-2 and
 * `message/ResponseHeader.json` v0-1; header-version rules from Kafka's
 * `ApiKeys.requestHeaderVersion` / `responseHeaderVersion`, KIP-482 and KIP-511).
 *
 * Request header: v0 = api key int16, api version int16, correlation id int32 (ControlledShutdown
 * v0 only); v1 adds client id (nullable string, always int16 length); v2 adds a tagged-field section.
 * Response header: v0 = correlation id int32; v1 adds a tagged-field section.
 */
import type {Reader} from './primitives/reader.js'
import type {Writer} from './primitives/writer.js'
import {API_CODECS} from './generated/messages/index.js'

const API_VERSIONS_KEY = 18
const CONTROLLED_SHUTDOWN_KEY = 7

export interface RequestHeader {
  /** int16 API key. */
  apiKey: number
  /** int16 API version. */
  apiVersion: number
  /** int32, echoed in the response header. */
  correlationId: number
  /** Null in header v0 or when the client sent a null client id. */
  clientId: string | null
}

function isFlexible(apiKey: number, apiVersion: number): boolean | undefined {
  const codec = API_CODECS.get(apiKey)
  if (!codec) return undefined
  const min = codec.spec.flexibleMinVersion
  return min >= 0 && apiVersion >= min
}

/**
 * Request header version (0-2) for an API version: 2 if the API version is flexible, else 1;
 * ControlledShutdown v0 uses 0. Unknown API keys get 1 (client id readable, no tagged fields).
 */
export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === CONTROLLED_SHUTDOWN_KEY && apiVersion === 0) return 0
  return isFlexible(apiKey, apiVersion) ? 2 : 1
}

/**
 * Response header version (0-1): 1 if the API version is flexible, else 0; ApiVersions responses
 * always use 0 (KIP-511). Unknown API keys get 0.
 */
export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === API_VERSIONS_KEY) return 0
  return isFlexible(apiKey, apiVersion) ? 1 : 0
}

/**
 * Reads a request header: api key and version first, then the rest in the header version they
 * imply (see {@link requestHeaderVersion}). Leaves `r` at the start of the body.
 * Throws `ProtocolDecodeError` on a short or malformed header.
 */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.readInt16()
  const apiVersion = r.readInt16()
  const correlationId = r.readInt32()
  const hv = requestHeaderVersion(apiKey, apiVersion)
  let clientId: string | null = null
  if (hv >= 1) clientId = r.readNullableString()
  if (hv >= 2) r.readTaggedFields()
  return {apiKey, apiVersion, correlationId, clientId}
}

/** Writes a request header in `headerVersion` (0-2); the client side of {@link readRequestHeader}. */
export function writeRequestHeader(w: Writer, header: RequestHeader, headerVersion: number): void {
  w.writeInt16(header.apiKey).writeInt16(header.apiVersion).writeInt32(header.correlationId)
  if (headerVersion >= 1) w.writeNullableString(header.clientId)
  if (headerVersion >= 2) w.writeEmptyTaggedFields()
}

/** Writes a response header in `headerVersion` (0 or 1). */
export function writeResponseHeader(w: Writer, correlationId: number, headerVersion: number): void {
  w.writeInt32(correlationId)
  if (headerVersion >= 1) w.writeEmptyTaggedFields()
}

/** Reads a response header in `headerVersion` (0 or 1); returns the correlation id. */
export function readResponseHeader(r: Reader, headerVersion: number): number {
  const correlationId = r.readInt32()
  if (headerVersion >= 1) r.readTaggedFields()
  return correlationId
}
