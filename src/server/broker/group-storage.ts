/**
 * Coordinator storage (`CoordinatorPartitionStorage`) over the partitions of an internal topic this
 * broker hosts: `__consumer_offsets` for the group coordinator, `__transaction_state` for the
 * transaction coordinator.
 */
import {ErrorCode, KafkaError} from '../../protocol/errors.js'
import {batchHeaders, lastOffsetOf} from '../../protocol/records/record-batch.js'
import type {CoordinatorPartitionStorage} from '../group/group-coordinator.js'
import {GROUP_METADATA_TOPIC_NAME} from '../group/group-partition.js'
import type {Partition, ProduceResult} from '../replica/partition.js'
import type {ReplicaManager} from '../replica/replica-manager.js'

/**
 * The group coordinator's view of its `__consumer_offsets` partitions: appends as leader wait for
 * replication like an acks=all produce (the high watermark passes the batch) for at most
 * `offsets.commit.timeout.ms`; loading reads up to the log end offset (Kafka loads the whole log
 * of a partition it now leads: everything in the new leader's log is, or will be, committed).
 */
export function groupStorage(replicaManager: ReplicaManager, commitTimeoutMs: number, topic = GROUP_METADATA_TOPIC_NAME): CoordinatorPartitionStorage {
  const partition = (index: number): Partition => {
    const p = replicaManager.getPartition(topic, index)
    if (!p) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${topic}-${index} is not hosted here`)
    return p
  }
  return {
    async append(index, records) {
      const p = partition(index)
      const {firstOffset, lastOffset} = p.appendInternal(records)
      const result: ProduceResult = {errorCode: ErrorCode.NONE, errorMessage: null, baseOffset: firstOffset, logAppendTimeMs: -1, logStartOffset: -1, lastOffset}
      const appended = [{topic, partition: index, result}]
      await Promise.all([replicaManager.awaitWritten(appended), replicaManager.awaitReplication(appended, commitTimeoutMs)])
      if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode, `Coordinator records appended to ${topic}-${index} were not replicated (error ${result.errorCode})`)
    },
    read(index, fromOffset, maxBytes) {
      const p = partition(index)
      const start = Math.max(fromOffset, p.logStartOffset)
      const end = p.logEndOffset
      if (start >= end) return {records: Buffer.alloc(0), nextOffset: start, logEndOffset: end}
      const {records} = p.log.read(start, maxBytes, end, true)
      let nextOffset = start
      for (const h of batchHeaders(records)) nextOffset = lastOffsetOf(h) + 1
      return {records, nextOffset, logEndOffset: end}
    },
  }
}
