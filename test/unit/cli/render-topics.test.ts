import assert from 'node:assert/strict'
import {renderCreated, renderDescribe, renderList, renderTopicCommandError, PERIOD_UNDERSCORE_WARNING, type DescribeFilter, type TopicInfo} from '../../../src/cli/topics/render-topics.js'

const noFilter: DescribeFilter = {reportUnderReplicated: false, reportUnavailable: false, reportUnderMinIsr: false, reportAtMinIsr: false,
  topicsWithOverrides: false, liveBrokers: new Set([1, 2]), minIsr: new Map()}

const topic: TopicInfo = {
  name: 't', topicId: 'NPmZHyhbR9y00wMglMH2sg', internal: false,
  configs: [{name: 'segment.bytes', value: '1073741824'}],
  partitions: [
    {partition: 1, leader: -1, replicas: [2, 1], isr: [1], elr: null, lastKnownElr: null},
    {partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], elr: null, lastKnownElr: null},
  ],
}

describe('kts topics rendering', () => {
  it('create prints the collision warning for . and _', () => {
    assert.deepEqual(renderCreated('plain'), ['Created topic plain.'])
    assert.deepEqual(renderCreated('a.b'), [PERIOD_UNDERSCORE_WARNING, 'Created topic a.b.'])
    assert.match(PERIOD_UNDERSCORE_WARNING, /^WARNING: Due to limitations in metric names, topics with a period \('\.'\) or underscore \('_'\) could collide\./)
  })

  it('list prints one empty line when there are no topics', () => {
    assert.deepEqual(renderList([]), [''])
    assert.deepEqual(renderList(['a', 'b']), ['a', 'b'])
  })

  it('describe uses Kafka\'s TAB layout, partitions sorted', () => {
    assert.deepEqual(renderDescribe([topic], noFilter), [
      'Topic: t\tTopicId: NPmZHyhbR9y00wMglMH2sg\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: segment.bytes=1073741824',
      '\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1,2\tElr: N/A\tLastKnownElr: N/A',
      '\tTopic: t\tPartition: 1\tLeader: none\tReplicas: 2,1\tIsr: 1\tElr: N/A\tLastKnownElr: N/A',
    ])
    const noId = renderDescribe([{...topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', configs: []}], noFilter)[0]
    assert.equal(noId, 'Topic: t\tPartitionCount: 2\tReplicationFactor: 2\tConfigs: ')
  })

  it('report options print only matching partitions, without headers', () => {
    const under = renderDescribe([topic], {...noFilter, reportUnderReplicated: true})
    assert.deepEqual(under.map((l) => l.split('\t')[2]), ['Partition: 1'])
    const unavailable = renderDescribe([topic], {...noFilter, reportUnavailable: true})
    assert.deepEqual(unavailable.map((l) => l.split('\t')[2]), ['Partition: 1'])
    const atMin = renderDescribe([topic], {...noFilter, reportAtMinIsr: true, minIsr: new Map([['t', 2]])})
    assert.deepEqual(atMin.map((l) => l.split('\t')[2]), ['Partition: 0'])
    const overrides = renderDescribe([topic, {...topic, name: 'u', configs: []}], {...noFilter, topicsWithOverrides: true})
    assert.equal(overrides.length, 1)
    assert.match(overrides[0], /^Topic: t\t/)
  })

  it('under-replicated and the replication factor leave out the replicas a reassignment is adding; the partition line shows the reassignment', () => {
    // Reassigning [1, 2] -> [2, 3]: replicas 2,3,1, adding 3, removing 1.
    const moving: TopicInfo = {...topic, partitions: [
      {partition: 0, leader: 1, replicas: [2, 3, 1], isr: [1, 2], elr: null, lastKnownElr: null, reassignment: {replicas: [2, 3, 1], addingReplicas: [3], removingReplicas: [1]}},
      {partition: 1, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3], elr: null, lastKnownElr: null, reassignment: {replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: []}},
    ]}
    const lines = renderDescribe([moving], noFilter)
    assert.match(lines[0], /\tReplicationFactor: 2\t/)
    assert.equal(lines[1], '\tTopic: t\tPartition: 0\tLeader: 1\tReplicas: 2,3,1\tIsr: 1,2\tAdding Replicas: 3\tRemoving Replicas: 1\tElr: N/A\tLastKnownElr: N/A')
    assert.deepEqual(renderDescribe([moving], {...noFilter, reportUnderReplicated: true}), [], '2 in sync of a replication factor of 2')
    const done = {...moving, partitions: [{...moving.partitions[0], replicas: [2, 3], isr: [2]}]}
    assert.equal(renderDescribe([done], {...noFilter, reportUnderReplicated: true}).length, 1, 'a completed reassignment counts all replicas')
  })

  it('under-min-isr counts a leaderless partition; unavailable counts a leader that is not a live broker', () => {
    const t: TopicInfo = {...topic, partitions: [
      {partition: 0, leader: 1, replicas: [1, 2], isr: [1, 2], elr: null, lastKnownElr: null},
      {partition: 1, leader: -1, replicas: [1, 2], isr: [2], elr: null, lastKnownElr: null},
      {partition: 2, leader: 3, replicas: [3, 2], isr: [3, 2], elr: null, lastKnownElr: null},
      {partition: 3, leader: 2, replicas: [1, 2], isr: [2], elr: null, lastKnownElr: null},
    ]}
    const parts = (f: Partial<DescribeFilter>) => renderDescribe([t], {...noFilter, ...f}).map((l) => l.split('\t')[2])
    assert.deepEqual(parts({reportUnderMinIsr: true, minIsr: new Map([['t', 2]])}), ['Partition: 1', 'Partition: 3'])
    assert.deepEqual(parts({reportAtMinIsr: true, minIsr: new Map([['t', 2]])}), ['Partition: 0', 'Partition: 2'])
    assert.deepEqual(parts({reportUnavailable: true}), ['Partition: 1', 'Partition: 2'])
    assert.deepEqual(parts({reportUnderReplicated: true}), ['Partition: 1', 'Partition: 3'])
  })

  it('server errors are prefixed like TopicCommand', () => {
    assert.equal(renderTopicCommandError('Topic \'t\' already exists.'), 'Error while executing topic command : Topic \'t\' already exists.')
  })
})
