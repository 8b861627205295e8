/**
 * `kts leader-election` without a cluster: option validation and the JSON file with Kafka's
 * messages (LeaderElectionCommand 3.9), and the output grouping.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parseElectionJson, validateLeaderElectionOptions} from '../../../src/cli/replicas/leader-election-options.js'
import {electionFailureMessage, renderElection, summarizeElection} from '../../../src/cli/replicas/render-leader-election.js'
import {kafkaError} from '../../../src/cli/replicas/partition-admin.js'

describe('kts leader-election: options', () => {
  const base = {'bootstrap-server': 'localhost:9092', 'election-type': 'preferred'}

  it('accepts one of --topic/--partition, --all-topic-partitions, --path-to-json-file; the election type in any case', () => {
    assert.deepEqual(validateLeaderElectionOptions({...base, topic: 't', partition: '3'}).partitions, [{topic: 't', partition: 3}])
    const all = validateLeaderElectionOptions({...base, 'election-type': 'UNCLEAN', 'all-topic-partitions': true})
    assert.deepEqual([all.electionType, all.partitions], ['UNCLEAN', null])
  })

  it('refuses bad combinations with Kafka\'s messages', () => {
    const err = (raw: object): string => {
      try {
        validateLeaderElectionOptions(raw)
      } catch (e) {
        return (e as Error).message
      }
      return 'no error'
    }
    assert.equal(err({'all-topic-partitions': true}), 'Missing required option(s): election-type')
    assert.equal(err(base), 'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file')
    assert.equal(err({...base, topic: 't', 'all-topic-partitions': true}), 'One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file')
    assert.equal(err({...base, topic: 't'}), 'Missing required option(s): partition')
    assert.equal(err({...base, 'all-topic-partitions': true, partition: '1'}), 'Option partition is only allowed if topic is used')
    assert.equal(err({...base, topic: 't', partition: 'x'}), 'Cannot parse argument \'x\' of option partition')
    assert.equal(err({...base, 'election-type': 'random', 'all-topic-partitions': true}), 'Cannot parse argument \'random\' of option election-type')
    assert.equal(err({...base, 'path-to-json-file': '/nonexistent/kts.json'}), 'java.nio.file.NoSuchFileException: /nonexistent/kts.json')
  })

  it('reads the JSON file as Kafka does', () => {
    assert.deepEqual(parseElectionJson('{"partitions": [{"topic": "foo", "partition": 1}, {"topic": "bar", "partition": 0}]}'),
      [{topic: 'foo', partition: 1}, {topic: 'bar', partition: 0}])
    const err = (text: string): string => {
      try {
        parseElectionJson(text)
      } catch (e) {
        return (e as Error).message
      }
      return 'no error'
    }
    assert.equal(err('not json'), 'Replica election data is empty')
    assert.equal(err('{"topics": []}'), 'Replica election data is missing "partitions" field')
    assert.equal(err('{"partitions": [{"topic": "a", "partition": 1}, {"topic": "a", "partition": 1}]}'), 'Replica election data contains duplicate partitions: [a-1]')
    assert.equal(err('{"partitions": [{"topic": "a"}]}'), 'com.fasterxml.jackson.databind.JsonMappingException: No such field exists: `partition`')
    assert.equal(err('{"partitions": [{"topic": "a", "partition": "1"}]}'), 'com.fasterxml.jackson.databind.JsonMappingException: Expected `Integer` value, received "1"')
    assert.equal(err('{"partitions": {}}'), 'com.fasterxml.jackson.databind.JsonMappingException: Expected JSON array, received {}')
  })

  it('reads --path-to-json-file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-le-'))
    try {
      const file = path.join(dir, 'p.json')
      fs.writeFileSync(file, '{"partitions": [{"topic": "foo", "partition": 2}]}')
      assert.deepEqual(validateLeaderElectionOptions({...base, 'path-to-json-file': file}).partitions, [{topic: 'foo', partition: 2}])
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('kts leader-election: output', () => {
  const ok = (topic: string, partition: number) => ({topic, partition, errorCode: 0, error: null, errorMessage: null})
  const failed = (topic: string, partition: number, code: number, message?: string) => {
    const error = kafkaError(code, message)
    return {topic, partition, errorCode: code, error, errorMessage: message ?? null}
  }

  it('groups successes, no-ops and failures, sorted, in Kafka\'s words', () => {
    const s = summarizeElection([ok('b', 0), failed('c', 0, 80), ok('a', 1), failed('a', 0, 84), failed('d', 2, 3, 'No such topic as d')])
    assert.deepEqual(renderElection('PREFERRED', s), [
      'Successfully completed leader election (PREFERRED) for partitions a-1, b-0',
      'Valid replica already elected for partitions a-0',
      'Error completing leader election (PREFERRED) for partition: c-0: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: The preferred leader was not available.',
      'Error completing leader election (PREFERRED) for partition: d-2: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: No such topic as d',
    ])
    assert.equal(electionFailureMessage(s), '2 replica(s) could not be elected')
    assert.deepEqual(renderElection('UNCLEAN', summarizeElection([])), [])
    assert.equal(electionFailureMessage(summarizeElection([ok('a', 0)])), null)
  })
})
