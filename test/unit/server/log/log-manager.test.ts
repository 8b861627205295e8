import {strict as assert} from 'node:assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {LogManager, DEFAULT_LOG_CONFIG, parseTopicPartitionName, readCheckpointFile, writeCheckpointFile, type LogConfig} from '../../../../src/server/log/index.js'
import {makeBatch} from './batch-helper.js'

describe('LogManager and checkpoint files', () => {
  let root: string
  const cfg: LogConfig = {...DEFAULT_LOG_CONFIG, segmentBytes: 1000, indexIntervalBytes: 100, segmentIndexBytes: 4096, fileDeleteDelayMs: 0}
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'kts-lm-')) })
  afterEach(() => fs.rmSync(root, {recursive: true, force: true}))

  it('checkpoint files are byte-exact and round-trip', () => {
    const f = path.join(root, 'x-checkpoint')
    writeCheckpointFile(f, 0, ['orders 0 1532', 'orders 1 877'])
    assert.equal(fs.readFileSync(f, 'utf8'), '0\n2\norders 0 1532\norders 1 877\n')
    assert.ok(!fs.existsSync(f + '.tmp'))
    assert.deepEqual(readCheckpointFile(f), [['orders', '0', '1532'], ['orders', '1', '877']])
    fs.writeFileSync(f, '1\n0\n')
    assert.throws(() => readCheckpointFile(f), /version/)
    fs.writeFileSync(f, '0\n3\na 0 1\n')
    assert.throws(() => readCheckpointFile(f), /Expected 3/)
  })

  it('parses partition dir names from the last dash', () => {
    assert.deepEqual(parseTopicPartitionName('my-topic-12'), {topic: 'my-topic', partition: 12})
    assert.equal(parseTopicPartitionName('a-0.0123abcd-delete'), null)
    assert.equal(parseTopicPartitionName('nodash'), null)
    assert.equal(parseTopicPartitionName('t-x'), null)
  })

  it('creates logs, writes checkpoints and the clean-shutdown marker, and reloads', async () => {
    const dirA = path.join(root, 'a'); const dirB = path.join(root, 'b')
    const lm = new LogManager({logDirs: [dirA, dirB], defaultConfig: cfg})
    await lm.startup()
    const l0 = lm.getOrCreateLog({topic: 'my-topic', partition: 0}, 'AAAAAAAAAAAAAAAAAAAAAQ')
    const l1 = lm.getOrCreateLog({topic: 'my-topic', partition: 1}, 'AAAAAAAAAAAAAAAAAAAAAQ')
    assert.notEqual(path.dirname(l0.dir), path.dirname(l1.dir))
    for (let i = 0; i < 30; i++) l0.appendAsLeader(makeBatch({count: 2}), 0)
    l1.appendAsLeader(makeBatch({count: 5}), 0)
    l0.deleteOldSegments(Date.now(), 0)
    l0.maybeIncrementLogStartOffset(l0.segmentBaseOffsets()[1] + 1)
    const lso = l0.logStartOffset
    lm.checkpoint(new Map([['my-topic-0', 40], ['my-topic-1', 5]]))
    assert.equal(fs.readFileSync(path.join(dirA, 'replication-offset-checkpoint'), 'utf8'), '0\n1\nmy-topic 0 40\n')
    assert.equal(fs.readFileSync(path.join(dirA, 'log-start-offset-checkpoint'), 'utf8'), `0\n1\nmy-topic 0 ${lso}\n`)
    assert.equal(fs.readFileSync(path.join(dirB, 'log-start-offset-checkpoint'), 'utf8'), '0\n0\n')
    await lm.shutdown(7)
    assert.equal(fs.readFileSync(path.join(dirA, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n1\nmy-topic 0 60\n')
    assert.equal(fs.readFileSync(path.join(dirB, 'recovery-point-offset-checkpoint'), 'utf8'), '0\n1\nmy-topic 1 5\n')
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dirA, '.kafka_cleanshutdown'), 'utf8')), {version: 0, brokerEpoch: 7})
    // stray dirs are skipped
    fs.mkdirSync(path.join(dirA, '__cluster_metadata-0'))
    fs.mkdirSync(path.join(dirA, 'old-0.0123456789abcdef0123456789abcdef-delete'))
    fs.mkdirSync(path.join(dirA, 'moving-0.0123456789abcdef0123456789abcdef-future'))

    const lm2 = new LogManager({logDirs: [dirA, dirB], defaultConfig: cfg})
    await lm2.startup()
    assert.ok(!fs.existsSync(path.join(dirA, '.kafka_cleanshutdown')))
    assert.ok(!fs.existsSync(path.join(dirA, 'old-0.0123456789abcdef0123456789abcdef-delete')))
    assert.equal(lm2.allLogs().length, 2)
    const r0 = lm2.getLog({topic: 'my-topic', partition: 0})!
    assert.equal(r0.logEndOffset, 60)
    assert.equal(r0.logStartOffset, lso)
    assert.equal(r0.topicId, 'AAAAAAAAAAAAAAAAAAAAAQ')
    assert.equal(lm2.getLog({topic: 'my-topic', partition: 1})!.logEndOffset, 5)
    assert.deepEqual(lm2.readHighWatermarks(), new Map([['my-topic-0', 40], ['my-topic-1', 5]]))
    await lm2.deleteLog({topic: 'my-topic', partition: 1})
    assert.equal(lm2.getLog({topic: 'my-topic', partition: 1}), undefined)
    assert.deepEqual(fs.readdirSync(dirB).filter(n => n.startsWith('my-topic')), [])
    await lm2.shutdown(8)
  })

  it('recovers after an unclean shutdown (no marker): torn tail is truncated', async () => {
    const dirA = path.join(root, 'a')
    const lm = new LogManager({logDirs: [dirA], defaultConfig: cfg})
    await lm.startup()
    const l = lm.getOrCreateLog({topic: 't', partition: 0}, 'AAAAAAAAAAAAAAAAAAAAAQ')
    for (let i = 0; i < 30; i++) l.appendAsLeader(makeBatch({count: 2}), 0)
    lm.checkpoint()
    // simulate a crash: no close, no marker; tear the tail of the active segment
    const last = l.segmentBaseOffsets().at(-1)!
    const f = path.join(l.dir, String(last).padStart(20, '0') + '.log')
    fs.truncateSync(f, fs.statSync(f).size - 10)
    const lm2 = new LogManager({logDirs: [dirA], defaultConfig: cfg})
    await lm2.startup()
    assert.equal(lm2.getLog({topic: 't', partition: 0})!.logEndOffset, 58)
    await lm2.shutdown(1)
  })

  it('cleanupLogs applies retention with the given high watermark', async () => {
    const lm = new LogManager({logDirs: [path.join(root, 'a')], defaultConfig: {...cfg, retentionMs: 1000}})
    await lm.startup()
    const l = lm.getOrCreateLog({topic: 't', partition: 0}, 'AAAAAAAAAAAAAAAAAAAAAQ')
    for (let i = 0; i < 30; i++) l.appendAsLeader(makeBatch({count: 2, timestamp: 1000}), 0)
    lm.cleanupLogs(10_000_000, () => 0)
    assert.equal(l.logStartOffset, 0)
    lm.cleanupLogs(10_000_000, () => 60)
    assert.equal(l.logStartOffset, 60)
    assert.equal(l.numberOfSegments, 1)
    await lm.shutdown()
  })
})
