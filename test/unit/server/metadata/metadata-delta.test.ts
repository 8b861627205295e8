import assert from 'node:assert/strict'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {ConfigResourceType, MetadataImage} from '../../../../src/server/metadata/metadata-image.js'
import {MetadataCache} from '../../../../src/server/metadata/metadata-cache.js'
import {imageToRecords} from '../../../../src/server/metadata/image-records.js'
import {decodeMetadataRecord, encodeMetadataRecord, MetadataRecordError, MetadataRecordType as T, type MetadataRecord} from '../../../../src/server/metadata/metadata-record.js'

const TID = 'q6zqwJ1bRzSOx_rCKvWSAQ'

function records(): MetadataRecord[] {
  return [
    {type: T.FEATURE_LEVEL, version: 0, data: {name: 'metadata.version', featureLevel: 21}},
    {type: T.REGISTER_BROKER, version: 3, data: {brokerId: 1, incarnationId: 'AAAAAAAAAAAAAAAAAAAAAg', brokerEpoch: 1, endPoints: [{name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0}], features: [], rack: null, fenced: true, logDirs: []}},
    {type: T.BROKER_REGISTRATION_CHANGE, version: 0, data: {brokerId: 1, brokerEpoch: 1, fenced: -1}},
    {type: T.TOPIC, version: 0, data: {name: 'foo', topicId: TID}},
    {type: T.PARTITION, version: 0, data: {partitionId: 0, topicId: TID, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderEpoch: 0, partitionEpoch: 0}},
    {type: T.CONFIG, version: 0, data: {resourceType: ConfigResourceType.TOPIC, resourceName: 'foo', name: 'cleanup.policy', value: 'compact'}},
    {type: T.PRODUCER_IDS, version: 0, data: {brokerId: 1, brokerEpoch: 1, nextProducerId: 1000}},
  ]
}

function build(recs: MetadataRecord[], base = MetadataImage.empty('c1')): MetadataImage {
  const d = new MetadataDelta(base)
  recs.forEach((r, i) => d.replay(r, base.offset + 1 + i, 1))
  return d.apply()
}

describe('MetadataDelta / MetadataImage', () => {
  it('replays features, brokers, topics, partitions, configs and producer ids', () => {
    const img = build(records())
    assert.equal(img.metadataVersion, 21)
    assert.equal(img.offset, 6)
    assert.equal(img.brokers.get(1)!.fenced, false)
    assert.deepEqual(img.liveBrokers().map(b => b.id), [1])
    const t = img.topic('foo')!
    assert.equal(t.topicId, TID)
    assert.equal(img.topicsById.get(TID), t)
    assert.deepEqual(t.partitions.get(0)!.isr, [1])
    assert.equal(img.configsOf(ConfigResourceType.TOPIC, 'foo').get('cleanup.policy'), 'compact')
    assert.equal(img.nextProducerId, 1000)
  })

  it('is immutable: a delta leaves its base image unchanged and shares untouched parts', () => {
    const a = build(records())
    const b = build([{type: T.PARTITION_CHANGE, version: 0, data: {partitionId: 0, topicId: TID, isr: null, leader: -1, replicas: null, removingReplicas: null, addingReplicas: null}}], a)
    assert.equal(a.topic('foo')!.partitions.get(0)!.leader, 1)
    const p = b.topic('foo')!.partitions.get(0)!
    assert.equal(p.leader, -1)
    assert.equal(p.leaderEpoch, 1)
    assert.equal(p.partitionEpoch, 1)
    assert.equal(b.brokers, a.brokers)
  })

  it('RemoveTopic deletes the topic and its configs and reports it', () => {
    const a = build(records())
    const d = new MetadataDelta(a)
    d.replay({type: T.REMOVE_TOPIC, version: 0, data: {topicId: TID}}, 7, 1)
    const b = d.apply()
    assert.equal(b.topic('foo'), undefined)
    assert.equal(b.topicsById.size, 0)
    assert.equal(b.configsOf(ConfigResourceType.TOPIC, 'foo').size, 0)
    assert.equal(d.deletedTopics.get(TID), 'foo')
  })

  it('a config with a null value removes it', () => {
    const a = build(records())
    const b = build([{type: T.CONFIG, version: 0, data: {resourceType: 2, resourceName: 'foo', name: 'cleanup.policy', value: null}}], a)
    assert.equal(b.configs.size, 0)
  })

  it('imageToRecords rebuilds an equal image (snapshot content)', () => {
    const a = build(records())
    const b = build(imageToRecords(a).map(r => decodeMetadataRecord(encodeMetadataRecord(r))))
    assert.deepEqual([...b.topicsByName.keys()], ['foo'])
    assert.deepEqual(b.topic('foo'), a.topic('foo'))
    assert.deepEqual(b.brokers.get(1), a.brokers.get(1))
    assert.deepEqual([...b.features], [...a.features])
    assert.equal(b.nextProducerId, 1000)
    assert.equal(b.configsOf(2, 'foo').get('cleanup.policy'), 'compact')
  })

  it('record framing: frame version 1, type, version; bad input is a MetadataRecordError', () => {
    const v = encodeMetadataRecord({type: T.TOPIC, version: 0, data: {name: 'foo', topicId: TID}})
    assert.deepEqual([...v.subarray(0, 3)], [1, 2, 0])
    assert.deepEqual(decodeMetadataRecord(v).data, {name: 'foo', topicId: TID})
    assert.throws(() => decodeMetadataRecord(Buffer.from([0, 2, 0])), MetadataRecordError)
    assert.throws(() => decodeMetadataRecord(Buffer.from([1, 99, 0])), /Unknown metadata record type 99/)
    assert.throws(() => decodeMetadataRecord(v.subarray(0, 5)), MetadataRecordError)
  })

  it('MetadataCache publishes to listeners and resolves waitForOffset', async () => {
    const cache = new MetadataCache('c1')
    const seen: number[] = []
    cache.onUpdate((_d, img) => seen.push(img.offset))
    const waiting = cache.waitForOffset(6)
    cache.replayBatch(records().slice(0, 3).map((record, i) => ({record, offset: i})), 2, 1)
    cache.replayBatch(records().slice(3).map((record, i) => ({record, offset: 3 + i})), 6, 1)
    await waiting
    assert.deepEqual(seen, [2, 6])
    assert.ok(cache.image.topic('foo'))
  })
})

describe('metadataViewOf', () => {
  it('adapts an image to the MetadataView seam, cached per image', async () => {
    const {metadataViewOf} = await import('../../../../src/server/metadata/image-metadata-view.js')
    const img = build(records())
    const v = metadataViewOf(img)
    assert.equal(metadataViewOf(img), v)
    assert.equal(v.metadataVersionLevel, 21)
    assert.deepEqual(v.topic('foo')!.partitions, [{topic: 'foo', topicId: TID, partition: 0, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0}])
    assert.equal(v.topicById(TID)!.name, 'foo')
    assert.deepEqual(v.brokers(), [{nodeId: 1, rack: null, fenced: false, endpoints: [{listenerName: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT'}]}])
    assert.equal(v.topicConfigs('foo').get('cleanup.policy'), 'compact')
    assert.deepEqual([...v.topics()].map(t => t.name), ['foo'])
  })
})
