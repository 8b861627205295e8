import assert from 'node:assert/strict'
import {createTopics} from '../../../../src/server/apis/create-topics.js'
import {deleteTopics} from '../../../../src/server/apis/delete-topics.js'
import {createPartitions} from '../../../../src/server/apis/create-partitions.js'
import {describeCluster} from '../../../../src/server/apis/describe-cluster.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {startAdminFixture} from './admin-apis-helper.js'

describe('CreateTopics / DeleteTopics / CreatePartitions / DescribeCluster handlers', () => {
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  beforeEach(async () => { fx = await startAdminFixture({'log.segment.bytes': '1048576'}) })
  afterEach(async () => fx.close())

  it('CreateTopics v7 returns topic id, counts and effective configs; errors per topic', async () => {
    const res: any = await createTopics.handler({timeoutMs: 1000, validateOnly: false, topics: [
      {name: 'foo', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{name: 'retention.ms', value: '1000'}]},
      {name: 'foo', numPartitions: 2, replicationFactor: 1, assignments: [], configs: []},
      {name: 'rf', numPartitions: 1, replicationFactor: 3, assignments: [], configs: []},
    ]}, fx.ctx(7))
    const [foo, dup, rf] = res.topics
    assert.equal(foo.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(dup.errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(rf.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR)
    assert.match(rf.errorMessage, /only 1 broker\(s\) are registered/)

    const ok: any = await createTopics.handler({timeoutMs: 1000, validateOnly: false, topics: [
      {name: 'foo', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{name: 'retention.ms', value: '1000'}]},
    ]}, fx.ctx(7))
    const t = ok.topics[0]
    assert.equal(t.errorCode, 0)
    assert.equal(t.numPartitions, 2)
    assert.equal(t.topicId, fx.server.metadata.image.topic('foo')!.topicId)
    const cfg = new Map<string, any>(t.configs.map((c: any) => [c.name, c]))
    assert.equal(cfg.get('retention.ms').value, '1000')
    assert.equal(cfg.get('retention.ms').configSource, 1) // DYNAMIC_TOPIC_CONFIG
    assert.equal(cfg.get('segment.bytes').value, '1048576')
    assert.equal(cfg.get('segment.bytes').configSource, 4) // STATIC_BROKER_CONFIG
    assert.equal(cfg.get('cleanup.policy').configSource, 5) // DEFAULT_CONFIG
  })

  it('DeleteTopics v0-5 by name and v6 by id', async () => {
    await createTopics.handler({timeoutMs: 1000, validateOnly: false, topics: [
      {name: 'a', numPartitions: 1, replicationFactor: 1, assignments: [], configs: []},
      {name: 'b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: []},
    ]}, fx.ctx(5))
    const idB = fx.server.metadata.image.topic('b')!.topicId
    const r1: any = await deleteTopics.handler({topicNames: ['a', 'zz'], topics: [], timeoutMs: 1000}, fx.ctx(4))
    assert.deepEqual(r1.responses.map((r: any) => [r.name, r.errorCode]), [['a', 0], ['zz', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    const r2: any = await deleteTopics.handler({topicNames: [], topics: [{name: null, topicId: idB}], timeoutMs: 1000}, fx.ctx(6))
    assert.deepEqual(r2.responses.map((r: any) => [r.name, r.errorCode]), [['b', 0]])
    assert.equal(fx.server.metadata.image.topicsByName.size, 0)
  })

  it('CreatePartitions reports Kafka\'s messages', async () => {
    await createTopics.handler({timeoutMs: 1000, validateOnly: false, topics: [{name: 'foo', numPartitions: 3, replicationFactor: 1, assignments: [], configs: []}]}, fx.ctx(7))
    const r: any = await createPartitions.handler({timeoutMs: 1000, validateOnly: false, topics: [{name: 'foo', count: 1, assignments: null}, {name: 'foo', count: 4, assignments: null}]}, fx.ctx(3))
    assert.equal(r.results[0].errorMessage, 'The topic foo currently has 3 partition(s); 1 would not be an increase.')
    assert.equal(r.results[1].errorCode, 0)
    assert.equal(fx.server.metadata.image.topic('foo')!.partitions.size, 4)
  })

  it('DescribeCluster lists the unfenced broker and the controller', async () => {
    const r: any = describeCluster.handler({includeClusterAuthorizedOperations: false, endpointType: 1}, fx.ctx(1))
    assert.equal(r.clusterId, 'test-cluster')
    assert.equal(r.controllerId, 1)
    assert.deepEqual(r.brokers, [{brokerId: 1, host: 'localhost', port: 9092, rack: null}])
  })
})

describe('DescribeQuorum handler', () => {
  it('describes the single-voter metadata quorum and rejects other partitions', async () => {
    const {describeQuorum} = await import('../../../../src/server/apis/describe-quorum.js')
    const fx = await startAdminFixture()
    try {
      const r: any = describeQuorum.handler({topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}, {partitionIndex: 1}]}]}, fx.ctx(2))
      const [p0, p1] = r.topics[0].partitions
      assert.equal(p0.errorCode, 0)
      assert.equal(p0.leaderId, 1)
      assert.equal(p0.leaderEpoch, 1)
      assert.equal(p0.highWatermark, fx.server.raft.logEndOffset())
      assert.deepEqual(p0.currentVoters.map((v: any) => [v.replicaId, v.logEndOffset]), [[1, fx.server.raft.logEndOffset()]])
      assert.equal(p1.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
      assert.deepEqual(r.nodes, [{nodeId: 1, listeners: [{name: 'CONTROLLER', host: 'localhost', port: 9093}]}])
    } finally {
      await fx.close()
    }
  })
})
