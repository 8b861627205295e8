/**
 * `kts producer-perf-test` and `kts consumer-perf-test` against a real broker: their output lines
 * match Kafka's formats exactly (numbers by regex), the records arrive (read back with `kts
 * console-consumer`, which decodes every record), `--throughput` is honoured, the consumer commits
 * its group's offsets, and bad flags give Kafka's one-line errors with exit 1. No timed throughput
 * assertions here: figures are for `npm run bench`.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runCli} from '../helpers/run-cli.js'
import {waitFor} from '../helpers/wait-for.js'

/** `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, p50 ms 50th, p95 ms 95th, p99 ms 99th, p99.9 ms 99.9th.` */
const TOTAL_LINE = /^(\d+) records sent, (\d+\.\d) records\/sec \((\d+\.\d{2}) MB\/sec\), (\d+\.\d{2}) ms avg latency, (\d+\.\d{2}) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/
/** `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency.` (every 5 s) */
const WINDOW_LINE = /^\d+ records sent, \d+\.\d records\/sec \(\d+\.\d{2} MB\/sec\), \d+\.\d ms avg latency, \d+\.\d ms max latency\.$/
const HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec'
const DATE = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}:\d{3}`
const ROW = new RegExp(String.raw`^(${DATE}), (${DATE}), (\d+\.\d{4}), (\d+\.\d{4}), (\d+), (\d+\.\d{4}), (\d+), (\d+), (\d+\.\d{4}|NaN|Infinity), (\d+\.\d{4}|NaN|Infinity)$`)

const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0)

describe('kts producer-perf-test / consumer-perf-test (real binary, real broker)', function () {
  this.timeout(120_000)
  let broker: BrokerHandle
  const topic = 'perf-t'

  before(async () => {
    broker = await startBroker()
    const r = await runCli(['topics', '--create', '--topic', topic, '--partitions', '3', '--replication-factor', '1', '--bootstrap-server', broker.bootstrap])
    assert.equal(r.code, 0, r.stderr)
  })

  after(async () => {
    await broker?.close()
  })

  /** Every record of `t` as the console consumer prints it (values, one a line). */
  async function readBack(t: string, expected: number): Promise<string[]> {
    const r = await runCli(['console-consumer', '--bootstrap-server', broker.bootstrap, '--topic', t, '--from-beginning',
      '--max-messages', String(expected), '--timeout-ms', '10000'], {timeoutMs: 60_000})
    assert.equal(r.code, 0, r.stderr)
    return lines(r.stdout)
  }

  it('producer-perf-test sends every record and prints Kafka\'s total line', async () => {
    const r = await runCli(['producer-perf-test', '--topic', topic, '--num-records', '20000', '--record-size', '100', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=1'], {timeoutMs: 60_000})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stderr, '')
    const out = lines(r.stdout)
    const total = out.at(-1)!
    const m = TOTAL_LINE.exec(total)
    assert.ok(m, `not Kafka's total line: ${total}`)
    assert.equal(m[1], '20000')
    const [p50, p95, p99, p999] = m.slice(6, 10).map(Number)
    assert.ok(p50 <= p95 && p95 <= p99 && p99 <= p999 && p999 <= Number(m[5]), total)
    for (const l of out.slice(0, -1)) assert.match(l, WINDOW_LINE)
    // Every record is there, intact: 100 random upper-case letters, and not all the same.
    const values = await readBack(topic, 20000)
    assert.equal(values.length, 20000)
    for (const v of values) assert.match(v, /^[A-Z]{100}$/)
    assert.ok(new Set(values).size > 19_990, 'payloads are random per record, as Kafka\'s')
  })

  it('producer-perf-test: compression, acks=all with idempotence, big batches, --print-metrics', async () => {
    const t = 'perf-lz4'
    const r = await runCli(['producer-perf-test', '--topic', t, '--num-records', '5000', '--record-size', '50', '--throughput', '-1', '--print-metrics',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'compression.type=lz4', 'batch.size=1048576', 'linger.ms=20'], {timeoutMs: 60_000})
    assert.equal(r.code, 0, r.stderr)
    const out = lines(r.stdout)
    const i = out.findIndex((l) => TOTAL_LINE.test(l))
    assert.ok(i >= 0, r.stdout)
    assert.equal(TOTAL_LINE.exec(out[i])![1], '5000')
    // ToolsUtils.printMetrics: a blank line, the header, then `group:name:{tags} : %.3f` sorted.
    const metrics = r.stdout.split('\n').slice(r.stdout.split('\n').indexOf(out[i]) + 1).filter((l) => l.length > 0)
    assert.match(metrics[0], /^Metric Name +Value$/)
    const names = metrics.slice(1).map((l) => l.split(' : ')[0].trimEnd())
    assert.deepEqual(names, [...names].sort())
    assert.ok(metrics.includes(metrics.find((l) => l.startsWith('producer-metrics:record-send-total:{client-id=perf-producer-client}'))!))
    assert.match(metrics.find((l) => l.startsWith('producer-metrics:record-send-total:'))!, / : 5000\.000$/)
    assert.match(metrics.find((l) => l.startsWith(`producer-topic-metrics:record-send-total:{client-id=perf-producer-client, topic=${t}}`))!, / : 5000\.000$/)
    assert.equal((await readBack(t, 5000)).length, 5000)
  })

  it('producer-perf-test --payload-file and --payload-monotonic', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-perf-'))
    try {
      const file = path.join(dir, 'payloads.txt')
      fs.writeFileSync(file, 'alpha\nbeta\ngamma\n')
      const r = await runCli(['producer-perf-test', '--topic', 'perf-file', '--num-records', '300', '--payload-file', file, '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${broker.bootstrap}`], {timeoutMs: 60_000})
      assert.equal(r.code, 0, r.stderr)
      const out = lines(r.stdout)
      assert.equal(out[0], `Reading payloads from: ${file}`)
      assert.equal(out[1], 'Number of messages read: 3')
      assert.match(out.at(-1)!, TOTAL_LINE)
      const values = await readBack('perf-file', 300)
      assert.deepEqual([...new Set(values)].sort(), ['alpha', 'beta', 'gamma'])
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
    const m = await runCli(['producer-perf-test', '--topic', 'perf-mono', '--num-records', '50', '--payload-monotonic', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`], {timeoutMs: 60_000})
    assert.equal(m.code, 0, m.stderr)
    assert.deepEqual((await readBack('perf-mono', 50)).map(Number).sort((a, b) => a - b), Array.from({length: 50}, (_, i) => i))
  })

  it('producer-perf-test --throughput throttles (4,000 records at 2,000/s take at least 1.5 s)', async () => {
    const t0 = Date.now()
    const r = await runCli(['producer-perf-test', '--topic', 'perf-throttle', '--num-records', '4000', '--record-size', '10', '--throughput', '2000',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=1'], {timeoutMs: 60_000})
    const took = Date.now() - t0
    assert.equal(r.code, 0, r.stderr)
    assert.ok(took >= 1500, `took only ${took} ms`)
    const m = TOTAL_LINE.exec(lines(r.stdout).at(-1)!)
    assert.ok(m, r.stdout)
    assert.ok(Number(m[2]) <= 2300, `reported ${m[2]} records/sec for a 2000/s target`)
  })

  it('consumer-perf-test reads the records as one group member, prints Kafka\'s header and row, and commits', async () => {
    const r = await runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', topic, '--messages', '20000', '--group', 'perf-g'],
      {timeoutMs: 60_000})
    assert.equal(r.code, 0, r.stderr)
    const out = lines(r.stdout)
    assert.equal(out.length, 2, r.stdout)
    assert.equal(out[0], HEADER)
    const m = ROW.exec(out[1])
    assert.ok(m, `not Kafka's row: ${out[1]}`)
    assert.equal(m[5], '20000')
    assert.equal(m[3], (20000 * 100 / 1024 / 1024).toFixed(4)) // key + value bytes, MB of 1024 × 1024
    assert.equal(Number(m[7]) + Number(m[8]), Date.parse(m[2].replace(/:(\d{3})$/, '.$1')) - Date.parse(m[1].replace(/:(\d{3})$/, '.$1')))
    const groups = await runCli(['consumer-groups', '--bootstrap-server', broker.bootstrap, '--describe', '--group', 'perf-g'])
    assert.equal(groups.code, 0, groups.stderr)
    const offsets = lines(groups.stdout).filter((l) => l.startsWith('perf-g ')).map((l) => l.split(/\s+/))
    assert.equal(offsets.length, 3, groups.stdout)
    assert.equal(offsets.reduce((s, c) => s + Number(c[3]), 0), 20000, groups.stdout)
  })

  it('consumer-perf-test --show-detailed-stats and --hide-header; the timeout warning when records run out', async () => {
    const d = await runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', topic, '--messages', '20000', '--show-detailed-stats',
      '--reporting-interval', '1', '--hide-header'], {timeoutMs: 60_000})
    assert.equal(d.code, 0, d.stderr)
    const rows = lines(d.stdout)
    assert.ok(rows.length >= 1, d.stdout)
    for (const row of rows) assert.match(row, new RegExp(String.raw`^${DATE}, 0, \d+\.\d{4}, \d+\.\d{4}, \d+, \d+\.\d{4}, \d+, -?\d+, \d+\.\d{4}, \d+\.\d{4}$`))
    const t = await runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 'perf-throttle', '--messages', '5000', '--timeout', '1000'],
      {timeoutMs: 60_000})
    assert.equal(t.code, 0, t.stderr)
    const out = lines(t.stdout)
    assert.equal(out[1], 'WARNING: Exiting before consuming the expected number of messages: timeout (1000 ms) exceeded. You can use the --timeout option to increase the timeout.')
    assert.equal(ROW.exec(out[2])?.[5], '4000')
  })

  it('two consumer-perf-test members of one group split the partitions (range assignment, rebalance) and read each record once', async () => {
    assert.equal((await runCli(['topics', '--create', '--topic', 'perf-two', '--partitions', '4', '--bootstrap-server', broker.bootstrap])).code, 0)
    // Members wait for records up to --timeout: long enough for the second member's rebalance and the producer's
    // start on a loaded machine (a member that times out first reads nothing); quick heartbeats make the rebalance quick.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-perf-'))
    const config = path.join(dir, 'consumer.properties')
    fs.writeFileSync(config, 'heartbeat.interval.ms=300\n')
    try {
      await twoMembers(config)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  async function twoMembers(config: string): Promise<void> {
    const t = 'perf-two'
    const member = (): ReturnType<typeof runCli> => runCli(['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', t,
      '--messages', '1000000', '--group', 'perf-two-g', '--timeout', '15000', '--consumer.config', config], {timeoutMs: 60_000})
    /** #PARTITIONS of each member (`--describe --members`), once the group is stable. */
    const assignment = async (): Promise<string> => {
      const d = await runCli(['consumer-groups', '--bootstrap-server', broker.bootstrap, '--describe', '--group', 'perf-two-g', '--members'])
      return lines(d.stdout).filter((l) => l.startsWith('perf-two-g ')).map((l) => l.trim().split(/\s+/).at(-1)).sort().join(',')
    }
    const a = member()
    await waitFor(async () => (await assignment()) === '4', {timeoutMs: 20_000, message: 'the first member owning all 4 partitions'})
    const b = member()
    await waitFor(async () => (await assignment()) === '2,2', {timeoutMs: 20_000, message: 'two members with 2 partitions each'})
    const p = await runCli(['producer-perf-test', '--topic', t, '--num-records', '8000', '--record-size', '20', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`], {timeoutMs: 60_000})
    assert.equal(p.code, 0, p.stderr)
    const counts = await Promise.all([a, b].map(async (run) => {
      const r = await run
      assert.equal(r.code, 0, r.stderr)
      const m = ROW.exec(lines(r.stdout).at(-1)!)
      assert.ok(m, r.stdout)
      return Number(m[5])
    }))
    assert.ok(counts.every((n) => n > 0), `both members read records: ${counts.join(', ')}`)
    assert.equal(counts[0] + counts[1], 8000)
  }

  it('bad flags: Kafka\'s one-line errors and exit 1', async () => {
    const p = ['producer-perf-test']
    const b = `bootstrap.servers=${broker.bootstrap}`
    const cases: Array<[string[], string]> = [
      [[...p, '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', b], 'kts producer-perf-test: error: argument --topic is required'],
      [[...p, '--topic', 't', '--num-records', '10', '--throughput', '-1', '--producer-props', b], 'kts producer-perf-test: error: one of the arguments --record-size --payload-file --payload-monotonic is required'],
      [[...p, '--topic', 't', '--num-records', '10', '--record-size', '10', '--payload-monotonic', '--throughput', '-1', '--producer-props', b], 'kts producer-perf-test: error: argument --payload-monotonic: not allowed with argument --record-size'],
      [[...p, '--topic', 't', '--num-records', '0', '--record-size', '10', '--throughput', '-1', '--producer-props', b], 'kts producer-perf-test: error: --num-records should be greater than zero'],
      [[...p, '--topic', 't', '--num-records', 'x', '--record-size', '10', '--throughput', '-1', '--producer-props', b], 'kts producer-perf-test: error: argument --num-records: could not convert \'x\' to Long (For input string: "x")'],
      [[...p, '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1'], 'kts producer-perf-test: error: Either --producer-props or --producer.config must be specified.'],
      [[...p, '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', 'acks'], 'Invalid property: acks'],
      [[...p, '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', b, 'acks=2'], 'Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1'],
      [[...p, '--topic', 't', '--num-records', '10', '--record-size', '10', '--throughput', '-1', '--producer-props', b, 'acks=1', 'enable.idempotence=true'], 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.'],
      [['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--messages', '10'], 'Missing required argument "[topic]"'],
      [['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 't'], 'Missing required argument "[messages]"'],
      [['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 't', '--messages', 'ten'], 'Cannot parse argument \'ten\' of option messages'],
      [['consumer-perf-test', '--bootstrap-server', broker.bootstrap, '--topic', 't', '--messages', '10', '--reporting-interval', '0'], 'Reporting interval must be greater than 0.'],
    ]
    for (const [args, message] of cases) {
      const r = await runCli(args)
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`)
      assert.equal(r.stderr, message + '\n', args.join(' '))
      assert.equal(r.stdout, '')
    }
  })
})
