import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {
  encodeBootstrapCheckpoint, formatStorage, loadMetaPropertiesEnsemble, parseMetadataVersion, randomClusterId, randomDirectoryId,
  readBootstrapCheckpoint, readMetaProperties, storageInfo, StorageError, uuidStringProblem, writeMetaProperties,
} from '../../../../src/server/storage/index.js'
import {crc32c} from '../../../../src/protocol/records/crc32c.js'
import {ControlRecordType, decodeControlRecordKey, decodeRecordBatches} from '../../../../src/protocol/records/records.js'
import {decodeSnapshot, decodeSnapshotVoters} from '../../../../src/server/raft/snapshot-file.js'

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg'

describe('storage formatter', () => {
  let tmp: string
  const config = (extra: Record<string, string> = {}) => buildServerConfig({
    'process.roles': 'broker,controller',
    'node.id': '1',
    'controller.quorum.voters': '1@localhost:9093',
    listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': `${tmp}/b,${tmp}/a,${tmp}/b`,
    ...extra,
  })
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-format-'))))
  afterEach(() => fs.rmSync(tmp, {recursive: true, force: true}))

  it('formats sorted, de-duplicated dirs; first log dir is the metadata dir', () => {
    const r = formatStorage({config: config(), clusterId: CLUSTER_ID})
    assert.deepEqual(r.lines, [
      `Formatting data directory ${tmp}/a with metadata.version 3.9-IV0.`,
      `Formatting metadata directory ${tmp}/b with metadata.version 3.9-IV0.`,
    ])
    assert.deepEqual(r.formattedDirectories, [`${tmp}/a`, `${tmp}/b`])
    const a = readMetaProperties(`${tmp}/a`)!
    const b = readMetaProperties(`${tmp}/b`)!
    assert.equal(a.clusterId, CLUSTER_ID)
    assert.equal(a.nodeId, 1)
    assert.equal(a.version, 1)
    assert.notEqual(a.directoryId, b.directoryId)
    assert.deepEqual(readBootstrapCheckpoint(`${tmp}/b`), {features: {'metadata.version': 21}, otherRecords: []})
    assert.deepEqual(readBootstrapCheckpoint(`${tmp}/a`), {features: {'metadata.version': 21}, otherRecords: []})
  })

  it('honours --release-version and rejects too old or unknown versions', () => {
    const r = formatStorage({config: config(), clusterId: CLUSTER_ID, releaseVersion: '3.7'})
    assert.equal(r.metadataVersion, '3.7-IV4')
    assert.deepEqual(readBootstrapCheckpoint(`${tmp}/b`), {features: {'metadata.version': 19}, otherRecords: []})
    assert.deepEqual(parseMetadataVersion('3.9-IV0'), {level: 21, name: '3.9-IV0'})
    assert.throws(() => parseMetadataVersion('2.8'), /^MetadataVersionError: metadata.version 2.8-IV1 is too old to be supported.$/)
    assert.throws(() => formatStorage({config: config(), clusterId: CLUSTER_ID, releaseVersion: '9.9'}), /Unknown metadata.version '9.9'/)
  })

  it('fails on an already formatted dir before writing anything; --ignore-formatted skips it', () => {
    fs.mkdirSync(`${tmp}/b`)
    writeMetaProperties(`${tmp}/b`, {version: 1, nodeId: 1, clusterId: CLUSTER_ID, directoryId: randomDirectoryId()})
    assert.throws(() => formatStorage({config: config(), clusterId: CLUSTER_ID}), {
      name: 'StorageError',
      message: `Log directory ${tmp}/b is already formatted. Use --ignore-formatted to ignore this directory and format the others.`,
    })
    assert.ok(!fs.existsSync(`${tmp}/a`))
    const r = formatStorage({config: config(), clusterId: CLUSTER_ID, ignoreFormatted: true})
    assert.deepEqual(r.formattedDirectories, [`${tmp}/a`])
    const again = formatStorage({config: config(), clusterId: CLUSTER_ID, ignoreFormatted: true})
    assert.deepEqual(again.lines, ['All of the log directories are already formatted.'])
    assert.throws(() => formatStorage({config: config(), clusterId: randomClusterId(), ignoreFormatted: true}), /^StorageError: Invalid cluster.id in: /)
  })

  it('validates the cluster id, the mode and the quorum flags', () => {
    assert.throws(() => formatStorage({config: config(), clusterId: 'abc'}), /^StorageError: Cluster ID string abc does not appear to be a valid UUID: /)
    assert.throws(() => formatStorage({config: buildServerConfig({'log.dirs': tmp}), clusterId: CLUSTER_ID}), /appears to be for a legacy cluster/)
    assert.throws(() => formatStorage({config: config(), clusterId: CLUSTER_ID, standalone: true}), /You cannot specify controller.quorum.voters/)
    const dynamic = config({'controller.quorum.voters': '', 'controller.quorum.bootstrap.servers': 'localhost:9093'})
    assert.throws(() => formatStorage({config: dynamic, clusterId: CLUSTER_ID}), /you must specify one of the following: --standalone/)
    const r = formatStorage({config: dynamic, clusterId: CLUSTER_ID, standalone: true})
    assert.equal(r.lines[1], `Formatting dynamic metadata voter directory ${tmp}/b with metadata.version 3.9-IV0.`)
    assert.ok(!fs.readdirSync(tmp).some((f) => f.endsWith('.tmp')))
  })

  it('dynamic quorum: --standalone, --initial-controllers and --no-initial-controllers (KIP-853)', () => {
    const dynamic = (extra: Record<string, string> = {}) => config({'controller.quorum.voters': '', 'controller.quorum.bootstrap.servers': 'localhost:9093',
      'advertised.listeners': 'PLAINTEXT://localhost:9092,CONTROLLER://ctl1:9093', ...extra})
    const bootstrapSnapshot = `${tmp}/b/__cluster_metadata-0/00000000000000000000-0000000000.checkpoint`
    // --standalone: this node at its advertised controller listener, the metadata dir's directory id
    formatStorage({config: dynamic(), clusterId: CLUSTER_ID, standalone: true})
    const dirId = readMetaProperties(`${tmp}/b`)!.directoryId
    const bytes = fs.readFileSync(bootstrapSnapshot)
    assert.deepEqual(decodeSnapshotVoters(bytes), [{id: 1, directoryId: dirId, endpoints: [{name: 'CONTROLLER', host: 'ctl1', port: 9093}], kraftVersion: {min: 0, max: 1}}])
    assert.deepEqual(decodeSnapshot(bytes), [], 'no data records')
    const types = decodeRecordBatches(bytes).flatMap(b => b.records.map(r => decodeControlRecordKey(r.key).type))
    assert.deepEqual(types, [ControlRecordType.SNAPSHOT_HEADER, ControlRecordType.KRAFT_VERSION, ControlRecordType.KRAFT_VOTERS, ControlRecordType.SNAPSHOT_FOOTER])
    fs.rmSync(`${tmp}/a`, {recursive: true})
    fs.rmSync(`${tmp}/b`, {recursive: true})

    // --initial-controllers: the voter's metadata dir takes its directory id; the data dir gets a random one
    const ids = [randomDirectoryId(), randomDirectoryId()]
    const r = formatStorage({config: dynamic(), clusterId: CLUSTER_ID, initialControllers: `1@ctl1:9093:${ids[0]},2@[::1]:9094:${ids[1]}`})
    assert.deepEqual(r.lines, [`Formatting data directory ${tmp}/a with metadata.version 3.9-IV0.`, `Formatting dynamic metadata voter directory ${tmp}/b with metadata.version 3.9-IV0.`])
    assert.equal(readMetaProperties(`${tmp}/b`)!.directoryId, ids[0])
    assert.notEqual(readMetaProperties(`${tmp}/a`)!.directoryId, ids[0])
    assert.deepEqual(decodeSnapshotVoters(fs.readFileSync(bootstrapSnapshot))!.map(v => [v.id, v.directoryId, v.endpoints[0].host, v.endpoints[0].port]), [[1, ids[0], 'ctl1', 9093], [2, ids[1], '::1', 9094]])
    fs.rmSync(`${tmp}/a`, {recursive: true})
    fs.rmSync(`${tmp}/b`, {recursive: true})

    // --no-initial-controllers: no voters snapshot; the controller joins later
    const n = formatStorage({config: dynamic(), clusterId: CLUSTER_ID, noInitialControllers: true})
    assert.equal(n.lines[1], `Formatting dynamic metadata directory ${tmp}/b with metadata.version 3.9-IV0.`)
    assert.ok(!fs.existsSync(bootstrapSnapshot))

    // Kafka's rules and messages
    const fresh = {config: dynamic({'log.dirs': `${tmp}/c`}), clusterId: CLUSTER_ID}
    assert.throws(() => formatStorage(fresh), /^StorageError: Because controller.quorum.voters is not set on this controller, you must specify one of the following: --standalone, --initial-controllers, or --no-initial-controllers.$/)
    assert.throws(() => formatStorage({...fresh, initialControllers: `1@ctl1:9093:${ids[0]}`, config: config({'log.dirs': `${tmp}/c`})}), /^StorageError: You cannot specify controller.quorum.voters and format the node with --initial-controllers or --standalone/)
    assert.throws(() => formatStorage({...fresh, standalone: true, config: dynamic({'process.roles': 'broker', listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'PLAINTEXT://localhost:9092', 'log.dirs': `${tmp}/c`})}),
      /^StorageError: You can only use --standalone on a controller.$/)
    for (const [bad, message] of [['1ctl1:9093:x', 'No @ found in dynamic voter string.'], ['x@ctl1:9093:' + ids[0], 'Failed to parse node id in dynamic voter string.'],
      ['1@ctl1', 'No colon following hostname could be found.'], ['1@ctl1:9093', 'No colon following port could be found.'], ['1@ctl1:99999:' + ids[0], 'Invalid port 99999 in dynamic voter string.'],
      ['1@ctl1:9093:nope', 'Failed to parse directory ID in dynamic voter string.'], [`1@a:1:${ids[0]},1@b:2:${ids[1]}`, 'Node id 1 was specified more than once.']]) {
      assert.throws(() => formatStorage({...fresh, initialControllers: bad}), (err: Error) => err instanceof StorageError && err.message === message, bad)
    }
    assert.ok(!fs.existsSync(`${tmp}/c`), 'nothing written on a refused format')
    // a broker-only node needs none of the flags
    formatStorage({config: dynamic({'process.roles': 'broker', listeners: 'PLAINTEXT://:9092', 'advertised.listeners': 'PLAINTEXT://localhost:9092', 'log.dirs': `${tmp}/d`}), clusterId: CLUSTER_ID})
  })

  it('random ids are 22-char base64url, unique, never reserved or starting with -', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 2000; i++) {
      for (const id of [randomClusterId(), randomDirectoryId()]) {
        assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/)
        assert.equal(uuidStringProblem(id), null)
        seen.add(id)
      }
    }
    assert.equal(seen.size, 4000)
    const bytes = Buffer.from(randomClusterId(), 'base64url')
    assert.equal(bytes[6] >> 4, 4)
    assert.equal(bytes[8] >> 6, 2)
    assert.notEqual(uuidStringProblem('AAAA'), null)
    assert.notEqual(uuidStringProblem('MkU3OEVBNTcwNTJENDM2Q!'), null)
  })

  it('bootstrap.checkpoint is header batch, data batch, footer batch with valid CRCs', () => {
    const buf = encodeBootstrapCheckpoint(21, {}, 1000)
    const batches: {base: number, attrs: number, count: number}[] = []
    for (let pos = 0; pos < buf.length;) {
      const size = buf.readInt32BE(pos + 8) + 12
      assert.equal(buf.readInt8(pos + 16), 2)
      assert.equal(buf.readUInt32BE(pos + 17), crc32c(buf, pos + 21, pos + size))
      batches.push({base: Number(buf.readBigInt64BE(pos)), attrs: buf.readInt16BE(pos + 21), count: buf.readInt32BE(pos + 57)})
      pos += size
    }
    assert.deepEqual(batches, [{base: 0, attrs: 0x20, count: 1}, {base: 1, attrs: 0, count: 1}, {base: 2, attrs: 0x20, count: 1}])
    const decoded = decodeRecordBatches(buf)
    assert.deepEqual(decoded.map((b) => b.records.map((r) => (b.isControl ? decodeControlRecordKey(r.key).type : r.key))), [
      [ControlRecordType.SNAPSHOT_HEADER], [null], [ControlRecordType.SNAPSHOT_FOOTER],
    ])
    assert.equal(decoded[0].records[0].value!.length, 2 + 2 + 8 + 1) // int16 version + SnapshotHeaderRecord v0
    fs.writeFileSync(path.join(tmp, 'bootstrap.checkpoint'), buf.subarray(0, buf.length - 3))
    assert.throws(() => readBootstrapCheckpoint(tmp), /Truncated/)
    const corrupt = Buffer.from(buf)
    corrupt[corrupt.length - 1] ^= 1
    fs.writeFileSync(path.join(tmp, 'bootstrap.checkpoint'), corrupt)
    assert.throws(() => readBootstrapCheckpoint(tmp), /crc/i)
  })
})

