/**
 * Requests from this broker to other brokers on `inter.broker.listener.name` (Kafka's
 * `InterBrokerSendThread` / `NetworkClient` of the transaction marker channel and the KIP-890
 * verification): one pipelined connection per broker, opened on first use, dropped on failure.
 */
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {BrokerConnection, ProtocolClientError} from '../../protocol/client/broker-connection.js'

export interface InterBrokerClientOptions {
  /** The broker's address on the inter-broker listener, null when unknown or not registered. */
  address(brokerId: number): {host: string, port: number} | null
  clientId: string
  /** request.timeout.ms of these requests */
  requestTimeoutMs: number
}

export class InterBrokerClient {
  private readonly conns = new Map<number, Promise<BrokerConnection>>()
  private closed = false

  constructor(private readonly opts: InterBrokerClientOptions) {}

  /**
   * Sends one request at the highest version both sides serve, capped at `cap`.
   * @throws ProtocolClientError (unreachable broker, timeout, closed)
   */
  async call<T>(brokerId: number, spec: ApiSpec, cap: number, body: (version: number) => object): Promise<T> {
    const c = await this.connection(brokerId)
    try {
      const version = c.version(spec, cap)
      return await c.send(spec, version, body(version)) as T
    } catch (err) {
      this.drop(brokerId)
      throw err instanceof ProtocolClientError ? err : new ProtocolClientError((err as Error).message, {cause: err})
    }
  }

  close(): void {
    this.closed = true
    for (const id of [...this.conns.keys()]) this.drop(id)
  }

  private connection(brokerId: number): Promise<BrokerConnection> {
    if (this.closed) return Promise.reject(new ProtocolClientError('The inter-broker client is closed'))
    const existing = this.conns.get(brokerId)
    if (existing) return existing
    const address = this.opts.address(brokerId)
    if (!address) return Promise.reject(new ProtocolClientError(`No inter-broker endpoint is known for broker ${brokerId}`))
    const conn = BrokerConnection.connect({
      host: address.host, port: address.port, clientId: this.opts.clientId,
      connectTimeoutMs: this.opts.requestTimeoutMs, requestTimeoutMs: this.opts.requestTimeoutMs,
    })
    this.conns.set(brokerId, conn)
    conn.then(c => {
      if (c.isClosed && this.conns.get(brokerId) === conn) this.conns.delete(brokerId)
    }, () => {
      if (this.conns.get(brokerId) === conn) this.conns.delete(brokerId)
    })
    return conn
  }

  private drop(brokerId: number): void {
    const c = this.conns.get(brokerId)
    this.conns.delete(brokerId)
    c?.then(conn => conn.close(), () => undefined)
  }
}
