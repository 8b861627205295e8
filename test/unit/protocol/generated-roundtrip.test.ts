/**
 * Round-trips every generated codec in every valid version with sample values built from the
 * schemas themselves (non-default values for every field present in the version, 1-2 element
 * arrays, tagged fields set; a second pass with every nullable field null), plus exact-byte
 * fixtures written by hand from the encoding rules in `../shared/kafka-protocol/README.md`.
 */
import assert from 'node:assert/strict'
import {existsSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {Reader, ProtocolDecodeError} from '../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../src/protocol/primitives/writer.js'
import {
  apiBaseName, contains, defaultSchemaDir, defaultValue, elementType, isArrayType, isPrimitive, kebabCase,
  loadSchema, parseVersions, type FieldSchema, type MessageSchema,
} from '../../../scripts/generate-protocol.js'
import {readApiVersionsRequest, writeApiVersionsResponse, readApiVersionsResponse} from '../../../src/protocol/generated/messages/api-versions.js'
import {readMetadataRequest, writeMetadataRequest} from '../../../src/protocol/generated/messages/metadata.js'
import {readProduceResponse, writeProduceResponse} from '../../../src/protocol/generated/messages/produce.js'
import {API_CODECS, API_SPECS} from '../../../src/protocol/generated/messages/index.js'
import {METADATA_RECORD_CODECS} from '../../../src/protocol/generated/metadata/index.js'
import {readRequestHeader, requestHeaderVersion, responseHeaderVersion, writeRequestHeader, writeResponseHeader} from '../../../src/protocol/header.js'

const SCHEMA_DIR = defaultSchemaDir()
const HAVE_SCHEMAS = existsSync(join(SCHEMA_DIR, 'message'))

type Codec = {read: (r: Reader, v: number) => any; write: (w: Writer, m: any, v: number) => void}

class Sampler {
  private structs = new Map<string, FieldSchema[]>()
  constructor(private schema: MessageSchema) {
    for (const cs of schema.commonStructs ?? []) this.structs.set(cs.name, cs.fields)
    const walk = (fields: FieldSchema[]): void => {
      for (const f of fields) {
        if (f.fields) {
          this.structs.set(isArrayType(f.type) ? elementType(f.type) : f.type, f.fields)
          walk(f.fields)
        }
      }
    }
    walk(schema.fields)
    for (const cs of schema.commonStructs ?? []) walk(cs.fields)
  }

  private fieldsOf(type: string): FieldSchema[] {
    const f = this.structs.get(type)
    if (!f) throw new Error(`unknown struct ${type}`)
    return f
  }

  private present(f: FieldSchema, v: number): boolean {
    return contains(parseVersions(f.versions ?? f.taggedVersions), v)
  }

  private nullableIn(f: FieldSchema, v: number): boolean {
    return contains(parseVersions(f.nullableVersions, {lo: 1, hi: 0}), v)
  }

  /** A non-default sample for a primitive type. */
  private primitive(t: string, f: FieldSchema, salt: number): unknown {
    const d = f.fields ? undefined : defaultValue(f)
    const pick = (a: unknown, b: unknown): unknown => (a === d ? b : a)
    switch (t) {
      case 'bool': return d !== true
      case 'int8': return pick(7 + salt, 9 + salt)
      case 'int16': return pick(300 + salt, 301 + salt)
      case 'uint16': return pick(65000 + salt, 65001 + salt)
      case 'int32': return pick(70000 + salt, -70000 - salt)
      case 'uint32': return pick(3000000000 + salt, 3000000001 + salt)
      case 'int64': return pick(1234567890123 + salt, -1234567890123 - salt)
      case 'float64': return pick(2.5 + salt, -3.25 - salt)
      case 'string': return `s-${f.name}-é${salt}`
      case 'bytes': return Buffer.from([1, 2, 3, salt & 0xff])
      case 'records': return Buffer.from(`records-${salt}`)
      case 'uuid': return Buffer.from([...Array(15).keys()].map((i) => i + 1).concat([salt & 0xff])).toString('base64url')
    }
    throw new Error(`not a primitive: ${t}`)
  }

  /** Builds a struct value for version `v`; `nulls`: set nullable fields to null. */
  build(fields: FieldSchema[], v: number, nulls: boolean, salt = 0): Record<string, unknown> {
    const o: Record<string, unknown> = {}
    for (const f of fields) {
      if (!this.present(f, v)) continue
      const name = f.name.charAt(0).toLowerCase() + f.name.slice(1)
      if (nulls && this.nullableIn(f, v)) {
        o[name] = null
        continue
      }
      o[name] = this.value(f, v, nulls, salt)
    }
    return o
  }

  private value(f: FieldSchema, v: number, nulls: boolean, salt: number): unknown {
    const t = f.type
    if (isArrayType(t)) {
      const e = elementType(t)
      if (isPrimitive(e)) return [0, 1].map((i) => this.primitive(e, {...f, type: e, default: undefined}, salt + i))
      return [0, 1].map((i) => this.build(this.fieldsOf(e), v, nulls, salt + i + 1))
    }
    if (isPrimitive(t)) return this.primitive(t, f, salt)
    return this.build(this.fieldsOf(t), v, nulls, salt + 1)
  }

  /** Projects `value` onto the fields present in version `v` (recursively). */
  project(fields: FieldSchema[], value: any, v: number): Record<string, unknown> {
    const o: Record<string, unknown> = {}
    for (const f of fields) {
      if (!this.present(f, v)) continue
      const name = f.name.charAt(0).toLowerCase() + f.name.slice(1)
      assert.ok(name in value, `field ${name} missing from decoded ${this.schema.name}`)
      const x = value[name]
      if (x === null || isPrimitive(f.type) || (isArrayType(f.type) && isPrimitive(elementType(f.type)))) {
        o[name] = x
      } else if (isArrayType(f.type)) {
        const ef = this.fieldsOf(elementType(f.type))
        o[name] = (x as any[]).map((e) => this.project(ef, e, v))
      } else {
        o[name] = this.project(this.fieldsOf(f.type), x, v)
      }
    }
    return o
  }
}

async function codecFor(s: MessageSchema, folder: string): Promise<Codec> {
  let mod: any
  if (s.type === 'request' || s.type === 'response') {
    mod = await import(`../../../src/protocol/generated/messages/${kebabCase(apiBaseName(s.name))}.js`)
  } else {
    mod = await import(`../../../src/protocol/generated/${folder}/${kebabCase(s.name)}.js`)
  }
  const read = mod[`read${s.name}`]
  const write = mod[`write${s.name}`]
  assert.equal(typeof read, 'function', `read${s.name}`)
  assert.equal(typeof write, 'function', `write${s.name}`)
  return {read, write}
}

function roundTrip(s: MessageSchema, codec: Codec): number {
  const sampler = new Sampler(s)
  const valid = parseVersions(s.validVersions)
  let checks = 0
  for (let v = valid.lo; v <= valid.hi; v++) {
    for (const nulls of [false, true]) {
      const sample = sampler.build(s.fields, v, nulls)
      const w = new Writer(16)
      codec.write(w, sample, v)
      const buf = w.toBuffer()
      const r = new Reader(buf)
      const decoded = codec.read(r, v)
      const where = `${s.name} v${v}${nulls ? ' (nulls)' : ''}`
      assert.equal(r.remaining(), 0, `${where}: trailing bytes`)
      assert.deepStrictEqual(sampler.project(s.fields, decoded, v), sampler.project(s.fields, sample, v), where)
      const w2 = new Writer(16)
      codec.write(w2, decoded, v)
      assert.ok(w2.toBuffer().equals(buf), `${where}: re-encoding differs`)
      checks++
    }
    // All defaults: an empty input writes and reads back.
    const w = new Writer()
    codec.write(w, {}, v)
    const r = new Reader(w.toBuffer())
    codec.read(r, v)
    assert.equal(r.remaining(), 0)
  }
  assert.throws(() => codec.read(new Reader(Buffer.alloc(64)), valid.hi === Infinity ? 1000 : valid.hi + 1), {name: 'ProtocolDecodeError'})
  return checks
}

function schemasIn(sub: string): MessageSchema[] {
  const dir = join(SCHEMA_DIR, sub)
  if (!existsSync(dir)) return []
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => loadSchema(join(dir, f)))
}

