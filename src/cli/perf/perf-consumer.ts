/**
 * The consumer behind `kts consumer-perf-test`: one member of a classic consumer group
 * (`GroupMember`: JoinGroup/SyncGroup with range assignment, heartbeats, commits) that fetches its
 * partitions from their leaders with our protocol client and counts records from batch headers,
 * never decoding records into objects (`record-counter.ts`).
 *
 * Fetching is pipelined per leader: as soon as a Fetch response arrives, the next offsets are read
 * from its batch headers and the next Fetch is sent; the records are counted while it is on its way.
 * Positions start at the group's committed offsets, else at `auto.offset.reset` (ListOffsets);
 * OFFSET_OUT_OF_RANGE resets; leader errors and lost connections refresh the metadata. A rebalance
 * asked by the coordinator (REBALANCE_IN_PROGRESS in a heartbeat) commits the consumed positions
 * (with enable.auto.commit), revokes everything and rejoins (the eager protocol). `close()` commits
 * and leaves the group, as Kafka's `KafkaConsumer.close()`.
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {BrokerConnection, ProtocolClientError} from '../../protocol/client/broker-connection.js'
import {FetchApi, type FetchResponse} from '../../protocol/generated/messages/fetch.js'
import {ListOffsetsApi, type ListOffsetsResponse} from '../../protocol/generated/messages/list-offsets.js'
import {ErrorCode} from '../../protocol/errors.js'
import {TerseError} from '../errors.js'
import {ClusterClient} from '../groups/cluster-client.js'
import {GroupMember} from '../groups/group-member.js'
import {javaExceptionText} from '../groups/group-errors.js'
import {tpKey, type TopicPartition} from '../groups/group-model.js'
import {countRecords, nextFetchOffset} from './record-counter.js'

/** Settings of `PerfConsumer` (consumer properties after validation). Times in ms, sizes in bytes. */
export interface PerfConsumerSettings {
  bootstrapServers: string[]
  clientId: string
  tls: boolean
  /** TLS/SASL settings of security.protocol. */
  security: ClientSecurity
  groupId: string
  groupInstanceId: string | null
  autoOffsetReset: 'earliest' | 'latest' | 'none'
  maxPartitionFetchBytes: number
  fetchMaxBytes: number
  fetchMinBytes: number
  fetchMaxWaitMs: number
  sessionTimeoutMs: number
  heartbeatIntervalMs: number
  maxPollIntervalMs: number
  /** 0 read_uncommitted, 1 read_committed. */
  isolationLevel: 0 | 1
  enableAutoCommit: boolean
  autoCommitIntervalMs: number
  requestTimeoutMs: number
  retryBackoffMs: number
}

/** Rebalance callbacks (Kafka `ConsumerRebalanceListener`) and warnings. */
export interface PerfConsumerEvents {
  onPartitionsAssigned(partitions: readonly TopicPartition[]): void
  onPartitionsRevoked(partitions: readonly TopicPartition[]): void
  onWarning?(message: string): void
}

/** Counters for `--print-metrics`. */
export interface PerfConsumerMetrics {
  startMs: number
  fetches: number
  fetchLatencyTotalMs: number
  fetchLatencyMaxMs: number
  fetchBytesTotal: number
  fetchBytesMax: number
  records: number
  bytes: number
  joins: number
  joinTimeTotalMs: number
  joinTimeMaxMs: number
  commits: number
  connectionCreations: number
}

export interface ConsumeResult {
  records: number
  bytes: number
  /** True when no record came for `timeoutMs`. */
  timedOut: boolean
}

interface Position {
  tp: TopicPartition
  /** Next offset to fetch. */
  fetchOffset: number
  /** Offset after the last record counted (what a commit stores). */
  consumed: number
  leader: number
  leaderEpoch: number
}

/** Partition errors after which the leader is to be looked up again. */
const LEADER_ERRORS = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.LEADER_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH, ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.REPLICA_NOT_AVAILABLE, ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.OFFSET_NOT_AVAILABLE, ErrorCode.NOT_ENOUGH_REPLICAS,
])

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Why a fetch phase ended. */
type PhaseEnd = 'done' | 'rejoin' | 'metadata' | 'timeout'

export class PerfConsumer {
  readonly metrics: PerfConsumerMetrics = {
    startMs: Date.now(), fetches: 0, fetchLatencyTotalMs: 0, fetchLatencyMaxMs: 0, fetchBytesTotal: 0, fetchBytesMax: 0, records: 0, bytes: 0,
    joins: 0, joinTimeTotalMs: 0, joinTimeMaxMs: 0, commits: 0, connectionCreations: 0,
  }

