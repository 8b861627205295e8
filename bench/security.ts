/**
 * Secured listeners beside PLAINTEXT on one kts node (issue 10): kcat produce (acks=1) and consume
 * of N records of B bytes over PLAINTEXT, SASL_PLAINTEXT (SCRAM-SHA-512) and SSL (TLS 1.3, EC key),
 * each into its own fresh 1-partition topic, the records counted back; and new SCRAM-SHA-512
 * connections per second (4096 iterations, Kafka's minimum; ApiVersions + SaslHandshake + 2
 * SaslAuthenticate round trips, 8 connecting at a time, our protocol client).
 * Targets: SASL within 5 % of PLAINTEXT, SSL >= 50 % of PLAINTEXT (records/s).
 *
 * Run: `npm run build && node dist/bench/security.js` (npm run bench runs it; KTS_BENCH_SKIP_SECURITY=1 skips it).
 * Environment: KTS_BENCH_RECORDS (default 1000000), KTS_BENCH_RECORD_BYTES (100), KTS_BENCH_KCAT (kcat).
 * Exit status 1 when something broke (the node did not start, kcat failed, a count is wrong).
 */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {BrokerConnection} from '../src/protocol/client/broker-connection.js'
import {envInt, findRepoRoot, freePorts, kraftNodeProperties, renderProperties} from './support.js'