describe('generated codecs: round trip of every schema and version', function () {
  this.timeout(60_000)
  before(function () {
    if (!HAVE_SCHEMAS) this.skip()
  })

  it('every request and response', async () => {
    let checks = 0
    const all = schemasIn('message').filter((s) => s.type === 'request' || s.type === 'response')
    assert.equal(all.length, 176)
    for (const s of all) checks += roundTrip(s, await codecFor(s, 'messages'))
    assert.ok(checks > 1000)
  })

  it('headers, data schemas and storage/ProducerSnapshot', async () => {
    for (const s of schemasIn('message').filter((s) => s.type === 'header')) roundTrip(s, await codecFor(s, 'header'))
    const data = schemasIn('message').filter((s) => s.type === 'data')
    assert.ok(data.length >= 8)
    for (const s of data) roundTrip(s, await codecFor(s, 'data'))
    const snap = loadSchema(join(SCHEMA_DIR, 'storage', 'ProducerSnapshot.json'))
    roundTrip(snap, await codecFor(snap, 'data'))
  })

  it('metadata records', async () => {
    const metas = schemasIn('metadata').filter((s) => s.type === 'metadata')
    for (const s of metas) {
      roundTrip(s, await codecFor(s, 'metadata'))
      assert.equal(METADATA_RECORD_CODECS.get(s.apiKey!)?.spec.name, s.name)
    }
    assert.equal(METADATA_RECORD_CODECS.size, metas.length)
  })

  it('group and transaction coordinator records', async () => {
    const all = [...schemasIn('group-coordinator'), ...schemasIn('transaction-coordinator')]
    assert.ok(all.length >= 30)
    for (const s of all) roundTrip(s, await codecFor(s, 'coordinator'))
  })
})

