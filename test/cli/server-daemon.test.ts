/**
 * `kts server start -daemon` and `kts server stop` with the real binary. Every test uses its own
 * pid directory (KTS_PID_DIR) and LOG_DIR in a temp dir, so it never sees or stops servers of
 * other tests; the after hook SIGKILLs whatever a test left running, even after a failed assertion.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {canConnect, randomClusterId} from '../helpers/broker-process.js'
import {freePorts} from '../helpers/free-port.js'
import {repoRoot, runCli, type CliResult} from '../helpers/run-cli.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {waitFor} from '../helpers/wait-for.js'

/** A file's text, '' while it does not exist yet. */
function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

interface Record {
  pid: number
  nodeId: number
  processRoles: string[]
  configFile: string
  daemon: boolean
  logDir: string | null
  listeners: string
  procStartTime: string | null
}

/** Pids of processes whose command line mentions `needle` (scans /proc). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = []
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) pids.push(Number(d))
    } catch {
      // gone
    }
  }
  return pids
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')
  } catch {
    return false
  }
}

describe('kts server start -daemon / kts server stop (real binary)', function () {
  this.timeout(60_000)
  let tmp: string
  let env: NodeJS.ProcessEnv
  let pidDir: string
  const dummies: ChildProcess[] = []

  beforeEach(() => {
    tmp = makeTempDir('kts-daemon-')
    pidDir = path.join(tmp, 'pids')
    env = {KTS_PID_DIR: pidDir, LOG_DIR: path.join(tmp, 'logs')}
  })

  afterEach(() => {
    // Kill everything this test started: recorded servers, and any process naming its temp dir.
    for (const pid of [...records().map((r) => r.pid), ...processesMentioning(tmp)]) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
    for (const d of dummies.splice(0)) d.kill('SIGKILL')
    removeTempDir(tmp)
  })

  function records(): Record[] {
    if (!fs.existsSync(pidDir)) return []
    return fs.readdirSync(pidDir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(pidDir, f), 'utf8')) as Record)
  }

  /**
   * A formatted node directory with its server.properties (its own one-voter cluster): a combined
   * broker+controller node, or a controller-only node; returns the file and ports.
   */
  async function node(name: string, nodeId: number, roles: 'broker,controller' | 'controller' = 'broker,controller'): Promise<{config: string, port: number, controllerPort: number, logDirs: string}> {
    const [port, controllerPort] = await freePorts(2)
    const logDirs = path.join(tmp, name, 'data')
    const config = path.join(tmp, name, 'server.properties')
    fs.mkdirSync(path.dirname(config), {recursive: true})
    const broker = roles !== 'controller'
    fs.writeFileSync(config, [
      `process.roles=${roles}`, `node.id=${nodeId}`, `controller.quorum.voters=${nodeId}@127.0.0.1:${controllerPort}`,
      broker ? `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}` : `listeners=CONTROLLER://127.0.0.1:${controllerPort}`,
      broker ? `advertised.listeners=PLAINTEXT://127.0.0.1:${port}` : '',
      'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${logDirs}`, 'offsets.topic.replication.factor=1', '',
    ].join('\n'))
    const f = await runCli(['storage', 'format', '-t', randomClusterId(), '-c', config])
    assert.equal(f.code, 0, f.stderr)
    return {config, port, controllerPort, logDirs}
  }

  const cli = (args: string[], opts: {cwd?: string, env?: NodeJS.ProcessEnv} = {}): Promise<CliResult> =>
    runCli(args, {cwd: opts.cwd ?? tmp, env: {...env, ...opts.env}})

  it('-daemon returns once the node listens, records it, writes kafkaServer.out and server.log; stop by role and by node id; stop with nothing left: exit 1', async () => {
    const a = await node('a', 1)
    const b = await node('b', 2, 'controller')
    const logsB = path.join(tmp, 'logs-b')
    const startA = await cli(['server', 'start', '-daemon', a.config])
    assert.equal(startA.code, 0, startA.stdout + startA.stderr)
    // Returned: the node accepts connections right away.
    assert.equal(await canConnect(a.port), true)
    assert.match(startA.stdout, new RegExp(`^Started kts server in the background: pid \\d+, node.id 1, listeners PLAINTEXT://127.0.0.1:${a.port},CONTROLLER://127.0.0.1:${a.controllerPort}; output in ${tmp}/logs/kafkaServer.out\\n$`))
    const startB = await cli(['server', 'start', '--daemon', b.config], {env: {LOG_DIR: logsB}})
    assert.equal(startB.code, 0, startB.stdout + startB.stderr)
    assert.equal(await canConnect(b.controllerPort), true)

    const recs = records().sort((x, y) => x.nodeId - y.nodeId)
    assert.deepEqual(recs.map((r) => [r.nodeId, r.processRoles.join(','), r.configFile, r.daemon, r.logDir]),
      [[1, 'broker,controller', a.config, true, path.join(tmp, 'logs')], [2, 'controller', b.config, true, logsB]])
    const [pidA, pidB] = recs.map((r) => r.pid)
    assert.ok(alive(pidA) && alive(pidB))
    for (const dir of [path.join(tmp, 'logs'), logsB]) {
      assert.match(fs.readFileSync(path.join(dir, 'kafkaServer.out'), 'utf8'), /Kafka Server started/)
      // log4js writes the file appender asynchronously: wait for the line rather than read once.
      await waitFor(() => /INFO \[KafkaRaftServer nodeId=\d\] Kafka Server started/.test(readIfExists(path.join(dir, 'server.log'))),
        {timeoutMs: 5000, message: () => `"Kafka Server started" in ${dir}/server.log`})
    }

    // --process-role matches process.roles exactly (Kafka's script): the combined node is not a "broker".
    const byBroker = await cli(['server', 'stop', '--process-role', 'broker'])
    assert.equal(byBroker.code, 1)
    assert.equal(byBroker.stdout, 'No kafka server to stop\n')
    assert.ok(alive(pidA) && alive(pidB))

    const byController = await cli(['server', 'stop', '--process-role=controller'])
    assert.equal(byController.code, 0, byController.stdout + byController.stderr)
    // It waited: the process is gone when the command returns; node 1 still serves.
    assert.equal(alive(pidB), false)
    assert.equal(await canConnect(b.controllerPort), false)
    assert.equal(await canConnect(a.port), true)
    assert.match(fs.readFileSync(path.join(logsB, 'server.log'), 'utf8'), /Terminating process due to signal SIGTERM[\s\S]*Kafka Server shut down/)
    assert.deepEqual(records().map((r) => r.nodeId), [1])

    const byId = await cli(['server', 'stop', '--node-id=1'])
    assert.equal(byId.code, 0, byId.stdout + byId.stderr)
    assert.equal(alive(pidA), false)
    assert.equal(await canConnect(a.port), false)
    assert.deepEqual(records(), [])

    const none = await cli(['server', 'stop'])
    assert.equal(none.code, 1)
    assert.equal(none.stdout, 'No kafka server to stop\n')
    assert.equal(none.stderr, '')
  })

  it('the shipped config/kraft/*.properties names work from a directory without them (one line says which file)', async () => {
    const a = await node('shipped', 1)
    const elsewhere = path.join(tmp, 'elsewhere')
    fs.mkdirSync(elsewhere)
    const shipped = path.join(repoRoot(), 'config', 'kraft', 'server.properties')
    const r = await cli(['server', 'start', '-daemon', 'config/kraft/server.properties',
      '--override', `log.dirs=${a.logDirs}`,
      '--override', `listeners=PLAINTEXT://127.0.0.1:${a.port},CONTROLLER://127.0.0.1:${a.controllerPort}`,
      '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${a.port}`,
      '--override', `controller.quorum.voters=1@127.0.0.1:${a.controllerPort}`], {cwd: elsewhere, env: {LOG_DIR: ''}})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stderr, `Using the shipped config/kraft/server.properties (${shipped}): ./config/kraft/server.properties does not exist\n`)
    assert.equal(await canConnect(a.port), true)
    assert.deepEqual(records().map((x) => x.configFile), [shipped])
    // LOG_DIR defaults to ./logs of the directory the command ran in.
    assert.ok(fs.existsSync(path.join(elsewhere, 'logs', 'kafkaServer.out')))
    const stop = await cli(['server', 'stop'], {cwd: elsewhere})
    assert.equal(stop.code, 0, stop.stdout + stop.stderr)
    assert.equal(await canConnect(a.port), false)

    for (const name of ['broker', 'controller']) {
      // These fail later (unformatted /tmp storage, or a role kts cannot run yet), but load the shipped file.
      const x = await cli(['server', 'start', `./config/kraft/${name}.properties`, '--override', `log.dirs=${tmp}/unformatted-${name}`], {cwd: elsewhere})
      assert.equal(x.code, 1)
      assert.equal(x.stderr.split('\n')[0], `Using the shipped config/kraft/${name}.properties (${path.join(repoRoot(), 'config', 'kraft', `${name}.properties`)}): ./config/kraft/${name}.properties does not exist`)
    }
    // Any other missing file is Kafka's error, with no fallback.
    const missing = await cli(['server', 'start', 'config/kraft/other.properties'], {cwd: elsewhere})
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr, `${elsewhere}/config/kraft/other.properties (No such file or directory)\n`)
  })

  it('a daemon that cannot bind its port reports why, exits 1 and leaves no process', async () => {
    const a = await node('busy', 1)
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(a.port, '127.0.0.1', resolve))
    try {
      const r = await cli(['server', 'start', '-daemon', a.config])
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.equal(r.stderr, `Socket server failed to bind to 127.0.0.1:${a.port}: Address already in use.\n`)
      assert.equal(r.stdout, '')
      assert.deepEqual(processesMentioning(a.config), [])
      assert.deepEqual(records(), [])
      assert.match(fs.readFileSync(path.join(tmp, 'logs', 'kafkaServer.out'), 'utf8'), /Address already in use/)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })

  it('a refused key stops -daemon before anything is spawned (one line, exit 1); a warned key starts with one WARN line', async () => {
    const a = await node('refused', 1)
    const r = await cli(['server', 'start', '-daemon', a.config, '--override', 'authorizer.class.name=kafka.security.authorizer.AclAuthorizer'])
    assert.equal(r.code, 1)
    assert.equal(r.stderr.split('\n').length, 2, r.stderr)
    assert.match(r.stderr, /^Unsupported configuration authorizer\.class\.name=kafka\.security\.authorizer\.AclAuthorizer: kts implements only /)
    assert.equal(fs.existsSync(path.join(tmp, 'logs')), false, 'nothing was spawned')

    const warned = await cli(['server', 'start', '-daemon', a.config, '--override', 'quota.window.num=11'])
    assert.equal(warned.code, 0, warned.stdout + warned.stderr)
    const logFile = path.join(tmp, 'logs', 'server.log')
    await waitFor(() => readIfExists(logFile).includes('quota.window.num'), {timeoutMs: 5000, message: `the quota.window.num warning in ${logFile}`})
    const log = readIfExists(logFile)
    const lines = log.split('\n').filter((l) => l.includes('quota.window.num'))
    assert.equal(lines.length, 1, log)
    assert.match(lines[0], /WARN The configuration 'quota\.window\.num' has no effect in kts: quotas and throttles are not enforced \(kafka\.server\.KafkaConfig\)$/)
    assert.equal((await cli(['server', 'stop'])).code, 0)
  })

  it('--process-role stops only processes whose process.roles is exactly that role; stale pid files are ignored and removed', async () => {
    // Stand-in processes recorded as a broker-only and a controller-only node (kts cannot run
    // broker-only nodes yet); the first test stops a real controller-only node.
    fs.mkdirSync(pidDir, {recursive: true})
    const stat = (pid: number): string => {
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]
    }
    const record = (pid: number, nodeId: number, roles: string, procStartTime: string | null): void => {
      fs.writeFileSync(path.join(pidDir, `server-${pid}.json`), JSON.stringify({
        pid, nodeId, processRoles: roles.split(','), configFile: `${tmp}/${roles}.properties`, daemon: true, logDir: null,
        listeners: '', startedAt: new Date().toISOString(), procStartTime,
      }))
    }
    const dummy = async (): Promise<number> => {
      const d = spawn(process.execPath, ['-e', `setInterval(() => {}, 1000) // ${tmp}`], {stdio: 'ignore'})
      dummies.push(d)
      await waitFor(() => d.pid !== undefined && fs.existsSync(`/proc/${d.pid}/stat`))
      return d.pid!
    }
    const started: number[] = []
    for (const [nodeId, roles] of [[2, 'broker'], [3, 'controller']] as const) {
      const pid = await dummy()
      record(pid, nodeId, roles, stat(pid))
      started.push(pid)
    }
    // Stale records: a pid that does not exist (far above pid_max), and a pid reused by another process (start time differs).
    record(4_194_999, 9, 'broker', null)
    const reused = await dummy()
    record(reused, 8, 'broker', String(Number(stat(reused)) - 1))

    const both = await cli(['server', 'stop', '--process-role=broker', '--node-id=3'])
    assert.equal(both.code, 0, both.stdout + both.stderr)
    assert.equal(both.stdout, 'When both node-id and process-role are provided, the value for node-id will take precedence\n')
    await waitFor(() => !alive(started[1]), {timeoutMs: 5000})
    assert.ok(alive(started[0]))

    const broker = await cli(['server', 'stop', '--process-role=broker'])
    assert.equal(broker.code, 0, broker.stdout + broker.stderr)
    assert.equal(alive(started[0]), false)
    assert.ok(alive(reused), 'a record whose pid now belongs to another process is not acted on')
    assert.deepEqual(records(), [], 'stale records were removed')
  })
})
