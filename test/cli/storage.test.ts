import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {runCli} from '../helpers/run-cli.js'

const ID_RE = /^[A-Za-z0-9_-]{22}$/

describe('kts storage (real binary)', function () {
  this.timeout(60_000)
  let tmp: string
  let configFile: string
  let logDir: string

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-storage-cli-'))
    logDir = path.join(tmp, 'logs')
    configFile = path.join(tmp, 'server.properties')
    fs.writeFileSync(configFile, [
      'process.roles=broker,controller',
      'node.id=1',
      'controller.quorum.voters=1@localhost:9093',
      'listeners=PLAINTEXT://:9092,CONTROLLER://:9093',
      'controller.listener.names=CONTROLLER',
      `log.dirs=${logDir}`,
      '',
    ].join('\n'))
  })
  afterEach(() => fs.rmSync(tmp, {recursive: true, force: true}))

  it('random-uuid prints a 22-char url-safe base64 id, different each time', async () => {
    const [a, b] = await Promise.all([runCli(['storage', 'random-uuid']), runCli(['storage', 'random-uuid'])])
    for (const r of [a, b]) {
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^[A-Za-z0-9_-]{22}\n$/)
      assert.ok(!r.stdout.startsWith('-'))
    }
    assert.notEqual(a.stdout, b.stdout)
  })

  it('format writes meta.properties and bootstrap.checkpoint and prints one line per directory', async () => {
    const clusterId = (await runCli(['storage', 'random-uuid'])).stdout.trim()
    const r = await runCli(['storage', 'format', '-t', clusterId, '-c', configFile])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, `Formatting metadata directory ${logDir} with metadata.version 3.9-IV0.\n`)
    assert.equal(r.stderr, '')
    const meta = fs.readFileSync(path.join(logDir, 'meta.properties'), 'utf8').split('\n')
    assert.equal(meta[0], '#')
    assert.match(meta[1], /^#\w{3} \w{3} \d\d \d\d:\d\d:\d\d \w+ \d{4}$/)
    assert.deepEqual(meta.slice(2, 6).map((l) => l.split('=')[0]), ['node.id', 'directory.id', 'version', 'cluster.id'])
    assert.ok(meta.includes(`cluster.id=${clusterId}`))
    assert.ok(meta.includes('node.id=1'))
    assert.ok(meta.includes('version=1'))
    assert.match(meta.find((l) => l.startsWith('directory.id='))!.slice('directory.id='.length), ID_RE)
    assert.ok(fs.statSync(path.join(logDir, 'bootstrap.checkpoint')).size > 61)
  })

  it('format with a data dir and a separate metadata dir prints both kinds, sorted', async () => {
    const metaDir = path.join(tmp, 'a-meta')
    fs.appendFileSync(configFile, `metadata.log.dir=${metaDir}\n`)
    const r = await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qg', '-c', configFile, '--release-version', '3.8'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, [
      `Formatting metadata directory ${metaDir} with metadata.version 3.8-IV0.`,
      `Formatting data directory ${logDir} with metadata.version 3.8-IV0.`,
      '',
    ].join('\n'))
  })

  it('format refuses an already formatted directory, and --ignore-formatted skips it', async () => {
    const id = 'MkU3OEVBNTcwNTJENDM2Qg'
    assert.equal((await runCli(['storage', 'format', '-t', id, '-c', configFile])).code, 0)
    const before = fs.readFileSync(path.join(logDir, 'meta.properties'), 'utf8')
    const again = await runCli(['storage', 'format', '-t', id, '-c', configFile])
    assert.equal(again.code, 1)
    assert.equal(again.stdout, '')
    assert.equal(again.stderr, `Log directory ${logDir} is already formatted. Use --ignore-formatted to ignore this directory and format the others.\n`)
    const ignored = await runCli(['storage', 'format', '-g', '-t', id, '-c', configFile])
    assert.equal(ignored.code, 0, ignored.stderr)
    assert.equal(ignored.stdout, 'All of the log directories are already formatted.\n')
    assert.equal(fs.readFileSync(path.join(logDir, 'meta.properties'), 'utf8'), before)
  })

  it('format rejects a bad cluster id with one line and exit 1, writing nothing', async () => {
    const r = await runCli(['storage', 'format', '-t', 'not-a-uuid', '-c', configFile])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /^Cluster ID string not-a-uuid does not appear to be a valid UUID: .+\n$/)
    assert.ok(!fs.existsSync(logDir))
  })

  it('format without --cluster-id generates one and says so (kts default; test/cli/first-minute.test.ts has more)', async () => {
    const r = await runCli(['storage', 'format', '-c', configFile])
    assert.equal(r.code, 0, r.stderr)
    const id = /^Generated new cluster id (\S+)\.\n/.exec(r.stdout)?.[1]
    assert.match(id ?? '', ID_RE)
    assert.ok(fs.readFileSync(path.join(logDir, 'meta.properties'), 'utf8').includes(`cluster.id=${id}\n`))
  })

  it('format reports a bad config value as one line', async () => {
    fs.appendFileSync(configFile, 'num.partitions=abc\n')
    const r = await runCli(['storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qg', '-c', configFile])
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Invalid value abc for configuration num.partitions: Not a number of type INT\n')
  })

  it('info prints the directory and the metadata found', async () => {
    const id = 'MkU3OEVBNTcwNTJENDM2Qg'
    assert.equal((await runCli(['storage', 'format', '-t', id, '-c', configFile])).code, 0)
    const dirId = /directory\.id=(\S+)/.exec(fs.readFileSync(path.join(logDir, 'meta.properties'), 'utf8'))![1]
    const r = await runCli(['storage', 'info', '-c', configFile])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, `Found log directory:\n  ${logDir}\n\nFound metadata: {cluster.id=${id}, directory.id=${dirId}, node.id=1, version=1}\n\n`)
    const json = await runCli(['storage', 'info', '-c', configFile, '--json'])
    assert.equal(json.code, 0)
    assert.deepEqual(JSON.parse(json.stdout).metadata, {'cluster.id': id, 'directory.id': dirId, 'node.id': '1', version: '1'})
  })

  it('info reports an unformatted directory as a problem and exits 1', async () => {
    fs.mkdirSync(logDir)
    const r = await runCli(['storage', 'info', '-c', configFile])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, `Found log directory:\n  ${logDir}\n\nFound problem:\n  ${logDir} is not formatted.\n\n`)
  })

  it('bad flags and missing files: one line on stderr, exit 1, no stack trace', async () => {
    for (const args of [['storage', 'format', '--bogus'], ['storage', 'info', '-c', path.join(tmp, 'missing.properties')], ['storage', 'format', '-t']]) {
      const r = await runCli(args)
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: ${r.stderr}`)
      assert.doesNotMatch(r.stderr, /\bat \S+ \(/)
    }
  })

  it('prints a stack trace only with --debug or KTS_DEBUG=1', async () => {
    const args = ['storage', 'format', '-t', 'x', '-c', configFile]
    for (const r of [await runCli([...args, '--debug']), await runCli(args, {env: {KTS_DEBUG: '1'}})]) {
      assert.equal(r.code, 1)
      assert.match(r.stderr, /^Cluster ID string x does not appear to be a valid UUID: .*\n.*StorageError/s)
      assert.match(r.stderr, /\bat \S+ \(/)
    }
  })

  it('--json errors are printed as {"error": ...} and exit 1', async () => {
    const r = await runCli(['storage', 'format', '-t', 'x', '-c', configFile, '--json'])
    assert.equal(r.code, 1)
    const out = JSON.parse(r.stdout)
    assert.match(out.error.message, /^Cluster ID string x does not appear to be a valid UUID/)
  })
})