describe('generated codecs: API index', () => {
  it('API_SPECS is sorted by key and API_CODECS covers it', () => {
    assert.equal(API_SPECS.length, 88)
    for (let i = 1; i < API_SPECS.length; i++) assert.ok(API_SPECS[i - 1].apiKey < API_SPECS[i].apiKey)
    assert.equal(API_CODECS.size, API_SPECS.length)
    const produce = API_CODECS.get(0)!.spec
    assert.deepEqual(
      {...produce},
      {apiKey: 0, name: 'Produce', minVersion: 0, maxVersion: 11, flexibleMinVersion: 9, listeners: ['broker', 'zkBroker'], latestVersionUnstable: false, deprecatedVersions: '0-6'},
    )
    assert.equal(API_CODECS.get(18)!.spec.flexibleMinVersion, 3)
    assert.equal(API_CODECS.get(26)!.spec.latestVersionUnstable, true)
  })
})

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex')

describe('generated codecs: exact bytes', () => {
  it('ApiVersions v3 request as kafkajs sends it (header v2 + body)', () => {
    const frame = hex(`
      0012 0003 00000001 0007 6b61666b616a73 00
      08 6b61666b616a73 06 322e322e34 00`)
    const r = new Reader(frame)
    assert.deepEqual(readRequestHeader(r), {apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'kafkajs'})
    assert.deepEqual(readApiVersionsRequest(r, 3), {clientSoftwareName: 'kafkajs', clientSoftwareVersion: '2.2.4'})
    assert.equal(r.remaining(), 0)
  })

  it('ApiVersions v3 response: compact arrays, tagged field 0 (SupportedFeatures) only when set', () => {
    const w = new Writer()
    writeApiVersionsResponse(w, {errorCode: 0, apiKeys: [{apiKey: 18, minVersion: 0, maxVersion: 3}], throttleTimeMs: 0}, 3)
    assert.deepEqual(w.toBuffer(), hex('0000 02 0012 0000 0003 00 00000000 00'))
    const w2 = new Writer()
    writeApiVersionsResponse(w2, {apiKeys: [], finalizedFeaturesEpoch: 7}, 3)
    // tag 1 (FinalizedFeaturesEpoch, default -1) = int64 7
    assert.deepEqual(w2.toBuffer(), hex('0000 01 00000000 01 01 08 0000000000000007'))
    assert.equal(readApiVersionsResponse(new Reader(w2.toBuffer()), 3).finalizedFeaturesEpoch, 7)
  })

  it('Metadata v1 request: int32 array of int16 strings; null = all topics', () => {
    const w = new Writer()
    writeMetadataRequest(w, {topics: [{name: 'foo'}]}, 1)
    assert.deepEqual(w.toBuffer(), hex('00000001 0003 666f6f'))
    const w2 = new Writer()
    writeMetadataRequest(w2, {topics: null}, 1)
    assert.deepEqual(w2.toBuffer(), hex('ffffffff'))
    assert.equal(readMetadataRequest(new Reader(hex('ffffffff')), 1).topics, null)
    assert.throws(() => readMetadataRequest(new Reader(hex('ffffffff')), 0), ProtocolDecodeError)
  })

  it('Produce v10 response with tagged NodeEndpoints; unknown tags are skipped', () => {
    const body = hex(`
      01 00000000
      01 00 0d 02 00000001 0268 00002384 00 00`)
    const w = new Writer()
    writeProduceResponse(w, {responses: [], nodeEndpoints: [{nodeId: 1, host: 'h', port: 9092, rack: null}]}, 10)
    assert.deepEqual(w.toBuffer(), body)
    const withUnknown = hex(`
      01 00000000
      02 00 0d 02 00000001 0268 00002384 00 00 05 02 abcd`)
    const m = readProduceResponse(new Reader(withUnknown), 10)
    assert.deepEqual(m.nodeEndpoints, [{nodeId: 1, host: 'h', port: 9092, rack: null}])
    // A tagged struct equal to its default struct is not written (Kafka compares with `new X()`).
    const w3 = new Writer()
    const part = {index: 0, errorCode: 0, baseOffset: 5, currentLeader: {leaderId: -1, leaderEpoch: -1}}
    writeProduceResponse(w3, {responses: [{name: 't', partitionResponses: [part]}]}, 10)
    const w4 = new Writer()
    writeProduceResponse(w4, {responses: [{name: 't', partitionResponses: [{...part, currentLeader: undefined}]}]}, 10)
    assert.deepEqual(w3.toBuffer(), w4.toBuffer())
    const w5 = new Writer()
    writeProduceResponse(w5, {responses: [{name: 't', partitionResponses: [{...part, currentLeader: {leaderId: 2, leaderEpoch: 3}}]}]}, 10)
    assert.equal(w5.length, w4.length + 11) // tag, size, int32, int32, empty tagged section of the struct
    // A tagged field whose size does not match its content is rejected.
    assert.throws(() => readProduceResponse(new Reader(hex('01 00000000 01 00 0e 02 00000001 0268 00002384 00 00 00')), 10), ProtocolDecodeError)
  })

  it('truncated input throws ProtocolDecodeError', () => {
    assert.throws(() => readMetadataRequest(new Reader(hex('00000001 0003 666f')), 1), ProtocolDecodeError)
    assert.throws(() => readMetadataRequest(new Reader(hex('7fffffff')), 1), ProtocolDecodeError)
  })
})

