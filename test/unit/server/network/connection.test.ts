/**
 * Connection: one request at a time, responses in request order; a Produce that only waits for its
 * writes (allowPipelining) lets the next Produce be processed, nothing else (real sockets).
 */
import {strict as assert} from 'node:assert'
import net from 'node:net'
import {Connection, type ConnectionInfo, type FrameHandler} from '../../../../src/server/network/connection.js'
import type {Logger} from '../../../../src/server/util/logger.js'
import {waitFor} from '../../../helpers/wait-for.js'

const logger: Logger = {trace() {}, debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false}

/** A request frame: size, api key, correlation id (enough for this handler). */
function frame(apiKey: number, correlationId: number): Buffer {
  const b = Buffer.alloc(10)
  b.writeInt32BE(6, 0)
  b.writeInt16BE(apiKey, 4)
  b.writeInt32BE(correlationId, 6)
  return b
}

/** Handles frames by hand: each call waits until the test resolves it. */
class ManualHandler implements FrameHandler {
  readonly started: number[] = []
  private readonly resolvers = new Map<number, () => void>()
  constructor(private readonly pipelineProduce: boolean) {}
  handle(f: Buffer, conn: ConnectionInfo): Promise<Buffer[] | null> {
    const apiKey = f.readInt16BE(0)
    const correlationId = f.readInt32BE(2)
    this.started.push(correlationId)
    if (apiKey === 0 && this.pipelineProduce) conn.allowPipelining?.()
    return new Promise(resolve => {
      this.resolvers.set(correlationId, () => {
        const out = Buffer.alloc(8)
        out.writeInt32BE(4, 0)
        out.writeInt32BE(correlationId, 4)
        resolve([out])
      })
    })
  }
  resolve(correlationId: number): void { this.resolvers.get(correlationId)!() }
}

describe('Connection request ordering and Produce pipelining', function () {
  this.timeout(10_000)
  let server: net.Server
  let client: net.Socket
  const received: number[] = []

  async function connect(handler: FrameHandler): Promise<void> {
    received.length = 0
    server = net.createServer(socket => { new Connection('c1', socket, 'PLAINTEXT', 1 << 20, handler, logger, () => {}) })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as net.AddressInfo).port
    client = net.connect(port, '127.0.0.1')
    let buffered = Buffer.alloc(0)
    client.on('data', d => {
      buffered = Buffer.concat([buffered, d])
      while (buffered.length >= 8) { received.push(buffered.readInt32BE(4)); buffered = buffered.subarray(8) }
    })
    await new Promise<void>(resolve => client.once('connect', () => resolve()))
  }
  afterEach(async () => {
    client?.destroy()
    await new Promise<void>(resolve => server.close(() => resolve()))
  })

  it('processes the next Produce while earlier ones wait for their writes, answers in request order, holds other requests back', async () => {
    const h = new ManualHandler(true)
    await connect(h)
    client.write(Buffer.concat([frame(0, 1), frame(0, 2), frame(3, 3), frame(0, 4)]))
    await waitFor(() => h.started.length === 2)
    h.resolve(2)                      // the second answers first ...
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.deepEqual(received, [], '... but is not written before the first')
    assert.deepEqual(h.started, [1, 2], 'a Metadata request waits for the Produce responses before it')
    h.resolve(1)
    await waitFor(() => received.length === 2)
    assert.deepEqual(received, [1, 2])
    await waitFor(() => h.started.length === 3)
    assert.deepEqual(h.started, [1, 2, 3], 'the Produce after the Metadata request waits for its response')
    h.resolve(3)
    await waitFor(() => h.started.length === 4)
    h.resolve(4)
    await waitFor(() => received.length === 4)
    assert.deepEqual(received, [1, 2, 3, 4])
  })

  it('handles one request at a time when the handler does not allow pipelining', async () => {
    const h = new ManualHandler(false)
    await connect(h)
    client.write(Buffer.concat([frame(0, 1), frame(0, 2)]))
    await waitFor(() => h.started.length === 1)
    await new Promise(resolve => setTimeout(resolve, 50))
    assert.deepEqual(h.started, [1])
    h.resolve(1)
    await waitFor(() => h.started.length === 2)
    h.resolve(2)
    await waitFor(() => received.length === 2)
    assert.deepEqual(received, [1, 2])
  })
})
