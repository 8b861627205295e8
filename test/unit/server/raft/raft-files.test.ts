import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {FileQuorumStateStore, readQuorumState} from '../../../../src/server/raft/quorum-state-file.js'
import {FileSnapshotStore, decodeSnapshot, encodeSnapshot, snapshotFileName} from '../../../../src/server/raft/snapshot-file.js'
import {RaftManager} from '../../../../src/server/raft/raft-manager.js'
import {serde} from './raft-test-kit.js'

describe('Raft files: quorum-state, snapshots, the metadata dir', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-raft-files-')) })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('quorum-state: written as data_version 0, data_version 1 read too, a corrupt file is a clear error', () => {
    const store = new FileQuorumStateStore(dir, () => [1, 2, 3])
    assert.equal(store.read(), null)
    store.write({leaderEpoch: 3, leaderId: 2, votedId: 1})
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'quorum-state'), 'utf8')), {
      clusterId: '', leaderId: 2, leaderEpoch: 3, votedId: 1, appliedOffset: 0, currentVoters: [{voterId: 1}, {voterId: 2}, {voterId: 3}], data_version: 0,
    })
    assert.deepEqual(store.read(), {leaderEpoch: 3, leaderId: 2, votedId: 1})
    fs.writeFileSync(path.join(dir, 'quorum-state'), '{"leaderId":-1,"leaderEpoch":2,"votedId":1,"votedDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","data_version":1}')
    assert.deepEqual(readQuorumState(dir), {leaderEpoch: 2, leaderId: -1, votedId: 1})
    fs.writeFileSync(path.join(dir, 'quorum-state'), '{not json')
    assert.throws(() => store.read(), /Error while reading the Quorum status/)
  })

  it('snapshots: <offset>-<epoch>.checkpoint written atomically, read by position, leftovers removed on open', () => {
    const values = Array.from({length: 2500}, (_, i) => Buffer.from(`record-${i}`))
    const bytes = encodeSnapshot({endOffset: 42, epoch: 3}, values, 1000, 2000)
    assert.deepEqual(decodeSnapshot(bytes), values)
    assert.throws(() => decodeSnapshot(bytes.subarray(0, bytes.length - 80)), /footer|Incomplete|length/i)
    fs.writeFileSync(path.join(dir, '00000000000000000007-0000000001.checkpoint.part'), 'partial')
    const store = new FileSnapshotStore(dir)
    assert.ok(!fs.existsSync(path.join(dir, '00000000000000000007-0000000001.checkpoint.part')))
    store.write({endOffset: 42, epoch: 3}, bytes)
    assert.ok(fs.existsSync(path.join(dir, snapshotFileName({endOffset: 42, epoch: 3}))))
    assert.deepEqual(store.list(), [{endOffset: 42, epoch: 3}])
    assert.equal(store.size({endOffset: 42, epoch: 3}), bytes.length)
    assert.deepEqual(Buffer.concat([store.read({endOffset: 42, epoch: 3}, 0, 100), store.read({endOffset: 42, epoch: 3}, 100, bytes.length)]), bytes)
    store.delete({endOffset: 42, epoch: 3})
    assert.deepEqual(store.list(), [])
    assert.equal(store.size({endOffset: 42, epoch: 3}), -1)
  })

  it('RaftManager refuses a corrupt quorum-state with a clear error and closes the log', async () => {
    const pdir = path.join(dir, '__cluster_metadata-0')
    fs.mkdirSync(pdir, {recursive: true})
    fs.writeFileSync(path.join(pdir, 'quorum-state'), '{not json')
    await assert.rejects(RaftManager.start({
      nodeId: 1, clusterId: 'c', metadataLogDir: dir, voters: [{id: 1, host: 'localhost', port: 1}], isVoterProcess: true,
      raftConfig: {electionTimeoutMs: 1000, electionBackoffMaxMs: 1000, fetchTimeoutMs: 2000, requestTimeoutMs: 2000, retryBackoffMs: 20, appendLingerMs: 25},
      serde, logger: {info() {}, warn() {}, error() {}},
      listener: {handleLoadSnapshot() {}, handleCommit() {}, handleLeaderChange() {}},
    }), /Error while reading the Quorum status/)
    await assert.rejects(RaftManager.start({
      nodeId: 4, clusterId: 'c', metadataLogDir: dir, voters: [{id: 1, host: 'localhost', port: 1}], isVoterProcess: true,
      raftConfig: {electionTimeoutMs: 1000, electionBackoffMaxMs: 1000, fetchTimeoutMs: 2000, requestTimeoutMs: 2000, retryBackoffMs: 20, appendLingerMs: 25},
      serde, logger: {info() {}, warn() {}, error() {}},
      listener: {handleLoadSnapshot() {}, handleCommit() {}, handleLeaderChange() {}},
    }), /runs the controller role but is not in controller.quorum.voters/)
  })
})
