/**
 * Client side of SASL authentication over the Kafka protocol (KIP-152): SaslHandshake v1 naming the
 * mechanism, then SaslAuthenticate requests carrying the mechanism's tokens — PLAIN
 * (`\0username\0password`, RFC 4616) or SCRAM-SHA-256/512 (RFC 5802: client-first, client-final,
 * and the server signature checked). Kafka's `SaslClientAuthenticator`.
 *
 * Used by BrokerConnection right after ApiVersions. Errors: `SaslAuthenticationError` carrying the
 * broker's message (Kafka's client prints the same `SaslAuthenticationException` text), or
 * `UnsupportedSaslMechanismError` with the broker's enabled mechanisms. Never contains the password.
 */
import type {ApiSpec} from '../generated/api-spec.js'
import {SaslHandshakeApi, type SaslHandshakeResponse} from '../generated/messages/sasl-handshake.js'
import {SaslAuthenticateApi, type SaslAuthenticateResponse} from '../generated/messages/sasl-authenticate.js'
import type {SaslClientConfig} from './client-security.js'
import {
  authMessage, clientProof, formatClientFinalWithoutProof, formatClientFirst, parseServerFirst, saltedPassword,
  scramMechanismByName, secureRandomNonce, serverKey, serverSignature,
} from './scram.js'

/** SASL_AUTHENTICATION_FAILED (58) or a SCRAM exchange the client could not complete. */
export class SaslAuthenticationError extends Error {
  override name = 'SaslAuthenticationError'
}

/** UNSUPPORTED_SASL_MECHANISM (33). */
export class UnsupportedSaslMechanismError extends Error {
  override name = 'UnsupportedSaslMechanismError'
}

/** The request/response seam of a connection (BrokerConnection's `send` / `version`). */
export interface SaslTransport {
  send(spec: ApiSpec, version: number, msg: unknown): Promise<unknown>
  /** Highest version both sides support, capped at `cap`; throws when none. */
  version(spec: ApiSpec, cap?: number): number
}

/** Result of a successful authentication. */
export interface SaslSession {
  /** Session lifetime the broker granted (KIP-368), ms; 0 = unlimited. */
  sessionLifetimeMs: number
}

const UNSUPPORTED_SASL_MECHANISM = 33
const ILLEGAL_SASL_STATE = 34

/**
 * Authenticates `transport` with `sasl`.
 * @throws UnsupportedSaslMechanismError / SaslAuthenticationError
 */
export async function authenticateSasl(transport: SaslTransport, sasl: SaslClientConfig): Promise<SaslSession> {
  const hs = await transport.send(SaslHandshakeApi, 1, {mechanism: sasl.mechanism}) as SaslHandshakeResponse
  if (hs.errorCode === UNSUPPORTED_SASL_MECHANISM) {
    throw new UnsupportedSaslMechanismError(`Client SASL mechanism '${sasl.mechanism}' not enabled in the server, enabled mechanisms are ${JSON.stringify(hs.mechanisms).replace(/"/g, '').replace(/,/g, ', ')}`)
  }
  if (hs.errorCode === ILLEGAL_SASL_STATE) throw new SaslAuthenticationError('Unexpected handshake request with client mechanism ' + sasl.mechanism)
  if (hs.errorCode !== 0) throw new SaslAuthenticationError(`SaslHandshake failed with error code ${hs.errorCode}`)
  const version = transport.version(SaslAuthenticateApi, 2)
  const step = async (token: Buffer): Promise<SaslAuthenticateResponse> => {
    const res = await transport.send(SaslAuthenticateApi, version, {authBytes: token}) as SaslAuthenticateResponse
    if (res.errorCode !== 0) throw new SaslAuthenticationError(res.errorMessage ?? `SaslAuthenticate failed with error code ${res.errorCode}`)
    return res
  }
  if (sasl.mechanism === 'PLAIN') {
    const res = await step(Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'))
    return {sessionLifetimeMs: res.sessionLifetimeMs}
  }
  const m = scramMechanismByName(sasl.mechanism)!
  const nonce = secureRandomNonce()
  const first = formatClientFirst(sasl.username, nonce)
  const r1 = await step(Buffer.from(first.message, 'utf8'))
  const serverFirst = parseServerFirst(r1.authBytes.toString('utf8'))
  if (!serverFirst.nonce.startsWith(nonce) || serverFirst.nonce.length === nonce.length) {
    throw new SaslAuthenticationError('Invalid server nonce: does not start with client nonce')
  }
  if (serverFirst.iterations < m.minIterations) {
    throw new SaslAuthenticationError(`Requested iterations ${serverFirst.iterations} is less than the minimum ${m.minIterations} for ${m.name}`)
  }
  const salted = await saltedPassword(m, sasl.password, serverFirst.salt, serverFirst.iterations)
  const withoutProof = formatClientFinalWithoutProof('n,,', serverFirst.nonce)
  const auth = authMessage(first.bare, serverFirst.text, withoutProof)
  const proof = clientProof(m, salted, auth)
  const r2 = await step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8'))
  const serverFinal = r2.authBytes.toString('utf8')
  const v = /^v=([A-Za-z0-9+/=]+)/.exec(serverFinal)
  if (!v) throw new SaslAuthenticationError(`Authentication failed: ${/^e=(.*)$/.exec(serverFinal)?.[1] ?? 'invalid server final message'}`)
  if (!Buffer.from(v[1], 'base64').equals(serverSignature(m, serverKey(m, salted), auth))) {
    throw new SaslAuthenticationError('Invalid server signature in server final message')
  }
  return {sessionLifetimeMs: r2.sessionLifetimeMs}
}
