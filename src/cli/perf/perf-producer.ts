/**
 * The producer behind `kts producer-perf-test`: Kafka's producer pipeline for one topic, built on our
 * protocol client (`BrokerConnection`) and record batch builder, without an object per record.
 *
 * - Accumulator (`RecordAccumulator`): per partition a queue of batches of up to `batch.size` bytes
 *   (with compression, of the estimated compressed size, as Kafka's `CompressionRatioEstimator`),
 *   ready when full, after `linger.ms`, on flush, or while appends wait for `buffer.memory`.
 * - Partitioning of keyless records as Kafka's built-in sticky partitioner (KIP-794, without
 *   adaptive weighting): a partition keeps receiving records until `batch.size` bytes went to it and
 *   its batch is full, then another partition is picked at random.
 * - Sender: per leader, up to `max.in.flight.requests.per.connection` Produce requests in flight,
 *   each with at most one batch per partition and up to `max.request.size` bytes; acks=0 requests
 *   complete once written.
 * - Idempotence (default with acks=all): InitProducerId, per-partition sequences assigned when a
 *   batch is first sent; a retried batch keeps its sequence and a partition with a retry pending
 *   sends one batch at a time, in sequence order; DUPLICATE_SEQUENCE_NUMBER counts as success.
 * - Retries of retriable errors (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, lost connections,
 *   timeouts, ...) with exponential backoff (`retry.backoff.ms` .. `retry.backoff.max.ms`) up to
 *   `retries` and `delivery.timeout.ms`; leader errors and lost connections refresh the metadata.
 *
 * Completion is reported per batch as runs of records sent in the same millisecond
 * (`onAcked(runs, nowMs)`, runs = `[sendMs, count, bytes, ...]`); failures as one Kafka exception
 * line per batch (`onError`).
 */
import {BrokerConnection, ProtocolClientError} from '../../protocol/client/broker-connection.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {ProduceApi, type ProduceResponse} from '../../protocol/generated/messages/produce.js'
import {InitProducerIdApi, type InitProducerIdResponse} from '../../protocol/generated/messages/init-producer-id.js'
import {RecordBatchBuilder} from '../../protocol/records/batch-builder.js'
import {CompressionCodec, RECORD_BATCH_OVERHEAD} from '../../protocol/records/record-batch.js'
import {ErrorCode, errorName, isRetriable} from '../../protocol/errors.js'
import {TerseError} from '../errors.js'
import {javaExceptionText} from '../groups/group-errors.js'
import type {PerfProducerSettings} from './producer-config.js'

/** What the producer reports; both are called from the event loop, never re-entrantly from `append`. */
export interface PerfProducerEvents {
  /** A batch was acknowledged at `nowMs`; `runs` holds `[sendMs, count, bytes]` triples of its records. */
  onAcked(runs: readonly number[], nowMs: number): void
  /** A batch of `records` records failed for good; `message` is Kafka's exception line. */
  onError(message: string, records: number): void
  /** A warning worth a log line (e.g. a broker that cannot be reached), at most once per text. */
  onWarning?(message: string): void
}

/** Counters for `--print-metrics` (Kafka producer metric names in `perf-test-metrics.ts`). */
export interface PerfProducerMetrics {
  startMs: number
  recordsSent: number
  recordErrors: number
  recordRetries: number
  bytesAcked: number
  batches: number
  batchBytesTotal: number
  batchBytesMax: number
  compressionRatioTotal: number
  requests: number
  requestLatencyTotalMs: number
  requestLatencyMaxMs: number
  recordQueueTimeTotalMs: number
  recordQueueTimeMaxMs: number
  bufferWaitMs: number
  bytesWritten: number
  bytesRead: number
  connectionCreations: number
  metadataRequests: number
}

