/**
 * `kts console-producer` options that reach the wire, against a real broker (issue 1): the broker
 * advertises a sniffing TCP proxy, so every Produce request the tool sends is seen on its way and
 * its `acks` and batch compression checked: `--request-required-acks`, `--producer-property`,
 * `--compression-codec`. Also: a missing topic is auto-created; the `>` prompt appears only when
 * stdin is a TTY (a pseudo-terminal through util-linux `script`).
 */
import assert from 'node:assert/strict'
import net from 'node:net'
import path from 'node:path'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {repoRoot, runCli} from '../helpers/run-cli.js'
import {runProcess} from '../helpers/run-process.js'

/** One Produce request as seen by the proxy: version, acks and each batch's compression codec (attributes & 7). */
interface SeenProduce {version: number, acks: number, topics: string[], codecs: number[]}

/**
 * Parses a non-flexible Produce request (v3..v8, what kafkajs sends) after the size prefix:
 * header v1, then transactional_id, acks, timeout_ms, [topic [partition records]].
 */
function parseProduce(frame: Buffer): SeenProduce | null {
  if (frame.readInt16BE(0) !== 0) return null
  const version = frame.readInt16BE(2)
  if (version < 3 || version > 8) throw new Error(`unexpected Produce v${version}`)
  let p = 8
  const str = (): string | null => {
    const n = frame.readInt16BE(p)
    p += 2
    if (n < 0) return null
    const s = frame.toString('utf8', p, p + n)
    p += n
    return s
  }
  str() // client id
  str() // transactional id
  const acks = frame.readInt16BE(p)
  p += 6
  const topics: string[] = []
  const codecs: number[] = []
  const count = (): number => {
    const n = frame.readInt32BE(p)
    p += 4
    return n
  }
  for (let t = count(); t > 0; t--) {
    topics.push(str()!)
    for (let n = count(); n > 0; n--) {
      p += 4 // partition index
      const size = count()
      for (let q = p; q < p + size; q += frame.readInt32BE(q + 8) + 12) codecs.push(frame.readInt16BE(q + 21) & 7)
      p += Math.max(size, 0)
    }
  }
  return {version, acks, topics, codecs}
}

/** A TCP proxy on a free port that forwards to `target` and records the Produce requests it passes. */
async function sniffingProxy(): Promise<{port: number, seen: SeenProduce[], setTarget(port: number): void, close(): Promise<void>}> {
  const seen: SeenProduce[] = []
  let target = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect({port: target, host: '127.0.0.1'})
    sockets.add(client).add(upstream)
    let buf = Buffer.alloc(0)
    client.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0))
        const produce = parseProduce(frame)
        if (produce) seen.push(produce)
        buf = buf.subarray(4 + frame.length)
      }
      upstream.write(d)
    })
    upstream.on('data', (d) => client.write(d))
    const end = (): void => {
      client.destroy()
      upstream.destroy()
    }
    for (const s of [client, upstream]) s.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    setTarget: (port) => (target = port),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    }),
  }
}

