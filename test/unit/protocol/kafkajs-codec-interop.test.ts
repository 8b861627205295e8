/**
 * Cross-checks the generated codecs against an independent implementation: kafkajs's own
 * request encoders and response decoders (`kafkajs/src/protocol/requests/<api>/v<N>`).
 * Requests kafkajs encodes must decode with our readers to the same values; responses we
 * encode must decode with kafkajs's parsers to the values we wrote.
 */
import assert from 'node:assert/strict'
import {createRequire} from 'node:module'
import {Reader} from '../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../src/protocol/primitives/writer.js'
import {readMetadataRequest, writeMetadataResponse} from '../../../src/protocol/generated/messages/metadata.js'
import {readHeartbeatRequest} from '../../../src/protocol/generated/messages/heartbeat.js'
import {readFindCoordinatorRequest, writeFindCoordinatorResponse} from '../../../src/protocol/generated/messages/find-coordinator.js'
import {readListOffsetsRequest} from '../../../src/protocol/generated/messages/list-offsets.js'
import {writeApiVersionsResponse} from '../../../src/protocol/generated/messages/api-versions.js'

const require = createRequire(import.meta.url)
const kjs = (path: string): any => require(`kafkajs/src/protocol/requests/${path}`)

async function encodeKafkajs(path: string, args: unknown): Promise<Buffer> {
  const req = kjs(`${path}/request`)(args)
  const enc = await req.encode()
  return enc.buffer as Buffer
}

function written(fn: (w: Writer) => void): Buffer {
  const w = new Writer()
  fn(w)
  return w.toBuffer()
}

describe('generated codecs vs kafkajs encoders/decoders', () => {
  it('Metadata requests v0-v6', async () => {
    for (let v = 0; v <= 6; v++) {
      const buf = await encodeKafkajs(`metadata/v${v}`, {topics: ['a', 'bb'], allowAutoTopicCreation: false})
      const r = new Reader(buf)
      const m = readMetadataRequest(r, v)
      assert.equal(r.remaining(), 0, `v${v}`)
      assert.deepEqual(m.topics!.map((t) => t.name), ['a', 'bb'])
      assert.equal(m.allowAutoTopicCreation, v >= 4 ? false : true)
    }
  })

  it('Metadata responses v0-v6 decode in kafkajs', async () => {
    for (let v = 0; v <= 6; v++) {
      const body = written((w) => writeMetadataResponse(w, {
        throttleTimeMs: 5,
        brokers: [{nodeId: 1, host: 'localhost', port: 9092, rack: 'r1'}],
        clusterId: 'cid',
        controllerId: 1,
        topics: [{errorCode: 0, name: 't', isInternal: false, partitions: [{errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: []}]}],
      }, v))
      const decoded = await kjs(`metadata/v${v}/response`).decode(body)
      assert.equal(decoded.brokers[0].host, 'localhost', `v${v}`)
      assert.equal(decoded.brokers[0].port, 9092)
      assert.equal(decoded.topicMetadata[0].topic, 't')
      assert.deepEqual(decoded.topicMetadata[0].partitionMetadata[0].replicas, [1])
      if (v >= 1) assert.equal(decoded.controllerId, 1)
      if (v >= 2) assert.equal(decoded.clusterId, 'cid')
      if (v >= 3) assert.equal(v >= 6 ? decoded.clientSideThrottleTime : decoded.throttleTime, 5) // KIP-219 from v6
    }
  })

  it('ApiVersions responses v0-v2 decode in kafkajs', async () => {
    for (let v = 0; v <= 2; v++) {
      const body = written((w) => writeApiVersionsResponse(w, {errorCode: 0, apiKeys: [{apiKey: 0, minVersion: 3, maxVersion: 11}, {apiKey: 18, minVersion: 0, maxVersion: 4}], throttleTimeMs: 0}, v))
      const decoded = await kjs(`apiVersions/v${v}/response`).decode(body)
      assert.deepEqual(decoded.apiVersions, [{apiKey: 0, minVersion: 3, maxVersion: 11}, {apiKey: 18, minVersion: 0, maxVersion: 4}])
    }
  })

  it('FindCoordinator requests v0-v2 and responses', async () => {
    for (let v = 0; v <= 2; v++) {
      const args = v === 0 ? {groupId: 'g'} : {coordinatorKey: 'g', coordinatorType: 1}
      const r = new Reader(await encodeKafkajs(`findCoordinator/v${v}`, args))
      const m = readFindCoordinatorRequest(r, v)
      assert.equal(r.remaining(), 0)
      assert.equal(m.key, 'g')
      assert.equal(m.keyType, v >= 1 ? 1 : 0)
      const body = written((w) => writeFindCoordinatorResponse(w, {errorCode: 0, nodeId: 3, host: 'h', port: 9093}, v))
      const decoded = await kjs(`findCoordinator/v${v}/response`).decode(body)
      assert.deepEqual(decoded.coordinator, {nodeId: 3, host: 'h', port: 9093})
    }
  })

  it('Heartbeat requests v0-v3', async () => {
    for (let v = 0; v <= 3; v++) {
      const r = new Reader(await encodeKafkajs(`heartbeat/v${v}`, {groupId: 'g', groupGenerationId: 7, memberId: 'm', groupInstanceId: 'i'}))
      const m = readHeartbeatRequest(r, v)
      assert.equal(r.remaining(), 0)
      assert.deepEqual(m, {groupId: 'g', generationId: 7, memberId: 'm', groupInstanceId: v >= 3 ? 'i' : null})
    }
  })

  it('ListOffsets requests v0-v3', async () => {
    for (let v = 0; v <= 3; v++) {
      const buf = await encodeKafkajs(`listOffsets/v${v}`, {replicaId: -1, isolationLevel: 1, topics: [{topic: 't', partitions: [{partition: 2, timestamp: -1}]}]})
      const r = new Reader(buf)
      const m = readListOffsetsRequest(r, v)
      assert.equal(r.remaining(), 0)
      assert.equal(m.replicaId, -1)
      assert.equal(m.topics[0].name, 't')
      assert.equal(m.topics[0].partitions[0].partitionIndex, 2)
      assert.equal(m.topics[0].partitions[0].timestamp, -1)
      if (v >= 2) assert.equal(m.isolationLevel, 1)
    }
  })
})
