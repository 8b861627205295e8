import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {ControllerServer} from '../../../../src/server/controller/controller-server.js'
import {AlterConfigOp} from '../../../../src/server/controller/quorum-controller.js'
import {ConfigResourceType} from '../../../../src/server/metadata/metadata-image.js'
import {writeBootstrapCheckpoint} from '../../../../src/server/storage/bootstrap-checkpoint.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {registerAndUnfence} from '../apis/admin-apis-helper.js'

function config(dir: string, extra: Record<string, string> = {}) {
  return buildServerConfig({
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': '1@localhost:9093',
    'listeners': 'PLAINTEXT://:9092,CONTROLLER://:9093',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': dir,
    'metadata.max.idle.interval.ms': '0',
    ...extra,
  })
}

const LISTENER = [{name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0}]

describe('QuorumController (combined, single voter)', () => {
  let dir: string
  let server: ControllerServer | null = null
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-ctrl-')) })
  afterEach(async () => {
    await server?.shutdown()
    server = null
    fs.rmSync(dir, {recursive: true, force: true})
  })

  async function start(extra: Record<string, string> = {}, register = true) {
    server = await ControllerServer.start({config: config(dir, extra), clusterId: 'c1', nodeId: 1})
    if (register) await registerAndUnfence(server.controller, 1, LISTENER)
    return server
  }

  it('bootstraps metadata.version 21 on an empty log, or the level from bootstrap.checkpoint', async () => {
    let s = await start({}, false)
    assert.equal(s.metadata.image.metadataVersion, 21)
    await s.shutdown()
    server = null
    fs.rmSync(dir, {recursive: true, force: true})
    fs.mkdirSync(dir)
    writeBootstrapCheckpoint(dir, 19)
    s = await start({}, false)
    assert.equal(s.metadata.image.metadataVersion, 19)
  })

  it('registers and unfences a broker; its epoch is the offset of its record', async () => {
    const s = await start({}, false)
    const {brokerEpoch} = await s.controller.registerBroker({brokerId: 1, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAg', listeners: LISTENER, rack: 'r1'})
    let b = s.metadata.image.brokers.get(1)!
    assert.equal(b.epoch, brokerEpoch)
    assert.equal(b.fenced, true)
    assert.equal(b.rack, 'r1')
    const hb = {brokerId: 1, brokerEpoch, currentMetadataOffset: brokerEpoch, wantFence: false, wantShutDown: false}
    await assert.rejects(s.controller.brokerHeartbeat({...hb, brokerEpoch: brokerEpoch + 5}), (e: {code?: number}) => e.code === ErrorCode.STALE_BROKER_EPOCH)
    await assert.rejects(s.controller.brokerHeartbeat({...hb, brokerId: 9}), (e: {code?: number}) => e.code === ErrorCode.STALE_BROKER_EPOCH)
    // Not caught up with its own registration: stays fenced.
    assert.deepEqual(await s.controller.brokerHeartbeat({...hb, currentMetadataOffset: brokerEpoch - 1}), {isCaughtUp: false, isFenced: true, shouldShutDown: false})
    assert.equal(s.metadata.image.brokers.get(1)!.fenced, true)
    assert.deepEqual(await s.controller.brokerHeartbeat(hb), {isCaughtUp: true, isFenced: false, shouldShutDown: false})
    b = s.metadata.image.brokers.get(1)!
    assert.equal(b.fenced, false)
    // Controlled shutdown: fenced, and told to go.
    assert.deepEqual(await s.controller.brokerHeartbeat({...hb, wantShutDown: true}), {isCaughtUp: true, isFenced: true, shouldShutDown: true})
    assert.equal(s.metadata.image.brokers.get(1)!.fenced, true)
  })

  it('creates topics with defaults, configs, and Kafka\'s error messages', async () => {
    const s = await start({'num.partitions': '3'})
    const res = await s.controller.createTopics([
      {name: 'foo', numPartitions: -1, replicationFactor: -1, configs: [{name: 'cleanup.policy', value: 'compact'}]},
      {name: 'bad name', numPartitions: 1, replicationFactor: 1},
      {name: 'rf3', numPartitions: 1, replicationFactor: 3},
      {name: 'cfg', numPartitions: 1, replicationFactor: 1, configs: [{name: 'foo', value: '1'}]},
      {name: 'zero', numPartitions: 0, replicationFactor: 1},
      {name: 'huge', numPartitions: 1_000_000_000, replicationFactor: 1},
      {name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [1]}, {partitionIndex: 1, brokerIds: [1]}]},
      {name: 'manual2', numPartitions: -1, replicationFactor: -1, assignments: [{partitionIndex: 0, brokerIds: [7]}]},
    ])
    const by = new Map(res.map(r => [r.name, r]))
    assert.equal(by.get('foo')!.errorCode, 0)
    assert.equal(by.get('foo')!.numPartitions, 3)
    assert.equal(by.get('foo')!.replicationFactor, 1)
    assert.equal(by.get('bad name')!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)
    assert.equal(by.get('rf3')!.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR)
    assert.equal(by.get('rf3')!.errorMessage, 'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.')
    assert.equal(by.get('cfg')!.errorCode, ErrorCode.INVALID_CONFIG)
    assert.equal(by.get('cfg')!.errorMessage, 'Unknown topic config name: foo')
    assert.equal(by.get('zero')!.errorCode, ErrorCode.INVALID_PARTITIONS)
    assert.equal(by.get('huge')!.errorCode, ErrorCode.INVALID_PARTITIONS)
    assert.equal(by.get('manual')!.numPartitions, 2)
    assert.equal(by.get('manual2')!.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT)
    const img = s.metadata.image
    const foo = img.topic('foo')!
    assert.equal(foo.topicId, by.get('foo')!.topicId)
    assert.equal(foo.partitions.size, 3)
    assert.deepEqual(foo.partitions.get(2), {partitionId: 2, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderEpoch: 0, partitionEpoch: 0})
    assert.equal(img.configsOf(ConfigResourceType.TOPIC, 'foo').get('cleanup.policy'), 'compact')
    assert.equal(img.topic('rf3'), undefined)

    const again = await s.controller.createTopics([{name: 'foo', numPartitions: 1, replicationFactor: 1}, {name: 'f.o', numPartitions: 1, replicationFactor: 1}, {name: 'f_o', numPartitions: 1, replicationFactor: 1}])
    assert.equal(again[0].errorCode, ErrorCode.TOPIC_ALREADY_EXISTS)
    assert.equal(again[0].errorMessage, "Topic 'foo' already exists.")
    assert.equal(again[1].errorCode, 0)
    assert.equal(again[2].errorMessage, "Topic 'f_o' collides with existing topic: f.o")

    const before = s.raft.logEndOffset()
    const v = await s.controller.createTopics([{name: 'vonly', numPartitions: 2, replicationFactor: 1}], true)
    assert.equal(v[0].errorCode, 0)
    assert.equal(s.raft.logEndOffset(), before)
    assert.equal(s.metadata.image.topic('vonly'), undefined)
  })

  it('deletes topics by name and id; unknown ones get UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID', async () => {
    const s = await start()
    const [a, b] = await s.controller.createTopics([{name: 'a', numPartitions: 1, replicationFactor: 1}, {name: 'b', numPartitions: 1, replicationFactor: 1}])
    const res = await s.controller.deleteTopics({names: ['a', 'nope'], topicIds: [b.topicId, 'AAAAAAAAAAAAAAAAAAAAAw']})
    assert.deepEqual(res.map(r => r.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0, ErrorCode.UNKNOWN_TOPIC_ID])
    assert.equal(res[0].topicId, a.topicId)
    assert.equal(res[2].name, 'b')
    assert.equal(s.metadata.image.topicsByName.size, 0)
  })

  it('delete.topic.enable=false refuses deletion', async () => {
    const s = await start({'delete.topic.enable': 'false'})
    await s.controller.createTopics([{name: 'a', numPartitions: 1, replicationFactor: 1}])
    const [r] = await s.controller.deleteTopics({names: ['a']})
    assert.equal(r.errorCode, ErrorCode.TOPIC_DELETION_DISABLED)
  })

  it('creates partitions with Kafka\'s messages', async () => {
    const s = await start()
    await s.controller.createTopics([{name: 'foo', numPartitions: 3, replicationFactor: 1}])
    const res = await s.controller.createPartitions([{name: 'foo', count: 3}, {name: 'foo', count: 1}, {name: 'nope', count: 4}])
    assert.equal(res[0].errorMessage, 'Topic already has 3 partition(s).')
    assert.equal(res[1].errorMessage, 'The topic foo currently has 3 partition(s); 1 would not be an increase.')
    assert.equal(res[2].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const [ok] = await s.controller.createPartitions([{name: 'foo', count: 5}])
    assert.equal(ok.errorCode, 0)
    assert.equal(s.metadata.image.topic('foo')!.partitions.size, 5)
  })

  it('alters topic and broker configs incrementally and legacy-style', async () => {
    const s = await start()
    await s.controller.createTopics([{name: 'foo', numPartitions: 1, replicationFactor: 1}])
    const T = ConfigResourceType.TOPIC
    let res = await s.controller.incrementalAlterConfigs([
      {resourceType: T, resourceName: 'foo', configs: [{name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '1000'}, {name: 'cleanup.policy', configOperation: AlterConfigOp.APPEND, value: 'compact'}]},
      {resourceType: T, resourceName: 'nope', configs: [{name: 'retention.ms', configOperation: AlterConfigOp.SET, value: '1'}]},
      {resourceType: T, resourceName: 'foo', configs: [{name: 'bogus', configOperation: AlterConfigOp.SET, value: '1'}]},
      {resourceType: ConfigResourceType.BROKER, resourceName: '1', configs: [{name: 'log.retention.ms', configOperation: AlterConfigOp.SET, value: '5000'}]},
    ])
    assert.deepEqual(res.map(r => r.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_CONFIG, 0])
    assert.equal(res[2].errorMessage, 'Unknown topic config name: bogus')
    let cfg = s.metadata.image.configsOf(T, 'foo')
    assert.equal(cfg.get('retention.ms'), '1000')
    assert.equal(cfg.get('cleanup.policy'), 'compact')
    assert.equal(s.metadata.image.configsOf(ConfigResourceType.BROKER, '1').get('log.retention.ms'), '5000')
    res = await s.controller.incrementalAlterConfigs([{resourceType: T, resourceName: 'foo', configs: [{name: 'retention.ms', configOperation: AlterConfigOp.DELETE, value: null}]}])
    assert.equal(res[0].errorCode, 0)
    assert.equal(s.metadata.image.configsOf(T, 'foo').has('retention.ms'), false)
    res = await s.controller.legacyAlterConfigs([{resourceType: T, resourceName: 'foo', configs: [{name: 'segment.bytes', value: '1048576'}]}])
    assert.equal(res[0].errorCode, 0)
    cfg = s.metadata.image.configsOf(T, 'foo')
    assert.deepEqual([...cfg], [['segment.bytes', '1048576']])
  })

  it('allocates producer id blocks of 1000 and survives a restart (from the log and a snapshot)', async () => {
    let s = await start({'metadata.log.max.record.bytes.between.snapshots': '300'})
    const epoch = s.metadata.image.brokers.get(1)!.epoch
    await assert.rejects(s.controller.allocateProducerIds(1, epoch + 1), (e: {code?: number}) => e.code === ErrorCode.STALE_BROKER_EPOCH)
    assert.deepEqual(await s.controller.allocateProducerIds(1, epoch), {firstProducerId: 0, size: 1000})
    assert.deepEqual(await s.controller.allocateProducerIds(1, epoch), {firstProducerId: 1000, size: 1000})
    await s.controller.createTopics([{name: 'foo', numPartitions: 2, replicationFactor: 1}])
    await s.controller.createTopics([{name: 'bar', numPartitions: 1, replicationFactor: 1}])
    assert.ok(s.raft.latestSnapshotId(), 'a snapshot was taken')
    const id = s.metadata.image.topic('foo')!.topicId
    await s.shutdown()
    s = await start({'metadata.log.max.record.bytes.between.snapshots': '300'}, false)
    assert.equal(s.metadata.image.topic('foo')!.topicId, id)
    assert.ok(s.metadata.image.topic('bar'))
    assert.equal(s.metadata.image.metadataVersion, 21)
    assert.deepEqual(await s.controller.allocateProducerIds(1, epoch), {firstProducerId: 2000, size: 1000})
  })
})

describe('QuorumController extras', () => {
  let dir: string
  let server: ControllerServer | null = null
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-ctrl2-')) })
  afterEach(async () => {
    await server?.shutdown()
    server = null
    fs.rmSync(dir, {recursive: true, force: true})
  })

  it('appends NoOpRecords when idle (metadata.max.idle.interval.ms)', async () => {
    server = await ControllerServer.start({config: config(dir, {'metadata.max.idle.interval.ms': '20'}), clusterId: 'c1', nodeId: 1})
    const start = server.metadata.image.offset
    const deadline = Date.now() + 5000
    while (server.metadata.image.offset < start + 2 && Date.now() < deadline) await new Promise(r => setTimeout(r, 10))
    assert.ok(server.metadata.image.offset >= start + 2, 'NoOps advanced the metadata offset')
  })

  it('operations fail with NOT_CONTROLLER after shutdown', async () => {
    server = await ControllerServer.start({config: config(dir), clusterId: 'c1', nodeId: 1})
    const s = server
    await s.shutdown()
    server = null
    await assert.rejects(s.controller.createTopics([{name: 'x', numPartitions: 1, replicationFactor: 1}]), (err: any) => err.code === ErrorCode.NOT_CONTROLLER)
  })
})
