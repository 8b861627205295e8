import assert from 'node:assert/strict'
import {resolveBootstrapServer} from '../../../src/cli/flags.js'
import {validateTopicOptions, parseReplicaAssignment, parseTopicConfigs, topicPattern, topicNameProblem, type RawTopicFlags} from '../../../src/cli/topics/topic-options.js'

const B = {'bootstrap-server': 'localhost:9092'}
const err = (raw: RawTopicFlags): string => {
  try {
    validateTopicOptions(raw)
  } catch (e) {
    assert.equal((e as Error).name, 'UsageError')
    return (e as Error).message
  }
  assert.fail('expected a usage error')
}

describe('kts topics option validation', () => {
  it('needs exactly one action and a bootstrap server', () => {
    const msg = 'Command must include exactly one action: --list, --describe, --create, --alter or --delete'
    assert.equal(err({...B}), msg)
    assert.equal(err({...B, list: true, describe: true}), msg)
    assert.equal(validateTopicOptions({list: true}).bootstrapServer, resolveBootstrapServer(undefined))
  })

  it('requires --topic for create/alter/delete and --partitions for alter', () => {
    for (const a of ['create', 'alter', 'delete'] as const) assert.equal(err({...B, [a]: true}), 'Missing required argument "[topic]"')
    assert.equal(err({...B, alter: true, topic: 't'}), 'Missing required argument "[partitions]"')
    assert.equal(validateTopicOptions({...B, list: true}).action, 'list')
  })

  it('rejects options with the wrong action, in Kafka words', () => {
    assert.equal(err({...B, list: true, partitions: '3'}), 'Option "[partitions]" can\'t be used with option "[list]"')
    assert.equal(err({...B, describe: true, 'replication-factor': '1'}), 'Option "[replication-factor]" can\'t be used with option "[describe]"')
    assert.equal(err({...B, create: true, topic: 't', 'if-exists': true}), 'Option "[if-exists]" can\'t be used with option "[create]"')
    assert.equal(err({...B, delete: true, topic: 't', 'if-not-exists': true}), 'Option "[if-not-exists]" can\'t be used with option "[delete]"')
    assert.equal(err({...B, create: true, topic: 't', 'exclude-internal': true}), 'Option "[exclude-internal]" can\'t be used with option "[create]"')
    assert.equal(err({...B, list: true, 'under-replicated-partitions': true}), 'Option "[under-replicated-partitions]" can\'t be used with option "[list]"')
    assert.equal(err({...B, describe: true, 'topics-with-overrides': true, 'at-min-isr-partitions': true}),
      'Option "[topics-with-overrides]" can\'t be used with option "[at-min-isr-partitions]"')
    assert.match(err({...B, alter: true, topic: 't', partitions: '2', config: ['a=b']}), /^Option combination "\[\[bootstrap-server\], \[config\]\]" can't be used with option "\[alter\]" \(To alter topic configurations, the kafka-configs tool can be used\.\)$/)
    assert.equal(err({...B, create: true, topic: 't', partitions: '2', 'replica-assignment': '1'}), 'Option "[replica-assignment]" can\'t be used with option "[partitions]"')
  })

  it('checks replication factor and partitions on create before any request', () => {
    assert.equal(err({...B, create: true, topic: 't', 'replication-factor': '0'}), 'The replication factor must be between 1 and 32767 inclusive')
    assert.equal(err({...B, create: true, topic: 't', 'replication-factor': '32768'}), 'The replication factor must be between 1 and 32767 inclusive')
    assert.equal(err({...B, create: true, topic: 't', partitions: '0'}), 'The partitions must be greater than 0')
    assert.equal(err({...B, create: true, topic: 't', partitions: 'abc'}), 'Cannot parse argument \'abc\' of option partitions')
    const ok = validateTopicOptions({...B, create: true, topic: 't', partitions: '3', 'replication-factor': '1', config: ['cleanup.policy=compact', 'retention.ms = 5']})
    assert.deepEqual([ok.partitions, ok.replicationFactor, ok.configs], [3, 1, {'cleanup.policy': 'compact', 'retention.ms': '5'}])
  })

  it('parses configs and replica assignments with Kafka\'s errors', () => {
    assert.throws(() => parseTopicConfigs(['novalue']), /^UsageError: requirement failed: Invalid topic config: all configs to be added must be in the format "key=val"\.$/)
    assert.deepEqual(parseReplicaAssignment('1:2,2:3,3:1'), [[1, 2], [2, 3], [3, 1]])
    assert.throws(() => parseReplicaAssignment('1:1'), /Partition replica lists may not contain duplicate entries: 1/)
    assert.throws(() => parseReplicaAssignment('1:2,3'), /Partition 1 has different replication factor: \[3\]/)
  })

  it('matches --topic as a whole-name regex and validates names', () => {
    const re = topicPattern(' "foo.*, bar" ')
    assert.ok(re.test('foo1') && re.test('bar') && !re.test('xbar') && !re.test('barx'))
    assert.ok(topicPattern('t').test('t') && !topicPattern('t').test('tt'))
    assert.equal(topicNameProblem('a b'), 'Topic name is invalid: \'a b\' contains one or more characters other than ASCII alphanumerics, \'.\', \'_\' and \'-\'')
    assert.equal(topicNameProblem('..'), 'Topic name is invalid: \'..\' is not allowed')
    assert.equal(topicNameProblem('ok.topic_1-x'), null)
  })
})