  private readonly cluster: ClusterClient
  private readonly member: GroupMember
  private readonly positions = new Map<string, Position>()
  private readonly fetchConnections = new Map<number, Promise<BrokerConnection>>()
  private readonly warned = new Set<string>()
  private stopped = false
  private rejoinRequested = false
  /** A JoinGroup was given up while in flight (see close()). */
  private joinAbandoned = false
  private fatal: Error | null = null
  private lastCommitMs = Date.now()
  private wakePhase: (() => void) | null = null
  /** Partitions of the topic at the last metadata refresh (0 when it does not exist). */
  private knownPartitions = 0
  /** `knownPartitions` right after the last join (-1 until the first refresh after it). */
  private partitionsAtJoin = -1
  private readonly brokers = new Map<number, {host: string, port: number}>()

  constructor(private readonly settings: PerfConsumerSettings, private readonly topic: string, private readonly events: PerfConsumerEvents) {
    // Connections to the coordinator wait for JoinGroup as long as a rebalance may take.
    this.cluster = new ClusterClient({bootstrapServers: settings.bootstrapServers, clientId: settings.clientId, tls: settings.tls, security: settings.security,
      timeoutMs: Math.max(settings.requestTimeoutMs, settings.maxPollIntervalMs + 5000)})
    this.member = new GroupMember(this.cluster, {
      groupId: settings.groupId, groupInstanceId: settings.groupInstanceId, topics: [topic], sessionTimeoutMs: settings.sessionTimeoutMs,
      rebalanceTimeoutMs: settings.maxPollIntervalMs, heartbeatIntervalMs: settings.heartbeatIntervalMs, retryBackoffMs: settings.retryBackoffMs,
    })
  }

  /** Ends `run()` at its next step. */
  stop(): void {
    this.stopped = true
    this.wakePhase?.()
  }

  /**
   * Joins the group and counts records until `limit` are counted, `stop()`, or no record arrived for
   * `timeoutMs` (also while joining). `onRecords` gets each Fetch response's count and key+value bytes.
   * @throws GroupKafkaError / TerseError for fatal group or partition errors.
   */
  async run(limit: number, timeoutMs: number, onRecords: (records: number, bytes: number, nowMs: number) => void): Promise<ConsumeResult> {
    let records = 0
    let bytes = 0
    let lastConsumedMs = Date.now()
    const timedOut = (): boolean => Date.now() - lastConsumedMs > timeoutMs
    const count = (n: number, b: number): boolean => {
      const now = Date.now()
      if (n > 0) lastConsumedMs = now
      records += n
      bytes += b
      onRecords(n, b, now)
      return records >= limit
    }
    let assigned: TopicPartition[] | null = null
    while (!this.stopped && records < limit && this.fatal === null) {
      if (assigned === null) {
        const t0 = Date.now()
        const joined = await this.joinWithin(() => this.stopped || timedOut())
        if (joined === null) break
        assigned = joined
        this.metrics.joins++
        const took = Date.now() - t0
        this.metrics.joinTimeTotalMs += took
        if (took > this.metrics.joinTimeMaxMs) this.metrics.joinTimeMaxMs = took
        this.events.onPartitionsAssigned(assigned)
        this.rejoinRequested = false
        // Kafka logs "Request joining group due to: <reason>" at INFO, which its tools do not print.
        this.member.startHeartbeats(() => {
          this.rejoinRequested = true
          this.wakePhase?.()
        }, (err) => {
          this.fatal ??= err
          this.wakePhase?.()
        })
        this.positions.clear()
        this.partitionsAtJoin = this.member.leaderPartitionCounts?.get(this.topic) ?? (this.member.leaderPartitionCounts ? 0 : -1)
        for (const tp of assigned) this.positions.set(tpKey(tp), {tp, fetchOffset: -1, consumed: -1, leader: -1, leaderEpoch: -1})
      }
      const end = await this.fetchPhase(limit - records, count, timedOut)
      if (end === 'timeout' || end === 'done') break
      if (end === 'metadata') await delay(this.settings.retryBackoffMs)
      if (end === 'rejoin') {
        this.member.stopHeartbeats()
        if (this.settings.enableAutoCommit) await this.commitQuietly()
        this.events.onPartitionsRevoked(assigned)
        assigned = null
      }
    }
    if (this.fatal) throw this.fatal
    return {records, bytes, timedOut: records < limit && !this.stopped}
  }

