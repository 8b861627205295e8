/**
 * `kts consumer-groups` (real binary) against one real broker (`startBroker`, or the cluster of
 * `KTS_TEST_BOOTSTRAP`). Groups are made by real clients: a kafkajs consumer that keeps running
 * (Stable, one member), one that consumed, committed and left (Empty), and a raw JoinGroup that
 * never syncs (CompletingRebalance). Names are unique per run so an external cluster can be reused.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Kafka, logLevel, type Admin, type Consumer} from 'kafkajs'
import {repoRoot, runCli, type CliResult} from '../helpers/run-cli.js'
import {runProcess} from '../helpers/run-process.js'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {waitFor} from '../helpers/wait-for.js'
import {freePort} from '../helpers/free-port.js'
import {BrokerConnection} from '../../src/cli/admin/protocol-client.js'
import {FindCoordinatorApi, type FindCoordinatorResponse} from '../../src/protocol/generated/messages/find-coordinator.js'
import {JoinGroupApi, type JoinGroupResponse} from '../../src/protocol/generated/messages/join-group.js'
import {Writer} from '../../src/protocol/primitives/writer.js'

const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 7)}`
const name = (p: string): string => `${p}-${suffix}`
const T0 = Date.UTC(2020, 0, 1)
const pad = (s: string | number, n: number): string => String(s).padEnd(n)
/** A line of the offsets table for GROUP/TOPIC/CONSUMER-ID widths g/t/c (HOST: 15). */
const offsetLine = (g: number, t: number, c: number) => (cols: Array<string | number>): string =>
  `${pad(cols[0], g)} ${pad(cols[1], t)} ${pad(cols[2], 10)} ${pad(cols[3], 15)} ${pad(cols[4], 15)} ${pad(cols[5], 15)} ${pad(cols[6], c)} ${pad(cols[7], 15)} ${cols[8]}`

describe('kts consumer-groups usage errors (real binary, no server)', function () {
  this.timeout(60_000)

  it('bad flags: one line on stderr, nothing on stdout, exit 1', async () => {
    const cases: Array<[string[], string]> = [
      [['--list', '--members'], 'Option(s) [members] are unavailable given other options on the command line'],
      [['--bootstrap-server', 'localhost:1'], 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets'],
      [['--bootstrap-server', 'localhost:1', '--list', '--members'], 'Option(s) [members] are unavailable given other options on the command line'],
      [['--bootstrap-server', 'localhost:1', '--reset-offsets', '--group', 'g', '--all-topics', '--to-earliest', '--to-offset', '3'], 'Option "[to-offset]" can\'t be used with option "[to-earliest]"'],
      [['--bootstrap-server', 'localhost:1', '--list', '--bogus'], 'Nonexistent flag: --bogus'],
      [['delete-offsets', '--bootstrap-server', 'localhost:1', '--group', 'g'], 'Option [delete-offsets] takes the following options: [group], [topic]'],
    ]
    const results = await Promise.all(cases.map(([args]) => runCli(['consumer-groups', ...args])))
    results.forEach((r, i) => {
      assert.equal(r.code, 1, cases[i][0].join(' '))
      assert.equal(r.stderr, cases[i][1] + '\n')
      assert.equal(r.stdout, '')
    })
  })

  it('a --to-datetime that does not parse: Kafka\'s error, one line on stderr, exit 1', async () => {
    const base = ['consumer-groups', '--bootstrap-server', 'localhost:1', '--reset-offsets', '--group', 'g', '--all-topics', '--dry-run']
    const date = await runCli([...base, '--to-datetime', '2024-02-30T00:00:00.000'])
    assert.equal(date.code, 1)
    assert.equal(date.stdout, '\nError: Executing consumer group command failed due to java.text.ParseException: Unparseable date: "2024-02-30T00:00:00.000Z"\n')
    assert.equal(date.stderr, 'java.text.ParseException: Unparseable date: "2024-02-30T00:00:00.000Z"\n')
  })

  it('no reachable broker: Kafka\'s timeout message after --timeout; --json errors are JSON', async () => {
    const port = await freePort()
    const r = await runCli(['consumer-groups', '--bootstrap-server', `127.0.0.1:${port}`, '--list', '--timeout', '300'])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '\nError: Executing consumer group command failed due to org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: listConsumerGroups\n')
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1)
    const json = await runCli(['consumer-groups', 'describe', '--bootstrap-server', 'localhost:1', '--json'])
    assert.equal(json.code, 1)
    assert.equal(JSON.parse(json.stdout).error.message, 'Option [describe] takes one of these options: [group], [all-groups]')
  })
})

