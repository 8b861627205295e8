/**
 * A minimal Kafka protocol client connection, used by the tools for what kafkajs lacks (plain fetch
 * consumption without a group, newer API versions), by brokers for their requests to the active
 * controller and by the Raft driver for its requests to the other voters: one TCP (or TLS) socket, size-prefixed frames,
 * request header v1/v2 (`src/protocol/header.ts`), correlation ids, pipelined requests, and API
 * version negotiation with ApiVersions v0. Bodies are encoded with the generated codecs
 * (`src/protocol/generated/messages/`). Errors: `ProtocolClientError` (connection/timeout/decode).
 */
import net from 'node:net'
import tls from 'node:tls'
import {Reader} from '../primitives/reader.js'
import {Writer} from '../primitives/writer.js'
import {requestHeaderVersion, responseHeaderVersion, writeRequestHeader} from '../header.js'
import {API_CODECS} from '../generated/messages/index.js'
import type {ApiSpec} from '../generated/api-spec.js'
import type {ClientSecurity} from '../security/client-security.js'
import {authenticateSasl, SaslAuthenticationError, UnsupportedSaslMechanismError} from '../security/sasl-client.js'

export {SaslAuthenticationError, UnsupportedSaslMechanismError} from '../security/sasl-client.js'

/** A connection failure, request timeout or undecodable response. */
export class ProtocolClientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProtocolClientError'
  }
}

interface Pending {
  apiKey: number
  version: number
  resolve: (body: Reader) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

/** Connection options. Times in ms. */
export interface ConnectionOptions {
  host: string
  port: number
  clientId: string
  /** TLS with default options (security.protocol SSL); `security` wins when both are set. */
  tls?: boolean
  /** TLS options and/or SASL login (security/client-security.ts); PLAINTEXT when absent. */
  security?: ClientSecurity
  connectTimeoutMs?: number
  requestTimeoutMs?: number
}

/** One broker connection. */
export class BrokerConnection {
  private readonly pending = new Map<number, Pending>()
  private nextCorrelationId = 1
  private buffered: Buffer[] = []
  private bufferedBytes = 0
  private closedError: Error | null = null
  private versions = new Map<number, {min: number, max: number}>()
  /** When the SASL session should be treated as over (epoch ms; KIP-368), or null. */
  private sessionEndsAtMs: number | null = null

  private constructor(private readonly socket: net.Socket, private readonly opts: ConnectionOptions) {
    socket.on('data', (d: Buffer) => this.onData(d))
    socket.on('error', (err) => this.fail(new ProtocolClientError(`Connection to node ${opts.host}:${opts.port} failed: ${err.message}`, {cause: err})))
    socket.on('close', () => this.fail(new ProtocolClientError(`Connection to ${opts.host}:${opts.port} was closed`)))
  }