describe('request and response headers', () => {
  it('header versions follow flexibility, ControlledShutdown v0 and ApiVersions (KIP-511)', () => {
    assert.equal(requestHeaderVersion(18, 3), 2)
    assert.equal(requestHeaderVersion(18, 2), 1)
    assert.equal(requestHeaderVersion(3, 1), 1)
    assert.equal(requestHeaderVersion(3, 9), 2)
    assert.equal(requestHeaderVersion(7, 0), 0)
    assert.equal(requestHeaderVersion(7, 1), 1)
    assert.equal(requestHeaderVersion(9999, 5), 1)
    assert.equal(responseHeaderVersion(18, 3), 0)
    assert.equal(responseHeaderVersion(3, 9), 1)
    assert.equal(responseHeaderVersion(3, 8), 0)
  })

  it('reads v0 (ControlledShutdown v0), v1 and v2 request headers, and unknown keys as v1', () => {
    let r = new Reader(hex('0007 0000 0000002a ffff'))
    assert.deepEqual(readRequestHeader(r), {apiKey: 7, apiVersion: 0, correlationId: 42, clientId: null})
    assert.equal(r.remaining(), 2)
    r = new Reader(hex('0003 0001 0000002a ffff'))
    assert.deepEqual(readRequestHeader(r), {apiKey: 3, apiVersion: 1, correlationId: 42, clientId: null})
    assert.equal(r.remaining(), 0)
    r = new Reader(hex('0003 000c 0000002a 0001 61 01 00 01 ff'))
    assert.deepEqual(readRequestHeader(r), {apiKey: 3, apiVersion: 12, correlationId: 42, clientId: 'a'})
    assert.equal(r.remaining(), 0)
    r = new Reader(hex('7fff 0000 00000001 0001 62'))
    assert.deepEqual(readRequestHeader(r), {apiKey: 32767, apiVersion: 0, correlationId: 1, clientId: 'b'})
    const w = new Writer()
    writeRequestHeader(w, {apiKey: 3, apiVersion: 12, correlationId: 42, clientId: 'a'}, 2)
    assert.deepEqual(w.toBuffer(), hex('0003 000c 0000002a 0001 61 00'))
  })

  it('writes response headers v0 and v1', () => {
    const w = new Writer()
    writeResponseHeader(w, 5, 0)
    writeResponseHeader(w, 6, 1)
    assert.deepEqual(w.toBuffer(), hex('00000005 00000006 00'))
  })
})
