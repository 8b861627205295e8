/**
 * `kts console-consumer` as a consumer-group member (issue 2, seed experiment): real `kts`
 * processes against one real broker process.
 *
 * - Two console consumers in group g1 split a 4-partition topic: together they print every record
 *   exactly once, each from its own partitions; SIGINT ends both with exit 0 and the total, after
 *   committing exactly what they printed (committed offsets = end offsets, group Empty).
 * - A console consumer in another group sees everything.
 * - `--consumer-property group.id=` and `--consumer.config` join the same group; `--from-beginning`
 *   starts at earliest only without committed offsets, afterwards the group resumes from them;
 *   `--max-messages` commits only the printed records; `enable.auto.commit=false` commits nothing.
 * - `--group` (or a group.id property) with `--partition` is Kafka's usage error.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {AssignerProtocol, type Admin} from 'kafkajs'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {repoRoot, runCli} from '../helpers/run-cli.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {waitFor} from '../helpers/wait-for.js'
import {kafkajsClient, uniqueTopic} from '../interop/interop-check.js'

/** A `kts` process running in the background. */
interface BackgroundCli {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  exited: Promise<number | null>
}

const running = new Set<ChildProcess>()

function spawnCli(args: string[]): BackgroundCli {
  const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'run.js'), ...args], {stdio: ['ignore', 'pipe', 'pipe']})
  running.add(child)
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d))
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => {
    running.delete(child)
    resolve(code)
  }))
  return {child, stdout: () => out, stderr: () => err, exited}
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '')

/** `Partition:P<TAB>key<TAB>value` lines → {partition, value}. */
function parsed(s: string): Array<{partition: number, key: string, value: string}> {
  return lines(s).map((l) => {
    const [p, key, value] = l.split('\t')
    assert.match(p, /^Partition:\d+$/, `unexpected line ${JSON.stringify(l)}`)
    return {partition: Number(p.slice('Partition:'.length)), key, value}
  })
}

