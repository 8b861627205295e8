/**
 * RaftManager: the driver of the Raft core for a node (Kafka `KafkaRaftManager` +
 * `KafkaRaftClientDriver`). It owns the core (kafka-raft-client.ts), the files of
 * `<metadata.log.dir>/__cluster_metadata-0` (the log over UnifiedLog, quorum-state, snapshots),
 * real time (`Date.now()`, one timer re-armed to the core's next deadline), the outbound
 * connections to the voters' controller listeners (raft-network-channel.ts) and the inbound API
 * handlers (`apis()`: Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot) that the
 * node mounts on its controller listener.
 *
 * `start` resolves once the latest snapshot was handed to the listener and, with a single voter,
 * once this node leads and the whole log was delivered; with several voters the log after the
 * snapshot is delivered as the leader reports it committed. A broken Raft invariant or an
 * unreadable file after start is fatal: the manager closes and `onFatal` is called.
 */
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import fs from 'node:fs'
import type {DescribeQuorumResponsePartitionData} from '../../protocol/generated/messages/describe-quorum.js'
import type {ApiDefinition} from '../apis/registry.js'
import {voteApi} from '../apis/vote.js'
import {beginQuorumEpochApi} from '../apis/begin-quorum-epoch.js'
import {endQuorumEpochApi} from '../apis/end-quorum-epoch.js'
import {raftFetchApi} from '../apis/raft-fetch.js'
import {fetchSnapshotApi} from '../apis/fetch-snapshot.js'
import {addRaftVoterApi, removeRaftVoterApi, updateRaftVoterApi} from '../apis/raft-voter-changes.js'
import {KafkaMetadataLog} from './kafka-metadata-log.js'
import {KafkaRaftClient, NotLeaderError, type LeaderAndEpoch, type RaftListener, type RaftLogger} from './kafka-raft-client.js'
import {FileQuorumStateStore} from './quorum-state-file.js'
import type {RaftConfig} from './raft-config.js'
import {errorResponseBody, type OutboundMessage, type RaftRequestBody, type RaftResponseBody} from './raft-messages.js'
import {RaftNetworkChannel, type VoterEndpoint} from './raft-network-channel.js'
import type {RecordSerde, SnapshotId} from './replicated-log.js'
import {FileSnapshotStore, snapshotName} from './snapshot-file.js'
import {ErrorCode} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {SUPPORTED_KRAFT_VERSION, type Endpoint, type VoterNode} from './voter-set.js'

export {NotLeaderError}
export type {LeaderAndEpoch, RaftListener, RecordSerde, SnapshotId}
export type {CommittedBatch} from './kafka-raft-client.js'

export interface RaftManagerOptions<T> {
  /** How to secure connections to the other voters' controller listener (PLAINTEXT when absent). */
  security?: ClientSecurity
  nodeId: number
  clusterId: string
  /** Directory id of the metadata log dir (meta.properties), for Fetch and DescribeQuorum. */
  directoryId?: string
  /** metadata.log.dir: `__cluster_metadata-0` goes under it. */
  metadataLogDir: string
  /** controller.quorum.voters (kraft.version 0); empty: a dynamic quorum (kraft.version 1, KIP-853). */
  voters: VoterEndpoint[]
  /** controller.quorum.bootstrap.servers: where observers of a dynamic quorum look for the leader. */
  bootstrapServers?: {host: string, port: number}[]
  /** controller.listener.names[0]: the listener of the voters' endpoints. */
  listenerName?: string
  /** This node's advertised controller listeners (a controller; none for a broker). */
  localEndpoints?: Endpoint[]
  /** process.roles contains controller (a static voter must; a broker-only node is an observer). */
  isVoterProcess: boolean
  raftConfig: RaftConfig
  serde: RecordSerde<T>
  listener: RaftListener<T>
  logger: RaftLogger
  /** metadata.log.segment.bytes / metadata.log.segment.ms */
  segmentBytes?: number
  segmentMs?: number
  /** metadata.max.retention.bytes: log bytes above which a new snapshot trims the log. */
  maxRetentionBytes?: number
  /** Called once after a fatal error (the manager is closed by then). */
  onFatal?: (err: Error) => void
}

