/**
 * Starts the KRaft controller side of a node (Kafka `ControllerServer` + the in-process metadata
 * loader of combined mode): opens the Raft client on `<metadata.log.dir>/__cluster_metadata-0`,
 * replays the latest snapshot and the log into a MetadataCache, wins the (single-voter) election,
 * bootstraps an empty log from `bootstrap.checkpoint` (else metadata.version 3.9-IV0), and returns
 * the QuorumController.
 */
import {readBootstrapCheckpoint} from '../storage/bootstrap-checkpoint.js'
import type {ServerConfig} from '../config/server-config.js'
import {MetadataCache} from '../metadata/metadata-cache.js'
import {MetadataDelta} from '../metadata/metadata-delta.js'
import {imageToRecords} from '../metadata/image-records.js'
import {KafkaRaftClient} from '../raft/kafka-raft-client.js'
import {QuorumController} from './quorum-controller.js'

export interface ControllerServerOptions {
  config: ServerConfig
  clusterId: string
  nodeId: number
  logger?: {info(msg: string): void, warn(msg: string): void}
}

export interface ControllerServer {
  controller: QuorumController
  metadata: MetadataCache
  raft: KafkaRaftClient
  shutdown(): Promise<void>
}

export const ControllerServer = {
  /**
   * @throws Error when the metadata log or quorum-state is unreadable, or this node is not a voter
   *   (multi-voter and broker-only metadata over the network are not implemented yet)
   */
  async start({config, clusterId, nodeId, logger}: ControllerServerOptions): Promise<ControllerServer> {
    const metadata = new MetadataCache(clusterId)
    const voters = config.controllerQuorumVoters.length > 0 ? config.controllerQuorumVoters.map(v => v.id) : [nodeId]
    const raft = KafkaRaftClient.open({
      metadataLogDir: config.metadataLogDir,
      nodeId,
      voters,
      maxBytesBetweenSnapshots: config.metadataLogMaxRecordBytesBetweenSnapshots,
      snapshotRecords: () => imageToRecords(metadata.image),
      logger,
    })
    raft.register({
      handleLoadSnapshot(records, id) {
        const delta = new MetadataDelta(metadata.image)
        for (const r of records) delta.replay(r, id.endOffset - 1, id.epoch)
        metadata.publish(delta)
      },
      handleCommit(batch) {
        metadata.replayBatch(batch.records, batch.lastOffset, batch.epoch)
      },
    })
    await raft.start()
    const controller = new QuorumController(raft, metadata, {
      numPartitions: config.numPartitions,
      defaultReplicationFactor: config.defaultReplicationFactor,
      deleteTopicEnable: config.deleteTopicEnable,
    })
    if (metadata.image.metadataVersion === 0) {
      const boot = readBootstrapCheckpoint(config.metadataLogDir)
      await controller.bootstrap(boot ? {...boot.features} : null)
    }
    controller.startIdleNoOps(config.metadataMaxIdleIntervalMs)
    return {
      controller,
      metadata,
      raft,
      async shutdown() {
        await controller.close()
        raft.close()
      },
    }
  },
}