describe('kts consumer-groups against a broker (real binary, real clients)', function () {
  this.timeout(60_000)
  let broker: BrokerHandle
  let kafka: Kafka
  let admin: Admin
  let active: Consumer | null = null
  let rawJoin: BrokerConnection | null = null
  let tmp: string
  const orders = name('orders')
  const pay = name('pay')
  const activeGroup = name('active')
  const emptyGroup = name('empty')
  /** Messages per partition of `orders`; message j of a partition has timestamp T0 + j s. */
  const counts = [4, 3, 3]
  const cg = (...args: string[]): Promise<CliResult> => args[0].startsWith('--')
    ? runCli(['consumer-groups', '--bootstrap-server', broker.bootstrap, ...args])
    : runCli(['consumer-groups', args[0], '--bootstrap-server', broker.bootstrap, ...args.slice(1)])

  before(async function () {
    this.timeout(60_000)
    tmp = makeTempDir('kts-cg-')
    broker = await startBroker()
    kafka = new Kafka({clientId: 'cg-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 8, initialRetryTime: 100, maxRetryTime: 1000}})
    admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: orders, numPartitions: 3, replicationFactor: 1}, {topic: pay, numPartitions: 2, replicationFactor: 1}], waitForLeaders: true})
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic: orders, messages: counts.flatMap((n, partition) =>
      Array.from({length: n}, (_, j) => ({partition, value: `m${partition}-${j}`, timestamp: String(T0 + j * 1000)})))})
    await producer.send({topic: pay, messages: [{partition: 0, value: 'p'}]})
    await producer.disconnect()

    // Empty group: consumed everything, committed, left. Active group: keeps running.
    const consumeAll = async (groupId: string): Promise<Consumer> => {
      const c = kafka.consumer({groupId, sessionTimeout: 10_000, heartbeatInterval: 500})
      await c.connect()
      await c.subscribe({topics: [orders], fromBeginning: true})
      await c.run({eachMessage: async () => undefined})
      await waitFor(async () => {
        const o = await admin.fetchOffsets({groupId, topics: [orders]})
        return o[0].partitions.every((p) => Number(p.offset) === counts[p.partition])
      }, {timeoutMs: 30_000, message: `${groupId} to commit`})
      return c
    }
    const [e, a] = await Promise.all([consumeAll(emptyGroup), consumeAll(activeGroup)])
    await e.disconnect()
    active = a
    await waitFor(async () => (await admin.describeGroups([activeGroup, emptyGroup])).groups.map((g) => g.state).join() === 'Stable,Empty',
      {timeoutMs: 30_000, message: 'group states'})
  })

  after(async () => {
    rawJoin?.close()
    await active?.disconnect().catch(() => undefined)
    await admin?.disconnect().catch(() => undefined)
    await broker?.close()
    if (tmp) removeTempDir(tmp)
  })

  it('--list, --list --state [filter], list --type, --json', async () => {
    const [plain, withState, emptyOnly, typed, json] = await Promise.all([
      cg('--list'), cg('--list', '--state'), cg('--list', '--state', 'empty'), cg('list', '--type', '--state', 'Stable,Empty'), cg('--list', '--json'),
    ])
    assert.equal(plain.code, 0, plain.stderr)
    assert.deepEqual(plain.stdout.split('\n').filter((l) => l.endsWith(suffix)).sort(), [activeGroup, emptyGroup])
    const width = Math.max(15, ...withState.stdout.split('\n').slice(1).map((l) => l.trimEnd().split(/ +/)[0].length)) + 10
    assert.equal(withState.stdout.split('\n')[0], pad('GROUP', width) + ' ' + pad('STATE', 20))
    assert.ok(withState.stdout.includes(pad(activeGroup, width) + ' ' + pad('Stable', 20) + '\n'), withState.stdout)
    assert.ok(withState.stdout.includes(pad(emptyGroup, width) + ' ' + pad('Empty', 20) + '\n'))
    assert.ok(emptyOnly.stdout.includes(emptyGroup) && !emptyOnly.stdout.includes(activeGroup), emptyOnly.stdout)
    assert.match(typed.stdout, /^GROUP +TYPE {17}STATE {15}\n/)
    assert.ok(typed.stdout.includes(' Classic              Stable              \n'), typed.stdout)
    const listed = JSON.parse(json.stdout)
    assert.equal(listed.action, 'list')
    assert.deepEqual(listed.groups.find((g: {groupId: string}) => g.groupId === activeGroup), {groupId: activeGroup, state: 'Stable', type: 'Classic'})
  })

  it('--describe: Kafka\'s offsets table for an active group; Empty message; missing group error', async () => {
    const [act, empty, missing] = await Promise.all([
      cg('--describe', '--group', activeGroup), cg('describe', '--group', emptyGroup, '--offsets'), cg('--describe', '--group', name('missing')),
    ])
    assert.equal(act.code, 0, act.stderr)
    assert.equal(act.stderr, '')
    const lines = act.stdout.split('\n')
    assert.equal(lines[0], '')
    assert.equal(lines.length, 6) // '', header, 3 rows, '' after the final newline
    const consumerId = lines[2].split(/ +/)[6]
    const host = lines[2].split(/ +/)[7]
    assert.match(consumerId, /^cg-test-[0-9a-f-]{36}$/)
    assert.match(host, /^\/?127\.0\.0\.1$/)
    const row = offsetLine(Math.max(15, activeGroup.length), Math.max(15, orders.length), Math.max(15, consumerId.length))
    assert.equal(lines[1], row(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']))
    for (let p = 0; p < 3; p++) assert.equal(lines[2 + p], row([activeGroup, orders, p, counts[p], counts[p], 0, consumerId, host, 'cg-test']))

    assert.equal(empty.code, 0, empty.stderr)
    assert.equal(empty.stderr, `\nConsumer group '${emptyGroup}' has no active members.\n`)
    const emptyRow = offsetLine(Math.max(15, emptyGroup.length), Math.max(15, orders.length), 15)
    assert.equal(empty.stdout, [''].concat([['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
      ...counts.map((n, p) => [emptyGroup, orders, p, n, n, 0, '-', '-', '-'])].map(emptyRow)).join('\n') + '\n')

    assert.equal(missing.code, 1)
    assert.equal(missing.stdout, `\nError: Consumer group '${name('missing')}' does not exist.\n`)
    assert.equal(missing.stderr, `Consumer group '${name('missing')}' does not exist.\n`)
  })

  it('--describe --members [--verbose], --state, --all-groups, --json', async () => {
    const [members, verbose, state, all, json] = await Promise.all([
      cg('--describe', '--group', activeGroup, '--members'), cg('--describe', '--group', activeGroup, '--members', '--verbose'),
      cg('--describe', '--group', activeGroup, '--state'), cg('--describe', '--all-groups', '--state'),
      cg('describe', '--group', activeGroup, '--members', '--verbose', '--json'),
    ])
    const m = members.stdout.split('\n')
    assert.equal(m.length, 4)
    assert.match(m[1], /^GROUP +CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS {5}$/)
    assert.match(m[2], new RegExp(`^${activeGroup} +cg-test-\\S+ +/?127\\.0\\.0\\.1 +cg-test {9}3 {15}$`))
    assert.equal(m[1].indexOf('#PARTITIONS'), m[2].lastIndexOf('3'))
    assert.match(verbose.stdout.split('\n')[1], /#PARTITIONS {5}ASSIGNMENT$/)
    assert.match(verbose.stdout.split('\n')[2], / 3 {15}\(0,1,2\)$/)

    const s = state.stdout.split('\n')
    assert.equal(s[1], 'GROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS')
    assert.match(s[2], new RegExp(`^${activeGroup} +\\S+:\\d+ {2}\\(\\d+\\) +\\S+ +Stable {10}1$`))
    assert.equal(all.code, 0, all.stderr)
    assert.ok(all.stdout.includes(`\n${activeGroup} `))
    assert.match(all.stdout, new RegExp(`\\n${emptyGroup} +\\S+ {2}\\(\\d+\\) +Empty {11}0\\n`))
    assert.ok(all.stderr.includes(`\nConsumer group '${emptyGroup}' has no active members.\n`))
    assert.ok(!all.stdout.includes('\x1b') && !all.stderr.includes('\x1b')) // no progress when not on a terminal

    const described = JSON.parse(json.stdout)
    assert.equal(described.view, 'members')
    assert.equal(described.groups[0].state, 'Stable')
    assert.deepEqual(described.groups[0].members[0].assignment, [0, 1, 2].map((partition) => ({topic: orders, partition})))
  })

  it('a rebalancing group with a static member: Kafka\'s warning, GROUP-INSTANCE-ID column; a reset is refused', async () => {
    const group = name('rebalancing')
    const [host, port] = broker.bootstrap.split(':')
    const boot = await BrokerConnection.connect({host, port: Number(port), clientId: 'raw'})
    const coordinator = await waitFor(async () => {
      const res = await boot.send(FindCoordinatorApi, 3, {key: group, keyType: 0}) as FindCoordinatorResponse
      return res.errorCode === 0 ? res : null
    }, {timeoutMs: 10_000})
    boot.close()
    rawJoin = await BrokerConnection.connect({host: coordinator.host, port: coordinator.port, clientId: 'raw'})
    const subscription = new Writer(64).writeInt16(0).writeInt32(1).writeString(orders).writeInt32(-1).toBuffer()
    // a static member (group.instance.id) that joins but never syncs: CompletingRebalance for the rebalance timeout
    const joined = await rawJoin.send(JoinGroupApi, 5, {
      groupId: group, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: 'instance-1',
      protocolType: 'consumer', protocols: [{name: 'range', metadata: subscription}],
    }) as JoinGroupResponse
    assert.equal(joined.errorCode, 0)
    const [described, members, reset] = await Promise.all([
      cg('--describe', '--group', group, '--state'),
      cg('--describe', '--group', group, '--members'),
      cg('--reset-offsets', '--group', group, '--topic', orders, '--to-earliest', '--execute'),
    ])
    assert.equal(described.code, 0, described.stderr)
    assert.equal(described.stderr, `\nWarning: Consumer group '${group}' is rebalancing.\n`)
    assert.match(described.stdout.split('\n')[2], / CompletingRebalance 1$/)
    assert.equal(members.stderr, described.stderr)
    const m = members.stdout.split('\n')
    assert.match(m[1], /^GROUP +CONSUMER-ID +GROUP-INSTANCE-ID +HOST +CLIENT-ID +#PARTITIONS {5}$/)
    assert.equal(m[2], `${pad(group, Math.max(15, group.length))} ${pad(joined.memberId, Math.max(15, joined.memberId.length))} ${pad('instance-1', 17)} ` +
      `${pad(m[2].split(/ +/)[3], 15)} ${pad('raw', 15)} ${pad(0, 15)} `)
    assert.equal(reset.code, 1)
    assert.equal(reset.stdout, `\nError: Assignments can only be reset if the group '${group}' is inactive, but the current state is CompletingRebalance.\n` +
      '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n')
  })

  it('--reset-offsets scenarios: dry run by default, Kafka\'s table, clamping WARN, timestamps', async () => {
    const reset = (...args: string[]): Promise<CliResult> => cg('--reset-offsets', '--group', emptyGroup, ...args)
    const planOf = (r: CliResult): string[] => r.stdout.split('\n').filter((l) => l.startsWith(emptyGroup)).map((l) => l.trimEnd().split(/ +/).slice(1).join(' '))
    const [earliest, latest, offset, shift, datetime, future, duration, current, scoped, noCommit] = await Promise.all([
      reset('--topic', orders, '--to-earliest'),
      reset('--all-topics', '--to-latest', '--dry-run'),
      reset('--all-topics', '--to-offset', '4', '--dry-run'),
      reset('--topic', `${orders}:0,2`, '--shift-by', '-2', '--dry-run'),
      reset('--all-topics', '--to-datetime', new Date(T0 + 2000).toISOString().replace('Z', ''), '--dry-run'),
      reset('--topic', `${orders}:1`, '--to-datetime', '2100-01-01T00:00:00.000+01:00', '--dry-run'),
      reset('--all-topics', '--by-duration', 'P3650D', '--dry-run'),
      cg('--reset-offsets', '--group', name('fresh'), '--topic', pay, '--to-current', '--dry-run'),
      reset('--topic', `${orders}:1`, '--to-earliest', '--dry-run', '--json'),
      cg('--reset-offsets', '--group', name('nocommit'), '--topic', orders, '--shift-by', '1', '--dry-run'),
    ])
    assert.equal(earliest.code, 0, earliest.stderr)
    assert.match(earliest.stderr, /^WARN: No action will be performed as the --execute option is missing\.In a future major release/)
    assert.equal(earliest.stdout, '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     ' +
      [0, 1, 2].map((p) => `\n${pad(emptyGroup, 30)} ${pad(orders, 30)} ${pad(p, 10)} ${pad(0, 15)}`).join('') + '\n')
    assert.deepEqual(planOf(latest), [`${orders} 0 4`, `${orders} 1 3`, `${orders} 2 3`])
    assert.equal(latest.stderr, '')
    assert.deepEqual(planOf(offset), [`${orders} 0 4`, `${orders} 1 3`, `${orders} 2 3`])
    const warn = (p: number, end: number): string => `\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}\\] WARN New offset \\(4\\) is higher than latest offset ` +
      `for topic partition ${orders}-${p}\\. Value will be set to ${end} \\(org\\.apache\\.kafka\\.tools\\.consumer\\.group\\.ConsumerGroupCommand\\)\\n`
    assert.match(offset.stderr, new RegExp(`^${warn(1, 3)}${warn(2, 3)}$`))
    assert.deepEqual(planOf(shift), [`${orders} 0 2`, `${orders} 2 1`])
    assert.deepEqual(planOf(datetime), [`${orders} 0 2`, `${orders} 1 2`, `${orders} 2 2`])
    assert.deepEqual(planOf(future), [`${orders} 1 3`])
    assert.ok(future.stdout.startsWith(`\nWarn: Partition 1 from topic ${orders} is empty. Falling back to latest known offset.\n`), future.stdout)
    assert.deepEqual(planOf(duration), [`${orders} 0 0`, `${orders} 1 0`, `${orders} 2 0`])
    assert.match(current.stdout, new RegExp(`\\n${name('fresh')} +${pay} +0 +1 +\\n${name('fresh')} +${pay} +1 +0 +\\n$`))
    assert.deepEqual(JSON.parse(scoped.stdout), {action: 'reset-offsets', executed: false,
      groups: [{groupId: emptyGroup, state: 'Empty', offsets: [{topic: orders, partition: 1, offset: 0}], error: null}]})
    assert.equal(noCommit.code, 1)
    assert.equal(noCommit.stderr, `Cannot shift offset for partition ${orders}-0 since there is no current committed offset\n`)
    assert.equal(noCommit.stdout, '')
  })

  it('--execute applies the plan; --export writes Kafka\'s CSV that --from-file reads back', async () => {
    const group = name('reset')
    // a Dead (unknown) group can be reset: this creates it with committed offsets
    const created = await cg('--reset-offsets', '--group', group, '--topic', orders, '--to-latest', '--execute')
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.stderr, '')
    const exported = await cg('--reset-offsets', '--group', group, '--all-topics', '--shift-by', '-1', '--export', '--dry-run')
    assert.equal(exported.stdout, `${orders},0,3\n${orders},1,2\n${orders},2,2\n\n`)
    const multi = await cg('--reset-offsets', '--all-groups', '--topic', `${orders}:2`, '--to-earliest', '--export', '--dry-run')
    assert.ok(multi.stdout.includes(`${group},${orders},2,0\n`), multi.stdout)
    assert.ok(multi.stdout.includes(`\nError: Assignments can only be reset if the group '${activeGroup}' is inactive, but the current state is Stable.\n`), multi.stdout)
    assert.equal(multi.code, 1)

    const file = path.join(tmp, 'plan.csv')
    fs.writeFileSync(file, exported.stdout)
    const applied = await cg('--reset-offsets', '--group', group, '--from-file', file, '--execute')
    assert.equal(applied.code, 0, applied.stderr)
    const d = await cg('--describe', '--group', group)
    assert.deepEqual(d.stdout.split('\n').slice(2, 5).map((l) => l.split(/ +/).slice(1, 6).join(' ')),
      [`${orders} 0 3 4 1`, `${orders} 1 2 3 1`, `${orders} 2 2 3 1`])

    const other = path.join(tmp, 'other.csv')
    fs.writeFileSync(other, `someone-else,${orders},0,1\n`)
    const bad = path.join(tmp, 'bad.csv')
    fs.writeFileSync(bad, `${orders},0,1\n${orders},one,1\n`)
    const [noPlan, malformed] = await Promise.all([
      cg('--reset-offsets', '--group', group, '--from-file', other, '--dry-run'),
      cg('--reset-offsets', '--group', group, '--from-file', bad, '--execute'),
    ])
    assert.equal(noPlan.code, 1)
    assert.equal(noPlan.stdout, `\nError: No reset plan for group ${group} found\n\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n`)
    assert.equal(malformed.code, 1)
    assert.equal(malformed.stderr, `${bad}: line 2: partition 'one' is not an integer\n`)
    assert.equal(malformed.stdout, `\nError: Executing consumer group command failed due to ${bad}: line 2: partition 'one' is not an integer\n`)
  })

  it('--delete-offsets: success for an unsubscribed topic, partition errors while subscribed, missing group', async () => {
    const group = name('offsets')
    assert.equal((await cg('--reset-offsets', '--group', group, '--topic', orders, '--topic', pay, '--to-latest', '--execute')).code, 0)
    const [ok, subscribed, missing] = await Promise.all([
      cg('--delete-offsets', '--group', group, '--topic', `${pay}:0`, '--topic', name('no-topic')),
      cg('delete-offsets', '--group', activeGroup, '--topic', orders),
      cg('--delete-offsets', '--group', name('nobody'), '--topic', `${orders}:0`),
    ])
    assert.equal(ok.stdout, `Request succeed for deleting offsets with topic ${pay}:0, ${name('no-topic')} group ${group}\n` +
      `\n${pad('TOPIC', 30)} ${pad('PARTITION', 15)} ${pad('STATUS', 15)}` +
      `\n${pad(name('no-topic'), 30)} ${pad('Not Provided', 15)} Error: :org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.` +
      `\n${pad(pay, 30)} ${pad(0, 15)} ${pad('Successful', 15)}\n`)
    assert.equal(ok.code, 1) // the unknown topic is an error
    const left = await cg('--describe', '--group', group)
    assert.deepEqual(left.stdout.split('\n').filter((l) => l.includes(` ${pay} `)).map((l) => l.split(/ +/)[2]), ['1'], left.stdout)

    assert.equal(subscribed.code, 1)
    assert.ok(subscribed.stdout.startsWith('\nError: Encounter some partition level error, see the follow-up details:\n'))
    assert.equal(subscribed.stdout.split('\n').filter((l) => l.includes('GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.')).length, 3)
    assert.equal(missing.code, 1)
    assert.ok(missing.stdout.startsWith(`\nError: '${name('nobody')}' does not exist.\n`), missing.stdout)
  })

  it('--delete: Kafka\'s success and failure messages', async () => {
    const group = emptyGroup
    const failed = await cg('--delete', '--group', activeGroup, '--group', name('ghost'))
    assert.equal(failed.code, 1)
    assert.equal(failed.stdout, '\nError: Deletion of some consumer groups failed:\n' +
      `* Group '${activeGroup}' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.\n` +
      `* Group '${name('ghost')}' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.\n`)
    const ok = await cg('delete', '--group', group)
    assert.equal(ok.code, 0, ok.stdout + ok.stderr)
    assert.equal(ok.stdout, `Deletion of requested consumer groups ('${group}') was successful.\n`)
    const after = await cg('--list')
    assert.ok(!after.stdout.split('\n').includes(group) && after.stdout.split('\n').includes(activeGroup))
  })

  it('shows progress on a terminal only', async function () {
    const cmd = [process.execPath, path.join(repoRoot(), 'bin', 'run.js'), 'consumer-groups', '--bootstrap-server', broker.bootstrap, '--describe', '--all-groups', '--state']
    let tty
    try {
      tty = await runProcess('script', ['-qec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'])
    } catch {
      this.skip() // no util-linux `script` to give the command a terminal
    }
    assert.ok(tty.stdout.includes('\r\x1b[KDescribing consumer groups '), JSON.stringify(tty.stdout.slice(0, 200)))
    assert.ok(tty.stdout.includes('COORDINATOR (ID)'))
  })
})
