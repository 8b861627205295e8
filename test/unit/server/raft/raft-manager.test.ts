/**
 * The Raft driver on real sockets and files: three RaftManagers in this process, each serving its
 * Raft APIs on a loopback controller listener (SocketServer + RequestDispatcher, as the node mounts
 * them) with its own temp metadata dir.
 */
import assert from 'node:assert/strict'
import {RaftManager, type LeaderAndEpoch} from '../../../../src/server/raft/raft-manager.js'
import {SocketServer} from '../../../../src/server/network/socket-server.js'
import {RequestDispatcher} from '../../../../src/server/network/request-dispatcher.js'
import {controllerApis} from '../../../../src/server/apis/index.js'
import type {ControllerServices} from '../../../../src/server/services.js'
import {MetadataCache} from '../../../../src/server/metadata/metadata-cache.js'
import {BrokerConnection} from '../../../../src/protocol/client/broker-connection.js'
import {DescribeQuorumApi} from '../../../../src/protocol/generated/messages/describe-quorum.js'
import {VoteApi} from '../../../../src/protocol/generated/messages/vote.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {freePorts} from '../../../helpers/free-port.js'
import {makeTempDir, removeTempDir} from '../../../helpers/temp-dir.js'
import {waitFor} from '../../../helpers/wait-for.js'
import type {Logger} from '../../../../src/server/util/logger.js'
import {serde} from './raft-test-kit.js'

const RAFT_CONFIG = {electionTimeoutMs: 500, electionBackoffMaxMs: 500, fetchTimeoutMs: 1000, requestTimeoutMs: 1000, retryBackoffMs: 20, appendLingerMs: 5}

const quiet: Logger = process.env.RAFT_DEBUG ? {trace() {}, debug: m => console.log(m), info: m => console.log(m), warn: m => console.log(m), error: (m, e) => console.log(m, e), isDebugEnabled: () => true} : {trace() {}, debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false}

interface Running {
  id: number
  dir: string
  manager: RaftManager<string>
  server: SocketServer
  committed: string[]
  leaders: LeaderAndEpoch[]
}

async function startNode(id: number, dir: string, voters: {id: number, host: string, port: number}[]): Promise<Running> {
  const node = {id, dir, committed: [] as string[], leaders: [] as LeaderAndEpoch[]} as Running
  node.manager = await RaftManager.start<string>({
    nodeId: id, clusterId: 'raft-test', metadataLogDir: dir, voters, isVoterProcess: voters.some(v => v.id === id), raftConfig: RAFT_CONFIG, serde,
    logger: quiet,
    listener: {
      handleLoadSnapshot: ({records}) => { node.committed = [...records] },
      handleCommit: (b) => { node.committed.push(...b.records) },
      handleLeaderChange: (l) => { node.leaders.push(l) },
    },
  })
  const port = voters.find(v => v.id === id)!.port
  // what the ApiVersions and DescribeQuorum handlers read (SharedServer adapts the manager the same way)
  const services = {
    metadata: new MetadataCache('raft-test'),
    config: {controllerListenerNames: ['CONTROLLER'], controllerQuorumVoters: voters},
    raft: {
      leaderAndEpoch: () => node.manager.leaderAndEpoch(),
      kraftVersion: () => node.manager.kraftVersion(),
      voters: () => node.manager.voters(),
      describeQuorum: () => {
        const q = node.manager.describeQuorum()
        return q.errorCode !== 0 ? null : {leaderId: q.leaderId, leaderEpoch: q.leaderEpoch, highWatermark: q.highWatermark, voters: q.currentVoters, observers: q.observers}
      },
    },
  } as unknown as ControllerServices
  const dispatcher = new RequestDispatcher(controllerApis(node.manager.apis<ControllerServices>()), services, quiet)
  node.server = new SocketServer([{name: 'CONTROLLER', host: '127.0.0.1', port}], 100 * 1024 * 1024, () => dispatcher, quiet)
  await node.server.start()
  return node
}

