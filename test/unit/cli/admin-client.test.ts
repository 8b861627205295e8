import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {isInternalTopic, kafkaErrorCodeOf, parseBootstrapServers, parseKeyValueArgs, readPropertiesFile, toKafkaMessage} from '../../../src/cli/admin/admin-client.js'

describe('cli admin client helpers', () => {
  it('splits k=v at the first = (no = gives an empty value)', () => {
    assert.deepEqual(parseKeyValueArgs(['a=b=c', 'flag', 'x=']), {a: 'b=c', flag: '', x: ''})
  })

  it('needs host:port entries', () => {
    assert.deepEqual(parseBootstrapServers('a:1, b:2'), ['a:1', 'b:2'])
    assert.throws(() => parseBootstrapServers('a'), /^UsageError: Please provide valid host:port like host1:9091,host2:9092$/)
  })

  it('reads Java .properties files and reports missing ones in one line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-props-'))
    try {
      const f = path.join(dir, 'c.properties')
      fs.writeFileSync(f, '# comment\nsecurity.protocol = SSL\nclient.id:me\n')
      assert.deepEqual(readPropertiesFile(f), {'security.protocol': 'SSL', 'client.id': 'me'})
      assert.throws(() => readPropertiesFile(path.join(dir, 'none')), /none \(No such file or directory\)/)
    } finally {
      fs.rmSync(dir, {recursive: true, force: true})
    }
  })

  it('maps kafkajs errors to Kafka\'s wording and codes', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {name: 'KafkaJSNumberOfRetriesExceeded'})
    assert.equal(toKafkaMessage(refused), 'Timed out waiting for a node assignment.')
    const agg = Object.assign(new Error('Topic creation errors'), {errors: [Object.assign(new Error('The topic already exists'), {type: 'TOPIC_ALREADY_EXISTS'})]})
    assert.equal(toKafkaMessage(agg), 'The topic already exists')
    assert.equal(kafkaErrorCodeOf(agg), 36)
    assert.equal(kafkaErrorCodeOf(new Error('x')), undefined)
    assert.ok(isInternalTopic('__consumer_offsets') && isInternalTopic('__transaction_state') && !isInternalTopic('__other'))
  })
})
