/**
 * Byte fixtures captured from real clients (kcat/librdkafka, confluent-kafka-python,
 * kafka-python, kafkajs, @platformatic/kafka) talking to a kts broker through a recording proxy:
 * `test/fixtures/wire/<client>.json`, written by `scripts/capture-fixtures.ts`.
 *
 * For every request frame: the generated codecs decode it (request header + body in the frame's
 * API version), consume exactly all bytes, and re-encoding the decoded value gives back the same
 * bytes. For every response frame (written by kts): it decodes in the request's version, consumes
 * all bytes and re-encodes identically. Then a few facts per client that show the bytes mean what
 * the client meant (idempotent producer id and compression codec in the record batch, group
 * protocol type, client software name, ...).
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {Reader} from '../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../src/protocol/primitives/writer.js'
import {API_CODECS} from '../../../src/protocol/generated/messages/index.js'
import {readConsumerProtocolSubscription} from '../../../src/protocol/generated/data/consumer-protocol-subscription.js'
import {readRequestHeader, readResponseHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader, writeResponseHeader, type RequestHeader} from '../../../src/protocol/header.js'
import {CompressionCodec, decodeRecordBatches, type DecodedRecordBatch} from '../../../src/protocol/records/records.js'
import {repoRoot} from '../../helpers/run-cli.js'
import type {WireFixture, WireFixtureFile} from '../../helpers/wire-fixture.js'

// From the source tree, also when the suite runs compiled from dist/.
const FIXTURE_DIR = path.join(repoRoot(), 'test', 'fixtures', 'wire')
const MAX_FIXTURE_BYTES = 64 * 1024
const CLIENTS = ['kcat', 'confluent-kafka-python', 'kafka-python', 'kafkajs', 'platformatic']

interface DecodedRequest {
  header: RequestHeader
  body: any
}

function load(client: string): WireFixtureFile {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${client}.json`), 'utf8')) as WireFixtureFile
}

function codecOf(fx: WireFixture): NonNullable<ReturnType<typeof API_CODECS.get>> {
  const codec = API_CODECS.get(fx.apiKey)
  assert.ok(codec, `no codec for API key ${fx.apiKey}`)
  assert.equal(codec.spec.name, fx.api)
  return codec
}

function decodeRequest(fx: WireFixture): DecodedRequest {
  const r = new Reader(Buffer.from(fx.request, 'hex'))
  const header = readRequestHeader(r)
  assert.equal(header.apiKey, fx.apiKey)
  assert.equal(header.apiVersion, fx.apiVersion)
  const body = codecOf(fx).readRequest(r, fx.apiVersion)
  assert.equal(r.remaining(), 0, `${fx.api} v${fx.apiVersion} request: ${r.remaining()} bytes left after decoding`)
  return {header, body}
}

function encodeRequest(fx: WireFixture, d: DecodedRequest): Buffer {
  const w = new Writer()
  writeRequestHeader(w, d.header, requestHeaderVersion(fx.apiKey, fx.apiVersion))
  codecOf(fx).writeRequest(w, d.body, fx.apiVersion)
  return w.toBuffer()
}

function decodeResponse(fx: WireFixture): {correlationId: number, body: any} {
  assert.ok(fx.response !== null)
  const r = new Reader(Buffer.from(fx.response, 'hex'))
  const correlationId = readResponseHeader(r, responseHeaderVersion(fx.apiKey, fx.apiVersion))
  const body = codecOf(fx).readResponse(r, fx.apiVersion)
  assert.equal(r.remaining(), 0, `${fx.api} v${fx.apiVersion} response: ${r.remaining()} bytes left after decoding`)
  return {correlationId, body}
}

function encodeResponse(fx: WireFixture, correlationId: number, body: any): Buffer {
  const w = new Writer()
  writeResponseHeader(w, correlationId, responseHeaderVersion(fx.apiKey, fx.apiVersion))
  codecOf(fx).writeResponse(w, body, fx.apiVersion)
  return w.toBuffer()
}

/** The one fixture of `api` in `file` (any version), decoded; fails when the client never sent it. */
function the(file: WireFixtureFile, api: string): {fx: WireFixture, req: DecodedRequest, resp: any} {
  const fx = file.fixtures.find((f) => f.api === api)
  assert.ok(fx, `${file.client} sent no ${api} request`)
  return {fx, req: decodeRequest(fx), resp: fx.response === null ? null : decodeResponse(fx).body}
}

/** Every batch of every partition of a Produce request. */
function producedBatches(req: DecodedRequest): DecodedRecordBatch[] {
  return req.body.topicData.flatMap((t: any) => t.partitionData.flatMap((p: any) => decodeRecordBatches(p.records)))
}

