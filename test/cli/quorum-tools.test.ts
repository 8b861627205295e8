/**
 * `kts metadata-quorum`, `kts cluster cluster-id|unregister` and `kts features describe` against a
 * real single-node kts (combined broker+controller), through its broker listener and, with
 * `--bootstrap-controller` (KIP-919), its controller listener. Also: kafkajs and kcat see the
 * controller id.
 */
import assert from 'node:assert/strict'
import {Kafka, logLevel} from 'kafkajs'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runCli} from '../helpers/run-cli.js'
import {runProcess} from '../helpers/run-process.js'
import {printBrokerOutputOnFailure} from '../interop/interop-check.js'

/** `Label:` padded to 24 chars, then the value: Kafka's `describe --status` lines. */
function statusFields(stdout: string): Map<string, string> {
  const lines = stdout.split('\n')
  assert.equal(lines.pop(), '')
  assert.deepEqual(lines.map(l => l.slice(0, 24).trimEnd()), [
    'ClusterId:', 'LeaderId:', 'LeaderEpoch:', 'HighWatermark:', 'MaxFollowerLag:', 'MaxFollowerLagTimeMs:', 'CurrentVoters:', 'CurrentObservers:',
  ])
  return new Map(lines.map(l => [l.slice(0, 24).trim().replace(/:$/, ''), l.slice(24)]))
}

describe('kts metadata-quorum / cluster / features (real single node)', function () {
  this.timeout(90_000)
  let broker: BrokerHandle
  let controller: string

  before(async () => {
    broker = await startBroker()
    controller = `127.0.0.1:${broker.controllerPort}`
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('describe --status via a broker and via --bootstrap-controller prints Kafka\'s layout with real values', async () => {
    const [viaBroker, viaController] = await Promise.all([
      runCli(['metadata-quorum', '--bootstrap-server', broker.bootstrap, 'describe', '--status']),
      runCli(['metadata-quorum', '--bootstrap-controller', controller, 'describe', '--status']),
    ])
    for (const r of [viaBroker, viaController]) {
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stderr, '')
      const f = statusFields(r.stdout)
      assert.equal(f.get('ClusterId'), broker.clusterId)
      assert.equal(f.get('LeaderId'), '1')
      assert.ok(Number(f.get('LeaderEpoch')) >= 1, r.stdout)
      assert.ok(Number(f.get('HighWatermark')) > 0, r.stdout)
      assert.equal(f.get('MaxFollowerLag'), '0')
      assert.equal(f.get('MaxFollowerLagTimeMs'), '0')
      assert.equal(f.get('CurrentVoters'), `[{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://127.0.0.1:${broker.controllerPort}"]}]`)
      assert.equal(f.get('CurrentObservers'), '[]')
    }
  })

  it('describe --replication prints the TAB-separated padded table; --human-readable the "ms ago" form', async () => {
    const started = Date.now()
    const [plain, human] = await Promise.all([
      runCli(['metadata-quorum', '--bootstrap-server', broker.bootstrap, 'describe', '--replication']),
      runCli(['metadata-quorum', 'describe', '--bootstrap-controller', controller, '--replication', '--human-readable']),
    ])
    assert.equal(plain.code, 0, plain.stderr)
    const [header, row, end] = plain.stdout.split('\n')
    assert.equal(header, 'NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus\t')
    assert.equal(end, '')
    const cells = row.split('\t')
    assert.equal(cells.length, 8)
    assert.equal(cells.pop(), '')
    const [nodeId, dirId, leo, lag, lastFetch, lastCaughtUp, status] = cells
    assert.equal(nodeId, '1     ')
    assert.equal(dirId, 'AAAAAAAAAAAAAAAAAAAAAA')
    assert.ok(Number(leo) > 0 && leo.length === 'LogEndOffset'.length, leo)
    assert.equal(lag, '0  ')
    for (const ts of [lastFetch, lastCaughtUp]) assert.ok(Number(ts) >= started && Number(ts) <= Date.now(), ts)
    assert.equal(status, 'Leader')

    assert.equal(human.code, 0, human.stderr)
    const humanRow = human.stdout.split('\n')[1].split('\t')
    assert.match(humanRow[4], /^\d+ ms ago +$/)
    assert.match(humanRow[5], /^\d+ ms ago +$/)
    assert.equal(humanRow[6], 'Leader')
  })

  it('cluster cluster-id prints the formatted cluster id via -b and -C; features describe lists metadata.version', async () => {
    const [viaBroker, viaController, features] = await Promise.all([
      runCli(['cluster', 'cluster-id', '-b', broker.bootstrap]),
      runCli(['cluster', 'cluster-id', '--bootstrap-controller', controller]),
      runCli(['features', '--bootstrap-server', broker.bootstrap, 'describe']),
    ])
    for (const r of [viaBroker, viaController]) {
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `Cluster ID: ${broker.clusterId}\n`)
    }
    assert.equal(features.code, 0, features.stderr)
    assert.match(features.stdout, /^Feature: kraft\.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: 0\tEpoch: [1-9]\d*\nFeature: metadata\.version\tSupportedMinVersion: 3\.3-IV0\tSupportedMaxVersion: 3\.9-IV0\tFinalizedVersionLevel: 3\.9-IV0\tEpoch: [1-9]\d*\n$/)
  })

  it('cluster unregister of a broker that is not registered fails as Kafka does', async () => {
    const r = await runCli(['cluster', 'unregister', '--bootstrap-server', broker.bootstrap, '--id', '42'])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, 'org.apache.kafka.common.errors.BrokerIdNotRegisteredException: The given broker ID was not registered.\n')
  })

  it('kafkajs describeCluster and kcat -L see broker 1 as the controller', async function () {
    const admin = new Kafka({clientId: 'quorum-tools-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING}).admin()
    await admin.connect()
    try {
      const cluster = await admin.describeCluster()
      assert.equal(cluster.controller, 1)
      assert.deepEqual(cluster.brokers.map(b => b.nodeId), [1])
      assert.equal(cluster.clusterId, broker.clusterId)
    } finally {
      await admin.disconnect()
    }
    let kcat
    try {
      kcat = await runProcess('kcat', ['-L', '-b', broker.bootstrap, '-m', '10'], {timeoutMs: 20_000})
    } catch {
      return // kcat not installed (.ci/run installs it)
    }
    assert.equal(kcat.code, 0, kcat.stderr)
    assert.match(kcat.stdout, new RegExp(`broker 1 at 127\\.0\\.0\\.1:${broker.port} \\(controller\\)`))
  })

  it('cluster unregister of the live broker removes it (Kafka does not refuse); the quorum stays', async () => {
    const r = await runCli(['cluster', 'unregister', '-b', broker.bootstrap, '-i', '1'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Broker 1 is no longer registered.\n')
    const status = await runCli(['metadata-quorum', '--bootstrap-controller', controller, 'describe', '--status'])
    assert.equal(status.code, 0, status.stderr)
    assert.equal(statusFields(status.stdout).get('LeaderId'), '1')
    const again = await runCli(['cluster', 'unregister', '-C', controller, '-i', '1'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /BrokerIdNotRegisteredException/)
  })
})
