/**
 * Issue 3, "the first minute": the headline commands as typed (`kts storage format`,
 * `kts topics --describe`, `kts console-consumer --from-beginning --partition 0 --offset 4`), the
 * `--bootstrap-server` default, colours, the delete confirmation, "did you mean" and completion.
 * Real binary (test/helpers/run-cli.ts), real broker (test/helpers/broker-process.ts); each
 * command runs from the repository root and from another directory.
 *
 * `kts storage format` without `-c` formats the package's own `config/kraft/server.properties`:
 * it runs from a package sandbox (test/helpers/package-sandbox.ts) so the real default
 * (`/tmp/kraft-combined-logs`) is never touched. The servers are reached through
 * `KTS_BOOTSTRAP_SERVER` (the flag's fallback), not the literal `localhost:9092` that another
 * process on this machine may own; the literal default is covered by the unit tests.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {makePackageSandbox, type PackageSandbox} from '../helpers/package-sandbox.js'
import {runCli} from '../helpers/run-cli.js'
import {ptyAvailable, runCliInPty} from '../helpers/run-pty.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'

const ESC = '\x1b['
/**
 * Environment without colour overrides (the tests' own terminal settings must not leak in). `CI` goes
 * too: with it Node's getColorDepth() reports 2 colours on a terminal, and ansis (plugin-not-found)
 * colours even a pipe.
 */
const NO_OVERRIDES = {FORCE_COLOR: undefined, NO_COLOR: undefined, KTS_BOOTSTRAP_SERVER: undefined, CI: undefined}