describe('kts console-consumer --group (real binary, real broker)', function () {
  this.timeout(60_000)
  let broker: BrokerHandle
  let admin: Admin
  let tmp: string

  const consume = (topic: string, ...extra: string[]): string[] => ['console-consumer', '--bootstrap-server', broker.bootstrap, '--topic', topic,
    '--property', 'print.partition=true', '--property', 'print.key=true', ...extra]

  /** Creates a 4-partition topic with `kts topics` and produces `count` keyed records `k<i%40>:<prefix><i>`. */
  async function produce(topic: string, values: string[]): Promise<void> {
    const input = values.map((v, i) => `k${i % 40}:${v}\n`).join('')
    const p = await runCli(['console-producer', '--bootstrap-server', broker.bootstrap, '--topic', topic,
      '--property', 'parse.key=true', '--property', 'key.separator=:'], {input})
    assert.equal(p.code, 0, p.stderr)
  }

  async function createTopic(topic: string): Promise<void> {
    const r = await runCli(['topics', '--create', '--topic', topic, '--partitions', '4', '--replication-factor', '1', '--bootstrap-server', broker.bootstrap])
    assert.equal(r.code, 0, r.stderr)
  }

  /** Committed offset per partition of `topic` for `group` (-1 = none). */
  async function committed(group: string, topic: string): Promise<Map<number, number>> {
    const r = await admin.fetchOffsets({groupId: group, topics: [topic]})
    return new Map(r[0].partitions.map((p) => [p.partition, Number(p.offset)]))
  }

  before(async () => {
    broker = await startBroker()
    admin = kafkajsClient(broker.bootstrap, 'console-groups-test').admin()
    await admin.connect()
    tmp = makeTempDir('kts-console-groups-')
  })
  after(async () => {
    for (const c of running) c.kill('SIGKILL')
    await admin?.disconnect()
    await broker?.close()
    if (tmp) removeTempDir(tmp)
  })

  it('two consumers of one group split the partitions and print each record once; another group sees all', async () => {
    const topic = uniqueTopic('cg-split')
    await createTopic(topic)
    const args = consume(topic, '--group', 'g1', '--from-beginning', '--consumer-property', 'heartbeat.interval.ms=500')
    const members = [spawnCli(args), spawnCli(args)]
    // Both members hold an assignment (Stable generation with 2 members covering all 4 partitions).
    const assignments = await waitFor(async () => {
      const g = (await admin.describeGroups(['g1'])).groups[0]
      if (g.state !== 'Stable' || g.members.length !== 2) return false
      const parts = g.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [])
      if (parts.some((p) => p.length === 0) || new Set(parts.flat()).size !== 4) return false
      return parts
    }, {timeoutMs: 30_000, intervalMs: 200, message: () => `group g1 Stable with 2 members\n${members.map((m) => m.stderr()).join('\n')}`})
    assert.equal(assignments.flat().length, 4, 'each partition assigned once')

    const N = 400
    const values = Array.from({length: N}, (_, i) => `v${i}`)
    await produce(topic, values)
    await waitFor(() => lines(members[0].stdout()).length + lines(members[1].stdout()).length >= N,
      {timeoutMs: 30_000, message: () => `${N} records from the two members (have ${members.map((m) => lines(m.stdout()).length).join('+')})`})

    // Another group reads everything, by itself.
    const other = await runCli([...consume(topic, '--group', 'g2', '--from-beginning', '--max-messages', String(N), '--timeout-ms', '20000')])
    assert.equal(other.code, 0, other.stderr)
    assert.deepEqual(parsed(other.stdout).map((r) => r.value).sort(), [...values].sort())
    assert.match(other.stderr, new RegExp(`Processed a total of ${N} messages\\n$`))

    for (const m of members) m.child.kill('SIGINT')
    const codes = await Promise.all(members.map((m) => m.exited))
    assert.deepEqual(codes, [0, 0], members.map((m) => m.stderr()).join('\n'))

    const got = members.map((m) => parsed(m.stdout()))
    for (const [i, m] of members.entries()) {
      assert.match(m.stderr(), new RegExp(`Processed a total of ${got[i].length} messages\\n$`))
      assert.ok(got[i].length > 0, `member ${i} printed nothing`)
    }
    const all = [...got[0], ...got[1]].map((r) => r.value)
    assert.equal(all.length, N, 'no record printed twice')
    assert.deepEqual(all.sort(), [...values].sort())
    const partsOf = got.map((g) => new Set(g.map((r) => r.partition)))
    for (const p of partsOf[0]) assert.ok(!partsOf[1].has(p), `partition ${p} printed by both members`)
    // A key always comes from one partition, so from one member.
    const keysOf = got.map((g) => new Set(g.map((r) => r.key)))
    for (const k of keysOf[0]) assert.ok(!keysOf[1].has(k), `key ${k} printed by both members`)

    // Both committed what they printed and left the group.
    const ends = await admin.fetchTopicOffsets(topic)
    const c = await committed('g1', topic)
    for (const e of ends) assert.equal(c.get(e.partition), Number(e.high), `committed offset of partition ${e.partition}`)
    const g = (await admin.describeGroups(['g1'])).groups[0]
    assert.equal(g.state, 'Empty')
  })

  it('group.id via --consumer-property or --consumer.config: starts at earliest once, then resumes from committed offsets', async () => {
    const topic = uniqueTopic('cg-resume')
    await createTopic(topic)
    const values = Array.from({length: 10}, (_, i) => `r${i}`)
    await produce(topic, values)

    const first = await runCli(consume(topic, '--consumer-property', 'group.id=g3', '--from-beginning', '--max-messages', '4'))
    assert.equal(first.code, 0, first.stderr)
    const firstValues = parsed(first.stdout).map((r) => r.value)
    assert.equal(firstValues.length, 4)
    assert.match(first.stderr, /Processed a total of 4 messages\n$/)
    // Only the four printed records are committed.
    const afterFirst = await committed('g3', topic)
    assert.equal([...afterFirst.values()].reduce((a, o) => a + Math.max(0, o), 0), 4)

    const config = path.join(tmp, 'consumer.properties')
    fs.writeFileSync(config, 'group.id=g3\nclient.id=from-config-file\n')
    const second = await runCli(consume(topic, '--consumer.config', config, '--from-beginning', '--timeout-ms', '4000'))
    assert.equal(second.code, 0, second.stderr)
    const secondValues = parsed(second.stdout).map((r) => r.value)
    assert.deepEqual([...firstValues, ...secondValues].sort(), [...values].sort(), 'the second run prints exactly the rest')
    assert.match(second.stderr, /Processed a total of 6 messages\n$/)

    await produce(topic, ['late1', 'late2'])
    const third = await runCli(consume(topic, '--group', 'g3', '--from-beginning', '--timeout-ms', '4000'))
    assert.equal(third.code, 0, third.stderr)
    assert.deepEqual(parsed(third.stdout).map((r) => r.value).sort(), ['late1', 'late2'])
    const ends = await admin.fetchTopicOffsets(topic)
    const c = await committed('g3', topic)
    for (const e of ends) assert.equal(c.get(e.partition) === -1 ? 0 : c.get(e.partition), Number(e.high))
  })

  it('enable.auto.commit=false reads as a group member but commits nothing', async () => {
    const topic = uniqueTopic('cg-nocommit')
    await createTopic(topic)
    await produce(topic, ['a', 'b', 'c'])
    const r = await runCli(consume(topic, '--group', 'g4', '--from-beginning', '--max-messages', '3', '--consumer-property', 'enable.auto.commit=false'))
    assert.equal(r.code, 0, r.stderr)
    assert.equal(lines(r.stdout).length, 3)
    assert.deepEqual([...(await committed('g4', topic)).values()], [-1, -1, -1, -1])
  })

  it('a group id with --partition, or two different group ids, is Kafka\'s usage error', async () => {
    const base = ['console-consumer', '--bootstrap-server', broker.bootstrap, '--topic', 't']
    const withPartition = await runCli([...base, '--group', 'g', '--partition', '0'])
    assert.equal(withPartition.code, 1)
    assert.equal(withPartition.stderr, 'Options group and partition cannot be specified together.\n')
    const config = path.join(tmp, 'group.properties')
    fs.writeFileSync(config, 'group.id=fromfile\n')
    const fileAndPartition = await runCli([...base, '--consumer.config', config, '--partition', '0'])
    assert.equal(fileAndPartition.stderr, 'Options group and partition cannot be specified together.\n')
    const mismatch = await runCli([...base, '--group', 'a', '--consumer-property', 'group.id=b'])
    assert.equal(mismatch.code, 1)
    assert.equal(mismatch.stderr, 'The group ids provided in different places (directly using \'--group\', via \'--consumer-property\', or via \'--consumer.config\') do not match. Detected group ids: \'a\', \'b\'\n')
  })
})
