/**
 * Record batch compression codecs (`../shared/spec/storage-and-kraft.md` §2; Kafka
 * `CompressionType.java`, `compress/*.java`). In magic 2 the compressed stream holds only the
 * records, i.e. everything after recordsCount.
 *
 * - gzip (1): RFC 1952 via node zlib.
 * - snappy (2): written in the snappy-java (xerial) stream format Java Kafka writes (16-byte
 *   header, then `int32 BE length` + raw snappy block per 32 KiB of input); read both that and a
 *   single raw snappy block (what librdkafka sends).
 * - lz4 (3): the LZ4 frame format, written like Kafka's `Lz4BlockOutputStream` (FLG 0x60:
 *   independent blocks, no checksums, no content size; BD 0x40: 64 KiB blocks; incompressible
 *   blocks stored with bit 31 set); any valid frame is read (via `lz4-napi`).
 * - zstd (4): a standard zstd frame via `zstd-napi` (frames without a content size included).
 *
 * Errors: unknown codec ids → `UnsupportedCompressionTypeError` (UNSUPPORTED_COMPRESSION_TYPE);
 * input that does not decompress → `CorruptRecordError` (CORRUPT_MESSAGE).
 */
import {gunzipSync, gzipSync, constants as zlibConstants} from 'node:zlib'
import {createRequire} from 'node:module'
import type * as Snappy from 'snappy'
import type * as Lz4 from 'lz4-napi'
import type * as Zstd from 'zstd-napi'
import {CompressionCodec} from './record-batch.js'
import {CorruptRecordError, UnsupportedCompressionTypeError} from './record-errors.js'

export {CompressionCodec}

// The native codecs load on first use: most nodes never see a compressed batch, and loading
// them costs start-up time (tens of ms each).
const require = createRequire(import.meta.url)
let snappy: typeof Snappy | undefined
let lz4: typeof Lz4 | undefined
let zstd: typeof Zstd | undefined
const snappyCompress = (b: Buffer): Buffer => (snappy ??= require('snappy') as typeof Snappy).compressSync(b)
const snappyUncompress = (b: Buffer, o: {asBuffer: true}): Buffer | string => (snappy ??= require('snappy') as typeof Snappy).uncompressSync(b, o)
const lz4CompressBlock = (b: Buffer): Buffer => (lz4 ??= require('lz4-napi') as typeof Lz4).compressSync(b)
const lz4DecompressFrame = (b: Buffer): Buffer => (lz4 ??= require('lz4-napi') as typeof Lz4).decompressFrameSync(b)
const zstdCompress = (b: Buffer, o: {compressionLevel: number}): Buffer => (zstd ??= require('zstd-napi') as typeof Zstd).compress(b, o)
const zstdDecompress = (b: Buffer): Buffer => (zstd ??= require('zstd-napi') as typeof Zstd).decompress(b)

/** 0x82 "SNAPPY" 0x00 — snappy-java's stream magic. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
/** Magic + int32 version 1 + int32 minimum compatible version 1. */
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])])
const XERIAL_HEADER_SIZE = 16
/** snappy-java's default block size (input bytes per chunk). */
const XERIAL_BLOCK_SIZE = 32 * 1024

/** LZ4 frame header Kafka writes: magic 0x184D2204 (LE), FLG 0x60, BD 0x40, HC = (xxh32(FLG‖BD) >> 8) & 0xff. */
const LZ4_FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82])
const LZ4_BLOCK_SIZE = 64 * 1024
const LZ4_UNCOMPRESSED_FLAG = 0x80000000

/** Compression level ranges Kafka accepts (KIP-390). */
export const COMPRESSION_LEVELS = {
  gzip: {min: 1, max: 9, default: zlibConstants.Z_DEFAULT_COMPRESSION},
  lz4: {min: 1, max: 17, default: 9},
  zstd: {min: -131072, max: 22, default: 3},
} as const

/** Codec name as in `compression.type` (`none` for 0). */
export function codecName(codec: number): string {
  switch (codec) {
    case CompressionCodec.None: return 'none'
    case CompressionCodec.Gzip: return 'gzip'
    case CompressionCodec.Snappy: return 'snappy'
    case CompressionCodec.Lz4: return 'lz4'
    case CompressionCodec.Zstd: return 'zstd'
    default: throw new UnsupportedCompressionTypeError(codec)
  }
}

/** Codec id for a `compression.type` value (`uncompressed`/`none` → 0), or null for `producer`/unknown names. */
export function codecFromName(name: string): CompressionCodec | null {
  switch (name) {
    case 'none': case 'uncompressed': return CompressionCodec.None
    case 'gzip': return CompressionCodec.Gzip
    case 'snappy': return CompressionCodec.Snappy
    case 'lz4': return CompressionCodec.Lz4
    case 'zstd': return CompressionCodec.Zstd
    default: return null
  }
}

/**
 * Compresses `data` with `codec` as Java Kafka would.
 * @param level codec level (gzip 1-9, zstd −131072..22); lz4 and snappy ignore it.
 * @throws UnsupportedCompressionTypeError for an unknown codec id.
 */
export function compress(codec: CompressionCodec | number, data: Buffer, level?: number): Buffer {
  switch (codec) {
    case CompressionCodec.None: return data
    case CompressionCodec.Gzip: return gzipSync(data, {level: level ?? COMPRESSION_LEVELS.gzip.default})
    case CompressionCodec.Snappy: return snappyXerialCompress(data)
    case CompressionCodec.Lz4: return lz4FrameCompress(data)
    case CompressionCodec.Zstd: return zstdCompress(data, {compressionLevel: level ?? COMPRESSION_LEVELS.zstd.default})
    default: throw new UnsupportedCompressionTypeError(codec)
  }
}

