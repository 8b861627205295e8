// Internal topics and controlled shutdown on a replicated cluster (issue "5 — Replicated
// partitions"), three combined nodes in separate processes:
// - `__consumer_offsets` has Kafka's offsets.topic.replication.factor 3: it is created only once
//   three brokers are unfenced (FindCoordinator answers COORDINATOR_NOT_AVAILABLE until then);
// - an offset commit a real client group got acknowledged survives the SIGKILL of its coordinator,
//   and the coordinator moves with the leader of the group's `__consumer_offsets` partition;
// - SIGTERM of a partition leader is a controlled shutdown: its leaderships have moved when the
//   process exits, and an acks=all producer loses nothing (the gap in its acknowledgements is printed).
import assert from 'node:assert/strict'
import {Kafka, logLevel} from 'kafkajs'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {brokerMetadata, createTopics, findGroupCoordinator, type PartitionMetadata} from './cluster-client.js'

const COORDINATOR_NOT_AVAILABLE = 15
const OFFSETS_TOPIC = '__consumer_offsets'

function client(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'kts-replication-failover', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING,
    retry: {retries: 30, initialRetryTime: 50, maxRetryTime: 500}, requestTimeout: 5000, connectionTimeout: 1000,
  })
}

/** Part of a test's schedule (spacing repeated checks), not a synchronization. */
function pause(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

describe('Replicated internal topics and controlled shutdown (real processes)', function () {
  this.timeout(120_000)
  let cluster: ClusterHandle | undefined

  before(async () => {
    cluster = await startCluster({controllers: 3, overrides: {
      'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500,
      'offsets.topic.replication.factor': 3, 'offsets.topic.num.partitions': 3,
    }})
  })
  after(async () => cluster?.close())
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.output().slice(-20_000))
  })

  const live = (c: ClusterHandle): number[] => c.nodes.filter(n => n.process.running).map(n => n.id)
  const bootstrapOf = (c: ClusterHandle, ids: number[]): string => ids.map(id => `127.0.0.1:${c.node(id).brokerPort}`).join(',')
  async function partitionsOf(c: ClusterHandle, topic: string, via: number): Promise<PartitionMetadata[] | undefined> {
    return (await brokerMetadata(c.node(via).brokerPort)).topics.get(topic)?.partitions
  }

  it('creates __consumer_offsets with replication factor 3 only once three brokers are up', async () => {
    const c = cluster!
    await c.kill(3)
    try {
      await waitFor(async () => (await brokerMetadata(c.node(1).brokerPort)).brokers.join(',') === '1,2', {timeoutMs: 15_000, message: 'broker 3 fenced'})
      for (let i = 0; i < 5; i++) {
        assert.equal(await findGroupCoordinator(c.node(1 + (i % 2)).brokerPort, 'early-group'), -COORDINATOR_NOT_AVAILABLE)
        assert.equal(await partitionsOf(c, OFFSETS_TOPIC, 1), undefined, `${OFFSETS_TOPIC} created with two brokers`)
        await pause(200)
      }
    } finally {
      await c.start(3)
    }
    const coordinator = await waitFor(async () => {
      const id = await findGroupCoordinator(c.node(1).brokerPort, 'early-group')
      return id >= 0 ? id : null
    }, {timeoutMs: 20_000, message: 'a group coordinator once three brokers are up'})
    const parts = await waitFor(() => partitionsOf(c, OFFSETS_TOPIC, 2), {timeoutMs: 10_000, message: `${OFFSETS_TOPIC} in the metadata of broker 2`})
    assert.equal(parts.length, 3)
    for (const p of parts) assert.equal(p.replicaNodes.length, 3)
    assert.ok([1, 2, 3].includes(coordinator))
  })

  it('keeps an acknowledged offset commit when the coordinator is SIGKILLed; the coordinator moves with the partition leader', async () => {
    const c = cluster!
    const topic = 'commits'
    const groupId = 'commit-group'
    assert.equal((await createTopics(c.node(1).brokerPort, [{name: topic, numPartitions: 1, replicationFactor: 3}])).get(topic), 0)
    const kafka = client(c.bootstrap)
    const producer = kafka.producer({idempotent: true, maxInFlightRequests: 1})
    await producer.connect()
    await producer.send({topic, acks: -1, messages: Array.from({length: 10}, (_, i) => ({value: `m${i}`, partition: 0}))})
    await producer.disconnect()

    const consumer = kafka.consumer({groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100})
    let read = 0
    await consumer.connect()
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({autoCommit: false, eachMessage: async () => { read++ }})
    await waitFor(() => read >= 10, {timeoutMs: 20_000, message: () => `10 records read by the group (have ${read})`})
    await consumer.commitOffsets([{topic, partition: 0, offset: '10'}])
    const coordinator = await findGroupCoordinator(c.node(1).brokerPort, groupId)
    assert.ok(coordinator > 0, `coordinator of ${groupId}: ${coordinator}`)
    // The commit was acknowledged: the coordinator's broker may die now. (The consumer leaves first:
    // a kafkajs consumer whose coordinator vanishes while it runs can spin its fetch loop forever.)
    await consumer.disconnect()
    await c.kill(coordinator)
    try {
      const survivors = live(c)
      const moved = await waitFor(async () => {
        const id = await findGroupCoordinator(c.node(survivors[0]).brokerPort, groupId)
        return id >= 0 && id !== coordinator ? id : null
      }, {timeoutMs: 20_000, message: `a new coordinator of ${groupId}`})
      // The coordinator is the leader of the group's __consumer_offsets partition.
      const leaders = new Set((await partitionsOf(c, OFFSETS_TOPIC, survivors[0]))!.map(p => p.leaderId))
      assert.ok(leaders.has(moved))
      assert.ok(!leaders.has(coordinator), `${OFFSETS_TOPIC} still led by the killed node ${coordinator}`)
      const admin = client(bootstrapOf(c, survivors)).admin()
      await admin.connect()
      try {
        const offsets = await waitFor(async () => admin.fetchOffsets({groupId, topics: [topic]}), {timeoutMs: 15_000, message: 'committed offsets from the new coordinator'})
        assert.deepEqual(offsets[0].partitions.map(p => [p.partition, p.offset]), [[0, '10']])
      } finally {
        await admin.disconnect()
      }
      console.log(`      coordinator of ${groupId}: node ${coordinator} SIGKILLed, node ${moved} took over with the committed offset 10`)
    } finally {
      await c.start(coordinator)
    }
  })

  it('SIGTERM of a partition leader moves its leaderships before the process exits; an acks=all producer loses nothing', async () => {
    const c = cluster!
    const topic = 'sigterm'
    assert.equal((await createTopics(c.node(1).brokerPort, [{name: topic, numPartitions: 1, replicationFactor: 3, configs: {'min.insync.replicas': '2'}}])).get(topic), 0)
    await waitFor(async () => (await partitionsOf(c, topic, 1))?.[0].isrNodes.length === 3, {timeoutMs: 15_000, message: `${topic} with 3 in-sync replicas`})
    const producer = client(c.bootstrap).producer({idempotent: true, maxInFlightRequests: 1, metadataMaxAge: 1000})
    await producer.connect()
    const acks: {value: string, at: number}[] = []
    let stop = false
    let n = 0
    const loop = (async () => {
      while (!stop) {
        const value = `v${n++}`
        await producer.send({topic, acks: -1, timeout: 5000, messages: [{value, partition: 0}]})
        acks.push({value, at: Date.now()})
      }
    })()
    let leader = -1
    try {
      await waitFor(() => acks.length >= 100, {timeoutMs: 20_000, message: () => `100 acknowledged records (have ${acks.length})`})
      leader = (await partitionsOf(c, topic, 1))![0].leaderId
      const survivor = [1, 2, 3].find(id => id !== leader)!
      const termAt = Date.now()
      await c.stop(leader)
      const exitedAt = Date.now()
      // At exit the cluster already has another leader.
      const after = (await partitionsOf(c, topic, survivor))![0]
      assert.ok(after.leaderId >= 0 && after.leaderId !== leader, `leader when node ${leader} exited: ${after.leaderId}`)
      assert.ok(!after.isrNodes.includes(leader), `ISR ${after.isrNodes} still has the stopped node ${leader}`)
      await waitFor(() => acks.some(a => a.at > exitedAt) && acks.length >= 10 + acks.findIndex(a => a.at > exitedAt), {timeoutMs: 15_000, message: 'acknowledgements after the exit'})
      const firstAfter = acks.find(a => a.at > termAt)!.at - termAt
      let gap = 0
      for (let i = 1; i < acks.length; i++) if (acks[i].at > termAt - 1000) gap = Math.max(gap, acks[i].at - acks[i - 1].at)
      console.log(`      SIGTERM of leader ${leader}: process exited after ${exitedAt - termAt} ms, leader ${after.leaderId} (epoch ${after.leaderEpoch}); ` +
        `first acks=all produce ${firstAfter} ms after SIGTERM, longest gap between acknowledgements ${gap} ms`)
      assert.ok(gap <= 5000, `acknowledgements stopped for ${gap} ms`)
      if (process.env.KTS_DUMP) console.log(acks.filter(a => a.at > termAt - 200 && a.at < termAt + 3000).map(a => `${a.value} ${a.at - termAt}`).join('\n') + '\n' + c.output().split('\n').filter(l => /sigterm|ontrolled|shut|Shut|SHUT/.test(l)).join('\n'))
    } finally {
      stop = true
      await loop.catch(() => undefined)
      await producer.disconnect()
      if (leader >= 0) await c.start(leader)
    }
    // Everything acknowledged is there, once.
    const consumer = client(c.bootstrap).consumer({groupId: 'sigterm-check', maxWaitTimeInMs: 100})
    const seen = new Map<string, number>()
    await consumer.connect()
    try {
      await consumer.subscribe({topic, fromBeginning: true})
      await consumer.run({eachMessage: async ({message}) => {
        const v = message.value!.toString()
        seen.set(v, (seen.get(v) ?? 0) + 1)
      }})
      await waitFor(() => acks.every(a => seen.has(a.value)), {timeoutMs: 20_000, message: () => `${acks.length} acknowledged records read back (${acks.filter(a => !seen.has(a.value)).length} missing)`})
    } finally {
      await consumer.disconnect()
    }
    assert.deepEqual([...seen].filter(([, k]) => k > 1), [], 'duplicates')
  })
})
