/**
 * Authorization of the transaction APIs against a real `kts server start` process with kafkajs:
 * the StandardAuthorizer with `allow.everyone.if.no.acl.found=true`, so the PLAINTEXT client
 * (`User:ANONYMOUS`) may do what no ACL names, and ACLs granted to another principal lock a topic
 * and a group. A transactional producer then commits to an open topic but gets
 * TOPIC_AUTHORIZATION_FAILED (AddPartitionsToTxn) for the locked topic and GROUP_AUTHORIZATION_FAILED
 * for the locked group (AddOffsetsToTxn, and TxnOffsetCommit behind it); it may Describe both, so
 * Metadata and FindCoordinator pass. `kts transactions describe` shows the refused partition was not added.
 */
import assert from 'node:assert/strict'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runCli} from '../helpers/run-cli.js'
import {createTopic, kafkajsClient, printBrokerOutputOnFailure} from './interop-check.js'

const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'

async function errorType(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    const e = err as {type?: string, errors?: {type?: string}[], originalError?: {type?: string}, cause?: {type?: string}}
    return e.type ?? e.originalError?.type ?? e.errors?.[0]?.type ?? e.cause?.type ?? String(err)
  }
  return 'no error'
}

describe('interop: transaction APIs under ACLs (kafkajs)', function () {
  this.timeout(60_000)
  let broker: BrokerHandle | undefined

  before(async () => {
    broker = await startBroker({overrides: {'authorizer.class.name': STANDARD_AUTHORIZER, 'allow.everyone.if.no.acl.found': 'true'}})
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('a transactional producer is refused a locked topic (AddPartitionsToTxn) and a locked group (AddOffsetsToTxn)', async () => {
    const b = broker!
    await createTopic(b, 'open', 1)
    await createTopic(b, 'locked', 1)
    // ANONYMOUS may Describe the locked topic and group (Metadata, FindCoordinator) but not Write / Read them.
    for (const [principal, ...args] of [['User:someone-else', '--topic', 'locked', '--operation', 'Write'], ['User:ANONYMOUS', '--topic', 'locked', '--operation', 'Describe'],
      ['User:someone-else', '--group', 'locked-group', '--operation', 'Read'], ['User:ANONYMOUS', '--group', 'locked-group', '--operation', 'Describe']]) {
      const r = await runCli(['acls', '--bootstrap-server', b.bootstrap, '--add', '--allow-principal', principal, ...args], {timeoutMs: 30_000})
      assert.equal(r.code, 0, r.stdout + r.stderr)
    }
    const kafka = kafkajsClient(b.bootstrap)
    const producer = kafka.producer({transactionalId: 'acl-tx', maxInFlightRequests: 1, idempotent: true, retry: {retries: 1}})
    await producer.connect()
    try {
      const ok = await producer.transaction()
      await ok.send({topic: 'open', messages: [{value: 'committed'}]})
      await ok.commit()

      const denied = await producer.transaction()
      assert.equal(await errorType(denied.send({topic: 'locked', messages: [{value: 'x'}]})), 'TOPIC_AUTHORIZATION_FAILED')
      // AddPartitionsToTxn refused the partition: it is not part of the open transaction.
      const d = await runCli(['transactions', '--bootstrap-server', b.bootstrap, 'describe', '--transactional-id', 'acl-tx'], {timeoutMs: 30_000})
      assert.equal(d.code, 0, d.stdout + d.stderr)
      assert.doesNotMatch(d.stdout, /locked-0/)
      await denied.abort().catch(() => undefined)

      const noGroup = await producer.transaction()
      assert.equal(await errorType(noGroup.sendOffsets({consumerGroupId: 'locked-group', topics: [{topic: 'open', partitions: [{partition: 0, offset: '1'}]}]})),
        'GROUP_AUTHORIZATION_FAILED')
      await noGroup.abort().catch(() => undefined)
    } finally {
      await producer.disconnect()
    }
  })
})