/**
 * Decompresses one codec stream.
 * @throws UnsupportedCompressionTypeError for an unknown codec id; CorruptRecordError if `data` does not decode.
 */
export function decompress(codec: CompressionCodec | number, data: Buffer): Buffer {
  if (codec === CompressionCodec.None) return data
  if (codec < 0 || codec > CompressionCodec.Zstd) throw new UnsupportedCompressionTypeError(codec)
  try {
    switch (codec) {
      case CompressionCodec.Gzip: return gunzipSync(data)
      case CompressionCodec.Snappy: return snappyDecompress(data)
      case CompressionCodec.Lz4: return lz4DecompressFrame(data)
      default: return zstdDecompress(data)
    }
  } catch (err) {
    if (err instanceof CorruptRecordError) throw err
    throw new CorruptRecordError(`Invalid ${codecName(codec)} compressed data: ${(err as Error).message}`, {cause: err})
  }
}

function snappyXerialCompress(data: Buffer): Buffer {
  const chunks: Buffer[] = [XERIAL_HEADER]
  for (let p = 0; p < data.length; p += XERIAL_BLOCK_SIZE) {
    const block = snappyCompress(data.subarray(p, Math.min(p + XERIAL_BLOCK_SIZE, data.length)))
    const len = Buffer.allocUnsafe(4)
    len.writeInt32BE(block.length, 0)
    chunks.push(len, block)
  }
  return Buffer.concat(chunks)
}

/** Reads the xerial stream format, or the whole input as one raw block when the magic is absent. */
function snappyDecompress(data: Buffer): Buffer {
  if (data.length < XERIAL_HEADER_SIZE || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return snappyUncompress(data, {asBuffer: true}) as Buffer
  }
  const out: Buffer[] = []
  let p = XERIAL_HEADER_SIZE
  while (p < data.length) {
    if (p + 4 > data.length) throw new CorruptRecordError('Truncated snappy (xerial) chunk length')
    const len = data.readInt32BE(p)
    p += 4
    if (len < 0 || p + len > data.length) throw new CorruptRecordError(`Truncated snappy (xerial) chunk of ${len} bytes`)
    out.push(snappyUncompress(data.subarray(p, p + len), {asBuffer: true}) as Buffer)
    p += len
  }
  return out.length === 1 ? out[0] : Buffer.concat(out)
}

function lz4FrameCompress(data: Buffer): Buffer {
  const chunks: Buffer[] = [LZ4_FRAME_HEADER]
  for (let p = 0; p < data.length; p += LZ4_BLOCK_SIZE) {
    const raw = data.subarray(p, Math.min(p + LZ4_BLOCK_SIZE, data.length))
    // lz4-napi's block output is prefixed with the uncompressed size (uint32 LE): skip it.
    const block = lz4CompressBlock(raw).subarray(4)
    const size = Buffer.allocUnsafe(4)
    if (block.length < raw.length) {
      size.writeUInt32LE(block.length, 0)
      chunks.push(size, block)
    } else {
      size.writeUInt32LE((raw.length | LZ4_UNCOMPRESSED_FLAG) >>> 0, 0)
      chunks.push(size, raw)
    }
  }
  chunks.push(Buffer.alloc(4))
  return Buffer.concat(chunks)
}

/**
 * Returns `frame` with its LZ4 frame header checksum recomputed over the frame descriptor (FLG..).
 * Kafka (and librdkafka) write magic 0 message sets with the checksum computed over the magic
 * number too (KAFKA-3160); a standard reader rejects that, so legacy readers fix it up first.
 * Returns `frame` unchanged when it is too short to hold a frame header.
 */
export function fixLz4HeaderChecksum(frame: Buffer): Buffer {
  if (frame.length < 7 || frame.readUInt32LE(0) !== 0x184d2204) return frame
  const flg = frame[4]
  const descriptorLength = 2 + ((flg & 0x08) !== 0 ? 8 : 0) + ((flg & 0x01) !== 0 ? 4 : 0)
  if (frame.length < 4 + descriptorLength + 1) return frame
  const hc = (xxh32Small(frame, 4, 4 + descriptorLength) >>> 8) & 0xff
  if (frame[4 + descriptorLength] === hc) return frame
  const fixed = Buffer.from(frame)
  fixed[4 + descriptorLength] = hc
  return fixed
}

const PRIME32_1 = 0x9e3779b1
const PRIME32_2 = 0x85ebca77
const PRIME32_3 = 0xc2b2ae3d
const PRIME32_4 = 0x27d4eb2f
const PRIME32_5 = 0x165667b1

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

/** XXH32 with seed 0 of `buf[start, end)` for inputs shorter than 16 bytes (frame descriptors). */
function xxh32Small(buf: Buffer, start: number, end: number): number {
  let h = (PRIME32_5 + (end - start)) | 0
  let p = start
  for (; p + 4 <= end; p += 4) {
    h = (h + Math.imul(buf.readUInt32LE(p), PRIME32_3)) | 0
    h = Math.imul(rotl32(h, 17), PRIME32_4)
  }
  for (; p < end; p++) {
    h = (h + Math.imul(buf[p], PRIME32_5)) | 0
    h = Math.imul(rotl32(h, 11), PRIME32_1)
  }
  h ^= h >>> 15
  h = Math.imul(h, PRIME32_2)
  h ^= h >>> 13
  h = Math.imul(h, PRIME32_3)
  h ^= h >>> 16
  return h >>> 0
}
