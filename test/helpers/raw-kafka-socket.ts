/**
 * A raw TCP connection to a Kafka-protocol server for tests that send hand-made or malformed bytes:
 * write anything, read size-prefixed response frames, observe the server closing the connection.
 */
import net from 'node:net'
import {Reader} from '../../src/protocol/primitives/reader.js'
import {Writer} from '../../src/protocol/primitives/writer.js'
import {readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader} from '../../src/protocol/header.js'
import {waitFor} from './wait-for.js'

export class RawKafkaSocket {
  private buffered = Buffer.alloc(0)
  private frames: Buffer[] = []
  private closedFlag = false
  private nextCorrelationId = 1

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d])
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0)
        if (this.buffered.length < 4 + size) break
        this.frames.push(this.buffered.subarray(4, 4 + size))
        this.buffered = this.buffered.subarray(4 + size)
      }
    })
    socket.on('close', () => (this.closedFlag = true))
    socket.on('error', () => (this.closedFlag = true))
  }

  /** Connects to `host:port` (rejects after 5 s). */
  static connect(port: number, host = '127.0.0.1'): Promise<RawKafkaSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({port, host})
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`connect to ${host}:${port} timed out`))
      }, 5000)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeListener('error', reject)
        resolve(new RawKafkaSocket(socket))
      })
      socket.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
    })
  }

  /** True once the connection is closed (by either side) or broken. */
  get closed(): boolean {
    return this.closedFlag
  }

  /** Writes raw bytes. */
  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Half-closes our side (FIN) after what was written. */
  end(): void {
    this.socket.end()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** Frames `header + body` with its int32 size and writes it; returns the correlation id used. */
  sendRequest(apiKey: number, apiVersion: number, writeBody: (w: Writer) => void, opts: {correlationId?: number, headerVersion?: number, clientId?: string | null} = {}): number {
    const correlationId = opts.correlationId ?? this.nextCorrelationId++
    const w = new Writer()
    writeRequestHeader(w, {apiKey, apiVersion, correlationId, clientId: opts.clientId === undefined ? 'kts-raw-test' : opts.clientId},
      opts.headerVersion ?? requestHeaderVersion(apiKey, apiVersion))
    writeBody(w)
    const body = w.toBuffer()
    const size = Buffer.alloc(4)
    size.writeInt32BE(body.length)
    this.write(Buffer.concat([size, body]))
    return correlationId
  }

  /** Resolves with the next response frame (without its size prefix); rejects after `timeoutMs` or on close. */
  async nextFrame(timeoutMs = 10_000): Promise<Buffer> {
    await waitFor(() => {
      if (this.frames.length > 0) return true
      if (this.closedFlag) throw new Error('connection closed by the server before a response arrived')
      return false
    }, {timeoutMs, intervalMs: 10, message: 'a response frame'})
    return this.frames.shift()!
  }

  /**
   * Reads the next response and checks its correlation id; returns a Reader at the start of the body.
   * `headerVersion` defaults to the version Kafka uses for (apiKey, apiVersion).
   */
  async readResponse(correlationId: number, apiKey: number, apiVersion: number, headerVersion = responseHeaderVersion(apiKey, apiVersion)): Promise<Reader> {
    const frame = await this.nextFrame()
    const r = new Reader(frame)
    const got = readResponseHeader(r, headerVersion)
    if (got !== correlationId) throw new Error(`response correlation id ${got}, expected ${correlationId}`)
    return r
  }

  /** Resolves when the server has closed the connection; rejects after `timeoutMs`. */
  async waitClosed(timeoutMs = 10_000): Promise<void> {
    await waitFor(() => this.closedFlag, {timeoutMs, intervalMs: 10, message: 'the server to close the connection'})
  }
}