  /** Commits the consumed positions (enable.auto.commit), leaves the group and closes every connection. */
  async close(): Promise<void> {
    this.member.stopHeartbeats()
    // A JoinGroup given up by joinWithin() still holds the coordinator connection (the broker answers
    // a connection's requests in order, and a JoinGroup only once the rebalance completes): drop it,
    // so that the commit and LeaveGroup go out on a fresh connection instead of queuing behind it.
    if (this.joinAbandoned) this.cluster.dropConnections()
    if (this.settings.enableAutoCommit && this.member.generationId >= 0) await this.commitQuietly()
    await this.member.leave()
    for (const c of this.fetchConnections.values()) c.then((conn) => conn.close(), () => undefined)
    this.fetchConnections.clear()
    this.cluster.close()
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return
    this.warned.add(message)
    this.events.onWarning?.(message)
  }

  /** `member.join()`, given up (null) once `giveUp()` holds (checked every 100 ms). */
  private async joinWithin(giveUp: () => boolean): Promise<TopicPartition[] | null> {
    let timer: NodeJS.Timeout | undefined
    const watchdog = new Promise<null>((resolve) => {
      timer = setInterval(() => {
        if (giveUp()) resolve(null)
      }, 100)
    })
    try {
      const joined = await Promise.race([this.member.join(giveUp), watchdog])
      if (joined === null) this.joinAbandoned = true
      return joined
    } finally {
      clearInterval(timer)
    }
  }

  private async commitQuietly(): Promise<void> {
    const offsets = [...this.positions.values()].filter((p) => p.consumed >= 0).map((p) => ({...p.tp, offset: p.consumed}))
    if (offsets.length === 0) return
    try {
      await this.member.commit(offsets)
      this.metrics.commits++
    } catch (err) {
      this.warnOnce(`[Consumer clientId=${this.settings.clientId}, groupId=${this.settings.groupId}] Offset commit failed: ${(err as Error).message}`)
    }
  }

