/**
 * The run loop of `kts console-consumer` (Kafka `ConsoleConsumer`, `../shared/spec/kafka-tools.md` §4):
 * records → `DefaultMessageFormatter` → stdout, until `--max-messages`, `--timeout-ms`, a signal
 * (`stop()`), or a broken stdout. Without a group id it uses our `SimpleConsumer` (no group
 * coordinator needed); with one, a kafkajs group consumer (commits per Kafka's auto-commit setting,
 * only for printed records).
 * The caller prints `Processed a total of N messages` on stderr with the returned count.
 */
import {clientSecurity} from '../admin/client-properties.js'
import type {Consumer, KafkaMessage} from 'kafkajs'
import {createKafka, parseBootstrapServers, toKafkaMessage} from '../admin/admin-client.js'
import {TerseError} from '../errors.js'
import type {ConsoleConsumerOptions} from './consumer-options.js'
import {registerKafkajsCodecs} from './kafkajs-codecs.js'
import {formatRecord, type ConsumedRecord} from './message-formatter.js'
import {SimpleConsumer} from './simple-consumer.js'
import {toolLog} from './tool-log.js'

const CONSUMER_LOGGER = 'org.apache.kafka.tools.consumer.ConsoleConsumer'

/** An integer consumer property, or undefined when unset. @throws TerseError on a non-integer. */
function intProperty(p: Record<string, string>, key: string): number | undefined {
  const v = p[key]
  if (v === undefined || v.trim() === '') return undefined
  const n = Number(v.trim())
  if (!Number.isSafeInteger(n)) throw new TerseError(`Invalid value ${v} for configuration ${key}: Not a number of type INT`)
  return n
}

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
    const security = clientSecurity(p)
    const consumer = new SimpleConsumer({
      bootstrapServers: parseBootstrapServers(this.opts.bootstrapServer),
      clientId: p['client.id'] ?? 'console-consumer',
      security,
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

  /**
   * Group mode (Kafka's console consumer with `group.id`: `subscribe`, `enable.auto.commit` true
   * unless set): a kafkajs group consumer. Only printed records are resolved, and kafkajs commits
   * the resolved offsets after each batch, before a rebalance and so before leaving; so a stop
   * (`--max-messages`, `--timeout-ms`, a signal) never commits an unprinted record (Kafka rewinds
   * to the first unprinted record before `close()` for the same effect). With no committed offset
   * a partition starts at `auto.offset.reset` (`--from-beginning` = earliest).
   * Consumer properties used: `session.timeout.ms` (45000), `heartbeat.interval.ms` (3000),
   * `max.poll.interval.ms` (rebalance timeout, 300000), `fetch.max.wait.ms` (500),
   * `fetch.min.bytes`, `fetch.max.bytes`, `max.partition.fetch.bytes`, `enable.auto.commit`.
   */
  private async runGroup(groupId: string): Promise<void> {
    registerKafkajsCodecs()
    const p = this.opts.properties
    const kafka = createKafka({bootstrapServer: this.opts.bootstrapServer, properties: p, clientId: 'console-consumer'})
    const consumer: Consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: true,
      readUncommitted: this.opts.isolationLevel === 0,
      maxWaitTimeInMs: intProperty(p, 'fetch.max.wait.ms') ?? 500,
      sessionTimeout: intProperty(p, 'session.timeout.ms') ?? 45_000,
      heartbeatInterval: intProperty(p, 'heartbeat.interval.ms') ?? 3000,
      rebalanceTimeout: intProperty(p, 'max.poll.interval.ms') ?? 300_000,
      minBytes: intProperty(p, 'fetch.min.bytes'),
      maxBytes: intProperty(p, 'fetch.max.bytes'),
      maxBytesPerPartition: intProperty(p, 'max.partition.fetch.bytes'),
      retry: {retries: 5},
    })
    const autoCommit = (p['enable.auto.commit'] ?? 'true').trim().toLowerCase() !== 'false'
    let finish!: (err?: Error) => void
    const done = new Promise<void>((resolve, reject) => {
      finish = (err) => err ? reject(err) : resolve()
    })
    consumer.on(consumer.events.CRASH, (e) => {
      const {error, restart} = e.payload as {error?: Error, restart?: boolean}
      if (this.stopRequested) return
      // A retriable failure (broker restart, coordinator move): kafkajs rejoins by itself, as the
      // Java consumer keeps polling; only a fatal one ends the tool.
      if (restart === true) {
        toolLog('WARN', `[Consumer clientId=${p['client.id'] ?? 'console-consumer'}, groupId=${groupId}] ${toKafkaMessage(error)}; rejoining the group`,
          'org.apache.kafka.clients.consumer.internals.ConsumerCoordinator')
        return
      }
      finish(new TerseError(`Unknown error when running consumer: ${toKafkaMessage(error)}`, {cause: error}))
    })
    this.stopHook = () => finish()
    try {
      await consumer.connect()
      if (this.stopRequested) return
      await consumer.subscribe({topics: [this.opts.topic ?? (this.opts.include as RegExp)], fromBeginning: this.opts.start === 'earliest'})
      if (this.stopRequested) return
      await consumer.run({
        autoCommit,
        eachBatchAutoResolve: false,
        eachBatch: async ({batch, resolveOffset}) => {
          for (const m of batch.messages) {
            if (this.stopRequested) break
            await this.emit([this.toRecord(batch.topic, batch.partition, m)])
            resolveOffset(m.offset)
          }
        },
      })
      await done
    } catch (err) {
      if (this.stopRequested && !(err instanceof TerseError)) return
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
