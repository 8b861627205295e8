import assert from 'node:assert/strict'
import {randomBytes} from 'node:crypto'
import {compressSync as snappyRaw} from 'snappy'
import {compressFrameSync, decompressFrameSync} from 'lz4-napi'
import {gzipSync} from 'node:zlib'
import {CompressionCodec, codecFromName, codecName, compress, decompress, fixLz4HeaderChecksum} from '../../../../src/protocol/records/compression.js'
import {CorruptRecordError, UnsupportedCompressionTypeError} from '../../../../src/protocol/records/record-errors.js'
import {ErrorCode, errorCodeFor} from '../../../../src/protocol/errors.js'

const CODECS = [CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd]
const SIZES = [0, 1, 100, 32 * 1024, 32 * 1024 + 1, 64 * 1024, 64 * 1024 + 1, 300_000]

function sample(n: number, random: boolean): Buffer {
  if (random) return randomBytes(n)
  const b = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 7)) % 17
  return b
}

describe('protocol/records/compression', () => {
  for (const codec of CODECS) {
    it(`round-trips ${codecName(codec)} at several sizes`, () => {
      for (const n of SIZES) {
        for (const random of [false, true]) {
          const data = sample(n, random)
          const z = compress(codec, data)
          assert.ok(decompress(codec, z).equals(data), `${codecName(codec)} size ${n} random=${random}`)
        }
      }
    })
  }

  it('honours gzip and zstd levels', () => {
    const data = sample(100_000, false)
    for (const level of [1, 9]) assert.ok(decompress(CompressionCodec.Gzip, compress(CompressionCodec.Gzip, data, level)).equals(data))
    for (const level of [-5, 1, 19]) assert.ok(decompress(CompressionCodec.Zstd, compress(CompressionCodec.Zstd, data, level)).equals(data))
  })

  it('writes the xerial snappy stream format Java writes', () => {
    const data = sample(70_000, false)
    const z = compress(CompressionCodec.Snappy, data)
    assert.equal(z.subarray(0, 16).toString('hex'), '82534e41505059000000000100000001')
    // 70000 bytes = 3 chunks of ≤ 32 KiB input each
    let p = 16
    let chunks = 0
    while (p < z.length) {
      p += 4 + z.readInt32BE(p)
      chunks++
    }
    assert.equal(p, z.length)
    assert.equal(chunks, 3)
  })

  it('reads a raw snappy block (as librdkafka sends)', () => {
    const data = Buffer.from('hello hello hello hello kafka records '.repeat(50))
    assert.ok(decompress(CompressionCodec.Snappy, snappyRaw(data)).equals(data))
  })

  it('writes the LZ4 frame Kafka writes (FLG 0x60, BD 0x40, 64 KiB independent blocks) that a standard reader accepts', () => {
    const data = sample(200_000, false)
    const z = compress(CompressionCodec.Lz4, data)
    assert.equal(z.subarray(0, 7).toString('hex'), '04224d18604082')
    assert.equal(z.readUInt32LE(z.length - 4), 0, 'end mark')
    let p = 7
    let blocks = 0
    while (z.readUInt32LE(p) !== 0) {
      p += 4 + (z.readUInt32LE(p) & 0x7fffffff)
      blocks++
    }
    assert.equal(blocks, 4)
    assert.equal(p + 4, z.length)
    assert.ok(decompressFrameSync(z).equals(data), 'lz4-napi (lz4_flex) accepts our frame')
    // incompressible blocks are stored with bit 31 set
    const rnd = randomBytes(70_000)
    const zr = compress(CompressionCodec.Lz4, rnd)
    assert.ok((zr.readUInt32LE(7) & 0x80000000) !== 0)
    assert.ok(decompressFrameSync(zr).equals(rnd))
  })

  it('reads LZ4 frames with checksums and other block sizes', () => {
    const data = sample(300_000, false)
    const z = compressFrameSync(data, {contentChecksum: true, blockChecksums: true})
    assert.ok(decompress(CompressionCodec.Lz4, z).equals(data))
  })

  it('interoperates with an independent lz4/snappy implementation (@platformatic/wasm-utils)', async function () {
    let wasm: {lz4Compress(b: Buffer): Uint8Array, lz4Decompress(b: Buffer): Uint8Array, snappyCompress(b: Buffer): Uint8Array}
    try {
      wasm = await import('@platformatic/wasm-utils' as string) as typeof wasm
    } catch {
      this.skip()
    }
    const data = sample(200_000, false)
    assert.ok(Buffer.from(wasm.lz4Decompress(compress(CompressionCodec.Lz4, data))).equals(data), 'they read our lz4 frame')
    assert.ok(decompress(CompressionCodec.Lz4, Buffer.from(wasm.lz4Compress(data))).equals(data), 'we read their lz4 frame')
    assert.ok(decompress(CompressionCodec.Snappy, Buffer.from(wasm.snappyCompress(data))).equals(data), 'we read their raw snappy')
  })

  it('fixes the KAFKA-3160 lz4 header checksum (xxh32 of the frame descriptor)', () => {
    const good = compress(CompressionCodec.Lz4, Buffer.from('abc'))
    assert.equal(fixLz4HeaderChecksum(good), good)
    const broken = Buffer.from(good)
    broken[6] = 0
    assert.throws(() => decompress(CompressionCodec.Lz4, broken), CorruptRecordError)
    assert.ok(fixLz4HeaderChecksum(broken).equals(good))
    const withChecksum = compressFrameSync(Buffer.from('abc'), {contentChecksum: true})
    assert.equal(withChecksum[6], 0xa7) // FLG 0x64 BD 0x40
    assert.equal(fixLz4HeaderChecksum(withChecksum), withChecksum)
  })

  it('reads concatenated gzip members', () => {
    const z = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))])
    assert.equal(decompress(CompressionCodec.Gzip, z).toString(), 'abcd')
  })

  it('rejects unknown codecs with UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const c of [5, 6, 7]) {
      assert.throws(() => compress(c, Buffer.alloc(1)), UnsupportedCompressionTypeError)
      assert.throws(() => decompress(c, Buffer.alloc(1)), (e: unknown) => errorCodeFor(e) === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
    }
  })

  it('turns garbage into CorruptRecordError (CORRUPT_MESSAGE)', () => {
    const junk = Buffer.from('definitely not compressed data, really not')
    for (const c of [CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd]) {
      assert.throws(() => decompress(c, junk), (e: unknown) => e instanceof CorruptRecordError && errorCodeFor(e) === ErrorCode.CORRUPT_MESSAGE, codecName(c))
    }
    const truncated = compress(CompressionCodec.Snappy, sample(1000, false)).subarray(0, 30)
    assert.throws(() => decompress(CompressionCodec.Snappy, truncated), CorruptRecordError)
  })

  it('maps compression.type names', () => {
    assert.equal(codecFromName('uncompressed'), CompressionCodec.None)
    assert.equal(codecFromName('zstd'), CompressionCodec.Zstd)
    assert.equal(codecFromName('producer'), null)
    assert.equal(codecName(CompressionCodec.Lz4), 'lz4')
  })
})
