import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {resolveConsumerOptions, type RawConsumerFlags} from '../../../src/cli/console/consumer-options.js'
import {expandCompressionCodec, resolveProducerOptions} from '../../../src/cli/console/producer-options.js'
import {resolveBootstrapServer} from '../../../src/cli/flags.js'

const B = {'bootstrap-server': 'localhost:9092'}
const consumerErr = (raw: RawConsumerFlags): string => {
  try {
    resolveConsumerOptions(raw)
  } catch (e) {
    return (e as Error).message
  }
  assert.fail('expected an error')
}

describe('kts console-consumer options', () => {
  it('rejects Kafka\'s combinations with Kafka\'s messages', () => {
    assert.equal(consumerErr({...B, topic: 't', include: 'x'}), 'Exactly one of --include/--topic is required. ')
    assert.equal(consumerErr({...B, include: 'x', partition: '0'}), 'The topic is required when partition is specified.')
    assert.equal(consumerErr({...B, topic: 't', offset: '3'}), 'The partition is required when offset is specified.')
    for (const bad of ['-1', 'abc']) {
      assert.equal(consumerErr({...B, topic: 't', partition: '0', offset: bad}),
        `The provided offset value '${bad}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`)
    }
    assert.equal(consumerErr({...B, topic: 't', partition: '0', group: 'g'}), 'Options group and partition cannot be specified together.')
    assert.equal(consumerErr({...B, topic: 't', group: 'a', 'consumer-property': ['group.id=b']}),
      'The group ids provided in different places (directly using \'--group\', via \'--consumer-property\', or via \'--consumer.config\') do not match. Detected group ids: \'a\', \'b\'')
    assert.equal(consumerErr({...B, topic: 't', 'from-beginning': true, 'consumer-property': ['auto.offset.reset=latest']}),
      'Can\'t simultaneously specify --from-beginning and \'auto.offset.reset=latest\', please remove one option')
  })

  it('kts defaults: bootstrap server, topic from the cluster, --offset over --from-beginning', () => {
    assert.equal(resolveConsumerOptions({topic: 't'}).bootstrapServer, resolveBootstrapServer(undefined))
    const none = resolveConsumerOptions({...B})
    assert.equal(none.topicFromCluster, true)
    assert.equal(none.topic, undefined)
    assert.equal(resolveConsumerOptions({...B, topic: 't'}).topicFromCluster, false)
    assert.equal(resolveConsumerOptions({...B, include: 'x'}).topicFromCluster, false)
    const headline = resolveConsumerOptions({...B, 'from-beginning': true, partition: '0', offset: '4'})
    assert.equal(headline.topicFromCluster, true)
    assert.equal(headline.partition, 0)
    assert.equal(headline.start, 4)
    assert.deepEqual(headline.warnings, ['--from-beginning is ignored: --offset 4 is given.'])
    assert.equal(resolveConsumerOptions({...B, topic: 't', partition: '0', 'from-beginning': true, offset: 'latest'}).start, 'latest')
    assert.deepEqual(resolveConsumerOptions({...B, topic: 't', 'from-beginning': true}).warnings, [])
  })

  it('derives the start position and group', () => {
    assert.equal(resolveConsumerOptions({...B, topic: 't'}).start, 'latest')
    assert.equal(resolveConsumerOptions({...B, topic: 't', 'from-beginning': true}).start, 'earliest')
    assert.equal(resolveConsumerOptions({...B, topic: 't', partition: '2', offset: 'EARLIEST'}).start, 'earliest')
    assert.equal(resolveConsumerOptions({...B, topic: 't', partition: '2', offset: '42'}).start, 42)
    assert.equal(resolveConsumerOptions({...B, topic: 't'}).groupId, undefined)
    assert.equal(resolveConsumerOptions({...B, topic: 't', 'consumer-property': ['group.id=g']}).groupId, 'g')
    const inc = resolveConsumerOptions({...B, include: 'a.*|b'}).include!
    assert.ok(inc.test('abc') && inc.test('b') && !inc.test('xb'))
    assert.equal(resolveConsumerOptions({...B, topic: 't', 'isolation-level': 'read_committed'}).isolationLevel, 1)
  })
})

describe('kts console-producer options', () => {
  let tmp: string
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-producer-opts-'))))
  afterEach(() => fs.rmSync(tmp, {recursive: true, force: true}))

  it('requires a topic; the bootstrap server defaults; --broker-list is an alias', () => {
    assert.equal(resolveProducerOptions({topic: 't'}).bootstrapServer, resolveBootstrapServer(undefined))
    assert.throws(() => resolveProducerOptions({...B}), /Missing required option\(s\) \[topic\]/)
    assert.equal(resolveProducerOptions({'broker-list': 'h:1', topic: 't'}).bootstrapServer, 'h:1')
    assert.equal(resolveProducerOptions({'bootstrap-server': 'h:2', 'broker-list': 'h:1', topic: 't'}).bootstrapServer, 'h:2')
  })

  it('uses Kafka\'s defaults and lets an explicit option beat the properties', () => {
    const d = resolveProducerOptions({...B, topic: 't'})
    assert.deepEqual([d.acks, d.compression, d.batchSize, d.lingerMs, d.retries, d.requestTimeoutMs, d.sync], [-1, 'none', 16384, 1000, 3, 1500, false])
    assert.equal(d.properties['client.id'], 'console-producer')
    const file = path.join(tmp, 'p.properties')
    fs.writeFileSync(file, 'linger.ms=5\nacks=1\nbatch.size=100\n')
    const f = resolveProducerOptions({...B, topic: 't', 'producer.config': file, 'producer-property': ['batch.size=200'], timeout: '7'})
    assert.deepEqual([f.lingerMs, f.acks, f.batchSize], [7, 1, 200])
    assert.throws(() => resolveProducerOptions({...B, topic: 't', 'request-required-acks': '2'}), /Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1/)
    assert.throws(() => resolveProducerOptions({...B, topic: 't', 'compression-codec': 'brotli'}), /Invalid value brotli for configuration compression.type/)
  })

  it('a bare --compression-codec means gzip', () => {
    assert.deepEqual(expandCompressionCodec(['--compression-codec']), ['--compression-codec', 'gzip'])
    assert.deepEqual(expandCompressionCodec(['--compression-codec', '--sync']), ['--compression-codec', 'gzip', '--sync'])
    assert.deepEqual(expandCompressionCodec(['--compression-codec', 'lz4']), ['--compression-codec', 'lz4'])
  })

  it('checks reader properties', () => {
    assert.throws(() => resolveProducerOptions({...B, topic: 't', property: ['parse.headers=true', 'headers.delimiter=,']}),
      /headers.delimiter and headers.separator may not be equal/)
    assert.throws(() => resolveProducerOptions({...B, topic: 't', property: ['null.marker=\t']}), /null.marker and key.separator may not be equal/)
  })
})
