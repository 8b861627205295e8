// Group APIs over a real TCP listener (SocketServer + RequestDispatcher + GroupCoordinator on a
// fake log), driven by @platformatic/kafka's own request encoders/decoders: an independent
// client implementation checks our wire format for FindCoordinator, JoinGroup, SyncGroup,
// Heartbeat, OffsetCommit, OffsetFetch, DescribeGroups and LeaveGroup.
import assert from 'node:assert/strict'
import {
  Connection, describeGroupsV5, findCoordinatorV5, heartbeatV4, joinGroupV9, leaveGroupV5, offsetCommitV9, offsetFetchV9, syncGroupV5,
} from '@platformatic/kafka'
import {findCoordinator} from '../../../../src/server/apis/find-coordinator.js'
import {joinGroup} from '../../../../src/server/apis/join-group.js'
import {syncGroup} from '../../../../src/server/apis/sync-group.js'
import {heartbeat} from '../../../../src/server/apis/heartbeat.js'
import {leaveGroup} from '../../../../src/server/apis/leave-group.js'
import {offsetCommit} from '../../../../src/server/apis/offset-commit.js'
import {offsetFetch} from '../../../../src/server/apis/offset-fetch.js'
import {describeGroups} from '../../../../src/server/apis/describe-groups.js'
import {listGroups} from '../../../../src/server/apis/list-groups.js'
import type {ApiDefinition} from '../../../../src/server/apis/registry.js'
import type {BrokerServices} from '../../../../src/server/services.js'
import {DEFAULT_GROUP_COORDINATOR_CONFIG, GroupCoordinator} from '../../../../src/server/group/group-coordinator.js'
import {RequestDispatcher} from '../../../../src/server/network/request-dispatcher.js'
import {SocketServer} from '../../../../src/server/network/socket-server.js'
import {getLogger} from '../../../../src/server/util/logger.js'
import {FakeStorage} from './fakes.js'

describe('group APIs on the wire (@platformatic/kafka request codecs)', function () {
  this.timeout(20_000)
  let server: SocketServer
  let coord: GroupCoordinator
  let conn: Connection
  let port = 0

  before(async () => {
    coord = new GroupCoordinator(new FakeStorage(), {...DEFAULT_GROUP_COORDINATOR_CONFIG, offsetsTopicNumPartitions: 1, initialRebalanceDelayMs: 0})
    await coord.onElection(0, 0)
    const partitions = [{topic: '__consumer_offsets', topicId: 'x', partition: 0, replicas: [0], isr: [0], leader: 0, leaderEpoch: 0, partitionEpoch: 0}]
    const services = {
      nodeId: 0, clusterId: 'c', config: {get: () => undefined}, logger: getLogger('group-wire-test'),
      view: () => ({
        topic: (name: string) => (name === '__consumer_offsets' ? {name, topicId: 'x', isInternal: true, partitions} : undefined),
        brokers: () => [{nodeId: 0, rack: null, fenced: false, endpoints: [{listenerName: 'PLAINTEXT', host: '127.0.0.1', port, securityProtocol: 'PLAINTEXT'}]}],
      }),
      groupCoordinator: coord,
    } as unknown as BrokerServices
    const defs: ApiDefinition[] = [findCoordinator, joinGroup, syncGroup, heartbeat, leaveGroup, offsetCommit, offsetFetch, describeGroups, listGroups]
    const apis = new Map(defs.map(d => [d.spec.apiKey, d]))
    server = new SocketServer([{name: 'PLAINTEXT', host: '127.0.0.1', port: 0}], 100 * 1024 * 1024,
      () => new RequestDispatcher(apis, services, services.logger), services.logger)
    await server.start()
    port = server.boundPorts.get('PLAINTEXT')!
    conn = new Connection('wire-client')
    await conn.connect('127.0.0.1', port)
  })

  after(async () => {
    await conn?.close()
    await server?.stop()
    coord?.close()
  })

  it('forms a group, commits and fetches offsets, describes and leaves', async () => {
    const fc = await findCoordinatorV5.api.async(conn, 0, ['wg'])
    assert.deepEqual(fc.coordinators.map(c => [c.key, c.nodeId, c.host, c.port, c.errorCode]), [['wg', 0, '127.0.0.1', port, 0]])

    const protocols = [{name: 'roundrobin', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 255, 255, 255, 255])}]
    let memberId = ''
    await assert.rejects(joinGroupV9.api.async(conn, 'wg', 10_000, 20_000, '', null, 'consumer', protocols),
      (e: any) => {
        // MEMBER_ID_REQUIRED (79) carries the member id to rejoin with.
        const text = JSON.stringify(e, (_k, v) => typeof v === 'bigint' ? String(v) : v)
        const m = /"memberId":"([^"]+)"/.exec(text)
        assert.ok(m, `expected a member id in ${text}`)
        memberId = m[1]
        return text.includes('79') || text.includes('MEMBER_ID_REQUIRED')
      })
    const joined = await joinGroupV9.api.async(conn, 'wg', 10_000, 20_000, memberId, null, 'consumer', protocols)
    assert.equal(joined.generationId, 1)
    assert.equal(joined.leader, memberId)
    assert.equal(joined.protocolName, 'roundrobin')
    assert.equal(joined.members.length, 1)

    const synced = await syncGroupV5.api.async(conn, 'wg', 1, memberId, null, 'consumer', 'roundrobin',
      [{memberId, assignment: Buffer.from('assignment-1')}])
    assert.equal(Buffer.from(synced.assignment!).toString(), 'assignment-1')
    const hb = await heartbeatV4.api.async(conn, 'wg', 1, memberId, null)
    assert.equal(hb.errorCode, 0)

    const commit = await offsetCommitV9.api.async(conn, 'wg', 1, memberId, null,
      [{name: 'topic-a', partitions: [{partitionIndex: 0, committedOffset: 123n, committedLeaderEpoch: 4, committedMetadata: 'meta'}]}])
    assert.equal(commit.topics[0].partitions[0].errorCode, 0)
    const fetched = await offsetFetchV9.api.async(conn, [{groupId: 'wg', memberId: null, memberEpoch: -1, topics: [{name: 'topic-a', partitionIndexes: [0, 1]}]}], false)
    const parts = fetched.groups[0].topics[0].partitions
    assert.deepEqual(parts.map(p => [p.partitionIndex, String(p.committedOffset), p.committedLeaderEpoch, p.metadata]),
      [[0, '123', 4, 'meta'], [1, '-1', -1, '']])

    const described = await describeGroupsV5.api.async(conn, ['wg'], false)
    assert.equal(described.groups[0].groupState, 'Stable')
    assert.equal(described.groups[0].members[0].memberId, memberId)

    const left = await leaveGroupV5.api.async(conn, 'wg', [{memberId, groupInstanceId: null, reason: 'test'}])
    assert.equal(left.members[0].errorCode, 0)
    // The join phase with no members left completes on the (real) zero-delay timer.
    const deadline = Date.now() + 5000
    while (coord.group('wg')!.state !== 'Empty') {
      assert.ok(Date.now() < deadline, 'group did not become Empty')
      await new Promise(resolve => setTimeout(resolve, 10))
    }
  })
})