/** What the Raft API handlers need (apis/vote.ts etc.). */
export interface RaftRequestHandler {
  /** Hands a Raft request to the core; resolves with its response (a Fetch may wait up to MaxWaitMs). */
  handleRaftRequest(body: RaftRequestBody, apiVersion: number): Promise<RaftResponseBody['data']>
}

/** Longest a timer is armed (setTimeout's limit is 2^31 - 1 ms). */
const MAX_TIMER_MS = 60_000

export class RaftManager<T> implements RaftRequestHandler {
  readonly nodeId: number
  private readonly core: KafkaRaftClient<T>
  private readonly channel: RaftNetworkChannel
  private timer: NodeJS.Timeout | null = null
  private pollScheduled = false
  private nextRequestId = 1
  private readonly inbound = new Map<number, {apiKey: RaftRequestBody['apiKey'], resolve: (data: RaftResponseBody['data']) => void}>()
  private readonly shutdownWaiters: (() => void)[] = []
  private closed = false

  private constructor(private readonly opts: RaftManagerOptions<T>, private readonly log: KafkaMetadataLog) {
    this.nodeId = opts.nodeId
    const partitionDir = KafkaMetadataLog.partitionDir(opts.metadataLogDir)
    const dynamic = opts.voters.length === 0
    const logger = opts.logger
    const listener = opts.listener
    this.core = new KafkaRaftClient<T>({
      nodeId: opts.nodeId, directoryId: opts.directoryId, clusterId: opts.clusterId, log,
      ...(dynamic ? {} : {voters: opts.voters.map(v => v.id)}),
      bootstrapServers: opts.bootstrapServers?.length ?? 0, listenerName: opts.listenerName, localEndpoints: opts.localEndpoints,
      quorumStateStore: new FileQuorumStateStore(partitionDir, () => this.core.voters().map(v => v.id)),
      snapshotStore: new FileSnapshotStore(partitionDir),
      serde: opts.serde, config: opts.raftConfig, random: Math.random, logger, maxRetentionBytes: opts.maxRetentionBytes,
    })
    this.core.register({
      handleLoadSnapshot(snapshot) {
        logger.info(`Loaded metadata snapshot ${snapshotName(snapshot.id)} (${snapshot.records.length} records)`)
        listener.handleLoadSnapshot(snapshot)
      },
      handleCommit: batch => listener.handleCommit(batch),
      handleLeaderChange: leader => listener.handleLeaderChange(leader),
    })
    const bootstrap = (opts.bootstrapServers ?? []).map((b, i) => ({id: -(i + 2), host: b.host, port: b.port}))
    this.channel = new RaftNetworkChannel([...opts.voters, ...bootstrap], {clientId: `raft-client-${opts.nodeId}`, requestTimeoutMs: opts.raftConfig.requestTimeoutMs, retryBackoffMs: opts.raftConfig.retryBackoffMs, security: opts.security})
  }

  /**
   * Opens the metadata log, quorum-state and snapshots, replays the latest snapshot (and with a
   * single voter, after electing itself, the whole log) to the listener, and starts the loop.
   * @throws Error when the files cannot be read, or a broker-only process is listed as a voter
   */
  static async start<T>(opts: RaftManagerOptions<T>): Promise<RaftManager<T>> {
    const isVoter = opts.voters.some(v => v.id === opts.nodeId)
    if (isVoter && !opts.isVoterProcess) throw new Error(`Node ${opts.nodeId} is listed in controller.quorum.voters but does not run the controller role`)
    if (opts.voters.length > 0 && !isVoter && opts.isVoterProcess) throw new Error(`Node ${opts.nodeId} runs the controller role but is not in controller.quorum.voters ${opts.voters.map(v => `${v.id}@${v.host}:${v.port}`).join(',')}`)
    if (opts.voters.length === 0 && (opts.bootstrapServers ?? []).length === 0) throw new Error('Neither controller.quorum.voters nor controller.quorum.bootstrap.servers is set')
    fs.mkdirSync(opts.metadataLogDir, {recursive: true})
    const log = KafkaMetadataLog.open({metadataLogDir: opts.metadataLogDir, segmentBytes: opts.segmentBytes, segmentMs: opts.segmentMs, logger: opts.logger})
    if (log.bytesTruncatedOnLoad > 0) opts.logger.warn(`Truncated ${log.bytesTruncatedOnLoad} bytes of a torn tail from the metadata log`)
    let manager: RaftManager<T>
    try {
      manager = new RaftManager(opts, log)
      manager.core.initialize(Date.now())
    } catch (err) {
      log.close()
      throw err
    }
    manager.poll()
    return manager
  }

