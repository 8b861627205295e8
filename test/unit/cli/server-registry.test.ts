import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {registerServer, registryDir, runningServers, type ServerRecord} from '../../../src/cli/server/server-registry.js'
import {resolveServerConfigPath} from '../../../src/cli/server/shipped-config.js'
import {matchesStopFilter, parseSignal, stopServers} from '../../../src/cli/server/stop-servers.js'
import {makeTempDir, removeTempDir} from '../../helpers/temp-dir.js'
import {repoRoot} from '../../helpers/run-cli.js'

describe('kts server start/stop helpers', () => {
  let tmp: string
  beforeEach(() => (tmp = makeTempDir('kts-registry-')))
  afterEach(() => removeTempDir(tmp))

  it('registry dir: KTS_PID_DIR, else $XDG_RUNTIME_DIR/kts, else <tmpdir>/kts-<uid>', () => {
    assert.equal(registryDir({KTS_PID_DIR: 'rel'}), path.resolve('rel'))
    assert.equal(registryDir({XDG_RUNTIME_DIR: '/run/user/7'}), '/run/user/7/kts')
    assert.match(registryDir({}), /\/kts-\d+$/)
  })

  it('registers this process, lists it while it runs, removes the file on unregister', () => {
    const env = {KTS_PID_DIR: path.join(tmp, 'pids')}
    const unregister = registerServer({nodeId: 4, processRoles: ['broker', 'controller'], configFile: '/c', daemon: false, logDir: null, listeners: 'PLAINTEXT://:9092'}, env)
    assert.equal(fs.statSync(env.KTS_PID_DIR).mode & 0o777, 0o700)
    const [rec] = runningServers(env)
    assert.equal(rec.pid, process.pid)
    assert.equal(rec.nodeId, 4)
    assert.match(String(rec.procStartTime), /^\d+$/)
    unregister()
    assert.deepEqual(fs.readdirSync(env.KTS_PID_DIR), [])
    assert.deepEqual(runningServers(env), [])
  })

  it('stop: signals the matching live process, waits for its exit, drops stale records; null when nothing matches', async () => {
    const env = {KTS_PID_DIR: path.join(tmp, 'pids')}
    fs.mkdirSync(env.KTS_PID_DIR)
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {stdio: 'ignore'})
    try {
      const stat = (): string => {
        const s = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')
        return s.slice(s.lastIndexOf(')') + 2).split(' ')[19]
      }
      const rec: ServerRecord = {pid: child.pid!, nodeId: 5, processRoles: ['broker'], configFile: '/c', daemon: true, logDir: null, listeners: '', startedAt: new Date().toISOString(), procStartTime: stat()}
      fs.writeFileSync(path.join(env.KTS_PID_DIR, `server-${child.pid}.json`), JSON.stringify(rec))
      fs.writeFileSync(path.join(env.KTS_PID_DIR, 'server-4194999.json'), JSON.stringify({...rec, pid: 4_194_999}))
      assert.equal(await stopServers({nodeId: 6}, {env}), null)
      assert.equal(await stopServers({processRole: 'controller'}, {env}), null)
      const r = await stopServers({processRole: 'broker'}, {env})
      assert.deepEqual(r?.stopped.map((x) => x.pid), [child.pid])
      assert.deepEqual(r?.stillRunning, [])
      assert.equal(child.signalCode ?? (await new Promise((resolve) => child.once('exit', (_c, s) => resolve(s)))), 'SIGTERM')
      assert.deepEqual(fs.readdirSync(env.KTS_PID_DIR), [])
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('stop filters follow kafka-server-stop.sh: node id wins; a role matches process.roles exactly', () => {
    const rec = {processRoles: ['broker', 'controller'], nodeId: 1} as ServerRecord
    assert.equal(matchesStopFilter(rec, {}), true)
    assert.equal(matchesStopFilter(rec, {processRole: 'broker'}), false)
    assert.equal(matchesStopFilter({...rec, processRoles: ['broker']}, {processRole: 'broker'}), true)
    assert.equal(matchesStopFilter(rec, {nodeId: 1, processRole: 'controller'}), true)
    assert.equal(matchesStopFilter(rec, {nodeId: 2}), false)
  })

  it('SIGNAL: TERM by default; names with or without SIG, numbers; anything else is an error', () => {
    assert.equal(parseSignal(undefined), 'SIGTERM')
    assert.equal(parseSignal('KILL'), 'SIGKILL')
    assert.equal(parseSignal('sigint'), 'SIGINT')
    assert.equal(parseSignal('9'), 'SIGKILL')
    assert.throws(() => parseSignal('NOPE'), /^Error: Invalid signal in SIGNAL: NOPE$/)
  })

  it('config path: default, existing file, shipped fallback for the three shipped names only', () => {
    const root = repoRoot()
    assert.deepEqual(resolveServerConfigPath(undefined, root, tmp), {path: `${root}/config/kraft/server.properties`, explicit: false, notice: null})
    assert.deepEqual(resolveServerConfigPath('config/kraft/server.properties', root, root), {path: `${root}/config/kraft/server.properties`, explicit: true, notice: null})
    for (const name of ['server', 'broker', 'controller']) {
      const r = resolveServerConfigPath(`./config/kraft/${name}.properties`, root, tmp)
      assert.equal(r.path, `${root}/config/kraft/${name}.properties`)
      assert.equal(r.notice, `Using the shipped config/kraft/${name}.properties (${root}/config/kraft/${name}.properties): ./config/kraft/${name}.properties does not exist`)
    }
    fs.mkdirSync(path.join(tmp, 'config', 'kraft'), {recursive: true})
    fs.writeFileSync(path.join(tmp, 'config', 'kraft', 'server.properties'), '')
    assert.equal(resolveServerConfigPath('config/kraft/server.properties', root, tmp).path, `${tmp}/config/kraft/server.properties`, 'a local file wins')
    assert.deepEqual(resolveServerConfigPath('config/kraft/other.properties', root, tmp), {path: `${tmp}/config/kraft/other.properties`, explicit: true, notice: null})
    assert.equal(resolveServerConfigPath('/nope/config/kraft/server.properties', root, tmp).notice, null)
  })
})
