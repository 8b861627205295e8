/**
 * Malformed input over a raw socket against a real `kts server start` process. After each case a
 * real kafkajs client must still produce and consume (the broker neither crashed nor stalled).
 *
 * Expected behaviour follows Apache Kafka's SocketServer/RequestContext: a frame size above
 * `socket.request.max.bytes` (or negative) and an unparsable request header (unknown API key)
 * close that connection only; an ApiVersions request of an unsupported version gets a v0
 * ApiVersionsResponse with UNSUPPORTED_VERSION (35) and ApiVersions' own version range (KIP-511),
 * the connection staying open; a record batch with a wrong CRC is rejected with CORRUPT_MESSAGE (2)
 * for its partition (LogValidator), nothing appended.
 */
import assert from 'node:assert/strict'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {RawKafkaSocket} from '../helpers/raw-kafka-socket.js'
import {waitFor} from '../helpers/wait-for.js'
import {handMadeRecordBatch as recordBatch} from '../helpers/hand-made-batch.js'
import {readApiVersionsResponse, writeApiVersionsRequest} from '../../src/protocol/generated/messages/api-versions.js'
import {readProduceResponse, writeProduceRequest} from '../../src/protocol/generated/messages/produce.js'
import {createTopic, kafkajsClient, printBrokerOutputOnFailure, uniqueTopic} from './interop-check.js'

const API_VERSIONS = 18
const PRODUCE = 0
const SOCKET_REQUEST_MAX_BYTES = 104_857_600 // Kafka's default, not overridden by startBroker()

