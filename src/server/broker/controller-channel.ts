/**
 * Requests from a broker to the active controller (Kafka `NodeToControllerChannelManager` and
 * `ForwardingManager`, KIP-590): broker-to-controller RPCs (BrokerRegistration, BrokerHeartbeat,
 * AllocateProducerIds, ...) and client admin requests forwarded inside an Envelope.
 *
 * The active controller is the leader of the metadata quorum (`SharedServer.onLeaderChange`), reached
 * on its controller listener at the address the metadata quorum knows for it (`controller.quorum.voters`,
 * or the voter set of the metadata log with a dynamic quorum). When this node's own
 * controller is the active one (combined mode) requests go to it in-process, through the same
 * codecs. NOT_CONTROLLER answers and connection failures are retried against the current leader
 * until the request's deadline; then the call fails with REQUEST_TIMED_OUT.
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import net from 'node:net'
import {BrokerConnection, ProtocolClientError} from '../../protocol/client/broker-connection.js'
import {ErrorCode, KafkaError} from '../../protocol/errors.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {EnvelopeApi, type EnvelopeResponse} from '../../protocol/generated/messages/envelope.js'
import {API_CODECS} from '../../protocol/generated/messages/index.js'
import {readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader} from '../../protocol/header.js'
import {Reader} from '../../protocol/primitives/reader.js'
import {Writer} from '../../protocol/primitives/writer.js'
import type {ConnectionInfo} from '../network/connection.js'
import type {LeaderAndEpoch} from '../shared-server.js'
import type {Logger} from '../util/logger.js'
import type {KafkaPrincipal} from '../security/kafka-principal.js'
import {LOCAL_NODE_PRINCIPAL} from '../security/authorizer/local-node-principal.js'
import {serializePrincipal} from '../security/principal-serde.js'

/** The controller of this process, when it has one (combined mode). */
export interface LocalController {
  /** True while it is the active controller. */
  isActive(): boolean
  /** Highest version of `apiKey` it serves, -1 if none. */
  maxVersion(apiKey: number): number
  /** Handles a broker-to-controller request frame (header + body); resolves with response header + body. */
  handleFrame(frame: Buffer, conn: ConnectionInfo): Promise<Buffer | null>
  /**
   * Handles a forwarded client request (header + body) as the Envelope handler does, authorized as
   * `principal` (the client's; LOCAL_NODE_PRINCIPAL for the broker's own requests).
   * @returns the Envelope's error code (NOT_CONTROLLER, INVALID_REQUEST, ...) and the response header + body
   */
  handleForwarded(request: Buffer, clientHost: string, principal: KafkaPrincipal): Promise<{errorCode: number, response: Buffer | null}>
}

export interface ControllerChannelOptions {
  nodeId: number
  /** Where controller `id` listens on its controller listener; null when unknown. */
  controllerAddress(id: number): {host: string, port: number} | null
  /** Subscribes to metadata quorum leader changes (called at once with the current leader). */
  onLeaderChange(fn: (leader: LeaderAndEpoch) => void): () => void
  local?: LocalController
  /** Client id of the requests, e.g. `broker-1-heartbeat`. */
  clientId: string
  /** Default deadline of a request, ms. */
  requestTimeoutMs: number
  /** How to secure the connection to the controller listener (PLAINTEXT when absent). */
  security?: ClientSecurity
  /** Pause before retrying after NOT_CONTROLLER or a connection failure, ms. */
  retryBackoffMs: number
  logger: Logger
}

const NOT_CONTROLLER = ErrorCode.NOT_CONTROLLER


/** IPv4/IPv6 address bytes of `host` (Envelope.clientHostAddress), empty when not an IP. */
function addressBytes(host: string): Buffer {
  if (net.isIPv4(host)) return Buffer.from(host.split('.').map(Number))
  if (net.isIPv6(host)) {
    const [head, tail = ''] = host.split('::')
    const h = head ? head.split(':') : []
    const t = tail ? tail.split(':') : []
    const groups = host.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h
    const b = Buffer.alloc(16)
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16) || 0, i * 2))
    return b
  }
  return Buffer.alloc(0)
}

