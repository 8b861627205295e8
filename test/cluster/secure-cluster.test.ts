// A 3-node KRaft cluster (combined broker+controller processes) whose broker (inter-broker) and
// controller listeners are all SASL_PLAINTEXT with SCRAM-SHA-512: Raft between the controllers,
// broker registration/heartbeats and replica fetching authenticate with the `admin` credential from
// `storage format --add-scram`. A topic with replication factor 3 gets a full ISR, records produced
// with acks=all (kcat, SCRAM) are read back, and the kts tools work with --command-config. An
// anonymous (PLAINTEXT) client is refused.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {startCluster, type ClusterHandle} from '../helpers/cluster-process.js'
import {runCli} from '../helpers/run-cli.js'
import {runProcess} from '../helpers/run-process.js'
import {waitFor} from '../helpers/wait-for.js'

const KCAT = '/usr/bin/kcat'
const JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="admin-secret";'

describe('secured cluster: 3 combined nodes, SASL_PLAINTEXT SCRAM-SHA-512 on the broker and controller listeners', function () {
  this.timeout(120_000)
  let cluster: ClusterHandle | undefined
  let clientConfig = ''

  before(async function () {
    if (process.env.KTS_TEST_BOOTSTRAP) this.skip()
    cluster = await startCluster({
      controllers: 3,
      overrides: {
        'listener.security.protocol.map': 'CONTROLLER:SASL_PLAINTEXT,PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256',
        'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
        'sasl.mechanism.controller.protocol': 'SCRAM-SHA-512',
        'sasl.jaas.config': JAAS,
        'offsets.topic.replication.factor': 3,
      },
      formatArgs: ['--add-scram', 'SCRAM-SHA-512=[name=admin,password=admin-secret]', '--add-scram', 'SCRAM-SHA-256=[name=alice,password=alice-secret]'],
    })
    clientConfig = path.join(cluster.dir, 'client.properties')
    fs.writeFileSync(clientConfig, `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${JAAS}\n`)
  })
  after(async () => {
    if (cluster) {
      const out = cluster.output()
      await cluster.close()
      assert.ok(!out.includes('admin-secret') && !out.includes('alice-secret'), 'a secret appears in the nodes\' output')
    }
  })
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) process.stderr.write(`\n----- cluster output -----\n${cluster.output().slice(-20_000)}\n`)
  })

  it('replicates a topic with RF 3 (full ISR), produces with acks=all and reads back; the tools work with --command-config', async function () {
    const c = cluster!
    const kts = async (...args: string[]): Promise<string> => {
      const r = await runCli(args, {timeoutMs: 60_000})
      assert.equal(r.code, 0, `kts ${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    const bs = ['--bootstrap-server', c.bootstrap, '--command-config', clientConfig]
    assert.match(await kts('topics', ...bs, '--create', '--topic', 'secured', '--partitions', '2', '--replication-factor', '3'), /Created topic secured/)
    await waitFor(async () => {
      const lines = (await kts('topics', ...bs, '--describe', '--topic', 'secured')).split('\n').filter((l) => l.includes('Partition:'))
      return lines.length === 2 && lines.every((l) => /Isr: \d,\d,\d/.test(l))
    }, {timeoutMs: 30_000, message: 'a full ISR of 3 on both partitions'})
    if (fs.existsSync(KCAT)) {
      const sasl = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanism=SCRAM-SHA-256', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret']
      const values = Array.from({length: 20}, (_, i) => `v${i}`)
      const p = await runProcess(KCAT, ['-b', c.bootstrap, ...sasl, '-X', 'acks=all', '-P', '-t', 'secured', '-p', '0'], {input: values.join('\n') + '\n', timeoutMs: 30_000})
      assert.equal(p.code, 0, p.stderr)
      const r = await runProcess(KCAT, ['-b', c.bootstrap, ...sasl, '-C', '-t', 'secured', '-p', '0', '-o', 'beginning', '-e', '-q'], {timeoutMs: 30_000})
      assert.deepEqual(r.stdout.trim().split('\n'), values)
      const anonymous = await runProcess(KCAT, ['-b', c.bootstrap, '-L', '-m', '1'], {timeoutMs: 30_000})
      assert.notEqual(anonymous.code, 0, 'a PLAINTEXT client on a SASL listener is refused')
    }
    assert.match(await kts('metadata-quorum', ...bs, 'describe', '--status'), /CurrentVoters:\s+\[/)
  })
})