const RECORDS = envInt('KTS_BENCH_RECORDS', 1_000_000)
const RECORD_BYTES = envInt('KTS_BENCH_RECORD_BYTES', 100)
const KCAT = process.env.KTS_BENCH_KCAT || 'kcat'
const ROOT = findRepoRoot()
const RUN_JS = path.join(ROOT, 'bin', 'run.js')
const PRODUCE_ARGS = ['-X', 'linger.ms=5', '-X', 'batch.num.messages=10000', '-X', 'queue.buffering.max.messages=1000000', '-X', 'queue.buffering.max.kbytes=1048576']
const CONSUME_ARGS = ['-X', 'queued.min.messages=1000000', '-X', 'fetch.wait.max.ms=10']
const SCRAM_SECONDS = 3
const SCRAM_PARALLEL = 8

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, {cwd, encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`)
}

function kcat(args: string[], input?: string): Promise<{code: number, stdoutBytes: number, stderr: string, seconds: number}> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(KCAT, args, {stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe']})
    let stdoutBytes = 0
    let stderr = ''
    child.stdout!.on('data', (d: Buffer) => (stdoutBytes += d.length))
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({code: code ?? 1, stdoutBytes, stderr, seconds: (performance.now() - t0) / 1000}))
    if (input) fs.createReadStream(input).pipe(child.stdin!)
  })
}

async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({port, host: '127.0.0.1'}, () => { s.destroy(); resolve(true) })
      s.on('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > end) throw new Error(`port ${port} did not open`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-bench-sec-'))
  let server: ChildProcess | null = null
  const failures: string[] = []
  try {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], dir)
    fs.writeFileSync(path.join(dir, 'keystore.pem'), fs.readFileSync(path.join(dir, 'key.pem'), 'utf8') + fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'))
    const [plain, controller, sasl, ssl] = await freePorts(4)
    const props = {
      ...kraftNodeProperties(plain, controller, path.join(dir, 'logs')),
      'listeners': `PLAINTEXT://127.0.0.1:${plain},CONTROLLER://127.0.0.1:${controller},SASL_PLAINTEXT://127.0.0.1:${sasl},SSL://127.0.0.1:${ssl}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${plain},SASL_PLAINTEXT://127.0.0.1:${sasl},SSL://127.0.0.1:${ssl}`,
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'ssl.keystore.location': path.join(dir, 'keystore.pem'),
    }
    const config = path.join(dir, 'server.properties')
    fs.writeFileSync(config, renderProperties(props))
    const fmt = spawnSync(process.execPath, [RUN_JS, 'storage', 'format', '-t', 'MkU3OEVBNTcwNTJENDM2Qk', '-c', config,
      '--add-scram', 'SCRAM-SHA-512=[name=bench,password=bench-secret,iterations=4096]'], {encoding: 'utf8'})
    if (fmt.status !== 0) throw new Error(`storage format failed: ${fmt.stdout}${fmt.stderr}`)
    server = spawn(process.execPath, [RUN_JS, 'server', 'start', config], {stdio: 'ignore'})
    await waitForPort(plain, 30_000)
    await waitForPort(sasl, 30_000)
    await new Promise((r) => setTimeout(r, 500))

    const data = path.join(dir, 'records.txt')
    const line = 'x'.repeat(RECORD_BYTES - 1) + '\n'
    fs.writeFileSync(data, line.repeat(RECORDS))
    const cases: {name: string, port: number, x: string[]}[] = [
      {name: 'PLAINTEXT', port: plain, x: []},
      {name: 'SASL_PLAINTEXT SCRAM-SHA-512', port: sasl, x: ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=SCRAM-SHA-512', '-X', 'sasl.username=bench', '-X', 'sasl.password=bench-secret']},
      {name: 'SSL (TLS 1.3)', port: ssl, x: ['-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${path.join(dir, 'cert.pem')}`]},
    ]
    const results: {name: string, produce: number, consume: number}[] = []
    for (const [i, c] of cases.entries()) {
      const topic = `sec-bench-${i}`
      const bs = ['-b', `127.0.0.1:${c.port}`, ...c.x]
      const p = await kcat([...bs, '-P', '-t', topic, '-p', '0', '-l', ...PRODUCE_ARGS, data], undefined)
      if (p.code !== 0) { failures.push(`${c.name}: kcat produce failed: ${p.stderr.slice(0, 300)}`); continue }
      const k = await kcat([...bs, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '.', ...CONSUME_ARGS])
      if (k.code !== 0 || k.stdoutBytes !== RECORDS) { failures.push(`${c.name}: consume read ${k.stdoutBytes} records (exit ${k.code}) ${k.stderr.slice(0, 300)}`); continue }
      results.push({name: c.name, produce: RECORDS / p.seconds, consume: RECORDS / k.seconds})
    }
    console.log(`kcat ${RECORDS} x ${RECORD_BYTES} B, 1 partition, acks=1 (records/s, from spawning kcat to its exit):`)
    const base = results.find((r) => r.name === 'PLAINTEXT')
    for (const r of results) {
      const pct = (v: number, b: number | undefined): string => (b ? ` (${Math.round((v / b) * 100)} % of PLAINTEXT)` : '')
      console.log(`  ${r.name.padEnd(30)} produce ${Math.round(r.produce).toLocaleString('en-US').padStart(10)}${pct(r.produce, base?.produce)}   consume ${Math.round(r.consume).toLocaleString('en-US').padStart(10)}${pct(r.consume, base?.consume)}`)
    }
    if (base) {
      const saslR = results.find((r) => r.name.startsWith('SASL'))
      const sslR = results.find((r) => r.name.startsWith('SSL'))
      if (saslR) console.log(`  target SASL within 5 % of PLAINTEXT: ${Math.min(saslR.produce / base.produce, saslR.consume / base.consume) >= 0.95 ? 'ok' : 'BELOW TARGET'}`)
      if (sslR) console.log(`  target SSL >= 50 % of PLAINTEXT: ${Math.min(sslR.produce / base.produce, sslR.consume / base.consume) >= 0.5 ? 'ok' : 'BELOW TARGET'}`)
    }

    // New SCRAM connections per second.
    let done = 0
    const end = performance.now() + SCRAM_SECONDS * 1000
    const t0 = performance.now()
    await Promise.all(Array.from({length: SCRAM_PARALLEL}, async () => {
      while (performance.now() < end) {
        const conn = await BrokerConnection.connect({host: '127.0.0.1', port: sasl, clientId: 'bench',
          security: {protocol: 'SASL_PLAINTEXT', sasl: {mechanism: 'SCRAM-SHA-512', username: 'bench', password: 'bench-secret'}}})
        conn.close()
        done++
      }
    }))
    const seconds = (performance.now() - t0) / 1000
    console.log(`SCRAM-SHA-512 (4096 iterations) new authenticated connections: ${Math.round(done / seconds)}/s (${done} in ${seconds.toFixed(1)} s, ${SCRAM_PARALLEL} at a time; the client's PBKDF2 runs on libuv's thread pool, the broker derives nothing)`)
  } finally {
    server?.kill('SIGKILL')
    fs.rmSync(dir, {recursive: true, force: true})
  }
  for (const f of failures) console.log(`FAILED: ${f}`)
  if (failures.length > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
