/**
 * `startKafka({nodes: 3})` as a user's test suite sees it (`import {startKafka} from 'kts'`): three
 * combined nodes in child processes form one cluster; kafkajs creates a topic with replication
 * factor 3, produces with acks=all and reads back; SIGKILLing the partition leader leaves the
 * cluster usable (the client retries until the controller fences it and elects another leader);
 * `restart()` brings the node back into the ISR; `stop()` leaves no process, port or directory.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {Kafka, logLevel, type Admin} from 'kafkajs'
import {startKafka, type KafkaCluster} from 'kts'
import {canConnect} from '../helpers/broker-process.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {waitFor} from '../helpers/wait-for.js'

/** Retries long enough to outlast a killed leader's session timeout (broker.session.timeout.ms, 9 s) on a loaded machine. */
function client(kafka: KafkaCluster): Kafka {
  return new Kafka({clientId: 'start-kafka-nodes-test', brokers: [...kafka.brokers], logLevel: logLevel.NOTHING, retry: {retries: 30, initialRetryTime: 100, maxRetryTime: 1000}})
}

async function produce(kafka: KafkaCluster, topic: string, values: string[]): Promise<void> {
  const producer = client(kafka).producer()
  await producer.connect()
  try {
    await producer.send({topic, acks: -1, messages: values.map((value) => ({value}))})
  } finally {
    await producer.disconnect()
  }
}

/** Reads `expected` values of `topic` from the beginning in a fresh consumer group. */
async function consume(kafka: KafkaCluster, topic: string, expected: number): Promise<string[]> {
  const consumer = client(kafka).consumer({groupId: `g-${topic}-${Date.now()}`, maxWaitTimeInMs: 100})
  const values: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({eachMessage: async ({message}) => void values.push(message.value?.toString() ?? '')})
    await waitFor(() => values.length >= expected, {timeoutMs: 30_000, message: () => `${expected} records (have ${values.length})`})
  } finally {
    await consumer.disconnect()
  }
  return values
}

/** Partition 0 of `topic` as the cluster reports it (leader, ISR), once it has a leader. */
async function partition0(admin: Admin, topic: string): Promise<{leader: number, isr: number[]}> {
  return waitFor(async () => {
    const {topics} = await admin.fetchTopicMetadata({topics: [topic]})
    const p = topics[0]?.partitions.find((x) => x.partitionId === 0)
    return p !== undefined && p.leader >= 0 ? {leader: p.leader, isr: [...p.isr].sort()} : null
  }, {timeoutMs: 20_000, message: `a leader of ${topic}-0`})
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Two consecutive ports, the second held by a listening socket (the first is free). */
async function portBeforeATakenOne(): Promise<{port: number, holder: net.Server}> {
  for (let i = 0; i < 20; i++) {
    const probe = net.createServer()
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as net.AddressInfo).port
    await new Promise((resolve) => probe.close(resolve))
    if (port >= 65535) continue
    const holder = net.createServer()
    const ok = await new Promise<boolean>((resolve) => holder.once('error', () => resolve(false)).listen(port + 1, '127.0.0.1', () => resolve(true)))
    if (ok) return {port, holder}
  }
  throw new Error('no two consecutive ports found')
}

