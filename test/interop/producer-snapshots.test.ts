/**
 * Producer state survives restarts (issue 11, acceptance 5): an idempotent producer that wrote a
 * few batches and then stayed idle while others filled more than two segments is still known after
 * a clean restart (the `<LEO>.snapshot` written at shutdown) and after a SIGKILL (the snapshots
 * written at each roll): a resent batch is answered with its original offset and not appended
 * again, a sequence gap gets OUT_OF_ORDER_SEQUENCE_NUMBER, the next sequence is accepted; a kafkajs
 * idempotent producer keeps producing across the restart without an error and without duplicates.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Partitioners} from 'kafkajs'
import {BrokerConnection} from '../../src/protocol/client/broker-connection.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {InitProducerIdApi, type InitProducerIdResponse} from '../../src/protocol/generated/messages/init-producer-id.js'
import {ProduceApi, type ProduceResponse} from '../../src/protocol/generated/messages/produce.js'
import {encodeRecordBatch} from '../../src/protocol/records/records.js'
import {readProducerSnapshot} from '../../src/server/log/producer-snapshot.js'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runProcessOk} from '../helpers/run-process.js'
import {kafkajsClient, printBrokerOutputOnFailure, uniqueTopic} from './interop-check.js'

describe('interop: producer-state snapshots across restarts', function () {
  this.timeout(90_000)
  let broker: BrokerHandle | undefined
  let conn: BrokerConnection | undefined
  afterEach(function () { printBrokerOutputOnFailure(this, broker) })
  after(async () => { conn?.close(); await broker?.close() })
  before(async function () {
    try {
      await runProcessOk('kcat', ['-V'], {timeoutMs: 5000})
    } catch {
      this.skip() // kcat not installed (.ci/run installs it)
    }
  })

  const connect = async (b: BrokerHandle): Promise<BrokerConnection> => {
    conn?.close()
    const [host, port] = b.bootstrap.split(':')
    conn = await BrokerConnection.connect({host, port: Number(port), clientId: 'kts-snapshot-test'})
    return conn
  }
  const disconnect = (): void => { conn?.close(); conn = undefined }
  const produce = async (c: BrokerConnection, topic: string, records: Buffer): Promise<{errorCode: number, baseOffset: number}> => {
    const res = await c.send(ProduceApi, c.version(ProduceApi), {transactionalId: null, acks: -1, timeoutMs: 10_000,
      topicData: [{name: topic, partitionData: [{index: 0, records}]}]}) as ProduceResponse
    return res.responses[0].partitionResponses[0]
  }

  it('an idle idempotent producer is recognised after a clean restart and after SIGKILL', async function () {
    if (process.env.KTS_TEST_BOOTSTRAP) this.skip()
    broker = await startBroker()
    const b = broker
    const topic = uniqueTopic('snapshots')
    const admin = kafkajsClient(b.bootstrap).admin()
    await admin.connect()
    await admin.createTopics({waitForLeaders: true, topics: [{topic, numPartitions: 1, replicationFactor: 1, configEntries: [{name: 'segment.bytes', value: '2048'}]}]})
    await admin.disconnect()
    const dir = path.join(b.logDir, `${topic}-0`)

    let c = await connect(b)
    const ids = await c.send(InitProducerIdApi, c.version(InitProducerIdApi), {transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1}) as InitProducerIdResponse
    const batch = (seq: number): Buffer => encodeRecordBatch({producerId: ids.producerId, producerEpoch: ids.producerEpoch, baseSequence: seq,
      records: [0, 1].map(i => ({key: null, value: Buffer.from(`idle-${seq + i}`)}))})
    const first = await produce(c, topic, batch(0))
    const second = await produce(c, topic, batch(2))
    assert.deepEqual([first.errorCode, second.errorCode], [ErrorCode.NONE, ErrorCode.NONE])

    // a kafkajs idempotent producer, and filler from others: more than two segments after the idle producer's batches
    const kafka = kafkajsClient(b.bootstrap)
    const real = kafka.producer({idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner})
    await real.connect()
    let sent = 0
    const sendReal = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await real.send({topic, acks: -1, messages: [{value: `real-${sent++}`}]})
    }
    await sendReal(5)
    for (let i = 0; i < 12; i++) assert.equal((await produce(c, topic, encodeRecordBatch({records: [{key: null, value: Buffer.alloc(600, 0x66)}]}))).errorCode, ErrorCode.NONE)
    const segments = fs.readdirSync(dir).filter(f => f.endsWith('.log')).length
    assert.ok(segments >= 4, `${segments} segments`)
    const rollSnapshots = fs.readdirSync(dir).filter(f => f.endsWith('.snapshot'))
    assert.ok(rollSnapshots.length >= 3, `snapshots at the rolls: ${rollSnapshots.join(' ')}`)
    const latest = rollSnapshots.sort().pop()!
    assert.ok(readProducerSnapshot(path.join(dir, latest)).some(e => e.producerId === ids.producerId && e.lastSequence === 3 && e.lastOffset === second.baseOffset + 1))

    const checkIdleProducer = async (nextSeq: number): Promise<void> => {
      c = await connect(b)
      const dup = await produce(c, topic, batch(nextSeq - 2))
      assert.equal(dup.errorCode, ErrorCode.NONE)
      const gap = await produce(c, topic, batch(nextSeq + 3))
      assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'the producer is known: a gap is refused')
      const next = await produce(c, topic, batch(nextSeq))
      assert.equal(next.errorCode, ErrorCode.NONE)
      assert.ok(next.baseOffset > dup.baseOffset, 'the duplicate was answered with its original offset, not appended')
    }

    // clean restart: the snapshot at the log end offset
    disconnect()
    await b.restart()
    assert.ok(fs.readdirSync(dir).some(f => f.endsWith('.snapshot')))
    await checkIdleProducer(4)
    await sendReal(5)

    // SIGKILL: the snapshots of the rolls plus a replay of the log after the latest one
    for (let i = 0; i < 6; i++) assert.equal((await produce(c, topic, encodeRecordBatch({records: [{key: null, value: Buffer.alloc(600, 0x66)}]}))).errorCode, ErrorCode.NONE)
    disconnect()
    await b.kill()
    await b.restart()
    await checkIdleProducer(6)
    await sendReal(5)
    await real.disconnect()

    // nothing duplicated: each value once
    const {stdout} = await runProcessOk('kcat', ['-C', '-b', b.bootstrap, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'], {timeoutMs: 30_000})
    const values = stdout.split('\n').filter(v => v.startsWith('idle-') || v.startsWith('real-'))
    assert.deepEqual(values.filter(v => v.startsWith('real-')), Array.from({length: 15}, (_, i) => `real-${i}`))
    assert.deepEqual(values.filter(v => v.startsWith('idle-')), Array.from({length: 8}, (_, i) => `idle-${i}`))
  })
})
