/**
 * SharedServer: the part of a KRaft node that its broker and controller roles share (Kafka
 * `SharedServer`): the Raft client of `__cluster_metadata-0` and the metadata loader that replays
 * committed records into the MetadataCache both roles read.
 *
 * Every node runs one: a controller is a voter of the quorum, a broker-only node an observer.
 * Leader changes are published to subscribers (the QuorumController claims or renounces
 * leadership; the broker's controller channel learns where the active controller is).
 */
import {ZERO_UUID} from '../protocol/primitives/uuid.js'
import type {ServerConfig} from './config/server-config.js'
import {MetadataCache} from './metadata/metadata-cache.js'
import {MetadataDelta} from './metadata/metadata-delta.js'
import {imageToRecords} from './metadata/image-records.js'
import type {MetadataRecord} from './metadata/metadata-record.js'
import {KafkaRaftClient} from './raft/kafka-raft-client.js'
import type {SnapshotId} from './raft/snapshot-file.js'
import type {Logger} from './util/logger.js'

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
   * Appends `records` as one batch in leader epoch `epoch`.
   * @returns the offset of the last record
   * @throws NotLeaderError when this node is not the leader of `epoch`
   */
  scheduleAppend(epoch: number, records: MetadataRecord[]): number
  /** The quorum as its leader sees it (DescribeQuorum); null when this node is not the leader. */
  describeQuorum(): QuorumDescription | null
  /** The newest metadata snapshot, null when none was taken. */
  latestSnapshotId(): SnapshotId | null
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
  logger?: Logger
}

export type LeaderChangeListener = (leader: LeaderAndEpoch) => void

export class SharedServer {
  readonly metadata: MetadataCache
  private readonly leaderListeners: LeaderChangeListener[] = []
  private leader: LeaderAndEpoch = {leaderId: -1, epoch: 0}

  private constructor(readonly config: ServerConfig, readonly nodeId: number, private readonly client: KafkaRaftClient, metadata: MetadataCache) {
    this.metadata = metadata
  }

  /**
   * Opens the metadata log, replays the latest snapshot and the committed log into the metadata
   * cache, and joins the quorum.
   * @throws Error when the metadata log or quorum-state is unreadable, or this node is not a voter
   */
  static async start({config, clusterId, nodeId, logger}: SharedServerOptions): Promise<SharedServer> {
    const metadata = new MetadataCache(clusterId)
    const voters = config.controllerQuorumVoters.length > 0 ? config.controllerQuorumVoters.map(v => v.id) : [nodeId]
    const client = KafkaRaftClient.open({
      metadataLogDir: config.metadataLogDir,
      nodeId,
      voters,
      maxBytesBetweenSnapshots: config.metadataLogMaxRecordBytesBetweenSnapshots,
      snapshotRecords: () => imageToRecords(metadata.image),
      logger,
    })
    const server = new SharedServer(config, nodeId, client, metadata)
    client.register({
      handleLoadSnapshot(records, id) {
        const delta = new MetadataDelta(metadata.image)
        for (const r of records) delta.replay(r, id.endOffset - 1, id.epoch)
        metadata.publish(delta)
      },
      handleCommit(batch) {
        metadata.replayBatch(batch.records, batch.lastOffset, batch.epoch)
      },
      handleLeaderChange(leaderId, epoch) {
        server.setLeader({leaderId, epoch})
      },
    })
    await client.start()
    return server
  }

  /** The Raft client seen through the narrow interface the services use. */
  get raft(): MetadataRaft {
    const c = this.client
    return {
      nodeId: c.nodeId,
      leaderAndEpoch: () => this.leader,
      isLeader: () => c.isLeader,
      highWatermark: () => c.highWatermark,
      logEndOffset: () => c.logEndOffset,
      scheduleAppend: (epoch, records) => c.append(records, epoch).lastOffset,
      latestSnapshotId: () => c.latestSnapshotId,
      describeQuorum: () => {
        if (!c.isLeader) return null
        const now = Date.now()
        return {
          leaderId: c.leaderId, leaderEpoch: c.epoch, highWatermark: c.highWatermark, observers: [],
          voters: c.voters.map(id => ({
            replicaId: id, replicaDirectoryId: ZERO_UUID,
            logEndOffset: id === c.nodeId ? c.logEndOffset : -1,
            lastFetchTimestamp: id === c.nodeId ? now : -1,
            lastCaughtUpTimestamp: id === c.nodeId ? now : -1,
          })),
        }
      },
    }
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

  async shutdown(): Promise<void> {
    this.client.close()
  }
}
