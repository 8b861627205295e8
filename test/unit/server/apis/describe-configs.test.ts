import assert from 'node:assert/strict'
import {createTopics} from '../../../../src/server/apis/create-topics.js'
import {describeConfigs} from '../../../../src/server/apis/describe-configs.js'
import {alterConfigs} from '../../../../src/server/apis/alter-configs.js'
import {incrementalAlterConfigs} from '../../../../src/server/apis/incremental-alter-configs.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {startAdminFixture} from './admin-apis-helper.js'

describe('DescribeConfigs / AlterConfigs / IncrementalAlterConfigs handlers', () => {
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  beforeEach(async () => {
    fx = await startAdminFixture({'log.retention.hours': '24'})
    await createTopics.handler({timeoutMs: 1000, validateOnly: false, topics: [{name: 'foo', numPartitions: 1, replicationFactor: 1, assignments: [], configs: []}]}, fx.ctx(7))
  })
  afterEach(async () => fx.close())

  async function describe1(keys: string[] | null, synonyms = false, type = 2, name = 'foo'): Promise<any> {
    const r: any = await describeConfigs.handler({resources: [{resourceType: type, resourceName: name, configurationKeys: keys}], includeSynonyms: synonyms, includeDocumentation: false}, fx.ctx(4))
    return r.results[0]
  }

  it('topic configs: static broker synonym converted, defaults, synonyms on request as Kafka lists them, unknown topic', async () => {
    const r = await describe1(['retention.ms', 'cleanup.policy', 'segment.bytes'], true)
    assert.equal(r.errorCode, 0)
    const by = new Map<string, any>(r.configs.map((c: any) => [c.name, c]))
    assert.equal(by.get('retention.ms').value, '86400000')
    // Kafka ConfigHelper.configSynonyms: synonyms before the first `log.retention.ms` one are dropped,
    // so only log.retention.hours (static and default) gives none, and the source is DEFAULT_CONFIG.
    assert.equal(by.get('retention.ms').configSource, 5)
    assert.deepEqual(by.get('retention.ms').synonyms, [])
    assert.equal(by.get('cleanup.policy').value, 'delete')
    assert.equal(by.get('cleanup.policy').isDefault, true)
    assert.deepEqual(by.get('cleanup.policy').synonyms, [{name: 'log.cleanup.policy', value: 'delete', source: 5}])
    assert.deepEqual(by.get('segment.bytes').synonyms, [{name: 'log.segment.bytes', value: '1073741824', source: 5}])
    const missing = await describe1(null, false, 2, 'nope')
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  it('IncrementalAlterConfigs then DescribeConfigs shows DYNAMIC_TOPIC_CONFIG; AlterConfigs replaces', async () => {
    const r: any = await incrementalAlterConfigs.handler({validateOnly: false, resources: [
      {resourceType: 2, resourceName: 'foo', configs: [{name: 'retention.ms', configOperation: 0, value: '5000'}]},
      {resourceType: 2, resourceName: 'foo2', configs: [{name: 'retention.ms', configOperation: 0, value: '5000'}]},
    ]}, fx.ctx(1))
    assert.deepEqual(r.responses.map((x: any) => x.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    let d = await describe1(['retention.ms'], true)
    assert.equal(d.configs[0].value, '5000')
    assert.equal(d.configs[0].configSource, 1)
    assert.deepEqual(d.configs[0].synonyms.map((s: any) => s.source), [1])
    const a: any = await alterConfigs.handler({validateOnly: false, resources: [{resourceType: 2, resourceName: 'foo', configs: [{name: 'segment.ms', value: '60000'}]}]}, fx.ctx(1))
    assert.equal(a.responses[0].errorCode, 0)
    d = await describe1(['retention.ms', 'segment.ms'])
    const by = new Map<string, any>(d.configs.map((c: any) => [c.name, c]))
    assert.equal(by.get('retention.ms').configSource, 5)
    assert.equal(by.get('segment.ms').value, '60000')
    const bad: any = await alterConfigs.handler({validateOnly: false, resources: [{resourceType: 2, resourceName: 'foo', configs: [{name: 'segment.ms', value: 'abc'}]}]}, fx.ctx(1))
    assert.equal(bad.responses[0].errorCode, ErrorCode.INVALID_CONFIG)
  })

  it('broker configs: static values from server.properties, other broker ids rejected', async () => {
    const r = await describe1(['log.retention.hours', 'num.partitions'], false, 4, '1')
    const by = new Map<string, any>(r.configs.map((c: any) => [c.name, c]))
    assert.equal(by.get('log.retention.hours').value, '24')
    assert.equal(by.get('log.retention.hours').configSource, 4)
    assert.equal(by.get('num.partitions').configSource, 5)
    const other = await describe1(null, false, 4, '7')
    assert.equal(other.errorCode, ErrorCode.INVALID_REQUEST)
  })

  it('dynamic broker configs: cluster default and per broker become topic-default synonyms; non-dynamic keys and bad values are refused as Kafka does', async () => {
    const alter = async (name: string, configs: {name: string, configOperation: number, value: string | null}[]): Promise<any> =>
      ((await incrementalAlterConfigs.handler({validateOnly: false, resources: [{resourceType: 4, resourceName: name, configs}]}, fx.ctx(1))) as any).responses[0]
    assert.equal((await alter('', [{name: 'log.retention.ms', configOperation: 0, value: '7200000'}])).errorCode, 0)
    let d = await describe1(['retention.ms'], true)
    assert.equal(d.configs[0].value, '7200000')
    assert.equal(d.configs[0].configSource, 3)
    assert.deepEqual(d.configs[0].synonyms, [
      {name: 'log.retention.ms', value: '7200000', source: 3}, {name: 'log.retention.hours', value: '24', source: 4}, {name: 'log.retention.hours', value: '168', source: 5},
    ])
    assert.equal((await alter('1', [{name: 'log.retention.ms', configOperation: 0, value: '3600000'}])).errorCode, 0)
    d = await describe1(['retention.ms'], true)
    assert.equal(d.configs[0].value, '3600000')
    assert.deepEqual(d.configs[0].synonyms.map((x: any) => x.source), [2, 3, 4, 5])
    const broker = await describe1(['log.retention.ms', 'log.dirs'], true, 4, '1')
    const by = new Map<string, any>(broker.configs.map((c: any) => [c.name, c]))
    assert.equal(by.get('log.retention.ms').value, '3600000')
    assert.equal(by.get('log.retention.ms').readOnly, false)
    assert.equal(by.get('log.dirs').readOnly, true)
    const dflt = await describe1(null, true, 4, '')
    assert.deepEqual(dflt.configs.map((c: any) => [c.name, c.value, c.configSource]), [['log.retention.ms', '7200000', 3]])
    assert.deepEqual(dflt.configs[0].synonyms, [{name: 'log.retention.ms', value: '7200000', source: 3}])

    const nonDynamic = await alter('1', [{name: 'log.dirs', configOperation: 0, value: '/x'}])
    assert.equal(nonDynamic.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(nonDynamic.errorMessage, 'Cannot update these configs dynamically: Set(log.dirs)')
    const badValue = await alter('', [{name: 'log.retention.ms', configOperation: 0, value: 'abc'}])
    assert.equal(badValue.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(badValue.errorMessage, 'Invalid value abc for configuration log.retention.ms: Not a number of type LONG')
    assert.equal((await alter('1', [{name: 'log.retention.ms', configOperation: 1, value: null}])).errorCode, 0)
    assert.equal((await describe1(['retention.ms'])).configs[0].value, '7200000')
  })
})
