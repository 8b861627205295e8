// The partition admin tools on a cluster of real processes (issue "5 — Replicated partitions"):
// one controller and three brokers. `kts topics --describe` report options after a follower is
// SIGSTOPped (its ISR shrinks after replica.lag.time.max.ms) and with a whole ISR down,
// `kts leader-election` preferred after a restart and unclean for an offline partition, and
// `kts reassign-partitions` RF 2 -> 3 and a move between brokers with every record produced before
// still there after, plus Kafka's errors for bad reassignment files with nothing changed.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Kafka, logLevel} from 'kafkajs'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {runCli, type CliResult} from '../helpers/run-cli.js'
import {waitFor} from '../helpers/wait-for.js'
import {BrokerConnection} from '../../src/protocol/client/broker-connection.js'
import {AlterPartitionReassignmentsApi, type AlterPartitionReassignmentsResponse} from '../../src/protocol/generated/messages/alter-partition-reassignments.js'
import {brokerMetadata} from './cluster-client.js'

/** Broker sessions and ISR lag of a few seconds, so fencing and ISR shrinks show within the test. */
const OVERRIDES = {
  'broker.session.timeout.ms': 3000,
  'broker.heartbeat.interval.ms': 500,
  'replica.lag.time.max.ms': 3000,
  // Leadership stays where the test puts it; auto rebalance has its own unit test.
  'auto.leader.rebalance.enable': false,
}

/** AlterPartitionReassignments through the broker on `port` (no broker liveness check, unlike the tool). */
async function alterPartitionReassignments(port: number, topic: string, partition: number, replicas: number[]): Promise<void> {
  const c = await BrokerConnection.connect({host: '127.0.0.1', port, clientId: 'replica-tools-test', connectTimeoutMs: 5000, requestTimeoutMs: 10_000})
  try {
    const res = await c.send(AlterPartitionReassignmentsApi, 0, {timeoutMs: 10_000, topics: [{name: topic, partitions: [{partitionIndex: partition, replicas}]}]}) as AlterPartitionReassignmentsResponse
    assert.deepEqual([res.errorCode, res.responses[0].partitions[0].errorCode], [0, 0])
  } finally {
    c.close()
  }
}

