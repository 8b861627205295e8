/**
 * `kts configs` (kafka-configs.sh, real binary): usage errors without a server; describe / alter /
 * delete round trips of topic and broker configs against our broker with Kafka's output, the
 * broker's errors as ConfigCommand prints them, and the values after a restart.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runCli} from '../helpers/run-cli.js'

describe('kts configs usage errors (real binary, no server)', function () {
  this.timeout(30_000)

  it('exits 1 with Kafka\'s one-line messages', async () => {
    const cases: [string[], string][] = [
      [['--topic', 't'], 'Command must include exactly one action: --describe, --alter'],
      [['--describe', '--entity-type', 'foo'], 'Invalid entity type foo, the entity type must be one of topics, clients, users, brokers, ips, broker-loggers, client-metrics, groups with a --bootstrap-server or --bootstrap-controller argument'],
      [['--describe'], 'At least one entity type must be specified'],
      [['--alter', '--entity-type', 'topics', '--add-config', 'a=b'], 'An entity name must be specified with --alter of topics'],
      [['--alter', '--topic', 't'], 'At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter'],
      [['--alter', '--entity-type', 'brokers', '--add-config', 'a=b'], 'an entity-name or default entity must be specified with --alter of users, clients, brokers or ips'],
      [['--describe', '--broker', 'x'], 'The entity name for brokers must be a valid integer broker id, but it is: x'],
      [['--describe', '--entity-type', 'topics', '--topic', 't'], '--entity-{type,name,default} should not be used in conjunction with specific entity flags'],
      [['--alter', '--topic', 't', '--add-config', 'a'], 'requirement failed: Invalid entity config: all configs to be added must be in the format "key=val" or "key=[val1,val2]".'],
    ]
    for (const [args, message] of cases) {
      const r = await runCli(['configs', '--bootstrap-server', 'localhost:1', ...args])
      assert.equal(r.code, 1, args.join(' '))
      assert.equal(r.stderr, message + '\n', args.join(' '))
      assert.equal(r.stdout, '')
    }
  })
})

describe('kts configs against our broker (real binary)', function () {
  this.timeout(90_000)
  let b: BrokerHandle
  const configs = (...args: string[]) => runCli(['configs', '--bootstrap-server', b.bootstrap, ...args])

  before(async () => {
    b = await startBroker({overrides: {'log.retention.check.interval.ms': 1000}})
  })
  after(async () => {
    await b?.close()
  })

  it('topics: alter, describe (dynamic and --all), delete, errors; brokers: --entity-default and per broker; all kept after a restart', async () => {
    const created = await runCli(['topics', '--create', '--topic', 'orders', '--bootstrap-server', b.bootstrap])
    assert.equal(created.code, 0, created.stderr)

    let r = await configs('--entity-type', 'topics', '--entity-name', 'orders', '--alter', '--add-config', 'retention.ms=1000,cleanup.policy=[compact,delete]')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Completed updating config for topic orders.\n')
    const file = path.join(b.dir, 'add.properties')
    fs.writeFileSync(file, 'segment.bytes=1048576\n')
    r = await configs('--topic', 'orders', '--alter', '--add-config-file', file)
    assert.equal(r.code, 0, r.stderr)

    r = await configs('--topic', 'orders', '--describe')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, [
      'Dynamic configs for topic orders are:',
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete, DEFAULT_CONFIG:log.cleanup.policy=delete}',
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}',
      '  segment.bytes=1048576 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:segment.bytes=1048576, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
      '',
    ].join('\n'))

    r = await configs('--topic', 'orders', '--describe', '--all')
    assert.equal(r.code, 0, r.stderr)
    const all = r.stdout.split('\n')
    assert.equal(all[0], 'All configs for topic orders are:')
    assert.ok(all.includes('  compression.type=producer sensitive=false synonyms={DEFAULT_CONFIG:compression.type=producer}'), r.stdout)
    assert.ok(all.includes('  segment.ms=604800000 sensitive=false synonyms={}'), 'log.roll.hours only: no log.roll.ms synonym (Kafka)')

    r = await configs('--topic', 'orders', '--alter', '--delete-config', 'segment.bytes,segment.ms')
    assert.equal(r.code, 1)
    assert.equal(r.stderr, 'Invalid config(s): segment.ms\n')
    r = await configs('--topic', 'orders', '--alter', '--delete-config', 'segment.bytes')
    assert.equal(r.code, 0, r.stderr)
    r = await configs('--topic', 'orders', '--alter', '--add-config', 'retention.ms=abc')
    assert.equal(r.code, 1)
    assert.equal(r.stderr, `Error while executing config command with args '--bootstrap-server ${b.bootstrap} --topic orders --alter --add-config retention.ms=abc'\n` +
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: Invalid value abc for configuration retention.ms: Not a number of type LONG\n')

    r = await configs('--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'log.retention.ms=3600000')
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'Completed updating default config for brokers in the cluster.\n')
    r = await configs('--broker', '1', '--alter', '--add-config', 'log.dirs=/x')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /\njava\.util\.concurrent\.ExecutionException: org\.apache\.kafka\.common\.errors\.InvalidRequestException: Cannot update these configs dynamically: Set\(log\.dirs\)\n$/)
    r = await configs('--broker', '1', '--alter', '--add-config', 'log.segment.bytes=2097152')
    assert.equal(r.code, 0, r.stderr)

    const expectBrokers = [
      'Dynamic configs for broker 1 are:',
      '  log.segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.segment.bytes=2097152, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
      'Default configs for brokers in the cluster are:',
      '  log.retention.ms=3600000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000}',
      '',
    ].join('\n')
    const expectTopic = [
      'All configs for topic orders are:',
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000, DEFAULT_CONFIG:log.retention.hours=168}',
      '  segment.bytes=2097152 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.segment.bytes=2097152, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
    ]
    const check = async (): Promise<void> => {
      const brokers = await configs('--entity-type', 'brokers', '--describe')
      assert.equal(brokers.code, 0, brokers.stderr)
      assert.equal(brokers.stdout, expectBrokers)
      const topic = await configs('--topic', 'orders', '--describe', '--all')
      const lines = topic.stdout.split('\n')
      assert.equal(lines[0], expectTopic[0])
      for (const l of expectTopic.slice(1)) assert.ok(lines.includes(l), `${l}\nin\n${topic.stdout}`)
    }
    await check()
    await b.restart()
    await check()
  })
})
