// A real KRaft quorum of separate `kts server start` processes on loopback (issue "4 — A real KRaft
// quorum"): three combined nodes, and three controllers with three brokers; leader election,
// registration and fencing, forwarding of admin requests, controller failover under SIGKILL and
// SIGSTOP while topics are created, and a duplicate node id refused.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Kafka, logLevel} from 'kafkajs'
import {randomClusterId} from '../helpers/broker-process.js'
import {freePorts} from '../helpers/free-port.js'
import {NodeProcess, ktsArgs, runNode} from '../helpers/node-process.js'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {runCli} from '../helpers/run-cli.js'
import {runProcessOk} from '../helpers/run-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {PYTHON} from '../interop/python-client.js'
import {brokerMetadata, createTopics, quorumState} from './cluster-client.js'

/**
 * A CreateTopics retried after a failover succeeded: created now, or by an earlier attempt whose
 * answer was lost with the old controller (TOPIC_ALREADY_EXISTS, 36).
 */
function createdOrExists(errorCode: number | undefined): boolean {
  return errorCode === 0 || errorCode === 36
}

/** Faster broker sessions than Kafka's 9 s so fencing shows within the test's time. */
const FAST_SESSIONS = {'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500}

async function brokersSeeAllTopics(cluster: ClusterHandle, created: Map<string, string | null>): Promise<void> {
  const brokers = cluster.nodes.filter(n => n.brokerPort > 0 && n.process.running)
  await waitFor(async () => {
    for (const b of brokers) {
      const md = await brokerMetadata(b.brokerPort)
      for (const [name, topicId] of created) {
        const t = md.topics.get(name)
        if (!t) return false
        if (topicId !== null && t.topicId !== topicId) throw new Error(`topic ${name} has id ${t.topicId} on broker ${b.id}, ${topicId} elsewhere`)
        created.set(name, t.topicId)
      }
    }
    return true
  }, {timeoutMs: 20_000, message: () => `every broker to list ${created.size} topics with the same ids\n${cluster.output().slice(-4000)}`})
}

describe('KRaft quorum: three combined nodes (real processes)', function () {
  this.timeout(120_000)
  let cluster: ClusterHandle

  before(async () => {
    cluster = await startCluster({controllers: 3, overrides: FAST_SESSIONS})
  })
  after(async () => cluster?.close())
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(cluster.output().slice(-20_000))
  })

  it('elects one leader, registers and unfences every broker, places replicas across brokers', async () => {
    const q = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a quorum leader'})
    assert.ok([1, 2, 3].includes(q.leaderId))
    assert.ok(q.leaderEpoch >= 1)
    assert.deepEqual(q.voters.map(v => v.replicaId).sort(), [1, 2, 3])
    for (const n of cluster.nodes) {
      const md = await waitFor(async () => {
        const m = await brokerMetadata(n.brokerPort)
        return m.brokers.length === 3 ? m : false
      }, {timeoutMs: 10_000, message: `broker ${n.id} to list 3 live brokers`})
      assert.deepEqual(md.brokers, [1, 2, 3])
      assert.ok(md.brokers.includes(md.controllerId))
    }
    const errors = await createTopics(cluster.node(2).brokerPort, [{name: 'disTopic', numPartitions: 4, replicationFactor: 2}])
    assert.equal(errors.get('disTopic'), 0)
    await brokersSeeAllTopics(cluster, new Map([['disTopic', null]]))
    const t = (await brokerMetadata(cluster.node(3).brokerPort)).topics.get('disTopic')!
    assert.equal(t.partitions.length, 4)
    const leaders = new Set(t.partitions.map(p => p.leaderId))
    assert.ok(leaders.size >= 2, `leaders spread over brokers: ${[...leaders]}`)
    for (const p of t.partitions) {
      assert.equal(p.replicaNodes.length, 2)
      assert.equal(new Set(p.replicaNodes).size, 2)
    }
    const tooMany = await createTopics(cluster.node(1).brokerPort, [{name: 'rf4', numPartitions: 1, replicationFactor: 4}])
    assert.equal(tooMany.get('rf4'), 38) // INVALID_REPLICATION_FACTOR
  })

  it('real clients see three brokers and a controller; kts metadata-quorum agrees with DescribeQuorum', async () => {
    const q = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a quorum leader'})
    for (const n of cluster.nodes) {
      await waitFor(async () => (await brokerMetadata(n.brokerPort)).brokers.length === 3, {timeoutMs: 10_000, message: `broker ${n.id} to list 3 live brokers`})
    }
    const kcat = await runProcessOk('kcat', ['-b', cluster.bootstrap, '-L', '-m', '5'], {timeoutMs: 20_000})
    assert.match(kcat.stdout, / 3 brokers:/)
    for (const n of cluster.nodes) assert.match(kcat.stdout, new RegExp(`broker ${n.id} at 127\\.0\\.0\\.1:${n.brokerPort}`))
    assert.match(kcat.stdout, /\(controller\)/)

    const admin = new Kafka({clientId: 'quorum-test', brokers: cluster.bootstrap.split(','), logLevel: logLevel.NOTHING}).admin()
    await admin.connect()
    try {
      const d = await admin.describeCluster()
      assert.deepEqual(d.brokers.map(b => b.nodeId).sort(), [1, 2, 3])
      assert.ok([1, 2, 3].includes(d.controller ?? -1))
    } finally {
      await admin.disconnect()
    }

    const py = (code: string): Promise<string> => runProcessOk(PYTHON, ['-c', code, cluster.bootstrap], {timeoutMs: 30_000}).then(r => r.stdout.trim())
    const confluent = JSON.parse(await py('import sys, json; from confluent_kafka.admin import AdminClient\n'
      + 'md = AdminClient({"bootstrap.servers": sys.argv[1]}).list_topics(timeout=10)\n'
      + 'print(json.dumps({"brokers": sorted(md.brokers), "controller": md.controller_id}))')) as {brokers: number[], controller: number}
    assert.deepEqual(confluent.brokers, [1, 2, 3])
    assert.ok([1, 2, 3].includes(confluent.controller))
    const kafkaPython = JSON.parse(await py('import sys, json; from kafka.admin import KafkaAdminClient\n'
      + 'd = KafkaAdminClient(bootstrap_servers=sys.argv[1]).describe_cluster()\n'
      + 'print(json.dumps({"brokers": sorted(b["node_id"] for b in d["brokers"]), "controller": d["controller_id"]}))')) as {brokers: number[], controller: number}
    assert.deepEqual(kafkaPython.brokers, [1, 2, 3])
    assert.ok([1, 2, 3].includes(kafkaPython.controller))

    const status = await runCli(['metadata-quorum', '--bootstrap-server', cluster.bootstrap, 'describe', '--status'])
    assert.equal(status.code, 0, status.stderr)
    const fields = new Map(status.stdout.split('\n').filter(l => l.includes(':')).map(l => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]))
    assert.equal(fields.get('ClusterId'), cluster.clusterId)
    assert.equal(Number(fields.get('LeaderId')), q.leaderId)
    assert.ok(Number(fields.get('HighWatermark')) > 0)
    const replication = await runCli(['metadata-quorum', '--bootstrap-controller', cluster.controllerBootstrap.split(',')[0], 'describe', '--replication'])
    assert.equal(replication.code, 0, replication.stderr)
    assert.equal(replication.stdout.split('\n').filter(l => /\s(Leader|Follower)\s*$/.test(l)).length, 3, replication.stdout)
  })

  it('serves each API only on its listener kind: no Raft or heartbeat APIs on broker listeners, no Produce on controller listeners', async () => {
    const {BrokerConnection} = await import('../../src/protocol/client/broker-connection.js')
    const {ProduceApi} = await import('../../src/protocol/generated/messages/produce.js')
    const {BrokerHeartbeatApi} = await import('../../src/protocol/generated/messages/broker-heartbeat.js')
    const {VoteApi} = await import('../../src/protocol/generated/messages/vote.js')
    const n = cluster.node(1)
    const onBroker = await BrokerConnection.connect({host: '127.0.0.1', port: n.brokerPort, clientId: 'scope-test'})
    const onController = await BrokerConnection.connect({host: '127.0.0.1', port: n.controllerPort, clientId: 'scope-test'})
    try {
      assert.throws(() => onBroker.version(VoteApi), /does not support/)
      assert.throws(() => onBroker.version(BrokerHeartbeatApi), /does not support/)
      assert.throws(() => onController.version(ProduceApi), /does not support/)
      assert.ok(onController.version(BrokerHeartbeatApi) >= 0)
      // Sent anyway: the broker closes the connection, and keeps serving others.
      await assert.rejects(onBroker.send(BrokerHeartbeatApi, 0, {brokerId: 9, brokerEpoch: 1, currentMetadataOffset: 0, wantFence: false, wantShutDown: false}))
    } finally {
      onBroker.close()
      onController.close()
    }
    assert.deepEqual((await brokerMetadata(n.brokerPort)).brokers, [1, 2, 3])
  })

  it('survives SIGKILL of the active controller: a new leader, no acknowledged topic lost, the old one catches up', async () => {
    const created = new Map<string, string | null>()
    for (let round = 0; round < 2; round++) {
      const before = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a quorum leader'})
      const name = `before-kill-${round}`
      const other = cluster.nodes.find(n => n.id !== before.leaderId)!
      assert.equal((await createTopics(other.brokerPort, [{name, numPartitions: 1, replicationFactor: 1}])).get(name), 0)
      created.set(name, null)
      await cluster.kill(before.leaderId)
      const killedAt = Date.now()
      const after = await waitFor(async () => {
        const q = await quorumState(cluster)
        return q && q.leaderId !== before.leaderId ? q : false
      }, {timeoutMs: 10_000, message: 'a new leader'})
      assert.ok(after.leaderEpoch > before.leaderEpoch)
      const next = `after-kill-${round}`
      await waitFor(async () => createdOrExists((await createTopics(other.brokerPort, [{name: next, numPartitions: 1, replicationFactor: 1}], 3000)).get(next)),
        {timeoutMs: 15_000, message: 'CreateTopics to succeed after the failover'})
      created.set(next, null)
      console.log(`      failover round ${round}: leader ${before.leaderId} → ${after.leaderId}, CreateTopics ok ${Date.now() - killedAt} ms after SIGKILL`)
      await cluster.start(before.leaderId)
      await brokersSeeAllTopics(cluster, created)
    }
  })

  it('survives SIGSTOP of the active controller; after SIGCONT it follows the new leader', async () => {
    const before = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a quorum leader'})
    await cluster.pause(before.leaderId)
    try {
      const others = cluster.nodes.filter(n => n.id !== before.leaderId)
      const after = await waitFor(async () => {
        for (const n of others) {
          const q = await quorumState({...cluster, nodes: [n]})
          if (q && q.leaderId !== before.leaderId) return q
        }
        return false
      }, {timeoutMs: 10_000, message: 'a new leader while the old one is stopped'})
      assert.ok(after.leaderEpoch > before.leaderEpoch)
      await waitFor(async () => createdOrExists((await createTopics(others[0].brokerPort, [{name: 'while-stopped', numPartitions: 1, replicationFactor: 1}], 3000)).get('while-stopped')),
        {timeoutMs: 15_000, message: 'CreateTopics while the old leader is stopped'})
    } finally {
      await cluster.resume(before.leaderId)
    }
    // The woken node must not act as leader: every controller agrees on one leader of a newer epoch.
    await waitFor(async () => {
      const q = await quorumState(cluster)
      return q !== null && q.leaderId !== before.leaderId
    }, {timeoutMs: 10_000, message: 'one leader after SIGCONT'})
    await brokersSeeAllTopics(cluster, new Map([['while-stopped', null]]))
  })

  it('fences a broker that stops heartbeating and unfences it when it returns', async () => {
    const q = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a quorum leader'})
    const victim = cluster.nodes.find(n => n.id !== q.leaderId)!
    const watcher = cluster.nodes.find(n => n.id !== q.leaderId && n.id !== victim.id)!
    await cluster.pause(victim.id)
    try {
      // A paused combined node also stops voting: the other two keep the quorum.
      await waitFor(async () => !(await brokerMetadata(watcher.brokerPort)).brokers.includes(victim.id),
        {timeoutMs: 15_000, message: `broker ${victim.id} to be fenced`})
    } finally {
      await cluster.resume(victim.id)
    }
    await waitFor(async () => (await brokerMetadata(watcher.brokerPort)).brokers.includes(victim.id),
      {timeoutMs: 15_000, message: `broker ${victim.id} to be unfenced`})
  })
})