describe('partition admin tools: 1 controller + 3 brokers (real processes)', function () {
  this.timeout(180_000)
  let cluster: ClusterHandle
  let dir: string

  const bootstrap = (): string => cluster.nodes.filter(n => n.brokerPort > 0 && n.process.running).map(n => `127.0.0.1:${n.brokerPort}`).join(',')
  const kts = (...args: string[]): Promise<CliResult> => runCli(args, {timeoutMs: 60_000})
  const describe_ = async (...args: string[]): Promise<string[]> => {
    const r = await kts('topics', '--bootstrap-server', bootstrap(), '--describe', ...args)
    assert.equal(r.code, 0, r.stderr)
    return r.stdout.split('\n').filter(l => l.length > 0)
  }
  /** `Partition: n` of each partition line. */
  const partitions = (lines: string[]): string[] => lines.map(l => `${l.split('\t')[1].slice('Topic: '.length)}-${l.split('\t')[2].slice('Partition: '.length)}`)
  const field = (line: string, name: string): string => line.split('\t').find(f => f.startsWith(`${name}: `))!.slice(name.length + 2)
  const partitionLine = async (topic: string, p: number): Promise<string> => (await describe_('--topic', topic)).find(l => l.includes(`\tPartition: ${p}\t`))!
  const writeJson = (name: string, value: unknown): string => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, JSON.stringify(value))
    return file
  }
  const kafka = (): Kafka => new Kafka({brokers: bootstrap().split(','), clientId: 'replica-tools-test', logLevel: logLevel.NOTHING})

  async function produce(topic: string, partition: number, n: number): Promise<void> {
    const producer = kafka().producer({allowAutoTopicCreation: false})
    await producer.connect()
    try {
      for (let i = 0; i < n; i += 100) {
        await producer.send({topic, acks: -1, messages: Array.from({length: Math.min(100, n - i)}, (_, j) => ({partition, value: `${topic}-${partition}-${i + j}`}))})
      }
    } finally {
      await producer.disconnect()
    }
  }

  async function consumeAll(topic: string, partition: number, n: number): Promise<string[]> {
    const r = await kts('console-consumer', '--bootstrap-server', bootstrap(), '--topic', topic, '--partition', String(partition), '--offset', 'earliest',
      '--max-messages', String(n), '--timeout-ms', '20000')
    return r.stdout.split('\n').filter(l => l.length > 0)
  }

  async function createTopic(name: string, assignment: string, ...configs: string[]): Promise<void> {
    const r = await kts('topics', '--bootstrap-server', bootstrap(), '--create', '--topic', name, '--replica-assignment', assignment, ...configs.flatMap(c => ['--config', c]))
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const replicas = assignment.split(',').length
    await waitFor(async () => {
      for (const n of cluster.nodes.filter(x => x.brokerPort > 0 && x.process.running)) {
        const t = (await brokerMetadata(n.brokerPort)).topics.get(name)
        if (!t || t.partitions.length !== replicas || t.partitions.some(p => p.leaderId < 0)) return false
      }
      return true
    }, {timeoutMs: 15_000, message: `topic ${name} on every broker`})
  }

  before(async () => {
    cluster = await startCluster({controllers: 1, brokers: 3, overrides: OVERRIDES})
    dir = fs.mkdtempSync(path.join(cluster.dir, 'json-'))
  })
  after(async () => cluster?.close())
  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(cluster.output().slice(-20_000))
  })

  it('--under-replicated-partitions / --at-min-isr-partitions after a follower is SIGSTOPped; empty again once it is back', async () => {
    await createTopic('urp', '2:3:4,3:2:4', 'min.insync.replicas=2')
    await produce('urp', 0, 50)
    assert.deepEqual(await describe_('--under-replicated-partitions'), [])
    await cluster.pause(4)
    try {
      const under = await waitFor(async () => {
        const lines = await describe_('--under-replicated-partitions', '--topic', 'urp')
        return lines.length === 2 ? lines : false
      }, {timeoutMs: 20_000, message: 'both urp partitions under-replicated'})
      assert.deepEqual(partitions(under), ['urp-0', 'urp-1'])
      assert.ok(under.every(l => field(l, 'Isr').split(',').length === 2 && !field(l, 'Isr').includes('4')), under.join('\n'))
      assert.deepEqual(partitions(await describe_('--at-min-isr-partitions', '--topic', 'urp')), ['urp-0', 'urp-1'])
      assert.deepEqual(await describe_('--under-min-isr-partitions', '--topic', 'urp'), [])
      assert.deepEqual(await describe_('--unavailable-partitions', '--topic', 'urp'), [])
    } finally {
      await cluster.resume(4)
    }
    await waitFor(async () => (await describe_('--under-replicated-partitions', '--topic', 'urp')).length === 0,
      {timeoutMs: 30_000, message: 'broker 4 back in every ISR'})
  })

  it('kts leader-election --election-type preferred moves leadership back to the restarted preferred replica', async () => {
    await createTopic('pref', '2:3,3:2')
    await cluster.kill(2)
    await waitFor(async () => field(await partitionLine('pref', 0), 'Leader') === '3', {timeoutMs: 20_000, message: 'broker 3 to lead pref-0'})
    await cluster.start(2)
    await waitFor(async () => field(await partitionLine('pref', 0), 'Isr').split(',').includes('2'), {timeoutMs: 30_000, message: 'broker 2 back in the ISR of pref-0'})
    assert.equal(field(await partitionLine('pref', 0), 'Leader'), '3', 'no auto rebalance')
    const file = writeJson('pref.json', {partitions: [{topic: 'pref', partition: 0}, {topic: 'pref', partition: 1}]})
    const r = await kts('leader-election', '--bootstrap-server', bootstrap(), '--election-type', 'preferred', '--path-to-json-file', file)
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Successfully completed leader election (PREFERRED) for partitions pref-0\nValid replica already elected for partitions pref-1\n')
    await waitFor(async () => field(await partitionLine('pref', 0), 'Leader') === '2', {timeoutMs: 10_000, message: 'broker 2 to lead pref-0'})
    // Unknown partitions: Kafka's codes, exit 1.
    const bad = await kts('leader-election', '--bootstrap-server', bootstrap(), '--election-type', 'preferred', '--topic', 'nope', '--partition', '0')
    assert.equal(bad.code, 1)
    assert.equal(bad.stdout, 'Error completing leader election (PREFERRED) for partition: nope-0: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as nope\n')
    assert.match(bad.stderr, /1 replica\(s\) could not be elected/)
  })

  it('kts reassign-partitions: RF 2 -> 3 and a move from broker 3 to 4 keep every record; the removed replica\'s log is deleted', async () => {
    await createTopic('move', '2:3,3:2')
    await Promise.all([produce('move', 0, 1000), produce('move', 1, 1000)])
    const topicsFile = writeJson('topics.json', {topics: [{topic: 'move'}], version: 1})
    const gen = await kts('reassign-partitions', '--bootstrap-server', bootstrap(), '--generate', '--topics-to-move-json-file', topicsFile, '--broker-list', '2,3,4')
    assert.equal(gen.code, 0, gen.stdout + gen.stderr)
    const [head1, current, blank, head2, proposed] = gen.stdout.split('\n')
    assert.deepEqual([head1, blank, head2], ['Current partition replica assignment', '', 'Proposed partition reassignment configuration'])
    assert.equal(current, '{"version":1,"partitions":[{"topic":"move","partition":0,"replicas":[2,3],"log_dirs":["any","any"]},{"topic":"move","partition":1,"replicas":[3,2],"log_dirs":["any","any"]}]}')
    const plan = JSON.parse(proposed) as {partitions: {topic: string, partition: number, replicas: number[]}[]}
    assert.deepEqual(plan.partitions.map(p => [p.partition, p.replicas.length, p.replicas.every(b => [2, 3, 4].includes(b))]), [[0, 2, true], [1, 2, true]])

    const planFile = writeJson('plan.json', {version: 1, partitions: [{topic: 'move', partition: 0, replicas: [2, 3, 4]}, {topic: 'move', partition: 1, replicas: [4, 2]}]})
    const exec = await kts('reassign-partitions', '--bootstrap-server', bootstrap(), '--execute', '--reassignment-json-file', planFile)
    assert.equal(exec.code, 0, exec.stdout + exec.stderr)
    assert.equal(exec.stdout, 'Current partition replica assignment\n\n' + current + '\n\n' +
      'Save this to use as the --reassignment-json-file option during rollback\nSuccessfully started partition reassignments for move-0,move-1\n')
    const verify = await waitFor(async () => {
      const v = await kts('reassign-partitions', '--bootstrap-server', bootstrap(), '--verify', '--reassignment-json-file', planFile)
      return v.stdout.includes('move-0 is completed') && v.stdout.includes('move-1 is completed') ? v : false
    }, {timeoutMs: 30_000, intervalMs: 500, message: 'the reassignments to complete'})
    assert.equal(verify.stdout, 'Status of partition reassignment:\nReassignment of partition move-0 is completed.\nReassignment of partition move-1 is completed.\n\n' +
      'Clearing broker-level throttles on brokers 2,3,4\nClearing topic-level throttles on topic move\n')
    const list = await kts('reassign-partitions', '--bootstrap-server', bootstrap(), '--list')
    assert.equal(list.stdout, 'No partition reassignments found.\n')
    const p0 = await partitionLine('move', 0)
    const p1 = await partitionLine('move', 1)
    assert.deepEqual([field(p0, 'Replicas'), field(p0, 'Isr').split(',').sort().join(',')], ['2,3,4', '2,3,4'])
    assert.deepEqual([field(p1, 'Replicas'), field(p1, 'Isr').split(',').sort().join(','), field(p1, 'Leader')], ['4,2', '2,4', '4'])
    const [records0, records1] = await Promise.all([consumeAll('move', 0, 1000), consumeAll('move', 1, 1000)])
    assert.deepEqual(records0, Array.from({length: 1000}, (_, i) => `move-0-${i}`))
    assert.deepEqual(records1, Array.from({length: 1000}, (_, i) => `move-1-${i}`))
    await waitFor(() => !fs.existsSync(path.join(cluster.node(3).logDir, 'move-1')), {timeoutMs: 10_000, message: 'broker 3 to delete its move-1 log'})
    assert.ok(fs.existsSync(path.join(cluster.node(4).logDir, 'move-1')))
  })

  it('bad reassignment files: unknown brokers, duplicate replicas, partitions that do not exist -> Kafka\'s errors, nothing changed', async () => {
    const before = await describe_('--topic', 'move')
    const run = (name: string, partitions: unknown[]) => kts('reassign-partitions', '--bootstrap-server', bootstrap(), '--execute',
      '--reassignment-json-file', writeJson(name, {version: 1, partitions}))
    const unknownBroker = await run('b1.json', [{topic: 'move', partition: 0, replicas: [2, 9]}])
    assert.deepEqual([unknownBroker.code, unknownBroker.stdout], [1, 'Error: Unknown broker id 9\n'])
    const dup = await run('b2.json', [{topic: 'move', partition: 0, replicas: [2, 2]}])
    assert.deepEqual([dup.code, dup.stdout], [1, 'Error: Partition replica lists may not contain duplicate entries: move-0 contains multiple entries for 2\n'])
    const missing = await run('b3.json', [{topic: 'move', partition: 7, replicas: [2, 3]}])
    assert.deepEqual([missing.code, missing.stdout], [1, 'Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: move-7\n'])
    const noTopic = await run('b4.json', [{topic: 'nope', partition: 0, replicas: [2, 3]}])
    assert.deepEqual([noTopic.code, noTopic.stdout], [1, 'Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic nope not found.\n'])
    for (const r of [unknownBroker, dup, missing, noTopic]) assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.equal((await kts('reassign-partitions', '--bootstrap-server', bootstrap(), '--list')).stdout, 'No partition reassignments found.\n')
    assert.deepEqual(await describe_('--topic', 'move'), before)
  })

  it('--list, --verify, --cancel of a reassignment waiting for a stopped broker; --execute refuses another without --additional', async () => {
    const plan = writeJson('cancel.json', {version: 1, partitions: [{topic: 'pref', partition: 0, replicas: [2, 3, 4]}]})
    const reassign = (...args: string[]) => kts('reassign-partitions', '--bootstrap-server', bootstrap(), ...args)
    await cluster.pause(4)
    try {
      await waitFor(async () => !(await brokerMetadata(cluster.node(2).brokerPort)).brokers.includes(4), {timeoutMs: 15_000, message: 'broker 4 fenced'})
      // Kafka's tool only moves replicas to live brokers; the controller takes any registered one.
      assert.equal((await reassign('--execute', '--reassignment-json-file', plan)).stdout, 'Error: Unknown broker id 4\n')
      await alterPartitionReassignments(cluster.node(2).brokerPort, 'pref', 0, [2, 3, 4])
      assert.equal((await reassign('--list')).stdout, 'Current partition reassignments:\npref-0: replicas: 2,3,4. adding: 4.\n')
      const lines = await describe_('--topic', 'pref')
      assert.match(lines[0], /\tReplicationFactor: 2\t/)
      assert.match(lines[1], /\tReplicas: 2,3,4\tIsr: (2,3|3,2)\tAdding Replicas: 4\tRemoving Replicas: \t/)
      assert.deepEqual(await describe_('--under-replicated-partitions', '--topic', 'pref'), [], 'the adding replica does not count')
      assert.equal((await reassign('--verify', '--reassignment-json-file', plan)).stdout, 'Status of partition reassignment:\nReassignment of partition pref-0 is still in progress.\n\n')
      const other = await reassign('--execute', '--reassignment-json-file', writeJson('other.json', {partitions: [{topic: 'pref', partition: 1, replicas: [2, 3]}]}))
      assert.equal(other.code, 1)
      assert.match(other.stdout, /^Cannot execute because there is an existing partition assignment\. {2}Use --additional to override this/)
      const cancel = await reassign('--cancel', '--reassignment-json-file', plan)
      assert.equal(cancel.code, 0, cancel.stderr)
      assert.equal(cancel.stdout, 'Successfully cancelled partition reassignment for: pref-0\nNone of the specified partition moves are active.' +
        'Clearing broker-level throttles on brokers 2,3,4\nClearing topic-level throttles on topic pref\n')
      assert.equal((await reassign('--list')).stdout, 'No partition reassignments found.\n')
      assert.equal(field(await partitionLine('pref', 0), 'Replicas'), '2,3')
    } finally {
      await cluster.resume(4)
    }
    await waitFor(async () => (await brokerMetadata(cluster.node(2).brokerPort)).brokers.includes(4), {timeoutMs: 15_000, message: 'broker 4 unfenced'})
  })

  it('--unavailable-partitions with the whole ISR down; kts leader-election --election-type unclean brings a partition back, an ISR member returning the other', async () => {
    await createTopic('unc', '3:4,3:4')
    await produce('unc', 0, 20)
    await produce('unc', 1, 20)
    await cluster.kill(4)
    await waitFor(async () => (await describe_('--topic', 'unc')).filter(l => l.includes('\tPartition: ')).every(l => field(l, 'Isr') === '3'), {timeoutMs: 20_000, message: 'the ISRs of unc to shrink to 3'})
    await cluster.kill(3)
    const offline = await waitFor(async () => {
      const lines = await describe_('--unavailable-partitions', '--topic', 'unc')
      return lines.length === 2 ? lines : false
    }, {timeoutMs: 20_000, message: 'unc-0 and unc-1 offline'})
    for (const l of offline) assert.deepEqual([field(l, 'Leader'), field(l, 'Isr')], ['none', '3'])
    // Broker 4 comes back, but it is not in the ISR: the partitions stay offline (unclean.leader.election.enable=false).
    await cluster.start(4)
    await waitFor(async () => (await brokerMetadata(cluster.node(2).brokerPort)).brokers.includes(4), {timeoutMs: 20_000, message: 'broker 4 unfenced'})
    assert.equal(field(await partitionLine('unc', 0), 'Leader'), 'none')
    assert.deepEqual(partitions(await describe_('--under-min-isr-partitions', '--topic', 'unc')), ['unc-0', 'unc-1'])
    const pref = await kts('leader-election', '--bootstrap-server', bootstrap(), '--election-type', 'preferred', '--topic', 'unc', '--partition', '0')
    assert.equal(pref.code, 1)
    assert.equal(pref.stdout, 'Error completing leader election (PREFERRED) for partition: unc-0: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: The preferred leader was not available.\n')
    const r = await kts('leader-election', '--bootstrap-server', bootstrap(), '--election-type', 'unclean', '--topic', 'unc', '--partition', '0')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Successfully completed leader election (UNCLEAN) for partitions unc-0\n')
    const back = await partitionLine('unc', 0)
    assert.deepEqual([field(back, 'Leader'), field(back, 'Isr')], ['4', '4'])
    assert.deepEqual(partitions(await describe_('--unavailable-partitions', '--topic', 'unc')), ['unc-1'])
    const again = await kts('leader-election', '--bootstrap-server', bootstrap(), '--election-type', 'unclean', '--topic', 'unc', '--partition', '0')
    assert.deepEqual([again.code, again.stdout], [0, 'Valid replica already elected for partitions unc-0\n'])
    // Broker 3, the last ISR member of unc-1, returns: it leads unc-1 again with every record.
    await cluster.start(3)
    await waitFor(async () => field(await partitionLine('unc', 1), 'Leader') === '3', {timeoutMs: 20_000, message: 'broker 3 leading unc-1 again'})
    assert.deepEqual(await describe_('--unavailable-partitions', '--topic', 'unc'), [])
    assert.deepEqual(await consumeAll('unc', 1, 20), Array.from({length: 20}, (_, i) => `unc-1-${i}`))
  })
})
