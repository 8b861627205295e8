/**
 * Incremental cooperative rebalancing (KIP-429) with librdkafka's `cooperative-sticky` assignor
 * (confluent-kafka on /usr/bin/python3) against a real `kts server start` process. The classic
 * coordinator knows nothing of it: members rejoin with their owned partitions, the leader revokes
 * only what must move, and the members that gave partitions up rejoin for a second rebalance. The
 * test checks that members keep the partitions they are not asked to give up (no revocation of
 * them at all) when a member joins and when one is SIGKILLed, and that records still reach their
 * owners exactly once, resuming at the committed offsets.
 */
import assert from 'node:assert/strict'
import {useGroupBroker, SESSION_TIMEOUT_MS, startConfluentMember, type GroupMember} from './groups-check.js'

/** Partitions `m` reported revoked (or lost) after sequence point `afterSeq`. */
function revokedSince(m: GroupMember, afterSeq: number): number[] {
  return m.assignmentEvents.filter(e => e.seq > afterSeq && e.op !== 'assign').flatMap(e => e.delta)
}

describe('interop: cooperative-sticky rebalancing with librdkafka', function () {
  this.timeout(120_000)
  const suite = useGroupBroker({pythonModules: ['confluent_kafka']})

  it('moves only the partitions that change owner when a member joins and when one is killed', async () => {
    const h = await suite.harness('groups-coop')
    const start = (name: string): GroupMember => startConfluentMember(h, name, {'partition.assignment.strategy': 'cooperative-sticky'})
    const [m1, m2, m3] = [start('m1'), start('m2'), start('m3')]
    const first = await h.waitStable([m1, m2, m3])
    assert.equal((await h.describe()).protocol, 'cooperative-sticky')
    for (const [m, ps] of first) assert.equal(ps.length, 2, `${m.name} got ${ps.join(',')}`)
    const a = await h.produce()
    await h.waitDelivered(a)
    h.checkOwners(a, first)
    h.checkDeliveries(a)
    await h.waitCommittedToEnd()

    // A fourth member joins: each of the others gives up at most what m4 gets, and keeps the rest without a revocation.
    const joinSeq = h.seq()
    const m4 = start('m4')
    const second = await h.waitStable([m1, m2, m3, m4])
    for (const m of [m1, m2, m3]) {
      const kept = first.get(m)!.filter(p => second.get(m)!.includes(p))
      const revoked = revokedSince(m, joinSeq)
      assert.ok(kept.length > 0, `${m.name} kept nothing of ${first.get(m)!.join(',')}`)
      for (const p of kept) assert.ok(!revoked.includes(p), `${m.name} had partition ${p} revoked although it kept it (eager rebalance?)`)
      for (const p of revoked) assert.ok(second.get(m4)!.includes(p), `${m.name} gave up ${p}, which m4 did not get`)
      assert.deepEqual(second.get(m)!.filter(p => !first.get(m)!.includes(p)), [], `${m.name} gained partitions when a member joined`)
    }
    const b = await h.produce()
    await h.waitDelivered(b)
    h.checkOwners(b, second)
    h.checkDeliveries([...a, ...b])
    await h.waitCommittedToEnd()

    // m4 is killed: after session.timeout.ms its partitions go to the others, which keep their own.
    const killSeq = h.seq()
    const killedAt = Date.now()
    await m4.kill()
    const third = await h.waitStable([m1, m2, m3], SESSION_TIMEOUT_MS + 25_000)
    assert.ok(Date.now() - killedAt >= SESSION_TIMEOUT_MS - 1000, 'rebalanced before session.timeout.ms')
    for (const m of [m1, m2, m3]) {
      assert.deepEqual(revokedSince(m, killSeq), [], `${m.name} had partitions revoked when m4 died`)
      for (const p of second.get(m)!) assert.ok(third.get(m)!.includes(p), `${m.name} lost partition ${p}`)
    }
    const c = await h.produce()
    await h.waitDelivered(c)
    h.checkOwners(c, third)
    h.checkDeliveries([...a, ...b, ...c])
    for (const p of second.get(m4)!) {
      const resumed = [m1, m2, m3].map(m => h.firstDeliveryAfter(m.name, p, killSeq)).find(Boolean)
      assert.equal(resumed?.offset, 20, `m4's partition ${p} resumed at ${resumed?.offset}, not at the committed 20`)
    }
    await Promise.all([m1, m2, m3].map(m => m.close()))
  })
})
