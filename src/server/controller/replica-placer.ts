/**
 * Replica placement for new partitions (simplified Kafka `StripedReplicaPlacer`, no racks):
 * partition p gets `replicationFactor` consecutive brokers starting at (start + p) over the
 * sorted list of unfenced brokers.
 * @throws KafkaError INVALID_REPLICATION_FACTOR with Kafka's message when too few brokers.
 */
import {ErrorCode, KafkaError} from '../../protocol/errors.js'

export function placeReplicas(brokerIds: readonly number[], startPartition: number, numPartitions: number, replicationFactor: number, start = Math.floor(Math.random() * Math.max(1, brokerIds.length))): number[][] {
  if (replicationFactor > brokerIds.length) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokerIds.length} broker(s) are registered.`)
  }
  const out: number[][] = []
  for (let p = startPartition; p < startPartition + numPartitions; p++) {
    const replicas: number[] = []
    for (let i = 0; i < replicationFactor; i++) replicas.push(brokerIds[(start + p + i) % brokerIds.length])
    out.push(replicas)
  }
  return out
}
