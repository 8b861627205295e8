import assert from 'node:assert/strict'
import {checkUnsupportedConfigs} from '../../../../src/server/config/unsupported-configs.js'
import {allListenerSecurity} from '../../../../src/server/security/listener-security.js'
import {interNodeSecurity} from '../../../../src/server/security/inter-node-security.js'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {repoRoot} from '../../../helpers/run-cli.js'
import {
  buildServerConfig, ConfigError, loadServerConfig, logConfigFromServer, parseOverrides, topicLogConfigFromServer,
  TOPIC_CONFIG_DEFS, validateTopicConfig,
} from '../../../../src/server/config/server-config.js'
import {BROKER_CONFIG_DEFS} from '../../../../src/server/config/broker-config-defs.js'

const KRAFT = {
  'process.roles': 'broker,controller',
  'node.id': '1',
  'controller.quorum.voters': '1@localhost:9093',
  'listeners': 'PLAINTEXT://:9092,CONTROLLER://:9093',
  'controller.listener.names': 'CONTROLLER',
}

const root = repoRoot()

function configError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`)
    assert.ok(!err.message.includes('\n'), 'one line')
    return err.message
  }
  assert.fail('expected a ConfigError')
}

describe('server-config', () => {
  it('applies Kafka defaults', () => {
    const c = buildServerConfig(KRAFT)
    assert.deepEqual(c.processRoles, ['broker', 'controller'])
    assert.equal(c.nodeId, 1)
    assert.equal(c.numPartitions, 1)
    assert.equal(c.defaultReplicationFactor, 1)
    assert.equal(c.minInsyncReplicas, 1)
    assert.equal(c.autoCreateTopicsEnable, true)
    assert.equal(c.deleteTopicEnable, true)
    assert.equal(c.logSegmentBytes, 1073741824)
    assert.equal(c.logRetentionMs, 168 * 3600000)
    assert.equal(c.logRollMs, 168 * 3600000)
    assert.equal(c.logRetentionBytes, -1)
    assert.equal(c.messageMaxBytes, 1048588)
    assert.equal(c.socketRequestMaxBytes, 104857600)
    assert.equal(c.offsetsTopicNumPartitions, 50)
    assert.equal(c.offsetsTopicReplicationFactor, 3)
    assert.equal(c.offsetsRetentionMs, 10080 * 60000)
    assert.equal(c.groupInitialRebalanceDelayMs, 3000)
    assert.equal(c.groupMinSessionTimeoutMs, 6000)
    assert.equal(c.groupMaxSessionTimeoutMs, 1800000)
    assert.equal(c.transactionStateLogMinIsr, 2)
    assert.equal(c.logFlushIntervalMessages, null)
    assert.equal(c.logFlushIntervalMs, null)
    assert.equal(c.logMessageTimestampType, 'CreateTime')
    assert.equal(c.compressionType, 'producer')
    assert.equal(c.metadataMaxIdleIntervalMs, 500)
    assert.equal(c.brokerSessionTimeoutMs, 9000)
    assert.equal(c.unstableApiVersionsEnable, false)
    assert.deepEqual(c.logDirs, ['/tmp/kafka-logs'])
    assert.equal(c.metadataLogDir, '/tmp/kafka-logs')
    assert.equal(c.interBrokerListenerName, 'PLAINTEXT')
    assert.equal(c.get('num.io.threads'), 8)
    assert.deepEqual(c.unknownKeys, [])
  })

  it('parses listeners, advertised listeners and voters', () => {
    const c = buildServerConfig({...KRAFT, 'advertised.listeners': 'PLAINTEXT://kafka.example:19092', 'controller.quorum.voters': '1@localhost:9093,2@[::1]:9094'})
    assert.deepEqual(c.listeners, [
      {name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT'},
      {name: 'CONTROLLER', host: '', port: 9093, securityProtocol: 'PLAINTEXT'},
    ])
    assert.deepEqual(c.advertisedListeners, [{name: 'PLAINTEXT', host: 'kafka.example', port: 19092, securityProtocol: 'PLAINTEXT'}])
    assert.deepEqual(c.controllerAdvertisedListeners, [{name: 'CONTROLLER', host: 'localhost', port: 9093, securityProtocol: 'PLAINTEXT'}])
    assert.deepEqual(c.controllerQuorumVoters, [{id: 1, host: 'localhost', port: 9093}, {id: 2, host: '::1', port: 9094}])
  })

  it('advertises listeners with an empty host as localhost when advertised.listeners is unset', () => {
    const c = buildServerConfig(KRAFT)
    assert.deepEqual(c.advertisedListeners, [{name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT'}])
  })

  it('log.retention.ms beats minutes beats hours; log.roll.ms beats hours', () => {
    assert.equal(buildServerConfig({...KRAFT, 'log.retention.hours': '1'}).logRetentionMs, 3600000)
    assert.equal(buildServerConfig({...KRAFT, 'log.retention.hours': '1', 'log.retention.minutes': '2'}).logRetentionMs, 120000)
    assert.equal(buildServerConfig({...KRAFT, 'log.retention.minutes': '2', 'log.retention.ms': '-1'}).logRetentionMs, -1)
    assert.equal(buildServerConfig({...KRAFT, 'log.roll.hours': '2', 'log.roll.ms': '5000'}).logRollMs, 5000)
  })

  it('log.dirs beats log.dir; metadata.log.dir defaults to the first log dir', () => {
    const c = buildServerConfig({...KRAFT, 'log.dir': '/x', 'log.dirs': '/a, /b'})
    assert.deepEqual(c.logDirs, ['/a', '/b'])
    assert.equal(c.metadataLogDir, '/a')
    assert.equal(buildServerConfig({...KRAFT, 'log.dirs': '/a', 'metadata.log.dir': '/m'}).metadataLogDir, '/m')
  })

  it('collects unknown keys and accepts known families', () => {
    const c = buildServerConfig({...KRAFT, 'foo.bar': '1', 'num.network.threads': '3', 'ssl.keystore.location': '/k', 'listener.name.plaintext.x': 'y'})
    assert.deepEqual(c.unknownKeys, ['foo.bar'])
  })

  it('rejects bad values with one line naming key and value', () => {
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'num.partitions': 'abc'})), 'Invalid value abc for configuration num.partitions: Not a number of type INT')
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'num.partitions': '0'})), 'Invalid value 0 for configuration num.partitions: Value must be at least 1')
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'num.partitions': '99999999999'})), 'Invalid value 99999999999 for configuration num.partitions: Not a number of type INT')
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'log.retention.bytes': '1.5'})), 'Invalid value 1.5 for configuration log.retention.bytes: Not a number of type LONG')
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'auto.create.topics.enable': 'yes'})), 'Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false')
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'log.message.timestamp.type': 'Foo'})), 'Invalid value Foo for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime')
    assert.equal(configError(() => buildServerConfig({...KRAFT, 'process.roles': 'broker,zookeeper'})), 'Invalid value broker,zookeeper for configuration process.roles: String must be one of: broker, controller')
  })

  it('accepts SSL/SASL listeners with their protocol from listener.security.protocol.map', () => {
    const c = buildServerConfig({...KRAFT, listeners: 'SSL://:9092,CONTROLLER://:9093', 'inter.broker.listener.name': 'SSL'})
    assert.equal(c.listeners[0].securityProtocol, 'SSL')
  })

  it('rejects malformed listeners and voters, unknown listener names', () => {
    assert.match(configError(() => buildServerConfig({...KRAFT, listeners: 'PLAINTEXT:9092'})), /^Invalid value PLAINTEXT:9092 for configuration listeners: /)
    assert.match(configError(() => buildServerConfig({...KRAFT, listeners: 'FOO://:9092,CONTROLLER://:9093'})), /No security protocol defined for listener FOO/)
    assert.match(configError(() => buildServerConfig({...KRAFT, 'controller.quorum.voters': 'localhost:9093'})), /^Invalid value localhost:9093 for configuration controller.quorum.voters: /)
  })

  it('checks KRaft combinations', () => {
    const {'node.id': _n, ...noNode} = KRAFT
    assert.match(configError(() => buildServerConfig(noNode)), /node\.id/)
    const {'controller.quorum.voters': _v, ...noVoters} = KRAFT
    assert.match(configError(() => buildServerConfig(noVoters)), /controller\.quorum\.voters/)
    assert.match(configError(() => buildServerConfig({...KRAFT, 'controller.listener.names': 'OTHER', 'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT'})), /controller\.listener\.names/)
    assert.match(configError(() => buildServerConfig({...KRAFT, 'inter.broker.listener.name': 'NOPE'})), /inter\.broker\.listener\.name/)
  })

  it('does not apply KRaft checks when process.roles is empty (legacy config)', () => {
    const c = buildServerConfig({'zookeeper.connect': 'localhost:2181'})
    assert.deepEqual(c.processRoles, [])
  })

  it('loads a file and applies --override values over it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-config-'))
    try {
      const file = path.join(dir, 's.properties')
      fs.writeFileSync(file, Object.entries(KRAFT).map(([k, v]) => `${k}=${v}`).join('\n') + '\n# comment\nnum.partitions=3\n')
      assert.equal(loadServerConfig(file).numPartitions, 3)
      const c = loadServerConfig(file, ['num.partitions=7', 'log.dirs=/a=b'])
      assert.equal(c.numPartitions, 7)
      assert.deepEqual(c.logDirs, ['/a=b'])
      assert.match(configError(() => loadServerConfig(path.join(dir, 'missing'))), /No such file/)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('parses overrides at the first =', () => {
    assert.deepEqual(parseOverrides(['a=b=c', 'x=']), {a: 'b=c', x: ''})
    assert.match(configError(() => parseOverrides(['novalue'])), /novalue/)
  })

  it('loads the shipped config/kraft/*.properties files', () => {
    const s = loadServerConfig(path.join(root, 'config/kraft/server.properties'))
    assert.deepEqual(s.logDirs, ['/tmp/kraft-combined-logs'])
    assert.deepEqual(s.advertisedListeners.map((e) => `${e.name}://${e.host}:${e.port}`), ['PLAINTEXT://localhost:9092'])
    assert.deepEqual(s.unknownKeys, [])
    assert.deepEqual(loadServerConfig(path.join(root, 'config/kraft/broker.properties')).processRoles, ['broker'])
    assert.deepEqual(loadServerConfig(path.join(root, 'config/kraft/controller.properties')).processRoles, ['controller'])
    const sasl = loadServerConfig(path.join(root, 'config/kraft/server-sasl.properties'))
    assert.deepEqual(sasl.unknownKeys, [])
    assert.deepEqual(checkUnsupportedConfigs(sasl.originals), [])
    assert.deepEqual(allListenerSecurity(sasl).get('SASL_PLAINTEXT')?.sasl?.enabledMechanisms, ['SCRAM-SHA-512'])
    assert.deepEqual(interNodeSecurity(sasl).controller.sasl, {mechanism: 'SCRAM-SHA-512', username: 'admin', password: 'admin-secret'})
  })

  it('gives broker-level topic config defaults with their synonyms', () => {
    const c = buildServerConfig({...KRAFT, 'log.segment.bytes': '1073741824', 'log.retention.hours': '1'})
    const t = topicLogConfigFromServer(c)
    assert.deepEqual(t['segment.bytes'], {value: '1073741824', source: 'STATIC_BROKER_CONFIG', synonym: 'log.segment.bytes', setSynonyms: [{name: 'log.segment.bytes', value: '1073741824'}]})
    assert.equal(t['retention.ms'].value, '3600000')
    assert.equal(t['retention.ms'].synonym, 'log.retention.hours')
    assert.deepEqual(t['cleanup.policy'], {value: 'delete', source: 'DEFAULT_CONFIG', synonym: null, setSynonyms: []})
    assert.equal(t['flush.messages'].value, '9223372036854775807')
    assert.equal(Object.keys(t).length, TOPIC_CONFIG_DEFS.size)
    const lc = logConfigFromServer(c)
    assert.equal(lc.retentionMs, 3600000)
    assert.equal(lc.segmentBytes, 1073741824)
    assert.equal(lc.flushMessages, undefined)
  })

  it('accepts the interop harness config (loopback listeners, controller advertised from listeners)', () => {
    const c = buildServerConfig({
      'process.roles': 'broker,controller', 'node.id': '1', 'controller.quorum.voters': '1@127.0.0.1:40001',
      listeners: 'PLAINTEXT://127.0.0.1:40000,CONTROLLER://127.0.0.1:40001', 'advertised.listeners': 'PLAINTEXT://127.0.0.1:40000',
      'controller.listener.names': 'CONTROLLER', 'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': '/tmp/x/logs', 'offsets.topic.replication.factor': '1', 'group.initial.rebalance.delay.ms': '0',
    })
    assert.deepEqual(c.advertisedListeners, [{name: 'PLAINTEXT', host: '127.0.0.1', port: 40000, securityProtocol: 'PLAINTEXT'}])
    assert.deepEqual(c.controllerAdvertisedListeners, [{name: 'CONTROLLER', host: '127.0.0.1', port: 40001, securityProtocol: 'PLAINTEXT'}])
    assert.equal(c.offsetsTopicReplicationFactor, 1)
    assert.equal(c.groupInitialRebalanceDelayMs, 0)
  })

  it('every broker synonym of a topic config is a known broker key', () => {
    for (const def of TOPIC_CONFIG_DEFS.values()) for (const syn of def.synonyms) assert.ok(BROKER_CONFIG_DEFS.has(syn.name), syn.name)
  })

  it('validates topic configs', () => {
    assert.equal(validateTopicConfig('retention.ms', ' 1000 '), '1000')
    assert.equal(validateTopicConfig('cleanup.policy', 'compact, delete'), 'compact,delete')
    assert.equal(configError(() => validateTopicConfig('foo', '1')), 'Unknown topic config name: foo')
    assert.equal(configError(() => validateTopicConfig('segment.bytes', 'x')), 'Invalid value x for configuration segment.bytes: Not a number of type INT')
    assert.equal(configError(() => validateTopicConfig('cleanup.policy', 'nope')), 'Invalid value nope for configuration cleanup.policy: String must be one of: compact, delete')
  })
})