describe('startKafka({nodes: 3}) imported from \'kts\'', function () {
  this.timeout(60_000)
  const started: KafkaCluster[] = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map((k) => k.stop()))
  })

  it('RF 3 topic, acks=all round trip; kill(partition leader) and the cluster still serves; restart() rejoins the ISR; stop() leaves nothing', async () => {
    const kafka = await startKafka({nodes: 3})
    started.push(kafka)
    assert.equal(kafka.mode, 'child-process')
    assert.deepEqual(kafka.nodes.map((n) => n.nodeId), [1, 2, 3])
    assert.deepEqual(kafka.brokers, kafka.nodes.map((n) => `127.0.0.1:${n.port}`))
    assert.equal(kafka.bootstrapServers, kafka.brokers.join(','))
    const pids = kafka.nodes.map((n) => n.pid!)
    assert.equal(new Set([...pids, process.pid]).size, 4, 'one process per node')
    const voters = kafka.nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',')
    for (const n of kafka.nodes) {
      assert.equal(n.running, true)
      assert.match(fs.readFileSync(n.configFile, 'utf8'), new RegExp(`^controller\\.quorum\\.voters=${voters}$`, 'm'))
    }

    const admin = client(kafka).admin()
    await admin.connect()
    try {
      assert.equal((await admin.describeCluster()).brokers.length, 3)
      // Not waitForLeaders: kafkajs then asks the broker that forwarded CreateTopics for metadata, which
      // may not have applied the new topic yet (UNKNOWN_TOPIC_OR_PARTITION, not retried), as with Kafka in KRaft mode.
      assert.equal(await admin.createTopics({topics: [{topic: 'orders', numPartitions: 1, replicationFactor: 3}], waitForLeaders: false}), true)
      await waitFor(async () => (await partition0(admin, 'orders')).isr.length === 3, {timeoutMs: 20_000, message: 'orders-0 ISR of 3'})
      await produce(kafka, 'orders', ['a', 'b'])
      assert.deepEqual(await consume(kafka, 'orders', 2), ['a', 'b'])

      const leader = (await partition0(admin, 'orders')).leader
      const victim = kafka.nodes.find((n) => n.nodeId === leader)!
      const victimPid = victim.pid!
      await kafka.kill(leader)
      assert.equal(processAlive(victimPid), false)
      assert.equal(victim.running, false)
      assert.equal(victim.pid, null)
      assert.equal(await canConnect(victim.port), false)

      await produce(kafka, 'orders', ['c'])
      // Every broker reports the new leader and the shrunk ISR once its metadata caught up.
      await waitFor(async () => {
        const p = await partition0(admin, 'orders')
        return p.leader !== leader && !p.isr.includes(leader)
      }, {timeoutMs: 20_000, message: `orders-0 led without node ${leader}, which left its ISR`})
      assert.deepEqual(await consume(kafka, 'orders', 3), ['a', 'b', 'c'])

      await kafka.restart(leader)
      assert.equal(victim.running, true)
      assert.ok(victim.pid !== null && victim.pid !== victimPid)
      await waitFor(async () => (await partition0(admin, 'orders')).isr.includes(leader), {timeoutMs: 30_000, message: `node ${leader} back in the ISR of orders-0`})
    } finally {
      await admin.disconnect()
    }

    const allPids = kafka.nodes.map((n) => n.pid!)
    await kafka.stop()
    await kafka.stop() // idempotent
    for (const n of kafka.nodes) {
      assert.equal(n.running, false)
      assert.equal(await canConnect(n.port), false, `port ${n.port} still accepts connections`)
      assert.equal(await canConnect(n.controllerPort), false, `controller port ${n.controllerPort} still accepts connections`)
    }
    for (const pid of allPids) await waitFor(() => !processAlive(pid), {timeoutMs: 5000, message: `process ${pid} to be gone`})
    assert.equal(fs.existsSync(kafka.dir), false, `${kafka.dir} still exists`)
    await assert.rejects(kafka.kill(1), /the cluster is stopped/)
  })

  it('a kept directory: stop() stops the nodes cleanly and startKafka({nodes: 3, dir}) starts the same cluster with its data', async () => {
    const dir = makeTempDir('kts-start-kafka-nodes-')
    // Shorter broker sessions (Kafka's keys): the last node to stop gives up its controlled shutdown
    // after 2 heartbeats, and registers again once its old session expired.
    const config = {'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 4000}
    try {
      const first = await startKafka({nodes: 3, dir, config})
      started.push(first)
      await produce(first, 'kept', ['x', 'y'])
      await first.stop()
      for (const n of first.nodes) assert.equal(await canConnect(n.port), false)
      assert.ok(fs.existsSync(path.join(dir, 'node-3', 'data', 'meta.properties')), 'a given dir is kept')

      const again = await startKafka({nodes: 3, dir, config})
      started.push(again)
      assert.equal(again.clusterId, first.clusterId)
      assert.deepEqual(await consume(again, 'kept', 2), ['x', 'y'])
    } finally {
      await Promise.all(started.splice(0).map((k) => k.stop()))
      removeTempDir(dir)
    }
  })

  it('a node that cannot start rejects with its error (node-prefixed); the others are killed and the temp dir removed', async () => {
    const {port, holder} = await portBeforeATakenOne()
    // startKafka's temp dir goes under a TMPDIR of this test's own (os.tmpdir() reads TMPDIR at each
    // call): other processes' kts-kafka-* dirs in the shared /tmp do not count.
    const tmp = makeTempDir('kts-tmpdir-')
    const savedTmpdir = process.env.TMPDIR
    process.env.TMPDIR = tmp
    try {
      await assert.rejects(startKafka({nodes: 2, port}), (err: Error) => {
        assert.equal(err.message, `node 2: Socket server failed to bind to 127.0.0.1:${port + 1}: Address already in use.`)
        return true
      })
      assert.equal(await canConnect(port), false, 'node 1 was stopped')
      assert.deepEqual(fs.readdirSync(tmp), [], 'the temp dir was removed')
    } finally {
      if (savedTmpdir === undefined) delete process.env.TMPDIR
      else process.env.TMPDIR = savedTmpdir
      await new Promise((resolve) => holder.close(resolve))
      removeTempDir(tmp)
    }
  })

  it('rejects bad nodes values and bad combinations with a TypeError naming them, before anything starts', async () => {
    for (const nodes of [0, -1, 1.5, 101, '3']) {
      await assert.rejects(startKafka({nodes} as never), (err: Error) => err instanceof TypeError && /nodes/.test(err.message))
    }
    await assert.rejects(startKafka({nodes: 3, mode: 'in-process'}), (err: Error) => {
      assert.ok(err instanceof TypeError)
      assert.match(err.message, /^startKafka\(\): options nodes: 3 and mode: 'in-process' cannot be combined/)
      return true
    })
    await assert.rejects(startKafka({nodes: 2, config: {'node.id': 5, 'listeners': 'PLAINTEXT://:9092', 'num.partitions': 2}}), (err: Error) => {
      assert.ok(err instanceof TypeError)
      assert.equal(err.message, `startKafka(): with nodes: 2, config may not set 'node.id', 'listeners': startKafka writes them per node`)
      return true
    })
    await assert.rejects(startKafka({nodes: 3, port: 65534}), (err: Error) => err instanceof TypeError && /node 3 would get port 65536/.test(err.message))
  })
})