  // ---- the contract of the node ---------------------------------------------------------------

  leaderAndEpoch(): LeaderAndEpoch {
    return this.core.leaderAndEpoch()
  }

  isLeader(): boolean {
    return this.core.isLeader()
  }

  highWatermark(): number {
    return this.core.highWatermark()
  }

  logEndOffset(): number {
    return this.core.logEndOffset()
  }

  latestSnapshotId(): SnapshotId | null {
    return this.core.latestSnapshotId()
  }

  /**
   * Appends `records` in `epoch` as one atomic batch after the append linger time
   * (`controller.quorum.append.linger.ms`); the listener gets them once committed.
   * @returns the offset of the last record
   * @throws NotLeaderError when this node is not the leader of `epoch`; BatchTooLargeError over 8 MiB
   */
  scheduleAppend(epoch: number, records: T[]): number {
    if (this.closed) throw new NotLeaderError('The Raft manager is closed')
    const last = this.core.scheduleAppend(epoch, records, Date.now())
    this.schedulePoll()
    return last
  }

  /** Writes the scheduled records now rather than after the linger time (Kafka `schedulePreparedAppend`). */
  flushAppends(): void {
    this.core.flushAppends()
    this.schedulePoll()
  }

  /**
   * Writes a snapshot of the owner's state as of `endOffset` (≤ the high watermark); `epoch` is the
   * epoch of the record at endOffset - 1. Older snapshots go; the log is trimmed to it when larger
   * than metadata.max.retention.bytes.
   * @returns the snapshot id, or null when not newer than the latest snapshot
   * @throws Error when the offset or epoch does not match the committed log
   */
  createSnapshot(endOffset: number, epoch: number, records: T[]): SnapshotId | null {
    return this.core.createSnapshot(endOffset, epoch, records, Date.now())
  }

  /** 0: static voters (controller.quorum.voters); 1: the voters live in the metadata log (KIP-853). */
  kraftVersion(): number {
    return this.core.kraftVersion
  }

  /**
   * The current voter set (the newest in the log, committed or not) with each voter's endpoints:
   * from VotersRecords, or from controller.quorum.voters on the controller listener for a static quorum.
   */
  voters(): VoterNode[] {
    if (this.core.kraftVersion === 0) {
      const name = this.opts.listenerName ?? 'CONTROLLER'
      return this.opts.voters.map(v => ({id: v.id, directoryId: ZERO_UUID, endpoints: [{name, host: v.host, port: v.port}], kraftVersion: {...SUPPORTED_KRAFT_VERSION}}))
    }
    return [...this.core.voters()]
  }

  /** Where controller `id` listens on the controller listener (voter set, else leader endpoints learnt); null when unknown. */
  controllerAddress(id: number): {host: string, port: number} | null {
    const name = this.opts.listenerName ?? 'CONTROLLER'
    const v = this.voters().find(x => x.id === id)
    const e = v?.endpoints.find(x => x.name === name) ?? v?.endpoints[0]
    return e ? {host: e.host, port: e.port} : this.core.endpointOf(id)
  }

