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

  it('topic configs: static broker synonym converted, defaults, synonyms on request, unknown topic', async () => {
    const r = await describe1(['retention.ms', 'cleanup.policy'], true)
    assert.equal(r.errorCode, 0)
    const by = new Map<string, any>(r.configs.map((c: any) => [c.name, c]))
    assert.equal(by.get('retention.ms').value, '86400000')
    assert.equal(by.get('retention.ms').configSource, 4)
    assert.deepEqual(by.get('retention.ms').synonyms, [{name: 'log.retention.hours', value: '24', source: 4}])
    assert.equal(by.get('cleanup.policy').value, 'delete')
    assert.equal(by.get('cleanup.policy').isDefault, true)
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
    assert.deepEqual(d.configs[0].synonyms.map((s: any) => s.source), [1, 4])
    const a: any = await alterConfigs.handler({validateOnly: false, resources: [{resourceType: 2, resourceName: 'foo', configs: [{name: 'segment.ms', value: '60000'}]}]}, fx.ctx(1))
    assert.equal(a.responses[0].errorCode, 0)
    d = await describe1(['retention.ms', 'segment.ms'])
    const by = new Map<string, any>(d.configs.map((c: any) => [c.name, c]))
    assert.equal(by.get('retention.ms').configSource, 4)
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
})
