/**
 * The run loop of `kts console-producer` (Kafka `ConsoleProducer`, `../shared/spec/kafka-tools.md` §3):
 * stdin lines → `LineMessageReader` → a kafkajs Producer with topic auto-creation.
 *
 * kafkajs has no `linger.ms`/`batch.size` accumulator, so records are buffered here and sent
 * as one `send()` when `batch.size` bytes are pending or `linger.ms` passed (at most 5 sends in
 * flight, Kafka's `max.in.flight.requests.per.connection`). `--sync` sends and awaits each record.
 * Async send failures are logged like Kafka's `ErrorLoggingCallback` and do not stop the tool.
 */
import kafkajs, {type Message, type Producer} from 'kafkajs'
import {createKafka, toKafkaMessage} from '../admin/admin-client.js'
import {TerseError} from '../errors.js'
import {registerKafkajsCodecs} from './kafkajs-codecs.js'
import {LineMessageReader, LineSplitter, type LineRecord} from './line-message-reader.js'
import type {ConsoleProducerOptions} from './producer-options.js'
import {toolLog} from './tool-log.js'

const MAX_IN_FLIGHT = 5
const CALLBACK_LOGGER = 'org.apache.kafka.clients.producer.internals.ErrorLoggingCallback'

/** Counts of a finished run (`--json`). */
export interface ProducerRunResult { topic: string, records: number, failed: number }

function compressionType(name: ConsoleProducerOptions['compression']): number {
  const T = kafkajs.CompressionTypes
  switch (name) {
    case 'gzip': return T.GZIP
    case 'snappy': return T.Snappy
    case 'lz4': return T.LZ4
    case 'zstd': return T.ZSTD
    default: return T.None
  }
}

function toMessage(r: LineRecord): Message {
  const m: Message = {key: r.key, value: r.value}
  if (r.headers.length > 0) {
    const headers: Record<string, Buffer[]> = {}
    for (const h of r.headers) (headers[h.key] ??= []).push(h.value as Buffer) // null → kafkajs writes a null header value
    m.headers = headers
  }
  return m
}

const size = (b: Buffer | string | null | undefined): string => b === null || b === undefined ? 'null' : `${Buffer.byteLength(b)} bytes`

/** Reads `input` to EOF and produces every line to `opts.topic`. */
export async function runConsoleProducer(opts: ConsoleProducerOptions, input: NodeJS.ReadableStream & {isTTY?: boolean},
  out: NodeJS.WritableStream = process.stdout): Promise<ProducerRunResult> {
  registerKafkajsCodecs()
  const reader = new LineMessageReader(opts.reader)
  const kafka = createKafka({bootstrapServer: opts.bootstrapServer, properties: opts.properties, clientId: 'console-producer'})
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: true,
    retry: {retries: Math.max(opts.retries, 5), initialRetryTime: Math.max(opts.retryBackoffMs, 50), maxRetryTime: 1000},
  })
  try {
    await producer.connect()
  } catch (err) {
    throw new TerseError(toKafkaMessage(err), {cause: err})
  }
  const compression = compressionType(opts.compression)
  const interactive = input.isTTY === true
  let records = 0
  let failed = 0
  let pending: Message[] = []
  let pendingBytes = 0
  let timer: NodeJS.Timeout | undefined
  const inFlight = new Set<Promise<void>>()

  const send = (messages: Message[]): Promise<void> =>
    producer.send({topic: opts.topic, messages, acks: opts.acks, timeout: opts.requestTimeoutMs, compression}).then(() => undefined)

  const flushPending = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (pending.length === 0) return
    const batch = pending
    pending = []
    pendingBytes = 0
    const p: Promise<void> = send(batch).catch((err) => {
      failed += batch.length
      for (const m of batch) {
        toolLog('ERROR', `Error when sending message to topic ${opts.topic} with key: ${size(m.key)}, value: ${size(m.value)} with error:`,
          CALLBACK_LOGGER, new Error(toKafkaMessage(err)))
      }
    }).finally(() => inFlight.delete(p))
    inFlight.add(p)
  }

  const add = async (r: LineRecord): Promise<void> => {
    records++
    const m = toMessage(r)
    if (opts.sync) {
      try {
        await send([m])
      } catch (err) {
        throw new TerseError(toKafkaMessage(err), {cause: err})
      }
      return
    }
    pending.push(m)
    pendingBytes += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 16
    if (pendingBytes >= opts.batchSize || opts.lingerMs === 0) {
      flushPending()
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight)
    } else if (timer === undefined) {
      timer = setTimeout(flushPending, opts.lingerMs)
    }
  }

  const prompt = (): void => {
    if (interactive) out.write('>')
  }
  const splitter = new LineSplitter()
  const readable = input as NodeJS.ReadableStream & {setEncoding?: (e: BufferEncoding) => unknown}
  readable.setEncoding?.('utf8') // multi-byte characters split across chunks
  try {
    prompt()
    try {
      for await (const chunk of input) {
        for (const line of splitter.push(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'))) {
          await add(reader.parse(line))
          prompt()
        }
      }
    } catch (err) {
      // stdin destroyed by SIGINT/SIGTERM: end like EOF (Kafka's shutdown hook closes the producer, which flushes)
      if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err
    }
    const last = splitter.end()
    if (last !== null) await add(reader.parse(last))
  } finally {
    flushPending()
    await Promise.allSettled([...inFlight])
    await producer.disconnect().catch(() => undefined)
  }
  return {topic: opts.topic, records, failed}
}
