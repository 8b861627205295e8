/**
 * `kts console-producer` / `kts console-consumer` against a real Kafka-protocol server: our broker
 * (`test/helpers/broker-process.ts` when present), else librdkafka's mock cluster built from
 * `../shared/tools/mockcluster.c` (needs gcc + librdkafka-dev), else the server tests are skipped.
 * `KTS_TEST_BOOTSTRAP=host:port` runs them against any running cluster instead.
 */
import assert from 'node:assert/strict'
import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {repoRoot, runCli} from '../helpers/run-cli.js'

/** A running Kafka-protocol server for the tests. */
export interface TestCluster {
  bootstrap: string
  /** True for our own broker (CreateTopics, DescribeConfigs... available). */
  kts: boolean
  stop(): Promise<void>
}

async function pollUntil<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * An external cluster from `KTS_TEST_BOOTSTRAP` (admin APIs assumed), else our broker if the helper
 * exists, else the mock cluster; null when none is possible.
 */
export async function startTestCluster(): Promise<TestCluster | null> {
  const external = process.env.KTS_TEST_BOOTSTRAP
  if (external) return {bootstrap: external, kts: true, stop: async () => undefined}
  const helpers = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'helpers')
  if (fs.existsSync(path.join(helpers, 'broker-process.ts')) || fs.existsSync(path.join(helpers, 'broker-process.js'))) {
    const mod = await import(new URL('../helpers/broker-process.js', import.meta.url).href) as {startBroker: () => Promise<{bootstrap: string, stop: () => Promise<void>}>}
    const b = await mod.startBroker()
    return {bootstrap: b.bootstrap, kts: true, stop: () => b.stop()}
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-mockcluster-'))
  const bin = path.join(dir, 'mockcluster')
  try {
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'rdkafka'], {encoding: 'utf8'}).trim().split(/\s+/)
    execFileSync('gcc', ['-O2', '-pthread', '-o', bin, path.join(repoRoot(), '..', 'shared', 'tools', 'mockcluster.c'), ...flags], {stdio: 'ignore'})
  } catch {
    fs.rmSync(dir, {recursive: true, force: true})
    return null
  }
  const bootFile = path.join(dir, 'boot')
  const child: ChildProcess = spawn(bin, ['-b', '1', '-f', bootFile], {stdio: 'ignore'})
  const bootstrap = await pollUntil(() => {
    const s = fs.existsSync(bootFile) ? fs.readFileSync(bootFile, 'utf8').trim() : ''
    return s.length > 0 ? s : undefined
  }, 10_000, 'the mock cluster')
  return {
    bootstrap,
    kts: false,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}

