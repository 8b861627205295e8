/**
 * One client connection: size-prefixed framing (int32 length + payload, Kafka's
 * `NetworkReceive`), `socket.request.max.bytes` enforced, and strictly ordered, one-at-a-time
 * request processing — Kafka's socket server mutes a channel until its in-flight request is
 * answered, which is what gives clients in-order responses per connection.
 *
 * One exception keeps the broker as fast as Kafka's where kts writes behind: a Produce whose
 * appends are done and that only waits for them to reach the log files (acks=1; the handler says
 * so with `allowPipelining()` while it runs) lets the next Produce of the connection be processed
 * at once — in Kafka that append is a page-cache write done before the response. Any other request
 * waits until every response before it is written; responses always go out in request order.
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
  /**
   * Called by a Produce handler while it runs (synchronously, before its first await) when the
   * request is processed and only waits for its writes: the next Produce may be processed before
   * this one is answered. Ignored at any other time.
   */
  allowPipelining?(): void
}

/** Produce's API key: the only request processed while earlier ones of the connection wait for their writes. */
const PRODUCE_API_KEY = 0
/** Most responses a connection keeps waiting for before it processes no more requests. */
const MAX_PIPELINED = 64
/** Processing queued requests for longer than this (ms) yields to the event loop before the next one. */
const TURN_BUDGET_MS = 1

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
  /** True while the handler runs synchronously for a frame (when `allowPipelining` counts). */
  private inHandle = false
  private pipelineAllowed = false
  /** Responses not yet written, in request order (each resolves once written). */
  private pending: Promise<void> = Promise.resolve()
  private pendingCount = 0

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

  allowPipelining(): void {
    if (this.inHandle) this.pipelineAllowed = true
  }

  /** Writes `response` after every response before it; a failed request closes the connection. */
  private respondInOrder(response: Promise<Buffer[] | null>): Promise<void> {
    this.pendingCount++
    this.pending = this.pending.then(async () => {
      try {
        const chunks = await response
        if (chunks && !this.closed) {
          this.socket.cork()
          for (const c of chunks) this.socket.write(c)
          this.socket.uncork()
        }
      } catch (err) {
        if (!this.closed) {
          if (!(err instanceof CloseConnectionError)) {
            this.logger.error(`Unexpected error handling a request on connection ${this.id}; closing it`, err)
          } else {
            this.logger.debug(`Closing connection ${this.id} from ${this.clientHost}: ${err.message}`)
          }
        }
        this.close()
      } finally {
        this.pendingCount--
      }
    })
    return this.pending
  }

  private async processQueue(): Promise<void> {
    this.processing = true
    let turnStart = performance.now()
    try {
      while (this.queue.length > 0 && !this.closed) {
        // queued requests (pipelined ones complete in microtasks) would otherwise hold the loop for all of them
        if (performance.now() - turnStart > TURN_BUDGET_MS) {
          await new Promise<void>(resolve => setImmediate(resolve))
          turnStart = performance.now()
          if (this.closed) return
        }
        const frame = this.queue.shift()!
        const isProduce = frame.length >= 2 && frame.readInt16BE(0) === PRODUCE_API_KEY
        // anything but a Produce is processed once every earlier response is written (as Kafka)
        if (this.pendingCount > 0 && (!isProduce || this.pendingCount >= MAX_PIPELINED)) await this.pending
        if (this.closed) return
        this.inHandle = true
        this.pipelineAllowed = false
        let response: Promise<Buffer[] | null>
        try {
          response = this.handler.handle(frame, this)
        } catch (err) {
          response = Promise.reject(err)
        } finally {
          this.inHandle = false
        }
        const written = this.respondInOrder(response)
        if (this.pipelineAllowed && isProduce && this.closeAfterMs === null) {
          if (this.queue.length <= 16 && this.socket.isPaused()) this.socket.resume()
          continue
        }
        await written
        if (this.closed) return
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