/** Every batch of every partition of a Fetch response. */
function fetchedBatches(resp: any): DecodedRecordBatch[] {
  return resp.responses.flatMap((t: any) => t.partitions.flatMap((p: any) => (p.records ? decodeRecordBatches(p.records) : [])))
}

const VALUE = (prefix: string): RegExp => new RegExp(`^${prefix}-\\d+-(abcdefgh){16}$`)

/** Checks the Produce request of an idempotent (or not) producer with `codec`, and its response. */
function checkProduce(file: WireFixtureFile, opts: {codec: CompressionCodec, idempotent: boolean, valuePrefix: string, topic: string}): DecodedRecordBatch[] {
  const {req, resp} = the(file, 'Produce')
  assert.equal(req.body.acks, -1)
  assert.deepEqual(req.body.topicData.map((t: any) => t.name), [opts.topic])
  const batches = producedBatches(req)
  assert.ok(batches.length >= 1)
  for (const b of batches) {
    assert.equal(b.magic, 2)
    assert.equal(b.compression, opts.codec, `compression codec in the batch attributes (0x${b.attributes.toString(16)})`)
    assert.equal(b.isTransactional, false)
    if (opts.idempotent) {
      assert.ok(b.producerId >= 0, `idempotent producer id, got ${b.producerId}`)
      assert.ok(b.producerEpoch >= 0)
      assert.ok(b.baseSequence >= 0)
    } else {
      assert.equal(b.producerId, -1)
      assert.equal(b.baseSequence, -1)
    }
    assert.equal(b.records.length, b.recordsCount)
    for (const rec of b.records) {
      assert.match(rec.key!.toString(), /^k\d+$/)
      assert.match(rec.value!.toString(), VALUE(opts.valuePrefix))
    }
  }
  for (const t of resp.responses) for (const p of t.partitionResponses) assert.equal(p.errorCode, 0)
  if (opts.idempotent) {
    const init = the(file, 'InitProducerId')
    assert.equal(init.req.body.transactionalId, null)
    assert.equal(init.resp.errorCode, 0)
    for (const b of batches) {
      assert.equal(b.producerId, init.resp.producerId, 'the batch carries the producer id InitProducerId returned')
      assert.equal(b.producerEpoch, init.resp.producerEpoch)
    }
  }
  return batches
}

/**
 * Checks a consumer's JoinGroup: protocol type "consumer", subscription metadata (int16 version +
 * `ConsumerProtocolSubscription`) naming `topic`, decoded to its last byte. `opts.v1WithoutOwnedPartitions`:
 * the client labels its subscription version 1 but stops after the v0 fields (topics, user data).
 */
function checkJoinGroup(file: WireFixtureFile, groupId: string, topic: string, opts: {v1WithoutOwnedPartitions?: boolean} = {}): string[] {
  const {req, resp} = the(file, 'JoinGroup')
  assert.equal(req.body.groupId, groupId)
  assert.equal(req.body.protocolType, 'consumer')
  assert.ok(req.body.protocols.length >= 1)
  for (const p of req.body.protocols) {
    const r = new Reader(p.metadata)
    const version = r.readInt16()
    if (opts.v1WithoutOwnedPartitions) assert.equal(version, 1)
    const sub = readConsumerProtocolSubscription(r, opts.v1WithoutOwnedPartitions ? 0 : Math.min(version, 3))
    if (version <= 3) assert.equal(r.remaining(), 0, `${p.name} subscription v${version}: bytes left`)
    assert.ok(sub.topics.includes(topic), `${p.name} subscription ${JSON.stringify(sub.topics)} names ${topic}`)
  }
  assert.equal(resp.errorCode, 0)
  return req.body.protocols.map((p: any) => p.name)
}

/** Checks that a Fetch response carries the records `valuePrefix` names, compressed with `codec`. */
function checkFetched(file: WireFixtureFile, codec: CompressionCodec, valuePrefix: string): void {
  const {resp} = the(file, 'Fetch')
  const batches = fetchedBatches(resp)
  assert.ok(batches.length >= 1, 'the Fetch response holds record batches')
  for (const b of batches) {
    assert.equal(b.compression, codec)
    for (const rec of b.records) assert.match(rec.value!.toString(), VALUE(valuePrefix))
  }
}

