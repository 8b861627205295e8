import assert from 'node:assert/strict'
import {
  InvalidUuidError, METADATA_TOPIC_ID, ZERO_UUID, isValidUuidString, randomDashedUuid, randomDirectoryId, randomUuid, randomUuidBytes,
  uuidFromDashed, uuidStringProblem, uuidToBytes, uuidToDashed, uuidToString,
} from '../../../src/protocol/primitives/uuid.js'

describe('protocol/primitives/uuid', () => {
  it('has Kafka constants', () => {
    assert.equal(uuidToBytes(ZERO_UUID).toString('hex'), '0'.repeat(32))
    assert.equal(uuidToBytes(METADATA_TOPIC_ID).toString('hex'), '0'.repeat(31) + '1')
  })

  it('randomUuid is a 22-char version-4 uuid, never reserved or starting with -', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      const s = randomUuid()
      assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
      assert.ok(isValidUuidString(s))
      const b = uuidToBytes(s)
      assert.equal(b[6] >> 4, 4, 'version 4')
      assert.equal(b[8] >> 6, 2, 'IETF variant')
      seen.add(s)
    }
    assert.equal(seen.size, 2000)
  })

  it('randomDirectoryId is a 22-char version-4 uuid (DirectoryId.random), never reserved or starting with -', () => {
    for (let i = 0; i < 2000; i++) {
      const s = randomDirectoryId()
      assert.match(s, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
      assert.notEqual(s, 'AAAAAAAAAAAAAAAAAAAAAg')
      const b = uuidToBytes(s)
      assert.equal(b[6] >> 4, 4, 'version 4')
      assert.equal(b[8] >> 6, 2, 'IETF variant')
    }
  })

  it('randomUuidBytes / randomDashedUuid are RFC 4122 version-4 UUIDs (uuid package)', () => {
    const b = randomUuidBytes()
    assert.equal(b.length, 16)
    assert.equal(b[6] >> 4, 4)
    assert.equal(b[8] >> 6, 2)
    const dashed = new Set<string>()
    for (let i = 0; i < 100; i++) {
      const d = randomDashedUuid()
      assert.match(d, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      dashed.add(d)
    }
    assert.equal(dashed.size, 100)
  })

  it('validates uuid strings', () => {
    assert.ok(isValidUuidString('MkU3OEVBNTcwNTJENDM2Qk'))
    assert.ok(!isValidUuidString(''))
    assert.ok(!isValidUuidString('abc'))
    assert.ok(!isValidUuidString('MkU3OEVBNTcwNTJENDM2Qk=='))
    assert.equal(uuidStringProblem('MkU3OEVBNTcwNTJENDM2Qk=='), null)
    assert.ok(!isValidUuidString('MkU3OEVBNTcwNTJENDM2Q+'))
    assert.ok(!isValidUuidString('MkU3OEVBNTcwNTJENDM2QkAA'))
    assert.match(uuidStringProblem('abc') ?? '', /Unexpected length of uuid bytes: 2/)
    assert.throws(() => uuidToBytes('abc'), InvalidUuidError)
  })

  it('converts to and from the dashed form', () => {
    const dashed = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
    const s = uuidFromDashed(dashed)
    assert.equal(s.length, 22)
    assert.equal(uuidToDashed(s), dashed)
    assert.equal(uuidToString(Buffer.from(dashed.replace(/-/g, ''), 'hex')), s)
    assert.throws(() => uuidFromDashed('nope'), InvalidUuidError)
    assert.throws(() => uuidToString(Buffer.alloc(3)), RangeError)
  })
})