const uniqueTopic = (p: string): string => `${p}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

describe('kts console-producer / console-consumer (real binary)', function () {
  this.timeout(90_000)
  let cluster: TestCluster | null = null

  before(async function () {
    cluster = await startTestCluster()
    if (cluster === null) this.skip()
  })
  after(async () => {
    await cluster?.stop()
  })

  it('round-trips keys, headers and values and prints every field in Kafka\'s layout', async () => {
    const topic = uniqueTopic('console')
    const p = await runCli(['console-producer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic,
      '--property', 'parse.key=true', '--property', 'parse.headers=true', '--property', 'null.marker=NULL'],
    {input: 'h1:v1\tk\thello\nNULL\tk\tworld\nh2:x,h3:y\tk\tNULL\n'})
    assert.equal(p.code, 0, p.stderr)
    assert.equal(p.stdout, '') // no prompt when stdin is not a TTY
    const c = await runCli(['console-consumer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--from-beginning',
      '--max-messages', '3', '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'print.offset=true',
      '--property', 'print.partition=true', '--property', 'print.timestamp=true'])
    assert.equal(c.code, 0, c.stderr)
    const lines = c.stdout.split('\n')
    assert.equal(lines.length, 4)
    assert.equal(lines[3], '')
    assert.match(lines[0], /^CreateTime:\d{13}\tPartition:\d+\tOffset:0\th1:v1\tk\thello$/)
    assert.match(lines[1], /^CreateTime:\d{13}\tPartition:\d+\tOffset:1\tNO_HEADERS\tk\tworld$/)
    assert.match(lines[2], /^CreateTime:\d{13}\tPartition:\d+\tOffset:2\th2:x,h3:y\tk\tnull$/)
    assert.match(c.stderr, /Processed a total of 3 messages\n$/)
  })

  it('produces with every compression codec; --partition/--offset start where asked', async () => {
    const topic = uniqueTopic('codecs')
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const r = await runCli(['console-producer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--compression-codec', codec,
        '--property', 'parse.key=true', '--property', 'key.separator=|'], {input: `same|${codec}-1\nsame|${codec}-2\n`})
      assert.equal(r.code, 0, r.stderr)
    }
    const all = await runCli(['console-consumer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--from-beginning', '--max-messages', '10', '--property', 'print.partition=true'])
    assert.equal(all.code, 0, all.stderr)
    const lines = all.stdout.trim().split('\n')
    assert.deepEqual(lines.map((l) => l.split('\t')[1]), ['none-1', 'none-2', 'gzip-1', 'gzip-2', 'snappy-1', 'snappy-2', 'lz4-1', 'lz4-2', 'zstd-1', 'zstd-2'])
    const partition = lines[0].split('\t')[0].slice('Partition:'.length)
    const some = await runCli(['console-consumer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--partition', partition, '--offset', '7', '--max-messages', '3'])
    assert.equal(some.stdout, 'lz4-2\nzstd-1\nzstd-2\n', some.stderr)
  })

  it('--timeout-ms ends an idle consumer with exit 0 and the total', async () => {
    const topic = uniqueTopic('idle')
    const r = await runCli(['console-consumer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--timeout-ms', '1500'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /ERROR Error processing message, terminating consumer process: /)
    assert.match(r.stderr, /Processed a total of 0 messages\n$/)
  })

  it('SIGINT stops a consumer cleanly and still prints the total', async () => {
    const topic = uniqueTopic('sigint')
    const p = await runCli(['console-producer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic], {input: 'one\n'})
    assert.equal(p.code, 0, p.stderr)
    const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'run.js'), 'console-consumer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--from-beginning'])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      await pollUntil(() => stdout.includes('one\n') ? true : undefined, 30_000, 'the first record')
      child.kill('SIGINT')
      assert.equal(await exited, 0)
    } finally {
      child.kill('SIGKILL')
    }
    assert.match(stderr, /Processed a total of 1 messages\n$/)
  })

  it('--broker-list works like --bootstrap-server; --offset earliest reads from the start, latest only what comes after', async () => {
    const topic = uniqueTopic('offsets')
    const p = await runCli(['console-producer', '--broker-list', cluster!.bootstrap, '--topic', topic], {input: 'old1\nold2\n'})
    assert.equal(p.code, 0, p.stderr)
    const early = await runCli(['console-consumer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic, '--partition', '0', '--offset', 'earliest', '--max-messages', '2'])
    assert.equal(early.stdout, 'old1\nold2\n', early.stderr)

    const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'run.js'), 'console-consumer', '--bootstrap-server', cluster!.bootstrap,
      '--topic', topic, '--partition', '0', '--offset', 'latest', '--max-messages', '1', '--timeout-ms', '30000'])
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      // The consumer looks up "latest" when it starts: produce until a record lands after that point.
      for (let i = 0; child.exitCode === null; i++) {
        assert.ok(i < 20, 'the latest-offset consumer got no new record')
        await runCli(['console-producer', '--bootstrap-server', cluster!.bootstrap, '--topic', topic], {input: `new${i}\n`})
      }
      assert.equal(await exited, 0)
    } finally {
      child.kill('SIGKILL')
    }
    assert.match(stdout, /^new\d+\n$/)
  })

  it('a line error stops the producer with Kafka\'s message and exit 1', async () => {
    const r = await runCli(['console-producer', '--bootstrap-server', cluster!.bootstrap, '--topic', uniqueTopic('bad'), '--property', 'parse.key=true'], {input: 'k\tv\nnokey\n'})
    assert.equal(r.code, 1)
    assert.match(r.stderr, /No key separator found on line number 2: 'nokey'/)
  })
})

describe('kts console tools usage errors (real binary, no server)', function () {
  this.timeout(30_000)

  it('consumer: rejected combinations are one line on stderr, exit 1', async () => {
    const r = await runCli(['console-consumer', '--bootstrap-server', 'localhost:1', '--topic', 't', '--offset', '5'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'The partition is required when offset is specified.\n')
    const both = await runCli(['console-consumer', '--bootstrap-server', 'localhost:1', '--topic', 't', '--include', 't'])
    assert.match(both.stderr, /^Exactly one of --include\/--topic is required\. ?\n$/) // the base command trims the line
    const none = await runCli(['console-consumer', '--bootstrap-server', 'localhost:1'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /^Exactly one of --include\/--topic is required\. \(Could not list the topics of localhost:1: .+\)\n$/)
  })

  it('producer: missing options and bad host:port', async () => {
    const r = await runCli(['console-producer'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Missing required option(s) [topic]\n')
    const bad = await runCli(['console-producer', '--bootstrap-server', 'nohost', '--topic', 't'])
    assert.equal(bad.stderr, 'Please provide valid host:port like host1:9091,host2:9092\n')
  })
})
