/**
 * The producer-state snapshot written at a roll holds the state of the offsets below the new
 * segment's base offset (Kafka `UnifiedLog.roll` takes it before the append that rolled): a log
 * truncated to that offset (follower truncation, recovery) must not keep idempotence state of
 * batches it no longer has, or a resent batch would be answered as a duplicate without being stored.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {DEFAULT_LOG_CONFIG, type LogConfig} from '../../../../src/server/log/log-config.js'
import {UnifiedLog} from '../../../../src/server/log/unified-log.js'
import {readProducerSnapshot} from '../../../../src/server/log/producer-snapshot.js'
import {Partition, type PartitionContext} from '../../../../src/server/replica/partition.js'
import {systemReplicaTime} from '../../../../src/server/replica/replica-time.js'
import {makeTempDir, removeTempDir} from '../../../helpers/temp-dir.js'
import {waitFor} from '../../../helpers/wait-for.js'
import {makeBatch} from './batch-fixture.js'
import {memoryLogger} from './replication-harness.js'

const PID = 42

describe('Producer-state snapshots at a roll', () => {
  let dir: string
  let log: UnifiedLog | undefined
  beforeEach(() => { dir = makeTempDir() })
  afterEach(async () => {
    log?.close()
    removeTempDir(dir)
  })

  it('hold the state below the roll offset: a truncation to it forgets the batch that rolled, which is appended again when resent', async () => {
    const config: LogConfig = {...DEFAULT_LOG_CONFIG, segmentBytes: 300, fileDeleteDelayMs: 0}
    log = UnifiedLog.open({dir, topicPartition: {topic: 't', partition: 0}, config, recoveryPoint: 0, hadCleanShutdown: true})
    const lines: string[] = []
    const ctx: PartitionContext = {
      nodeId: 1, time: systemReplicaTime, replicaLagTimeMaxMs: 30_000, brokerEpoch: () => 1, brokerStatus: () => undefined,
      alterPartition: () => new Promise(() => undefined), logger: memoryLogger(lines),
    }
    const p = new Partition('t', 0, 'AAAAAAAAAAAAAAAAAAAAAA', log, ctx, 0)
    p.makeLeader({topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0})
    const produce = (seq: number) => p.appendRecordsToLeader(makeBatch({count: 3, producerId: PID, producerEpoch: 0, baseSequence: seq}), 9, 1)
    // batches of 3 records (~100 bytes each) until one starts a new segment
    let seq = 0
    let rolledAt = -1
    while (rolledAt < 0) {
      const segmentsBefore = log.segmentBaseOffsets().length
      const r = produce(seq)
      assert.equal(r.errorCode, ErrorCode.NONE)
      if (log.segmentBaseOffsets().length > segmentsBefore) rolledAt = r.baseOffset
      seq += 3
    }
    const file = `${dir}/${String(rolledAt).padStart(20, '0')}.snapshot`
    await waitFor(() => fs.existsSync(file), {timeoutMs: 5000, message: 'the roll snapshot (written on the thread pool)'})
    const snapshot = readProducerSnapshot(file)
    assert.deepEqual(snapshot.map(e => [e.producerId, e.lastSequence, e.lastOffset]), [[PID, seq - 4, rolledAt - 1]], 'the state of the offsets below the roll')

    // a follower truncation to the roll offset: the batch that rolled is gone, its sequences too
    p.makeFollower({topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition: 0, replicas: [1, 2], isr: [1, 2], leader: 2, leaderEpoch: 1, partitionEpoch: 1})
    p.truncateTo(rolledAt)
    assert.equal(p.logEndOffset, rolledAt)
    p.makeLeader({topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partition: 0, replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 2, partitionEpoch: 2})
    const resent = produce(seq - 3)
    assert.equal(resent.errorCode, ErrorCode.NONE)
    assert.equal(resent.baseOffset, rolledAt, 'appended again, not answered as a duplicate of a batch the log no longer has')
    assert.equal(p.logEndOffset, rolledAt + 3)
  })
})
