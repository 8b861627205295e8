/**
 * `kts transactions` (kafka-transactions.sh) against a real single-node kts with KIP-890
 * verification off, so that a transactional write without a coordinator's transaction can make a
 * hanging transaction, as with an older client: list / describe of an open transaction, its
 * producer in describe-producers, its __transaction_state records in `kts dump-log
 * --transaction-log-decoder`, the hanging one in find-hanging, abort --start-offset, and Kafka's
 * error lines.
 */
import assert from 'node:assert/strict'
import path from 'node:path'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {encodeRecordBatch} from '../../src/protocol/records/records.js'
import {groupPartitionFor} from '../../src/server/group/group-partition.js'
import {RawGroupClient} from '../interop/groups-check.js'
import {createTopic, printBrokerOutputOnFailure} from '../interop/interop-check.js'

const API = {Produce: 0, FindCoordinator: 10, InitProducerId: 22, AddPartitionsToTxn: 24} as const

/** Rows of a kafka-transactions.sh table: cells split on the tab that ends each, padding trimmed. */
function table(stdout: string): string[][] {
  return stdout.split('\n').filter(l => l.length > 0).map(l => {
    assert.ok(l.endsWith('\t'), `every cell ends with a tab: ${JSON.stringify(l)}`)
    return l.slice(0, -1).split('\t').map(c => c.trimEnd())
  })
}

