/**
 * Connections of `kts consumer-groups` to a cluster over our protocol client
 * (`src/cli/admin/protocol-client.ts`): a bootstrap connection, Metadata (brokers, partition
 * leaders), one connection per broker, and group coordinators found with FindCoordinator
 * (v0-3 single key, v4+ batched, KIP-699).
 *
 * Every admin call runs under `call(name, fn)`, Kafka's `--timeout` semantics (admin
 * `timeoutMs`): retriable failures (no connection, COORDINATOR_LOAD_IN_PROGRESS,
 * COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, leader moves) are retried with a short backoff until
 * the deadline; then the call fails with Kafka's message, e.g.
 * `org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeConsumerGroups`.
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {FindCoordinatorApi, type FindCoordinatorResponse} from '../../protocol/generated/messages/find-coordinator.js'
import {ErrorCode} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid-text.js'
import {GroupCommandError, GroupKafkaError} from './group-errors.js'
import type {Coordinator} from './group-model.js'

/** Options of a `ClusterClient`. Times in ms. */
export interface ClusterClientOptions {
  /** `host:port` entries of `--bootstrap-server`. */
  bootstrapServers: string[]
  clientId: string
  /** security.protocol SSL. */
  tls?: boolean
  /** TLS/SASL settings (wins over `tls`). */
  security?: ClientSecurity
  /** `--timeout`: deadline of each call, and the connect/request timeout of each connection. */
  timeoutMs: number
}

/** A failure worth retrying within the call's deadline (`invalidate` drops cached routing first). */
export class RetriableError extends Error {
  constructor(readonly reason: Error, readonly invalidate?: () => void) {
    super(reason.message)
    this.name = 'RetriableError'
  }
}

