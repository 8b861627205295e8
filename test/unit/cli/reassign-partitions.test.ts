/**
 * `kts reassign-partitions` without a cluster (Kafka 3.9 ReassignPartitionsCommand): option
 * validation, the JSON files and their errors, replica assignment for --generate, throttles and
 * the text output.
 */
import assert from 'node:assert/strict'
import {validateReassignOptions} from '../../../src/cli/replicas/reassign-options.js'
import {checkExecuteTargets, formatReassignmentJson, parseGenerateArgs, parseReassignmentJson} from '../../../src/cli/replicas/reassignment-json.js'
import {assignReplicasToBrokers, rackAlternatedBrokerList} from '../../../src/cli/replicas/replica-assignment.js'
import {brokerThrottles, clearThrottles, proposedMoveMap, reassigningBrokers, topicThrottles} from '../../../src/cli/replicas/reassign-throttles.js'
import {renderCurrentAssignment, renderReassignments, renderStarted, renderStates} from '../../../src/cli/replicas/render-reassign.js'

function message(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return (e as Error).message
  }
  return 'no error'
}

describe('kts reassign-partitions: options', () => {
  it('needs exactly one action, its required arguments, and only the options it permits', () => {
    assert.equal(message(() => validateReassignOptions({})), 'Command must include exactly one action: --generate, --execute, --verify, --cancel, --list')
    assert.equal(message(() => validateReassignOptions({list: true, verify: true})), 'Command must include exactly one action: --generate, --execute, --verify, --cancel, --list')
    assert.equal(message(() => validateReassignOptions({execute: true})), 'Missing required argument "[reassignment-json-file]"')
    assert.equal(message(() => validateReassignOptions({generate: true, 'topics-to-move-json-file': 'f'})), 'Missing required argument "[broker-list]"')
    assert.equal(message(() => validateReassignOptions({verify: true, 'reassignment-json-file': 'f', throttle: '10'})), 'Option "[throttle]" can\'t be used with action "[verify]"')
    assert.equal(message(() => validateReassignOptions({list: true, additional: true})), 'Option "[additional]" can\'t be used with action "[list]"')
    assert.equal(message(() => validateReassignOptions({execute: true, 'reassignment-json-file': 'f', throttle: 'x'})), 'Cannot parse argument \'x\' of option throttle')
    const o = validateReassignOptions({execute: true, 'reassignment-json-file': 'f', throttle: '1000', additional: true})
    assert.deepEqual([o.action, o.throttle, o.logDirThrottle, o.timeoutMs, o.additional], ['execute', 1000, -1, 10_000, true])
  })
})

describe('kts reassign-partitions: JSON files', () => {
  it('parses a reassignment file (log_dirs optional, version 1 only) and refuses Kafka\'s bad inputs', () => {
    assert.deepEqual(parseReassignmentJson('{"partitions":[{"topic":"a","partition":0,"replicas":[1,2]}]}'),
      [{topic: 'a', partition: 0, replicas: [1, 2], logDirs: ['any', 'any']}])
    assert.equal(message(() => parseReassignmentJson('{"version":2,"partitions":[]}')), 'Not supported version field value 2')
    assert.equal(message(() => parseReassignmentJson('{"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any"]}]}')),
      'Size of replicas list [1, 2] is different from size of log dirs list [any] for partition a-0')
    assert.equal(message(() => parseReassignmentJson('{"partitions":[{"topic":"a","replicas":[1]}]}')), 'No such field exists: `partition`')
    assert.match(message(() => parseReassignmentJson('{')), /^com\.fasterxml\.jackson\.core\.JsonParseException: /)
    const targets = (s: string) => parseReassignmentJson(s)
    assert.equal(message(() => checkExecuteTargets(targets('{"partitions":[]}'))), 'Partition reassignment list cannot be empty')
    assert.equal(message(() => checkExecuteTargets(targets('{"partitions":[{"topic":"a","partition":0,"replicas":[]}]}'))), 'Partition replica list cannot be empty')
    assert.equal(message(() => checkExecuteTargets(targets('{"partitions":[{"topic":"a","partition":0,"replicas":[1]},{"topic":"a","partition":0,"replicas":[2]}]}'))),
      'Partition reassignment contains duplicate topic partitions: a-0')
    assert.equal(message(() => checkExecuteTargets(targets('{"partitions":[{"topic":"a","partition":0,"replicas":[1,1,2,2]},{"topic":"b","partition":1,"replicas":[3,3]}]}'))),
      'Partition replica lists may not contain duplicate entries: a-0 contains multiple entries for 1,2. b-1 contains multiple entries for 3')
  })

  it('parses --topics-to-move-json-file and --broker-list', () => {
    assert.deepEqual(parseGenerateArgs('{"topics":[{"topic":"a"},{"topic":"b"}],"version":1}', '1,2,3'), {brokers: [1, 2, 3], topics: ['a', 'b']})
    assert.equal(message(() => parseGenerateArgs('{"topics":[]}', '1,x')), 'For input string: "x"')
    assert.equal(message(() => parseGenerateArgs('{"topics":[]}', '1,2,1')), 'Broker list contains duplicate entries: [1]')
    assert.equal(message(() => parseGenerateArgs('{"topics":[{"topic":"a"},{"topic":"a"}]}', '1')), 'List of topics to reassign contains duplicate entries: [a]')
    assert.equal(message(() => parseGenerateArgs('nope', '1')), 'The input string is not a valid JSON')
  })

  it('writes Jackson\'s compact JSON, partitions sorted', () => {
    const m = new Map([['b-0', {topic: 'b', partition: 0, replicas: [3]}], ['a-1', {topic: 'a', partition: 1, replicas: [2, 1]}], ['a-0', {topic: 'a', partition: 0, replicas: [1, 2]}]])
    assert.equal(formatReassignmentJson(m), '{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","any"]},' +
      '{"topic":"a","partition":1,"replicas":[2,1],"log_dirs":["any","any"]},{"topic":"b","partition":0,"replicas":[3],"log_dirs":["any"]}]}')
  })
})

