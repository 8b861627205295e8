/**
 * Options of `kts producer-perf-test`, validated as Kafka's `ProducerPerformance` [4.0] does
 * (argparse4j, then `ConfigPostProcessor`), with its messages behind the `kts producer-perf-test:
 * error:` prefix argparse4j prints (`producer-performance: error: argument --topic is required`):
 * - `argument --topic is required` (then --num-records, --throughput), `one of the arguments
 *   --record-size --payload-file --payload-monotonic is required`, `argument --payload-file: not
 *   allowed with argument --record-size`, `argument --num-records: could not convert 'x' to Long (For input string: "x")`;
 * - `--num-records should be greater than zero`, `--record-size should be greater than zero`,
 *   `Either --producer-props or --producer.config must be specified.`,
 *   `--transaction-duration-ms should be greater than zero`;
 * - then, unprefixed as Kafka's exceptions: `Invalid property: x`, `File does not exist or empty file provided.`
 *
 * Transactions (`--transactional-id`, `--transaction-duration-ms`, `transactional.id`) are refused:
 * kts has no transaction coordinator yet.
 */
import fs from 'node:fs'
import path from 'node:path'
import {TerseError, UsageError} from '../errors.js'
import {readPropertiesFile, type ClientProperties} from '../admin/client-properties.js'
import {resolvePerfProducerSettings, type PerfProducerSettings} from './producer-config.js'

const PROG = 'kts producer-perf-test'

/** Flags as oclif parses them (numbers still strings, as argparse4j sees them). */
export interface RawProducerPerfFlags {
  topic?: string
  'num-records'?: string
  'record-size'?: string
  'payload-file'?: string
  'payload-monotonic'?: boolean
  'payload-delimiter'?: string
  throughput?: string
  'producer-props'?: string[]
  'producer.config'?: string
  'print-metrics'?: boolean
  'transactional-id'?: string
  'transaction-duration-ms'?: string
}

/** Where record values come from. */
export type PayloadSource =
  | {kind: 'random', size: number}
  | {kind: 'file', payloads: Buffer[]}
  | {kind: 'monotonic'}

export interface ProducerPerfOptions {
  topic: string
  numRecords: number
  /** Records per second; negative = unthrottled. */
  throughput: number
  payload: PayloadSource
  printMetrics: boolean
  producer: PerfProducerSettings
  /** The merged producer properties (for the record). */
  properties: ClientProperties
  /** Lines Kafka prints to stdout while reading options (`Reading payloads from: ...`). */
  notices: string[]
}

function argError(message: string): UsageError {
  return new UsageError(`${PROG}: error: ${message}`)
}

/** Java `Long.parseLong` / `Integer.parseInt` as argparse4j converts, with its error text. */
function javaInteger(raw: string, flag: string, type: 'Long' | 'Integer'): number {
  const limit = type === 'Long' ? 2n ** 63n : 2n ** 31n
  if (/^[+-]?\d+$/.test(raw)) {
    const b = BigInt(raw)
    if (b >= -limit && b < limit) {
      if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < -BigInt(Number.MAX_SAFE_INTEGER)) throw argError(`argument ${flag}: ${raw} is too large for this tool`)
      return Number(b)
    }
  }
  const why = raw === '' ? (type === 'Long' ? 'For input string: ""' : 'For input string: ""') : `For input string: "${raw}"`
  throw argError(`argument ${flag}: could not convert '${raw}' to ${type} (${why})`)
}

/** Java `Double.valueOf` (decimal, exponent, Infinity, NaN, trailing d/f), with argparse4j's error text. */
function javaDouble(raw: string, flag: string): number {
  const t = raw.trim()
  if (/^[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[dDfF]?)$/.test(t)) return Number(t.replace(/[dDfF]$/, ''))
  throw argError(`argument ${flag}: could not convert '${raw}' to Double (${t === '' ? 'empty String' : `For input string: "${raw}"`})`)
}

/**
 * `k=v` arguments of `--producer-props` as Kafka splits them (`prop.split("=")` must give exactly 2
 * pieces; Java drops trailing empty pieces, so `a=` is invalid and `=b` is an empty key).
 * @throws TerseError `Invalid property: <prop>`.
 */
export function parseProducerProps(args: readonly string[]): ClientProperties {
  const out: ClientProperties = {}
  for (const prop of args) {
    const pieces = prop.split('=')
    while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop()
    if (pieces.length !== 2) throw new TerseError(`Invalid property: ${prop}`)
    out[pieces[0]] = pieces[1]
  }
  return out
}

