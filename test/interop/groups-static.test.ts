/**
 * Static membership (KIP-345, `group.instance.id`) with librdkafka (confluent-kafka on
 * /usr/bin/python3) against a real `kts server start` process. A member process SIGKILLed and
 * started again with the same instance id within session.timeout.ms takes its old place: the
 * coordinator replaces the member id without a rebalance, so the others see no revocation, the
 * restarted member gets the same partitions and resumes at its commits, and the old member id is
 * gone, the generation unchanged. A static member that does not come back is removed after session.timeout.ms.
 */
import assert from 'node:assert/strict'
import {waitFor} from '../helpers/wait-for.js'
import {ErrorCode} from '../../src/protocol/errors.js'
import {API, RawGroupClient, SESSION_TIMEOUT_MS, startConfluentMember, type GroupMember, useGroupBroker} from './groups-check.js'

/** The group's generation, found by heartbeating as `memberId` (ILLEGAL_GENERATION for every other one). */
async function probeGeneration(raw: RawGroupClient, groupId: string, memberId: string): Promise<number> {
  for (let generationId = 0; generationId < 100; generationId++) {
    const {errorCode} = await raw.call(API.Heartbeat, 4, {groupId, generationId, memberId, groupInstanceId: null})
    if (errorCode === ErrorCode.NONE) return generationId
    assert.equal(errorCode, ErrorCode.ILLEGAL_GENERATION)
  }
  throw new Error(`no generation of ${groupId} below 100 accepts ${memberId}`)
}

describe('interop: static membership with librdkafka', function () {
  this.timeout(120_000)
  const suite = useGroupBroker({pythonModules: ['confluent_kafka']})

  it('a quick restart keeps the assignment without a rebalance; a member that stays away is removed after the session timeout', async () => {
    const h = await suite.harness('groups-static')
    const start = (name: string): GroupMember =>
      startConfluentMember(h, name, {'group.instance.id': `instance-${name}`, 'partition.assignment.strategy': 'range'})
    const [m1, m2, m3] = [start('m1'), start('m2'), start('m3')]
    const owners = await h.waitStable([m1, m2, m3])
    const a = await h.produce()
    await h.waitDelivered(a)
    h.checkOwners(a, owners)
    await h.waitCommittedToEnd()
    const before = await h.describe()
    const oldId = before.members.find(m => m.clientId === 'm2')!.memberId
    const m1Id = before.members.find(m => m.clientId === 'm1')!.memberId
    const raw = await RawGroupClient.connect(suite.broker.port)
    const generation = await probeGeneration(raw, h.groupId, m1Id).finally(() => raw.close())
    const events = new Map([m1, m3].map(m => [m, m.assignmentEvents.length]))

    // SIGKILL m2 and start it again at once with the same group.instance.id.
    const restartSeq = h.seq()
    await m2.kill()
    const m2b = start('m2')
    await waitFor(() => m2b.assigned(), {timeoutMs: 20_000, message: 'the restarted m2 to get its assignment'})
    assert.deepEqual(m2b.assigned(), owners.get(m2), 'the restarted static member got other partitions')
    const b = await h.produce()
    await h.waitDelivered(b)
    h.checkOwners(b, new Map([[m1, owners.get(m1)!], [m2b, owners.get(m2)!], [m3, owners.get(m3)!]]))
    h.checkDeliveries([...a, ...b])
    for (const p of owners.get(m2)!) assert.equal(h.firstDeliveryAfter('m2', p, restartSeq)?.offset, 10, `m2 resumed partition ${p} elsewhere than its commit`)

    // Past the old member's session timeout nothing happens: no rebalance, the old id is gone.
    const quietUntil = Date.now() + SESSION_TIMEOUT_MS + 1500
    await waitFor(async () => {
      for (const [m, n] of events) assert.equal(m.assignmentEvents.length, n, `${m.name} saw a rebalance: ${JSON.stringify(m.assignmentEvents.slice(n))}`)
      const d = await h.describe()
      assert.equal(d.state, 'Stable')
      assert.equal(d.members.length, 3)
      return Date.now() >= quietUntil
    }, {timeoutMs: SESSION_TIMEOUT_MS + 10_000, intervalMs: 250, message: 'a quiet session timeout'})
    const after = await h.describe()
    const newId = after.members.find(m => m.clientId === 'm2')!.memberId
    assert.notEqual(newId, oldId, 'the restarted member kept its old member id')
    assert.ok(!after.members.some(m => m.memberId === oldId), 'the old member id is still in the group')
    for (const m of after.members) if (m.clientId !== 'm2') assert.ok(before.members.some(x => x.memberId === m.memberId), `${m.clientId} has a new member id`)
    const raw2 = await RawGroupClient.connect(suite.broker.port)
    assert.equal(await probeGeneration(raw2, h.groupId, m1Id).finally(() => raw2.close()), generation, 'the generation changed')

    // A static member that does not come back is removed once its session expires; the others take its partitions.
    const killedAt = Date.now()
    await m3.kill()
    const rest = await h.waitStable([m1, m2b], SESSION_TIMEOUT_MS + 25_000)
    assert.ok(Date.now() - killedAt >= SESSION_TIMEOUT_MS - 1000, 'm3 removed before session.timeout.ms')
    const c = await h.produce()
    await h.waitDelivered(c)
    h.checkOwners(c, rest)
    h.checkDeliveries([...a, ...b, ...c])
    await Promise.all([m1.close(), m2b.close()])
  })
})