describe('KRaft quorum: three controllers and three brokers (real processes)', function () {
  this.timeout(180_000)
  let cluster: ClusterHandle

  before(async () => {
    cluster = await startCluster({controllers: 3, brokers: 3, overrides: FAST_SESSIONS})
  })
  after(async () => cluster?.close())
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(cluster.output().slice(-20_000))
  })

  it('brokers are observers: they list each other, and admin requests to any broker reach the controller', async () => {
    const q = await waitFor(() => quorumState(cluster), {timeoutMs: 10_000, message: 'a quorum leader'})
    assert.ok([1, 2, 3].includes(q.leaderId))
    await waitFor(async () => {
      const now = await quorumState(cluster)
      return now !== null && [4, 5, 6].every(id => now.observers.some(o => o.replicaId === id))
    }, {timeoutMs: 10_000, message: 'the brokers as observers of the metadata quorum'})
    const created = new Map<string, string | null>()
    for (const b of [4, 5, 6]) {
      const name = `via-broker-${b}`
      assert.equal((await createTopics(cluster.node(b).brokerPort, [{name, numPartitions: 3, replicationFactor: 2}])).get(name), 0)
      created.set(name, null)
    }
    await brokersSeeAllTopics(cluster, created)
    const md = await brokerMetadata(cluster.node(4).brokerPort)
    assert.deepEqual(md.brokers, [4, 5, 6])
  })

  it('keeps every acknowledged topic while active controllers are SIGKILLed and SIGSTOPped again and again', async () => {
    const created = new Map<string, string | null>()
    let stop = false
    let n = 0
    const creator = (async () => {
      while (!stop) {
        const name = `chaos-${n++}`
        const broker = cluster.node(4 + (n % 3))
        try {
          if ((await createTopics(broker.brokerPort, [{name, numPartitions: 1, replicationFactor: 1}], 2000)).get(name) === 0) created.set(name, null)
        } catch {
          // a failed or timed-out request was not acknowledged
        }
      }
    })()
    try {
      for (let round = 0; round < 4; round++) {
        const q = await waitFor(() => quorumState(cluster), {timeoutMs: 15_000, message: 'a quorum leader'})
        if (round % 2 === 0) {
          await cluster.kill(q.leaderId)
          await waitFor(async () => (await quorumState(cluster))?.leaderId !== undefined, {timeoutMs: 15_000, message: 'a new leader'})
          await cluster.start(q.leaderId, false)
        } else {
          await cluster.pause(q.leaderId)
          await waitFor(async () => {
            const now = await quorumState(cluster)
            return now !== null && now.leaderId !== q.leaderId
          }, {timeoutMs: 15_000, message: 'a new leader while one is stopped'})
          await cluster.resume(q.leaderId)
        }
        const before = created.size
        await waitFor(() => created.size > before, {timeoutMs: 15_000, message: 'topic creation to go on after the fault'})
      }
    } finally {
      stop = true
      await creator
    }
    assert.ok(created.size >= 4, `created ${created.size} topics`)
    await brokersSeeAllTopics(cluster, created)
    console.log(`      ${created.size} topics acknowledged during 4 controller faults; all present on every broker`)
  })

  it('refuses a broker whose node.id is taken and a broker formatted for another cluster: one line, exit 1; the cluster keeps working', async () => {
    const template = fs.readFileSync(cluster.node(4).configFile, 'utf8')
    const intruder = async (name: string, clusterId: string): Promise<NodeProcess> => {
      const [port] = await freePorts(1)
      const dir = path.join(cluster.dir, name)
      const configFile = path.join(cluster.dir, `${name}.properties`)
      fs.writeFileSync(configFile, template
        .replace(/^listeners=.*$/m, `listeners=PLAINTEXT://127.0.0.1:${port}`)
        .replace(/^advertised\.listeners=.*$/m, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`)
        .replace(/^log\.dirs=.*$/m, `log.dirs=${dir}`))
      const f = await runNode(ktsArgs('storage', 'format', '-t', clusterId, '-c', configFile), 30_000)
      assert.equal(f.code, 0, f.out)
      const p = new NodeProcess({configFile, readyPort: port, label: `[${name}] `})
      await p.start(20_000, false)
      return p
    }
    const duplicate = await intruder('duplicate-4', cluster.clusterId)
    const stranger = await intruder('stranger', randomClusterId())
    try {
      for (const [p, pattern] of [[duplicate, /DUPLICATE_BROKER_REGISTRATION/], [stranger, /INCONSISTENT_CLUSTER_ID/]] as const) {
        await Promise.race([p.waitExit(), new Promise((_, reject) => setTimeout(() => reject(new Error(`still running:\n${p.output()}`)), 30_000))])
        assert.equal(p.exitCode, 1, p.output())
        assert.match(p.output(), pattern)
      }
    } finally {
      await duplicate.kill()
      await stranger.kill()
    }
    const name = 'after-intruders'
    assert.equal((await createTopics(cluster.node(5).brokerPort, [{name, numPartitions: 1, replicationFactor: 1}])).get(name), 0)
    assert.deepEqual((await brokerMetadata(cluster.node(6).brokerPort)).brokers, [4, 5, 6])
  })
})
