// PerfProducer (kts producer-perf-test's producer) against a scripted Kafka-protocol server on a
// real socket (generated codecs): idempotent sequences, a retried batch keeps its sequence after
// NOT_LEADER_OR_FOLLOWER (and the metadata is fetched again), non-retriable errors fail the batch
// with Kafka's exception text, batches spread over the partitions.
import assert from 'node:assert/strict'
import net from 'node:net'
import {Reader} from '../../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../../src/protocol/primitives/writer.js'
import {readRequestHeader, responseHeaderVersion, writeResponseHeader} from '../../../../src/protocol/header.js'
import {API_CODECS} from '../../../../src/protocol/generated/messages/index.js'
import {decodeRecordBatches} from '../../../../src/protocol/records/records.js'
import {PerfProducer} from '../../../../src/cli/perf/perf-producer.js'
import {resolvePerfProducerSettings} from '../../../../src/cli/perf/producer-config.js'
import type {ProduceRequest} from '../../../../src/protocol/generated/messages/produce.js'

interface Appended {partition: number, baseSequence: number, producerId: number, values: string[]}

/** A broker with one topic `t` of `partitions` partitions; `produceError(partition, attempt)` scripts Produce answers. */
function startFakeBroker(partitions: number, produceError: (partition: number, attempt: number) => number): Promise<{
  port: number, appended: Appended[], metadataRequests: () => number, close: () => Promise<void>
}> {
  const sockets = new Set<net.Socket>()
  const appended: Appended[] = []
  const attempts = new Map<number, number>()
  /** Next sequence per partition of producer 42 (an idempotent producer's batches must follow on). */
  const nextSequence = new Map<number, number>()
  let metadata = 0
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
        const port = (server.address() as net.AddressInfo).port
        let res: unknown
        switch (h.apiKey) {
          case 18: res = {errorCode: 0, apiKeys: [{apiKey: 0, minVersion: 3, maxVersion: 9}, {apiKey: 3, minVersion: 1, maxVersion: 12}, {apiKey: 18, minVersion: 0, maxVersion: 3}, {apiKey: 22, minVersion: 0, maxVersion: 4}]}; break
          case 3:
            metadata++
            res = {brokers: [{nodeId: 1, host: '127.0.0.1', port}], controllerId: 1, clusterId: 'c', topics: [{errorCode: 0, name: 't',
              partitions: Array.from({length: partitions}, (_, i) => ({errorCode: 0, partitionIndex: i, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1]}))}]}
            break
          case 22: res = {errorCode: 0, producerId: 42, producerEpoch: 0}; break
          case 0: {
            const p = req as ProduceRequest
            res = {responses: p.topicData.map((t) => ({name: t.name, partitionResponses: t.partitionData.map((pd) => {
              const n = (attempts.get(pd.index) ?? 0) + 1
              attempts.set(pd.index, n)
              let errorCode = produceError(pd.index, n)
              const batches = decodeRecordBatches(pd.records!)
              const expected = nextSequence.get(pd.index) ?? 0
              if (errorCode === 0 && batches[0].producerId === 42) {
                if (batches[0].baseSequence !== expected) errorCode = 45 // OUT_OF_ORDER_SEQUENCE_NUMBER
                else nextSequence.set(pd.index, expected + batches[0].recordsCount)
              }
              if (errorCode === 0) {
                for (const b of batches) {
                  appended.push({partition: pd.index, baseSequence: b.baseSequence, producerId: b.producerId, values: b.records.map((x) => x.value!.toString())})
                }
              }
              return {index: pd.index, errorCode, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0}
            })}))}
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
    appended,
    metadataRequests: () => metadata,
    close: () => new Promise<void>((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    }),
  })))
}

/** Sends `n` records `r<i>` of 20 bytes; resolves with what the producer reported. */
async function produce(port: number, n: number, props: Record<string, string>): Promise<{acked: number, errors: string[], failed: number, retries: number}> {
  let acked = 0
  let failed = 0
  const errors: string[] = []
  const producer = new PerfProducer(resolvePerfProducerSettings({'bootstrap.servers': `127.0.0.1:${port}`, 'retry.backoff.ms': '10', ...props}), 't', {
    onAcked: (runs) => {
      for (let i = 1; i < runs.length; i += 3) acked += runs[i]
    },
    onError: (message, records) => {
      errors.push(message)
      failed += records
    },
  })
  try {
    await producer.start()
    for (let i = 0; i < n; i++) {
      if (producer.mustWait) await producer.waitForMemory()
      const at = producer.append(Date.now(), 20)
      producer.valueBuffer.write(`r${i}`.padEnd(20, '.'), at, 'latin1')
      if (i % 100 === 0) await new Promise((r) => setImmediate(r))
    }
    await producer.flush()
  } finally {
    producer.close()
  }
  return {acked, errors, failed, retries: producer.metrics.recordRetries}
}

describe('perf tools: PerfProducer (fake broker on a real socket)', function () {
  this.timeout(20_000)

  it('idempotent by default: one producer id, contiguous sequences per partition, every record once, spread over partitions', async () => {
    const broker = await startFakeBroker(3, () => 0)
    try {
      const r = await produce(broker.port, 3000, {'batch.size': '2048'})
      assert.deepEqual([r.acked, r.failed, r.errors], [3000, 0, []])
      const values = broker.appended.flatMap((a) => a.values.map((v) => v.replace(/\.+$/, '')))
      assert.deepEqual(values.sort(), Array.from({length: 3000}, (_, i) => `r${i}`).sort())
      for (let p = 0; p < 3; p++) {
        const batches = broker.appended.filter((a) => a.partition === p)
        assert.ok(batches.length > 0, `partition ${p} got batches`)
        let next = 0
        for (const b of batches) {
          assert.equal(b.producerId, 42)
          assert.equal(b.baseSequence, next)
          next += b.values.length
        }
      }
    } finally {
      await broker.close()
    }
  })

  it('retries NOT_LEADER_OR_FOLLOWER with the same sequences, after fetching the metadata again', async () => {
    // Partition 0's first two Produce attempts fail; the broker then wants the sequences in order.
    const broker = await startFakeBroker(1, (p, attempt) => (attempt <= 2 ? 6 : 0))
    try {
      const r = await produce(broker.port, 2000, {'batch.size': '4096'})
      assert.deepEqual([r.acked, r.failed], [2000, 0])
      assert.ok(r.retries > 0)
      assert.ok(broker.metadataRequests() >= 2, 'metadata fetched again')
      let next = 0
      for (const b of broker.appended) {
        assert.equal(b.baseSequence, next, 'appended in sequence order, no gap, no duplicate')
        next += b.values.length
      }
      assert.equal(next, 2000)
    } finally {
      await broker.close()
    }
  })

  it('fails a batch with Kafka\'s exception text on a non-retriable error (acks=1, no idempotence)', async () => {
    const broker = await startFakeBroker(1, (p, attempt) => (attempt === 1 ? 10 : 0))
    try {
      const r = await produce(broker.port, 500, {acks: '1', 'batch.size': '100000', 'linger.ms': '50'})
      assert.ok(r.failed > 0)
      assert.equal(r.acked + r.failed, 500)
      assert.equal(r.errors[0], 'org.apache.kafka.common.errors.RecordTooLargeException: The request included a message larger than the max message size the server will accept.')
      assert.ok(broker.appended.every((b) => b.producerId === -1 && b.baseSequence === -1))
    } finally {
      await broker.close()
    }
  })
})
