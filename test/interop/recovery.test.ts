/**
 * Log recovery of a real `kts server start` process (issue 1, "Bad input": disk files truncated or
 * corrupted at the tail while stopped). kafkajs produces with acks=-1 to a one-partition topic;
 * the broker is SIGKILLed; while it is stopped the tail of the partition's active segment is torn
 * (truncated mid-batch) or its last batch gets a bad CRC; after a restart the node must be up,
 * say how many bytes it dropped, serve every record before the damaged batch, and append new
 * records at the damaged batch's base offset (Kafka `LogLoader.recoverSegment` /
 * `LogSegment.recover`). A SIGTERM stop instead writes `.kafka_cleanshutdown` and the checkpoint
 * files, and the next start skips recovery.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Partitioners, type Kafka} from 'kafkajs'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'

/** Byte ranges of the record batches in a segment file (v2 batch: baseOffset int64, length int32). */
function batchesOf(file: string): {baseOffset: number, lastOffset: number, position: number, size: number}[] {
  const buf = fs.readFileSync(file)
  const out: {baseOffset: number, lastOffset: number, position: number, size: number}[] = []
  let p = 0
  while (p + 12 <= buf.length) {
    const size = buf.readInt32BE(p + 8) + 12
    const baseOffset = Number(buf.readBigInt64BE(p))
    out.push({baseOffset, lastOffset: baseOffset + buf.readInt32BE(p + 23), position: p, size})
    p += size
  }
  assert.equal(p, buf.length, `${file} ends inside a batch before the test damaged it`)
  return out
}

/** Sends `values` one produce request at a time (one batch each), acks=-1. */
async function produce(kafka: Kafka, topic: string, values: string[]): Promise<number[]> {
  const producer = kafka.producer({createPartitioner: Partitioners.DefaultPartitioner})
  await producer.connect()
  const offsets: number[] = []
  try {
    for (let i = 0; i < values.length; i += 10) {
      const [meta] = await producer.send({topic, acks: -1, messages: values.slice(i, i + 10).map((value) => ({key: 'k', value}))})
      offsets.push(Number(meta.baseOffset))
    }
  } finally {
    await producer.disconnect()
  }
  return offsets
}

/** Reads partition 0 from offset 0 until `expected` records arrived (a fresh group each call). */
async function readAll(kafka: Kafka, topic: string, expected: number): Promise<{offset: number, value: string}[]> {
  const consumer = kafka.consumer({groupId: uniqueTopic('recovery-group'), maxWaitTimeInMs: 200})
  const read: {offset: number, value: string}[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({eachMessage: async ({message}) => {
      read.push({offset: Number(message.offset), value: message.value!.toString()})
    }})
    await waitFor(() => read.length >= expected, {timeoutMs: 20_000, message: () => `${expected} records (have ${read.length})`})
  } finally {
    await consumer.disconnect()
  }
  return read.sort((a, b) => a.offset - b.offset)
}

const values = (prefix: string, n: number): string[] => Array.from({length: n}, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`)

describe('interop: log recovery after SIGKILL and a damaged tail', function () {
  this.timeout(60_000)
  const suite = useBroker({ownBroker: true}) // needs the broker's files

  for (const damage of ['torn', 'bad-crc'] as const) {
    it(`${damage === 'torn' ? 'a tail truncated mid-batch' : 'a bad CRC in the last batch'}: drops it, says how many bytes, keeps what came before, appends after`, async () => {
      const b = suite.broker
      const topic = uniqueTopic(`recovery-${damage}`)
      await createTopic(b, topic, 1)
      const sent = values('a', 50)
      assert.deepEqual(await produce(kafkajsClient(b.bootstrap), topic, sent), [0, 10, 20, 30, 40])
      await b.kill()

      const segment = path.join(b.logDir, `${topic}-0`, '00000000000000000000.log')
      const batches = batchesOf(segment)
      assert.equal(batches.length, 5)
      const last = batches[batches.length - 1]
      assert.deepEqual([last.baseOffset, last.lastOffset], [40, 49])
      let dropped: number
      if (damage === 'torn') {
        const keep = Math.floor(last.size / 2)
        fs.truncateSync(segment, last.position + keep)
        dropped = keep
      } else {
        const fd = fs.openSync(segment, 'r+')
        const at = last.position + last.size - 3 // inside the last record's value, covered by the CRC
        const byte = Buffer.alloc(1)
        fs.readSync(fd, byte, 0, 1, at)
        byte[0] ^= 0xff
        fs.writeSync(fd, byte, 0, 1, at)
        fs.closeSync(fd)
        dropped = last.size
      }

      const mark = b.output().length
      await b.restart()
      const out = b.output().slice(mark)
      assert.match(out, new RegExp(`${topic}-0.*truncated ${dropped} bytes`), 'the broker says how many bytes recovery dropped')
      assert.match(out, /unclean shutdown/)

      const kafka = kafkajsClient(b.bootstrap)
      const before = await readAll(kafka, topic, 40)
      assert.deepEqual(before.map((r) => `${r.offset} ${r.value}`), sent.slice(0, 40).map((v, i) => `${i} ${v}`))
      assert.equal(fs.statSync(segment).size, last.position)

      const more = values('b', 20)
      assert.deepEqual(await produce(kafka, topic, more), [40, 50])
      const after = await readAll(kafka, topic, 60)
      assert.deepEqual(after.map((r) => `${r.offset} ${r.value}`), [...sent.slice(0, 40), ...more].map((v, i) => `${i} ${v}`))
    })
  }

  it('SIGTERM writes the clean-shutdown marker and checkpoints; the next start skips recovery', async () => {
    const b = suite.broker
    const topic = uniqueTopic('recovery-clean')
    await createTopic(b, topic, 1)
    await produce(kafkajsClient(b.bootstrap), topic, values('c', 30))
    await b.stop()

    assert.ok(fs.existsSync(path.join(b.logDir, '.kafka_cleanshutdown')), '.kafka_cleanshutdown written')
    const checkpoint = (name: string): Map<string, number> => {
      const lines = fs.readFileSync(path.join(b.logDir, name), 'utf8').trimEnd().split('\n')
      assert.equal(lines[0], '0', `${name}: version line`)
      assert.equal(Number(lines[1]), lines.length - 2, `${name}: entry count line`)
      return new Map(lines.slice(2).map((l) => {
        const [t, p, o] = l.split(' ')
        return [`${t}-${p}`, Number(o)] as const
      }))
    }
    assert.equal(checkpoint('recovery-point-offset-checkpoint').get(`${topic}-0`), 30)
    assert.equal(checkpoint('replication-offset-checkpoint').get(`${topic}-0`), 30)
    assert.ok(checkpoint('log-start-offset-checkpoint') instanceof Map)

    const mark = b.output().length
    await b.restart()
    const out = b.output().slice(mark)
    assert.match(out, /clean shutdown/)
    assert.doesNotMatch(out, /unclean shutdown|truncated \d+ bytes/)
    assert.ok(!fs.existsSync(path.join(b.logDir, '.kafka_cleanshutdown')), 'the marker is removed once the logs are loaded')
    const read = await readAll(kafkajsClient(b.bootstrap), topic, 30)
    assert.deepEqual(read.map((r) => r.offset), Array.from({length: 30}, (_, i) => i))
  })
})
