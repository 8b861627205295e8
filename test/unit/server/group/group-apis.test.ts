// Group API handlers through the generated codecs: every request is encoded and decoded in the
// tested version, handled, and the response encoded and decoded again (so shapes must fit).
import assert from 'node:assert/strict'
import {API_CODECS} from '../../../../src/protocol/generated/messages/index.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {Reader} from '../../../../src/protocol/primitives/reader.js'
import {Writer} from '../../../../src/protocol/primitives/writer.js'
import type {ApiDefinition, RequestContext} from '../../../../src/server/apis/registry.js'
import {findCoordinator} from '../../../../src/server/apis/find-coordinator.js'
import {joinGroup} from '../../../../src/server/apis/join-group.js'
import {syncGroup} from '../../../../src/server/apis/sync-group.js'
import {heartbeat} from '../../../../src/server/apis/heartbeat.js'
import {leaveGroup} from '../../../../src/server/apis/leave-group.js'
import {offsetCommit} from '../../../../src/server/apis/offset-commit.js'
import {offsetFetch} from '../../../../src/server/apis/offset-fetch.js'
import {listGroups} from '../../../../src/server/apis/list-groups.js'
import {describeGroups} from '../../../../src/server/apis/describe-groups.js'
import {deleteGroups} from '../../../../src/server/apis/delete-groups.js'
import {offsetDelete} from '../../../../src/server/apis/offset-delete.js'
import {DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator} from '../../../../src/server/group/group-coordinator.js'
import {groupPartitionFor} from '../../../../src/server/group/group-partition.js'
import {FakeClock, FakeStorage} from './fakes.js'

const CONFIG = {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 3, initialRebalanceDelayMs: 0}

function makeCtx(opts: {topicExists: boolean, coord: GroupCoordinator | null}) {
  const created: unknown[] = []
  const partitions = [0, 1, 2].map(p => ({topic: '__consumer_offsets', topicId: 'x', partition: p, replicas: [p], isr: [p], leader: p, leaderEpoch: 0, partitionEpoch: 0}))
  const services = {
    nodeId: 0,
    config: {offsetsTopicNumPartitions: 3, offsetsTopicReplicationFactor: 1, offsetsTopicSegmentBytes: 1000},
    logger: {warn: () => {}},
    view: () => ({
      topic: (name: string) => (opts.topicExists && name === '__consumer_offsets' ? {name, topicId: 'x', isInternal: true, partitions} : undefined),
      brokers: () => [0, 1, 2].map(id => ({nodeId: id, rack: null, fenced: false, endpoints: [
        {listenerName: 'PLAINTEXT', host: `h${id}`, port: 9000 + id, securityProtocol: 'PLAINTEXT'},
        {listenerName: 'OTHER', host: `o${id}`, port: 8000 + id, securityProtocol: 'PLAINTEXT'},
      ]})),
    }),
    autoCreateTopics: async (t: unknown[]) => { created.push(...t); return [] },
    groupCoordinator: opts.coord,
  }
  const ctx = {apiVersion: 0, correlationId: 1, clientId: 'client-1', listenerName: 'PLAINTEXT', clientHost: '127.0.0.1',
    connectionId: 'c1', services, apis: new Map()} as unknown as RequestContext
  return {ctx, created}
}

async function call(api: ApiDefinition, version: number, body: unknown, ctx: RequestContext): Promise<any> {
  const codec = API_CODECS.get(api.spec.apiKey)!
  const w = new Writer()
  codec.writeRequest(w, body, version)
  const req = codec.readRequest(new Reader(w.toBuffer()), version)
  const res = await api.handler(req, {...ctx, apiVersion: version})
  const out = new Writer()
  codec.writeResponse(out, res, version)
  return codec.readResponse(new Reader(out.toBuffer()), version)
}

