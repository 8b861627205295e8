/**
 * `--key-decoder-class` / `--value-decoder-class` of `kts dump-log`: Kafka loads a Java class
 * (`org.apache.kafka.tools.api.Decoder`); kts knows Kafka's own decoders by name and refuses others.
 */
import {UsageError} from '../errors.js'

/** Bytes → printed text (a Kafka `Decoder` and its `toString`). */
export type Decoder = (bytes: Buffer) => string

const DECODERS: Record<string, Decoder> = {
  'org.apache.kafka.tools.api.StringDecoder': (b) => b.toString('utf8'),
  'org.apache.kafka.tools.api.IntegerDecoder': (b) => String(b.readInt32BE(0)),
  'org.apache.kafka.tools.api.LongDecoder': (b) => String(b.readBigInt64BE(0)),
}

/** Kafka 3.8+ maps the deprecated `kafka.serializer.*` names, printing a line on stdout. */
const DEPRECATED: Record<string, string> = {
  'kafka.serializer.StringDecoder': 'org.apache.kafka.tools.api.StringDecoder',
  'kafka.serializer.IntegerDecoder': 'org.apache.kafka.tools.api.IntegerDecoder',
  'kafka.serializer.LongDecoder': 'org.apache.kafka.tools.api.LongDecoder',
}

/**
 * The decoder named `className` (default StringDecoder), and the deprecation line Kafka prints for
 * it (or null).
 * @throws UsageError for a class kts cannot run
 */
export function decoderFor(className: string | undefined): {decoder: Decoder, notice: string | null} {
  const name = className === undefined || className === '' ? 'org.apache.kafka.tools.api.StringDecoder' : className
  const mapped = DEPRECATED[name]
  const notice = mapped === undefined ? null : `${name} is deprecated. Please use ${mapped} instead`
  const decoder = DECODERS[mapped ?? name]
  if (decoder === undefined) {
    throw new UsageError(`kts dump-log cannot load Java decoder classes: ${name} (supported: ${Object.keys(DECODERS).join(', ')})`)
  }
  return {decoder, notice}
}