  /** DescribeQuorum partition data (NOT_LEADER_OR_FOLLOWER unless leader). */
  describeQuorum(): Omit<DescribeQuorumResponsePartitionData, 'partitionIndex' | 'errorMessage'> {
    return this.core.describeQuorum(Date.now())
  }

  /**
   * The Raft APIs to mount on the controller listener (DescribeQuorum is the node's: it reads
   * `describeQuorum()`): Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot,
   * AddRaftVoter, RemoveRaftVoter, UpdateRaftVoter.
   */
  apis<S>(): ApiDefinition<S>[] {
    return [voteApi<S>(this), beginQuorumEpochApi<S>(this), endQuorumEpochApi<S>(this), raftFetchApi<S>(this), fetchSnapshotApi<S>(this),
      addRaftVoterApi<S>(this), removeRaftVoterApi<S>(this), updateRaftVoterApi<S>(this)]
  }

  handleRaftRequest(body: RaftRequestBody, apiVersion: number): Promise<RaftResponseBody['data']> {
    if (this.closed) return Promise.resolve(errorResponseBody(body.apiKey, ErrorCode.BROKER_NOT_AVAILABLE).data)
    const requestId = this.nextRequestId++
    return new Promise(resolve => {
      this.inbound.set(requestId, {apiKey: body.apiKey, resolve})
      this.guard(() => this.core.handleRequest({...body, requestId, apiVersion}, Date.now()))
      this.poll()
    })
  }

  /**
   * Graceful shutdown: a leader resigns and sends EndQuorumEpoch, then this waits until another
   * leader is known (or `timeoutMs`), and closes.
   */
  async shutdown(timeoutMs = 5000): Promise<void> {
    if (this.closed) return
    this.guard(() => this.core.beginShutdown(Date.now(), timeoutMs))
    this.poll()
    if (!this.closed && !this.core.isShutdownComplete(Date.now())) {
      await new Promise<void>(resolve => this.shutdownWaiters.push(resolve))
    }
    this.close()
  }

  /** Closes at once: no EndQuorumEpoch, connections and files closed, waiting requests answered with BROKER_NOT_AVAILABLE. */
  close(): void {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.channel.close()
    for (const [, p] of this.inbound) p.resolve(errorResponseBody(p.apiKey, ErrorCode.BROKER_NOT_AVAILABLE).data)
    this.inbound.clear()
    for (const w of this.shutdownWaiters.splice(0)) w()
    try {
      this.log.close()
    } catch (err) {
      this.opts.logger.warn(`Closing the metadata log failed: ${(err as Error).message}`)
    }
  }

  // ---- the loop -------------------------------------------------------------------------------

  private schedulePoll(): void {
    if (this.pollScheduled || this.closed) return
    this.pollScheduled = true
    setImmediate(() => {
      this.pollScheduled = false
      this.poll()
    })
  }

  /** Runs the core's timers, sends its messages and re-arms the timer to its next deadline. */
  private poll(): void {
    if (this.closed) return
    let next = Infinity
    this.guard(() => { next = this.core.poll(Date.now()) })
    if (this.closed) return
    this.dispatch(this.core.takeOutbound())
    if (this.shutdownWaiters.length > 0 && this.core.isShutdownComplete(Date.now())) {
      for (const w of this.shutdownWaiters.splice(0)) w()
      return
    }
    if (this.timer) clearTimeout(this.timer)
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now()))
    this.timer = setTimeout(() => {
      this.timer = null
      this.poll()
    }, delay)
  }

  private dispatch(messages: OutboundMessage[]): void {
    for (const m of messages) {
      if (m.kind === 'response') {
        const p = this.inbound.get(m.requestId)
        this.inbound.delete(m.requestId)
        p?.resolve(m.data)
        continue
      }
      void this.channel.send(m).then(res => {
        if (this.closed) return
        this.guard(() => this.core.handleResponse(res, Date.now()))
        this.poll()
      })
    }
  }

  private guard(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.opts.logger.error('Fatal error in the Raft client; closing it', err)
      this.close()
      this.opts.onFatal?.(err as Error)
    }
  }
}