export class ControllerChannel {
  private leader: LeaderAndEpoch = {leaderId: -1, epoch: 0}
  private leaderWaiters: (() => void)[] = []
  private conn: {id: number, connection: Promise<BrokerConnection>} | null = null
  private nextCorrelationId = 1
  private closed = false
  /** Settles (rejects) when the channel is closed, so calls in flight stop waiting. */
  private readonly closedSignal: Promise<never>
  private signalClosed!: () => void
  private readonly unsubscribe: () => void

  constructor(private readonly opts: ControllerChannelOptions) {
    this.closedSignal = new Promise<never>((_, reject) => {
      this.signalClosed = () => reject(new ProtocolClientError('The controller channel is closed'))
    })
    this.closedSignal.catch(() => undefined)
    this.unsubscribe = opts.onLeaderChange(leader => {
      this.leader = leader
      const waiters = this.leaderWaiters
      this.leaderWaiters = []
      for (const w of waiters) w()
    })
  }

  /** Id of the active controller as last heard, -1 when unknown. */
  get activeControllerId(): number {
    return this.leader.leaderId
  }

  /** Raft epoch of the metadata quorum leader as last heard (a new epoch means a new active controller). */
  get activeControllerEpoch(): number {
    return this.leader.epoch
  }

  /**
   * Sends a broker-to-controller request and resolves with the decoded response body. A response
   * whose top-level `errorCode` is NOT_CONTROLLER is retried.
   * @throws KafkaError REQUEST_TIMED_OUT when no active controller answered before the deadline
   */
  send<Res>(spec: ApiSpec, request: object, timeoutMs = this.opts.requestTimeoutMs): Promise<Res> {
    return this.withRetries(spec.name, timeoutMs, async () => {
      const res = await this.roundTrip(spec, request) as Res & {errorCode?: number}
      return res.errorCode === NOT_CONTROLLER ? null : res
    })
  }

  /**
   * Forwards a client request (header + body, as received) to the active controller in an Envelope
   * and resolves with the decoded response body at the request's version. `principal` (the client's)
   * goes in Envelope.requestPrincipal; null: the request is this broker's own (authorized as the
   * broker's connection to the controller, or LOCAL_NODE_PRINCIPAL in-process).
   * @throws KafkaError REQUEST_TIMED_OUT (no controller before the deadline) or the Envelope's error
   */
  forward(rawRequest: Buffer, apiKey: number, apiVersion: number, clientHost: string, timeoutMs = this.opts.requestTimeoutMs, principal: KafkaPrincipal | null = null): Promise<unknown> {
    const codec = API_CODECS.get(apiKey)
    if (!codec) return Promise.reject(new KafkaError(ErrorCode.INVALID_REQUEST, `Unknown API key ${apiKey}`))
    return this.withRetries(`forwarded ${codec.spec.name}`, timeoutMs, async () => {
      let envelope: {errorCode: number, response: Buffer | null}
      const local = this.localIfActive()
      if (local) {
        envelope = await local.handleForwarded(rawRequest, clientHost, principal ?? LOCAL_NODE_PRINCIPAL)
      } else {
        const res = await this.roundTrip(EnvelopeApi, {requestData: rawRequest, requestPrincipal: principal ? serializePrincipal(principal) : null, clientHostAddress: addressBytes(clientHost)}) as EnvelopeResponse
        envelope = {errorCode: res.errorCode, response: res.responseData}
      }
      if (envelope.errorCode === NOT_CONTROLLER) return null
      if (envelope.errorCode !== ErrorCode.NONE || envelope.response === null) {
        throw new KafkaError(envelope.errorCode || ErrorCode.UNKNOWN_SERVER_ERROR, `The controller refused the forwarded ${codec.spec.name} request`)
      }
      const r = new Reader(envelope.response)
      readResponseHeader(r, responseHeaderVersion(apiKey, apiVersion))
      return codec.readResponse(r, apiVersion)
    })
  }

  /**
   * Forwards a request this broker makes on a client's behalf (Metadata auto-creation, internal
   * topics) as `forward` does, at the highest version both sides serve.
   */
  forwardRequest<Res>(spec: ApiSpec, request: object, timeoutMs = this.opts.requestTimeoutMs): Promise<Res> {
    const version = spec.maxVersion
    return this.forward(this.frame(spec, version, request), spec.apiKey, version, '127.0.0.1', timeoutMs) as Promise<Res>
  }