/**
 * The payloads of `--payload-file`, split at `delimiter` like Java's `Scanner.useDelimiter` (a
 * regex; empty tokens skipped), as UTF-8.
 * @throws TerseError `File does not exist or empty file provided.`
 */
export function readPayloadFile(file: string, delimiter: string): Buffer[] {
  let text: string
  try {
    if (fs.statSync(file).size === 0) throw new Error('empty')
    text = fs.readFileSync(file, 'utf8')
  } catch {
    throw new TerseError('File does not exist or empty file provided.')
  }
  let re: RegExp
  try {
    re = new RegExp(delimiter, 'u')
  } catch {
    re = new RegExp(delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'u')
  }
  return text.split(re).filter((s) => s.length > 0).map((s) => Buffer.from(s, 'utf8'))
}

/**
 * Validates the flags in Kafka's order and merges `--producer.config` with `--producer-props`
 * (which win) into producer settings.
 * @throws UsageError / TerseError as listed in the file comment; producer config errors from `resolvePerfProducerSettings`.
 */
export function resolveProducerPerfOptions(raw: RawProducerPerfFlags): ProducerPerfOptions {
  // argparse4j: conflicts in the mutually exclusive group are found while parsing.
  const payloadFlags = (['record-size', 'payload-file', 'payload-monotonic'] as const).filter((f) => raw[f] !== undefined && raw[f] !== false)
  if (payloadFlags.length > 1) throw argError(`argument --${payloadFlags[1]}: not allowed with argument --${payloadFlags[0]}`)
  const numRecords = raw['num-records'] === undefined ? undefined : javaInteger(raw['num-records'], '--num-records', 'Long')
  const recordSize = raw['record-size'] === undefined ? undefined : javaInteger(raw['record-size'], '--record-size', 'Integer')
  const throughput = raw.throughput === undefined ? undefined : javaDouble(raw.throughput, '--throughput')
  const txDuration = raw['transaction-duration-ms'] === undefined ? undefined : javaInteger(raw['transaction-duration-ms'], '--transaction-duration-ms', 'Long')
  if (raw.topic === undefined) throw argError('argument --topic is required')
  if (numRecords === undefined) throw argError('argument --num-records is required')
  if (throughput === undefined) throw argError('argument --throughput is required')
  if (payloadFlags.length === 0) throw argError('one of the arguments --record-size --payload-file --payload-monotonic is required')

  if (numRecords <= 0) throw argError('--num-records should be greater than zero')
  if (recordSize !== undefined && recordSize <= 0) throw argError('--record-size should be greater than zero')
  if (raw['producer-props'] === undefined && raw['producer.config'] === undefined) throw argError('Either --producer-props or --producer.config must be specified.')
  if (txDuration !== undefined && txDuration <= 0) throw argError('--transaction-duration-ms should be greater than zero')

  const notices: string[] = []
  const delimiter = raw['payload-delimiter'] === undefined || raw['payload-delimiter'] === '\\n' ? '\n' : raw['payload-delimiter']
  let payload: PayloadSource
  if (raw['payload-file'] !== undefined) {
    notices.push(`Reading payloads from: ${path.resolve(raw['payload-file'])}`)
    const payloads = readPayloadFile(raw['payload-file'], delimiter)
    notices.push(`Number of messages read: ${payloads.length}`)
    if (payloads.length === 0) throw new TerseError('no payload File Path or record Size or payload-monotonic option provided')
    payload = {kind: 'file', payloads}
  } else if (recordSize !== undefined) {
    payload = {kind: 'random', size: recordSize}
  } else {
    payload = {kind: 'monotonic'}
  }

  const properties: ClientProperties = {
    ...(raw['producer.config'] === undefined ? {} : readPropertiesFile(raw['producer.config'])),
    ...parseProducerProps(raw['producer-props'] ?? []),
  }
  if (raw['transactional-id'] !== undefined || txDuration !== undefined || properties['transactional.id'] !== undefined) {
    throw new UsageError(`${PROG}: transactions are not supported yet (--transactional-id, --transaction-duration-ms, transactional.id): kts has no transaction coordinator`)
  }
  return {
    topic: raw.topic,
    numRecords,
    throughput,
    payload,
    printMetrics: raw['print-metrics'] === true,
    producer: resolvePerfProducerSettings(properties),
    properties,
    notices,
  }
}
