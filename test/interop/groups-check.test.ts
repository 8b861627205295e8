/**
 * The group harness' checks (groups-check.ts) on hand-recorded events, no broker: what they allow
 * of @platformatic/kafka's in-flight fetches across a rebalance and of its re-reads from committed
 * offsets, and what they still refuse (the broker or client misbehaviour they exist to catch).
 */
import assert from 'node:assert/strict'
import {GroupHarness, type FetchOrigin, type GroupMember, type Produced} from './groups-check.js'

const member = (name: string): GroupMember => ({
  name, assignmentEvents: [], ended: false, assigned: () => null,
  stopCommitting: async () => undefined, close: async () => undefined, kill: async () => undefined,
})

describe('group harness checks', () => {
  const [m3, m4] = [member('m3'), member('m4')]
  let h: GroupHarness
  let records: Produced[]

  /** Ten records at offsets 20..29 of partition 2. */
  beforeEach(() => {
    h = GroupHarness.offline('t', 6)
    records = Array.from({length: 10}, (_, i) => ({partition: 2, offset: 20 + i, value: `b3-p2-${i}`}))
    h.produced.push(...records)
  })

  const fetch = (generation: number, assigned: number[], from: number): FetchOrigin =>
    ({seq: h.nextSeq(), generation, assigned, fetchOffsets: new Map([[2, from]])})
  const deliverAll = (name: string, origin: FetchOrigin | undefined, revoked = false): void => {
    for (const r of records) h.deliver(name, 2, r.offset, r.value, origin ? {revoked, origin} : undefined)
  }
  const commitAll = (name: string): void => {
    for (const r of records) h.committed(name, 2, r.offset + 1)
  }

  describe('deliveries to a former owner', () => {
    it('allows records of a fetch issued while the member owned the partition, not counting them', () => {
      const stale = fetch(4, [2], 20)
      const fresh = fetch(5, [2, 5], 20)
      deliverAll('m3', stale, true)
      deliverAll('m4', fresh)
      commitAll('m4')
      h.checkOwners(records, new Map([[m3, [1, 4]], [m4, [2, 5]]]))
      assert.equal(h.checkDeliveries(records), 0)
      assert.equal(h.checkRevoked().length, 10)
    })

    it('refuses records of a fetch issued after the partition was revoked', () => {
      deliverAll('m3', fetch(5, [1, 4], 20), true)
      deliverAll('m4', fetch(5, [2, 5], 20))
      assert.throws(() => h.checkOwners(records, new Map([[m3, [1, 4]], [m4, [2, 5]]])), /fetch issued in generation 5 when it had 1,4/)
    })

    it('refuses a record before the offset its fetch asked for', () => {
      deliverAll('m3', fetch(4, [2], 25), true)
      deliverAll('m4', fetch(5, [2, 5], 20))
      assert.throws(() => h.checkDeliveries(records), /from a fetch at 25/)
    })

    it('refuses a record the owner never got, and one first given to a member that believed it owned the partition', () => {
      deliverAll('m3', fetch(4, [2], 20), true)
      assert.throws(() => h.checkOwners(records, new Map([[m4, [2, 5]]])), /not delivered/)
      deliverAll('m3', fetch(5, [2], 20))
      deliverAll('m4', fetch(5, [2, 5], 20))
      assert.throws(() => h.checkOwners(records, new Map([[m4, [2, 5]]])), /delivered to m3, owner was m4/)
    })
  })

  describe('re-reads from committed offsets', () => {
    it('allows a re-read from an OffsetFetch sent before the commits past the records', () => {
      const readSeq = h.nextSeq()
      deliverAll('m4', fetch(4, [2], 20))
      commitAll('m4')
      h.offsetsRead('m4', readSeq, new Map([[2, 20]]))
      deliverAll('m4', fetch(5, [2], 20))
      assert.equal(h.checkDeliveries(records), 10)
    })

    it('refuses it when the OffsetFetch was sent after a commit past the records was acknowledged', () => {
      deliverAll('m4', fetch(4, [2], 20))
      commitAll('m4')
      h.offsetsRead('m4', h.nextSeq(), new Map([[2, 20]]))
      deliverAll('m4', fetch(5, [2], 20))
      assert.throws(() => h.checkDeliveries(), /b3-p2-0 \(2\/20\) delivered again to m4 although m4 had committed offset 21 before/)
    })

    it('refuses a fetch that did not start at the offset read, and a client that reports no fetches', () => {
      const readSeq = h.nextSeq()
      deliverAll('m4', fetch(4, [2], 20))
      commitAll('m4')
      h.offsetsRead('m4', readSeq, new Map([[2, 22]]))
      deliverAll('m4', fetch(5, [2], 20))
      assert.throws(() => h.checkDeliveries(), /delivered again to m4 although m4 had committed offset 21 before/)
      h = GroupHarness.offline('t', 6)
      h.produced.push(...records)
      deliverAll('m4', undefined)
      commitAll('m4')
      deliverAll('m4', undefined)
      assert.throws(() => h.checkDeliveries(), /delivered again/)
    })

    it('counts an uncommitted duplicate but refuses it for a record expected exactly once', () => {
      deliverAll('m4', fetch(4, [2], 20))
      deliverAll('m4', fetch(5, [2], 20))
      assert.equal(h.checkDeliveries(), 10)
      assert.throws(() => h.checkDeliveries(records), /b3-p2-0 delivered 2 times \(m4, m4\), expected exactly once/)
    })
  })
})
