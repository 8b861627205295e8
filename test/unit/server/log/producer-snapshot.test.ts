import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {crc32c} from '../../../../src/protocol/records/crc32c.js'
import {
  CorruptSnapshotError, decodeProducerSnapshot, encodeProducerSnapshot, listProducerSnapshotOffsets, readProducerSnapshot,
  writeProducerSnapshot, deleteProducerSnapshots, type ProducerSnapshotEntry,
} from '../../../../src/server/log/producer-snapshot.js'
import {ProducerStateManager} from '../../../../src/server/replica/producer-state-manager.js'

const entry = (o: Partial<ProducerSnapshotEntry> = {}): ProducerSnapshotEntry => ({producerId: 1000, epoch: 2, lastSequence: 41, lastOffset: 977,
  offsetDelta: 4, timestamp: 1_700_000_000_123, coordinatorEpoch: -1, currentTxnFirstOffset: -1, ...o})

describe('producer snapshot files', () => {
  let dir: string
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-snap-')) })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('has Kafka\'s layout: int16 version 1, CRC-32C of bytes 6.., int32 count, 46-byte entries', () => {
    const buf = encodeProducerSnapshot([entry(), entry({producerId: 2 ** 40, epoch: 32767, lastSequence: 2147483647, currentTxnFirstOffset: 12, coordinatorEpoch: 5})])
    assert.equal(buf.length, 10 + 2 * 46)
    assert.equal(buf.readInt16BE(0), 1)
    assert.equal(buf.readUInt32BE(2), crc32c(buf, 6, buf.length))
    assert.equal(buf.readInt32BE(6), 2)
    // first entry, field by field
    assert.equal(buf.readBigInt64BE(10), 1000n)
    assert.equal(buf.readInt16BE(18), 2)
    assert.equal(buf.readInt32BE(20), 41)
    assert.equal(buf.readBigInt64BE(24), 977n)
    assert.equal(buf.readInt32BE(32), 4)
    assert.equal(buf.readBigInt64BE(36), 1_700_000_000_123n)
    assert.equal(buf.readInt32BE(44), -1)
    assert.equal(buf.readBigInt64BE(48), -1n)
    assert.deepEqual(decodeProducerSnapshot(buf)[1], entry({producerId: 2 ** 40, epoch: 32767, lastSequence: 2147483647, currentTxnFirstOffset: 12, coordinatorEpoch: 5}))
    assert.deepEqual(decodeProducerSnapshot(encodeProducerSnapshot([])), [])
  })

  it('round-trips through <20-digit offset>.snapshot files and refuses corrupt ones', () => {
    const file = writeProducerSnapshot(dir, 368769, [entry()])
    assert.equal(path.basename(file), '00000000000000368769.snapshot')
    assert.deepEqual(readProducerSnapshot(file), [entry()])
    writeProducerSnapshot(dir, 12, [])
    assert.deepEqual(listProducerSnapshotOffsets(dir), [12, 368769])
    const bytes = fs.readFileSync(file)
    bytes[20] ^= 1
    fs.writeFileSync(file, bytes)
    assert.throws(() => readProducerSnapshot(file), CorruptSnapshotError)
    const v2 = encodeProducerSnapshot([]); v2.writeInt16BE(2, 0)
    assert.throws(() => decodeProducerSnapshot(v2), /unknown file version 2/)
    deleteProducerSnapshots(dir, o => o > 100)
    assert.deepEqual(listProducerSnapshotOffsets(dir), [12])
  })

  it('carries the producer state across: duplicates and sequence gaps are still recognised after loading', () => {
    const m = new ProducerStateManager()
    m.update(7, 3, {firstSeq: 0, lastSeq: 9, firstOffset: 100, lastOffset: 109, timestampMs: 5})
    m.update(7, 3, {firstSeq: 10, lastSeq: 14, firstOffset: 200, lastOffset: 204, timestampMs: 6})
    const loaded = new ProducerStateManager()
    loaded.loadSnapshot(decodeProducerSnapshot(encodeProducerSnapshot(m.snapshotEntries())))
    assert.deepEqual(loaded.snapshotEntries(), [entry({producerId: 7, epoch: 3, lastSequence: 14, lastOffset: 204, offsetDelta: 4, timestamp: 6})])
    const dup = loaded.check(7, 3, 10, 14)
    assert.equal(dup.kind, 'duplicate')
    assert.equal(dup.kind === 'duplicate' && dup.batch.firstOffset, 200)
    assert.equal(loaded.check(7, 3, 15, 20).kind, 'ok')
    const gap = loaded.check(7, 3, 17, 20)
    assert.equal(gap.kind === 'error' && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal(loaded.check(7, 2, 15, 20).kind, 'error', 'an older epoch is fenced')
    loaded.removeExpired(6 + 86_400_001, 86_400_000)
    assert.equal(loaded.producerCount, 0, 'producer.id.expiration.ms expires idle producers')
  })

  it('carries transactions across: an open transaction holds the LSO again, the coordinator epoch of the last marker is kept', () => {
    const m = new ProducerStateManager()
    m.update(7, 1, {firstSeq: 0, lastSeq: 4, firstOffset: 10, lastOffset: 14, timestampMs: 5})
    m.beginTxn(7, 1, 10, 5)
    m.completeTxn(8, 2, 3, 20, true, 6)
    const loaded = new ProducerStateManager()
    loaded.loadSnapshot(decodeProducerSnapshot(encodeProducerSnapshot(m.snapshotEntries())))
    assert.equal(loaded.firstUnstableOffset(100), 10, 'producer 7\'s open transaction starts at 10')
    assert.equal(loaded.entry(7)?.currentTxnFirstOffset, 10)
    assert.equal(loaded.entry(8)?.coordinatorEpoch, 3, 'a producer known only from its marker is kept')
    assert.equal(loaded.checkMarker(8, 2, 2), ErrorCode.TRANSACTION_COORDINATOR_FENCED)
    loaded.removeExpired(5 + 86_400_001, 86_400_000)
    assert.ok(loaded.entry(7), 'a producer with an open transaction does not expire')
  })
})
