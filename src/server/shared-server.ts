/**
 * SharedServer: the part of a KRaft node that its broker and controller roles share (Kafka
 * `SharedServer`): the Raft client of `__cluster_metadata-0` and the metadata loader that replays
 * committed records into the MetadataCache both roles read.
 *
 * Every node runs one: a controller is a voter of the quorum, a broker-only node an observer.
 * Leader changes are published to subscribers (the QuorumController claims or renounces
 * leadership; the broker's controller channel learns where the active controller is).
 *
 * The Raft client is the RaftManager (raft/raft-manager.ts); its APIs (`raftApis()`) go on the
 * controller listener. Every node writes its own snapshot of the image after
 * `metadata.log.max.record.bytes.between.snapshots` bytes of committed records.
 */
import {interNodeSecurity} from './security/inter-node-security.js'
import {ErrorCode} from '../protocol/errors.js'
import type {ServerConfig} from './config/server-config.js'
import type {ApiDefinition} from './apis/registry.js'
import {MetadataCache} from './metadata/metadata-cache.js'
import {MetadataDelta} from './metadata/metadata-delta.js'
import {imageToRecords} from './metadata/image-records.js'
import {decodeMetadataRecord, encodeMetadataRecord, type MetadataRecord} from './metadata/metadata-record.js'
import {RaftManager} from './raft/raft-manager.js'
import type {SnapshotId} from './raft/snapshot-file.js'
import type {Logger} from './util/logger.js'
import type {VoterNode} from './raft/voter-set.js'

/** The metadata log's record serde (frame version 1, storage-and-kraft.md §4.1). */
export const metadataRecordSerde = {encode: encodeMetadataRecord, decode: decodeMetadataRecord}

/** The quorum's leader as a node knows it; `leaderId` -1 while unknown. */
export interface LeaderAndEpoch {
  leaderId: number
  epoch: number
}

/**
 * What the node's services need from the Raft client of the metadata log (Kafka `RaftClient`).
 * Offsets are metadata log offsets.
 */
export interface MetadataRaft {
  readonly nodeId: number
  leaderAndEpoch(): LeaderAndEpoch
  isLeader(): boolean
  /** Offset below which the metadata log is committed. */
  highWatermark(): number
  logEndOffset(): number
  /**
   * Appends `records` as one batch in leader epoch `epoch`, written at once (no linger: Kafka's
   * prepareAppend + schedulePreparedAppend).
   * @returns the offset of the last record
   * @throws NotLeaderError when this node is not the leader of `epoch`
   */
  scheduleAppend(epoch: number, records: MetadataRecord[]): number
  /** The quorum as its leader sees it (DescribeQuorum); null when this node is not the leader. */
  describeQuorum(): QuorumDescription | null
  /** The newest metadata snapshot, null when none was taken. */
  latestSnapshotId(): SnapshotId | null
  /**
   * The voters of the quorum with their endpoints: the newest voter set of the metadata log
   * (kraft.version 1, KIP-853) or `controller.quorum.voters` (kraft.version 0).
   */
  voters(): VoterNode[]
  /** 0: static quorum; 1: dynamic quorum (the finalized kraft.version). */
  kraftVersion(): number
  /** Where controller `id` listens on the controller listener; null when unknown. */
  controllerAddress(id: number): {host: string, port: number} | null
}

/** One replica of the metadata log as the leader tracks it (DescribeQuorum ReplicaState). Times in ms. */
export interface QuorumReplicaState {
  replicaId: number
  replicaDirectoryId: string
  logEndOffset: number
  lastFetchTimestamp: number
  lastCaughtUpTimestamp: number
}

export interface QuorumDescription {
  leaderId: number
  leaderEpoch: number
  highWatermark: number
  voters: QuorumReplicaState[]
  observers: QuorumReplicaState[]
}

export interface SharedServerOptions {
  config: ServerConfig
  clusterId: string
  nodeId: number
  /** Directory id of the metadata log dir (meta.properties), reported in Fetch and DescribeQuorum. */
  directoryId?: string
  logger?: Logger
  /** Called once when the Raft client hits a fatal error (it is closed by then): stop the node. */
  onFatal?: (err: Error) => void
}

const NO_LOGGER: Logger = {trace() {}, debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false}

export type LeaderChangeListener = (leader: LeaderAndEpoch) => void

export class SharedServer {
  readonly metadata: MetadataCache
  private readonly leaderListeners: LeaderChangeListener[] = []
  private leader: LeaderAndEpoch = {leaderId: -1, epoch: 0}

  private constructor(readonly config: ServerConfig, readonly nodeId: number, metadata: MetadataCache) {
    this.metadata = metadata
  }

  private client!: RaftManager<MetadataRecord>

