/**
 * Outbound Raft requests to the voters' controller listeners (Kafka `KafkaNetworkChannel`): one
 * BrokerConnection per voter, opened on first use and reopened after a failure (not before a
 * backoff starting at `controller.quorum.retry.backoff.ms` and doubling up to 1 s). Every send
 * resolves: with the response, or with an error code when none came (NETWORK_EXCEPTION for a
 * connection failure, REQUEST_TIMED_OUT after `controller.quorum.request.timeout.ms`,
 * UNSUPPORTED_VERSION when the voter does not serve the API).
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {ErrorCode} from '../../protocol/errors.js'
import {BrokerConnection} from '../../protocol/client/broker-connection.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {VoteApi} from '../../protocol/generated/messages/vote.js'
import {BeginQuorumEpochApi} from '../../protocol/generated/messages/begin-quorum-epoch.js'
import {EndQuorumEpochApi} from '../../protocol/generated/messages/end-quorum-epoch.js'
import {FetchApi} from '../../protocol/generated/messages/fetch.js'
import {FetchSnapshotApi} from '../../protocol/generated/messages/fetch-snapshot.js'
import {ApiVersionsApi} from '../../protocol/generated/messages/api-versions.js'
import {AddRaftVoterApi} from '../../protocol/generated/messages/add-raft-voter.js'
import {RemoveRaftVoterApi} from '../../protocol/generated/messages/remove-raft-voter.js'
import {UpdateRaftVoterApi} from '../../protocol/generated/messages/update-raft-voter.js'
import {ApiKey, type InboundResponse, type OutboundRequest, type RaftApiKey} from './raft-messages.js'

/** The versions a kts controller sends (the highest both sides serve, capped here). */
const SPECS: Record<RaftApiKey, {spec: ApiSpec, maxVersion: number}> = {
  [ApiKey.VOTE]: {spec: VoteApi, maxVersion: 2},
  [ApiKey.BEGIN_QUORUM_EPOCH]: {spec: BeginQuorumEpochApi, maxVersion: 1},
  [ApiKey.END_QUORUM_EPOCH]: {spec: EndQuorumEpochApi, maxVersion: 1},
  [ApiKey.FETCH]: {spec: FetchApi, maxVersion: 17},
  [ApiKey.FETCH_SNAPSHOT]: {spec: FetchSnapshotApi, maxVersion: 1},
  [ApiKey.API_VERSIONS]: {spec: ApiVersionsApi, maxVersion: 4},
  [ApiKey.ADD_RAFT_VOTER]: {spec: AddRaftVoterApi, maxVersion: 0},
  [ApiKey.REMOVE_RAFT_VOTER]: {spec: RemoveRaftVoterApi, maxVersion: 0},
  [ApiKey.UPDATE_RAFT_VOTER]: {spec: UpdateRaftVoterApi, maxVersion: 0},
}

const MAX_RECONNECT_BACKOFF_MS = 1000

/** A node to connect to: a static voter, or a bootstrap server (ids -2, -3, ...). */
export interface VoterEndpoint {
  id: number
  host: string
  port: number
}

interface Destination {
  endpoint: VoterEndpoint
  conn: BrokerConnection | null
  connecting: Promise<BrokerConnection> | null
  failures: number
  retryAt: number
}

export class RaftNetworkChannel {
  private readonly destinations = new Map<number, Destination>()
  private closed = false

  constructor(voters: readonly VoterEndpoint[], private readonly opts: {clientId: string, requestTimeoutMs: number, retryBackoffMs: number, security?: ClientSecurity}) {
    for (const v of voters) this.destinations.set(v.id, {endpoint: v, conn: null, connecting: null, failures: 0, retryAt: 0})
  }

  /** Sends one request; resolves with its response or an error code, never rejects. */
  async send(req: OutboundRequest): Promise<InboundResponse> {
    const failed = (error: number): InboundResponse => ({source: req.destination, correlationId: req.correlationId, apiKey: req.apiKey, error})
    const d = this.destination(req.destination, req.address ?? null)
    if (!d || this.closed) return failed(ErrorCode.NETWORK_EXCEPTION)
    let conn: BrokerConnection
    try {
      conn = await this.connection(d)
    } catch {
      return failed(ErrorCode.NETWORK_EXCEPTION)
    }
    const {spec, maxVersion} = SPECS[req.apiKey]
    let version: number
    try {
      version = conn.version(spec, maxVersion)
    } catch {
      return failed(ErrorCode.UNSUPPORTED_VERSION)
    }
    try {
      const data = await conn.send(spec, version, req.data)
      return {source: req.destination, correlationId: req.correlationId, apiKey: req.apiKey, data} as InboundResponse
    } catch (err) {
      if (conn.isClosed && d.conn === conn) d.conn = null
      return failed(/Timed out/.test((err as Error).message) ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NETWORK_EXCEPTION)
    }
  }

  /** The destination of `id`, moved to `address` when the core knows it listens elsewhere (voter set, leader endpoints). */
  private destination(id: number, address: {host: string, port: number} | null): Destination | null {
    let d = this.destinations.get(id)
    if (address && (!d || d.endpoint.host !== address.host || d.endpoint.port !== address.port)) {
      d?.conn?.close()
      d = {endpoint: {id, host: address.host, port: address.port}, conn: null, connecting: null, failures: 0, retryAt: 0}
      this.destinations.set(id, d)
    }
    return d ?? null
  }

  private connection(d: Destination): Promise<BrokerConnection> {
    if (d.conn && !d.conn.isClosed) return Promise.resolve(d.conn)
    d.conn = null
    if (d.connecting) return d.connecting
    if (Date.now() < d.retryAt) return Promise.reject(new Error('reconnect backoff'))
    d.connecting = BrokerConnection.connect({
      host: d.endpoint.host, port: d.endpoint.port, clientId: this.opts.clientId, security: this.opts.security,
      connectTimeoutMs: this.opts.requestTimeoutMs, requestTimeoutMs: this.opts.requestTimeoutMs,
    }).then(conn => {
      d.connecting = null
      d.failures = 0
      if (this.closed || this.destinations.get(d.endpoint.id) !== d) {
        conn.close()
        throw new Error('closed')
      }
      d.conn = conn
      return conn
    }, err => {
      d.connecting = null
      d.failures++
      d.retryAt = Date.now() + Math.min(MAX_RECONNECT_BACKOFF_MS, this.opts.retryBackoffMs * 2 ** Math.min(10, d.failures - 1))
      throw err
    })
    return d.connecting
  }

  /** Closes every connection; later sends fail. */
  close(): void {
    this.closed = true
    for (const d of this.destinations.values()) {
      d.conn?.close()
      d.conn = null
    }
  }
}
