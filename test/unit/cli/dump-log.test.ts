/**
 * `kts dump-log` line for line on hand-built files with known fields (Kafka 3.9 `DumpLogSegments`
 * layout, see ../shared/spec/kafka-tools.md §7.7): a segment with an idempotent batch and a COMMIT
 * marker, its offset and time indexes (with a preallocated zero tail, and a mismatching copy), a
 * producer-state snapshot in Kafka's format, a KRaft snapshot `.checkpoint` with voters, and the
 * offsets decoder on hand-made `__consumer_offsets` records.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {dumpLogs, type DumpLogOptions} from '../../../src/cli/dump-log/dump-log.js'
import {MemorySink} from '../../../src/cli/dump-log/dump-output.js'
import {offsetsParser} from '../../../src/cli/dump-log/offsets-parser.js'
import {clusterMetadataParser, stringParser} from '../../../src/cli/dump-log/record-parsers.js'
import {MAX_INT} from '../../../src/cli/dump-log/segment-dump.js'
import {javaDoubleString} from '../../../src/protocol/json/message-json.js'
import {crc32c} from '../../../src/protocol/records/crc32c.js'
import {encodeEndTxnMarkerBatch, encodeRecordBatch, CompressionCodec} from '../../../src/protocol/records/records.js'
import {encodeMetadataRecord} from '../../../src/server/metadata/metadata-record.js'
import {encodeSnapshot} from '../../../src/server/raft/snapshot-file.js'
import {encodeGroupMetadataValue, encodeOffsetCommitKey, encodeOffsetCommitValue, encodeGroupMetadataKey} from '../../../src/server/group/group-records.js'
import {makeTempDir, removeTempDir} from '../../helpers/temp-dir.js'

const T = 1_733_000_000_000

function options(over: Partial<DumpLogOptions> = {}): DumpLogOptions {
  return {
    files: [], printContents: false, deepIteration: false, skipRecordMetadata: false, maxBytes: MAX_INT,
    maxMessageSize: 5 * 1024 * 1024, verifyOnly: false, sanityOnly: false, parser: stringParser, ...over,
  }
}

function dump(files: string[], over: Partial<DumpLogOptions> = {}): MemorySink {
  const sink = new MemorySink()
  dumpLogs(options({files, ...over}), sink)
  return sink
}

describe('kts dump-log (hand-built files, exact lines)', () => {
  let dir = ''
  let seg = ''
  let batchA: Buffer = Buffer.alloc(0)
  let batchB: Buffer = Buffer.alloc(0)
  before(() => {
    dir = makeTempDir('kts-dump-log-')
    seg = path.join(dir, '00000000000000000100.log')
    batchA = encodeRecordBatch({
      baseOffset: 100, partitionLeaderEpoch: 3, producerId: 7, producerEpoch: 1, baseSequence: 5,
      records: [
        {key: Buffer.from('k'), value: Buffer.from('v1'), timestamp: T, headers: [{key: 'a', value: Buffer.from('1')}, {key: 'b', value: null}]},
        {key: null, value: Buffer.from('v2'), timestamp: T + 5},
      ],
    })
    batchB = encodeEndTxnMarkerBatch({producerId: 7, producerEpoch: 1, coordinatorEpoch: 4, commit: true, baseOffset: 102, partitionLeaderEpoch: 3, timestamp: T + 9})
    fs.writeFileSync(seg, Buffer.concat([batchA, batchB, Buffer.from([0, 0, 0, 0, 0])]))
    const index = Buffer.alloc(32) // two entries + a preallocated zero tail
    index.writeInt32BE(1, 0); index.writeInt32BE(0, 4)
    index.writeInt32BE(2, 8); index.writeInt32BE(batchA.length, 12)
    fs.writeFileSync(seg.replace(/log$/, 'index'), index)
    const timeIndex = Buffer.alloc(36)
    timeIndex.writeBigInt64BE(BigInt(T + 5), 0); timeIndex.writeInt32BE(1, 8)
    timeIndex.writeBigInt64BE(BigInt(T + 9), 12); timeIndex.writeInt32BE(2, 20)
    fs.writeFileSync(seg.replace(/log$/, 'timeindex'), timeIndex)
  })
  after(() => removeTempDir(dir))

  const lineA = () => `baseOffset: 100 lastOffset: 101 count: 2 baseSequence: 5 lastSequence: 6 producerId: 7 producerEpoch: 1 partitionLeaderEpoch: 3 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: ${T + 5} size: ${batchA.length} magic: 2 compresscodec: none crc: ${batchA.readUInt32BE(17)} isvalid: true`
  const lineB = () => `baseOffset: 102 lastOffset: 102 count: 1 baseSequence: -1 lastSequence: -1 producerId: 7 producerEpoch: 1 partitionLeaderEpoch: 3 isTransactional: true isControl: true deleteHorizonMs: OptionalLong.empty position: ${batchA.length} CreateTime: ${T + 9} size: ${batchB.length} magic: 2 compresscodec: none crc: ${batchB.readUInt32BE(17)} isvalid: true`

  it('a segment: batch lines, record lines, the COMMIT marker, trailing bytes', () => {
    const shallow = dump([seg])
    assert.equal(shallow.stdout, [`Dumping ${seg}`, 'Log starting offset: 100', lineA(), lineB(), 'Found 5 invalid bytes at the end of 00000000000000000100.log', ''].join('\n'))
    const deep = dump([seg], {deepIteration: true, printContents: true})
    assert.equal(deep.stdout, [
      `Dumping ${seg}`, 'Log starting offset: 100', lineA(),
      `| offset: 100 CreateTime: ${T} keySize: 1 valueSize: 2 sequence: 5 headerKeys: [a,b] key: k payload: v1`,
      `| offset: 101 CreateTime: ${T + 5} keySize: -1 valueSize: 2 sequence: 6 headerKeys: [] payload: v2`,
      lineB(),
      `| offset: 102 CreateTime: ${T + 9} keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT coordinatorEpoch: 4`,
      'Found 5 invalid bytes at the end of 00000000000000000100.log', '',
    ].join('\n'))
    assert.equal(deep.stderr, '')
    const skip = dump([seg], {deepIteration: true, printContents: true, skipRecordMetadata: true})
    assert.deepEqual(skip.stdout.split('\n').slice(3, 5), ['| key: k payload: v1', ' payload: v2'], 'Kafka\'s prefix quirk without record metadata')
    const limited = dump([seg], {maxBytes: batchA.length + 10})
    assert.equal(limited.stdout, [`Dumping ${seg}`, 'Log starting offset: 100', lineA(), ''].join('\n'), '--max-bytes: whole batches only, no trailing-bytes line')
  })

  it('a corrupted batch is dumped with isvalid: false', () => {
    const bad = path.join(dir, 'bad', '00000000000000000100.log')
    fs.mkdirSync(path.dirname(bad), {recursive: true})
    const copy = Buffer.from(batchA)
    copy[copy.indexOf('v1')] ^= 0x01 // 'w1': records still parse, the CRC no longer matches
    fs.writeFileSync(bad, copy)
    const out = dump([bad], {deepIteration: true, printContents: true})
    assert.ok(out.stdout.split('\n')[2].endsWith(` crc: ${batchA.readUInt32BE(17)} isvalid: false`))
    assert.ok(out.stdout.split('\n')[3].endsWith(' key: k payload: w1'))
  })

  it('offset and time indexes: entries, verification, sanity check, mismatches', () => {
    const idx = seg.replace(/log$/, 'index')
    const tidx = seg.replace(/log$/, 'timeindex')
    const out = dump([idx, tidx])
    assert.equal(out.stdout, [`Dumping ${idx}`, 'offset: 101 position: 0', `offset: 102 position: ${batchA.length}`,
      `Dumping ${tidx}`, `timestamp: ${T + 5} offset: 101`, `timestamp: ${T + 9} offset: 102`, ''].join('\n'))
    assert.equal(out.stderr, '')
    assert.equal(dump([idx, tidx], {verifyOnly: true}).stdout, `Dumping ${idx}\nDumping ${tidx}\n`)
    assert.equal(dump([idx], {sanityOnly: true}).stdout, `Dumping ${idx}\n${idx} passed sanity check.\n`)
    // As in Kafka, a time index with its preallocated zero tail fails the start-up check (the last entry is read as timestamp 0).
    assert.throws(() => dump([tidx], {sanityOnly: true}), {message: `Corrupt time index found, time index file (${tidx}) has non-zero size but the last timestamp is 0 which is less than the first timestamp ${T + 5}`})

    const other = path.join(dir, 'mismatch')
    fs.mkdirSync(other)
    fs.copyFileSync(seg, path.join(other, '00000000000000000100.log'))
    const bad = Buffer.alloc(16)
    bad.writeInt32BE(1, 0); bad.writeInt32BE(batchA.length, 4)
    bad.writeInt32BE(2, 8); bad.writeInt32BE(0, 12)
    fs.writeFileSync(path.join(other, '00000000000000000100.index'), bad)
    const badTime = Buffer.alloc(12)
    badTime.writeBigInt64BE(BigInt(T + 1), 0); badTime.writeInt32BE(1, 8)
    fs.writeFileSync(path.join(other, '00000000000000000100.timeindex'), badTime)
    const mis = dump([path.join(other, '00000000000000000100.index'), path.join(other, '00000000000000000100.timeindex')])
    assert.equal(mis.stderr, [
      `Mismatches in :${path.join(other, '00000000000000000100.index')}`,
      '  Index offset: 102, log offset: 101',
      '  Index offset: 101, log offset: 102',
      `The following indexed offsets are not found in the log.`,
      'Indexed offset: 101, found log offset: 102', '',
    ].join('\n'), 'index mismatches newest first, as Kafka prepends them')
    const empty = path.join(other, '00000000000000000200.index')
    fs.writeFileSync(path.join(other, '00000000000000000200.log'), '')
    fs.writeFileSync(empty, '')
    assert.equal(dump([empty]).stdout, `Dumping ${empty}\n${empty} is empty.\n`)
  })

  it('a producer-state snapshot in Kafka\'s format (version 1, CRC-32C)', () => {
    const entries = [
      {pid: 7n, epoch: 1, lastSeq: 6, lastOffset: 101n, delta: 1, ts: BigInt(T + 5), coord: -1, txn: -1n},
      {pid: 9n, epoch: 0, lastSeq: 0, lastOffset: 150n, delta: 3, ts: BigInt(T + 7), coord: 4, txn: 148n},
      {pid: 11n, epoch: 2, lastSeq: -1, lastOffset: -1n, delta: 0, ts: BigInt(T), coord: 0, txn: -1n},
    ]
    const buf = Buffer.alloc(10 + entries.length * 46)
    buf.writeInt16BE(1, 0)
    buf.writeInt32BE(entries.length, 6)
    entries.forEach((e, i) => {
      const p = 10 + i * 46
      buf.writeBigInt64BE(e.pid, p); buf.writeInt16BE(e.epoch, p + 8); buf.writeInt32BE(e.lastSeq, p + 10)
      buf.writeBigInt64BE(e.lastOffset, p + 14); buf.writeInt32BE(e.delta, p + 22); buf.writeBigInt64BE(e.ts, p + 26)
      buf.writeInt32BE(e.coord, p + 34); buf.writeBigInt64BE(e.txn, p + 38)
    })
    buf.writeUInt32BE(crc32c(buf, 6, buf.length), 2)
    const file = path.join(dir, '00000000000000000152.snapshot')
    fs.writeFileSync(file, buf)
    assert.equal(dump([file]).stdout, [
      `Dumping ${file}`,
      `producerId: 7 producerEpoch: 1 coordinatorEpoch: -1 currentTxnFirstOffset: OptionalLong.empty lastTimestamp: ${T + 5} firstSequence: 5 lastSequence: 6 lastOffset: 101 offsetDelta: 1 timestamp: ${T + 5}`,
      `producerId: 9 producerEpoch: 0 coordinatorEpoch: 4 currentTxnFirstOffset: OptionalLong[148] lastTimestamp: ${T + 7} firstSequence: 2147483645 lastSequence: 0 lastOffset: 150 offsetDelta: 3 timestamp: ${T + 7}`,
      `producerId: 11 producerEpoch: 2 coordinatorEpoch: 0 currentTxnFirstOffset: OptionalLong.empty lastTimestamp: ${T} `,
      '',
    ].join('\n'))
    buf[20] ^= 1
    fs.writeFileSync(file, buf)
    const corrupt = dump([file])
    assert.equal(corrupt.stdout, `Dumping ${file}\n`)
    assert.match(corrupt.stderr, /^Snapshot is corrupt \(CRC is no longer valid\)\. Stored crc: \d+\. Computed crc: \d+\n$/)
  })

  it('a KRaft snapshot (.checkpoint) with --cluster-metadata-decoder: header, voters, records, footer', () => {
    const file = path.join(dir, '00000000000000000008-0000000002.checkpoint')
    const values = [
      encodeMetadataRecord({type: 12, version: 0, data: {name: 'metadata.version', featureLevel: 21}}),
      encodeMetadataRecord({type: 2, version: 0, data: {name: 'orders', topicId: 'kgXiR52vTKOLlmj2PYclKg'}}),
      encodeMetadataRecord({type: 14, version: 0, data: {entity: [{entityType: 'client-id', entityName: null}], key: 'producer_byte_rate', value: 1024, remove: false}}),
    ]
    const voters = [{id: 1, directoryId: 'J8aAPcfLQt2bqs1JT_rMgQ', endpoints: [{name: 'CONTROLLER', host: 'localhost', port: 9093}], kraftVersion: {min: 0, max: 1}}]
    const bytes = encodeSnapshot({endOffset: 8, epoch: 2}, values, T, T + 1, voters)
    fs.writeFileSync(file, bytes)
    const out = dump([file], {deepIteration: true, printContents: true, parser: clusterMetadataParser})
    const records = out.stdout.split('\n').filter(l => l.startsWith('| ')).map(l => l.replace(/^\| offset: (\d+) CreateTime: \d+ keySize: -?\d+ valueSize: \d+ sequence: -1 headerKeys: \[\]/, '$1'))
    assert.equal(out.stdout.split('\n')[1], 'Snapshot end offset: 8, epoch: 2')
    assert.deepEqual(records, [
      `0 SnapshotHeader {"version":0,"lastContainedLogTimestamp":${T}}`,
      '1 KRaftVersion {"version":0,"kRaftVersion":1}',
      '2 KRaftVoters {"version":0,"voters":[{"voterId":1,"voterDirectoryId":"J8aAPcfLQt2bqs1JT_rMgQ","endpoints":[{"name":"CONTROLLER","host":"localhost","port":9093}],"kRaftVersionFeature":{"minSupportedVersion":0,"maxSupportedVersion":1}}]}',
      '3 payload: {"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":21}}',
      '4 payload: {"type":"TOPIC_RECORD","version":0,"data":{"name":"orders","topicId":"kgXiR52vTKOLlmj2PYclKg"}}',
      '5 payload: {"type":"CLIENT_QUOTA_RECORD","version":0,"data":{"entity":[{"entityType":"client-id","entityName":null}],"key":"producer_byte_rate","value":1024.0,"remove":false}}',
      '6 SnapshotFooter {"version":0}',
    ])
    assert.match(out.stdout.split('\n')[2], /^baseOffset: 0 lastOffset: 2 count: 3 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 2 isTransactional: false isControl: true /)
  })

  it('--offsets-decoder on hand-made __consumer_offsets records (commit, group, tombstone, unknown type)', () => {
    const file = path.join(dir, 'offsets', '00000000000000000000.log')
    fs.mkdirSync(path.dirname(file), {recursive: true})
    const unknown = Buffer.alloc(4)
    unknown.writeInt16BE(42, 0)
    fs.writeFileSync(file, Buffer.concat([
      encodeRecordBatch({baseOffset: 0, records: [{key: encodeOffsetCommitKey({group: 'g', topic: 't', partition: 3}), value: encodeOffsetCommitValue({offset: 42, leaderEpoch: 5, metadata: 'm', commitTimestamp: T, expireTimestamp: -1}), timestamp: T}]}),
      encodeRecordBatch({baseOffset: 1, compression: CompressionCodec.Gzip, records: [
        {key: encodeGroupMetadataKey('g'), value: encodeGroupMetadataValue({protocolType: 'consumer', generation: 1, protocol: 'range', leader: 'm1', currentStateTimestamp: T, members: []}), timestamp: T},
        {key: encodeOffsetCommitKey({group: 'g', topic: 't', partition: 3}), value: null, timestamp: T},
        {key: unknown, value: Buffer.from([0, 0]), timestamp: T},
      ]}),
    ]))
    const out = dump([file], {deepIteration: true, printContents: true, parser: offsetsParser})
    const records = out.stdout.split('\n').filter(l => l.startsWith('| ')).map(l => l.replace(/^\| offset: (\d+) CreateTime: \d+ keySize: -?\d+ valueSize: -?\d+ sequence: -1 headerKeys: \[\]/, '$1'))
    assert.deepEqual(records, [
      '0 key: {"type":"1","data":{"group":"g","topic":"t","partition":3}} payload: {"version":"3","data":{"offset":42,"leaderEpoch":5,"metadata":"m","commitTimestamp":' + T + '}}',
      `1 key: {"type":"2","data":{"group":"g"}} payload: {"version":"3","data":{"protocolType":"consumer","generation":1,"protocol":"range","leader":"m1","currentStateTimestamp":${T},"members":[]}}`,
      '2 key: {"type":"1","data":{"group":"g","topic":"t","partition":3}} payload: <DELETE>',
      '3 key: Unknown record type 42 at offset 3, skipping.',
    ])
    assert.match(out.stdout, / compresscodec: gzip /)
  })

  it('unknown suffixes are ignored on stderr; Java doubles print as Java does', () => {
    const other = path.join(dir, 'notes.txt')
    fs.writeFileSync(other, 'x')
    const out = dump([other])
    assert.equal(out.stdout, `Dumping ${other}\n`)
    assert.equal(out.stderr, `Ignoring unknown file ${other}\n`)
    assert.deepEqual([1024, 0.5, 1e7, 1.5e-4, -3].map(javaDoubleString), ['1024.0', '0.5', '1.0E7', '1.5E-4', '-3.0'])
  })
})
