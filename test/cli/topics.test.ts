/**
 * `kts topics` (real binary). Admin operations (create/describe/delete/alter) need our broker
 * (`test/helpers/broker-process.ts`); listing also runs against librdkafka's mock cluster.
 * Usage errors run without any server.
 */
import assert from 'node:assert/strict'
import {runCli} from '../helpers/run-cli.js'
import {startTestCluster, type TestCluster} from './console.test.js'

const uniqueTopic = (p: string): string => `${p}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

describe('kts topics usage errors (real binary, no server)', function () {
  this.timeout(30_000)

  it('needs exactly one action; bad combinations exit 1 with one line', async () => {
    const none = await runCli(['topics', '--bootstrap-server', 'localhost:1'])
    assert.equal(none.code, 1)
    assert.equal(none.stderr, 'Command must include exactly one action: --list, --describe, --create, --alter or --delete\n')
    const nobs = await runCli(['topics', '--list', '--partitions', '3'])
    assert.equal(nobs.stderr, 'Option "[partitions]" can\'t be used with option "[list]"\n', 'checked before connecting to the default bootstrap server')
    const combo = await runCli(['topics', '--list', '--partitions', '3', '--bootstrap-server', 'localhost:1'])
    assert.equal(combo.stderr, 'Option "[partitions]" can\'t be used with option "[list]"\n')
    const rf = await runCli(['topics', 'create', '--topic', 't', '--replication-factor', '0', '--bootstrap-server', 'localhost:1'])
    assert.equal(rf.code, 1)
    assert.equal(rf.stderr, 'The replication factor must be between 1 and 32767 inclusive\n')
    assert.equal(rf.stdout, '')
  })

  it('--json usage errors are JSON', async () => {
    const r = await runCli(['topics', '--create', '--bootstrap-server', 'localhost:1', '--json'])
    assert.equal(r.code, 1)
    assert.equal(JSON.parse(r.stdout).error.message, 'Missing required argument "[topic]"')
  })
})

describe('kts topics against a server (real binary)', function () {
  this.timeout(120_000)
  let cluster: TestCluster | null = null
  /** `kts topics [subcommand] --bootstrap-server B ...args` (a subcommand must come first). */
  const topics = (...args: string[]) => args[0].startsWith('--')
    ? runCli(['topics', '--bootstrap-server', cluster!.bootstrap, ...args])
    : runCli(['topics', args[0], '--bootstrap-server', cluster!.bootstrap, ...args.slice(1)])

  before(async function () {
    cluster = await startTestCluster()
    if (cluster === null) this.skip()
  })
  after(async () => {
    await cluster?.stop()
  })

  it('lists topics sorted, filters with a whole-name regex', async () => {
    const a = uniqueTopic('list-b')
    const b = uniqueTopic('list-a')
    for (const t of [a, b]) {
      const p = await runCli(['console-producer', '--bootstrap-server', cluster!.bootstrap, '--topic', t], {input: 'x\n'})
      assert.equal(p.code, 0, p.stderr)
    }
    const all = await topics('--list')
    assert.equal(all.code, 0, all.stderr)
    const names = all.stdout.trim().split('\n')
    assert.deepEqual(names, [...names].sort())
    assert.ok(names.includes(a) && names.includes(b))
    const filtered = await topics('list', '--topic', `${b}|${a.slice(0, -1)}`)
    assert.equal(filtered.stdout, `${b}\n`)
    const json = await topics('--list', '--topic', a, '--json')
    assert.deepEqual(JSON.parse(json.stdout), {action: 'list', topics: [a]})
    const nothing = await topics('--list', '--topic', 'no-such-topic-.*x')
    assert.equal(nothing.stdout, '\n')
  })

  it('delete of a missing topic: Kafka\'s message on stdout, exit 1; --if-exists succeeds', async () => {
    const r = await topics('--delete', '--topic', 'missing-topic-xyz')
    assert.equal(r.code, 1)
    assert.equal(r.stdout, 'Error while executing topic command : Topic \'missing-topic-xyz\' does not exist as expected\n')
    const ok = await topics('--delete', '--topic', 'missing-topic-xyz', '--if-exists')
    assert.equal(ok.code, 0, ok.stderr + ok.stdout)
    assert.equal(ok.stdout, '')
  })

  it('create, describe, alter, delete (our broker)', async function () {
    if (!cluster!.kts) this.skip() // the mock cluster has no CreateTopics/DescribeConfigs
    const t = uniqueTopic('adm')
    const created = await topics('--create', '--topic', t, '--partitions', '3', '--replication-factor', '1', '--config', 'cleanup.policy=compact')
    assert.equal(created.code, 0, created.stderr + created.stdout)
    assert.equal(created.stdout, `Created topic ${t}.\n`)
    const again = await topics('--create', '--topic', t)
    assert.equal(again.code, 1)
    assert.equal(again.stdout, `Error while executing topic command : Topic '${t}' already exists.\n`)
    assert.equal((await topics('--create', '--topic', t, '--if-not-exists')).code, 0)
    const dotted = `${t}.x_y`
    const w = await topics('create', '--topic', dotted, '--partitions', '1')
    assert.equal(w.stdout, `WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.\nCreated topic ${dotted}.\n`)

    const d = await topics('--describe', '--topic', t)
    assert.equal(d.code, 0, d.stderr)
    const lines = d.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 4)
    assert.match(lines[0], new RegExp(`^Topic: ${t}\\t(TopicId: [A-Za-z0-9_-]{22}\\t)?PartitionCount: 3\\tReplicationFactor: 1\\tConfigs: .*cleanup\\.policy=compact`))
    for (let p = 0; p < 3; p++) {
      assert.match(lines[p + 1], new RegExp(`^\\tTopic: ${t}\\tPartition: ${p}\\tLeader: \\d+\\tReplicas: \\d+\\tIsr: \\d+\\tElr: N/A\\tLastKnownElr: N/A$`))
    }
    const byId = lines[0].match(/TopicId: (\S+)/)?.[1]
    if (byId !== undefined) assert.equal((await topics('--describe', '--topic-id', byId)).stdout, d.stdout)
    const unknown = await topics('--create', '--topic', `${t}-u`, '--config', 'foo=bar')
    assert.equal(unknown.stdout, 'Error while executing topic command : Unknown topic config name: foo\n')
    const under = await topics('--describe', '--topic', t, '--under-replicated-partitions')
    assert.equal(under.stdout, '')

    const alter = await topics('--alter', '--topic', t, '--partitions', '4')
    assert.equal(alter.code, 0, alter.stdout + alter.stderr)
    assert.equal(alter.stdout, '')
    const shrink = await topics('--alter', '--topic', t, '--partitions', '2')
    assert.equal(shrink.code, 1)
    assert.equal(shrink.stdout, `Error while executing topic command : The topic ${t} currently has 4 partition(s); 2 would not be an increase.\n`)

    for (const name of [t, dotted]) assert.equal((await topics('--delete', '--topic', name.replace(/\./g, '\\.'))).code, 0)
    const gone = await topics('--list', '--topic', `${t}.*`)
    assert.equal(gone.stdout, '\n')
  })

  it('errors as Kafka words them: replication factor above the brokers, bad names, bad config values; unknown topics with and without --if-exists', async function () {
    if (!cluster!.kts) this.skip()
    const t = uniqueTopic('errs')
    const rf = await topics('--create', '--topic', t, '--partitions', '1', '--replication-factor', '3')
    assert.equal(rf.code, 1)
    assert.equal(rf.stdout, 'Error while executing topic command : Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.\n')
    const name = await topics('create', '--topic', 'a b')
    assert.equal(name.code, 1)
    assert.equal(name.stdout, 'Error while executing topic command : Topic name is invalid: \'a b\' contains one or more characters other than ASCII alphanumerics, \'.\', \'_\' and \'-\'\n')
    const value = await topics('--create', '--topic', t, '--config', 'retention.ms=abc')
    assert.equal(value.code, 1)
    assert.equal(value.stdout, 'Error while executing topic command : Invalid value abc for configuration retention.ms: Not a number of type LONG\n')
    assert.equal((await topics('--list', '--topic', t)).stdout, '\n', 'nothing was created by the failed attempts')

    const missing = `${t}-missing`
    for (const action of [['--describe'], ['--alter', '--partitions', '3'], ['--delete']]) {
      const r = await topics(...action, '--topic', missing)
      assert.equal(r.code, 1, action[0])
      assert.equal(r.stdout, `Error while executing topic command : Topic '${missing}' does not exist as expected\n`, action[0])
      const ok = await topics(...action, '--topic', missing, '--if-exists')
      assert.equal(ok.code, 0, `${action[0]} --if-exists: ${ok.stdout}${ok.stderr}`)
      assert.equal(ok.stdout, '', `${action[0]} --if-exists`)
    }
    const misuse = await topics('--create', '--topic', t, '--if-exists')
    assert.equal(misuse.code, 1)
    assert.equal(misuse.stdout, '')
  })

  it('subcommands: create with --config, alter --partitions (and "already has"), describe, delete', async function () {
    if (!cluster!.kts) this.skip()
    const t = uniqueTopic('sub')
    const c = await topics('create', '--topic', t, '--partitions', '2', '--config', 'retention.ms=3600000', '--config', 'max.message.bytes=2000000')
    assert.equal(c.stdout, `Created topic ${t}.\n`, c.stderr)
    const same = await topics('create', '--topic', t, '--if-not-exists')
    assert.equal(same.code, 0)
    assert.equal(same.stdout, '')
    const describe = async (): Promise<string[]> => {
      const d = await topics('describe', '--topic', t)
      assert.equal(d.code, 0, d.stderr)
      return d.stdout.trimEnd().split('\n')
    }
    let lines = await describe()
    assert.match(lines[0], /\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: /)
    const configs = lines[0].slice(lines[0].indexOf('Configs: ') + 'Configs: '.length).split(',')
    assert.ok(configs.includes('retention.ms=3600000') && configs.includes('max.message.bytes=2000000'), lines[0])

    assert.equal((await topics('alter', '--topic', t, '--partitions', '5')).code, 0)
    lines = await describe()
    assert.match(lines[0], /\tPartitionCount: 5\t/)
    assert.deepEqual(lines.slice(1).map((l) => /Partition: (\d+)/.exec(l)![1]), ['0', '1', '2', '3', '4'])
    const unchanged = await topics('--alter', '--topic', t, '--partitions', '5')
    assert.equal(unchanged.code, 1)
    assert.equal(unchanged.stdout, 'Error while executing topic command : Topic already has 5 partition(s).\n')

    assert.equal((await topics('delete', '--topic', t)).code, 0)
    assert.equal((await topics('list', '--topic', t)).stdout, '\n')
  })
})