/** Kafka's `CompressionRatioEstimator` steps and `MemoryRecordsBuilder` estimation factor. */
const COMPRESSION_RATIO_IMPROVING_STEP = 0.005
const COMPRESSION_RATIO_DETERIORATE_STEP = 0.05
const COMPRESSION_RATE_ESTIMATION_FACTOR = 1.05
/** Errors after which the leader is probably elsewhere: refresh the metadata. */
const METADATA_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS,
])
const SEQUENCE_MODULO = 2 ** 31

class Batch {
  readonly builder: RecordBatchBuilder
  /** `[sendMs, count, bytes]` per run of records appended in the same millisecond. */
  readonly runs: number[] = []
  full = false
  built: Buffer | null = null
  baseSequence = -1
  attempts = 0
  retryAtMs = 0
  drainedMs = 0

  constructor(readonly createdMs: number, capacity: number, readonly memory: number, reuse: Buffer | undefined) {
    this.builder = new RecordBatchBuilder(capacity, reuse)
  }
}

interface PartitionState {
  index: number
  leader: number
  queue: Batch[]
  /** The batch appends go to (the queue's last), null when it was closed. */
  open: Batch | null
  nextSequence: number
  inFlight: number
  /** Idempotent retry pending: send this partition's batches one at a time. */
  retrying: boolean
  /** A leader error was answered: send nothing until the metadata was fetched again. */
  awaitingMetadata?: boolean
}

interface NodeState {
  id: number
  host: string
  port: number
  conn: BrokerConnection | null
  connecting: boolean
  inFlight: number
  partitions: PartitionState[]
  drainIndex: number
  produceVersion: number
  /** No reconnect before this time (ms) after a failure. */
  reconnectAtMs: number
}

