/**
 * The SASL state machine of one connection on a SASL_PLAINTEXT / SASL_SSL listener (Kafka's
 * `SaslServerAuthenticator`), placed in front of the listener's request dispatcher:
 *
 * - Before authentication only ApiVersions, SaslHandshake (v0, v1) and SaslAuthenticate (v0-v2) are
 *   served; any other request closes the connection, as Kafka does. Frames are limited to
 *   `sasl.server.max.receive.size` (512 KiB) until authenticated.
 * - SaslHandshake names a mechanism of the listener's `sasl.enabled.mechanisms`; otherwise
 *   UNSUPPORTED_SASL_MECHANISM with the enabled list, and the connection is closed.
 * - SaslHandshake v1 → KIP-152 framing: each token in a SaslAuthenticate request. SaslHandshake v0 →
 *   the tokens follow as raw size-prefixed frames without a Kafka header (older kafka-python).
 * - A failed exchange answers SASL_AUTHENTICATION_FAILED with Kafka's message (v1 framing) and
 *   closes the connection after `connection.failed.authentication.delay.ms`; with raw framing the
 *   connection is closed.
 * - Success sets `Connection.principal` to `User:<authorization id>`. With
 *   `connections.max.reauth.ms` > 0 (KIP-368) SaslAuthenticate v1+ returns the session lifetime; a
 *   SaslHandshake on an authenticated connection starts a re-authentication (same mechanism and
 *   principal), and once the session expired any other request closes the connection.
 *
 * Nothing logged here contains a token, password or key.
 */
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import {readRequestHeader, responseHeaderVersion, writeResponseHeader} from '../../protocol/header.js'
import {ErrorCode} from '../../protocol/errors.js'
import {readSaslHandshakeRequest, writeSaslHandshakeResponse} from '../../protocol/generated/messages/sasl-handshake.js'
import {readSaslAuthenticateRequest, writeSaslAuthenticateResponse} from '../../protocol/generated/messages/sasl-authenticate.js'
import {scramMechanismByName} from '../../protocol/security/scram.js'
import {CloseConnectionError, type ConnectionInfo, type FrameHandler} from '../network/connection.js'
import type {Logger} from '../util/logger.js'
import {principalToString, userPrincipal, type KafkaPrincipal} from './kafka-principal.js'
import type {SaslListenerConfig} from './listener-security.js'
import {PlainServer} from './plain-server.js'
import {ScramServer, type ScramCredentialLookup} from './scram-server.js'
import {SaslAuthenticationFailure, type SaslMechanismServer} from './sasl-mechanism-server.js'

const API_VERSIONS = 18
const SASL_HANDSHAKE = 17
const SASL_AUTHENTICATE = 36
/** Kafka's `sasl.server.max.receive.size` default: the largest frame accepted before authentication. */
export const SASL_MAX_RECEIVE_SIZE = 524288

/** What the authenticator needs of its connection. */
export interface AuthenticatingConnection {
  readonly id: string
  readonly clientHost: string
  principal: KafkaPrincipal
  /** Largest frame accepted now, bytes. */
  maxFrameBytes: number
  /** Writes the pending response, then closes the connection after `delayMs`. */
  closeAfterResponse(delayMs: number): void
}

type State = 'HANDSHAKE' | 'AUTHENTICATE' | 'RAW_TOKENS' | 'COMPLETE' | 'REAUTHENTICATE' | 'FAILED'

export class SaslServerAuthenticator implements FrameHandler {
  private state: State = 'HANDSHAKE'
  private server: SaslMechanismServer | null = null
  private mechanism = ''
  /** Session expiry (epoch ms) or null when sessions do not expire. */
  private sessionExpiresAtMs: number | null = null
  private authenticatedPrincipal: KafkaPrincipal | null = null

