/**
 * The run loop of `kts console-consumer` (Kafka `ConsoleConsumer`, `../shared/spec/kafka-tools.md` §4):
 * records → `DefaultMessageFormatter` → stdout, until `--max-messages`, `--timeout-ms`, a signal
 * (`stop()`), or a broken stdout. Without a group id it uses our `SimpleConsumer` (no group
 * coordinator needed); with one, a kafkajs group consumer (commits per Kafka's auto-commit setting,
 * only for printed records).
 * The caller prints `Processed a total of N messages` on stderr with the returned count.
 */
import type {Consumer, KafkaMessage} from 'kafkajs'
import {createKafka, parseBootstrapServers, toKafkaMessage} from '../admin/admin-client.js'
import {TerseError} from '../errors.js'
import type {ConsoleConsumerOptions} from './consumer-options.js'
import {registerKafkajsCodecs} from './kafkajs-codecs.js'
import {formatRecord, type ConsumedRecord} from './message-formatter.js'
import {SimpleConsumer} from './simple-consumer.js'
import {toolLog} from './tool-log.js'

const CONSUMER_LOGGER = 'org.apache.kafka.tools.consumer.ConsoleConsumer'

/** A running console consumer. */
export class ConsoleConsumerRun {
  /** Records handed to the formatter. */
  processed = 0
  private stopRequested = false
  private stopHook: (() => void) | null = null
  private idleTimer: NodeJS.Timeout | undefined
  private outputBroken = false
  private timedOut = false

  constructor(private readonly opts: ConsoleConsumerOptions, private readonly out: NodeJS.WritableStream = process.stdout) {}

  /** Ends the run (SIGINT/SIGTERM); `run()` then resolves. */
  stop(): void {
    this.stopRequested = true
    this.stopHook?.()
  }

  /** Consumes until a stop condition. @throws TerseError on an unrecoverable client error. */
  async run(): Promise<{processed: number, timedOut: boolean}> {
    this.out.on('error', () => {
      if (!this.outputBroken) process.stderr.write('Unable to write to standard out, closing consumer.\n')
      this.outputBroken = true
      this.stop()
    })
    this.armIdleTimer()
    try {
      if (this.opts.groupId === undefined) await this.runSimple()
      else await this.runGroup(this.opts.groupId)
    } finally {
      if (this.idleTimer) clearTimeout(this.idleTimer)
    }
    return {processed: this.processed, timedOut: this.timedOut}
  }