  /** Closes the connection; calls in flight fail at once (REQUEST_TIMED_OUT, 'channel is closed'). */
  close(): void {
    this.closed = true
    this.signalClosed()
    this.unsubscribe()
    this.dropConnection()
    for (const w of this.leaderWaiters) w()
    this.leaderWaiters = []
  }

  private localIfActive(): LocalController | null {
    const local = this.opts.local
    return local && this.leader.leaderId === this.opts.nodeId && local.isActive() ? local : null
  }

  /** Runs `attempt` until it returns a value; null (NOT_CONTROLLER) or a connection failure retries. */
  private async withRetries<R>(what: string, timeoutMs: number, attempt: () => Promise<R | null>): Promise<R> {
    const deadline = Date.now() + timeoutMs
    let lastProblem = 'no active controller is known'
    for (;;) {
      if (this.closed) throw new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `The controller channel is closed (${what})`)
      if (this.leader.leaderId >= 0) {
        try {
          const r = await this.raceDeadline(attempt(), deadline)
          if (r !== null) return r
          lastProblem = `controller ${this.leader.leaderId} is not the active controller`
          this.dropConnection()
        } catch (err) {
          if (!(err instanceof ProtocolClientError)) throw err
          lastProblem = err.message
          this.dropConnection()
        }
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `Timed out waiting for the active controller (${what}): ${lastProblem}`)
      await this.waitForLeader(this.leader.leaderId < 0 ? left : Math.min(this.opts.retryBackoffMs, left))
    }
  }

  /** `p`, unless the channel closes or `deadline` (ms) passes first (then a ProtocolClientError). */
  private async raceDeadline<R>(p: Promise<R>, deadline: number): Promise<R> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ProtocolClientError('No answer before the deadline')), Math.max(0, deadline - Date.now()))
      timer.unref()
    })
    try {
      return await Promise.race([p, this.closedSignal, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Waits `ms`, or less when the leader changes or the channel is closed. */
  private waitForLeader(ms: number): Promise<void> {
    return new Promise(resolve => {
      const t = setTimeout(resolve, ms)
      t.unref()
      this.leaderWaiters.push(() => { clearTimeout(t); resolve() })
    })
  }

  private frame(spec: ApiSpec, version: number, request: object): Buffer {
    const w = new Writer(256)
    writeRequestHeader(w, {apiKey: spec.apiKey, apiVersion: version, correlationId: this.nextCorrelationId++ & 0x7fffffff, clientId: this.opts.clientId}, requestHeaderVersion(spec.apiKey, version))
    API_CODECS.get(spec.apiKey)!.writeRequest(w, request, version)
    return w.toBuffer()
  }

  /** One request to the active controller (in-process or over its controller listener). */
  private async roundTrip(spec: ApiSpec, request: object): Promise<unknown> {
    const local = this.localIfActive()
    if (local) {
      const version = Math.min(spec.maxVersion, local.maxVersion(spec.apiKey))
      if (version < spec.minVersion) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `The controller does not serve ${spec.name}`)
      const response = await local.handleFrame(this.frame(spec, version, request), {id: `${this.opts.clientId}-local`, listenerName: 'CONTROLLER', clientHost: '127.0.0.1', principal: LOCAL_NODE_PRINCIPAL})
      if (response === null) throw new ProtocolClientError(`No ${spec.name} response from the local controller`)
      const r = new Reader(response)
      readResponseHeader(r, responseHeaderVersion(spec.apiKey, version))
      return API_CODECS.get(spec.apiKey)!.readResponse(r, version)
    }
    const conn = await this.connection()
    return conn.send(spec, conn.version(spec), request)
  }

  private connection(): Promise<BrokerConnection> {
    const id = this.leader.leaderId
    if (this.conn && this.conn.id === id) return this.conn.connection
    this.dropConnection()
    const voter = this.opts.controllerAddress(id)
    if (!voter) return Promise.reject(new ProtocolClientError(`No address for controller ${id}`))
    const connection = BrokerConnection.connect({
      host: voter.host, port: voter.port, clientId: this.opts.clientId, security: this.opts.security,
      connectTimeoutMs: this.opts.requestTimeoutMs, requestTimeoutMs: this.opts.requestTimeoutMs,
    })
    connection.catch(() => undefined)
    this.conn = {id, connection}
    return connection
  }

  private dropConnection(): void {
    const c = this.conn
    this.conn = null
    c?.connection.then(conn => conn.close(), () => undefined)
  }
}
