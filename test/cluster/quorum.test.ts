// A real KRaft quorum of separate `kts server start` processes on loopback (issue "4 — A real KRaft
// quorum"): three combined nodes, and three controllers with three brokers; leader election,
// registration and fencing, forwarding of admin requests, controller failover under SIGKILL and
// SIGSTOP while topics are created, and a duplicate node id refused.
import assert from 'node:assert/strict'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {brokerMetadata, createTopics, quorumState} from './cluster-client.js'

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
      await waitFor(async () => (await createTopics(other.brokerPort, [{name: next, numPartitions: 1, replicationFactor: 1}], 3000)).get(next) === 0,
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
      await waitFor(async () => (await createTopics(others[0].brokerPort, [{name: 'while-stopped', numPartitions: 1, replicationFactor: 1}], 3000)).get('while-stopped') === 0,
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
})
