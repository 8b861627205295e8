/**
 * Group coordinator load bench: how long `GroupCoordinator.onElection` takes to replay one
 * `__consumer_offsets` partition (a real UnifiedLog on disk, read through the same kind of
 * adapter as src/server/node.ts) holding N offset commit records.
 *
 * Records are written as consumers write them: one batch per OffsetCommit request (10 partitions
 * per request), GROUPS groups committing in turn, plus a GroupMetadata record per group every 100
 * commits. Not part of `npm test` / `npm run bench`.
 *
 * Run: npx tsx bench/group-load.ts [records=100000] [groups=100]
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {encodeRecordBatch, type RecordInput} from '../src/protocol/records/records.js'
import {DEFAULT_LOG_CONFIG, UnifiedLog} from '../src/server/log/index.js'
import {DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator, type CoordinatorPartitionStorage} from '../src/server/group/group-coordinator.js'
import {
  encodeGroupMetadataKey, encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue,
} from '../src/server/group/group-records.js'

const RECORDS = Number(process.argv[2] ?? 100_000)
const GROUPS = Number(process.argv[3] ?? 100)
const PARTITIONS_PER_COMMIT = 10

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-group-'))
try {
  const log = UnifiedLog.open({
    dir: path.join(root, '__consumer_offsets-0'), topicPartition: {topic: '__consumer_offsets', partition: 0},
    config: {...DEFAULT_LOG_CONFIG, segmentBytes: 100 * 1024 * 1024}, recoveryPoint: 0, hadCleanShutdown: true,
  })
  const now = Date.now()
  let written = 0
  let commits = 0
  const last = new Map<string, number>()
  let t = performance.now()
  while (written < RECORDS) {
    const g = commits % GROUPS
    const group = `bench-group-${g}`
    const records: RecordInput[] = []
    for (let p = 0; p < PARTITIONS_PER_COMMIT && written < RECORDS; p++, written++) {
      const offset = commits * 10 + p
      records.push({
        key: encodeOffsetCommitKey({group, topic: `topic-${g}`, partition: p}),
        value: encodeOffsetCommitValue({offset, leaderEpoch: 0, metadata: '', commitTimestamp: now, expireTimestamp: -1}),
      })
      last.set(`${group}/${p}`, offset)
    }
    if (commits % 100 === g) {
      records.push({key: encodeGroupMetadataKey(group), value: encodeGroupMetadataValue({
        protocolType: 'consumer', generation: commits, protocol: 'range', leader: null, currentStateTimestamp: now, members: [],
      })})
    }
    log.appendAsLeader(encodeRecordBatch({records: records.map(r => ({...r, timestamp: now}))}), 0)
    commits++
  }
  const writeMs = performance.now() - t
  log.flush()

  const storage: CoordinatorPartitionStorage = {
    append: () => Promise.reject(new Error('read-only bench')),
    read(_partition, fromOffset, maxBytes) {
      const start = Math.max(fromOffset, log.logStartOffset)
      const hw = log.logEndOffset
      if (start >= hw) return {records: Buffer.alloc(0), nextOffset: start, logEndOffset: hw}
      const {records} = log.read(start, maxBytes, hw, true)
      return {records, nextOffset: start, logEndOffset: hw}
    },
  }
  const runs: number[] = []
  const cpu: number[] = []
  for (let run = 0; run < 5; run++) {
    const coord = new GroupCoordinator(storage, {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 1})
    t = performance.now()
    const c0 = process.cpuUsage()
    await coord.onElection(0, run)
    runs.push(performance.now() - t)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
    // Every group's last commit must be there (a load that stops early would miss later commits).
    for (let g = 0; g < GROUPS; g++) {
      const r = coord.fetchOffsets(`bench-group-${g}`, [{name: `topic-${g}`, partitionIndexes: [0, PARTITIONS_PER_COMMIT - 1]}])
      for (const p of r.topics[0].partitions) {
        const want = last.get(`bench-group-${g}/${p.partitionIndex}`) ?? -1
        assert.equal(p.committedOffset, want, `bench-group-${g} partition ${p.partitionIndex}`)
      }
    }
    coord.close()
  }
  const best = Math.min(...runs)
  console.log(`__consumer_offsets-0: ${RECORDS} offset commit records in ${commits} batches, ${GROUPS} groups, ` +
    `${(log.size / 1e6).toFixed(1)} MB (written in ${writeMs.toFixed(0)} ms)`)
  console.log(`onElection load: wall ${runs.map(r => r.toFixed(0)).join(' / ')} ms (best ${best.toFixed(0)} ms, ` +
    `${(RECORDS / (best / 1000) / 1e6).toFixed(2)} M records/s); process CPU ${cpu.map(r => r.toFixed(0)).join(' / ')} ms`)
  log.close()
} finally {
  fs.rmSync(root, {recursive: true, force: true})
}