const uniqueTopic = (p: string): string => `${p}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

describe('kts console-producer against a real broker (acks, compression, producer properties, auto-create, prompt)', function () {
  this.timeout(60_000)
  let broker: BrokerHandle | undefined
  let proxy: Awaited<ReturnType<typeof sniffingProxy>> | undefined
  let bootstrap = ''

  before(async function () {
    if (process.env.KTS_TEST_BOOTSTRAP) this.skip() // the broker must advertise the proxy
    proxy = await sniffingProxy()
    broker = await startBroker({overrides: {'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`}})
    proxy.setTarget(broker.port)
    bootstrap = `127.0.0.1:${proxy.port}`
  })
  after(async () => {
    await proxy?.close()
    await broker?.close()
  })

  const produce = async (topic: string, lines: string[], ...opts: string[]): Promise<SeenProduce[]> => {
    const from = proxy!.seen.length
    const r = await runCli(['console-producer', '--bootstrap-server', bootstrap, '--topic', topic, ...opts], {input: lines.map((l) => `${l}\n`).join('')})
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, '', 'no prompt when stdin is a pipe')
    const mine = proxy!.seen.slice(from).filter((s) => s.topics.includes(topic))
    assert.ok(mine.length > 0, `a Produce request for ${topic}`)
    return mine
  }
  const consume = async (topic: string, n: number): Promise<string[]> => {
    const r = await runCli(['console-consumer', '--bootstrap-server', bootstrap, '--topic', topic, '--from-beginning', '--max-messages', String(n), '--timeout-ms', '10000'])
    assert.equal(r.code, 0, r.stderr)
    return r.stdout.trimEnd().split('\n')
  }

  it('--request-required-acks 0|1|all sets the Produce acks; records arrive with each', async () => {
    const topic = uniqueTopic('acks')
    const cases = [['0', 0], ['1', 1], ['all', -1], ['-1', -1]] as const
    for (const [flag, acks] of cases) {
      const sent = await produce(topic, [`acks-${flag}`], '--request-required-acks', flag)
      assert.deepEqual([...new Set(sent.map((s) => s.acks))], [acks], `--request-required-acks ${flag}`)
    }
    assert.deepEqual(await consume(topic, cases.length), cases.map(([flag]) => `acks-${flag}`))
    const defaults = await produce(topic, ['default'])
    assert.deepEqual([...new Set(defaults.map((s) => s.acks))], [-1], 'Kafka\'s console producer defaults to acks=-1')
  })

  it('--producer-property sets acks and compression.type; the dedicated options win over it', async () => {
    const topic = uniqueTopic('props')
    const byProps = await produce(topic, ['p1', 'p2'], '--producer-property', 'acks=1', '--producer-property', 'compression.type=lz4')
    assert.deepEqual([...new Set(byProps.map((s) => s.acks))], [1])
    assert.deepEqual([...new Set(byProps.flatMap((s) => s.codecs))], [3], 'lz4 batches')
    const both = await produce(topic, ['p3'], '--producer-property', 'acks=0', '--request-required-acks', '1',
      '--producer-property', 'compression.type=lz4', '--compression-codec', 'zstd')
    assert.deepEqual([...new Set(both.map((s) => s.acks))], [1])
    assert.deepEqual([...new Set(both.flatMap((s) => s.codecs))], [4], 'zstd batches')
    for (const [codec, id] of [['none', 0], ['gzip', 1], ['snappy', 2]] as const) {
      const sent = await produce(topic, [`c-${codec}`], '--compression-codec', codec)
      assert.deepEqual([...new Set(sent.flatMap((s) => s.codecs))], [id], `--compression-codec ${codec}`)
    }
    const bare = await produce(topic, ['c-bare'], '--compression-codec')
    assert.deepEqual([...new Set(bare.flatMap((s) => s.codecs))], [1], 'a bare --compression-codec is gzip')
    assert.deepEqual(await consume(topic, 7), ['p1', 'p2', 'p3', 'c-none', 'c-gzip', 'c-snappy', 'c-bare'])
  })

  it('producing to a missing topic creates it with num.partitions (1)', async () => {
    const topic = uniqueTopic('auto')
    const before = await runCli(['topics', '--describe', '--topic', topic, '--bootstrap-server', bootstrap])
    assert.equal(before.code, 1)
    await produce(topic, ['first', 'second'])
    const d = await runCli(['topics', '--describe', '--topic', topic, '--bootstrap-server', bootstrap])
    assert.equal(d.code, 0, d.stderr + d.stdout)
    assert.match(d.stdout, new RegExp(`^Topic: ${topic}\\tTopicId: \\S{22}\\tPartitionCount: 1\\tReplicationFactor: 1\\t`))
    assert.deepEqual(await consume(topic, 2), ['first', 'second'])
  })

  it('prints the ">" prompt when stdin is a TTY (script(1) pseudo-terminal)', async function () {
    const probe = await runProcess('script', ['--version']).catch(() => null)
    if (probe?.code !== 0) this.skip() // util-linux script is missing
    const topic = uniqueTopic('tty')
    const cmd = [process.execPath, path.join(repoRoot(), 'bin', 'run.js'), 'console-producer', '--bootstrap-server', bootstrap, '--topic', topic]
      .map((a) => `'${a}'`).join(' ')
    // the proxy runs in this process: spawn asynchronously so that it keeps forwarding
    const r = await runProcess('script', ['-qec', cmd, '/dev/null'], {input: 'one\ntwo\n'})
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`)
    const prompts = r.stdout.replace(/one|two|\r|\n/g, '')
    assert.equal(prompts, '>>>', `one prompt at start and after each line, got ${JSON.stringify(r.stdout)}`)
    assert.deepEqual(await consume(topic, 2), ['one', 'two'])
  })
})
