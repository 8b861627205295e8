/**
 * Registers snappy, lz4 and zstd with kafkajs (`CompressionCodecs`), implemented by the project's
 * own `src/protocol/records/compression.ts` (Kafka's framings: xerial snappy, lz4 frame, zstd frame).
 * kafkajs has gzip built in.
 */
import kafkajs from 'kafkajs'
import {compress, decompress, CompressionCodec} from '../../protocol/records/compression.js'

let registered = false

/** Idempotent: registers the three codecs once per process. */
export function registerKafkajsCodecs(): void {
  if (registered) return
  registered = true
  const {CompressionCodecs, CompressionTypes} = kafkajs
  const codec = (id: CompressionCodec) => () => ({
    async compress(encoder: {buffer: Buffer}): Promise<Buffer> { return compress(id, encoder.buffer) },
    async decompress(buffer: Buffer): Promise<Buffer> { return decompress(id, buffer) },
  })
  const codecs = CompressionCodecs as unknown as Record<number, unknown>
  codecs[CompressionTypes.Snappy] = codec(CompressionCodec.Snappy)
  codecs[CompressionTypes.LZ4] = codec(CompressionCodec.Lz4)
  codecs[CompressionTypes.ZSTD] = codec(CompressionCodec.Zstd)
}
