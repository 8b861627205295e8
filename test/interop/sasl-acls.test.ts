/**
 * Authentication and authorization together: a node with a SASL_PLAINTEXT (SCRAM-SHA-512) listener
 * and the StandardAuthorizer. `User:admin` is a super user; `kts acls` (authenticating as admin with
 * `--command-config`) gives alice producer and consumer rights on one topic and group; bob gets
 * nothing. kafkajs and kcat then act as alice and bob: the principal that SASL authenticated is the
 * one the ACLs are checked against. The admin tools (acls, get-offsets, log-dirs, transactions)
 * authenticate with `--command-config`.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Kafka, logLevel} from 'kafkajs'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {freePorts} from '../helpers/free-port.js'
import {runCli} from '../helpers/run-cli.js'
import {runProcess} from '../helpers/run-process.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {printBrokerOutputOnFailure} from './interop-check.js'

const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'
const SCRAM_JAAS = (user: string, password: string): string =>
  `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${password}";`

async function errorType(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    const e = err as {type?: string, errors?: {type?: string}[], originalError?: {type?: string}, cause?: {type?: string}}
    return e.type ?? e.originalError?.type ?? e.errors?.[0]?.type ?? e.cause?.type ?? String(err)
  }
  return 'no error'
}

describe('interop: SASL principals and ACLs together (SCRAM-SHA-512, StandardAuthorizer)', function () {
  this.timeout(90_000)
  let broker: BrokerHandle | undefined
  let dir = ''
  let saslPort = 0
  let adminConfig = ''
  const sasl = (): string => `127.0.0.1:${saslPort}`
  const client = (user: string, password: string): Kafka => new Kafka({
    clientId: `kts-sasl-acls-${user}`, brokers: [sasl()], sasl: {mechanism: 'scram-sha-512', username: user, password},
    logLevel: logLevel.NOTHING, retry: {retries: 1, initialRetryTime: 100},
  })

  before(async function () {
    if (process.env.KTS_TEST_BOOTSTRAP) this.skip()
    dir = makeTempDir('kts-sasl-acls-')
    ;[saslPort] = await freePorts(1)
    adminConfig = path.join(dir, 'admin.properties')
    fs.writeFileSync(adminConfig, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${SCRAM_JAAS('admin', 'admin-secret')}\n`)
    broker = await startBroker({
      overrides: {
        'listeners': `PLAINTEXT://127.0.0.1:{P},CONTROLLER://127.0.0.1:{C},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:{P},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
        'authorizer.class.name': STANDARD_AUTHORIZER,
        // The harness reaches the node on PLAINTEXT (User:ANONYMOUS) to see it ready and create topics.
        'super.users': 'User:admin;User:ANONYMOUS',
      },
      formatArgs: [
        '--add-scram', 'SCRAM-SHA-512=[name=admin,password=admin-secret]',
        '--add-scram', 'SCRAM-SHA-512=[name=alice,password=alice-secret]',
        '--add-scram', 'SCRAM-SHA-512=[name=bob,password=bob-secret]',
      ],
    })
  })
  after(async () => {
    await broker?.close()
    if (dir) removeTempDir(dir)
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('kts acls authenticates as the super user; alice may produce and consume as granted, bob may do nothing', async () => {
    const admin = client('admin', 'admin-secret').admin()
    await admin.connect()
    try {
      await admin.createTopics({topics: [{topic: 'orders', numPartitions: 1}, {topic: 'secrets', numPartitions: 1}], waitForLeaders: false})
    } finally {
      await admin.disconnect()
    }

    const acls = (...args: string[]) => runCli(['acls', '--bootstrap-server', sasl(), '--command-config', adminConfig, ...args], {timeoutMs: 30_000})
    let r = await acls('--add', '--allow-principal', 'User:alice', '--producer', '--consumer', '--topic', 'orders', '--group', 'g-alice')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    r = await acls('--list', '--principal', 'User:alice')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^ACLs for principal `User:alice`$/m)
    assert.match(r.stdout, /\(principal=User:alice, host=\*, operation=WRITE, permissionType=ALLOW\)/)
    assert.match(r.stdout, /resourceType=GROUP, name=g-alice/)
    // bob is authenticated but not authorized: kts acls as bob is refused with Kafka's cluster error
    const bobConfig = path.join(dir, 'bob.properties')
    fs.writeFileSync(bobConfig, fs.readFileSync(adminConfig, 'utf8').replace(SCRAM_JAAS('admin', 'admin-secret'), SCRAM_JAAS('bob', 'bob-secret')))
    r = await runCli(['acls', '--bootstrap-server', sasl(), '--command-config', bobConfig, '--list'], {timeoutMs: 30_000})
    assert.notEqual(r.code, 0)
    assert.match(r.stdout + r.stderr, /ClusterAuthorization|Cluster authorization failed/i)

    // alice: produce and consume as granted (kafkajs)
    const alice = client('alice', 'alice-secret')
    const producer = alice.producer()
    await producer.connect()
    await producer.send({topic: 'orders', acks: -1, messages: [{value: 'o-1'}, {value: 'o-2'}]})
    assert.equal(await errorType(producer.send({topic: 'secrets', messages: [{value: 'x'}]})), 'TOPIC_AUTHORIZATION_FAILED')
    await producer.disconnect()
    const consumer = alice.consumer({groupId: 'g-alice', maxWaitTimeInMs: 100})
    const got: string[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({topic: 'orders', fromBeginning: true})
      await consumer.run({eachMessage: async ({message}) => { got.push(String(message.value)) }})
      const deadline = Date.now() + 20_000
      while (got.length < 2 && Date.now() < deadline) await new Promise(res => setTimeout(res, 50))
    } finally {
      await consumer.disconnect()
    }
    assert.deepEqual(got, ['o-1', 'o-2'])
    const aliceAdmin = alice.admin()
    await aliceAdmin.connect()
    try {
      assert.deepEqual((await aliceAdmin.listTopics()).sort(), ['orders'], 'secrets is hidden from alice (no Describe)')
    } finally {
      await aliceAdmin.disconnect()
    }

    // the other admin tools authenticate with --command-config too
    const tool = (...args: string[]) => runCli([...args, '--bootstrap-server', sasl(), '--command-config', adminConfig], {timeoutMs: 30_000})
    r = await tool('get-offsets', '--topic', 'orders')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'orders:0:2\n')
    r = await tool('log-dirs', '--describe', '--topic-list', 'orders')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /"partition":"orders-0"/)
    r = await tool('transactions', 'list')
    assert.equal(r.code, 0, r.stderr)

    // bob: authenticated, authorized for nothing (kafkajs and kcat)
    const bob = client('bob', 'bob-secret')
    const bobAdmin = bob.admin()
    await bobAdmin.connect()
    try {
      assert.deepEqual(await bobAdmin.listTopics(), [], 'every topic is hidden from bob')
    } finally {
      await bobAdmin.disconnect()
    }
    const bobProducer = bob.producer()
    await bobProducer.connect()
    try {
      assert.equal(await errorType(bobProducer.send({topic: 'orders', messages: [{value: 'x'}]})), 'TOPIC_AUTHORIZATION_FAILED')
    } finally {
      await bobProducer.disconnect()
    }
    const kcat = await runProcess('kcat', ['-b', sasl(), '-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=SCRAM-SHA-512',
      '-X', 'sasl.username=bob', '-X', 'sasl.password=bob-secret', '-C', '-t', 'orders', '-o', 'beginning', '-e', '-q'], {timeoutMs: 30_000}).catch(() => null)
    if (kcat) {
      assert.notEqual(kcat.code, 0, 'kcat as bob must not read orders')
      assert.doesNotMatch(kcat.stdout, /o-1/)
    }
  })
})