describe('kts transactions (real single node)', function () {
  this.timeout(90_000)
  let broker: BrokerHandle
  let raw: RawGroupClient
  const topic = 'txn-tool'
  const kts = (...args: string[]): Promise<CliResult> => runCli(['transactions', '--bootstrap-server', broker.bootstrap, ...args], {timeoutMs: 30_000})

  before(async () => {
    broker = await startBroker({overrides: {'transaction.partition.verification.enable': false}})
    await createTopic(broker, topic, 2)
    raw = await RawGroupClient.connect(broker.port)
  })
  after(async () => {
    raw?.close()
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  const produce = async (txnId: string, partition: number, pid: number, epoch: number): Promise<void> => {
    const records = encodeRecordBatch({isTransactional: true, producerId: pid, producerEpoch: epoch, baseSequence: 0, records: [{key: null, value: Buffer.from('x')}]})
    const r = await raw.call(API.Produce, 9, {transactionalId: txnId, acks: -1, timeoutMs: 10_000, topicData: [{name: topic, partitionData: [{index: partition, records}]}]})
    assert.equal(r.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
  }

  it('list, describe and describe-producers show an open transaction', async () => {
    await raw.callWhenLoaded(API.FindCoordinator, 3, {key: 'tool-txn', keyType: 1}, (r) => r.errorCode)
    const init = await raw.callWhenLoaded(API.InitProducerId, 4, {transactionalId: 'tool-txn', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1}, (r) => r.errorCode)
    const pid = Number(init.producerId)
    const add = await raw.call(API.AddPartitionsToTxn, 3, {v3AndBelowTransactionalId: 'tool-txn', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: init.producerEpoch, v3AndBelowTopics: [{name: topic, partitions: [0]}]})
    assert.equal(add.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, ErrorCode.NONE)
    await produce('tool-txn', 0, pid, init.producerEpoch)

    const list = await kts('list')
    assert.equal(list.code, 0, list.stderr)
    const rows = table(list.stdout)
    assert.deepEqual(rows[0], ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'])
    assert.deepEqual(rows.find(r => r[0] === 'tool-txn'), ['tool-txn', '1', String(pid), 'Ongoing'])

    const described = await kts('describe', '--transactional-id', 'tool-txn')
    assert.equal(described.code, 0, described.stderr)
    const d = table(described.stdout)
    assert.deepEqual(d[0], ['CoordinatorId', 'TransactionalId', 'ProducerId', 'ProducerEpoch', 'TransactionState', 'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs', 'TransactionDurationMs', 'TopicPartitions'])
    assert.deepEqual([d[1][0], d[1][1], d[1][2], d[1][3], d[1][4], d[1][5], d[1][8]], ['1', 'tool-txn', String(pid), String(init.producerEpoch), 'Ongoing', '60000', `${topic}-0`])
    assert.ok(Number(d[1][6]) > 0 && Number(d[1][7]) >= 0)

    const producers = await kts('describe-producers', '--topic', topic, '--partition', '0')
    assert.equal(producers.code, 0, producers.stderr)
    const p = table(producers.stdout)
    assert.deepEqual(p[0], ['ProducerId', 'ProducerEpoch', 'LatestCoordinatorEpoch', 'LastSequence', 'LastTimestamp', 'CurrentTransactionStartOffset'])
    assert.deepEqual([p[1][0], p[1][1], p[1][2], p[1][3], p[1][5]], [String(pid), String(init.producerEpoch), '-1', '0', '0'])

    // kts dump-log --transaction-log-decoder on the id's __transaction_state partition.
    const partition = groupPartitionFor('tool-txn', 50)
    const segment = path.join(broker.logDir, `__transaction_state-${partition}`, '00000000000000000000.log')
    const dumped = await runCli(['dump-log', '--transaction-log-decoder', '--files', segment])
    assert.equal(dumped.code, 0, dumped.stderr)
    const lines = dumped.stdout.split('\n').filter(l => l.includes('key: transaction_metadata::transactionalId=tool-txn'))
    assert.match(lines[lines.length - 1], new RegExp(`key: transaction_metadata::transactionalId=tool-txn payload: producerId:${pid},producerEpoch:${init.producerEpoch},` +
      `state=Ongoing,partitions=\\[${topic}-0\\],txnLastUpdateTimestamp=\\d+,txnTimeoutMs=60000$`))
    assert.ok(lines.some(l => /state=Empty,partitions=\[\],/.test(l)), dumped.stdout)
  })

  it('find-hanging finds a transaction no coordinator knows, and abort --start-offset closes it', async () => {
    await produce('ghost-txn', 1, 424242, 3)
    const found = await kts('find-hanging', '--broker-id', '1', '--max-transaction-timeout', '0')
    assert.equal(found.code, 0, found.stderr)
    const rows = table(found.stdout)
    assert.deepEqual(rows[0], ['Topic', 'Partition', 'ProducerId', 'ProducerEpoch', 'CoordinatorEpoch', 'StartOffset', 'LastTimestamp', 'Duration(min)'])
    // The open transaction of 'tool-txn' on partition 0 is known to its coordinator: not hanging.
    assert.deepEqual(rows.slice(1).map(r => r.slice(0, 6)), [[topic, '1', '424242', '3', '-1', '0']])

    const aborted = await kts('abort', '--topic', topic, '--partition', '1', '--start-offset', '0')
    assert.equal(aborted.code, 0, aborted.stderr)
    assert.equal(aborted.stdout, '')
    const after = await kts('describe-producers', '--topic', topic, '--partition', '1')
    assert.equal(table(after.stdout)[1][5], 'None')
    assert.deepEqual(table((await kts('find-hanging', '--broker-id', '1', '--max-transaction-timeout', '0')).stdout).length, 1)
  })

  it('prints Kafka\'s error lines', async () => {
    const unknown = await kts('describe', '--transactional-id', 'no-such-txn')
    assert.equal(unknown.code, 1)
    assert.equal(unknown.stderr.trim(), 'Failed to describe transaction state of transactional-id `no-such-txn`: The transactionalId could not be found.. Enable debug logging for additional detail.')
    const noOffset = await kts('abort', '--topic', topic, '--partition', '1', '--start-offset', '99')
    assert.equal(noOffset.code, 1)
    assert.equal(noOffset.stderr.trim(), `Could not find any open transactions starting at offset 99 on partition ${topic}-1`)
    const scope = await kts('find-hanging')
    assert.equal(scope.code, 1)
    assert.equal(scope.stderr.trim(), 'The `find-hanging` command requires either --topic or --broker-id to limit the scope of the search')
    const missing = await kts('describe')
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr.trim(), 'kts transactions describe: error: argument --transactional-id is required')
    const bad = await kts('commit')
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /invalid choice: 'commit'/)
  })
})