  constructor(
    private readonly conn: AuthenticatingConnection,
    private readonly cfg: SaslListenerConfig,
    private readonly scram: ScramCredentialLookup,
    private readonly inner: FrameHandler,
    private readonly logger: Logger,
    private readonly requestMaxBytes: number,
    private readonly now: () => number = Date.now,
  ) {
    conn.maxFrameBytes = Math.min(SASL_MAX_RECEIVE_SIZE, requestMaxBytes)
  }

  /** Whether the connection completed authentication (and is not re-authenticating). */
  get authenticated(): boolean {
    return this.state === 'COMPLETE'
  }

  async handle(frame: Buffer, info: ConnectionInfo): Promise<Buffer[] | null> {
    if (this.state === 'COMPLETE' && frame.length >= 2 && frame.readInt16BE(0) !== SASL_HANDSHAKE) {
      // Hot path once authenticated: no header decoding, one clock read only when sessions expire.
      if (this.sessionExpiresAtMs !== null && this.now() > this.sessionExpiresAtMs) {
        this.logger.info(`Closing connection ${this.conn.id} from ${this.conn.clientHost}: its SASL session expired (connections.max.reauth.ms) without re-authentication`)
        throw new CloseConnectionError('SASL session expired')
      }
      return this.inner.handle(frame, info)
    }
    if (this.state === 'RAW_TOKENS') return this.rawToken(frame)
    if (this.state === 'FAILED') throw new CloseConnectionError('authentication failed')
    let header: ReturnType<typeof readRequestHeader>
    const r = new Reader(frame)
    try {
      header = readRequestHeader(r)
    } catch (err) {
      throw new CloseConnectionError(`unparsable request header: ${(err as Error).message}`)
    }
    const {apiKey, apiVersion, correlationId} = header
    if (this.state === 'COMPLETE') {
      if (apiKey === SASL_HANDSHAKE && apiVersion >= 1) return this.handshake(r, apiVersion, correlationId, true)
      if (this.sessionExpiresAtMs !== null && this.now() > this.sessionExpiresAtMs) {
        this.logger.info(`Closing connection ${this.conn.id} from ${this.conn.clientHost}: its SASL session expired (connections.max.reauth.ms) without re-authentication`)
        throw new CloseConnectionError('SASL session expired')
      }
      return this.inner.handle(frame, info)
    }
    if (apiKey === API_VERSIONS && this.state === 'HANDSHAKE') return this.inner.handle(frame, info)
    if (apiKey === SASL_HANDSHAKE && this.state === 'HANDSHAKE' && apiVersion <= 1) return this.handshake(r, apiVersion, correlationId, false)
    if (apiKey === SASL_AUTHENTICATE && (this.state === 'AUTHENTICATE' || this.state === 'REAUTHENTICATE') && apiVersion <= 2) {
      return this.authenticate(r, apiVersion, correlationId)
    }
    throw new CloseConnectionError(`Unexpected Kafka request of type ${apiKey} v${apiVersion} during SASL ${this.state === 'HANDSHAKE' ? 'handshake' : 'authentication'}`)
  }

  private async handshake(r: Reader, version: number, correlationId: number, reauth: boolean): Promise<Buffer[]> {
    let mechanism: string
    try {
      mechanism = readSaslHandshakeRequest(r, version).mechanism
    } catch (err) {
      throw new CloseConnectionError(`malformed SaslHandshake request: ${(err as Error).message}`)
    }
    const enabled = this.cfg.enabledMechanisms
    const respond = (errorCode: number): Buffer[] => this.frame(correlationId, SASL_HANDSHAKE, version, (w) =>
      writeSaslHandshakeResponse(w, {errorCode, mechanisms: enabled}, version))
    if (!enabled.includes(mechanism) || (reauth && mechanism !== this.mechanism)) {
      this.logger.info(`Failed authentication with ${this.conn.clientHost} (channelId=${this.conn.id}) (Unsupported SASL mechanism ${mechanism.slice(0, 64)})`)
      this.state = 'FAILED'
      this.conn.closeAfterResponse(0)
      return respond(ErrorCode.UNSUPPORTED_SASL_MECHANISM)
    }
    this.mechanism = mechanism
    this.server = this.createServer(mechanism)
    this.state = reauth ? 'REAUTHENTICATE' : version === 0 ? 'RAW_TOKENS' : 'AUTHENTICATE'
    return respond(ErrorCode.NONE)
  }