  /**
   * Opens the metadata log, replays the latest snapshot into the metadata cache, and joins the
   * quorum: a single voter elects itself and replays the whole log before this resolves; with
   * several voters the log is replayed as the leader reports it committed.
   * @throws Error when the metadata log or quorum-state is unreadable, or the roles and
   *   controller.quorum.voters disagree (a controller not listed, a broker-only node listed)
   */
  static async start({config, clusterId, nodeId, directoryId, logger = NO_LOGGER, onFatal}: SharedServerOptions): Promise<SharedServer> {
    const metadata = new MetadataCache(clusterId)
    const isController = config.processRoles.includes('controller')
    const server = new SharedServer(config, nodeId, metadata)
    const snapshotEvery = config.metadataLogMaxRecordBytesBetweenSnapshots
    let bytesSinceSnapshot = 0
    server.client = await RaftManager.start<MetadataRecord>({
      nodeId,
      clusterId,
      directoryId,
      metadataLogDir: config.metadataLogDir,
      voters: config.controllerQuorumVoters,
      bootstrapServers: config.controllerQuorumBootstrapServers,
      listenerName: config.controllerListenerNames[0],
      security: interNodeSecurity(config).controller,
      localEndpoints: isController ? config.controllerAdvertisedListeners.map(e => ({name: e.name, host: e.host, port: e.port})) : [],
      isVoterProcess: isController,
      raftConfig: {
        electionTimeoutMs: config.controllerQuorumElectionTimeoutMs,
        electionBackoffMaxMs: config.controllerQuorumElectionBackoffMaxMs,
        fetchTimeoutMs: config.controllerQuorumFetchTimeoutMs,
        requestTimeoutMs: config.controllerQuorumRequestTimeoutMs,
        retryBackoffMs: config.controllerQuorumRetryBackoffMs,
        appendLingerMs: config.controllerQuorumAppendLingerMs,
      },
      serde: metadataRecordSerde,
      segmentBytes: config.metadataLogSegmentBytes,
      segmentMs: config.metadataLogSegmentMs,
      maxRetentionBytes: config.metadataMaxRetentionBytes,
      logger,
      onFatal,
      listener: {
        handleLoadSnapshot({id, records}) {
          const delta = new MetadataDelta(metadata.image)
          for (const r of records) delta.replay(r, id.endOffset - 1, id.epoch)
          delta.setOffset(id.endOffset - 1, id.epoch)
          metadata.publish(delta)
          bytesSinceSnapshot = 0
        },
        handleCommit(batch) {
          metadata.replayBatch(batch.records.map((record, i) => ({record, offset: batch.baseOffset + i})), batch.lastOffset, batch.epoch)
          bytesSinceSnapshot += batch.sizeInBytes
          if (snapshotEvery > 0 && bytesSinceSnapshot >= snapshotEvery && server.client) {
            bytesSinceSnapshot = 0
            server.client.createSnapshot(batch.lastOffset + 1, batch.epoch, imageToRecords(metadata.image))
          }
        },
        handleLeaderChange(leader) {
          server.setLeader(leader)
        },
      },
    })
    return server
  }

  /** The Raft client seen through the narrow interface the services use. */
  get raft(): MetadataRaft {
    const c = this.client
    return {
      nodeId: c.nodeId,
      leaderAndEpoch: () => this.leader,
      isLeader: () => c.isLeader(),
      highWatermark: () => c.highWatermark(),
      logEndOffset: () => c.logEndOffset(),
      scheduleAppend: (epoch, records) => {
        const last = c.scheduleAppend(epoch, records)
        c.flushAppends()
        return last
      },
      latestSnapshotId: () => c.latestSnapshotId(),
      voters: () => c.voters(),
      kraftVersion: () => c.kraftVersion(),
      controllerAddress: id => c.controllerAddress(id),
      describeQuorum: () => {
        const q = c.describeQuorum()
        if (q.errorCode !== ErrorCode.NONE) return null
        return {leaderId: q.leaderId, leaderEpoch: q.leaderEpoch, highWatermark: q.highWatermark, voters: q.currentVoters, observers: q.observers}
      },
    }
  }

  /** The Raft APIs (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot) for the controller listener. */
  raftApis<S>(): ApiDefinition<S>[] {
    return this.client.apis<S>()
  }

  /** Calls `fn` on every change of leader or epoch (and once now, with the current one). */
  onLeaderChange(fn: LeaderChangeListener): () => void {
    this.leaderListeners.push(fn)
    fn(this.leader)
    return () => {
      const i = this.leaderListeners.indexOf(fn)
      if (i >= 0) this.leaderListeners.splice(i, 1)
    }
  }

  private setLeader(leader: LeaderAndEpoch): void {
    if (leader.leaderId === this.leader.leaderId && leader.epoch === this.leader.epoch) return
    this.leader = leader
    for (const l of [...this.leaderListeners]) l(leader)
  }

  /** Leaves the quorum: a leader resigns (EndQuorumEpoch) first; then the metadata log is closed. */
  async shutdown(): Promise<void> {
    await this.client.shutdown()
  }
}
