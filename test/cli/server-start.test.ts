import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {repoRoot, runCli} from '../helpers/run-cli.js'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const {port} = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

const nodeBuilt = () => fs.existsSync(path.join(repoRoot(), 'dist', 'src', 'server', 'node.js'))

describe('kts server start (real binary)', function () {
  this.timeout(60_000)
  let tmp: string
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-server-start-'))))
  afterEach(() => fs.rmSync(tmp, {recursive: true, force: true}))

  async function overrides(): Promise<string[]> {
    const [port, cport] = [await freePort(), await freePort()]
    return [
      '--override', `log.dirs=${tmp}/logs`,
      '--override', `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cport}`,
      '--override', `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      '--override', `controller.quorum.voters=1@127.0.0.1:${cport}`,
      '--override', 'offsets.topic.replication.factor=1',
    ]
  }

  it('refuses unformatted storage when a config path is given (one line, exit 1)', async () => {
    const file = path.join(tmp, 'server.properties')
    fs.copyFileSync(path.join(repoRoot(), 'config/kraft/server.properties'), file)
    const r = await runCli(['server', 'start', file, ...(await overrides())])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, `No \`meta.properties\` found in ${tmp}/logs (have you run \`kts storage format\` to format the directory?)\n`)
    assert.ok(!fs.existsSync(path.join(tmp, 'logs', 'meta.properties')))
  })

  it('rejects a bad override or config value with one line', async () => {
    const r = await runCli(['server', 'start', '--override', 'num.partitions=x', '--override', `log.dirs=${tmp}/logs`])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Invalid value x for configuration num.partitions: Not a number of type INT\n')
    const noEq = await runCli(['server', 'start', '--override', 'novalue'])
    assert.equal(noEq.code, 1)
    assert.equal(noEq.stderr.trimEnd().split('\n').length, 1)
    const missing = await runCli(['server', 'start', path.join(tmp, 'nope.properties')])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /nope\.properties \(No such file or directory\)\n$/)
  })

  /**
   * Spawns the real binary and sends `signal` (SIGTERM) the moment "Kafka Server started" shows up on stdout
   * (a signal right at the end of start-up must still shut down cleanly); resolves with the output
   * once it exited 0. Fails on another exit or when it does not start within 20 s.
   */
  async function startAndStop(args: string[], signal: NodeJS.Signals = 'SIGTERM'): Promise<string> {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'bin', 'run.js'), ...args], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let signalled = false
    let signalledAt = 0
    const onData = (d: string): void => {
      out += d
      if (!signalled && out.includes('Kafka Server started')) {
        signalled = true
        signalledAt = Date.now()
        child.kill(signal)
      }
    }
    child.stdout.setEncoding('utf8').on('data', onData)
    child.stderr.setEncoding('utf8').on('data', onData)
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    try {
      const code = await exited
      assert.ok(signalled, `broker exited (code ${code}) before it started:\n${out}`)
      assert.equal(code, 0, out)
      assert.match(out, /Kafka Server shut down/)
      const stopMs = Date.now() - signalledAt
      assert.ok(stopMs < 5000, `${signal} took ${stopMs} ms to stop the node`)
      return out
    } finally {
      clearTimeout(timer)
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }

  it('with the default config: formats once (one line), warns once per unknown key, exits 0 on SIGTERM; the next start does not format and exits 0 on SIGINT', async function () {
    const args = ['server', 'start', ...(await overrides())]
    if (!nodeBuilt()) {
      // Until src/server/node.ts exists, check only the first-start formatting.
      const r = await runCli(args)
      assert.match(r.stdout, new RegExp(`^Formatted unformatted storage ${tmp}/logs with new cluster id [A-Za-z0-9_-]{22} and metadata.version 3.9-IV0.\\n`))
      assert.ok(fs.existsSync(path.join(tmp, 'logs', 'meta.properties')))
      this.skip()
    }
    const first = await startAndStop([...args, '--override', 'no.such.key=1'])
    const formatted = first.split('\n').filter((l) => l.includes('Formatted unformatted storage'))
    assert.equal(formatted.length, 1, first)
    assert.match(formatted[0], new RegExp(`^Formatted unformatted storage ${tmp}/logs with new cluster id [A-Za-z0-9_-]{22} and metadata.version 3.9-IV0.$`))
    const clusterId = /new cluster id (\S+)/.exec(formatted[0])![1]
    const warned = first.split('\n').filter((l) => l.includes('no.such.key'))
    assert.equal(warned.length, 1, first)
    assert.match(warned[0], /WARN .*The configuration 'no.such.key' was supplied but isn't a known config\./)
    assert.match(first, new RegExp(`Kafka Server started \\(cluster id ${clusterId}, listeners PLAINTEXT://127.0.0.1:\\d+,CONTROLLER://127.0.0.1:\\d+`))

    const second = await startAndStop(args, 'SIGINT') // Ctrl-C
    assert.doesNotMatch(second, /Formatted|Formatting/)
    assert.match(second, new RegExp(`Kafka Server started \\(cluster id ${clusterId},`))
    assert.match(fs.readFileSync(path.join(tmp, 'logs', 'meta.properties'), 'utf8'), new RegExp(`cluster.id=${clusterId}`))
  })

  it('an SSL listener without a keystore, a SASL listener with Kafka\'s default GSSAPI: one line, exit 1, nothing formatted', async () => {
    const [port, cport, sport] = [await freePort(), await freePort(), await freePort()]
    for (const protocol of ['SSL', 'SASL_PLAINTEXT', 'SASL_SSL']) {
      const r = await runCli(['server', 'start', '--override', `log.dirs=${tmp}/logs`,
        '--override', `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cport},${protocol}://127.0.0.1:${sport}`,
        '--override', `controller.quorum.voters=1@127.0.0.1:${cport}`,
        '--override', `listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,${protocol}:${protocol}`])
      assert.equal(r.code, 1, r.stdout + r.stderr)
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
      assert.match(r.stderr, protocol === 'SASL_PLAINTEXT' ? /sasl.enabled.mechanisms of listener SASL_PLAINTEXT: GSSAPI is not supported by kts/ : new RegExp(`listener ${protocol}: an ${protocol} listener needs a keystore`))
      assert.ok(!fs.existsSync(path.join(tmp, 'logs', 'meta.properties')))
    }
  })
})
