// SimpleConsumer against a scripted Kafka-protocol server on a real socket (generated codecs):
// start positions, control batches, read_committed dropping an aborted transaction.
import assert from 'node:assert/strict'
import net from 'node:net'
import {Reader} from '../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../src/protocol/primitives/writer.js'
import {readRequestHeader, responseHeaderVersion, writeResponseHeader} from '../../../src/protocol/header.js'
import {API_CODECS} from '../../../src/protocol/generated/messages/index.js'
import {encodeRecordBatch, encodeEndTxnMarkerBatch} from '../../../src/protocol/records/records.js'
import {SimpleConsumer} from '../../../src/cli/console/simple-consumer.js'
import type {ConsumedRecord} from '../../../src/cli/console/message-formatter.js'

const rec = (v: string) => ({key: null, value: Buffer.from(v), timestamp: 1_700_000_000_000})
/** Offsets 0-1 plain; 2-3 aborted transaction of producer 7; 4 its ABORT marker; 5 plain. */
const LOG = Buffer.concat([
  encodeRecordBatch({baseOffset: 0, records: [rec('a'), rec('b')]}),
  encodeRecordBatch({baseOffset: 2, isTransactional: true, producerId: 7, producerEpoch: 0, baseSequence: 0, records: [rec('t1'), rec('t2')]}),
  encodeEndTxnMarkerBatch({baseOffset: 4, producerId: 7, producerEpoch: 0, coordinatorEpoch: 0, commit: false}),
  encodeRecordBatch({baseOffset: 5, records: [rec('c')]}),
])
const LEO = 6

function startFakeBroker(): Promise<{port: number, close: () => Promise<void>}> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    let buf = Buffer.alloc(0)
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0))
        buf = buf.subarray(4 + frame.length)
        const r = new Reader(frame)
        const h = readRequestHeader(r)
        const codec = API_CODECS.get(h.apiKey)!
        const req = codec.readRequest(r, h.apiVersion)
        let res: unknown
        const port = (server.address() as net.AddressInfo).port
        switch (h.apiKey) {
          case 18: res = {errorCode: 0, apiKeys: [{apiKey: 1, minVersion: 4, maxVersion: 12}, {apiKey: 2, minVersion: 1, maxVersion: 7}, {apiKey: 3, minVersion: 1, maxVersion: 12}, {apiKey: 18, minVersion: 0, maxVersion: 3}]}; break
          case 3: res = {brokers: [{nodeId: 1, host: '127.0.0.1', port}], controllerId: 1, clusterId: 'c',
            topics: [{errorCode: 0, name: 't', partitions: [{errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1]}]}]}; break
          case 2: res = {topics: req.topics.map((t: any) => ({name: t.name, partitions: t.partitions.map((p: any) => ({partitionIndex: p.partitionIndex, errorCode: 0, offset: p.timestamp === -2 ? 0 : LEO, timestamp: -1}))}))}; break
          case 1: {
            const p = req.topics[0].partitions[0]
            // serve whole batches from the first one containing fetchOffset (as a broker does)
            const starts = [0, 2, 4, 5]
            let records = Buffer.alloc(0)
            if (p.fetchOffset < LEO) {
              let pos = 0
              for (let i = 0; i < starts.length; i++) {
                const size = LOG.readInt32BE(pos + 8) + 12
                if (starts[i + 1] === undefined || starts[i + 1] > p.fetchOffset) {
                  records = LOG.subarray(pos)
                  break
                }
                pos += size
              }
            }
            res = {responses: [{topic: 't', partitions: [{partitionIndex: 0, errorCode: 0, highWatermark: LEO, lastStableOffset: LEO, logStartOffset: 0,
              abortedTransactions: req.isolationLevel === 1 ? [{producerId: 7, firstOffset: 2}] : null, records}]}]}
            break
          }
          default: throw new Error(`unexpected api ${h.apiKey}`)
        }
        const w = new Writer(256)
        w.writeInt32(0)
        writeResponseHeader(w, h.correlationId, responseHeaderVersion(h.apiKey, h.apiVersion))
        codec.writeResponse(w, res, h.apiVersion)
        const out = w.toBuffer()
        out.writeInt32BE(out.length - 4, 0)
        s.write(out)
      }
    })
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    }),
  })))
}

async function consume(port: number, opts: {start: 'earliest' | 'latest' | number, isolationLevel: 0 | 1}, want: number): Promise<ConsumedRecord[]> {
  const got: ConsumedRecord[] = []
  const c = new SimpleConsumer({bootstrapServers: [`127.0.0.1:${port}`], clientId: 'test', topic: 't', resetPolicy: 'earliest', maxWaitMs: 10, ...opts})
  const timer = setTimeout(() => c.stop(), 5000)
  await c.run((records) => {
    got.push(...records)
    return got.length < want
  })
  clearTimeout(timer)
  return got
}

describe('console-consumer SimpleConsumer (fake broker on a real socket)', function () {
  this.timeout(20_000)
  let broker: Awaited<ReturnType<typeof startFakeBroker>>
  before(async () => (broker = await startFakeBroker()))
  after(async () => broker.close())

  it('read_uncommitted returns every data record from the start, never control records', async () => {
    const got = await consume(broker.port, {start: 'earliest', isolationLevel: 0}, 5)
    assert.deepEqual(got.map((r) => [r.offset, r.value!.toString()]), [[0, 'a'], [1, 'b'], [2, 't1'], [3, 't2'], [5, 'c']])
    assert.equal(got[0].timestampType, 0)
    assert.equal(got[0].timestamp, 1_700_000_000_000)
  })

  it('read_committed drops the aborted transaction', async () => {
    const got = await consume(broker.port, {start: 'earliest', isolationLevel: 1}, 3)
    assert.deepEqual(got.map((r) => r.value!.toString()), ['a', 'b', 'c'])
  })

  it('an exact start offset inside a batch skips the earlier records', async () => {
    const got = await consume(broker.port, {start: 1, isolationLevel: 0}, 4)
    assert.deepEqual(got.map((r) => r.offset), [1, 2, 3, 5])
  })
})