  private armIdleTimer(): void {
    if (this.opts.timeoutMs === undefined) return
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => {
      this.timedOut = true
      toolLog('ERROR', 'Error processing message, terminating consumer process: ', CONSUMER_LOGGER,
        Object.assign(new Error(''), {name: 'org.apache.kafka.common.errors.TimeoutException'}))
      this.stop()
    }, this.opts.timeoutMs)
  }

  /** Formats and writes records; returns false once the run should end. */
  private async emit(records: ConsumedRecord[]): Promise<boolean> {
    if (this.stopRequested) return false
    const max = this.opts.maxMessages
    const take = max === undefined ? records : records.slice(0, Math.max(0, max - this.processed))
    const chunks: Buffer[] = []
    for (const r of take) formatRecord(this.opts.formatter, r, chunks)
    this.processed += take.length
    if (take.length > 0) this.armIdleTimer()
    if (chunks.length > 0 && !this.outputBroken) {
      const ok = this.out.write(Buffer.concat(chunks))
      if (!ok) await new Promise<void>((resolve) => {
        this.out.once('drain', resolve)
        this.out.once('error', resolve)
      })
    }
    if (max !== undefined && this.processed >= max) this.stop()
    return !this.stopRequested
  }

  private async runSimple(): Promise<void> {
    const p = this.opts.properties
    const num = (k: string): number | undefined => p[k] === undefined ? undefined : Number(p[k])
    const security = (p['security.protocol'] ?? 'PLAINTEXT').toUpperCase()
    if (security.startsWith('SASL')) throw new TerseError('SASL is not supported by the console consumer without --group yet')
    const consumer = new SimpleConsumer({
      bootstrapServers: parseBootstrapServers(this.opts.bootstrapServer),
      clientId: p['client.id'] ?? 'console-consumer',
      tls: security === 'SSL',
      topic: this.opts.topic,
      include: this.opts.include,
      partition: this.opts.partition,
      start: this.opts.start,
      resetPolicy: this.opts.partition !== undefined ? 'latest' : (this.opts.start === 'earliest' ? 'earliest' : 'latest'),
      isolationLevel: this.opts.isolationLevel,
      maxWaitMs: num('fetch.max.wait.ms'),
      minBytes: num('fetch.min.bytes'),
      maxBytes: num('fetch.max.bytes'),
      partitionMaxBytes: num('max.partition.fetch.bytes'),
      requestTimeoutMs: num('request.timeout.ms'),
      onWarning: (m) => toolLog('WARN', `[Consumer clientId=${p['client.id'] ?? 'console-consumer'}] ${m}`, 'org.apache.kafka.clients.NetworkClient'),
    })
    this.stopHook = () => consumer.stop()
    if (this.stopRequested) return
    try {
      await consumer.run((records) => this.emit(records))
    } catch (err) {
      if (this.stopRequested) return
      throw new TerseError(`Unknown error when running consumer: ${(err as Error).message}`, {cause: err})
    }
  }

  private async runGroup(groupId: string): Promise<void> {
    registerKafkajsCodecs()
    const p = this.opts.properties
    const kafka = createKafka({bootstrapServer: this.opts.bootstrapServer, properties: p, clientId: 'console-consumer'})
    const consumer: Consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: true,
      readUncommitted: this.opts.isolationLevel === 0,
      maxWaitTimeInMs: p['fetch.max.wait.ms'] ? Number(p['fetch.max.wait.ms']) : 500,
      sessionTimeout: p['session.timeout.ms'] ? Number(p['session.timeout.ms']) : 45_000,
      retry: {retries: 5},
    })
    const autoCommit = (p['enable.auto.commit'] ?? 'true').trim().toLowerCase() !== 'false'
    let finish!: (err?: Error) => void
    const done = new Promise<void>((resolve, reject) => {
      finish = (err) => err ? reject(err) : resolve()
    })
    consumer.on(consumer.events.CRASH, (e) => {
      const err = (e.payload as {error?: Error}).error
      finish(new TerseError(`Unknown error when running consumer: ${toKafkaMessage(err)}`, {cause: err}))
    })
    this.stopHook = () => finish()
    try {
      await consumer.connect()
      await consumer.subscribe({topics: [this.opts.topic ?? (this.opts.include as RegExp)], fromBeginning: this.opts.start === 'earliest'})
      if (!this.stopRequested) {
        await consumer.run({
          autoCommit,
          eachBatchAutoResolve: false,
          eachBatch: async ({batch, resolveOffset, commitOffsetsIfNecessary}) => {
            const records = batch.messages.map((m) => this.toRecord(batch.topic, batch.partition, m))
            for (const r of records) {
              if (this.stopRequested) break
              await this.emit([r])
              resolveOffset(String(r.offset))
            }
            if (autoCommit) await commitOffsetsIfNecessary()
          },
        })
        await done
      }
    } catch (err) {
      if (err instanceof TerseError) throw err
      throw new TerseError(`Unknown error when running consumer: ${toKafkaMessage(err)}`, {cause: err})
    } finally {
      await consumer.disconnect().catch(() => undefined)
    }
  }

  private toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
    const headers: Array<{key: string, value: Buffer | null}> = []
    for (const [key, v] of Object.entries(m.headers ?? {})) {
      for (const value of Array.isArray(v) ? v : [v]) headers.push({key, value: value === undefined || value === null ? null : Buffer.from(value)})
    }
    const attributes = (m as {attributes?: number}).attributes ?? 0
    return {topic, partition, offset: Number(m.offset), timestamp: Number(m.timestamp), timestampType: (attributes & 0x08) !== 0 ? 1 : 0,
      key: m.key ?? null, value: m.value ?? null, headers}
  }
}
