/**
 * The programmatic API as a user's test suite sees it: `import {startKafka} from 'kts'` resolves
 * through package.json's `exports` (Node's package self-reference), not through a relative path.
 * Each mode produces and consumes with kafkajs, and `stop()` must leave no process, no listening
 * port and no directory behind.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {Kafka, logLevel} from 'kafkajs'
import {ConfigError, startKafka, type KafkaCluster, type KafkaMode} from 'kts'
import {canConnect} from '../helpers/broker-process.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {waitFor} from '../helpers/wait-for.js'

function client(kafka: KafkaCluster): Kafka {
  return new Kafka({clientId: 'start-kafka-test', brokers: [...kafka.brokers], logLevel: logLevel.NOTHING, retry: {retries: 8, initialRetryTime: 100, maxRetryTime: 1000}})
}

async function produce(kafka: KafkaCluster, topic: string, values: string[]): Promise<void> {
  const producer = client(kafka).producer({allowAutoTopicCreation: true})
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
    await waitFor(() => values.length >= expected, {timeoutMs: 20_000, message: () => `${expected} records (have ${values.length})`})
  } finally {
    await consumer.disconnect()
  }
  return values
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Asserts that nothing of `kafka` is left: no port accepting connections, no directory, no child process. */
async function assertGone(kafka: KafkaCluster, childPid: number | null): Promise<void> {
  for (const n of kafka.nodes) {
    assert.equal(await canConnect(n.port, n.host), false, `port ${n.port} still accepts connections`)
    assert.equal(await canConnect(n.controllerPort, n.host), false, `controller port ${n.controllerPort} still accepts connections`)
    assert.equal(n.running, false)
  }
  assert.equal(fs.existsSync(kafka.dir), false, `${kafka.dir} still exists`)
  if (childPid !== null) await waitFor(() => !processAlive(childPid), {timeoutMs: 5000, message: `process ${childPid} to be gone`})
}

describe('startKafka() imported from \'kts\'', function () {
  this.timeout(60_000)
  const started: KafkaCluster[] = []
  const start = async (...args: Parameters<typeof startKafka>): Promise<KafkaCluster> => {
    const k = await startKafka(...args)
    started.push(k)
    return k
  }
  // Every cluster is stopped even when an assertion failed.
  afterEach(async () => {
    await Promise.all(started.splice(0).map((k) => k.stop()))
  })

  for (const mode of ['in-process', 'child-process'] as KafkaMode[]) {
    it(`${mode}: produce and consume with kafkajs; stop() leaves no port, directory or process`, async () => {
      const kafka = await start({mode})
      assert.match(kafka.bootstrapServers, /^127\.0\.0\.1:\d+$/)
      assert.deepEqual(kafka.brokers, [kafka.bootstrapServers])
      assert.match(kafka.clusterId, /^[A-Za-z0-9_-]{22}$/)
      assert.equal(kafka.mode, mode)
      assert.equal(kafka.nodes.length, 1)
      const node = kafka.nodes[0]
      assert.equal(node.nodeId, 1)
      assert.equal(node.running, true)
      const pid = node.pid
      assert.ok(pid !== null)
      if (mode === 'in-process') assert.equal(pid, process.pid)
      else assert.notEqual(pid, process.pid)
      assert.ok(fs.existsSync(node.configFile))

      await produce(kafka, 'greetings', ['hello', 'world'])
      assert.deepEqual(await consume(kafka, 'greetings', 2), ['hello', 'world'])

      await kafka.stop()
      await kafka.stop() // idempotent
      await assertGone(kafka, mode === 'child-process' ? pid : null)
      await assert.rejects(kafka.restart(), /the cluster is stopped/)
    })
  }

  it('child-process: kill() SIGKILLs the node, restart() brings it back on the same port with its data', async () => {
    const kafka = await start({mode: 'child-process'})
    await produce(kafka, 'durable', ['a', 'b', 'c'])
    const pid = kafka.nodes[0].pid!
    await kafka.kill(1)
    assert.equal(processAlive(pid), false)
    assert.equal(kafka.nodes[0].running, false)
    assert.equal(await canConnect(kafka.nodes[0].port), false)
    await kafka.restart(1)
    assert.notEqual(kafka.nodes[0].pid, pid)
    assert.deepEqual(await consume(kafka, 'durable', 3), ['a', 'b', 'c'])
    await assert.rejects(kafka.kill(7), /no node 7 \(node ids: 1\)/)
  })

  it('in-process: restart() keeps the data; kill() is refused', async () => {
    const kafka = await start()
    await produce(kafka, 'kept', ['x'])
    await kafka.restart()
    assert.deepEqual(await consume(kafka, 'kept', 1), ['x'])
    await assert.rejects(kafka.kill(), /kill\(\) needs startKafka\(\{mode: 'child-process'\}\)/)
  })

  it('a fixed port and directory: the directory is kept and reused (same cluster id)', async () => {
    const dir = makeTempDir('kts-start-kafka-dir-')
    try {
      const first = await start({dir, config: {'num.partitions': 2}})
      const port = first.nodes[0].port
      assert.match(fs.readFileSync(first.nodes[0].configFile, 'utf8'), /^num\.partitions=2$/m)
      await first.stop()
      assert.ok(fs.existsSync(first.nodes[0].configFile), 'a given dir is kept by default')
      const again = await start({dir, port})
      assert.equal(again.bootstrapServers, `127.0.0.1:${port}`)
      assert.equal(again.clusterId, first.clusterId)
      await again.stop()
    } finally {
      removeTempDir(dir)
    }
  })

  it('rejects unknown options (TypeError naming them) and bad config with the node\'s one line; nothing is left behind', async () => {
    await assert.rejects(startKafka({prot: 9092, kepDir: true} as never), (err: Error) => {
      assert.ok(err instanceof TypeError)
      assert.match(err.message, /^startKafka\(\): unknown options 'prot', 'kepDir' \(known options: nodes, mode, config, port, /)
      return true
    })
    await assert.rejects(startKafka({mode: 'docker'} as never), TypeError)

    const before = new Set(fs.readdirSync(process.env.TMPDIR ?? '/tmp').filter((d) => d.startsWith('kts-kafka-')))
    for (const mode of ['in-process', 'child-process'] as KafkaMode[]) {
      await assert.rejects(startKafka({mode, config: {'num.partitions': 'x'}}), (err: Error) => {
        assert.ok(err instanceof ConfigError)
        assert.equal(err.message, 'Invalid value x for configuration num.partitions: Not a number of type INT')
        return true
      })
      await assert.rejects(startKafka({mode, config: {'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer'}}), (err: Error) => {
        assert.match(err.message, /^Unsupported configuration authorizer\.class\.name=kafka\.security\.authorizer\.AclAuthorizer: /)
        assert.equal(err.message.split('\n').length, 1)
        return true
      })
    }
    const after = fs.readdirSync(process.env.TMPDIR ?? '/tmp').filter((d) => d.startsWith('kts-kafka-') && !before.has(d))
    assert.deepEqual(after, [], 'failed starts removed their temp dirs')
  })

  it('a fixed port that is in use rejects with Kafka\'s bind error', async () => {
    const first = await start()
    await assert.rejects(startKafka({port: first.nodes[0].port}), /^Error: Socket server failed to bind to 127\.0\.0\.1:\d+: Address already in use\.$/)
  })
})
