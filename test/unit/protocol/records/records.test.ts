import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {crc32 as crc32Ieee} from '@node-rs/crc32'
import {compressSync as snappyRaw} from 'snappy'
import {gzipSync} from 'node:zlib'
import {
  CompressionCodec, ControlRecordType, CorruptRecordError, TimestampType, controlRecordTypeName,
  decodeControlRecordKey, decodeEndTxnMarker, decodeRecordBatch, decodeRecordBatches,
  encodeControlRecordKey, encodeEndTxnMarkerBatch, encodeRecordBatch, type RecordInput,
} from '../../../../src/protocol/records/records.js'
import {UnsupportedCompressionTypeError} from '../../../../src/protocol/records/record-errors.js'
import {compress} from '../../../../src/protocol/records/compression.js'
import {isCrcValid, readBatchHeader} from '../../../../src/protocol/records/record-batch.js'
import {ErrorCode, errorCodeFor} from '../../../../src/protocol/errors.js'

/** Bitwise CRC-32C, independent of the code under test. */
function slowCrc32c(b: Buffer): number {
  let crc = 0xffffffff
  for (const byte of b) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1))
  }
  return (crc ^ 0xffffffff) >>> 0
}

function int64(v: number): number[] {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(BigInt(v))
  return [...b]
}
function int32(v: number): number[] {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return [...b]
}
function int16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff]
}

/** A batch laid out by hand from spec §1.1/§1.3: baseOffset 5, two records. */
function handBuiltBatch(): Buffer {
  const records = [
    // record 0: key "k", value "v", no headers, timestampDelta 0, offsetDelta 0
    0x10, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x00,
    // record 1: null key, value "xy", one header h1 -> null; timestampDelta 3 (zigzag 6), offsetDelta 1 (zigzag 2)
    // body: attr 00, ts 06, od 02, key 01, vlen 04 'x' 'y', hc 02, hklen 04 'h' '1', hvlen 01 = 12 bytes -> length zigzag 24 = 0x18
    0x18, 0x00, 0x06, 0x02, 0x01, 0x04, 0x78, 0x79, 0x02, 0x04, 0x68, 0x31, 0x01,
  ]
  const afterCrc = [
    ...int16(0), // attributes
    ...int32(1), // lastOffsetDelta
    ...int64(1_700_000_000_000), // baseTimestamp
    ...int64(1_700_000_000_003), // maxTimestamp
    ...int64(-1), ...int16(-1), ...int32(-1), // producer id/epoch, base sequence
    ...int32(2), // recordsCount
    ...records,
  ]
  const crc = slowCrc32c(Buffer.from(afterCrc))
  const body = [...int32(7), 2, ...int32(crc | 0), ...afterCrc] // partitionLeaderEpoch 7, magic 2
  return Buffer.from([...int64(5), ...int32(body.length), ...body])
}

