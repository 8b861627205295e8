import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {KafkaRaftClient, NotLeaderError, type CommittedBatch} from '../../../../src/server/raft/kafka-raft-client.js'
import {readQuorumState} from '../../../../src/server/raft/quorum-state-file.js'
import {listSnapshots} from '../../../../src/server/raft/snapshot-file.js'
import {MetadataCache} from '../../../../src/server/metadata/metadata-cache.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {imageToRecords} from '../../../../src/server/metadata/image-records.js'
import {MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'
import {decodeRecordBatches, decodeControlRecordKey, ControlRecordType} from '../../../../src/protocol/records/records.js'

function topic(name: string, i: number): MetadataRecord[] {
  const topicId = Buffer.alloc(16, i + 1).toString('base64url')
  return [
    {type: T.TOPIC, version: 0, data: {name, topicId}},
    {type: T.PARTITION, version: 0, data: {partitionId: 0, topicId, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderEpoch: 0, partitionEpoch: 0}},
  ]
}

/** A raft client wired to a MetadataCache the way controller-server does. */
function open(dir: string, maxBytesBetweenSnapshots = 0) {
  const cache = new MetadataCache('c')
  const batches: CommittedBatch[] = []
  const raft = KafkaRaftClient.open({metadataLogDir: dir, nodeId: 1, voters: [1], maxBytesBetweenSnapshots, snapshotRecords: () => imageToRecords(cache.image)})
  raft.register({
    handleLoadSnapshot(records, id) {
      const d = new MetadataDelta(cache.image)
      for (const r of records) d.replay(r, id.endOffset - 1, id.epoch)
      cache.publish(d)
    },
    handleCommit(b) {
      batches.push(b)
      cache.replayBatch(b.records, b.lastOffset, b.epoch)
    },
  })
  return {raft, cache, batches}
}

describe('KafkaRaftClient (single voter)', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-raft-')) })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('becomes leader of epoch 1, writes quorum-state and a LEADER_CHANGE batch', async () => {
    const {raft} = open(dir)
    await raft.start()
    assert.equal(raft.isLeader, true)
    assert.equal(raft.epoch, 1)
    assert.equal(raft.leaderId, 1)
    const pdir = path.join(dir, '__cluster_metadata-0')
    const qs = JSON.parse(fs.readFileSync(path.join(pdir, 'quorum-state'), 'utf8'))
    assert.deepEqual(qs, {clusterId: '', leaderId: 1, leaderEpoch: 1, votedId: -1, appliedOffset: 0, currentVoters: [{voterId: 1}], data_version: 0})
    assert.equal(fs.readFileSync(path.join(pdir, 'partition.metadata'), 'utf8'), 'version: 0\ntopic_id: AAAAAAAAAAAAAAAAAAAAAQ\n')
    const batches = decodeRecordBatches(fs.readFileSync(path.join(pdir, '00000000000000000000.log')))
    assert.equal(batches.length, 1)
    assert.equal(batches[0].isControl, true)
    assert.equal(batches[0].partitionLeaderEpoch, 1)
    assert.equal(decodeControlRecordKey(batches[0].records[0].key).type, ControlRecordType.LEADER_CHANGE)
    assert.equal(raft.highWatermark, 1)
    raft.close()
    assert.throws(() => raft.append(topic('x', 0)), /closed/)
  })

  it('appends one batch per call, commits and delivers in order, and recovers on restart', async () => {
    const a = open(dir)
    await a.raft.start()
    const r1 = a.raft.append(topic('t1', 1))
    const r2 = a.raft.append(topic('t2', 2))
    assert.deepEqual(r1, {baseOffset: 1, lastOffset: 2})
    assert.deepEqual(r2, {baseOffset: 3, lastOffset: 4})
    assert.deepEqual(a.batches.map(b => b.baseOffset), [1, 3])
    assert.equal(a.cache.image.offset, 4)
    assert.throws(() => a.raft.append(topic('t3', 3), 7), NotLeaderError)
    a.raft.close()

    const b = open(dir)
    await b.raft.start()
    assert.equal(b.raft.epoch, 2)
    assert.deepEqual([...b.cache.image.topicsByName.keys()].sort(), ['t1', 't2'])
    assert.equal(b.raft.logEndOffset, 6) // + LEADER_CHANGE of epoch 2
    assert.equal(readQuorumState(path.join(dir, '__cluster_metadata-0'))!.leaderEpoch, 2)
    b.raft.close()
  })

  it('truncates a torn tail of the metadata log on start', async () => {
    const a = open(dir)
    await a.raft.start()
    a.raft.append(topic('t1', 1))
    a.raft.append(topic('t2', 2))
    a.raft.close()
    const file = path.join(dir, '__cluster_metadata-0', '00000000000000000000.log')
    const size = fs.statSync(file).size
    fs.truncateSync(file, size - 7)
    fs.appendFileSync(file, Buffer.alloc(3, 0xff))
    const b = open(dir)
    await b.raft.start()
    assert.deepEqual([...b.cache.image.topicsByName.keys()], ['t1'])
    assert.equal(b.raft.logEndOffset, 4) // 0 LC, 1-2 t1, 3 LC of epoch 2
    b.raft.append(topic('t3', 3))
    b.raft.close()
    const c = open(dir)
    await c.raft.start()
    assert.deepEqual([...c.cache.image.topicsByName.keys()].sort(), ['t1', 't3'])
    c.raft.close()
  })

  it('writes snapshots after enough bytes and loads the latest one on start', async () => {
    const a = open(dir, 100)
    await a.raft.start()
    for (let i = 0; i < 5; i++) a.raft.append(topic(`t${i}`, i))
    const snaps = listSnapshots(path.join(dir, '__cluster_metadata-0'))
    // every append crossed the 100-byte threshold: 5 snapshots written, the newest two kept
    assert.equal(snaps.length, 2)
    assert.equal(snaps[1].endOffset, a.raft.logEndOffset)
    const last = snaps[snaps.length - 1]
    assert.match(fs.readdirSync(path.join(dir, '__cluster_metadata-0')).join(' '), /\d{20}-\d{10}\.checkpoint/)
    assert.equal(fs.readdirSync(path.join(dir, '__cluster_metadata-0')).some(n => n.endsWith('.part')), false)
    a.raft.close()

    const b = open(dir)
    await b.raft.start()
    assert.deepEqual(b.raft.latestSnapshotId, last)
    assert.deepEqual([...b.cache.image.topicsByName.keys()].sort(), ['t0', 't1', 't2', 't3', 't4'])
    // only batches after the snapshot were replayed from the log
    assert.ok(b.batches.every(x => x.lastOffset >= last.endOffset))
    b.raft.close()
  })

  it('rejects a corrupt quorum-state file with a clear error', () => {
    const pdir = path.join(dir, '__cluster_metadata-0')
    fs.mkdirSync(pdir, {recursive: true})
    fs.writeFileSync(path.join(pdir, 'quorum-state'), '{not json')
    assert.throws(() => open(dir), /Error while reading the Quorum status/)
  })

  it('reads data_version 1 quorum-state files', () => {
    const pdir = path.join(dir, '__cluster_metadata-0')
    fs.mkdirSync(pdir, {recursive: true})
    fs.writeFileSync(path.join(pdir, 'quorum-state'), '{"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","data_version":1}')
    assert.deepEqual(readQuorumState(pdir), {leaderEpoch: 2, leaderId: -1, votedId: 1})
  })
})