describe('the first minute: defaults, colours, completion (real binary, no server)', function () {
  this.timeout(60_000)
  let sandbox: PackageSandbox
  let dataDir: string
  let elsewhere: string

  before(() => {
    elsewhere = makeTempDir('kts-elsewhere-')
    dataDir = path.join(elsewhere, 'sandbox-data')
    sandbox = makePackageSandbox({
      'server.properties': [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.voters=1@localhost:19093',
        'listeners=PLAINTEXT://:19092,CONTROLLER://:19093',
        'controller.listener.names=CONTROLLER',
        `log.dirs=${dataDir}`,
        '',
      ].join('\n'),
    })
  })
  after(() => {
    sandbox?.remove()
    removeTempDir(elsewhere)
  })

  for (const where of ['the package root', 'another directory'] as const) {
    it(`storage format with no flags formats the package's config/kraft/server.properties with a new, printed cluster id (cwd: ${where})`, async () => {
      fs.rmSync(dataDir, {recursive: true, force: true})
      const r = await runCli(['storage', 'format'], {runJs: sandbox.runJs, cwd: where === 'the package root' ? sandbox.root : elsewhere})
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stderr, '')
      const lines = r.stdout.split('\n')
      assert.equal(lines[0], `Using the default config file ${path.join(sandbox.root, 'config', 'kraft', 'server.properties')}.`)
      const id = /^Generated new cluster id ([A-Za-z0-9_-]{22})\.$/.exec(lines[1])?.[1]
      assert.ok(id, r.stdout)
      assert.deepEqual(lines.slice(2), [`Formatting metadata directory ${dataDir} with metadata.version 3.9-IV0.`, ''])
      assert.match(fs.readFileSync(path.join(dataDir, 'meta.properties'), 'utf8'), new RegExp(`^cluster\\.id=${id}$`, 'm'))
      // Formatting again is Kafka's error, exactly as with -t/-c.
      const again = await runCli(['storage', 'format'], {runJs: sandbox.runJs, cwd: elsewhere})
      assert.equal(again.code, 1)
      assert.equal(again.stderr, `Log directory ${dataDir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.\n`)
    })
  }

  it('storage format -c without -t generates the id (relative -c from another directory); -t -c as before', async () => {
    const dir = makeTempDir('kts-format-c-')
    try {
      const logDir = path.join(dir, 'logs')
      fs.writeFileSync(path.join(dir, 'server.properties'), `process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@localhost:9093\n` +
        `listeners=PLAINTEXT://:9092,CONTROLLER://:9093\ncontroller.listener.names=CONTROLLER\nlog.dirs=${logDir}\n`)
      const r = await runCli(['storage', 'format', '-c', 'server.properties'], {cwd: dir})
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^Generated new cluster id [A-Za-z0-9_-]{22}\.\nFormatting metadata directory .+ with metadata\.version 3\.9-IV0\.\n$/)
      fs.rmSync(logDir, {recursive: true})
      const both = await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qg', '-c', path.join(dir, 'server.properties')])
      assert.equal(both.stdout, `Formatting metadata directory ${logDir} with metadata.version 3.9-IV0.\n`)
    } finally {
      removeTempDir(dir)
    }
  })

  it('--help of every tool with --bootstrap-server names its default; storage format names its defaults', async () => {
    const tools = [['topics'], ['console-producer'], ['console-consumer'], ['consumer-groups'], ['consumer-groups', 'list'],
      ['metadata-quorum'], ['features'], ['cluster', 'cluster-id'], ['cluster', 'unregister'], ['acls']]
    const helps = await Promise.all(tools.map((t) => runCli([...t, '--help'], {cwd: elsewhere})))
    helps.forEach((h, i) => {
      assert.equal(h.code, 0, h.stderr)
      const text = h.stdout.replace(/\s+/g, ' ')
      assert.match(text, /--bootstrap-server=<String: server to connect to> ((?! --).)*\(default: \$KTS_BOOTSTRAP_SERVER, else localhost:9092\)/, tools[i].join(' '))
      assert.doesNotMatch(text, /REQUIRED: The (Kafka )?server/)
    })
    const format = (await runCli(['storage', 'format', '--help'])).stdout.replace(/\s+/g, ' ')
    assert.match(format, /default: the package's config\/kraft\/server\.properties/)
    assert.match(format, /default: a new random one, printed/)
  })

  it('a mistyped command (no terminal) exits non-zero and names the command meant; autocomplete --help works', async () => {
    for (const cwd of [undefined, elsewhere]) {
      const r = await runCli(['topcs', '--list'], {cwd, env: NO_OVERRIDES})
      assert.notEqual(r.code, 0)
      assert.equal(r.stdout, '')
      assert.match(r.stderr, /topcs is not a kts command/)
      assert.match(r.stderr, /^Did you mean topics\?$/m)
    }
    const groups = await runCli(['consumer-grups'], {env: NO_OVERRIDES})
    assert.match(groups.stderr, /^Did you mean consumer-groups\?$/m)
    const auto = await runCli(['autocomplete', '--help'], {cwd: elsewhere})
    assert.equal(auto.code, 0, auto.stderr)
    assert.match(auto.stdout, /^Display autocomplete installation instructions\./)
    assert.match(auto.stdout, /\$ kts autocomplete bash/)
    const bash = await runCli(['autocomplete', 'bash'], {env: {HOME: elsewhere, XDG_CACHE_HOME: path.join(elsewhere, 'cache')}})
    assert.equal(bash.code, 0, bash.stderr)
    assert.match(bash.stdout, /kts/)
  })

  it('errors: no colour when piped or with NO_COLOR; red with FORCE_COLOR=1', async () => {
    const args = ['topics', '--list', '--bogus']
    const [piped, noColor, forced, forcedOff] = await Promise.all([
      runCli(args, {env: NO_OVERRIDES}),
      runCli(args, {env: {...NO_OVERRIDES, NO_COLOR: '1'}}),
      runCli(args, {env: {...NO_OVERRIDES, FORCE_COLOR: '1'}, cwd: elsewhere}),
      runCli(args, {env: {...NO_OVERRIDES, FORCE_COLOR: '0'}}),
    ])
    for (const r of [piped, noColor, forcedOff]) {
      assert.equal(r.code, 1)
      assert.equal(r.stderr, 'Nonexistent flag: --bogus\n')
    }
    assert.equal(forced.code, 1)
    assert.equal(forced.stderr, `${ESC}31mNonexistent flag: --bogus${ESC}39m\n`)
  })

  it('errors: red on a terminal, plain there with NO_COLOR', async function () {
    if (!ptyAvailable()) this.skip()
    const [tty, noColor] = await Promise.all([
      runCliInPty(['topics', '--list', '--bogus'], {env: NO_OVERRIDES}),
      runCliInPty(['topics', '--list', '--bogus'], {env: {...NO_OVERRIDES, NO_COLOR: '1'}}),
    ])
    assert.equal(tty.code, 1)
    assert.equal(tty.output, `${ESC}31mNonexistent flag: --bogus${ESC}39m\r\n`)
    assert.equal(noColor.output, 'Nonexistent flag: --bogus\r\n')
  })
})