  /**
   * Opens the socket (TLS when `security.tls` / `tls`), negotiates API versions and authenticates
   * with SASL when `security.sasl` is set.
   * @throws ProtocolClientError when the broker is unreachable; SaslAuthenticationError /
   *   UnsupportedSaslMechanismError when authentication fails (the connection is closed).
   */
  static async connect(opts: ConnectionOptions): Promise<BrokerConnection> {
    const timeout = opts.connectTimeoutMs ?? 10_000
    const tlsOptions = opts.security ? opts.security.tls : opts.tls ? {} : undefined
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s: net.Socket = tlsOptions
        ? tls.connect({...tlsOptions, host: opts.host, port: opts.port, servername: net.isIP(opts.host) ? undefined : opts.host})
        : net.connect({host: opts.host, port: opts.port})
      const timer = setTimeout(() => {
        s.destroy()
        reject(new ProtocolClientError(`Timed out connecting to ${opts.host}:${opts.port}`))
      }, timeout)
      s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        resolve(s)
      })
      s.once('error', (err) => {
        clearTimeout(timer)
        reject(new ProtocolClientError(`Connection to node ${opts.host}:${opts.port} could not be established: ${err.message}`, {cause: err}))
      })
    })
    socket.setNoDelay(true)
    const conn = new BrokerConnection(socket, opts)
    const api = API_CODECS.get(18)!
    const res = await conn.send(api.spec, 0, {}) as {errorCode: number, apiKeys: Array<{apiKey: number, minVersion: number, maxVersion: number}>}
    for (const k of res.apiKeys) conn.versions.set(k.apiKey, {min: k.minVersion, max: k.maxVersion})
    if (opts.security?.sasl) {
      try {
        const session = await authenticateSasl(conn, opts.security.sasl)
        // No re-authentication on this connection: it retires itself a little before the broker
        // would close it (85 % of the lifetime, as Kafka clients schedule re-authentication) and
        // its owner reconnects.
        if (session.sessionLifetimeMs > 0) conn.sessionEndsAtMs = Date.now() + Math.floor(session.sessionLifetimeMs * 0.85)
      } catch (err) {
        conn.close()
        if (err instanceof SaslAuthenticationError || err instanceof UnsupportedSaslMechanismError) throw err
        throw new ProtocolClientError(`SASL authentication with ${opts.host}:${opts.port} failed: ${(err as Error).message}`, {cause: err})
      }
    }
    return conn
  }

  /**
   * Highest version of `spec` both sides support, capped at `cap`.
   * @throws ProtocolClientError when there is none.
   */
  version(spec: ApiSpec, cap = spec.maxVersion): number {
    const broker = this.versions.get(spec.apiKey)
    const v = Math.min(cap, spec.maxVersion, broker?.max ?? -1)
    if (broker === undefined || v < Math.max(spec.minVersion, broker.min)) {
      throw new ProtocolClientError(`The broker does not support ${spec.name.toUpperCase()}`)
    }
    return v
  }

  /** Sends one request body (`msg`, encoded by the generated codec of `spec`) and resolves with the decoded response. */
  send(spec: ApiSpec, version: number, msg: unknown): Promise<unknown> {
    this.retireExpiredSession()
    if (this.closedError) return Promise.reject(this.closedError)
    const codec = API_CODECS.get(spec.apiKey)
    if (codec === undefined) return Promise.reject(new ProtocolClientError(`Unknown API key ${spec.apiKey}`))
    const correlationId = this.nextCorrelationId++ & 0x7fffffff
    const frame = this.encodeFrame(spec, version, msg, correlationId)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId)
        reject(new ProtocolClientError(`Timed out waiting for a ${spec.name} response from ${this.opts.host}:${this.opts.port}`))
      }, this.opts.requestTimeoutMs ?? 30_000)
      this.pending.set(correlationId, {
        apiKey: spec.apiKey,
        version,
        timer,
        reject,
        resolve: (r) => {
          try {
            resolve(codec.readResponse(r, version))
          } catch (err) {
            reject(new ProtocolClientError(`Could not decode a ${spec.name} v${version} response: ${(err as Error).message}`, {cause: err}))
          }
        },
      })
      this.writeFrame(frame)
    })
  }

  /**
   * Sends a request the broker does not answer (Produce with acks=0); resolves once the bytes are
   * handed to the socket. @throws ProtocolClientError when the connection is closed.
   */
  sendOneWay(spec: ApiSpec, version: number, msg: unknown): Promise<void> {
    this.retireExpiredSession()
    if (this.closedError) return Promise.reject(this.closedError)
    const correlationId = this.nextCorrelationId++ & 0x7fffffff
    const frame = this.encodeFrame(spec, version, msg, correlationId)
    return new Promise((resolve, reject) => {
      this.writeFrame(frame, (err) => (err ? reject(new ProtocolClientError(`Connection to ${this.opts.host}:${this.opts.port} failed: ${err.message}`, {cause: err})) : resolve()))
    })
  }

  /** Bytes written to / read from the socket so far. */
  get bytesWritten(): number {
    return this.socket.bytesWritten
  }

  get bytesRead(): number {
    return this.socket.bytesRead
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.pending.size
  }

  /** The size-prefixed frame as chunks: large byte fields (record batches) are not copied. */
  private encodeFrame(spec: ApiSpec, version: number, msg: unknown, correlationId: number): Buffer[] {
    const codec = API_CODECS.get(spec.apiKey)
    if (codec === undefined) throw new ProtocolClientError(`Unknown API key ${spec.apiKey}`)
    const w = new Writer(512)
    w.writeInt32(0)
    writeRequestHeader(w, {apiKey: spec.apiKey, apiVersion: version, correlationId, clientId: this.opts.clientId}, requestHeaderVersion(spec.apiKey, version))
    codec.writeRequest(w, msg, version)
    const size = w.length - 4
    const chunks = w.toChunks()
    chunks[0].writeInt32BE(size, 0)
    return chunks
  }

  private writeFrame(chunks: Buffer[], done?: (err?: Error | null) => void): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0], done)
      return
    }
    this.socket.cork()
    for (let i = 0; i < chunks.length; i++) this.socket.write(chunks[i], i === chunks.length - 1 ? done : undefined)
    this.socket.uncork()
  }

  /** Whether the connection failed or was closed (every later request fails). */
  get isClosed(): boolean {
    this.retireExpiredSession()
    return this.closedError !== null
  }

  /** Closes the connection once its SASL session lifetime is (nearly) over. */
  private retireExpiredSession(): void {
    if (this.sessionEndsAtMs !== null && this.closedError === null && Date.now() >= this.sessionEndsAtMs) {
      this.fail(new ProtocolClientError(`The SASL session with ${this.opts.host}:${this.opts.port} expired (connections.max.reauth.ms): reconnect`))
      this.socket.destroy()
    }
  }

  /** Closes the socket; pending requests fail. */
  close(): void {
    this.fail(new ProtocolClientError('Connection closed'))
    this.socket.destroy()
  }

  private onData(d: Buffer): void {
    this.buffered.push(d)
    this.bufferedBytes += d.length
    for (;;) {
      if (this.bufferedBytes < 4) return
      if (this.buffered[0].length < 4) this.buffered = [Buffer.concat(this.buffered)]
      const size = this.buffered[0].readInt32BE(0)
      // Join the chunks only once the whole frame is here (a large Fetch response arrives in many).
      if (this.bufferedBytes < 4 + size) return
      if (this.buffered[0].length < 4 + size) this.buffered = [Buffer.concat(this.buffered, this.bufferedBytes)]
      const buf = this.buffered[0]
      const frame = buf.subarray(4, 4 + size)
      const rest = buf.subarray(4 + size)
      if (rest.length > 0) this.buffered[0] = rest
      else this.buffered.shift()
      this.bufferedBytes -= 4 + size
      this.onFrame(frame)
    }
  }

  private onFrame(frame: Buffer): void {
    const r = new Reader(frame)
    const correlationId = r.readInt32()
    const p = this.pending.get(correlationId)
    if (p === undefined) return
    this.pending.delete(correlationId)
    clearTimeout(p.timer)
    if (responseHeaderVersion(p.apiKey, p.version) >= 1) r.readTaggedFields()
    p.resolve(r)
  }

  private fail(err: Error): void {
    if (this.closedError) return
    this.closedError = err
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
  }
}
