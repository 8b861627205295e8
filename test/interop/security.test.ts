/**
 * Secured listeners with real clients against one `kts server start` process: SASL_PLAINTEXT
 * (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), SSL (PKCS12 keystore, PEM truststore, requested client
 * certificates) and SASL_SSL (SCRAM-SHA-512, encrypted PEM key). SCRAM users come from
 * `storage format --add-scram`, PLAIN users from the listener's JAAS config; certificates are
 * generated at run time by openssl. Each client produces and reads back, and fails to authenticate
 * with a wrong password. No secret may appear in the broker's output.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import {Kafka, logLevel, type SASLOptions} from 'kafkajs'
import {Consumer, Producer, stringDeserializers, stringSerializers} from '@platformatic/kafka'
import {freePorts} from '../helpers/free-port.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'
import {runProcess} from '../helpers/run-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {generateTestCerts, hasOpenssl, type TestCerts} from '../helpers/test-certs.js'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {createTopic, printBrokerOutputOnFailure, uniqueTopic} from './interop-check.js'
import {PYTHON, pyScript, pythonHasModule} from './python-client.js'
import {runCli} from '../helpers/run-cli.js'
import {RawKafkaSocket} from '../helpers/raw-kafka-socket.js'
import {readSaslHandshakeResponse, writeSaslHandshakeRequest} from '../../src/protocol/generated/messages/sasl-handshake.js'
import {readSaslAuthenticateResponse, writeSaslAuthenticateRequest} from '../../src/protocol/generated/messages/sasl-authenticate.js'
import {readMetadataResponse, writeMetadataRequest} from '../../src/protocol/generated/messages/metadata.js'
import {readApiVersionsResponse, writeApiVersionsRequest} from '../../src/protocol/generated/messages/api-versions.js'

const SECRETS = ['alice-secret', 'bob-secret', 'admin-secret', 'ks-secret', 'key-secret']
const KCAT = '/usr/bin/kcat'
/** connections.max.reauth.ms of the REAUTH listener. */
const REAUTH_MS = 1500

const SASL_HANDSHAKE = 17
const SASL_AUTHENTICATE = 36
const METADATA = 3

/** SaslHandshake v1 on a raw socket: [errorCode, mechanisms]. */
async function handshake(sock: RawKafkaSocket, mechanism: string): Promise<[number, string[]]> {
  const id = sock.sendRequest(SASL_HANDSHAKE, 1, (w) => writeSaslHandshakeRequest(w, {mechanism}, 1))
  const res = readSaslHandshakeResponse(await sock.readResponse(id, SASL_HANDSHAKE, 1), 1)
  return [res.errorCode, res.mechanisms]
}

/** SaslAuthenticate v2 on a raw socket. */
async function authenticate(sock: RawKafkaSocket, token: string | Buffer): Promise<{errorCode: number, errorMessage: string | null, authBytes: Buffer, sessionLifetimeMs: number}> {
  const id = sock.sendRequest(SASL_AUTHENTICATE, 2, (w) => writeSaslAuthenticateRequest(w, {authBytes: Buffer.isBuffer(token) ? token : Buffer.from(token)}, 2))
  return readSaslAuthenticateResponse(await sock.readResponse(id, SASL_AUTHENTICATE, 2), 2)
}

/** Metadata v12 for no topics; resolves with the broker count. */
async function metadataBrokers(sock: RawKafkaSocket): Promise<number> {
  const id = sock.sendRequest(METADATA, 12, (w) => writeMetadataRequest(w, {topics: [], allowAutoTopicCreation: false}, 12))
  return readMetadataResponse(await sock.readResponse(id, METADATA, 12), 12).brokers.length
}

interface Ports {sasl: number, ssl: number, saslSsl: number, reauth: number, mtls: number}