describe('interop: bad input over a raw socket', function () {
  this.timeout(120_000)
  let broker: BrokerHandle | undefined
  let topic = ''
  let round = 0

  /** A kafkajs producer and a fresh consumer group still work: produce one record, read it back. */
  async function assertKafkajsWorks(): Promise<void> {
    const b = broker!
    const value = `still-alive-${++round}`
    const kafka = kafkajsClient(b.bootstrap)
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic, acks: -1, messages: [{partition: 0, key: 'k', value}]})
    await producer.disconnect()
    const consumer = kafka.consumer({groupId: uniqueTopic('bad-input'), maxWaitTimeInMs: 200})
    const seen: string[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({topic, fromBeginning: true})
      await consumer.run({eachMessage: async ({message}) => void seen.push(message.value?.toString() ?? '')})
      await waitFor(() => seen.includes(value), {timeoutMs: 30_000, message: `kafkajs to read back ${value}`})
    } finally {
      await consumer.disconnect()
    }
  }

  before(async function () {
    broker = await startBroker()
    if (broker.external) this.skip() // Kafka's exact reactions are asserted: only for our own broker
    topic = uniqueTopic('bad-input')
    await createTopic(broker, topic, 1)
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('closes the connection on garbage (an HTTP request: size prefix "GET " is far above the limit)', async () => {
    const s = await RawKafkaSocket.connect(broker!.port)
    s.write(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n'))
    await s.waitClosed()
    await assertKafkajsWorks()
  })

  it('waits on a truncated frame without blocking others, and closes when the client goes away', async () => {
    const s = await RawKafkaSocket.connect(broker!.port)
    const partial = Buffer.alloc(14)
    partial.writeInt32BE(100, 0) // announces 100 bytes, sends 10
    partial.writeInt16BE(API_VERSIONS, 4)
    s.write(partial)
    await assertKafkajsWorks() // a half-received request on one connection blocks nobody
    assert.equal(s.closed, false, 'connection closed while the frame was still incomplete')
    s.end()
    await s.waitClosed()
    await assertKafkajsWorks()
  })

  it('closes the connection on a frame size above socket.request.max.bytes or negative (size only)', async () => {
    for (const size of [SOCKET_REQUEST_MAX_BYTES + 1, 0x7fffffff, -1]) {
      const s = await RawKafkaSocket.connect(broker!.port)
      const b = Buffer.alloc(4)
      b.writeInt32BE(size)
      s.write(b)
      await s.waitClosed(10_000).catch((err: Error) => {
        throw new Error(`size ${size}: ${err.message}`)
      })
    }
    await assertKafkajsWorks()
  })

  it('closes the connection on an unknown API key (no response)', async () => {
    const s = await RawKafkaSocket.connect(broker!.port)
    s.sendRequest(9999, 0, (w) => w.writeInt32(0), {headerVersion: 1})
    await s.waitClosed()
    await assertKafkajsWorks()
  })

  it('answers ApiVersions of an unsupported version with a v0 UNSUPPORTED_VERSION response and its own range', async () => {
    const s = await RawKafkaSocket.connect(broker!.port)
    const corr = s.sendRequest(API_VERSIONS, 127, (w) => writeApiVersionsRequest(w, {clientSoftwareName: 'kts-test', clientSoftwareVersion: '1.0'}, 4))
    const res = readApiVersionsResponse(await s.readResponse(corr, API_VERSIONS, 127, 0), 0)
    assert.equal(res.errorCode, 35, 'UNSUPPORTED_VERSION')
    const av = res.apiKeys.find((k) => k.apiKey === API_VERSIONS)
    assert.ok(av, `ApiVersions range missing from ${JSON.stringify(res.apiKeys)}`)
    assert.equal(av.minVersion, 0)
    assert.ok(av.maxVersion >= 3 && av.maxVersion < 127, `ApiVersions max version ${av.maxVersion}`)

    // the connection stays usable: a client retries with a version it now knows the broker has
    const corr0 = s.sendRequest(API_VERSIONS, 0, () => undefined)
    const ok = readApiVersionsResponse(await s.readResponse(corr0, API_VERSIONS, 0, 0), 0)
    assert.equal(ok.errorCode, 0)
    assert.ok(ok.apiKeys.some((k) => k.apiKey === PRODUCE), 'Produce in the ApiVersions v0 answer')
    s.destroy()
    await assertKafkajsWorks()
  })

  it('rejects a record batch with a corrupt CRC with CORRUPT_MESSAGE for that partition and appends nothing', async () => {
    const kafka = kafkajsClient(broker!.bootstrap)
    const admin = kafka.admin()
    await admin.connect()
    const lastOffset = async (): Promise<number> => Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high)
    try {
      const s = await RawKafkaSocket.connect(broker!.port)
      const produce = async (records: Buffer, version: number): Promise<{errorCode: number, baseOffset: number}> => {
        const corr = s.sendRequest(PRODUCE, version, (w) => writeProduceRequest(w, {
          transactionalId: null, acks: -1, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: 0, records}]}],
        }, version))
        const res = readProduceResponse(await s.readResponse(corr, PRODUCE, version), version)
        const p = res.responses.find((t) => t.name === topic)?.partitionResponses.find((x) => x.index === 0)
        assert.ok(p, `no answer for ${topic}-0 in ${JSON.stringify(res)}`)
        return p
      }
      // control: the same hand-made batch with its correct CRC is accepted (so only the CRC is wrong below)
      const before = await lastOffset()
      for (const version of [7, 9]) {
        const good = await produce(recordBatch(['good-a', 'good-b']), version)
        assert.equal(good.errorCode, 0, `valid batch (Produce v${version}) rejected with error ${good.errorCode}`)
      }
      const mid = await lastOffset()
      assert.equal(mid, before + 4)
      for (const version of [7, 9]) {
        const bad = await produce(recordBatch(['bad-a', 'bad-b'], {corruptCrc: true}), version)
        assert.equal(bad.errorCode, 2, `corrupt batch (Produce v${version}): error ${bad.errorCode}, expected CORRUPT_MESSAGE (2)`)
      }
      assert.equal(await lastOffset(), mid, 'the corrupt batch changed the log end offset')
      s.destroy()
    } finally {
      await admin.disconnect()
    }
    await assertKafkajsWorks()
  })
})