function checkCreateTopics(file: WireFixtureFile, topic: string): void {
  const {req, resp} = the(file, 'CreateTopics')
  const t = req.body.topics.find((x: any) => x.name === topic)
  assert.ok(t, `CreateTopics names ${topic}`)
  assert.equal(t.numPartitions, 2)
  assert.equal(t.replicationFactor, 1)
  assert.deepEqual(resp.topics.map((x: any) => [x.name, x.errorCode]), [[topic, 0]])
}

function checkDescribeConfigs(file: WireFixtureFile, topic: string): void {
  const {req, resp} = the(file, 'DescribeConfigs')
  assert.deepEqual(req.body.resources.map((r: any) => [r.resourceType, r.resourceName]), [[2, topic]])
  assert.equal(resp.results[0].errorCode, 0)
  assert.ok(resp.results[0].configs.some((c: any) => c.name === 'cleanup.policy' && c.value === 'delete'))
}

describe('wire fixtures captured from real clients', () => {
  it('there is a fixture file per client, each frame at most 64 KiB', () => {
    for (const client of CLIENTS) {
      const file = load(client)
      assert.equal(file.client, client)
      assert.ok(file.fixtures.length >= 10, `${client}: ${file.fixtures.length} fixtures`)
      for (const fx of file.fixtures) {
        assert.ok(fx.request.length / 2 <= MAX_FIXTURE_BYTES)
        assert.ok(fx.response === null || fx.response.length / 2 <= MAX_FIXTURE_BYTES)
      }
    }
  })

  for (const client of CLIENTS) {
    describe(client, () => {
      const file = load(client)

      it('every request decodes exactly and re-encodes to the same bytes', () => {
        for (const fx of file.fixtures) {
          const what = `${client} ${fx.api} v${fx.apiVersion} request`
          let d: DecodedRequest
          try {
            d = decodeRequest(fx)
          } catch (err) {
            throw new Error(`${what}: ${(err as Error).message}`)
          }
          assert.equal(encodeRequest(fx, d).toString('hex'), fx.request, `${what} re-encoded`)
        }
      })

      it('every response kts wrote decodes exactly and re-encodes to the same bytes', () => {
        for (const fx of file.fixtures) {
          if (fx.response === null) continue
          const what = `${client} ${fx.api} v${fx.apiVersion} response`
          let d: {correlationId: number, body: any}
          try {
            d = decodeResponse(fx)
          } catch (err) {
            throw new Error(`${what}: ${(err as Error).message}`)
          }
          assert.equal(d.correlationId, decodeRequest(fx).header.correlationId, `${what}: correlation id`)
          assert.equal(encodeResponse(fx, d.correlationId, d.body).toString('hex'), fx.response, `${what} re-encoded`)
        }
      })
    })
  }

  describe('what the clients said', () => {
    it('kcat (librdkafka): ApiVersions v3 with its software name, idempotent lz4 Produce, lz4 records fetched, group join', () => {
      const file = load('kcat')
      const av = the(file, 'ApiVersions')
      assert.equal(av.fx.apiVersion, 3)
      assert.equal(av.req.body.clientSoftwareName, 'librdkafka')
      assert.match(av.req.body.clientSoftwareVersion, /^\d+\.\d+\.\d+/)
      assert.equal(av.req.header.clientId, 'rdkafka')
      assert.equal(av.resp.errorCode, 0)
      // Produce listed from v0 (KAFKA-18659): librdkafka < 2.11.1 would otherwise send lz4 batches uncompressed.
      assert.equal(av.resp.apiKeys.find((k: any) => k.apiKey === 0).minVersion, 0)
      checkProduce(file, {codec: CompressionCodec.Lz4, idempotent: true, valuePrefix: 'kcat', topic: 'fixtures-kcat'})
      checkFetched(file, CompressionCodec.Lz4, 'kcat')
      const protocols = checkJoinGroup(file, 'fixtures-kcat-group', 'fixtures-kcat')
      assert.deepEqual(protocols, ['range', 'roundrobin']) // librdkafka's default partition.assignment.strategy
      const md = the(file, 'Metadata')
      assert.ok(md.resp.topics.some((t: any) => t.name === 'fixtures-kcat'))
      assert.deepEqual(md.resp.brokers.map((b: any) => [b.nodeId, b.host]), [[1, '127.0.0.1']])
    })

    it('confluent-kafka-python: librdkafka named by the binding, idempotent zstd Produce, admin CreateTopics/DescribeConfigs', () => {
      const file = load('confluent-kafka-python')
      const av = the(file, 'ApiVersions')
      assert.equal(av.fx.apiVersion, 3)
      assert.equal(av.req.body.clientSoftwareName, 'confluent-kafka-python')
      checkProduce(file, {codec: CompressionCodec.Zstd, idempotent: true, valuePrefix: 'confluent', topic: 'fixtures-confluent'})
      checkFetched(file, CompressionCodec.Zstd, 'confluent')
      checkJoinGroup(file, 'fixtures-confluent-group', 'fixtures-confluent')
      checkCreateTopics(file, 'fixtures-confluent')
      checkDescribeConfigs(file, 'fixtures-confluent')
      const commit = the(file, 'OffsetCommit')
      assert.equal(commit.req.body.groupId, 'fixtures-confluent-group')
      const committed = commit.req.body.topics.flatMap((t: any) => t.partitions.map((p: any) => p.committedOffset))
      assert.equal(committed.reduce((a: number, b: number) => a + b, 0), 10, 'the synchronous commit covers the 10 records read')
    })

    it('kafka-python: probes with ApiVersions v0, gzip Produce without idempotence, JoinGroup v2', () => {
      const file = load('kafka-python')
      const av = the(file, 'ApiVersions')
      assert.equal(av.fx.apiVersion, 0)
      assert.equal(av.fx.request.length / 2, 8 + 2 + av.req.header.clientId!.length, 'v0 has an empty body')
      assert.match(av.req.header.clientId!, /^kafka-python-/)
      assert.ok(av.resp.apiKeys.length > 10)
      checkProduce(file, {codec: CompressionCodec.Gzip, idempotent: false, valuePrefix: 'kafka-python', topic: 'fixtures-kafka-python'})
      checkFetched(file, CompressionCodec.Gzip, 'kafka-python')
      assert.equal(the(file, 'JoinGroup').fx.apiVersion, 2)
      checkJoinGroup(file, 'fixtures-kafka-python-group', 'fixtures-kafka-python')
      checkCreateTopics(file, 'fixtures-kafka-python')
      checkDescribeConfigs(file, 'fixtures-kafka-python')
    })

    it('kafkajs: ApiVersions v2, idempotent gzip Produce, JoinGroup "consumer" with RoundRobinAssigner, admin APIs', () => {
      const file = load('kafkajs')
      const av = the(file, 'ApiVersions')
      assert.equal(av.fx.apiVersion, 2)
      assert.equal(av.req.header.clientId, 'kts-fixtures-kafkajs')
      checkProduce(file, {codec: CompressionCodec.Gzip, idempotent: true, valuePrefix: 'kafkajs', topic: 'fixtures-kafkajs'})
      checkFetched(file, CompressionCodec.Gzip, 'kafkajs')
      assert.deepEqual(checkJoinGroup(file, 'fixtures-kafkajs-group', 'fixtures-kafkajs'), ['RoundRobinAssigner'])
      checkCreateTopics(file, 'fixtures-kafkajs')
      checkDescribeConfigs(file, 'fixtures-kafkajs')
      const dg = the(file, 'DescribeGroups')
      assert.deepEqual(dg.req.body.groups, ['fixtures-kafkajs-group'])
      assert.equal(dg.resp.groups[0].protocolType, 'consumer')
      assert.ok(the(file, 'ListGroups').resp.groups.some((g: any) => g.groupId === 'fixtures-kafkajs-group'))
    })

    it('@platformatic/kafka: flexible versions (Produce v11, Fetch by topic id), idempotent snappy Produce', () => {
      const file = load('platformatic')
      assert.equal(the(file, 'ApiVersions').req.body.clientSoftwareName, 'platformatic-kafka')
      const produce = the(file, 'Produce')
      assert.ok(produce.fx.apiVersion >= 9, 'a flexible Produce version')
      checkProduce(file, {codec: CompressionCodec.Snappy, idempotent: true, valuePrefix: 'platformatic', topic: 'fixtures-platformatic'})
      checkFetched(file, CompressionCodec.Snappy, 'platformatic')
      const fetch = the(file, 'Fetch')
      assert.ok(fetch.fx.apiVersion >= 13, 'a Fetch version that names topics by id')
      const created = the(file, 'CreateTopics').resp.topics[0]
      assert.ok(fetch.req.body.topics.some((t: any) => t.topicId === created.topicId), 'Fetch names the topic by the id CreateTopics returned')
      // @platformatic/kafka 1.35 writes subscription version 1 without v1's OwnedPartitions array
      // (Java's ConsumerProtocol would fail on it with a buffer underflow; the broker keeps it opaque).
      checkJoinGroup(file, 'fixtures-platformatic-group', 'fixtures-platformatic', {v1WithoutOwnedPartitions: true})
      checkCreateTopics(file, 'fixtures-platformatic')
      checkDescribeConfigs(file, 'fixtures-platformatic')
    })
  })
})
