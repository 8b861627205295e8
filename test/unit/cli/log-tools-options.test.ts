/**
 * Option parsing of `kts get-offsets` (Kafka 3.9 `GetOffsetShell`), the offset JSON of
 * `kts delete-records` (`DeleteRecordsCommand`) and the Java HashMap order the tools print in.
 */
import assert from 'node:assert/strict'
import {parseOffsetSpec, topicAndPartitionsFilter, topicPartitionsFilter} from '../../../src/cli/logs/get-offsets-options.js'
import {parseOffsetJson} from '../../../src/cli/logs/offset-json.js'
import {javaHashOrder, stringHash, topicPartitionHash} from '../../../src/cli/output/java-hash-order.js'

describe('kts get-offsets / delete-records options', () => {
  it('--time: names, numbers, Kafka\'s message for anything else', () => {
    assert.deepEqual(['latest', 'earliest', 'max-timestamp', 'earliest-local', 'latest-tiered', '-1', '-2', '-3', '1700000000000'].map(parseOffsetSpec), [-1, -2, -3, -4, -5, -1, -2, -3, 1700000000000])
    assert.throws(() => parseOffsetSpec('now'), {message: /^Error occurred: Malformed time argument now\. Please use -1 or latest/})
  })

  it('--topic-partitions rules: exact, ranges (upper bound exclusive), open bounds, topic regexes', () => {
    const f = topicPartitionsFilter('orders:1,audit:2-4,logs:5-,:-1,metrics')
    const allowed = (t: string, ps: number[]) => ps.filter(p => f.isTopicPartitionAllowed(t, p))
    assert.deepEqual(allowed('orders', [0, 1, 2]), [0, 1], ':-1 allows partition 0 of every topic')
    assert.deepEqual(allowed('audit', [0, 1, 2, 3, 4]), [0, 2, 3])
    assert.deepEqual(allowed('logs', [4, 5, 99]), [5, 99])
    assert.deepEqual(allowed('metrics', [0, 7]), [0, 7])
    assert.equal(f.isTopicAllowed('metrics2'), true, 'the rule :-1 matches any topic')
    assert.equal(topicPartitionsFilter('metrics').isTopicAllowed('metrics2'), false, 'whole-name match')
    assert.throws(() => topicPartitionsFilter('a:b'), {message: 'Error occurred: Invalid rule specification: a:b'})
  })

  it('--topic (regex, commas are alternatives) and --partitions', () => {
    const f = topicAndPartitionsFilter('ord.*, audit', '0,2')
    assert.equal(f.isTopicAllowed('orders'), true)
    assert.equal(f.isTopicAllowed('audit'), true)
    assert.equal(f.isTopicAllowed('xaudit'), false)
    assert.deepEqual([0, 1, 2].filter(p => f.isTopicPartitionAllowed('orders', p)), [0, 2])
    assert.throws(() => topicAndPartitionsFilter(undefined, '1,a'), {message: 'Error occurred: --partitions expects a comma separated list of numeric partition ids, but received: 1,a'})
  })

  it('the offset JSON file: version 1 (default), -1 offsets, Kafka\'s errors', () => {
    assert.deepEqual(parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":-1}]}'), [{topic: 't', partition: 0, offset: -1}])
    assert.throws(() => parseOffsetJson('{"version":1}'), {message: 'Missing partitions field'})
    assert.throws(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0}]}'), {message: 'com.fasterxml.jackson.databind.JsonMappingException: No such field exists: `offset`'})
    assert.throws(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":"0","offset":1}]}'), {message: 'com.fasterxml.jackson.databind.JsonMappingException: Expected `Integer` value, received "0"'})
    assert.throws(() => parseOffsetJson('{"partitions":[{"topic":"a","partition":0,"offset":1},{"topic":"a","partition":0,"offset":2}]}'), {message: 'Offset json file contains duplicate topic partitions: a-0'})
  })

  it('Java HashMap order: buckets of (h ^ h>>>16) & (capacity-1), then insertion order', () => {
    assert.equal(stringHash('brokers'), 150569914)
    assert.deepEqual(javaHashOrder(['version', 'brokers'], stringHash), ['brokers', 'version'])
    assert.deepEqual(javaHashOrder(['partition', 'size', 'offsetLag', 'isFuture'], stringHash), ['partition', 'size', 'offsetLag', 'isFuture'])
    assert.deepEqual(javaHashOrder(['logDir', 'error', 'partitions'], stringHash), ['partitions', 'error', 'logDir'])
    // TopicPartition("t", p).hashCode() = 31 * (31 + p) + 116 → 1077, 1108, 1139: buckets 5, 4, 3
    assert.deepEqual(javaHashOrder([0, 1, 2].map(partition => ({topic: 't', partition})), topicPartitionHash).map(tp => tp.partition), [2, 1, 0])
  })
})