describe('RaftManager (three voters on loopback sockets)', function () {
  this.timeout(30_000)
  const nodes: Running[] = []
  const dirs: string[] = []

  afterEach(async () => {
    for (const n of nodes.splice(0)) {
      n.manager.close()
      await n.server.stop()
    }
    for (const d of dirs.splice(0)) removeTempDir(d)
  })

  it('elects a leader, replicates appends, and elects another when the leader dies abruptly', async () => {
    const ports = await freePorts(3)
    const voters = ports.map((port, i) => ({id: i + 1, host: '127.0.0.1', port}))
    for (const v of voters) {
      const dir = makeTempDir('kts-raft-mgr-')
      dirs.push(dir)
      nodes.push(await startNode(v.id, dir, voters))
    }
    const leaderOf = (): Running | undefined => nodes.find(n => n.manager.isLeader() && n.leaders.at(-1)?.leaderId === n.id)
    const first = await waitFor(leaderOf, {timeoutMs: 10_000, message: 'a leader'})
    const epoch = first.manager.leaderAndEpoch().epoch
    await waitFor(() => nodes.every(n => n.manager.leaderAndEpoch().leaderId === first.id), {message: 'everyone follows the leader'})

    first.manager.scheduleAppend(epoch, ['a', 'b'])
    first.manager.scheduleAppend(epoch, ['c'])
    await waitFor(() => nodes.every(n => n.committed.join() === 'a,b,c'), {message: 'records replicated to every voter'})
    assert.equal(first.manager.highWatermark(), first.manager.logEndOffset())

    // DescribeQuorum over the wire: every voter caught up
    const conn = await BrokerConnection.connect({host: '127.0.0.1', port: voters.find(v => v.id === first.id)!.port, clientId: 'test'})
    try {
      const dq = await conn.send(DescribeQuorumApi, 2, {topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}) as any
      const p = dq.topics[0].partitions[0]
      assert.equal(p.errorCode, ErrorCode.NONE)
      assert.equal(p.leaderId, first.id)
      assert.equal(p.highWatermark, first.manager.highWatermark())
      await waitFor(async () => {
        const again = (await conn.send(DescribeQuorumApi, 2, {topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}) as any).topics[0].partitions[0]
        return again.currentVoters.every((v: any) => v.logEndOffset === first.manager.logEndOffset())
      }, {message: 'DescribeQuorum shows every voter caught up'})
      assert.equal(conn.version(VoteApi), 2, 'Vote v2 (pre-vote) is advertised')
    } finally {
      conn.close()
    }

    // the leader dies: sockets destroyed, no EndQuorumEpoch
    const killedAt = Date.now()
    first.manager.close()
    await first.server.stop()
    nodes.splice(nodes.indexOf(first), 1)
    const second = await waitFor(leaderOf, {timeoutMs: 10_000, message: 'a new leader'})
    const failoverMs = Date.now() - killedAt
    // fetch timeout, then an election (random timeout, pre-vote, a possible split vote and its backoff);
    // a loose bound: a loaded CI machine adds scheduling delay to every step
    const bound = RAFT_CONFIG.fetchTimeoutMs + 4 * RAFT_CONFIG.electionTimeoutMs + RAFT_CONFIG.electionBackoffMaxMs
    assert.ok(failoverMs < bound, `new leader after ${failoverMs} ms (bound ${bound} ms)`)
    assert.ok(second.manager.leaderAndEpoch().epoch > epoch)
    const epoch2 = second.manager.leaderAndEpoch().epoch
    second.manager.scheduleAppend(epoch2, ['d'])
    await waitFor(() => nodes.every(n => n.committed.join() === 'a,b,c,d'), {message: 'a record committed under the new leader'})
    assert.throws(() => second.manager.scheduleAppend(epoch, ['stale']), /not the leader/)

    // the old leader comes back (as resigned), follows the new one and catches up from its files
    const back = await startNode(first.id, first.dir, voters)
    nodes.push(back)
    await waitFor(() => back.committed.join() === 'a,b,c,d' && back.manager.leaderAndEpoch().leaderId === second.id, {message: 'the restarted node catches up'})
  })

  it('a single voter elects itself during start and commits an append once flushed', async () => {
    const [port] = await freePorts(1)
    const dir = makeTempDir('kts-raft-mgr-')
    dirs.push(dir)
    const started = Date.now()
    const n = await startNode(1, dir, [{id: 1, host: '127.0.0.1', port}])
    nodes.push(n)
    assert.ok(n.manager.isLeader(), 'leader when start resolves')
    assert.deepEqual(n.leaders, [{leaderId: 1, epoch: 1}])
    assert.ok(Date.now() - started < 1000)
    n.manager.scheduleAppend(1, ['x'])
    n.manager.flushAppends()
    await waitFor(() => n.committed.join() === 'x')
    await n.manager.shutdown()
    assert.equal(n.manager.highWatermark(), 2)
  })
})
