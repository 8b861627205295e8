/**
 * A minimal fetch-based consumer without a consumer group, for `kts console-consumer` without
 * `--group` (assign mode, `--partition`, or plain `--topic`, which Kafka runs with a throw-away
 * group and no commits). Built on our protocol client and generated codecs:
 * Metadata → ListOffsets (earliest -2 / latest -1) → a Fetch loop per leader, record batches
 * decoded with `decodeRecordBatches`. Handles leader moves and unknown topics by refreshing
 * metadata, OFFSET_OUT_OF_RANGE by resetting, and read_committed by dropping aborted
 * transactions (Kafka `CompletedFetch` logic). Control batches are never returned.
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../protocol/generated/messages/list-offsets.js'
import {FetchApi, type FetchResponse} from '../../protocol/generated/messages/fetch.js'
import {decodeRecordBatches, decodeControlRecordKey, ControlRecordType} from '../../protocol/records/records.js'
import {ErrorCode, KafkaError, errorName} from '../../protocol/errors.js'
import type {ConsumedRecord} from './message-formatter.js'
import type {StartOffset} from './consumer-options.js'

/** Options of `SimpleConsumer`. Times in ms, sizes in bytes. */
export interface SimpleConsumerOptions {
  bootstrapServers: string[]
  clientId: string
  tls?: boolean
  /** TLS/SASL settings (wins over `tls`). */
  security?: ClientSecurity
  /** One topic, or a whole-name pattern. */
  topic?: string
  include?: RegExp
  /** Only this partition of `topic`. */
  partition?: number
  /** Start position of newly assigned partitions. */
  start: StartOffset
  /** Where OFFSET_OUT_OF_RANGE resets to (`auto.offset.reset`). */
  resetPolicy: 'earliest' | 'latest'
  isolationLevel: 0 | 1
  /** fetch.max.wait.ms (500), fetch.min.bytes (1), fetch.max.bytes (52428800), max.partition.fetch.bytes (1048576). */
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  partitionMaxBytes?: number
  requestTimeoutMs?: number
  /** Called with a warning line (e.g. unknown topic), at most once per distinct text. */
  onWarning?: (message: string) => void
}

interface Position {
  topic: string
  partition: number
  /** Next offset to fetch; null until resolved with ListOffsets. */
  offset: number | null
  /** What to resolve a null offset to. */
  reset: 'earliest' | 'latest'
  leader: number
  leaderEpoch: number
}