  private createServer(mechanism: string): SaslMechanismServer {
    if (mechanism === 'PLAIN') return new PlainServer(this.cfg.plainUsers ?? new Map())
    return new ScramServer(scramMechanismByName(mechanism)!, this.scram)
  }

  private async authenticate(r: Reader, version: number, correlationId: number): Promise<Buffer[]> {
    let token: Buffer
    try {
      token = readSaslAuthenticateRequest(r, version).authBytes
    } catch (err) {
      throw new CloseConnectionError(`malformed SaslAuthenticate request: ${(err as Error).message}`)
    }
    const respond = (errorCode: number, errorMessage: string | null, authBytes: Buffer, sessionLifetimeMs: number): Buffer[] =>
      this.frame(correlationId, SASL_AUTHENTICATE, version, (w) =>
        writeSaslAuthenticateResponse(w, {errorCode, errorMessage, authBytes, sessionLifetimeMs}, version))
    try {
      const out = await this.server!.evaluate(token)
      let lifetime = 0
      if (this.server!.complete) lifetime = this.completed()
      return respond(ErrorCode.NONE, null, out, version >= 1 ? lifetime : 0)
    } catch (err) {
      if (!(err instanceof SaslAuthenticationFailure)) throw err
      this.failed(err.message)
      return respond(ErrorCode.SASL_AUTHENTICATION_FAILED, err.message, Buffer.alloc(0), 0)
    }
  }

  private async rawToken(token: Buffer): Promise<Buffer[]> {
    try {
      const out = await this.server!.evaluate(token)
      if (this.server!.complete) this.completed()
      const size = Buffer.allocUnsafe(4)
      size.writeInt32BE(out.length, 0)
      return [size, out]
    } catch (err) {
      if (!(err instanceof SaslAuthenticationFailure)) throw err
      this.failed(err.message)
      throw new CloseConnectionError(`authentication failed: ${err.message}`)
    }
  }

  /** Marks the connection authenticated; returns the session lifetime (ms, 0 = none). */
  private completed(): number {
    const principal = userPrincipal(this.server!.authorizationId)
    if (this.authenticatedPrincipal !== null && principalToString(principal) !== principalToString(this.authenticatedPrincipal)) {
      throw new SaslAuthenticationFailure(`Cannot change principals during re-authentication from ${principalToString(this.authenticatedPrincipal)}: ${principalToString(principal)}`)
    }
    this.authenticatedPrincipal = principal
    this.conn.principal = principal
    this.conn.maxFrameBytes = this.requestMaxBytes
    this.state = 'COMPLETE'
    const lifetime = this.cfg.maxReauthMs
    this.sessionExpiresAtMs = lifetime > 0 ? this.now() + lifetime : null
    this.logger.debug(`Authenticated ${principalToString(principal)} with ${this.mechanism} on connection ${this.conn.id}`)
    return lifetime
  }

  private failed(message: string): void {
    this.state = 'FAILED'
    this.logger.info(`Failed authentication with ${this.conn.clientHost} (channelId=${this.conn.id}) (${message})`)
    this.conn.closeAfterResponse(this.cfg.failedAuthenticationDelayMs)
  }

  private frame(correlationId: number, apiKey: number, version: number, body: (w: Writer) => void): Buffer[] {
    const w = new Writer(128)
    writeResponseHeader(w, correlationId, responseHeaderVersion(apiKey, version))
    body(w)
    const chunks = w.toChunks()
    const size = Buffer.allocUnsafe(4)
    size.writeInt32BE(w.length, 0)
    return [size, ...chunks]
  }
}