async function startSecuredBroker(certs: TestCerts, ports: Ports): Promise<BrokerHandle> {
  const plainJaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";'
  return startBroker({
    overrides: {
      'listeners': `PLAINTEXT://127.0.0.1:{P},CONTROLLER://127.0.0.1:{C},SASL_PLAINTEXT://127.0.0.1:${ports.sasl},SSL://127.0.0.1:${ports.ssl},SASL_SSL://127.0.0.1:${ports.saslSsl},REAUTH://127.0.0.1:${ports.reauth},MTLS://127.0.0.1:${ports.mtls}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:{P},SASL_PLAINTEXT://127.0.0.1:${ports.sasl},SSL://127.0.0.1:${ports.ssl},SASL_SSL://127.0.0.1:${ports.saslSsl},REAUTH://127.0.0.1:${ports.reauth},MTLS://127.0.0.1:${ports.mtls}`,
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,REAUTH:SASL_PLAINTEXT,MTLS:SSL',
      'listener.name.mtls.ssl.keystore.location': certs.serverPem,
      'listener.name.mtls.ssl.client.auth': 'required',
      'listener.name.reauth.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.reauth.plain.sasl.jaas.config': plainJaas,
      'listener.name.reauth.connections.max.reauth.ms': REAUTH_MS,
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': plainJaas,
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'listener.name.ssl.ssl.keystore.type': 'PKCS12',
      'listener.name.ssl.ssl.keystore.location': certs.serverP12,
      'listener.name.ssl.ssl.keystore.password': 'ks-secret',
      'listener.name.ssl.ssl.client.auth': 'requested',
      'listener.name.ssl.ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),.*$/$1/L,DEFAULT',
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certs.caCert,
      'listener.name.sasl_ssl.ssl.keystore.location': certs.serverEncryptedPem,
      'listener.name.sasl_ssl.ssl.key.password': 'key-secret',
      'connection.failed.authentication.delay.ms': 10,
    },
    formatArgs: [
      '--add-scram', 'SCRAM-SHA-256=[name=alice,password=alice-secret]',
      '--add-scram', 'SCRAM-SHA-512=[name=alice,password=alice-secret]',
      '--add-scram', 'SCRAM-SHA-512=[name=bob,iterations=8192,password=bob-secret]',
    ],
  })
}

/** kcat -X settings of one case. */
function kcatSecurity(certs: TestCerts, protocol: string, mechanism?: string, user?: string, password?: string): string[] {
  const x: string[] = ['-X', `security.protocol=${protocol}`]
  if (mechanism) x.push('-X', `sasl.mechanism=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`)
  if (protocol.endsWith('SSL')) x.push('-X', `ssl.ca.location=${certs.caCert}`)
  return x
}