  /**
   * Resolves leaders and missing positions, then runs one pipelined fetch loop per leader until
   * the limit, a rebalance, a leader change or the timeout.
   */
  private async fetchPhase(limit: number, count: (n: number, b: number) => boolean, timedOut: () => boolean): Promise<PhaseEnd> {
    // Each phase ends once, through its own resolver: fetchers of an earlier phase that finish late
    // must not end this one.
    let end: PhaseEnd | null = null
    let wake: () => void = () => undefined
    const phase = new Promise<void>((resolve) => (wake = resolve))
    const finish = (e: PhaseEnd): void => {
      if (end !== null) return
      end = e
      wake()
    }
    try {
      await this.refreshLeaders()
      await this.resolvePositions()
    } catch (err) {
      if (!(err instanceof ProtocolClientError)) throw err
      this.warnOnce(`[Consumer clientId=${this.settings.clientId}, groupId=${this.settings.groupId}] ${err.message}. Node may not be available.`)
      this.cluster.dropConnections()
      await delay(this.settings.retryBackoffMs)
      return timedOut() ? 'timeout' : 'metadata'
    }
    // The topic's partition count changed since the assignment (e.g. it did not exist yet): Kafka's
    // leader would rebalance; rejoin.
    if (this.partitionsAtJoin < 0) this.partitionsAtJoin = this.knownPartitions
    else if (this.knownPartitions !== this.partitionsAtJoin) return 'rejoin'
    const byLeader = new Map<number, Position[]>()
    for (const p of this.positions.values()) {
      if (p.leader < 0 || p.fetchOffset < 0) continue
      byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p])
    }
    if (byLeader.size === 0) {
      // Nothing to fetch (no partitions assigned, or no leader yet): look again after a while.
      await delay(Math.max(this.settings.retryBackoffMs, 500))
      if (this.stopped || this.fatal) return 'done'
      if (this.rejoinRequested) return 'rejoin'
      return timedOut() ? 'timeout' : 'metadata'
    }
    let remaining = limit
    const onCounted = (n: number, b: number): void => {
      remaining -= n
      if (count(n, b)) finish('done')
    }
    const wakeThisPhase = (): void => finish(this.rejoinRequested && !this.stopped ? 'rejoin' : 'done')
    this.wakePhase = wakeThisPhase
    const watchdog = setInterval(() => {
      if (this.stopped) finish('done')
      else if (this.rejoinRequested) finish('rejoin')
      else if (timedOut()) finish('timeout')
      else if (this.fatal) finish('done')
    }, 50)
    const fetchers = [...byLeader].map(([leader, parts]) => this.fetchLoop(leader, parts, () => end !== null, () => remaining, onCounted)
      .then((e) => finish(e), (err: unknown) => {
        if (end === null) this.fatal ??= err instanceof Error ? err : new Error(String(err))
        finish('done')
      }))
    await phase
    clearInterval(watchdog)
    if (this.wakePhase === wakeThisPhase) this.wakePhase = null
    void Promise.allSettled(fetchers)
    return end ?? 'metadata'
  }

  private async refreshLeaders(): Promise<void> {
    const md = await this.cluster.metadata([this.topic])
    for (const b of md.brokers) this.brokers.set(b.nodeId, {host: b.host, port: b.port})
    const t = md.topics.find((x) => x.name === this.topic)
    this.knownPartitions = t !== undefined && t.errorCode === ErrorCode.NONE ? t.partitions.length : 0
    if (t === undefined || t.errorCode !== ErrorCode.NONE) return
    for (const pm of t.partitions) {
      const p = this.positions.get(tpKey({topic: this.topic, partition: pm.partitionIndex}))
      if (p === undefined) continue
      p.leader = pm.leaderId
      p.leaderEpoch = pm.leaderEpoch
    }
  }

  /** Committed offsets, else auto.offset.reset (ListOffsets earliest/latest) for positions not known yet. */
  private async resolvePositions(): Promise<void> {
    const missing = [...this.positions.values()].filter((p) => p.fetchOffset < 0)
    if (missing.length === 0) return
    const committed = await this.member.committedOffsets(missing.map((p) => p.tp))
    const reset: Position[] = []
    for (const p of missing) {
      const c = committed.get(tpKey(p.tp))
      if (c !== undefined) {
        p.fetchOffset = c
        p.consumed = c
      } else {
        reset.push(p)
      }
    }
    await this.resetPositions(reset)
  }

  /** Moves `parts` to the earliest/latest offset per auto.offset.reset. @throws TerseError for `none`. */
  private async resetPositions(parts: Position[]): Promise<void> {
    if (parts.length === 0) return
    if (this.settings.autoOffsetReset === 'none') {
      throw new TerseError(`org.apache.kafka.clients.consumer.NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [${parts.map((p) => `${p.tp.topic}-${p.tp.partition}`).join(', ')}]`)
    }
    const byLeader = new Map<number, Position[]>()
    for (const p of parts) if (p.leader >= 0) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p])
    await Promise.all([...byLeader].map(async ([leader, ps]) => {
      const conn = await this.cluster.node(leader)
      const version = conn.version(ListOffsetsApi, 3)
      const res = await conn.send(ListOffsetsApi, version, {
        replicaId: -1, isolationLevel: this.settings.isolationLevel,
        topics: [{name: this.topic, partitions: ps.map((p) => ({partitionIndex: p.tp.partition, currentLeaderEpoch: p.leaderEpoch,
          timestamp: this.settings.autoOffsetReset === 'earliest' ? -2 : -1, maxNumOffsets: 1}))}],
      }) as ListOffsetsResponse
      for (const t of res.topics) {
        for (const r of t.partitions) {
          const p = this.positions.get(tpKey({topic: t.name, partition: r.partitionIndex}))
          if (p === undefined) continue
          if (r.errorCode !== ErrorCode.NONE) {
            if (LEADER_ERRORS.has(r.errorCode)) continue
            throw new TerseError(javaExceptionText(r.errorCode, null), {kafkaErrorCode: r.errorCode})
          }
          p.fetchOffset = version === 0 ? (r.oldStyleOffsets[0] ?? 0) : r.offset
          p.consumed = p.fetchOffset
        }
      }
    }))
  }

  private fetchConnection(leader: number): Promise<BrokerConnection> {
    let c = this.fetchConnections.get(leader)
    if (c === undefined) {
      c = (async () => {
        const b = this.brokers.get(leader)
        if (b === undefined) throw new ProtocolClientError(`Unknown broker ${leader}`)
        const conn = await BrokerConnection.connect({host: b.host, port: b.port, clientId: this.settings.clientId, tls: this.settings.tls, security: this.settings.security,
          requestTimeoutMs: this.settings.requestTimeoutMs + this.settings.fetchMaxWaitMs})
        this.metrics.connectionCreations++
        return conn
      })()
      c.catch(() => {
        if (this.fetchConnections.get(leader) === c) this.fetchConnections.delete(leader)
      })
      this.fetchConnections.set(leader, c)
    }
    return c
  }

  /**
   * The pipelined fetch loop of one leader: send, and on each response send the next Fetch (offsets
   * from the batch headers) before counting the records. Ends when `over()` or on an error that
   * needs new metadata or positions.
   */
  private async fetchLoop(leader: number, parts: Position[], over: () => boolean, remaining: () => number,
    onCounted: (n: number, b: number) => void): Promise<PhaseEnd> {
    let conn: BrokerConnection
    try {
      conn = await this.fetchConnection(leader)
    } catch (err) {
      if (!(err instanceof ProtocolClientError)) throw err
      this.warnOnce(`[Consumer clientId=${this.settings.clientId}, groupId=${this.settings.groupId}] Connection to node ${leader} could not be established. Node may not be available.`)
      await delay(this.settings.retryBackoffMs)
      return 'metadata'
    }
    const version = conn.version(FetchApi, 12)
    const send = (): {sentMs: number, offsets: number[], response: Promise<FetchResponse>} => {
      const offsets = parts.map((p) => p.fetchOffset)
      this.metrics.fetches++
      const response = conn.send(FetchApi, version, {
        replicaId: -1, maxWaitMs: this.settings.fetchMaxWaitMs, minBytes: this.settings.fetchMinBytes, maxBytes: this.settings.fetchMaxBytes,
        isolationLevel: this.settings.isolationLevel, sessionId: 0, sessionEpoch: -1,
        topics: [{topic: this.topic, partitions: parts.map((p, i) => ({partition: p.tp.partition, currentLeaderEpoch: p.leaderEpoch,
          fetchOffset: offsets[i], logStartOffset: -1, partitionMaxBytes: this.settings.maxPartitionFetchBytes}))}],
        forgottenTopicsData: [], rackId: '',
      }) as Promise<FetchResponse>
      response.catch(() => undefined)
      return {sentMs: Date.now(), offsets, response}
    }
    let inFlight = send()
    const byPartition = new Map<number, number>(parts.map((p, i) => [p.tp.partition, i]))
    while (!over()) {
      let res: FetchResponse
      try {
        res = await inFlight.response
      } catch (err) {
        if (!(err instanceof ProtocolClientError)) throw err
        if (over()) break
        this.fetchConnections.delete(leader)
        conn.close()
        this.warnOnce(`[Consumer clientId=${this.settings.clientId}, groupId=${this.settings.groupId}] ${err.message}`)
        await delay(this.settings.retryBackoffMs)
        return 'metadata'
      }
      const now = Date.now()
      const latency = now - inFlight.sentMs
      this.metrics.fetchLatencyTotalMs += latency
      if (latency > this.metrics.fetchLatencyMaxMs) this.metrics.fetchLatencyMaxMs = latency
      if (res.errorCode !== ErrorCode.NONE) {
        if (LEADER_ERRORS.has(res.errorCode)) return 'metadata'
        throw new TerseError(javaExceptionText(res.errorCode, null), {kafkaErrorCode: res.errorCode})
      }
      if (over()) break
      const requested = inFlight.offsets
      // Header pass: where each partition continues, then the next request goes out at once.
      let needMetadata = false
      const reset: Position[] = []
      let size = 0
      for (const t of res.responses) {
        for (const pd of t.partitions) {
          const i = byPartition.get(pd.partitionIndex)
          if (i === undefined) continue
          const p = parts[i]
          if (pd.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            reset.push(p)
          } else if (pd.errorCode !== ErrorCode.NONE) {
            if (!LEADER_ERRORS.has(pd.errorCode)) throw new TerseError(javaExceptionText(pd.errorCode, null), {kafkaErrorCode: pd.errorCode})
            needMetadata = true
          } else if (pd.records !== null && pd.records.length > 0) {
            size += pd.records.length
            if (p.fetchOffset === requested[i]) p.fetchOffset = nextFetchOffset(pd.records, requested[i])
          }
        }
      }
      this.metrics.fetchBytesTotal += size
      if (size > this.metrics.fetchBytesMax) this.metrics.fetchBytesMax = size
      if (reset.length > 0) {
        for (const p of reset) p.fetchOffset = -1
        await this.resetPositions(reset)
        return 'metadata'
      }
      if (needMetadata) return 'metadata'
      inFlight = send()
      // Count pass.
      let n = 0
      let b = 0
      for (const t of res.responses) {
        for (const pd of t.partitions) {
          const i = byPartition.get(pd.partitionIndex)
          if (i === undefined || pd.errorCode !== ErrorCode.NONE || pd.records === null || pd.records.length === 0) continue
          const left = remaining() - n
          if (left <= 0) break
          const c = countRecords(pd.records, Math.max(requested[i], parts[i].consumed), left)
          n += c.records
          b += c.bytes
          if (c.position > parts[i].consumed) parts[i].consumed = c.position
        }
      }
      this.metrics.records += n
      this.metrics.bytes += b
      onCounted(n, b)
      if (this.settings.enableAutoCommit && now - this.lastCommitMs >= this.settings.autoCommitIntervalMs) {
        this.lastCommitMs = now
        void this.commitQuietly()
      }
    }
    return 'done'
  }
}