describe('storage info and start-up check', () => {
  let tmp: string
  const config = () => buildServerConfig({
    'process.roles': 'broker,controller', 'node.id': '1', 'controller.quorum.voters': '1@localhost:9093',
    listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER', 'log.dirs': `${tmp}/logs`,
  })
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-ensemble-'))))
  afterEach(() => fs.rmSync(tmp, {recursive: true, force: true}))

  it('info: missing dir, unformatted dir, formatted dir', () => {
    assert.equal(storageInfo(config()).text, `Found problem:\n  ${tmp}/logs does not exist\n\n`)
    fs.mkdirSync(`${tmp}/logs`)
    const unformatted = storageInfo(config())
    assert.equal(unformatted.exitCode, 1)
    assert.equal(unformatted.text, `Found log directory:\n  ${tmp}/logs\n\nFound problem:\n  ${tmp}/logs is not formatted.\n\n`)
    formatStorage({config: config(), clusterId: CLUSTER_ID})
    const ok = storageInfo(config())
    assert.equal(ok.exitCode, 0)
    assert.match(ok.text, new RegExp(`^Found log directory:\\n  ${tmp}/logs\\n\\nFound metadata: \\{cluster.id=${CLUSTER_ID}, directory.id=\\S+, node.id=1, version=1\\}\\n\\n$`))
  })

  it('loadMetaPropertiesEnsemble: unformatted, ok, node id mismatch, missing directory.id rewritten', () => {
    assert.throws(() => loadMetaPropertiesEnsemble(config()), {
      name: 'StorageError',
      message: `No \`meta.properties\` found in ${tmp}/logs (have you run \`kts storage format\` to format the directory?)`,
    })
    formatStorage({config: config(), clusterId: CLUSTER_ID})
    const e = loadMetaPropertiesEnsemble(config())
    assert.equal(e.clusterId, CLUSTER_ID)
    assert.equal(e.nodeId, 1)
    assert.equal(e.metadataLogDir, `${tmp}/logs`)
    assert.equal(e.metadataDirectoryId, readMetaProperties(`${tmp}/logs`)!.directoryId)
    writeMetaProperties(`${tmp}/logs`, {version: 1, nodeId: 2, clusterId: CLUSTER_ID})
    assert.throws(() => loadMetaPropertiesEnsemble(config()), /^StorageError: Stored node id 2 doesn't match previous node id 1 in /)
    writeMetaProperties(`${tmp}/logs`, {version: 1, nodeId: 1, clusterId: CLUSTER_ID})
    const upgraded = loadMetaPropertiesEnsemble(config())
    assert.deepEqual(upgraded.rewritten, [`${tmp}/logs`])
    assert.equal(readMetaProperties(`${tmp}/logs`)!.directoryId, upgraded.metadataDirectoryId)
    assert.ok(new StorageError('x') instanceof Error)
  })
})
