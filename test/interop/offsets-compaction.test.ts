/**
 * `__consumer_offsets` is compacted (issue 11, acceptance 1): after many commits of the same 100
 * group-partitions (10 groups × 10 partitions, scaled down from the 1,000,000 commits; the
 * full size runs in `npm run bench`), the cleaner shrinks the partition to about one record per key,
 * and a restart loads the groups from that instead of the whole history, with the last committed
 * offsets intact. Sizes and load times (the coordinator's "Finished loading ... in N milliseconds"
 * line) before and after cleaning are printed.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {BrokerConnection} from '../../src/protocol/client/broker-connection.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {FindCoordinatorApi, type FindCoordinatorResponse} from '../../src/protocol/generated/messages/find-coordinator.js'
import {OffsetCommitApi, type OffsetCommitResponse} from '../../src/protocol/generated/messages/offset-commit.js'
import {OffsetFetchApi, type OffsetFetchResponse} from '../../src/protocol/generated/messages/offset-fetch.js'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {waitFor} from '../helpers/wait-for.js'
import {kafkajsClient, printBrokerOutputOnFailure, uniqueTopic} from './interop-check.js'

const GROUPS = 10
const PARTITIONS = 10
const ROUNDS = 400 // 400 × 100 = 40,000 commits

function partitionSize(b: BrokerHandle): number {
  const dir = path.join(b.logDir, '__consumer_offsets-0')
  return fs.readdirSync(dir).filter(f => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)
}

/** The load time of the last "Finished loading ... __consumer_offsets-0 in N milliseconds" line after `from` chars of output. */
async function loadTimeMs(b: BrokerHandle, from: number): Promise<number> {
  const m = await waitFor(() => /Finished loading offsets and group metadata from __consumer_offsets-0 in (\d+) milliseconds/.exec(b.output().slice(from)),
    {timeoutMs: 20_000, message: 'the group load line'})
  return Number(m[1])
}

describe('interop: __consumer_offsets compaction', function () {
  this.timeout(90_000)
  let broker: BrokerHandle | undefined
  let conn: BrokerConnection | undefined
  afterEach(function () { printBrokerOutputOnFailure(this, broker) })
  after(async () => { conn?.close(); await broker?.close() })

  const connect = async (b: BrokerHandle): Promise<BrokerConnection> => {
    conn?.close()
    const [host, port] = b.bootstrap.split(':')
    conn = await BrokerConnection.connect({host, port: Number(port), clientId: 'kts-offsets-compaction'})
    return conn
  }
  const fetchOffsets = async (c: BrokerConnection, group: string, topic: string): Promise<number[]> => {
    const res = await c.send(OffsetFetchApi, 7, {groupId: group, topics: [{name: topic, partitionIndexes: Array.from({length: PARTITIONS}, (_, i) => i)}], requireStable: false, groups: []}) as OffsetFetchResponse
    assert.equal(res.errorCode, ErrorCode.NONE)
    return res.topics[0].partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map(p => p.committedOffset)
  }

  it('many commits of 100 group-partitions shrink to the live offsets; restart loads them', async function () {
    if (process.env.KTS_TEST_BOOTSTRAP) this.skip()
    broker = await startBroker({overrides: {'offsets.topic.num.partitions': 1, 'offsets.topic.segment.bytes': 131072, 'log.cleaner.enable': false, 'log.cleaner.backoff.ms': 100}})
    const b = broker
    const topic = uniqueTopic('committed')
    const admin = kafkajsClient(b.bootstrap).admin()
    await admin.connect()
    await admin.createTopics({waitForLeaders: true, topics: [{topic, numPartitions: PARTITIONS, replicationFactor: 1}]})
    await admin.disconnect()
    let c = await connect(b)
    await waitFor(async () => {
      const res = await c.send(FindCoordinatorApi, 4, {key: '', keyType: 0, coordinatorKeys: ['g-0']}) as FindCoordinatorResponse
      return res.coordinators[0].errorCode === ErrorCode.NONE
    }, {timeoutMs: 20_000, message: 'the group coordinator'})
    const groups = Array.from({length: GROUPS}, (_, g) => `g-${g}`)
    const commit = async (group: string, round: number): Promise<void> => {
      const res = await c.send(OffsetCommitApi, 8, {groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
        topics: [{name: topic, partitions: Array.from({length: PARTITIONS}, (_, p) => ({partitionIndex: p, committedOffset: round * 1000 + p, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: ''}))}],
      }) as OffsetCommitResponse
      for (const p of res.topics[0].partitions) assert.equal(p.errorCode, ErrorCode.NONE)
    }
    for (let r = 0; r < ROUNDS; r++) await Promise.all(groups.map(g => commit(g, r)))
    const expected = Array.from({length: PARTITIONS}, (_, p) => (ROUNDS - 1) * 1000 + p)

    // before cleaning: the whole history is loaded at start
    c.close(); conn = undefined
    let mark = b.output().length
    await b.restart()
    const loadBefore = await loadTimeMs(b, mark)
    const sizeBefore = partitionSize(b)
    c = await connect(b)
    assert.deepEqual(await fetchOffsets(c, 'g-3', topic), expected)

    // the cleaner on: it compacts the partition
    fs.writeFileSync(b.configFile, fs.readFileSync(b.configFile, 'utf8').replace('log.cleaner.enable=false', 'log.cleaner.enable=true'))
    c.close(); conn = undefined
    await b.restart()
    await waitFor(() => /cleaned log __consumer_offsets-0/.test(b.output()), {timeoutMs: 30_000, message: 'a cleaner pass over __consumer_offsets-0'})
    const sizeAfter = partitionSize(b)
    mark = b.output().length
    await b.restart()
    const loadAfter = await loadTimeMs(b, mark)
    c = await connect(b)
    for (const g of groups) assert.deepEqual(await fetchOffsets(c, g, topic), expected, `offsets of ${g} after cleaning`)
    console.log(`      __consumer_offsets-0 after ${GROUPS * PARTITIONS * ROUNDS} commits of ${GROUPS * PARTITIONS} group-partitions: ` +
      `${sizeBefore} bytes, loaded in ${loadBefore} ms before cleaning; ${sizeAfter} bytes, loaded in ${loadAfter} ms after`)
    // everything but the active segment (at most offsets.topic.segment.bytes) shrank to one record per key
    assert.ok(sizeAfter < 131072 + 50_000, `size after cleaning ${sizeAfter}`)
    assert.ok(sizeAfter * 5 < sizeBefore, `size ${sizeBefore} → ${sizeAfter}`)
  })
})
