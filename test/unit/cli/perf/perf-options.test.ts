import assert from 'node:assert/strict'
import {parseProducerProps, resolveProducerPerfOptions} from '../../../../src/cli/perf/producer-perf-options.js'
import {expandOptionalTimeout, resolveConsumerPerfOptions} from '../../../../src/cli/perf/consumer-perf-options.js'
import {rangeAssign} from '../../../../src/cli/groups/range-assignor.js'
import {decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription} from '../../../../src/cli/groups/consumer-protocol.js'
import {CompressionCodec} from '../../../../src/protocol/records/record-batch.js'

const base = {topic: 't', 'num-records': '10', 'record-size': '100', throughput: '-1', 'producer-props': ['bootstrap.servers=h:1']}

describe('perf tools: options', () => {
  it('producer: Kafka 4.0 defaults (acks=all with idempotence, batch.size 16384, linger.ms 5, client.id perf-producer-client)', () => {
    const o = resolveProducerPerfOptions(base)
    assert.deepEqual(o.payload, {kind: 'random', size: 100})
    assert.equal(o.throughput, -1)
    const p = o.producer
    assert.deepEqual([p.acks, p.idempotence, p.batchSize, p.lingerMs, p.bufferMemory, p.maxInFlight, p.compression, p.clientId],
      [-1, true, 16384, 5, 33554432, 5, CompressionCodec.None, 'perf-producer-client'])
  })

  it('producer: acks=1 turns idempotence off silently; props split as Kafka splits them', () => {
    const o = resolveProducerPerfOptions({...base, 'producer-props': ['bootstrap.servers=h:1', 'acks=1', 'compression.type=zstd', 'compression.zstd.level=7']})
    assert.deepEqual([o.producer.acks, o.producer.idempotence, o.producer.compression, o.producer.compressionLevel], [1, false, CompressionCodec.Zstd, 7])
    assert.deepEqual(parseProducerProps(['a=b', '=c']), {a: 'b', '': 'c'})
    assert.throws(() => parseProducerProps(['a=']), /^TerseError: Invalid property: a=$/)
    assert.throws(() => parseProducerProps(['a=b=c']), /Invalid property: a=b=c/)
  })

  it('producer: validation messages', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{...base, throughput: '1e3x'}, /argument --throughput: could not convert '1e3x' to Double/],
      [{...base, 'record-size': '0'}, /--record-size should be greater than zero/],
      [{...base, 'producer-props': ['bootstrap.servers=h:1', 'batch.size=abc']}, /Invalid value abc for configuration batch.size: Not a number of type INT/],
      [{...base, 'producer-props': ['bootstrap.servers=h:1', 'linger.ms=-1']}, /Invalid value -1 for configuration linger.ms: Value must be at least 0/],
      [{...base, 'producer-props': ['bootstrap.servers=h:1', 'compression.type=brotli']}, /String must be one of: none, gzip, snappy, lz4, zstd/],
      [{...base, 'producer-props': ['bootstrap.servers=h:1', 'max.in.flight.requests.per.connection=6', 'enable.idempotence=true']}, /at most 5 to use the idempotent producer/],
      [{...base, 'producer-props': ['bootstrap.servers=h:1', 'transactional.id=x']}, /transactions are not supported yet/],
      [{...base, 'transaction-duration-ms': '0'}, /--transaction-duration-ms should be greater than zero/],
      [{...base, 'producer-props': ['bootstrap.servers=nohost']}, /Invalid url in bootstrap.servers: nohost/],
      [{...base, 'producer-props': ['bootstrap.servers=h:1', 'security.protocol=SASL_SSL', 'sasl.mechanism=GSSAPI']}, /SASL mechanism GSSAPI is not supported by kts/],
    ]
    for (const [flags, re] of bad) assert.throws(() => resolveProducerPerfOptions(flags), re, JSON.stringify(flags))
    assert.equal(resolveProducerPerfOptions({...base, throughput: '2.5e3'}).throughput, 2500)
  })

  it('consumer: Kafka\'s defaults and the properties the tool sets', () => {
    const o = resolveConsumerPerfOptions({topic: 't', messages: '5'}, {})
    assert.equal(o.properties['bootstrap.servers'], 'localhost:9092')
    assert.match(o.properties['group.id'], /^perf-consumer-\d{1,5}$/)
    assert.deepEqual([o.timeoutMs, o.reportingIntervalMs, o.consumer.autoOffsetReset, o.consumer.maxPartitionFetchBytes, o.consumer.clientId, o.consumer.isolationLevel],
      [10000, 5000, 'earliest', 1048576, 'perf-consumer-client', 0])
    const env = resolveConsumerPerfOptions({topic: 't', messages: '5', 'from-latest': true, group: 'g', 'fetch-size': '2048'}, {KTS_BOOTSTRAP_SERVER: 'b:9'})
    assert.deepEqual([env.consumer.bootstrapServers, env.consumer.groupId, env.consumer.autoOffsetReset, env.consumer.maxPartitionFetchBytes], [['b:9'], 'g', 'latest', 2048])
    assert.deepEqual(expandOptionalTimeout(['--timeout', '--topic', 't', '--timeout']), ['--timeout', '10000', '--topic', 't', '--timeout', '10000'])
    assert.throws(() => resolveConsumerPerfOptions({topic: 't', messages: '5', 'fetch-size': '1.5'}, {}), /^UsageError: Cannot parse argument '1.5' of option fetch-size$/)
  })

  it('range assignment and the consumer protocol encodings', () => {
    const plan = rangeAssign([
      {memberId: 'b', groupInstanceId: null, topics: ['t', 'u']},
      {memberId: 'a', groupInstanceId: null, topics: ['t']},
    ], new Map([['t', 5], ['u', 2]]))
    assert.deepEqual(plan.get('a'), [0, 1, 2].map((partition) => ({topic: 't', partition})))
    assert.deepEqual(plan.get('b'), [{topic: 't', partition: 3}, {topic: 't', partition: 4}, {topic: 'u', partition: 0}, {topic: 'u', partition: 1}])
    const tps = [{topic: 't', partition: 3}, {topic: 'u', partition: 0}]
    assert.deepEqual(decodeAssignment(encodeAssignment(tps)), tps)
    assert.deepEqual(decodeSubscription(encodeSubscription(['t', 'u'], tps)), {topics: ['t', 'u'], ownedPartitions: tps})
  })
})