describe('the headline commands as typed, against a server (real binary)', function () {
  this.timeout(120_000)
  let broker: BrokerHandle
  let env: NodeJS.ProcessEnv
  let elsewhere: string
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 7)}`
  const first = `first-${suffix}`
  const second = `second-${suffix}`
  /** `kts ...args` with the bootstrap server from KTS_BOOTSTRAP_SERVER only. */
  const kts = (args: string[], opts: {cwd?: string, input?: string, env?: NodeJS.ProcessEnv} = {}) =>
    runCli(args, {...opts, env: {...env, ...opts.env}})

  before(async function () {
    broker = await startBroker()
    if (broker.external) {
      await broker.close()
      this.skip() // these tests need a cluster with no topics of its own
    }
    env = {...NO_OVERRIDES, KTS_BOOTSTRAP_SERVER: broker.bootstrap}
    elsewhere = makeTempDir('kts-elsewhere-')
  })
  after(async () => {
    await broker?.close()
    if (elsewhere) removeTempDir(elsewhere)
  })

  it('console-consumer --from-beginning --partition 0 --offset 4: the only topic, from offset 4, saying so on stderr', async () => {
    const created = await kts(['topics', '--create', '--topic', first, '--partitions', '1'])
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.stdout, `Created topic ${first}.\n`)
    const produced = await kts(['console-producer', '--topic', first], {input: 'm0\nm1\nm2\nm3\nm4\nm5\n', cwd: elsewhere})
    assert.equal(produced.code, 0, produced.stderr)
    for (const cwd of [undefined, elsewhere]) {
      const r = await kts(['console-consumer', '--from-beginning', '--partition', '0', '--offset', '4', '--max-messages', '2'], {cwd})
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, 'm4\nm5\n')
      assert.equal(r.stderr, [
        '--from-beginning is ignored: --offset 4 is given.',
        `No --topic given: consuming the only topic on ${broker.bootstrap}, ${first}.`,
        'Processed a total of 2 messages',
        '',
      ].join('\n'))
    }
  })

  it('topics --describe without --topic describes every topic, as --describe --topic does one by one', async () => {
    assert.equal((await kts(['topics', '--create', '--topic', second, '--partitions', '2'])).code, 0)
    const list = await kts(['topics', '--list'], {cwd: elsewhere})
    assert.equal(list.code, 0, list.stderr)
    const names = list.stdout.split('\n').filter((l) => l !== '')
    assert.ok(names.includes(first) && names.includes(second), list.stdout)
    const oneByOne = (await Promise.all(names.map((n) => kts(['topics', '--describe', '--topic', n])))).map((r) => r.stdout).join('')
    assert.match(oneByOne, new RegExp(`^Topic: ${first}\\t.*PartitionCount: 1\\t`, 'm'))
    assert.match(oneByOne, new RegExp(`^Topic: ${second}\\t.*PartitionCount: 2\\t`, 'm'))
    for (const cwd of [undefined, elsewhere]) {
      const all = await kts(['topics', '--describe'], {cwd})
      assert.equal(all.code, 0, all.stderr)
      assert.equal(all.stdout, oneByOne)
    }
  })

  it('console-consumer without --topic on a cluster with several topics: Kafka\'s error, then the topics; exit 1', async () => {
    const r = await kts(['console-consumer', '--from-beginning'], {cwd: elsewhere})
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, `Exactly one of --include/--topic is required. Topics on ${broker.bootstrap}: ${first}, ${second}\n`)
  })

  it('the flag wins over KTS_BOOTSTRAP_SERVER; consumer-groups uses the default too, header bold only with colour', async () => {
    const wrong = await runCli(['topics', '--list', '--bootstrap-server', broker.bootstrap], {env: {...env, KTS_BOOTSTRAP_SERVER: 'localhost:1'}})
    assert.equal(wrong.code, 0, wrong.stderr)
    assert.ok(wrong.stdout.includes(first))
    const plain = await kts(['consumer-groups', '--list', '--state'])
    assert.equal(plain.code, 0, plain.stderr)
    assert.equal(plain.stdout, 'GROUP                     STATE               \n')
    const bold = await kts(['consumer-groups', '--list', '--state'], {env: {FORCE_COLOR: '1'}})
    assert.equal(bold.stdout, `${ESC}1mGROUP                     STATE               ${ESC}22m\n`)
  })

  it('KRaft tools: the default bootstrap server; an explicit --bootstrap-controller is no conflict, an explicit pair still is', async () => {
    const controller = `127.0.0.1:${broker.controllerPort}`
    const [viaDefault, viaController, both] = await Promise.all([
      kts(['cluster', 'cluster-id']),
      kts(['metadata-quorum', '--bootstrap-controller', controller, 'describe', '--status'], {cwd: elsewhere}),
      kts(['cluster', 'cluster-id', '--bootstrap-server', broker.bootstrap, '--bootstrap-controller', controller]),
    ])
    assert.equal(viaDefault.code, 0, viaDefault.stderr)
    assert.equal(viaDefault.stdout, `Cluster ID: ${broker.clusterId}\n`)
    assert.equal(viaController.code, 0, viaController.stderr)
    assert.match(viaController.stdout, new RegExp(`^ClusterId: +${broker.clusterId}$`, 'm'))
    assert.equal(both.code, 1)
    assert.equal(both.stderr, 'kts cluster cluster-id: error: argument --bootstrap-controller/-C: not allowed with argument --bootstrap-server/-b\n')
  })

  it('topics --delete of a regex matching several topics never asks without a terminal (stdin closed): all deleted', async () => {
    const victims = [`del-a-${suffix}`, `del-b-${suffix}`]
    for (const t of victims) assert.equal((await kts(['topics', '--create', '--topic', t])).code, 0)
    const started = Date.now()
    const r = await kts(['topics', '--delete', '--topic', `del-.*-${suffix}`], {cwd: elsewhere})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, '')
    assert.ok(Date.now() - started < 20_000)
    const left = (await kts(['topics', '--list'])).stdout
    for (const t of victims) assert.ok(!left.includes(t), left)
  })

  it('on a terminal, topics --delete of several topics lists them and asks; "n" keeps them, --yes does not ask', async function () {
    if (!ptyAvailable()) this.skip()
    const keep = [`pty-a-${suffix}`, `pty-b-${suffix}`]
    for (const t of keep) assert.equal((await kts(['topics', '--create', '--topic', t])).code, 0)
    const pattern = `pty-.*-${suffix}`
    const no = await runCliInPty(['topics', '--delete', '--topic', pattern], {env, answer: {when: /Delete these 2 topics\?/, send: 'n\r'}})
    assert.equal(no.code, 1, no.output)
    assert.match(no.output, new RegExp(`--topic ${pattern.replace(/[.*]/g, '\\$&')} matches 2 topics:\\r?\\n  ${keep[0]}\\r?\\n  ${keep[1]}`))
    assert.match(no.output, /No topic was deleted\./)
    const after = (await kts(['topics', '--list'])).stdout
    for (const t of keep) assert.ok(after.includes(t), after)

    const yes = await runCliInPty(['topics', '--delete', '--topic', pattern, '--yes'], {env, cwd: elsewhere})
    assert.equal(yes.code, 0, yes.output)
    assert.doesNotMatch(yes.output, /Delete these/)
    const gone = (await kts(['topics', '--list'])).stdout
    for (const t of keep) assert.ok(!gone.includes(t), gone)
  })
})
