/**
 * ACLs with the StandardAuthorizer against a real `kts server start` process, with real clients
 * (kafkajs, kcat, confluent-kafka, kafka-python) and `kts acls`. On PLAINTEXT every client is `User:ANONYMOUS`, so the node first
 * runs with `super.users=User:ANONYMOUS` (the super user: everything allowed, ACLs created with
 * `kts acls`), then restarts without it: the ACLs come back from the metadata log and govern it.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runCli} from '../helpers/run-cli.js'
import {runProcess} from '../helpers/run-process.js'
import {createTopic, kafkajsClient, printBrokerOutputOnFailure} from './interop-check.js'
import {PYTHON, pyScript, pythonHasModule} from './python-client.js'

const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'
const ME = 'User:ANONYMOUS'
const pattern = (type: string, name: string, pt = 'LITERAL') => `ResourcePattern(resourceType=${type}, name=${name}, patternType=${pt})`
const entry = (op: string, perm = 'ALLOW', principal = ME) => `(principal=${principal}, host=*, operation=${op}, permissionType=${perm})`

async function acls(b: BrokerHandle, ...args: string[]): Promise<{stdout: string, stderr: string, code: number | null}> {
  return runCli(['acls', '--bootstrap-server', b.bootstrap, ...args], {timeoutMs: 30_000})
}

async function errorType(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    const e = err as {type?: string, errors?: {type?: string}[], originalError?: {type?: string}, cause?: {type?: string}}
    return e.type ?? e.originalError?.type ?? e.errors?.[0]?.type ?? e.cause?.type ?? String(err)
  }
  return 'no error'
}

describe('interop: ACLs (StandardAuthorizer) with kafkajs, kcat, confluent-kafka, kafka-python and kts acls', function () {
  this.timeout(90_000)
  let broker: BrokerHandle | undefined
  let hasKcat = true

  before(async () => {
    hasKcat = (await runProcess('kcat', ['-V'], {timeoutMs: 5000}).catch(() => ({code: 1}))).code === 0
    broker = await startBroker({overrides: {'authorizer.class.name': STANDARD_AUTHORIZER, 'super.users': ME}})
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('a super user may do everything; kts acls adds, lists and removes ACLs with Kafka\'s output', async () => {
    const b = broker!
    for (const t of ['visible', 'hidden', 'pre-ok', 'pre-denied']) await createTopic(b, t, 1)

    let r = await acls(b, '--add', '--allow-principal', ME, '--operation', 'Read', '--operation', 'Describe', '--topic', 'visible')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout, `Adding ACLs for resource \`${pattern('TOPIC', 'visible')}\`: \n \t${entry('READ')}\n\t${entry('DESCRIBE')}\n\n`)
    r = await acls(b, '--add', '--allow-principal', ME, '--consumer', '--topic', 'visible', '--group', 'g1')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout,
      `Acl (pattern=${pattern('TOPIC', 'visible')}, entry=${entry('READ')}) already exists.\n` +
      `Acl (pattern=${pattern('TOPIC', 'visible')}, entry=${entry('DESCRIBE')}) already exists.\n` +
      `Adding ACLs for resource \`${pattern('GROUP', 'g1')}\`: \n \t${entry('READ')}\n\n`)
    r = await acls(b, '--add', '--allow-principal', ME, '--producer', '--topic', 'pre-', '--resource-pattern-type', 'prefixed')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    r = await acls(b, '--add', '--deny-principal', ME, '--operation', 'Write', '--topic', 'pre-denied')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    r = await acls(b, '--add', '--allow-principal', 'User:bob', '--allow-host', '10.0.0.1', '--topic', 'tmp')
    assert.equal(r.stdout, `Adding ACLs for resource \`${pattern('TOPIC', 'tmp')}\`: \n \t(principal=User:bob, host=10.0.0.1, operation=ALL, permissionType=ALLOW)\n\n`)

    r = await acls(b, '--list', '--topic', 'visible')
    assert.equal(r.stdout, `Current ACLs for resource \`${pattern('TOPIC', 'visible')}\`:\n\t${entry('READ')}\n\t${entry('DESCRIBE')}\n\n`)
    r = await acls(b, '--list', '--topic', 'pre-denied', '--resource-pattern-type', 'match')
    assert.equal(r.stdout,
      `Current ACLs for resource \`${pattern('TOPIC', 'pre-', 'PREFIXED')}\`:\n\t${entry('WRITE')}\n\t${entry('DESCRIBE')}\n\t${entry('CREATE')}\n\n` +
      `Current ACLs for resource \`${pattern('TOPIC', 'pre-denied')}\`:\n\t${entry('WRITE', 'DENY')}\n\n`)
    r = await acls(b, '--list', '--principal', 'User:bob')
    assert.equal(r.stdout, `ACLs for principal \`User:bob\`\nCurrent ACLs for resource \`${pattern('TOPIC', 'tmp')}\`:\n\t(principal=User:bob, host=10.0.0.1, operation=ALL, permissionType=ALLOW)\n\n`)
    r = await acls(b, '--remove', '--force', '--topic', 'tmp')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout, '')
    assert.equal((await acls(b, '--list', '--topic', 'tmp')).stdout, '')
    r = await acls(b, '--remove', '--topic', 'visible')
    assert.equal(r.stdout, `Are you sure you want to delete all ACLs for resource filter \`${pattern('TOPIC', 'visible')}\`? (y/n)\n`, 'no answer on stdin: nothing removed')
    assert.match((await acls(b, '--list', '--topic', 'visible')).stdout, /READ/)

    // Bad usage: Kafka's messages, exit 1, nothing sent.
    r = await acls(b, '--add', '--topic', 'x')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /You must specify one of: --allow-principal, --deny-principal when trying to add ACLs\./)
    r = await acls(b, '--add', '--allow-principal', ME, '--operation', 'IdempotentWrite', '--group', 'g')
    assert.match(r.stderr, /ResourceType GROUP only supports operations \[READ, DESCRIBE, DELETE, ALL\]/)

    // The super user: produce to a topic no ACL names.
    const producer = kafkajsClient(b.bootstrap).producer()
    await producer.connect()
    await producer.send({topic: 'hidden', messages: [{value: 'h'}]})
    await producer.send({topic: 'visible', messages: [{value: 'v'}]})
    await producer.disconnect()
  })

  it('without super.users the ACLs (restored from the metadata log) govern: allowed, denied, prefixed, DENY over ALLOW, hidden topics', async () => {
    const b = broker!
    fs.writeFileSync(b.configFile, fs.readFileSync(b.configFile, 'utf8').replace(/^super\.users=.*$/m, ''))
    await b.restart()

    const kafka = kafkajsClient(b.bootstrap)
    const admin = kafka.admin()
    await admin.connect()
    try {
      // Metadata: topics without Describe are hidden from the list and refused by name.
      const topics = (await admin.listTopics()).sort()
      assert.deepEqual(topics, ['pre-denied', 'pre-ok', 'visible'])
      assert.equal(await errorType(admin.fetchTopicMetadata({topics: ['hidden']})), 'TOPIC_AUTHORIZATION_FAILED')
      // Admin APIs on the controller: Create (cluster or topic) and Describe/Alter on the cluster.
      assert.equal(await errorType(admin.createTopics({topics: [{topic: 'new-topic'}]})), 'TOPIC_AUTHORIZATION_FAILED')
      assert.equal(await errorType(admin.deleteTopics({topics: ['visible'], timeout: 5000})), 'TOPIC_AUTHORIZATION_FAILED')
    } finally {
      await admin.disconnect()
    }

    const producer = kafka.producer({retry: {retries: 1}})
    await producer.connect()
    try {
      await producer.send({topic: 'pre-ok', messages: [{value: 'allowed by the PREFIXED pre- ACL'}]})
      assert.equal(await errorType(producer.send({topic: 'pre-denied', messages: [{value: 'x'}]})), 'TOPIC_AUTHORIZATION_FAILED')
      assert.equal(await errorType(producer.send({topic: 'visible', messages: [{value: 'x'}]})), 'TOPIC_AUTHORIZATION_FAILED')
    } finally {
      await producer.disconnect()
    }

    // Consumer group g1 may read `visible`.
    const consumer = kafka.consumer({groupId: 'g1', retry: {retries: 2}})
    const got: string[] = []
    await consumer.connect()
    try {
      await consumer.subscribe({topic: 'visible', fromBeginning: true})
      let failed: unknown = null
      consumer.on(consumer.events.CRASH, (e: {payload: {error: unknown}}) => { failed = e.payload.error })
      await consumer.run({eachMessage: async ({message}) => { got.push(String(message.value)) }})
      const deadline = Date.now() + 20_000
      while (got.length === 0 && failed === null && Date.now() < deadline) await new Promise(r => setTimeout(r, 50))
      assert.equal(failed, null)
      assert.deepEqual(got, ['v'])
    } finally {
      await consumer.disconnect()
    }

    // kts acls: DescribeAcls needs Describe on the cluster.
    const r = await acls(b, '--list')
    assert.equal(r.code, 1)
    assert.equal(r.stdout, 'Error while executing ACL command: org.apache.kafka.common.errors.ClusterAuthorizationException: Cluster authorization failed.\n')

    if (await pythonHasModule('confluent_kafka')) {
      const py = await runProcess(PYTHON, [pyScript('acl_checks.py'), b.bootstrap], {timeoutMs: 60_000})
      assert.equal(py.code, 0, py.stderr)
      assert.deepEqual(JSON.parse(py.stdout), {group: 'GROUP_AUTHORIZATION_FAILED', produce: 'TOPIC_AUTHORIZATION_FAILED'})
    }

    if (await pythonHasModule('kafka')) {
      const py = await runProcess(PYTHON, [pyScript('acl_checks_kafka_python.py'), b.bootstrap], {timeoutMs: 60_000})
      assert.equal(py.code, 0, py.stderr)
      assert.deepEqual(JSON.parse(py.stdout), {produce: 'TopicAuthorizationFailedError', group: 'GroupAuthorizationFailedError'})
    }

    if (!hasKcat) return
    const md = await runProcess('kcat', ['-L', '-b', b.bootstrap, '-J'], {timeoutMs: 20_000})
    const names = (JSON.parse(md.stdout) as {topics: {topic: string}[]}).topics.map(t => t.topic).sort()
    assert.deepEqual(names, ['pre-denied', 'pre-ok', 'visible'])
    const denied = await runProcess('kcat', ['-P', '-b', b.bootstrap, '-t', 'pre-denied'], {input: 'x\n', timeoutMs: 20_000})
    assert.match(denied.stderr, /Topic authorization failed/i)
    // The producer ACLs (Write, Describe, Create) do not allow Read.
    const unreadable = await runProcess('kcat', ['-C', '-b', b.bootstrap, '-t', 'pre-ok', '-o', 'beginning', '-e', '-q'], {timeoutMs: 20_000})
    assert.match(unreadable.stderr, /Topic authorization failed/i)
    const read = await runProcess('kcat', ['-C', '-b', b.bootstrap, '-t', 'visible', '-o', 'beginning', '-e', '-q'], {timeoutMs: 20_000})
    assert.equal(read.stdout.trim(), 'v', read.stderr)
  })
})
