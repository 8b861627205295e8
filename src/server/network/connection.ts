/**
 * One client connection: size-prefixed framing (int32 length + payload, Kafka's
 * `NetworkReceive`), `socket.request.max.bytes` enforced, and strictly ordered, one-at-a-time
 * request processing — Kafka's socket server mutes a channel until its in-flight request is
 * answered, which is what gives clients in-order responses per connection.
 *
 * A frame the dispatcher cannot decode closes this connection only (never the broker).
 */
import type {Socket} from 'node:net'
import type {Logger} from '../util/logger.js'
import {ANONYMOUS, type KafkaPrincipal} from '../security/kafka-principal.js'

/** Thrown by the dispatcher when the connection must be closed (Kafka closes on unparsable headers). */
export class CloseConnectionError extends Error {
  override name = 'CloseConnectionError'
}

/** What request handling needs to know about the connection a request came on. */
export interface ConnectionInfo {
  /** Unique id of the connection (fetch sessions and the like key on it). */
  readonly id: string
  readonly listenerName: string
  /** Peer address as Kafka prints it, without the leading `/`, e.g. `127.0.0.1`. */
  readonly clientHost: string
  /** Who is on the other end: `User:ANONYMOUS` until authentication sets it (security/kafka-principal.ts). */
  readonly principal: KafkaPrincipal
}

export interface FrameHandler {
  /**
   * Handles one request frame (without its size prefix). Resolves to the response frame's
   * chunks (size prefix included) or null when no response is due (Produce acks=0).
   */
  handle(frame: Buffer, conn: ConnectionInfo): Promise<Buffer[] | null>
}

export class Connection implements ConnectionInfo {
  private chunks: Buffer[] = []
  private bufferedBytes = 0
  private queue: Buffer[] = []
  private processing = false
  private closed = false
  /** Bytes the current frame needs (size prefix read) or -1 while waiting for a size prefix. */
  private frameSize = -1
  /** Set by authentication (SASL, SSL); `User:ANONYMOUS` on PLAINTEXT. */
  principal: KafkaPrincipal = ANONYMOUS
  /** Largest frame accepted now (`socket.request.max.bytes`; smaller before SASL authentication). */
  maxFrameBytes: number
  /** Set by `closeAfterResponse`: close this long after the current response is written. */
  private closeAfterMs: number | null = null

  constructor(
    readonly id: string,
    readonly socket: Socket,
    readonly listenerName: string,
    private readonly requestMaxBytes: number,
    private readonly handler: FrameHandler,
    private readonly logger: Logger,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.maxFrameBytes = requestMaxBytes
    socket.setNoDelay(true)
    socket.on('data', (d) => this.onData(d))
    socket.on('error', (err) => {
      this.logger.debug(`Connection ${id} error: ${err.message}`)
    })
    socket.on('close', () => {
      this.closed = true
      this.onClose(this)
    })
  }

  get clientHost(): string {
    const a = this.socket.remoteAddress ?? ''
    return a.startsWith('::ffff:') ? a.slice(7) : a
  }

  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Stops reading requests; the response being built is still written, then the connection is
   * closed after `delayMs` (Kafka's `connection.failed.authentication.delay.ms` on failed SASL).
   */
  closeAfterResponse(delayMs: number): void {
    this.closeAfterMs = delayMs
    this.queue.length = 0
    this.socket.pause()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
  }

  private onData(data: Buffer): void {
    if (this.closed || this.closeAfterMs !== null) return
    this.chunks.push(data)
    this.bufferedBytes += data.length
    while (!this.closed) {
      if (this.frameSize < 0) {
        if (this.bufferedBytes < 4) break
        const size = this.peekInt32()
        if (size < 0 || size > this.maxFrameBytes) {
          this.logger.warn(
            `Closing connection ${this.id} from ${this.clientHost}: request size ${size} is larger than ${this.maxFrameBytes === this.requestMaxBytes ? 'socket.request.max.bytes' : 'sasl.server.max.receive.size (before authentication)'} ${this.maxFrameBytes} or invalid`,
          )
          this.close()
          return
        }
        this.consume(4)
        this.frameSize = size
      }
      if (this.bufferedBytes < this.frameSize) break
      const frame = this.consume(this.frameSize)
      this.frameSize = -1
      this.queue.push(frame)
    }
    if (this.queue.length > 0 && !this.processing) void this.processQueue()
    // Back-pressure: stop reading while many requests are queued (Kafka mutes the channel).
    if (this.queue.length > 64) this.socket.pause()
  }

  private peekInt32(): number {
    const first = this.chunks[0]
    if (first.length >= 4) return first.readInt32BE(0)
    const head = Buffer.concat(this.chunks, Math.min(this.bufferedBytes, 16))
    return head.readInt32BE(0)
  }

  /** Removes and returns the next `n` buffered bytes (zero-copy when they sit in one chunk). */
  private consume(n: number): Buffer {
    this.bufferedBytes -= n
    const first = this.chunks[0]
    if (first.length > n) {
      this.chunks[0] = first.subarray(n)
      return first.subarray(0, n)
    }
    if (first.length === n) {
      this.chunks.shift()
      return first
    }
    const out = Buffer.allocUnsafe(n)
    let copied = 0
    while (copied < n) {
      const c = this.chunks[0]
      const take = Math.min(c.length, n - copied)
      c.copy(out, copied, 0, take)
      copied += take
      if (take === c.length) this.chunks.shift()
      else this.chunks[0] = c.subarray(take)
    }
    return out
  }

  private async processQueue(): Promise<void> {
    this.processing = true
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frame = this.queue.shift()!
        let response: Buffer[] | null
        try {
          response = await this.handler.handle(frame, this)
        } catch (err) {
          if (!(err instanceof CloseConnectionError)) {
            this.logger.error(`Unexpected error handling a request on connection ${this.id}; closing it`, err)
          } else {
            this.logger.debug(`Closing connection ${this.id} from ${this.clientHost}: ${err.message}`)
          }
          this.close()
          return
        }
        if (response && !this.closed) {
          this.socket.cork()
          for (const c of response) this.socket.write(c)
          this.socket.uncork()
        }
        if (this.closeAfterMs !== null) {
          const t = setTimeout(() => this.close(), this.closeAfterMs)
          t.unref()
          return
        }
        if (this.queue.length <= 16 && this.socket.isPaused()) this.socket.resume()
      }
    } finally {
      this.processing = false
    }
  }
}
