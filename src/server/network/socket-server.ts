/**
 * Listeners (`listeners` config): one TCP server per entry, accepting connections and handing
 * frames to the request dispatcher. PLAINTEXT only for now; SSL/SASL listeners are refused at
 * configuration time.
 */
import net from 'node:net'
import {Connection, type FrameHandler} from './connection.js'
import type {Logger} from '../util/logger.js'

export interface ListenerSpec {
  name: string
  /** Bind host; '' or '0.0.0.0' = all interfaces. */
  host: string
  port: number
}

export class SocketServer {
  private servers: net.Server[] = []
  private connections = new Set<Connection>()
  private nextConnectionId = 0
  /** Actual bound ports by listener name (useful when port 0 was configured). */
  readonly boundPorts = new Map<string, number>()

  constructor(
    private readonly listeners: ListenerSpec[],
    private readonly requestMaxBytes: number,
    private readonly handlerFor: (listenerName: string) => FrameHandler,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for (const l of this.listeners) {
      const handler = this.handlerFor(l.name)
      const server = net.createServer((socket) => {
        const id = `${l.name}-${this.nextConnectionId++}`
        const conn = new Connection(id, socket, l.name, this.requestMaxBytes, handler, this.logger, (c) =>
          this.connections.delete(c),
        )
        this.connections.add(conn)
      })
      const host = l.host === '' ? undefined : l.host
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject)
          server.listen({port: l.port, host}, () => {
            server.off('error', reject)
            resolve()
          })
        })
      } catch (err) {
        // Close the listeners bound so far: the caller never gets a server to stop.
        await this.stop()
        const e = err as NodeJS.ErrnoException
        const reason = e.code === 'EADDRINUSE' ? 'Address already in use' : e.code === 'EACCES' ? 'Permission denied' : e.message
        // Kafka's wording (SocketServer.openServerSocket).
        throw new Error(`Socket server failed to bind to ${host ?? '0.0.0.0'}:${l.port}: ${reason}.`, {cause: err})
      }
      const addr = server.address()
      if (addr && typeof addr === 'object') this.boundPorts.set(l.name, addr.port)
      server.on('error', (err) => this.logger.error(`Listener ${l.name} error`, err))
      this.servers.push(server)
    }
  }

  /** Open connections by listener name, every configured listener present (socket-server-metrics connection-count). */
  connectionCounts(): Map<string, number> {
    const counts = new Map<string, number>(this.listeners.map((l) => [l.name, 0]))
    for (const c of this.connections) counts.set(c.listenerName, (counts.get(c.listenerName) ?? 0) + 1)
    return counts
  }

  /** Stops accepting, closes every connection. */
  async stop(): Promise<void> {
    const closing = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))
    for (const c of this.connections) c.close()
    this.connections.clear()
    await Promise.all(closing)
    this.servers = []
  }
}
