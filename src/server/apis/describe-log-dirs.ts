// DescribeLogDirs (35): v1-4 (v0 is deprecated by KIP-896), broker listener (Kafka 3.9
// `KafkaApis.handleDescribeLogDirsRequest`, `ReplicaManager.describeLogDirs`). Every log dir of this
// broker with the partition logs it holds (all when `topics` is null, else the listed partitions):
// size in bytes, offset lag, isFuture; v4 adds the file system's total and usable bytes. The
// metadata log (`__cluster_metadata-0`) is not listed, as in Kafka. Needs Describe on the cluster.
import {DescribeLogDirsApi, type DescribeLogDirsRequest, type DescribeLogDirsResponse} from '../../protocol/generated/messages/describe-log-dirs.js'
import {ErrorCode} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation} from '../security/authorizer/acl-binding.js'
import {isClusterAuthorized} from '../security/authorizer/request-authorization.js'

function handleDescribeLogDirs(req: DescribeLogDirsRequest, ctx: RequestContext): Input<DescribeLogDirsResponse> {
  // Kafka: Describe on the cluster, else CLUSTER_AUTHORIZATION_FAILED and no log dirs.
  if (!isClusterAuthorized(ctx, AclOperation.DESCRIBE)) return {throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: []}
  let wanted: (topic: string, partition: number) => boolean = () => true
  if (req.topics !== null) {
    const set = new Set(req.topics.flatMap(t => t.partitions.map(p => `${t.topic}\u0000${p}`)))
    wanted = (topic, partition) => set.has(`${topic}\u0000${partition}`)
  }
  const dirs = ctx.services.replicaManager.describeLogDirs(wanted)
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    results: dirs.map((d) => {
      const byTopic = new Map<string, {partitionIndex: number, partitionSize: number, offsetLag: number, isFutureKey: boolean}[]>()
      for (const p of d.partitions) {
        const list = byTopic.get(p.topic) ?? []
        list.push({partitionIndex: p.partition, partitionSize: p.size, offsetLag: p.offsetLag, isFutureKey: p.isFuture})
        byTopic.set(p.topic, list)
      }
      return {
        errorCode: d.errorCode, logDir: d.logDir, totalBytes: d.totalBytes, usableBytes: d.usableBytes,
        topics: [...byTopic].map(([name, partitions]) => ({name, partitions})),
      }
    }),
  }
}

export const describeLogDirs = defineApi(DescribeLogDirsApi, 1, 4, handleDescribeLogDirs)
