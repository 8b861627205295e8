// The dynamic controller quorum (KIP-853) with separate `kts server start` processes on loopback:
// controller 1 formatted `--standalone`, controllers 2 and 3 formatted `--no-initial-controllers`
// (observers), added with `kts metadata-quorum add-controller`; the leader is SIGKILLed and a new
// one is elected among the three; the dead one is removed with `remove-controller`. A broker finds
// the quorum through `controller.quorum.bootstrap.servers` and its admin requests keep working.
import assert from 'node:assert/strict'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {runCli} from '../helpers/run-cli.js'
import {waitFor} from '../helpers/wait-for.js'
import {readMetaProperties} from '../../src/server/storage/meta-properties.js'
import {brokerMetadata, createTopics, quorumState} from './cluster-client.js'

describe('KRaft dynamic quorum: add-controller, failover, remove-controller (real processes)', function () {
  this.timeout(120_000)
  let cluster: ClusterHandle

  before(async () => {
    cluster = await startCluster({controllers: 3, brokers: 1, dynamicQuorum: true, overrides: {'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500}})
  })
  after(async () => cluster?.close())
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(cluster.output().slice(-20_000))
  })

  const directoryId = (id: number): string => readMetaProperties(cluster.node(id).logDir)!.directoryId!
  const quorum = (args: string[], controllers = cluster.controllerBootstrap) => runCli(['metadata-quorum', '--bootstrap-controller', controllers, ...args], {timeoutMs: 60_000})

  it('starts with the standalone controller as the only voter; the others observe', async () => {
    const q = await waitFor(async () => {
      const s = await quorumState(cluster)
      return s && s.observers.some(o => o.replicaId === 2) && s.observers.some(o => o.replicaId === 3) ? s : false
    }, {timeoutMs: 15_000, message: 'controller 1 leads and 2, 3 fetch as observers'})
    assert.equal(q.leaderId, 1)
    assert.deepEqual(q.voters.map(v => v.replicaId), [1])
  })

  it('add-controller adds 2 and 3; describe --status lists three voters with their endpoints', async () => {
    for (const id of [2, 3]) {
      const r = await quorum(['--command-config', cluster.node(id).configFile, 'add-controller'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `Added controller ${id} with directory id ${directoryId(id)} and endpoints: CONTROLLER://127.0.0.1:${cluster.node(id).controllerPort}\n`)
    }
    const status = await quorum(['describe', '--status'])
    assert.equal(status.code, 0, status.stderr)
    const voters = JSON.parse(/^CurrentVoters:\s+(.*)$/m.exec(status.stdout)![1]) as {id: number, directoryId: string, endpoints: string[]}[]
    assert.deepEqual(voters.map(v => [v.id, v.directoryId, v.endpoints]), [1, 2, 3].map(id => [id, directoryId(id), [`CONTROLLER://127.0.0.1:${cluster.node(id).controllerPort}`]]))
    assert.match(status.stdout, /^CurrentObservers:\s+\[\{"id": 4/m)
    // the same controller again: Kafka's DUPLICATE_VOTER
    const dup = await quorum(['--command-config', cluster.node(2).configFile, 'add-controller'])
    assert.equal(dup.code, 1)
    assert.match(dup.stderr, /DuplicateVoterException: The voter id for ReplicaKey\(id=2/)
  })

  it('a new leader among the three is elected after SIGKILL of the leader; remove-controller drops the dead one', async () => {
    const before = (await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a leader'}))
    await cluster.kill(before.leaderId)
    const after = await waitFor(async () => {
      const s = await quorumState(cluster)
      return s && s.leaderId !== before.leaderId && s.leaderEpoch > before.leaderEpoch ? s : false
    }, {timeoutMs: 15_000, message: 'a new leader'})
    assert.ok([1, 2, 3].includes(after.leaderId))
    const live = cluster.nodes.filter(n => n.controllerPort && n.process.running).map(n => `127.0.0.1:${n.controllerPort}`).join(',')
    const r = await quorum(['remove-controller', '--controller-id', String(before.leaderId), '--controller-directory-id', directoryId(before.leaderId)], live)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, `Removed  KRaft controller ${before.leaderId} with directory id ${directoryId(before.leaderId)}\n`)
    const q = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a leader'})
    assert.deepEqual(q.voters.map(v => v.replicaId).sort(), [1, 2, 3].filter(id => id !== before.leaderId))
    // the broker reaches the new active controller (its endpoint from the voter set)
    const broker = cluster.node(4)
    const errors = await waitFor(async () => {
      const e = await createTopics(broker.brokerPort, [{name: 'afterFailover', numPartitions: 1, replicationFactor: 1}])
      return e.get('afterFailover') === 0 ? e : false
    }, {timeoutMs: 15_000, message: 'CreateTopics through the broker'})
    assert.equal(errors.get('afterFailover'), 0)
    await waitFor(async () => (await brokerMetadata(broker.brokerPort)).topics.has('afterFailover'), {timeoutMs: 10_000, message: 'the topic on the broker'})
  })
})
