// GroupCoordinator.onElection over a real UnifiedLog read the way src/server/node.ts reads
// __consumer_offsets (whole batches up to offsets.load.buffer.size bytes, nextOffset left at the
// start offset): every chunk is replayed, the newest record of each key wins, tombstones delete.
import assert from 'node:assert/strict'
import path from 'node:path'
import {encodeRecordBatch, type RecordInput} from '../../../../src/protocol/records/records.js'
import {DEFAULT_LOG_CONFIG, UnifiedLog} from '../../../../src/server/log/index.js'
import {DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type CoordinatorPartitionStorage} from '../../../../src/server/group/group-coordinator.js'
import {encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue} from '../../../../src/server/group/group-records.js'
import {makeTempDir, removeTempDir} from '../../../helpers/temp-dir.js'
import {FakeClock} from './fakes.js'

describe('GroupCoordinator load from a real log', () => {
  let dir = ''
  let log: UnifiedLog | undefined

  beforeEach(() => {
    dir = makeTempDir('kts-group-load-')
    log = UnifiedLog.open({dir: path.join(dir, '__consumer_offsets-0'), topicPartition: {topic: '__consumer_offsets', partition: 0},
      config: DEFAULT_LOG_CONFIG, recoveryPoint: 0, hadCleanShutdown: true})
  })
  afterEach(() => {
    log?.close()
    removeTempDir(dir)
  })

  it('replays every chunk of offsets.load.buffer.size bytes; the newest record per key wins', async () => {
    const l = log!
    const append = (records: RecordInput[]): void => void l.appendAsLeader(encodeRecordBatch({records: records.map(r => ({...r, timestamp: 1}))}), 0)
    const commit = (group: string, partition: number, offset: number): RecordInput => ({
      key: encodeOffsetCommitKey({group, topic: 't', partition}),
      value: encodeOffsetCommitValue({offset, leaderEpoch: 0, metadata: `m${offset}`, commitTimestamp: 1, expireTimestamp: -1}),
    })
    for (let i = 0; i < 300; i++) append([commit('g1', i % 3, i), commit('g2', 0, 1000 + i)])
    append([{key: encodeOffsetCommitKey({group: 'g2', topic: 't', partition: 0}), value: null}]) // tombstone
    append([{key: encodeGroupMetadataKey('g1'), value: encodeGroupMetadataValue({
      protocolType: 'consumer', generation: 7, protocol: 'range', leader: null, currentStateTimestamp: 1, members: [],
    })}])
    append([commit('g1', 0, 5000)])

    const storage: CoordinatorPartitionStorage = {
      append: () => Promise.reject(new Error('read-only')),
      read(_p, fromOffset, maxBytes) {
        const hw = l.logEndOffset
        if (fromOffset >= hw) return {records: Buffer.alloc(0), nextOffset: fromOffset, logEndOffset: hw}
        return {records: l.read(fromOffset, maxBytes, hw, true).records, nextOffset: fromOffset, logEndOffset: hw}
      },
    }
    let reads = 0
    const counting: CoordinatorPartitionStorage = {...storage, read: (p, f, m) => { reads++; return storage.read(p, f, m) }}
    const coord = new GroupCoordinator(counting, {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 1, loadBufferSize: 1024}, new FakeClock())
    await coord.onElection(0, 0)
    assert.ok(reads > 10, `loaded in ${reads} reads (a 1 KiB buffer must take many)`)
    const g1 = coord.fetchOffsets('g1', [{name: 't', partitionIndexes: [0, 1, 2]}]).topics[0].partitions
    assert.deepEqual(g1.map(p => [p.committedOffset, p.metadata]), [[5000, 'm5000'], [298, 'm298'], [299, 'm299']])
    assert.deepEqual(coord.fetchOffsets('g2', null).topics, [])
    assert.equal(coord.group('g1')!.generationId, 7)
    assert.equal(coord.group('g1')!.state, 'Empty')
    coord.close()
  })
})