describe('protocol/records/records', () => {
  it('decodes a batch built byte by byte from the spec', () => {
    const buf = handBuiltBatch()
    const [b, ...rest] = decodeRecordBatches(buf)
    assert.equal(rest.length, 0)
    assert.equal(b.baseOffset, 5)
    assert.equal(b.lastOffset, 6)
    assert.equal(b.partitionLeaderEpoch, 7)
    assert.equal(b.magic, 2)
    assert.equal(b.sizeInBytes, buf.length)
    assert.equal(b.compression, CompressionCodec.None)
    assert.equal(b.timestampType, TimestampType.CreateTime)
    assert.equal(b.producerId, -1)
    assert.equal(b.recordsCount, 2)
    const [r0, r1] = b.records
    assert.equal(r0.offset, 5)
    assert.equal(r0.timestamp, 1_700_000_000_000)
    assert.equal(r0.key?.toString(), 'k')
    assert.equal(r0.value?.toString(), 'v')
    assert.deepEqual(r0.headers, [])
    assert.equal(r1.offset, 6)
    assert.equal(r1.timestamp, 1_700_000_000_003)
    assert.equal(r1.key, null)
    assert.equal(r1.value?.toString(), 'xy')
    assert.deepEqual(r1.headers, [{key: 'h1', value: null}])
  })

  it('encodes the same bytes as the hand-built batch', () => {
    const enc = encodeRecordBatch({
      baseOffset: 5,
      partitionLeaderEpoch: 7,
      records: [
        {key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1_700_000_000_000},
        {key: null, value: Buffer.from('xy'), headers: [{key: 'h1', value: null}], timestamp: 1_700_000_000_003},
      ],
    })
    assert.equal(enc.toString('hex'), handBuiltBatch().toString('hex'))
  })

  const records: RecordInput[] = [
    {key: null, value: null, timestamp: 1000},
    {key: Buffer.from('key-1'), value: Buffer.alloc(300, 1), timestamp: 999, headers: [{key: 'ünïcødé', value: Buffer.from([1, 2, 3])}, {key: '', value: null}]},
    {key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 5_000_000_000},
    {key: Buffer.from('k'), value: Buffer.from('v'.repeat(70_000)), timestamp: 1001},
  ]

  for (const compression of [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd]) {
    it(`round-trips records with null key/value and headers (codec ${compression})`, () => {
      const buf = encodeRecordBatch({
        baseOffset: 1_000_000_000_000, compression, producerId: 4242, producerEpoch: 3, baseSequence: 17,
        isTransactional: true, partitionLeaderEpoch: 9, records,
      })
      assert.ok(isCrcValid(buf, 0, buf.length))
      const [b] = decodeRecordBatches(buf)
      assert.equal(b.compression, compression)
      assert.equal(b.isTransactional, true)
      assert.equal(b.isControl, false)
      assert.equal(b.producerId, 4242)
      assert.equal(b.producerEpoch, 3)
      assert.equal(b.baseSequence, 17)
      assert.equal(b.baseTimestamp, 1000)
      assert.equal(b.maxTimestamp, 5_000_000_000)
      assert.equal(b.lastOffsetDelta, 3)
      assert.equal(b.records.length, records.length)
      for (let i = 0; i < records.length; i++) {
        const r = b.records[i]
        assert.equal(r.offset, 1_000_000_000_000 + i)
        assert.equal(r.timestamp, records[i].timestamp)
        assert.deepEqual(r.key, records[i].key)
        assert.deepEqual(r.value, records[i].value)
        assert.deepEqual(r.headers, records[i].headers ?? [])
      }
    })
  }

  it('uses maxTimestamp for every record with LogAppendTime', () => {
    const buf = encodeRecordBatch({timestampType: TimestampType.LogAppendTime, maxTimestamp: 777, records: [{key: null, value: null, timestamp: 1}, {key: null, value: null, timestamp: 2}]})
    const [b] = decodeRecordBatches(buf)
    assert.equal(b.timestampType, TimestampType.LogAppendTime)
    assert.deepEqual(b.records.map(r => r.timestamp), [777, 777])
  })

  it('encodes an empty batch like compaction keeps it', () => {
    const buf = encodeRecordBatch({records: []})
    const h = readBatchHeader(buf)
    assert.equal(h.recordsCount, 0)
    assert.equal(h.baseTimestamp, -1)
    assert.equal(decodeRecordBatches(buf)[0].records.length, 0)
  })

  it('decodes several batches and ignores a trailing partial batch', () => {
    const a = encodeRecordBatch({baseOffset: 0, records: [{key: null, value: Buffer.from('a')}]})
    const b = encodeRecordBatch({baseOffset: 1, compression: CompressionCodec.Gzip, records: [{key: null, value: Buffer.from('b')}, {key: null, value: Buffer.from('c')}]})
    const c = encodeRecordBatch({baseOffset: 3, records: [{key: null, value: Buffer.from('d')}]})
    for (const cut of [1, 11, 12, 20, c.length - 1]) {
      const batches = decodeRecordBatches(Buffer.concat([a, b, c.subarray(0, cut)]))
      assert.deepEqual(batches.map(x => x.baseOffset), [0, 1])
      assert.deepEqual(batches.flatMap(x => x.records.map(r => r.value?.toString())), ['a', 'b', 'c'])
    }
    assert.equal(decodeRecordBatches(Buffer.concat([a, b, c])).length, 3)
  })

  it('detects a CRC mismatch with CorruptRecordError (CORRUPT_MESSAGE)', () => {
    const buf = encodeRecordBatch({records: [{key: Buffer.from('k'), value: Buffer.from('value')}]})
    buf[buf.length - 2] ^= 0xff
    assert.throws(() => decodeRecordBatches(buf), (e: unknown) => e instanceof CorruptRecordError && errorCodeFor(e) === ErrorCode.CORRUPT_MESSAGE)
    assert.equal(decodeRecordBatches(buf, {verifyCrc: false}).length, 1)
    // baseOffset and partitionLeaderEpoch are outside the CRC
    const ok = encodeRecordBatch({records: [{key: null, value: null}]})
    ok.writeInt32BE(99, 12)
    assert.equal(decodeRecordBatches(ok)[0].partitionLeaderEpoch, 99)
  })

  it('rejects malformed record contents without crashing', () => {
    // records count larger than what is there; CRC recomputed so only the structure is wrong
    const good = encodeRecordBatch({records: [{key: Buffer.from('k'), value: Buffer.from('v')}]})
    const fix = (b: Buffer) => b.writeUInt32BE(slowCrc32c(b.subarray(21)), 17)
    const tooMany = Buffer.from(good)
    tooMany.writeInt32BE(2, 57)
    fix(tooMany)
    assert.throws(() => decodeRecordBatches(tooMany), CorruptRecordError)
    const badLen = Buffer.from(good)
    badLen[61] = 0x7e // record length 63 > remaining
    fix(badLen)
    assert.throws(() => decodeRecordBatches(badLen), CorruptRecordError)
    const shortBatch = Buffer.from(good.subarray(0, 40))
    shortBatch.writeInt32BE(28, 8)
    assert.throws(() => decodeRecordBatches(shortBatch), CorruptRecordError)
    const badCodec = Buffer.from(good)
    badCodec.writeInt16BE(6, 21)
    fix(badCodec)
    assert.throws(() => decodeRecordBatches(badCodec), UnsupportedCompressionTypeError)
    const badMagic = Buffer.from(good)
    badMagic[16] = 7
    assert.throws(() => decodeRecordBatches(badMagic), CorruptRecordError)
    assert.throws(() => decodeRecordBatch(good.subarray(0, 30)), CorruptRecordError)
  })

  it('decodes a batch whose records are one raw snappy block (librdkafka)', () => {
    const plain = encodeRecordBatch({baseOffset: 10, records: [{key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 50}, {key: Buffer.from('b'), value: Buffer.from('2'), timestamp: 51}]})
    const block = snappyRaw(plain.subarray(61))
    const buf = Buffer.concat([plain.subarray(0, 61), block])
    buf.writeInt32BE(buf.length - 12, 8)
    buf.writeInt16BE(CompressionCodec.Snappy, 21)
    buf.writeUInt32BE(slowCrc32c(buf.subarray(21)), 17)
    const [b] = decodeRecordBatches(buf)
    assert.deepEqual(b.records.map(r => [r.offset, r.key?.toString(), r.value?.toString(), r.timestamp]), [[10, 'a', '1', 50], [11, 'b', '2', 51]])
  })

  it('encodes and decodes transaction markers and control record keys', () => {
    const buf = encodeEndTxnMarkerBatch({producerId: 77, producerEpoch: 2, coordinatorEpoch: 5, commit: true, baseOffset: 40})
    const [b] = decodeRecordBatches(buf)
    assert.equal(b.isControl, true)
    assert.equal(b.isTransactional, true)
    assert.equal(b.producerId, 77)
    assert.equal(b.producerEpoch, 2)
    assert.equal(b.baseSequence, -1)
    assert.equal(b.records.length, 1)
    assert.deepEqual(decodeControlRecordKey(b.records[0].key), {version: 0, type: ControlRecordType.COMMIT})
    assert.deepEqual(decodeEndTxnMarker(b.records[0].value), {version: 0, coordinatorEpoch: 5})
    assert.equal(encodeControlRecordKey(ControlRecordType.ABORT).toString('hex'), '00000000')
    assert.equal(encodeControlRecordKey(ControlRecordType.LEADER_CHANGE).toString('hex'), '00000002')
    assert.equal(controlRecordTypeName(3), 'SNAPSHOT_HEADER')
    assert.equal(controlRecordTypeName(42), 'UNKNOWN')
    assert.throws(() => decodeControlRecordKey(Buffer.alloc(2)), CorruptRecordError)
    assert.throws(() => decodeEndTxnMarker(null), CorruptRecordError)
  })

  it('decodes legacy magic 0 and 1 messages, including a compressed v1 wrapper', () => {
    const legacy = (offset: number, magic: 0 | 1, attributes: number, timestamp: number, key: Buffer | null, value: Buffer | null): Buffer => {
      const parts: Buffer[] = [Buffer.from([magic, attributes])]
      if (magic === 1) parts.push(Buffer.from(int64(timestamp)))
      for (const f of [key, value]) parts.push(Buffer.from(int32(f === null ? -1 : f.length)), f ?? Buffer.alloc(0))
      const tail = Buffer.concat(parts)
      const crc = Buffer.alloc(4)
      crc.writeUInt32BE(crc32Ieee(tail) >>> 0)
      const msg = Buffer.concat([crc, tail])
      return Buffer.concat([Buffer.from(int64(offset)), Buffer.from(int32(msg.length)), msg])
    }
    const v0 = legacy(3, 0, 0, 0, Buffer.from('k0'), Buffer.from('v0'))
    const inner = Buffer.concat([legacy(0, 1, 0, 100, null, Buffer.from('a')), legacy(1, 1, 0, 101, null, Buffer.from('b'))])
    const wrapper = legacy(9, 1, CompressionCodec.Gzip, 101, null, gzipSync(inner))
    const batches = decodeRecordBatches(Buffer.concat([v0, wrapper]))
    assert.equal(batches.length, 2)
    assert.equal(batches[0].magic, 0)
    assert.equal(batches[0].records[0].offset, 3)
    assert.equal(batches[0].records[0].key?.toString(), 'k0')
    assert.equal(batches[1].magic, 1)
    assert.deepEqual(batches[1].records.map(r => [r.offset, r.value?.toString(), r.timestamp]), [[8, 'a', 100], [9, 'b', 101]])
    // magic 0 lz4 wrapper with the KAFKA-3160 header checksum (xxh32 over magic + descriptor)
    const inner0 = Buffer.concat([legacy(20, 0, 0, 0, null, Buffer.from('x')), legacy(21, 0, 0, 0, null, Buffer.from('y'))])
    const frame = compress(CompressionCodec.Lz4, inner0)
    frame[6] = 0x2e // ≠ the correct 0x82
    const lz4Batches = decodeRecordBatches(legacy(21, 0, CompressionCodec.Lz4, 0, null, frame))
    assert.deepEqual(lz4Batches[0].records.map(r => [r.offset, r.value?.toString()]), [[20, 'x'], [21, 'y']])
    const bad = Buffer.from(v0)
    bad[bad.length - 1] ^= 1
    assert.throws(() => decodeRecordBatches(bad), CorruptRecordError)
  })

  it('never throws anything but CorruptRecordError/UnsupportedCompressionTypeError on mutated input', () => {
    const bases = [0, 1, 2, 3, 4].map(compression => encodeRecordBatch({compression, records: [
      {key: Buffer.from('k'), value: Buffer.from('v'.repeat(40)), headers: [{key: 'h', value: Buffer.from('x')}]},
      {key: null, value: null},
    ]}))
    let seed = 12345
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff)
    for (let i = 0; i < 20_000; i++) {
      const b = Buffer.from(bases[i % bases.length])
      for (let k = 1 + rnd() % 4; k > 0; k--) b[rnd() % b.length] = rnd() & 0xff
      try {
        decodeRecordBatches(b, {verifyCrc: false})
      } catch (e) {
        assert.ok(e instanceof CorruptRecordError || e instanceof UnsupportedCompressionTypeError, `iteration ${i}: ${String(e)}`)
      }
    }
  })

  describe('interop with kafkajs', () => {
    const require = createRequire(import.meta.url)
    // kafkajs internals, reachable from node_modules (tests only)
    const {RecordBatch} = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {RecordBatch: (o: object) => Promise<{buffer: Buffer}>}
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (o: object) => unknown
    const Decoder = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => unknown
    const decodeBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{firstOffset: string, records: {key: Buffer | null, value: Buffer | null, offset: string, timestamp: string, headers: Record<string, Buffer | Buffer[]>}[]}>

    it('decodes a batch built by kafkajs (gzip)', async () => {
      const kjs = await RecordBatch({
        compression: 1, firstOffset: 0n as unknown, firstTimestamp: 1_600_000_000_000, maxTimestamp: 1_600_000_000_002,
        lastOffsetDelta: 2, partitionLeaderEpoch: 0, producerEpoch: 0, firstSequence: 0,
        records: [
          Record({offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: {h: Buffer.from('x')}}),
          Record({offsetDelta: 1, timestampDelta: 1, key: null, value: Buffer.from('v2')}),
          Record({offsetDelta: 2, timestampDelta: 2, key: Buffer.from('k3'), value: null}),
        ],
      })
      const [b] = decodeRecordBatches(kjs.buffer)
      assert.equal(b.compression, CompressionCodec.Gzip)
      assert.deepEqual(b.records.map(r => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null]), [
        [0, 1_600_000_000_000, 'k1', 'v1'], [1, 1_600_000_000_001, null, 'v2'], [2, 1_600_000_000_002, 'k3', null],
      ])
      assert.deepEqual(b.records[0].headers, [{key: 'h', value: Buffer.from('x')}])
    })

    it('kafkajs decodes our batches', async () => {
      for (const compression of [CompressionCodec.None, CompressionCodec.Gzip]) {
        const buf = encodeRecordBatch({baseOffset: 100, compression, records: [
          {key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 10, headers: [{key: 'h', value: Buffer.from('hv')}]},
          {key: null, value: Buffer.from('2'), timestamp: 12},
        ]})
        const decoded = await decodeBatch(new Decoder(buf))
        assert.equal(decoded.records.length, 2)
        assert.equal(decoded.records[0].offset, '100')
        assert.equal(decoded.records[0].key?.toString(), 'a')
        assert.equal(decoded.records[0].headers.h.toString(), 'hv')
        assert.equal(decoded.records[1].offset, '101')
        assert.equal(decoded.records[1].timestamp, '12')
      }
    })
  })
})