/** Broker error codes a call retries until its deadline. */
export const RETRIABLE_CODES: ReadonlySet<number> = new Set([
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR,
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.REQUEST_TIMED_OUT,
])

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class ClusterClient {
  private bootstrap: Promise<BrokerConnection> | null = null
  private readonly nodes = new Map<number, Promise<BrokerConnection>>()
  private readonly brokers = new Map<number, {host: string, port: number}>()
  private readonly coordinators = new Map<string, Coordinator>()
  private closed = false

  constructor(private readonly opts: ClusterClientOptions) {}

  /**
   * Runs `fn`, retrying `RetriableError`s and connection failures until `--timeout` has passed.
   * @throws GroupCommandError (`TimeoutException: Timed out waiting for a node assignment. Call: <name>` when no broker answered).
   */
  async call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.opts.timeoutMs
    let backoff = 50
    for (;;) {
      try {
        return await fn()
      } catch (err) {
        let cause: unknown = err
        if (err instanceof RetriableError) {
          err.invalidate?.()
          cause = err.reason
        } else if (err instanceof ProtocolClientError) {
          this.dropConnections()
        } else {
          throw err
        }
        if (this.closed || Date.now() + backoff >= deadline) {
          if (cause instanceof ProtocolClientError) {
            throw new GroupCommandError(`org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: ${name}`, {cause})
          }
          throw cause
        }
        await delay(backoff)
        backoff = Math.min(backoff * 2, 500)
      }
    }
  }

  /** Closes every connection. */
  close(): void {
    this.closed = true
    this.dropConnections()
  }

  /** Closes every connection; later calls reconnect (after a connection failure). */
  dropConnections(): void {
    for (const c of [this.bootstrap, ...this.nodes.values()]) c?.then((conn) => conn.close(), () => undefined)
    this.bootstrap = null
    this.nodes.clear()
  }

  private connect(host: string, port: number): Promise<BrokerConnection> {
    return BrokerConnection.connect({
      host, port, clientId: this.opts.clientId, tls: this.opts.tls, security: this.opts.security,
      connectTimeoutMs: this.opts.timeoutMs, requestTimeoutMs: this.opts.timeoutMs,
    })
  }

  /** A connection to the first reachable bootstrap server. @throws ProtocolClientError when none answers. */
  bootstrapConnection(): Promise<BrokerConnection> {
    if (this.bootstrap === null) {
      const attempt = (async () => {
        let last: unknown
        for (const s of this.opts.bootstrapServers) {
          const i = s.lastIndexOf(':')
          try {
            return await this.connect(s.slice(0, i), Number(s.slice(i + 1)))
          } catch (err) {
            last = err
          }
        }
        throw last instanceof Error ? last : new ProtocolClientError('No bootstrap server could be reached')
      })()
      attempt.catch(() => {
        if (this.bootstrap === attempt) this.bootstrap = null
      })
      this.bootstrap = attempt
    }
    return this.bootstrap
  }

  /** Metadata v≤12 for `topics` (null = all), without auto-creation; remembers the brokers. */
  async metadata(topics: string[] | null): Promise<MetadataResponse> {
    const conn = await this.bootstrapConnection()
    const version = conn.version(MetadataApi, 12)
    const res = await conn.send(MetadataApi, version, {
      topics: topics === null ? null : topics.map((name) => ({name, topicId: ZERO_UUID})),
      allowAutoTopicCreation: false,
    }) as MetadataResponse
    for (const b of res.brokers) this.brokers.set(b.nodeId, {host: b.host, port: b.port})
    return res
  }

  /** Ids of the live brokers (from a fresh Metadata). */
  async brokerIds(): Promise<number[]> {
    const res = await this.metadata([])
    return res.brokers.map((b) => b.nodeId)
  }

  /** A connection to broker `nodeId` (known from Metadata or FindCoordinator). */
  async node(nodeId: number): Promise<BrokerConnection> {
    let c = this.nodes.get(nodeId)
    if (c === undefined) {
      if (!this.brokers.has(nodeId)) await this.metadata([])
      const b = this.brokers.get(nodeId)
      if (b === undefined) throw new RetriableError(new ProtocolClientError(`Unknown broker ${nodeId}`))
      const attempt = this.connect(b.host, b.port)
      attempt.catch(() => {
        if (this.nodes.get(nodeId) === attempt) this.nodes.delete(nodeId)
      })
      this.nodes.set(nodeId, attempt)
      c = attempt
    }
    return c
  }

  /**
   * The coordinator of `groupId` (cached until `invalidateCoordinator`).
   * @throws RetriableError while the coordinator is not available; GroupKafkaError for other errors.
   */
  async coordinator(groupId: string): Promise<Coordinator> {
    const cached = this.coordinators.get(groupId)
    if (cached !== undefined) return cached
    const conn = await this.bootstrapConnection()
    const version = conn.version(FindCoordinatorApi, 4)
    const res = await conn.send(FindCoordinatorApi, version, version >= 4
      ? {keyType: 0, coordinatorKeys: [groupId]}
      : {key: groupId, keyType: 0}) as FindCoordinatorResponse
    const answer = version >= 4
      ? res.coordinators[0] ?? {nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null}
      : res
    if (answer.errorCode !== ErrorCode.NONE) {
      const err = new GroupKafkaError(answer.errorCode, answer.errorMessage)
      if (RETRIABLE_CODES.has(answer.errorCode)) throw new RetriableError(err)
      throw err
    }
    const coordinator = {nodeId: answer.nodeId, host: answer.host, port: answer.port}
    this.brokers.set(coordinator.nodeId, {host: coordinator.host, port: coordinator.port})
    this.coordinators.set(groupId, coordinator)
    return coordinator
  }

  /** Forgets the cached coordinator of `groupId` (after NOT_COORDINATOR and the like). */
  invalidateCoordinator(groupId: string): void {
    this.coordinators.delete(groupId)
  }

  /** The coordinator of `groupId` and a connection to it. */
  async coordinatorConnection(groupId: string): Promise<{coordinator: Coordinator, conn: BrokerConnection}> {
    const coordinator = await this.coordinator(groupId)
    return {coordinator, conn: await this.node(coordinator.nodeId)}
  }

  /**
   * Throws a `RetriableError` (invalidating the group's coordinator) for retriable codes, a
   * `GroupKafkaError` for other non-zero codes.
   */
  checkGroupError(groupId: string, code: number, message?: string | null): void {
    if (code === ErrorCode.NONE) return
    const err = new GroupKafkaError(code, message)
    if (RETRIABLE_CODES.has(code)) throw new RetriableError(err, () => this.invalidateCoordinator(groupId))
    throw err
  }
}