describe('interop: secured listeners (SASL_PLAINTEXT, SSL, SASL_SSL)', function () {
  this.timeout(120_000)
  let dir = ''
  let certs: TestCerts
  let ports: Ports
  let broker: BrokerHandle | undefined

  before(async function () {
    if (process.env.KTS_TEST_BOOTSTRAP || !hasOpenssl()) this.skip()
    dir = makeTempDir('kts-sec-')
    certs = await generateTestCerts(dir)
    const [sasl, ssl, saslSsl, reauth, mtls] = await freePorts(5)
    ports = {sasl, ssl, saslSsl, reauth, mtls}
    broker = await startSecuredBroker(certs, ports)
  })
  after(async () => {
    if (broker) {
      const out = broker.output()
      await broker.close()
      for (const s of SECRETS) assert.ok(!out.includes(s), `the broker output contains the secret ${s}`)
    }
    if (dir) removeTempDir(dir)
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })
  const at = (port: number): string => `127.0.0.1:${port}`

  it('kcat (librdkafka): produces and consumes with PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, SSL (with a client certificate) and SASL_SSL', async function () {
    if (!fs.existsSync(KCAT)) this.skip()
    const topic = uniqueTopic('sec-kcat')
    await createTopic(broker!, topic, 1)
    const values: string[] = []
    const cases: [string, string[]][] = [
      [at(ports.sasl), kcatSecurity(certs, 'SASL_PLAINTEXT', 'PLAIN', 'alice', 'alice-secret')],
      [at(ports.sasl), kcatSecurity(certs, 'SASL_PLAINTEXT', 'SCRAM-SHA-256', 'alice', 'alice-secret')],
      [at(ports.sasl), kcatSecurity(certs, 'SASL_PLAINTEXT', 'SCRAM-SHA-512', 'bob', 'bob-secret')],
      [at(ports.ssl), kcatSecurity(certs, 'SSL')],
      [at(ports.ssl), [...kcatSecurity(certs, 'SSL'), '-X', `ssl.certificate.location=${certs.clientCert}`, '-X', `ssl.key.location=${certs.clientKey}`]],
      [at(ports.saslSsl), kcatSecurity(certs, 'SASL_SSL', 'SCRAM-SHA-512', 'alice', 'alice-secret')],
    ]
    for (const [i, [bootstrap, security]] of cases.entries()) {
      values.push(`value-${i}`)
      // Each case appends one value and reads back everything so far.
      const p = await runProcess(KCAT, ['-b', bootstrap, ...security, '-P', '-t', topic, '-p', '0'], {input: `value-${i}\n`, timeoutMs: 30_000})
      assert.equal(p.code, 0, `case ${i}: kcat produce failed: ${p.stderr}`)
      const c = await runProcess(KCAT, ['-b', bootstrap, ...security, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q'], {timeoutMs: 30_000})
      assert.equal(c.code, 0, `case ${i}: kcat consume failed: ${c.stderr}`)
      assert.deepEqual(c.stdout.trim().split('\n'), values, `case ${i}`)
    }
  })

  it('kcat: a wrong password or an unknown user fails with SASL authentication errors (PLAIN, SCRAM); plaintext to a TLS port fails', async function () {
    if (!fs.existsSync(KCAT)) this.skip()
    for (const [mechanism, user] of [['PLAIN', 'alice'], ['SCRAM-SHA-256', 'alice'], ['SCRAM-SHA-512', 'nobody']]) {
      const r = await runProcess(KCAT, ['-b', at(ports.sasl), ...kcatSecurity(certs, 'SASL_PLAINTEXT', mechanism, user, 'wrong-password'), '-L', '-m', '1'], {timeoutMs: 30_000})
      assert.notEqual(r.code, 0)
      assert.match(r.stderr, /Authentication failed/, `${mechanism}: ${r.stderr}`)
    }
    const r = await runProcess(KCAT, ['-b', at(ports.ssl), '-L', '-m', '1'], {timeoutMs: 30_000})
    assert.notEqual(r.code, 0)
  })

  it('kafkajs: SCRAM-SHA-512 on SASL_PLAINTEXT and PLAIN on SASL_PLAINTEXT produce and consume; a wrong password is refused', async function () {
    const topic = uniqueTopic('sec-kafkajs')
    await createTopic(broker!, topic, 1)
    const client = (sasl: SASLOptions): Kafka => new Kafka({clientId: 'kts-sec', brokers: [at(ports.sasl)], sasl, logLevel: logLevel.NOTHING, retry: {retries: 2, initialRetryTime: 100}})
    const producer = client({mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret'}).producer()
    await producer.connect()
    await producer.send({topic, messages: [{value: 'a'}, {value: 'b'}]})
    await producer.disconnect()
    const consumer = client({mechanism: 'plain', username: 'alice', password: 'alice-secret'}).consumer({groupId: uniqueTopic('sec-group'), maxWaitTimeInMs: 100})
    const read: string[] = []
    await consumer.connect()
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({eachMessage: async ({message}) => { read.push(String(message.value)) }})
    await waitFor(() => read.length >= 2, {timeoutMs: 20_000, message: 'kafkajs reads 2 records'})
    await consumer.disconnect()
    assert.deepEqual(read, ['a', 'b'])
    const bad = client({mechanism: 'scram-sha-256', username: 'alice', password: 'wrong'}).admin()
    await assert.rejects(bad.connect(), (err: Error) => /SASL SCRAM SHA256 authentication failed|Authentication failed/i.test(err.message))
  })

  it('kafkajs over SSL (CA from the test certificates) reads what kcat wrote', async function () {
    const topic = uniqueTopic('sec-kafkajs-ssl')
    await createTopic(broker!, topic, 1)
    const kafka = new Kafka({clientId: 'kts-sec', brokers: [at(ports.ssl)], ssl: {ca: [fs.readFileSync(certs.caCert, 'utf8')]}, logLevel: logLevel.NOTHING})
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({topic, messages: [{value: 'tls-1'}]})
    await producer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets(topic)
    await admin.disconnect()
    assert.equal(offsets[0].high, '1')
  })

  it('@platformatic/kafka: SCRAM-SHA-256 produces and consumes; a wrong password is refused', async function () {
    const topic = uniqueTopic('sec-platformatic')
    await createTopic(broker!, topic, 1)
    const producer = new Producer({clientId: 'kts-sec', bootstrapBrokers: [at(ports.sasl)], serializers: stringSerializers,
      sasl: {mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret'}, retries: 2})
    try {
      await producer.send({messages: [{topic, key: 'k', value: 'p-1'}, {topic, key: 'k', value: 'p-2'}]})
    } finally {
      await producer.close()
    }
    const consumer = new Consumer({groupId: uniqueTopic('sec-pgroup'), clientId: 'kts-sec', bootstrapBrokers: [at(ports.sasl)],
      deserializers: stringDeserializers, maxWaitTime: 200, sasl: {mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'alice-secret'}})
    const read: string[] = []
    try {
      const stream = await consumer.consume({topics: [topic], mode: 'earliest', autocommit: false})
      stream.on('data', (m) => read.push(String(m.value)))
      await waitFor(() => read.length >= 2, {timeoutMs: 20_000, message: 'platformatic reads 2 records'})
    } finally {
      await consumer.close(true)
    }
    assert.deepEqual(read, ['p-1', 'p-2'])
    const bad = new Producer({clientId: 'kts-sec', bootstrapBrokers: [at(ports.sasl)], serializers: stringSerializers,
      sasl: {mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'wrong'}, retries: 0})
    try {
      await assert.rejects(bad.send({messages: [{topic, value: 'x'}]}))
    } finally {
      await bad.close()
    }
  })

  for (const [script, module, configs] of [
    ['confluent_kafka_client.py', 'confluent_kafka', {
      good: (c: TestCerts) => ({'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'alice', 'sasl.password': 'alice-secret', 'ssl.ca.location': c.caCert}),
      bad: (c: TestCerts) => ({'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'alice', 'sasl.password': 'wrong', 'ssl.ca.location': c.caCert}),
      port: (p: Ports) => p.saslSsl,
    }],
    ['kafka_python_client.py', 'kafka', {
      good: () => ({security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'SCRAM-SHA-256', sasl_plain_username: 'alice', sasl_plain_password: 'alice-secret'}),
      bad: () => ({security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'PLAIN', sasl_plain_username: 'alice', sasl_plain_password: 'wrong'}),
      port: (p: Ports) => p.sasl,
    }],
  ] as const) {
    it(`${module} (${script}): produces and consumes on a secured listener; a wrong password fails`, async function () {
      if (!(await pythonHasModule(module))) this.skip()
      const topic = uniqueTopic(`sec-${module}`)
      await createTopic(broker!, topic, 1)
      const bootstrap = at(configs.port(ports))
      const run = (cmd: string, config: object, input?: string, deadlineS = 30) => runProcess(PYTHON, [pyScript(script), cmd, bootstrap, topic],
        {input, timeoutMs: 45_000, env: {KTS_PY_CLIENT_CONFIG: JSON.stringify(config), KTS_PY_DEADLINE_S: String(deadlineS)}})
      const p = await run('produce', configs.good(certs), 'k1\tv1\nk2\tv2\n')
      assert.equal(p.code, 0, p.stderr)
      const c = await run('consume', configs.good(certs))
      assert.equal(c.code, 0, c.stderr)
      assert.deepEqual(c.stdout.trim().split('\n').map((l) => (JSON.parse(l) as {value: string}).value), ['v1', 'v2'])
      const bad = await run('consume', configs.bad(certs), undefined, 3)
      assert.notEqual(bad.code, 0, 'a wrong password must fail')
    })
  }

  it('the kts tools authenticate with --command-config / --producer.config / --consumer.config (SASL_PLAINTEXT SCRAM, SSL), and report a wrong password in one line', async function () {
    const scram = `${dir}/client-scram.properties`
    fs.writeFileSync(scram, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n' +
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";\n')
    const ssl = `${dir}/client-ssl.properties`
    fs.writeFileSync(ssl, `security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=${certs.caCert}\n`)
    const bad = `${dir}/client-bad.properties`
    fs.writeFileSync(bad, fs.readFileSync(scram, 'utf8').replace('bob-secret', 'not-it'))
    const ok = async (args: string[], input?: string): Promise<string> => {
      const r = await runCli(args, {input, timeoutMs: 30_000})
      assert.equal(r.code, 0, `kts ${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    const sasl = ['--bootstrap-server', at(ports.sasl)]
    const topic = uniqueTopic('sec-tools')
    assert.match(await ok(['topics', ...sasl, '--command-config', scram, '--create', '--topic', topic, '--partitions', '1']), /Created topic/)
    assert.match(await ok(['topics', '--bootstrap-server', at(ports.ssl), '--command-config', ssl, '--describe', '--topic', topic]), /PartitionCount: 1/)
    await ok(['console-producer', ...sasl, '--producer.config', scram, '--topic', topic], 'one\ntwo\n')
    assert.equal(await ok(['console-consumer', ...sasl, '--consumer.config', scram, '--topic', topic, '--from-beginning', '--max-messages', '2']), 'one\ntwo\n')
    assert.equal(await ok(['console-consumer', '--bootstrap-server', at(ports.ssl), '--consumer-property', 'security.protocol=SSL',
      '--consumer-property', `ssl.truststore.location=${certs.caCert}`, '--topic', topic, '--from-beginning', '--max-messages', '1']), 'one\n')
    await ok(['consumer-groups', ...sasl, '--command-config', scram, '--list'])
    assert.match(await ok(['metadata-quorum', ...sasl, '--command-config', scram, 'describe', '--status']), /LeaderId:\s+1/)
    for (const args of [['topics', ...sasl, '--command-config', bad, '--list'], ['consumer-groups', ...sasl, '--command-config', bad, '--list'],
      ['metadata-quorum', ...sasl, '--command-config', bad, 'describe', '--status']]) {
      const r = await runCli(args, {timeoutMs: 30_000})
      assert.notEqual(r.code, 0, args.join(' '))
      assert.match(r.stderr, /Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/, args.join(' '))
      assert.ok(!r.stderr.includes('not-it') && !r.stderr.includes('    at '), r.stderr)
    }
  })

  it('kts configs --entity-type users: SCRAM credentials added, used, described and deleted through AlterUserScramCredentials / DescribeUserScramCredentials', async function () {
    const admin = `${dir}/client-admin.properties`
    fs.writeFileSync(admin, 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n' +
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";\n')
    const cfg = (args: string[]) => runCli(['configs', '--bootstrap-server', at(ports.sasl), '--command-config', admin, ...args], {timeoutMs: 30_000})
    let r = await cfg(['--alter', '--add-config', 'SCRAM-SHA-512=[iterations=8192,password=carol-secret]', '--entity-type', 'users', '--entity-name', 'carol'])
    assert.equal(r.stdout, 'Completed updating config for user carol.\n', r.stderr)
    r = await cfg(['--describe', '--entity-type', 'users', '--entity-name', 'carol'])
    assert.equal(r.stdout, "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=8192\n")
    r = await cfg(['--describe', '--entity-type', 'users'])
    assert.equal(r.stdout, "SCRAM credential configs for user-principal 'alice' are SCRAM-SHA-256=iterations=4096, SCRAM-SHA-512=iterations=4096\n" +
      "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=8192\n" +
      "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=8192\n")
    if (fs.existsSync(KCAT)) {
      const p = await runProcess(KCAT, ['-b', at(ports.sasl), ...kcatSecurity(certs, 'SASL_PLAINTEXT', 'SCRAM-SHA-512', 'carol', 'carol-secret'), '-L', '-m', '5'], {timeoutMs: 30_000})
      assert.equal(p.code, 0, p.stderr)
    }
    r = await cfg(['--alter', '--delete-config', 'SCRAM-SHA-512', '--entity-type', 'users', '--entity-name', 'carol'])
    assert.equal(r.stdout, 'Completed updating config for user carol.\n', r.stderr)
    r = await cfg(['--describe', '--user', 'carol'])
    assert.equal(r.stdout, '')
    r = await cfg(['--alter', '--delete-config', 'SCRAM-SHA-512', '--entity-type', 'users', '--entity-name', 'carol'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /ResourceNotFoundException: Attempt to delete a user credential that does not exist/)
    r = await cfg(['--alter', '--add-config', 'SCRAM-SHA-256=[iterations=100,password=secret-x]', '--user', 'dave'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /Iterations 100 is less than the minimum 4096 required for SCRAM-SHA-256/)
    r = await cfg(['--alter', '--add-config', 'foo=bar', '--user', 'dave'])
    assert.match(r.stderr, /Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: Set\(foo\)/)
    if (fs.existsSync(KCAT)) {
      const p = await runProcess(KCAT, ['-b', at(ports.sasl), ...kcatSecurity(certs, 'SASL_PLAINTEXT', 'SCRAM-SHA-512', 'carol', 'carol-secret'), '-L', '-m', '1'], {timeoutMs: 30_000})
      assert.notEqual(p.code, 0, 'a deleted credential no longer authenticates')
    }
  })

  it('bad input closes or answers that connection only: a request before authentication, an unknown mechanism, malformed SCRAM, an oversized token, plaintext to TLS', async function () {
    // ApiVersions is served before authentication and lists SaslHandshake / SaslAuthenticate; Metadata closes the connection.
    let sock = await RawKafkaSocket.connect(ports.sasl)
    const av = sock.sendRequest(18, 3, (w) => writeApiVersionsRequest(w, {clientSoftwareName: 'raw', clientSoftwareVersion: '1'}, 3))
    const keys = readApiVersionsResponse(await sock.readResponse(av, 18, 3), 3).apiKeys.map((k) => k.apiKey)
    assert.ok(keys.includes(SASL_HANDSHAKE) && keys.includes(SASL_AUTHENTICATE))
    sock.sendRequest(METADATA, 12, (w) => writeMetadataRequest(w, {topics: [], allowAutoTopicCreation: false}, 12))
    await sock.waitClosed()
    // Unknown mechanism: UNSUPPORTED_SASL_MECHANISM with the enabled list, then closed.
    sock = await RawKafkaSocket.connect(ports.sasl)
    assert.deepEqual(await handshake(sock, 'GSSAPI'), [33, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']])
    await sock.waitClosed()
    // SCRAM client-first without a nonce; a client-final with a wrong proof; a client-final with another nonce.
    for (const second of [null, 'wrong-proof', 'other-nonce'] as const) {
      sock = await RawKafkaSocket.connect(ports.sasl)
      assert.deepEqual(await handshake(sock, 'SCRAM-SHA-256'), [0, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']])
      if (second === null) {
        const res = await authenticate(sock, 'n,,n=alice')
        assert.equal(res.errorCode, 58)
      } else {
        const first = await authenticate(sock, 'n,,n=alice,r=abcdefgh')
        assert.equal(first.errorCode, 0)
        const nonce = /^r=([^,]+)/.exec(first.authBytes.toString())![1]
        const res = await authenticate(sock, `c=biws,r=${second === 'other-nonce' ? 'abcdefghXXXX' : nonce},p=${Buffer.alloc(32).toString('base64')}`)
        assert.equal(res.errorCode, 58)
        assert.match(res.errorMessage ?? '', /^Authentication failed/)
      }
      await sock.waitClosed()
    }
    // A frame above sasl.server.max.receive.size (512 KiB) before authentication.
    sock = await RawKafkaSocket.connect(ports.sasl)
    const size = Buffer.alloc(4)
    size.writeInt32BE(600_000)
    sock.write(Buffer.concat([size, Buffer.alloc(1000)]))
    await sock.waitClosed()
    // Plaintext Kafka bytes to the TLS listener: no response, closed.
    sock = await RawKafkaSocket.connect(ports.ssl)
    sock.sendRequest(18, 0, () => undefined)
    await sock.waitClosed()
    // The broker still serves others.
    sock = await RawKafkaSocket.connect(ports.sasl)
    await handshake(sock, 'PLAIN')
    assert.equal((await authenticate(sock, '\0alice\0alice-secret')).errorCode, 0)
    assert.equal(await metadataBrokers(sock), 1)
    sock.destroy()
  })

  it('connections.max.reauth.ms (KIP-368): the session lifetime is returned, re-authentication extends it, an expired session is closed', async function () {
    const login = async (sock: RawKafkaSocket): Promise<number> => {
      assert.equal((await handshake(sock, 'PLAIN'))[0], 0)
      const res = await authenticate(sock, '\0alice\0alice-secret')
      assert.equal(res.errorCode, 0)
      return res.sessionLifetimeMs
    }
    const expired = await RawKafkaSocket.connect(ports.reauth)
    const renewed = await RawKafkaSocket.connect(ports.reauth)
    assert.equal(await login(expired), REAUTH_MS)
    assert.equal(await login(renewed), REAUTH_MS)
    assert.equal(await metadataBrokers(expired), 1)
    const expiry = Date.now() + REAUTH_MS + 200
    await waitFor(() => Date.now() > expiry, {timeoutMs: 10_000, intervalMs: 50, message: 'the session lifetime to pass'})
    assert.equal(await login(renewed), REAUTH_MS, 're-authentication on the same connection')
    assert.equal(await metadataBrokers(renewed), 1)
    expired.sendRequest(METADATA, 12, (w) => writeMetadataRequest(w, {topics: [], allowAutoTopicCreation: false}, 12))
    await expired.waitClosed()
    renewed.destroy()
  })

  it('ssl.client.auth=required: a client without a certificate is refused, one with a certificate signed by the truststore CA is served', async function () {
    if (!fs.existsSync(KCAT)) this.skip()
    const without = await runProcess(KCAT, ['-b', at(ports.mtls), ...kcatSecurity(certs, 'SSL'), '-L', '-m', '1'], {timeoutMs: 30_000})
    assert.notEqual(without.code, 0)
    const withCert = await runProcess(KCAT, ['-b', at(ports.mtls), ...kcatSecurity(certs, 'SSL'), '-X', `ssl.certificate.location=${certs.clientCert}`,
      '-X', `ssl.key.location=${certs.clientKey}`, '-L', '-m', '10'], {timeoutMs: 30_000})
    assert.equal(withCert.code, 0, withCert.stderr)
  })

  it('SaslHandshake v0: the tokens follow as raw size-prefixed frames (PLAIN), then requests are served', async function () {
    const sock = await RawKafkaSocket.connect(ports.sasl)
    const id = sock.sendRequest(SASL_HANDSHAKE, 0, (w) => writeSaslHandshakeRequest(w, {mechanism: 'PLAIN'}, 0))
    assert.equal(readSaslHandshakeResponse(await sock.readResponse(id, SASL_HANDSHAKE, 0), 0).errorCode, 0)
    const token = Buffer.from('\0alice\0alice-secret')
    const size = Buffer.alloc(4)
    size.writeInt32BE(token.length)
    sock.write(Buffer.concat([size, token]))
    assert.equal((await sock.nextFrame()).length, 0, 'an empty raw server token')
    assert.equal(await metadataBrokers(sock), 1)
    sock.destroy()
    const bad = await RawKafkaSocket.connect(ports.sasl)
    const id2 = bad.sendRequest(SASL_HANDSHAKE, 0, (w) => writeSaslHandshakeRequest(w, {mechanism: 'PLAIN'}, 0))
    await bad.readResponse(id2, SASL_HANDSHAKE, 0)
    const badToken = Buffer.from('\0alice\0wrong')
    size.writeInt32BE(badToken.length)
    bad.write(Buffer.concat([size, badToken]))
    await bad.waitClosed()
  })
})
