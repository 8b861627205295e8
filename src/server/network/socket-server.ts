/**
 * Listeners (`listeners` config): one TCP or TLS server per entry, accepting connections and
 * handing frames to the request dispatcher — through a per-connection SASL authenticator on
 * SASL_PLAINTEXT / SASL_SSL listeners (security/sasl-server-authenticator.ts). On SSL listeners the
 * principal is the client certificate's DN mapped by `ssl.principal.mapping.rules`
 * (`User:ANONYMOUS` without a client certificate). A failed TLS handshake (plaintext bytes, an
 * untrusted client certificate) closes that connection only.
 */
import net from 'node:net'
import tls from 'node:tls'
import {Connection, type FrameHandler} from './connection.js'
import type {Logger} from '../util/logger.js'
import type {ListenerSecurity} from '../security/listener-security.js'
import {SaslServerAuthenticator} from '../security/sasl-server-authenticator.js'
import type {ScramCredentialLookup} from '../security/scram-server.js'
import {rfc2253Name} from '../security/principal-mapping-rules.js'
import {userPrincipal} from '../security/kafka-principal.js'

export interface ListenerSpec {
  name: string
  /** Bind host; '' or '0.0.0.0' = all interfaces. */
  host: string
  port: number
  /** TLS / SASL settings; PLAINTEXT when absent. */
  security?: ListenerSecurity
}

/** SCRAM credentials for SASL listeners (from the metadata image). */
const NO_SCRAM: ScramCredentialLookup = () => undefined

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
    private readonly scramCredentials: ScramCredentialLookup = NO_SCRAM,
  ) {}

  private accept(l: ListenerSpec, handler: FrameHandler, socket: net.Socket): void {
    const id = `${l.name}-${this.nextConnectionId++}`
    const sasl = l.security?.sasl
    let authenticator: SaslServerAuthenticator | null = null
    const connHandler: FrameHandler = sasl === undefined ? handler : {handle: (f, c) => authenticator!.handle(f, c)}
    const conn = new Connection(id, socket, l.name, this.requestMaxBytes, connHandler, this.logger, (c) => this.connections.delete(c))
    if (sasl) authenticator = new SaslServerAuthenticator(conn, sasl, this.scramCredentials, handler, this.logger, this.requestMaxBytes)
    else if (socket instanceof tls.TLSSocket && l.security) {
      const cert = socket.getPeerX509Certificate()
      if (cert) {
        try {
          conn.principal = userPrincipal(l.security.principalMappingRules.apply(rfc2253Name(cert.subject)))
        } catch (err) {
          this.logger.info(`Failed authentication with ${conn.clientHost} (channelId=${id}) (${(err as Error).message})`)
          conn.close()
          return
        }
      }
    }
    this.connections.add(conn)
  }

  async start(): Promise<void> {
    for (const l of this.listeners) {
      const handler = this.handlerFor(l.name)
      const tlsOptions = l.security?.tls
      let server: net.Server
      if (tlsOptions) {
        const requested = tlsOptions.requestCert === true && tlsOptions.rejectUnauthorized === false
        server = tls.createServer(tlsOptions, (socket) => {
          // ssl.client.auth=requested: a certificate is optional, but one that does not verify fails.
          if (requested && !socket.authorized && socket.getPeerX509Certificate() !== undefined) {
            this.logger.info(`Failed authentication with ${socket.remoteAddress} (SSL handshake failed: ${String(socket.authorizationError)})`)
            socket.destroy()
            return
          }
          this.accept(l, handler, socket)
        })
        server.on('tlsClientError', (err, socket) => {
          this.logger.info(`Failed authentication with ${socket.remoteAddress ?? '?'} (SSL handshake failed: ${err.message})`)
          socket.destroy()
        })
      } else {
        server = net.createServer((socket) => this.accept(l, handler, socket))
      }
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