const RETRY_CODES = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.UNKNOWN_TOPIC_ID, ErrorCode.REPLICA_NOT_AVAILABLE, ErrorCode.OFFSET_NOT_AVAILABLE,
])

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export class SimpleConsumer {
  private readonly positions = new Map<string, Position>()
  private readonly brokers = new Map<number, {host: string, port: number}>()
  private readonly connections = new Map<number, Promise<BrokerConnection>>()
  private bootstrap: BrokerConnection | null = null
  private stopped = false
  private needMetadata = true
  private lastMetadataMs = 0
  private readonly warned = new Set<string>()

  constructor(private readonly opts: SimpleConsumerOptions) {}

  /** Makes `run()` return after the current round (in-flight fetches are abandoned). */
  stop(): void {
    this.stopped = true
  }

  /**
   * Fetches until `stop()`; `onRecords` gets each partition's records in offset order and
   * returns false to stop. Throws KafkaError for non-retriable partition errors and
   * ProtocolClientError when no broker is reachable.
   */
  async run(onRecords: (records: ConsumedRecord[]) => Promise<boolean> | boolean): Promise<void> {
    let backoff = 50
    try {
      while (!this.stopped) {
        try {
          const patternRefresh = this.opts.include !== undefined && Date.now() - this.lastMetadataMs > 5000
          if (this.needMetadata || patternRefresh || this.positions.size === 0) await this.refreshMetadata()
          if (this.stopped) break
          if (this.positions.size === 0) {
            await delay(Math.min(backoff *= 2, 500))
            continue
          }
          await this.resolveOffsets()
          const more = await this.fetchRound(onRecords)
          if (!more) break
          backoff = 50
        } catch (err) {
          if (!(err instanceof ProtocolClientError)) throw err
          this.warnOnce(`${err.message}. Node may not be available.`)
          this.dropConnections()
          this.needMetadata = true
          if (this.stopped) break
          await delay(backoff = Math.min(backoff * 2, 1000))
        }
      }
    } finally {
      this.dropConnections()
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return
    this.warned.add(message)
    this.opts.onWarning?.(message)
  }

  private dropConnections(): void {
    for (const c of this.connections.values()) c.then((conn) => conn.close(), () => undefined)
    this.connections.clear()
    this.bootstrap?.close()
    this.bootstrap = null
  }

  private async bootstrapConnection(): Promise<BrokerConnection> {
    if (this.bootstrap) return this.bootstrap
    let lastErr: unknown
    for (const s of this.opts.bootstrapServers) {
      const i = s.lastIndexOf(':')
      try {
        this.bootstrap = await BrokerConnection.connect({host: s.slice(0, i), port: Number(s.slice(i + 1)), clientId: this.opts.clientId,
          tls: this.opts.tls, security: this.opts.security, requestTimeoutMs: this.opts.requestTimeoutMs})
        return this.bootstrap
      } catch (err) {
        lastErr = err
      }
    }
    throw lastErr instanceof Error ? lastErr : new ProtocolClientError('No bootstrap server could be reached')
  }

  private connection(nodeId: number): Promise<BrokerConnection> {
    let c = this.connections.get(nodeId)
    if (c === undefined) {
      const b = this.brokers.get(nodeId)
      if (b === undefined) return Promise.reject(new ProtocolClientError(`Unknown broker ${nodeId}`))
      c = BrokerConnection.connect({host: b.host, port: b.port, clientId: this.opts.clientId, tls: this.opts.tls, security: this.opts.security, requestTimeoutMs: this.opts.requestTimeoutMs})
      c.catch(() => this.connections.delete(nodeId))
      this.connections.set(nodeId, c)
    }
    return c
  }

  private async refreshMetadata(): Promise<void> {
    const conn = await this.bootstrapConnection()
    const version = conn.version(MetadataApi, 12)
    const topics = this.opts.topic !== undefined ? [{name: this.opts.topic}] : null
    const res = await conn.send(MetadataApi, version, {topics, allowAutoTopicCreation: true}) as MetadataResponse
    this.lastMetadataMs = Date.now()
    this.needMetadata = false
    this.brokers.clear()
    for (const b of res.brokers) this.brokers.set(b.nodeId, {host: b.host, port: b.port})
    for (const t of res.topics) {
      if (t.name === null) continue
      if (this.opts.include !== undefined && (t.isInternal || !this.opts.include.test(t.name))) continue
      if (t.errorCode !== 0) {
        if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || t.errorCode === ErrorCode.LEADER_NOT_AVAILABLE) {
          this.warnOnce(`Error while fetching metadata: {${t.name}=${errorName(t.errorCode)}}`)
          this.needMetadata = true
          continue
        }
        throw new KafkaError(t.errorCode, `${errorName(t.errorCode)} for topic ${t.name}`)
      }
      for (const p of t.partitions) {
        if (this.opts.partition !== undefined && p.partitionIndex !== this.opts.partition) continue
        const key = `${t.name}\u0000${p.partitionIndex}`
        const pos = this.positions.get(key)
        if (p.leaderId < 0) this.needMetadata = true
        if (pos) {
          pos.leader = p.leaderId
          pos.leaderEpoch = p.leaderEpoch
        } else {
          const start = this.opts.start
          this.positions.set(key, {
            topic: t.name, partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch,
            offset: typeof start === 'number' ? start : null,
            reset: typeof start === 'number' ? this.opts.resetPolicy : start,
          })
        }
      }
    }
    if (this.opts.partition !== undefined && this.positions.size === 0) this.needMetadata = true
  }

  /** ListOffsets for partitions without a position, grouped by leader. */
  private async resolveOffsets(): Promise<void> {
    const byLeader = new Map<number, Position[]>()
    for (const p of this.positions.values()) {
      if (p.offset !== null || p.leader < 0) continue
      const list = byLeader.get(p.leader) ?? []
      list.push(p)
      byLeader.set(p.leader, list)
    }
    await Promise.all([...byLeader].map(async ([leader, parts]) => {
      const conn = await this.connection(leader)
      const version = conn.version(ListOffsetsApi, 3) // v4+ only adds leader epochs; librdkafka's mock cluster garbles multi-partition v4+ responses
      const topics = new Map<string, Position[]>()
      for (const p of parts) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p])
      const res = await conn.send(ListOffsetsApi, version, {
        replicaId: -1,
        isolationLevel: this.opts.isolationLevel,
        topics: [...topics].map(([name, ps]) => ({
          name,
          partitions: ps.map((p) => ({partitionIndex: p.partition, currentLeaderEpoch: p.leaderEpoch, timestamp: p.reset === 'earliest' ? -2 : -1, maxNumOffsets: 1})),
        })),
      }) as ListOffsetsResponse
      for (const t of res.topics) {
        for (const r of t.partitions) {
          const pos = this.positions.get(`${t.name}\u0000${r.partitionIndex}`)
          if (pos === undefined) continue
          if (r.errorCode !== 0) {
            if (RETRY_CODES.has(r.errorCode)) {
              this.needMetadata = true
              continue
            }
            throw new KafkaError(r.errorCode, `${errorName(r.errorCode)} listing offsets of ${t.name}-${r.partitionIndex}`)
          }
          pos.offset = version === 0 ? (r.oldStyleOffsets[0] ?? 0) : r.offset
        }
      }
    }))
  }

  /** One Fetch per leader, concurrently. Returns false when `onRecords` asked to stop. */
  private async fetchRound(onRecords: (records: ConsumedRecord[]) => Promise<boolean> | boolean): Promise<boolean> {
    const byLeader = new Map<number, Position[]>()
    for (const p of this.positions.values()) {
      if (p.offset === null || p.leader < 0) continue
      const list = byLeader.get(p.leader) ?? []
      list.push(p)
      byLeader.set(p.leader, list)
    }
    if (byLeader.size === 0) {
      this.needMetadata = true
      await delay(100)
      return true
    }
    let keepGoing = true
    await Promise.all([...byLeader].map(async ([leader, parts]) => {
      const conn = await this.connection(leader)
      const version = conn.version(FetchApi, 12)
      const topics = new Map<string, Position[]>()
      for (const p of parts) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p])
      const res = await conn.send(FetchApi, version, {
        replicaId: -1,
        maxWaitMs: this.opts.maxWaitMs ?? 500,
        minBytes: this.opts.minBytes ?? 1,
        maxBytes: this.opts.maxBytes ?? 52428800,
        isolationLevel: this.opts.isolationLevel,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics].map(([topic, ps]) => ({
          topic,
          partitions: ps.map((p) => ({partition: p.partition, currentLeaderEpoch: p.leaderEpoch, fetchOffset: p.offset as number,
            logStartOffset: -1, partitionMaxBytes: this.opts.partitionMaxBytes ?? 1048576})),
        })),
      }) as FetchResponse
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `${errorName(res.errorCode)} fetching from broker ${leader}`)
      for (const t of res.responses) {
        for (const pd of t.partitions) {
          if (!keepGoing || this.stopped) return
          const pos = this.positions.get(`${t.topic}\u0000${pd.partitionIndex}`)
          if (pos === undefined || pos.offset === null) continue
          if (pd.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            pos.offset = null
            pos.reset = this.opts.resetPolicy
            continue
          }
          if (pd.errorCode !== 0) {
            if (RETRY_CODES.has(pd.errorCode)) {
              this.needMetadata = true
              continue
            }
            throw new KafkaError(pd.errorCode, `${errorName(pd.errorCode)} fetching ${t.topic}-${pd.partitionIndex}`)
          }
          if (pd.records === null || pd.records.length === 0) continue
          const records = this.decode(pos, pd.records, pd.abortedTransactions)
          if (records.length > 0 && !(await onRecords(records))) keepGoing = false
        }
      }
    }))
    return keepGoing
  }

  /** Records at or after the position, minus control records and (read_committed) aborted ones; advances the position. */
  private decode(pos: Position, buf: Buffer, aborted: Array<{producerId: number, firstOffset: number}> | null): ConsumedRecord[] {
    const out: ConsumedRecord[] = []
    const fetchOffset = pos.offset as number
    const pendingAborts = this.opts.isolationLevel === 1 && aborted ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : []
    const abortedProducers = new Set<number>()
    for (const batch of decodeRecordBatches(buf)) {
      while (pendingAborts.length > 0 && pendingAborts[0].firstOffset <= batch.lastOffset) abortedProducers.add(pendingAborts.shift()!.producerId)
      pos.offset = Math.max(pos.offset as number, batch.lastOffset + 1)
      if (batch.lastOffset < fetchOffset) continue
      if (batch.isControl) {
        if (batch.records.length > 0 && decodeControlRecordKey(batch.records[0].key).type === ControlRecordType.ABORT) abortedProducers.delete(batch.producerId)
        continue
      }
      if (this.opts.isolationLevel === 1 && batch.isTransactional && abortedProducers.has(batch.producerId)) continue
      const timestampType = batch.magic === 0 ? -1 : batch.timestampType
      for (const r of batch.records) {
        if (r.offset < fetchOffset) continue
        out.push({topic: pos.topic, partition: pos.partition, offset: r.offset, timestamp: r.timestamp, timestampType,
          key: r.key, value: r.value, headers: r.headers})
      }
    }
    return out
  }
}
