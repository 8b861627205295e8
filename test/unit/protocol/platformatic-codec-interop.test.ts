/**
 * Cross-checks the generated codecs in flexible (KIP-482) versions against an independent
 * implementation: @platformatic/kafka's request builders and response parsers.
 */
import assert from 'node:assert/strict'
import * as pk from '@platformatic/kafka'
import {Reader} from '../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../src/protocol/primitives/writer.js'
import {uuidToDashed} from '../../../src/protocol/primitives/uuid.js'
import {readApiVersionsRequest, writeApiVersionsResponse} from '../../../src/protocol/generated/messages/api-versions.js'
import {readMetadataRequest, writeMetadataResponse} from '../../../src/protocol/generated/messages/metadata.js'
import {readFetchRequest, writeFetchResponse} from '../../../src/protocol/generated/messages/fetch.js'

const p = pk as any
const TOPIC_ID = 'AQIDBAUGBwgJCgsMDQ4PEA'

function written(fn: (w: Writer) => void): Buffer {
  const w = new Writer()
  fn(w)
  return w.toBuffer()
}

const theirReader = (b: Buffer): any => p.Reader.from(b)

describe('generated codecs vs @platformatic/kafka (flexible versions)', () => {
  it('ApiVersions v3-v4 request and response', () => {
    for (const [v, mod] of [[3, p.apiVersionsV3], [4, p.apiVersionsV4]] as const) {
      const req: Buffer = mod.createRequest('plt', '1.0').buffer
      const r = new Reader(req)
      assert.deepEqual(readApiVersionsRequest(r, v), {clientSoftwareName: 'plt', clientSoftwareVersion: '1.0'})
      assert.equal(r.remaining(), 0)
      const body = written((w) => writeApiVersionsResponse(w, {apiKeys: [{apiKey: 1, minVersion: 4, maxVersion: 17}], throttleTimeMs: 3, finalizedFeaturesEpoch: 9}, v))
      const res = mod.parseResponse(0, 18, v, theirReader(body))
      assert.deepEqual(res.apiKeys.map((k: any) => [k.apiKey, k.minVersion, k.maxVersion]), [[1, 4, 17]])
      assert.equal(res.throttleTimeMs, 3)
    }
  })

  it('Metadata v12 request and response', () => {
    const req: Buffer = p.metadataV12.createRequest(['t1', 't2'], true, false).buffer
    const r = new Reader(req)
    const m = readMetadataRequest(r, 12)
    assert.equal(r.remaining(), 0)
    assert.deepEqual(m.topics!.map((t) => t.name), ['t1', 't2'])
    assert.equal(m.allowAutoTopicCreation, true)
    const body = written((w) => writeMetadataResponse(w, {
      brokers: [{nodeId: 1, host: 'localhost', port: 9092, rack: null}],
      clusterId: 'c',
      controllerId: 1,
      topics: [{name: 't1', topicId: TOPIC_ID, partitions: [{partitionIndex: 0, leaderId: 1, leaderEpoch: 2, replicaNodes: [1], isrNodes: [1]}]}],
    }, 12))
    const res = p.metadataV12.parseResponse(0, 3, 12, theirReader(body))
    assert.equal(res.brokers[0].host, 'localhost')
    assert.equal(res.brokers[0].rack, null)
    assert.equal(res.clusterId, 'c')
    assert.equal(res.topics[0].name, 't1')
    assert.equal(res.topics[0].topicId, uuidToDashed(TOPIC_ID))
    assert.equal(res.topics[0].partitions[0].leaderEpoch, 2)
  })

  it('Fetch v17 request and response', () => {
    const req: Buffer = p.fetchV17.createRequest(500, 1, 1048576, 1, 0, -1,
      [{topicId: uuidToDashed(TOPIC_ID), partitions: [{partition: 3, currentLeaderEpoch: 4, fetchOffset: 100n, lastFetchedEpoch: -1, partitionMaxBytes: 65536}]}],
      [], 'rack-a').buffer
    const r = new Reader(req)
    const m = readFetchRequest(r, 17)
    assert.equal(r.remaining(), 0)
    assert.equal(m.maxWaitMs, 500)
    assert.equal(m.isolationLevel, 1)
    assert.equal(m.sessionEpoch, -1)
    assert.equal(m.rackId, 'rack-a')
    assert.equal(m.topics[0].topicId, TOPIC_ID)
    assert.deepEqual(
      {partition: m.topics[0].partitions[0].partition, epoch: m.topics[0].partitions[0].currentLeaderEpoch, offset: m.topics[0].partitions[0].fetchOffset, max: m.topics[0].partitions[0].partitionMaxBytes},
      {partition: 3, epoch: 4, offset: 100, max: 65536},
    )
    const body = written((w) => writeFetchResponse(w, {
      sessionId: 7,
      responses: [{topicId: TOPIC_ID, partitions: [{partitionIndex: 3, highWatermark: 120, lastStableOffset: 120, logStartOffset: 0, records: null}]}],
    }, 17))
    const res = p.fetchV17.parseResponse(0, 1, 17, theirReader(body))
    assert.equal(res.sessionId, 7)
    assert.equal(res.responses[0].topicId, uuidToDashed(TOPIC_ID))
    assert.equal(res.responses[0].partitions[0].highWatermark, 120n)
    assert.equal(res.responses[0].partitions[0].preferredReadReplica, -1)
  })
})