describe('kts reassign-partitions: --generate assignment (AdminUtils.assignReplicasToBrokers)', () => {
  const brokers = (ids: number[], racks?: string[]) => ids.map((id, i) => ({id, rack: racks ? racks[i] : null}))

  it('rack-unaware: Kafka\'s example with a fixed start', () => {
    // AdminUtilsTest: 5 brokers, 10 partitions, RF 3, start index 0.
    const a = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4]), 10, 3, () => 0)
    assert.deepEqual([...a.values()], [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1], [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2]])
  })

  it('rack-aware: alternates racks and gives every replica its own rack', () => {
    assert.deepEqual(rackAlternatedBrokerList(brokers([0, 1, 2, 3, 4, 5], ['rack1', 'rack3', 'rack3', 'rack2', 'rack2', 'rack1'])), [0, 3, 1, 5, 4, 2])
    const a = assignReplicasToBrokers(brokers([0, 1, 2, 3, 4, 5], ['rack1', 'rack3', 'rack3', 'rack2', 'rack2', 'rack1']), 6, 3, () => 0)
    assert.deepEqual([...a.values()], [[0, 3, 1], [3, 1, 5], [1, 5, 4], [5, 4, 2], [4, 2, 0], [2, 0, 3]])
  })

  it('errors as Kafka words them', () => {
    assert.equal(message(() => assignReplicasToBrokers(brokers([1, 2]), 3, 3)), 'Replication factor: 3 larger than available brokers: 2.')
    assert.equal(message(() => assignReplicasToBrokers(brokers([1, 2]), 0, 1)), 'Number of partitions must be larger than 0.')
    assert.equal(message(() => assignReplicasToBrokers([{id: 1, rack: 'a'}, {id: 2, rack: null}], 1, 1)), 'Not all brokers have rack information for replica rack aware assignment.')
  })
})

describe('kts reassign-partitions: throttles', () => {
  it('throttles the sources on the leader side and the new replicas on the follower side', () => {
    const ongoing = [{topic: 'a', partition: 1, replicas: [4, 1, 2], addingReplicas: [4], removingReplicas: [2]}]
    const proposed = [{topic: 'a', partition: 0, replicas: [2, 3]}, {topic: 'b', partition: 0, replicas: [1, 3]}]
    const moves = proposedMoveMap(ongoing, proposed, new Map([['a-0', [1, 2]], ['b-0', [1, 2]]]))
    assert.deepEqual(topicThrottles(moves).map(c => [c.resourceName, c.ops.map(o => o.value)]), [
      ['a', ['0:1,0:2,1:1,1:2', '0:3,1:4']],
      ['b', ['0:1,0:2', '0:3']],
    ])
    assert.deepEqual(reassigningBrokers(moves), [1, 2, 3, 4])
    assert.deepEqual(brokerThrottles([1], 500)[0].ops.map(o => `${o.name}=${o.value}`), ['leader.replication.throttled.rate=500', 'follower.replication.throttled.rate=500'])
    const clear = clearThrottles([1, 2], ['a'])
    assert.deepEqual(clear.brokers[0].ops.map(o => [o.name, o.op]), [['leader.replication.throttled.rate', 1], ['follower.replication.throttled.rate', 1], ['replica.alter.log.dirs.io.max.bytes.per.second', 1]])
    assert.deepEqual(clear.topics[0].ops.map(o => o.name), ['leader.replication.throttled.replicas', 'follower.replication.throttled.replicas'])
  })
})

describe('kts reassign-partitions: output', () => {
  it('prints Kafka\'s texts', () => {
    const cur = new Map([['a-0', {topic: 'a', partition: 0, replicas: [1, 2]}]])
    assert.equal(renderCurrentAssignment(cur), 'Current partition replica assignment\n\n{"version":1,"partitions":[{"topic":"a","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}\n\n' +
      'Save this to use as the --reassignment-json-file option during rollback\n')
    assert.equal(renderStarted([{topic: 'b', partition: 0}, {topic: 'a', partition: 10}, {topic: 'a', partition: 2}]), 'Successfully started partition reassignments for a-2,a-10,b-0\n')
    assert.equal(renderStarted([{topic: 'a', partition: 0}]), 'Successfully started partition reassignment for a-0\n')
    assert.equal(renderStates([
      {topic: 'a', partition: 1, currentReplicas: [1, 2, 3], targetReplicas: [2, 3], done: false},
      {topic: 'a', partition: 0, currentReplicas: [2, 3], targetReplicas: [2, 3], done: true},
      {topic: 'b', partition: 0, currentReplicas: [1, 2], targetReplicas: [2, 3], done: true},
    ]), 'Status of partition reassignment:\nReassignment of partition a-0 is completed.\nReassignment of partition a-1 is still in progress.\n' +
      'There is no active reassignment of partition b-0, but replica set is 1,2 rather than 2,3.\n')
    assert.equal(renderReassignments([]), 'No partition reassignments found.\n')
    assert.equal(renderReassignments([
      {topic: 'a', partition: 0, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: []},
      {topic: 'a', partition: 1, replicas: [3, 2, 1], addingReplicas: [3], removingReplicas: [1]},
    ]), 'Current partition reassignments:\na-0: replicas: 1,2,3. adding: 3.\na-1: replicas: 3,2,1. adding: 3. removing: 1.\n')
  })
})
