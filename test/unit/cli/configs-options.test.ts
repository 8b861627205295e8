import assert from 'node:assert/strict'
import {parseAddConfig, validateConfigOptions} from '../../../src/cli/configs/config-options.js'
import {describeHeader, describeLine, selectEntries} from '../../../src/cli/configs/render-configs.js'

describe('kts configs options and rendering (ConfigCommand)', () => {
  it('--add-config: commas inside brackets group list values; brackets removed; empty values kept', () => {
    assert.deepEqual(parseAddConfig('retention.ms=1000, cleanup.policy=[compact,delete],ssl.endpoint.identification.algorithm='),
      [['retention.ms', '1000'], ['cleanup.policy', 'compact,delete'], ['ssl.endpoint.identification.algorithm', '']])
    assert.throws(() => parseAddConfig('a=b,c'), /^TerseError: requirement failed: Invalid entity config/)
    assert.throws(() => parseAddConfig('a=b=c'), /requirement failed/)
  })

  it('entity shortcuts and the default entity; the first name is used', () => {
    const t = validateConfigOptions({'bootstrap-server': 'h:1', describe: true, topic: 'orders'})
    assert.equal(t.entityType, 'topics')
    assert.equal(t.entityName, 'orders')
    const d = validateConfigOptions({'bootstrap-server': 'h:1', alter: true, 'broker-defaults': true, 'add-config': 'log.retention.ms=1', 'delete-config': ['a,b', 'c']})
    assert.deepEqual([d.entityType, d.entityName, [...d.toAdd], d.toDelete], ['brokers', '', [['log.retention.ms', '1']], ['a', 'b', 'c']])
    const all = validateConfigOptions({'bootstrap-server': 'h:1', describe: true, 'entity-type': ['brokers']})
    assert.equal(all.entityName, null, 'no name: every broker and the default')
    assert.throws(() => validateConfigOptions({describe: true, 'entity-type': ['topics', 'brokers']}), /Only 'users' and 'clients' entity types may be specified together/)
    assert.throws(() => validateConfigOptions({describe: true, alter: true, topic: 't'}), /exactly one action/)
    assert.throws(() => validateConfigOptions({alter: true, topic: 't', 'add-config': 'a=b', 'add-config-file': 'f'}), /Only one of --add-config or --add-config-file must be specified/)
  })

  it('renders Kafka\'s header and config lines', () => {
    assert.equal(describeHeader('topics', 'orders', false), 'Dynamic configs for topic orders are:')
    assert.equal(describeHeader('brokers', '1', true), 'All configs for broker 1 are:')
    assert.equal(describeHeader('brokers', '', false), 'Default configs for brokers in the cluster are:')
    const e = {name: 'retention.ms', value: '1000', source: 1, isSensitive: false, readOnly: false, synonyms: [{name: 'retention.ms', value: '1000', source: 1}, {name: 'log.retention.hours', value: '168', source: 4}]}
    assert.equal(describeLine(e), '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000, STATIC_BROKER_CONFIG:log.retention.hours=168}')
    assert.equal(describeLine({...e, value: null, isSensitive: true, synonyms: []}), '  retention.ms=null sensitive=true synonyms={}')
    const b = {...e, name: 'a', source: 5}
    assert.deepEqual(selectEntries([e, b], 1, false).map(x => x.name), ['retention.ms'])
    assert.deepEqual(selectEntries([e, b], 1, true).map(x => x.name), ['a', 'retention.ms'])
  })
})