describe('group API handlers', () => {
  let coord: GroupCoordinator
  beforeEach(async () => {
    coord = new GroupCoordinator(new FakeStorage(), CONFIG, new FakeClock())
    for (let p = 0; p < 3; p++) await coord.onElection(p, 0)
  })
  afterEach(() => coord.close())

  it('FindCoordinator creates __consumer_offsets when missing and answers COORDINATOR_NOT_AVAILABLE', async () => {
    const {ctx, created} = makeCtx({topicExists: false, coord})
    const r = await call(findCoordinator, 3, {key: 'g', keyType: 0}, ctx)
    assert.equal(r.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(created, [{name: '__consumer_offsets', numPartitions: 3, replicationFactor: 1,
      configs: [{name: 'cleanup.policy', value: 'compact'}, {name: 'compression.type', value: 'producer'}, {name: 'segment.bytes', value: '1000'}]}])
  })

  it('FindCoordinator answers the partition leader on the request listener (v0-3 and batched v4+)', async () => {
    const {ctx} = makeCtx({topicExists: true, coord})
    for (const g of ['g', 'group-a', 'other']) {
      const p = groupPartitionFor(g, 3)
      const r = await call(findCoordinator, 2, {key: g, keyType: 0}, ctx)
      assert.deepEqual([r.errorCode, r.nodeId, r.host, r.port], [0, p, `h${p}`, 9000 + p])
    }
    const b = await call(findCoordinator, 4, {keyType: 0, coordinatorKeys: ['g', 'other']}, {...ctx, listenerName: 'OTHER'})
    assert.deepEqual(b.coordinators.map((c: any) => [c.key, c.nodeId, c.host, c.errorCode]),
      ['g', 'other'].map(g => [g, groupPartitionFor(g, 3), `o${groupPartitionFor(g, 3)}`, 0]))
    const txn = await call(findCoordinator, 4, {keyType: 1, coordinatorKeys: ['t']}, ctx)
    assert.equal(txn.coordinators[0].errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE)
  })

  it('join, sync, heartbeat, commit, fetch, describe, list, leave and delete through the codecs', async () => {
    const {ctx} = makeCtx({topicExists: true, coord})
    const protocols = [{name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xff, 0xff, 0xff, 0xff])}]
    const first = await call(joinGroup, 9, {groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', protocolType: 'consumer', protocols}, ctx)
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    assert.match(first.memberId, /^client-1-/)
    const joinP = call(joinGroup, 9, {groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: first.memberId, protocolType: 'consumer', protocols}, ctx)
    // initialRebalanceDelayMs = 0 on the fake clock: the delay timer is due at once.
    await (coord as any).clock.advance(0)
    const joined = await joinP
    assert.equal(joined.errorCode, 0)
    assert.equal(joined.generationId, 1)
    assert.equal(joined.leader, first.memberId)
    assert.equal(joined.members.length, 1)
    const m = first.memberId
    const synced = await call(syncGroup, 5, {groupId: 'g', generationId: 1, memberId: m, protocolType: 'consumer', protocolName: 'range',
      assignments: [{memberId: m, assignment: Buffer.from('abc')}]}, ctx)
    assert.deepEqual([synced.errorCode, synced.assignment.toString()], [0, 'abc'])
    assert.equal((await call(heartbeat, 4, {groupId: 'g', generationId: 1, memberId: m}, ctx)).errorCode, 0)
    assert.equal((await call(heartbeat, 0, {groupId: 'g', generationId: 2, memberId: m}, ctx)).errorCode, ErrorCode.ILLEGAL_GENERATION)

    const commit = await call(offsetCommit, 2, {groupId: 'g', generationIdOrMemberEpoch: 1, memberId: m, retentionTimeMs: -1,
      topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 5, committedMetadata: 'md'}]}]}, ctx)
    assert.equal(commit.topics[0].partitions[0].errorCode, 0)
    const v1 = await call(offsetFetch, 1, {groupId: 'g', topics: [{name: 't', partitionIndexes: [0, 1]}]}, ctx)
    assert.deepEqual(v1.topics[0].partitions.map((p: any) => [p.partitionIndex, p.committedOffset, p.metadata]), [[0, 5, 'md'], [1, -1, '']])
    const v5 = await call(offsetFetch, 5, {groupId: 'g', topics: null}, ctx)
    assert.deepEqual([v5.errorCode, v5.topics[0].name, v5.topics[0].partitions[0].committedOffset], [0, 't', 5])
    const v8 = await call(offsetFetch, 8, {groups: [{groupId: 'g', topics: null}, {groupId: 'none', topics: [{name: 't', partitionIndexes: [0]}]}]}, ctx)
    assert.deepEqual(v8.groups.map((g: any) => [g.groupId, g.errorCode, g.topics[0].partitions[0].committedOffset]), [['g', 0, 5], ['none', 0, -1]])

    const d = await call(describeGroups, 5, {groups: ['g', 'nope']}, ctx)
    assert.deepEqual(d.groups.map((g: any) => [g.groupId, g.groupState, g.protocolData, g.members.length]), [['g', 'Stable', 'range', 1], ['nope', 'Dead', '', 0]])
    assert.equal(d.groups[0].members[0].memberAssignment.toString(), 'abc')
    const l = await call(listGroups, 4, {statesFilter: ['stable']}, ctx)
    assert.deepEqual(l.groups.map((g: any) => [g.groupId, g.groupState]), [['g', 'Stable']])
    assert.equal((await call(deleteGroups, 2, {groupsNames: ['g']}, ctx)).results[0].errorCode, ErrorCode.NON_EMPTY_GROUP)

    const left = await call(leaveGroup, 0, {groupId: 'g', memberId: m}, ctx)
    assert.equal(left.errorCode, 0)
    await (coord as any).clock.advance(0)
    const od = await call(offsetDelete, 0, {groupId: 'g', topics: [{name: 't', partitions: [{partitionIndex: 0}]}]}, ctx)
    assert.deepEqual([od.errorCode, od.topics[0].partitions[0].errorCode], [0, 0])
    assert.equal((await call(deleteGroups, 1, {groupsNames: ['g', 'nope']}, ctx)).results.map((r: any) => r.errorCode).join(), `0,${ErrorCode.GROUP_ID_NOT_FOUND}`)
    const leftV3 = await call(leaveGroup, 3, {groupId: 'g', members: [{memberId: 'x', groupInstanceId: null}]}, ctx)
    assert.deepEqual([leftV3.errorCode, leftV3.members[0].errorCode], [0, ErrorCode.UNKNOWN_MEMBER_ID])
  })

  it('answers NOT_COORDINATOR for groups of partitions not led here', async () => {
    coord.onResignation(groupPartitionFor('g', 3))
    const {ctx} = makeCtx({topicExists: true, coord})
    assert.equal((await call(heartbeat, 1, {groupId: 'g', generationId: 1, memberId: 'm'}, ctx)).errorCode, ErrorCode.NOT_COORDINATOR)
    const f1 = await call(offsetFetch, 1, {groupId: 'g', topics: [{name: 't', partitionIndexes: [0]}]}, ctx)
    assert.equal(f1.topics[0].partitions[0].errorCode, ErrorCode.NOT_COORDINATOR)
    const f6 = await call(offsetFetch, 6, {groupId: 'g', topics: null}, ctx)
    assert.equal(f6.errorCode, ErrorCode.NOT_COORDINATOR)
    const c = await call(offsetCommit, 9, {groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', topics: [{name: 't', partitions: [{partitionIndex: 0, committedOffset: 1}]}]}, ctx)
    assert.equal(c.topics[0].partitions[0].errorCode, ErrorCode.NOT_COORDINATOR)
  })
})