type Sent = Array<[PartitionState, Batch]>

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export class PerfProducer {
  /** The buffer of the batch the last `append` wrote to; the record's value goes at the returned position. */
  valueBuffer: Buffer = Buffer.alloc(0)
  readonly metrics: PerfProducerMetrics = {
    startMs: Date.now(), recordsSent: 0, recordErrors: 0, recordRetries: 0, bytesAcked: 0, batches: 0, batchBytesTotal: 0,
    batchBytesMax: 0, compressionRatioTotal: 0, requests: 0, requestLatencyTotalMs: 0, requestLatencyMaxMs: 0,
    recordQueueTimeTotalMs: 0, recordQueueTimeMaxMs: 0, bufferWaitMs: 0, bytesWritten: 0, bytesRead: 0, connectionCreations: 0,
    metadataRequests: 0,
  }

  private readonly partitions: PartitionState[] = []
  private readonly nodes = new Map<number, NodeState>()
  private bootstrap: BrokerConnection | null = null
  private sticky: PartitionState | null = null
  private stickyBytes = 0
  private compressionRatio = 1
  private bufferUsed = 0
  private queuedBatches = 0
  private producerId = -1
  private producerEpoch = -1
  private flushing = false
  private closed = false
  private lingerTimer: NodeJS.Timeout | null = null
  private housekeeping: NodeJS.Timeout | null = null
  private metadataInFlight = false
  private metadataWanted = false
  private lastMetadataMs = 0
  /** Batch buffers no longer referenced (acknowledged, or compressed away), for new batches. */
  private readonly freeBuffers: Buffer[] = []
  private freeBytes = 0
  private memoryWaiters: Array<() => void> = []
  private idleWaiters: Array<() => void> = []
  private readonly warned = new Set<string>()
  private fatal: Error | null = null

  constructor(private readonly settings: PerfProducerSettings, private readonly topic: string, private readonly events: PerfProducerEvents) {}

  /**
   * Fetches the topic's metadata (auto-creating it where the broker does) and, for an idempotent
   * producer, a producer id. Waits up to `max.block.ms`.
   * @throws TerseError `org.apache.kafka.common.errors.TimeoutException: Topic t not present in metadata after 60000 ms.`
   */
  async start(): Promise<void> {
    const deadline = Date.now() + this.settings.maxBlockMs
    for (;;) {
      let err: unknown = null
      try {
        await this.refreshMetadata()
      } catch (e) {
        err = e
      }
      if (this.partitions.length > 0) break
      if (err !== null && !(err instanceof ProtocolClientError)) throw err
      if (Date.now() + this.settings.retryBackoffMs >= deadline) {
        throw new TerseError(`org.apache.kafka.common.errors.TimeoutException: Topic ${this.topic} not present in metadata after ${this.settings.maxBlockMs} ms.`)
      }
      await delay(this.settings.retryBackoffMs)
    }
    if (this.settings.idempotence) await this.initProducerId(deadline)
    this.sticky = this.randomPartition(null)
    this.housekeeping = setInterval(() => this.tick(), 100)
  }

  /** True while the batches held exceed `buffer.memory`: wait with `waitForMemory()` before appending. */
  get mustWait(): boolean {
    return this.bufferUsed >= this.settings.bufferMemory
  }

  /** Resolves when `buffer.memory` has room again. @throws the producer's fatal error, if any. */
  async waitForMemory(): Promise<void> {
    const t0 = Date.now()
    while (this.mustWait && this.fatal === null && !this.closed) {
      this.drain()
      await new Promise<void>((resolve) => this.memoryWaiters.push(resolve))
    }
    this.metrics.bufferWaitMs += Date.now() - t0
    if (this.fatal) throw this.fatal
  }

  /**
   * Appends a keyless record of `valueLength` bytes created at `nowMs` to the sticky partition's
   * batch; the caller writes the value into `valueBuffer` at the returned position right away.
   */
  append(nowMs: number, valueLength: number): number {
    let p = this.sticky!
    if (this.stickyBytes >= 2 * this.settings.batchSize) p = this.switchPartition(p)
    for (;;) {
      const b = p.open
      if (b === null) break
      const at = b.builder.appendValueSlot(nowMs, valueLength)
      if (at >= 0) return this.appended(b, at, nowMs, valueLength)
      // Full: close it; switch partitions once batch.size bytes went to this one (KIP-794).
      this.closeBatch(p, b)
      if (this.stickyBytes >= this.settings.batchSize) p = this.switchPartition(p)
    }
    const b = this.newBatch(p, nowMs, valueLength)
    return this.appended(b, b.builder.appendValueSlot(nowMs, valueLength), nowMs, valueLength)
  }

  /** Sends what is ready (batches past linger.ms, full batches); call from the append loop's yield points. */
  poll(): void {
    this.drain()
  }

  /**
   * Makes every batch ready and resolves once all are acknowledged or failed.
   * @throws the producer's fatal error, if any.
   */
  async flush(): Promise<void> {
    this.flushing = true
    while (this.queuedBatches > 0 && this.fatal === null && !this.closed) {
      this.drain()
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
    }
    this.flushing = false
    if (this.fatal) throw this.fatal
  }

  /** Closes every connection; batches not yet acknowledged are dropped. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    if (this.housekeeping) clearInterval(this.housekeeping)
    this.collectSocketBytes()
    for (const n of this.nodes.values()) n.conn?.close()
    this.bootstrap?.close()
    this.wakeAll()
  }

  // ---- accumulator --------------------------------------------------------------------------

  private appended(b: Batch, at: number, nowMs: number, valueLength: number): number {
    const runs = b.runs
    const last = runs.length - 3
    if (last >= 0 && runs[last] === nowMs) {
      runs[last + 1]++
      runs[last + 2] += valueLength
    } else {
      runs.push(nowMs, 1, valueLength)
    }
    this.stickyBytes += valueLength + 8
    this.valueBuffer = b.builder.buffer
    return at
  }

  private newBatch(p: PartitionState, nowMs: number, valueLength: number): Batch {
    const s = this.settings
    const first = RECORD_BATCH_OVERHEAD + valueLength + 24
    let capacity = Math.max(s.batchSize, first)
    if (s.compression !== CompressionCodec.None) {
      const estimate = this.compressionRatio * COMPRESSION_RATE_ESTIMATION_FACTOR
      capacity = Math.max(first, RECORD_BATCH_OVERHEAD + Math.floor((s.batchSize - RECORD_BATCH_OVERHEAD) / estimate))
    }
    let reuse = this.freeBuffers.pop()
    if (reuse !== undefined) {
      this.freeBytes -= reuse.length
      if (reuse.length < capacity || reuse.length > 2 * capacity) reuse = undefined
    }
    const b = new Batch(nowMs, capacity, capacity, reuse)
    p.queue.push(b)
    p.open = b
    this.bufferUsed += capacity
    this.queuedBatches++
    if (this.lingerTimer === null && !this.closed) this.lingerTimer = setTimeout(() => this.onLinger(), s.lingerMs)
    return b
  }

  private closeBatch(p: PartitionState, b: Batch): void {
    b.full = true
    if (p.open === b) p.open = null
    this.drain()
  }

  private switchPartition(current: PartitionState): PartitionState {
    this.stickyBytes = 0
    const next = this.randomPartition(current)
    this.sticky = next
    return next
  }

  /** A random partition with a leader (any partition when none has one), other than `not` where possible. */
  private randomPartition(not: PartitionState | null): PartitionState {
    const withLeader = this.partitions.filter((p) => p.leader >= 0 && p !== not)
    const pool = withLeader.length > 0 ? withLeader : this.partitions.filter((p) => p !== not)
    if (pool.length === 0) return not ?? this.partitions[0]
    return pool[Math.floor(Math.random() * pool.length)]
  }

  private onLinger(): void {
    this.lingerTimer = null
    this.drain()
    // Re-arm for the oldest batch still waiting for linger.ms.
    let oldest = Infinity
    for (const p of this.partitions) if (p.open !== null && p.open.createdMs < oldest) oldest = p.open.createdMs
    if (oldest !== Infinity && !this.closed) this.lingerTimer = setTimeout(() => this.onLinger(), Math.max(0, oldest + this.settings.lingerMs - Date.now()))
  }

  /** Every 100 ms: expire batches past delivery.timeout.ms, refresh stale metadata, resend backed-off retries. */
  private tick(): void {
    const now = Date.now()
    for (const p of this.partitions) {
      while (p.queue.length > 0 && p.inFlight === 0 && now - p.queue[0].createdMs >= this.settings.deliveryTimeoutMs) {
        const b = p.queue.shift()!
        if (p.open === b) p.open = null
        this.fail(b, `org.apache.kafka.common.errors.TimeoutException: Expiring ${b.builder.count} record(s) for ${this.topic}-${p.index}:${now - b.createdMs} ms has passed since batch creation`)
      }
    }
    if (this.metadataWanted || now - this.lastMetadataMs >= this.settings.metadataMaxAgeMs) this.requestMetadata()
    this.drain()
  }

  /** Keeps a batch buffer nothing refers to any more for a later batch (up to buffer.memory of them). */
  private recycle(buf: Buffer): void {
    if (this.freeBytes + buf.length > this.settings.bufferMemory) return
    this.freeBuffers.push(buf)
    this.freeBytes += buf.length
  }

  private release(b: Batch): void {
    // Acknowledged or failed: the socket is done with an uncompressed batch's bytes.
    if (this.settings.compression === CompressionCodec.None) this.recycle(b.builder.buffer)
    this.bufferUsed -= b.memory
    this.queuedBatches--
    if (this.memoryWaiters.length > 0 && !this.mustWait) {
      const w = this.memoryWaiters
      this.memoryWaiters = []
      for (const f of w) f()
    }
    if (this.queuedBatches === 0 && this.idleWaiters.length > 0) {
      const w = this.idleWaiters
      this.idleWaiters = []
      for (const f of w) f()
    }
  }

  private wakeAll(): void {
    const w = [...this.memoryWaiters, ...this.idleWaiters]
    this.memoryWaiters = []
    this.idleWaiters = []
    for (const f of w) f()
  }

  private complete(b: Batch, nowMs: number): void {
    const m = this.metrics
    m.recordsSent += b.builder.count
    for (let i = 2; i < b.runs.length; i += 3) m.bytesAcked += b.runs[i]
    this.release(b)
    this.events.onAcked(b.runs, nowMs)
  }

  private fail(b: Batch, message: string): void {
    this.metrics.recordErrors += b.builder.count
    this.release(b)
    this.events.onError(message, b.builder.count)
  }

  // ---- sender -------------------------------------------------------------------------------

  private drain(): void {
    if (this.closed) return
    const now = Date.now()
    for (const node of this.nodes.values()) {
      if (node.partitions.length === 0) continue
      if (node.conn === null) {
        if (!node.connecting && now >= node.reconnectAtMs && node.partitions.some((p) => p.queue.length > 0)) void this.connect(node)
        continue
      }
      while (node.inFlight < this.settings.maxInFlight) {
        const sent = this.collect(node, now)
        if (sent === null) break
        this.sendProduce(node, sent, now)
      }
    }
  }

  /** Up to one ready batch per partition of `node`, within max.request.size; null when none is ready. */
  private collect(node: NodeState, now: number): Sent | null {
    const s = this.settings
    const parts = node.partitions
    const n = parts.length
    const start = node.drainIndex % n
    node.drainIndex = start + 1
    let sent: Sent | null = null
    let size = 0
    const exhausted = this.memoryWaiters.length > 0
    for (let k = 0; k < n; k++) {
      const p = parts[(start + k) % n]
      if (p.queue.length === 0 || (p.retrying && p.inFlight > 0) || p.awaitingMetadata === true) continue
      const b = p.queue[0]
      if (b.retryAtMs > now) continue
      const ready = b.full || b !== p.open || this.flushing || exhausted || now - b.createdMs >= s.lingerMs
      if (!ready) continue
      const bytes = this.build(p, b)
      if (p.open === b) p.open = null // built: closed for appends
      if (sent !== null && size + bytes.length > s.maxRequestSize) break
      p.queue.shift()
      p.inFlight++
      if (b.drainedMs === 0) {
        const queued = now - b.createdMs
        this.metrics.recordQueueTimeTotalMs += queued * b.builder.count
        if (queued > this.metrics.recordQueueTimeMaxMs) this.metrics.recordQueueTimeMaxMs = queued
      }
      b.drainedMs = now
      size += bytes.length
      ;(sent ??= []).push([p, b])
    }
    return sent
  }

  /** The batch's bytes: header, sequence (first send of an idempotent batch), compression, CRC. */
  private build(p: PartitionState, b: Batch): Buffer {
    if (b.built !== null) return b.built
    if (this.settings.idempotence) {
      b.baseSequence = p.nextSequence
      p.nextSequence = (p.nextSequence + b.builder.count) % SEQUENCE_MODULO
    }
    const built = b.builder.build({
      compression: this.settings.compression,
      compressionLevel: this.settings.compressionLevel,
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: b.baseSequence,
    })
    b.built = built
    // Compressed: the records were copied out, the builder's buffer is free already.
    if (this.settings.compression !== CompressionCodec.None) this.recycle(b.builder.buffer)
    const m = this.metrics
    m.batches++
    m.batchBytesTotal += built.length
    if (built.length > m.batchBytesMax) m.batchBytesMax = built.length
    if (this.settings.compression !== CompressionCodec.None) {
      const observed = built.length / b.builder.sizeInBytes
      m.compressionRatioTotal += observed
      const est = this.compressionRatio
      if (observed > est) this.compressionRatio = Math.max(est + COMPRESSION_RATIO_DETERIORATE_STEP, observed)
      else if (observed < est) this.compressionRatio = Math.max(est - COMPRESSION_RATIO_IMPROVING_STEP, observed)
    } else {
      m.compressionRatioTotal += 1
    }
    return built
  }

  private sendProduce(node: NodeState, sent: Sent, now: number): void {
    const s = this.settings
    const conn = node.conn!
    node.inFlight++
    this.metrics.requests++
    const msg = {
      transactionalId: null,
      acks: s.acks,
      timeoutMs: s.requestTimeoutMs,
      topicData: [{name: this.topic, partitionData: sent.map(([p, b]) => ({index: p.index, records: b.built}))}],
    }
    const done = (res: ProduceResponse | null): void => this.onProduceResponse(node, conn, sent, now, res)
    const failed = (err: unknown): void => this.onProduceFailure(node, conn, sent, err)
    if (s.acks === 0) conn.sendOneWay(ProduceApi, node.produceVersion, msg).then(() => done(null), failed)
    else conn.send(ProduceApi, node.produceVersion, msg).then((r) => done(r as ProduceResponse), failed)
  }

  private onProduceResponse(node: NodeState, conn: BrokerConnection, sent: Sent, sentMs: number, res: ProduceResponse | null): void {
    if (node.conn === conn) node.inFlight--
    const now = Date.now()
    const latency = now - sentMs
    this.metrics.requestLatencyTotalMs += latency
    if (latency > this.metrics.requestLatencyMaxMs) this.metrics.requestLatencyMaxMs = latency
    const results = new Map<number, {errorCode: number, errorMessage: string | null}>()
    if (res !== null) for (const t of res.responses) for (const r of t.partitionResponses) results.set(r.index, r)
    for (const [p, b] of sent) {
      p.inFlight--
      const r = res === null ? {errorCode: 0, errorMessage: null} : results.get(p.index) ?? {errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'No response for the partition'}
      if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        this.complete(b, now)
        if (p.retrying && p.inFlight === 0 && (p.queue.length === 0 || p.queue[0].baseSequence < 0)) p.retrying = false
      } else {
        this.retryOrFail(p, b, r.errorCode, r.errorMessage, now)
      }
    }
    this.drain()
  }

  private onProduceFailure(node: NodeState, conn: BrokerConnection, sent: Sent, err: unknown): void {
    if (node.conn === conn) {
      node.conn = null
      node.inFlight = 0
      node.reconnectAtMs = Date.now() + this.settings.retryBackoffMs
      this.collectSocketBytes(conn)
      conn.close()
    }
    if (!(err instanceof ProtocolClientError)) {
      this.fatal ??= err instanceof Error ? err : new Error(String(err))
      this.wakeAll()
      return
    }
    const timedOut = /Timed out/.test(err.message)
    const now = Date.now()
    for (const [p, b] of sent) {
      p.inFlight--
      this.retryOrFail(p, b, timedOut ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.NETWORK_EXCEPTION, err.message, now)
    }
    this.drain()
  }

  private retryOrFail(p: PartitionState, b: Batch, code: number, message: string | null, now: number): void {
    const s = this.settings
    const retriable = isRetriable(code) || (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && p.retrying)
    if (retriable && b.attempts < s.retries && now - b.createdMs < s.deliveryTimeoutMs) {
      b.attempts++
      this.metrics.recordRetries += b.builder.count
      b.retryAtMs = now + Math.min(s.retryBackoffMs * 2 ** (b.attempts - 1), Math.max(s.retryBackoffMaxMs, s.retryBackoffMs))
      if (s.idempotence) {
        // Back in sequence order, ahead of batches never sent.
        let i = 0
        while (i < p.queue.length && p.queue[i].baseSequence >= 0 && p.queue[i].baseSequence < b.baseSequence) i++
        p.queue.splice(i, 0, b)
        p.retrying = true
      } else {
        p.queue.unshift(b)
      }
      this.warnOnce(`[Producer clientId=${s.clientId}] Got error produce response on topic-partition ${this.topic}-${p.index}, retrying. Error: ${errorName(code)}`)
      if (METADATA_ERRORS.has(code)) {
        // The leader may have moved: resend once the metadata says where it is.
        p.awaitingMetadata = true
        this.requestMetadata()
      }
      return
    }
    this.fail(b, javaExceptionText(code, message))
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return
    this.warned.add(message)
    this.events.onWarning?.(message)
  }

  private async connect(node: NodeState): Promise<void> {
    node.connecting = true
    try {
      const conn = await BrokerConnection.connect({host: node.host, port: node.port, clientId: this.settings.clientId, tls: this.settings.tls, security: this.settings.security,
        requestTimeoutMs: this.settings.requestTimeoutMs + 5000})
      this.metrics.connectionCreations++
      if (this.closed) {
        conn.close()
        return
      }
      node.produceVersion = conn.version(ProduceApi)
      node.conn = conn
      node.inFlight = 0
    } catch (err) {
      node.reconnectAtMs = Date.now() + this.settings.retryBackoffMs
      this.warnOnce(`[Producer clientId=${this.settings.clientId}] Connection to node ${node.id} (${node.host}:${node.port}) could not be established. Node may not be available.`)
      if (!(err instanceof ProtocolClientError)) {
        this.fatal ??= err instanceof Error ? err : new Error(String(err))
        this.wakeAll()
      }
      this.requestMetadata()
    } finally {
      node.connecting = false
    }
    this.drain()
  }

  // ---- metadata -----------------------------------------------------------------------------

  private requestMetadata(): void {
    this.metadataWanted = true
    if (this.metadataInFlight || this.closed) return
    if (Date.now() - this.lastMetadataMs < this.settings.retryBackoffMs) return
    this.refreshMetadata().then(() => this.drain(), (err: unknown) => {
      if (err instanceof ProtocolClientError) this.warnOnce(`[Producer clientId=${this.settings.clientId}] ${err.message}. Node may not be available.`)
      else this.fatal ??= err instanceof Error ? err : new Error(String(err))
      if (this.fatal) this.wakeAll()
    })
  }

  /** A connection for Metadata: any open broker connection, else a bootstrap server. */
  private async metadataConnection(): Promise<BrokerConnection> {
    for (const n of this.nodes.values()) if (n.conn !== null) return n.conn
    if (this.bootstrap !== null) return this.bootstrap
    let lastErr: unknown = null
    for (const s of this.settings.bootstrapServers) {
      const i = s.lastIndexOf(':')
      const host = s.slice(0, i).replace(/^\[(.*)\]$/, '$1')
      try {
        this.bootstrap = await BrokerConnection.connect({host, port: Number(s.slice(i + 1)), clientId: this.settings.clientId,
          tls: this.settings.tls, security: this.settings.security, requestTimeoutMs: this.settings.requestTimeoutMs})
        this.metrics.connectionCreations++
        return this.bootstrap
      } catch (err) {
        lastErr = err
        this.warnOnce(`[Producer clientId=${this.settings.clientId}] Connection to node -1 (${s}) could not be established. Node may not be available.`)
      }
    }
    throw lastErr instanceof Error ? lastErr : new ProtocolClientError('No bootstrap server could be reached')
  }

  private async refreshMetadata(): Promise<void> {
    this.metadataInFlight = true
    this.metadataWanted = false
    let conn: BrokerConnection | null = null
    try {
      conn = await this.metadataConnection()
      this.metrics.metadataRequests++
      const res = await conn.send(MetadataApi, conn.version(MetadataApi, 12), {topics: [{name: this.topic}], allowAutoTopicCreation: true}) as MetadataResponse
      this.lastMetadataMs = Date.now()
      this.applyMetadata(res)
      for (const p of this.partitions) p.awaitingMetadata = false
    } catch (err) {
      if (conn !== null && conn === this.bootstrap) {
        this.bootstrap.close()
        this.bootstrap = null
      }
      this.metadataWanted = true
      throw err
    } finally {
      this.metadataInFlight = false
    }
  }

  private applyMetadata(res: MetadataResponse): void {
    for (const b of res.brokers) {
      const n = this.nodes.get(b.nodeId)
      if (n === undefined) {
        this.nodes.set(b.nodeId, {id: b.nodeId, host: b.host, port: b.port, conn: null, connecting: false, inFlight: 0, partitions: [],
          drainIndex: 0, produceVersion: 0, reconnectAtMs: 0})
      } else if (n.host !== b.host || n.port !== b.port) {
        n.host = b.host
        n.port = b.port
        n.conn?.close()
        n.conn = null
      }
    }
    const t = res.topics.find((x) => x.name === this.topic)
    if (t === undefined) return
    if (t.errorCode !== ErrorCode.NONE) {
      if (isRetriable(t.errorCode) || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        this.metadataWanted = true
        return
      }
      throw new TerseError(javaExceptionText(t.errorCode, null), {kafkaErrorCode: t.errorCode})
    }
    for (const pm of t.partitions) {
      let p = this.partitions.find((x) => x.index === pm.partitionIndex)
      if (p === undefined) {
        p = {index: pm.partitionIndex, leader: -1, queue: [], open: null, nextSequence: 0, inFlight: 0, retrying: false}
        this.partitions.push(p)
      }
      p.leader = pm.errorCode === ErrorCode.NONE || pm.leaderId >= 0 ? pm.leaderId : -1
      if (p.leader < 0 || !this.nodes.has(p.leader)) this.metadataWanted = true
    }
    this.partitions.sort((a, b) => a.index - b.index)
    for (const n of this.nodes.values()) n.partitions = this.partitions.filter((p) => p.leader === n.id)
  }

  private async initProducerId(deadline: number): Promise<void> {
    for (;;) {
      let code: number = ErrorCode.NONE
      try {
        const conn = await this.metadataConnection()
        const res = await conn.send(InitProducerIdApi, conn.version(InitProducerIdApi, 4), {transactionalId: null, transactionTimeoutMs: 2147483647,
          producerId: -1, producerEpoch: -1}) as InitProducerIdResponse
        if (res.errorCode === ErrorCode.NONE) {
          this.producerId = res.producerId
          this.producerEpoch = res.producerEpoch
          return
        }
        code = res.errorCode
        if (!isRetriable(code)) throw new TerseError(javaExceptionText(code, null), {kafkaErrorCode: code})
      } catch (err) {
        if (!(err instanceof ProtocolClientError)) throw err
        this.bootstrap?.close()
        this.bootstrap = null
      }
      if (Date.now() + this.settings.retryBackoffMs >= deadline) {
        throw new TerseError('org.apache.kafka.common.errors.TimeoutException: Timeout expired after 60000ms while awaiting InitProducerId')
      }
      await delay(this.settings.retryBackoffMs)
    }
  }

  /** The counters, with the bytes of the connections still open. */
  metricsSnapshot(): PerfProducerMetrics {
    const m = {...this.metrics}
    for (const c of [...[...this.nodes.values()].map((n) => n.conn), this.bootstrap]) {
      if (c === null) continue
      m.bytesWritten += c.bytesWritten
      m.bytesRead += c.bytesRead
    }
    return m
  }

  private collectSocketBytes(only?: BrokerConnection): void {
    const conns = only ? [only] : [...[...this.nodes.values()].map((n) => n.conn), this.bootstrap]
    for (const c of conns) {
      if (c === null) continue
      this.metrics.bytesWritten += c.bytesWritten
      this.metrics.bytesRead += c.bytesRead
    }
  }
}
