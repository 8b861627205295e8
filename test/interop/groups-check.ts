/**
 * Shared pieces of the consumer-group interop tests (test/interop/groups-*.test.ts): group members
 * on every client (kafkajs, @platformatic/kafka, librdkafka through confluent-kafka, kafka-python)
 * behind one interface, a harness that records every delivery and every acknowledged commit in one
 * sequence, and the checks:
 *
 * - `waitStable`: DescribeGroups says Stable with exactly the expected members (by client id),
 *   their assignments are disjoint and cover every partition, and every client reports the
 *   assignment the coordinator stored for it.
 * - `checkDeliveries`: every produced record was delivered; a record delivered twice is allowed only
 *   when no commit past it had been acknowledged (to any member) before the second delivery
 *   ("duplicates only of uncommitted records"), or when a client that reports its OffsetFetch
 *   answers re-read it from an answer that predates that commit; `strict` records exactly once
 *   (apart from such re-reads).
 * - `checkOwners`: records produced while the group was stable went to the member that owned
 *   their partition.
 * - `checkRevoked`: a record reaching a member after its partition was revoked came from a fetch
 *   issued while the member still owned it (@platformatic/kafka delivers such in-flight fetches).
 * - `firstDeliveryAfter`: where a member resumed a partition (to compare with the committed offset).
 *
 * Members use session.timeout.ms 6000 (the broker's group.min.session.timeout.ms), heartbeats every
 * 500 ms and a 10 s rebalance timeout (max.poll.interval.ms) so rebalances stay short.
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import {tracingChannel} from 'node:diagnostics_channel'
import {Consumer as PlatformaticConsumer, stringDeserializers} from '@platformatic/kafka'
import type {Admin, Consumer as KafkajsConsumer, PartitionAssigner, Producer} from 'kafkajs'
import {ErrorCode} from '../../src/protocol/errors.js'
import {API_CODECS} from '../../src/protocol/generated/messages/index.js'
import {Reader} from '../../src/protocol/primitives/reader.js'
import {Writer} from '../../src/protocol/primitives/writer.js'
import type {BrokerHandle} from '../helpers/broker-process.js'
import {RawKafkaSocket} from '../helpers/raw-kafka-socket.js'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, kafkajsClient, uniqueTopic, useBroker} from './interop-check.js'
import {PYTHON, pyScript, pythonHasModule} from './python-client.js'

export const SESSION_TIMEOUT_MS = 6000
export const HEARTBEAT_INTERVAL_MS = 500
export const REBALANCE_TIMEOUT_MS = 10_000

/** One record as produced: its partition, offset and unique value. */
export interface Produced { partition: number, offset: number, value: string }

/**
 * The fetch request a delivered record came from, where the client lets us see it
 * (@platformatic/kafka, through its diagnostics channels).
 */
export interface FetchOrigin {
  /** Sequence point at which the member issued the fetch. */
  seq: number
  /** The member's generation when it issued the fetch. */
  generation: number
  /** Partitions of the test topic the member had when it issued the fetch. */
  assigned: number[]
  /** The offset the fetch asked for, by partition. */
  fetchOffsets: Map<number, number>
}

/**
 * Committed offsets a member read with OffsetFetch to position itself (clients that report it:
 * @platformatic/kafka). `seq` is when it sent the request, `answeredSeq` when the answer arrived.
 */
export interface OffsetRead { seq: number, answeredSeq: number, member: string, offsets: Map<number, number> }

/** One delivery to a member; `seq` orders deliveries and commits together. */
export interface Delivery {
  seq: number
  member: string
  partition: number
  offset: number
  value: string
  /**
   * The partition was no longer assigned to the member when the record reached the application
   * (only set for clients that report `origin`). See {@link GroupHarness.checkRevoked}.
   */
  revoked?: boolean
  origin?: FetchOrigin
}

/** A commit the client saw acknowledged: `offset` is the next offset to read. */
export interface CommitEvent { seq: number, member: string, partition: number, offset: number }

/** What a client reported about its assignment: the full set after a change. */
export interface AssignmentEvent { seq: number, op: string, delta: number[], partitions: number[] }

export interface GroupMember {
  /** Also the client id, which DescribeGroups shows. */
  readonly name: string
  /** Partitions of the test topic the client has now, as it reports them; null before its first assignment. */
  assigned(): number[] | null
  readonly assignmentEvents: AssignmentEvent[]
  /** True once closed or killed. */
  readonly ended: boolean
  /** Stops committing (Python members only); resolves once the client confirmed. */
  stopCommitting(): Promise<void>
  /** Clean close: leaves the group (except static members). */
  close(): Promise<void>
  /** SIGKILL (Python members only). */
  kill(): Promise<void>
}

interface DescribedMember { memberId: string, clientId: string, groupInstanceId?: string | null, partitions: number[] }

/** Decodes the partitions of `topic` from a `consumer` protocol assignment (ConsumerProtocolAssignment, any version). */
export function decodeAssignment(buf: Buffer, topic: string): number[] {
  if (!buf || buf.length < 2) return []
  const r = new Reader(buf)
  r.readInt16()
  const n = r.readInt32()
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t = r.readString()
    const m = r.readInt32()
    for (let j = 0; j < m; j++) {
      const p = r.readInt32()
      if (t === topic) out.push(p)
    }
  }
  return out.sort((a, b) => a - b)
}

const sorted = (ps: Iterable<number>): number[] => [...ps].sort((a, b) => a - b)
const same = (a: number[] | null, b: number[] | null): boolean => a !== null && b !== null && a.join(',') === b.join(',')

export class GroupHarness {
  private seqNo = 0
  readonly deliveries: Delivery[] = []
  readonly commits: CommitEvent[] = []
  readonly offsetReads: OffsetRead[] = []
  readonly produced: Produced[] = []
  readonly members: GroupMember[] = []
  private batch = 0

  private constructor(
    readonly broker: BrokerHandle,
    readonly topic: string,
    readonly groupId: string,
    readonly partitions: number,
    readonly admin: Admin,
    private readonly producer: Producer,
  ) {}

  /** Creates a topic of `partitions` partitions and a fresh group id; connects an admin client and a producer. */
  static async create(broker: BrokerHandle, prefix: string, partitions = 6): Promise<GroupHarness> {
    const topic = uniqueTopic(prefix)
    await createTopic(broker, topic, partitions)
    const kafka = kafkajsClient(broker.bootstrap, 'kts-groups-harness')
    const admin = kafka.admin()
    await admin.connect()
    const producer = kafka.producer({allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1})
    await producer.connect()
    return new GroupHarness(broker, topic, uniqueTopic(`${prefix}-group`), partitions, admin, producer)
  }

  /**
   * A harness with no broker or clients, to exercise the checks on hand-recorded events
   * (test/interop/groups-check.test.ts); only `produced`, the recording methods and the checks work.
   */
  static offline(topic: string, partitions: number): GroupHarness {
    const none = null as never
    return new GroupHarness(none, topic, `${topic}-group`, partitions, none, none)
  }

  /** Current position in the delivery/commit sequence. */
  seq(): number {
    return this.seqNo
  }

  nextSeq(): number {
    return ++this.seqNo
  }

  deliver(member: string, partition: number, offset: number, value: string, from?: {revoked: boolean, origin?: FetchOrigin}): void {
    this.deliveries.push({seq: ++this.seqNo, member, partition, offset, value, ...from})
  }

  committed(member: string, partition: number, offset: number): void {
    this.commits.push({seq: ++this.seqNo, member, partition, offset})
  }

  /** `member` sent an OffsetFetch at `seq` and was answered `offsets` (by partition) now. */
  offsetsRead(member: string, seq: number, offsets: Map<number, number>): void {
    this.offsetReads.push({seq, answeredSeq: ++this.seqNo, member, offsets})
  }

  track<M extends GroupMember>(m: M): M {
    this.members.push(m)
    return m
  }

  /** Produces `perPartition` records to every partition (explicit partitions, idempotent, acks=-1); resolves with them. */
  async produce(perPartition = 10): Promise<Produced[]> {
    const tag = `b${++this.batch}`
    const out: Produced[] = []
    for (let p = 0; p < this.partitions; p++) {
      const values = Array.from({length: perPartition}, (_, i) => `${tag}-p${p}-${i}`)
      const [meta] = await this.producer.send({topic: this.topic, acks: -1, messages: values.map(value => ({partition: p, key: `k${p}`, value}))})
      const base = Number(meta.baseOffset)
      values.forEach((value, i) => out.push({partition: p, offset: base + i, value}))
    }
    this.produced.push(...out)
    return out
  }

  /** DescribeGroups through kafkajs' admin client, assignments decoded for the test topic. */
  async describe(): Promise<{state: string, protocol: string, members: DescribedMember[]}> {
    const {groups} = await this.admin.describeGroups([this.groupId])
    const g = groups[0]
    return {
      state: g.state, protocol: g.protocol,
      members: g.members.map(m => ({memberId: m.memberId, clientId: m.clientId, partitions: decodeAssignment(m.memberAssignment, this.topic)})),
    }
  }

  /**
   * Waits until the group is Stable with exactly `members`, their stored assignments are disjoint,
   * cover every partition, give each member at least one partition, and each client reports the
   * assignment stored for it. Resolves with each member's partitions.
   */
  async waitStable(members: GroupMember[], timeoutMs = 30_000): Promise<Map<GroupMember, number[]>> {
    let last = ''
    return waitFor(async () => {
      const d = await this.describe()
      last = JSON.stringify({state: d.state, members: d.members.map(m => [m.clientId, m.partitions]),
        reported: members.map(m => [m.name, m.assigned()])})
      if (d.state !== 'Stable') return false
      const names = d.members.map(m => m.clientId).sort()
      if (names.join(',') !== members.map(m => m.name).sort().join(',')) return false
      const all = d.members.flatMap(m => m.partitions)
      if (all.length !== this.partitions || new Set(all).size !== this.partitions) return false
      const out = new Map<GroupMember, number[]>()
      for (const m of members) {
        const stored = d.members.find(x => x.clientId === m.name)!.partitions
        if (stored.length === 0 || !same(stored, m.assigned())) return false
        out.set(m, stored)
      }
      return out
    }, {timeoutMs, intervalMs: 200, message: () => `group ${this.groupId} Stable with ${members.map(m => m.name).join(', ')} (last: ${last})`})
  }

  /** Committed offsets of the group for the test topic (-1 = none), by partition. */
  async committedOffsets(): Promise<Map<number, number>> {
    const res = await this.admin.fetchOffsets({groupId: this.groupId, topics: [this.topic]})
    const t = res.find(x => x.topic === this.topic)
    return new Map((t?.partitions ?? []).map(p => [p.partition, Number(p.offset)]))
  }

  /** High watermarks of the test topic, by partition. */
  async endOffsets(): Promise<Map<number, number>> {
    const res = await this.admin.fetchTopicOffsets(this.topic)
    return new Map(res.map(p => [p.partition, Number(p.high)]))
  }

  /** Waits until the group's committed offset equals the end offset on `partitions` (default all). */
  async waitCommittedToEnd(partitions: number[] = Array.from({length: this.partitions}, (_, i) => i), timeoutMs = 20_000): Promise<Map<number, number>> {
    let last = ''
    return waitFor(async () => {
      const [c, e] = await Promise.all([this.committedOffsets(), this.endOffsets()])
      last = `committed ${JSON.stringify([...c])}, end ${JSON.stringify([...e])}`
      return partitions.every(p => c.get(p) === e.get(p)) ? c : false
    }, {timeoutMs, intervalMs: 200, message: () => `commits at the end of partitions ${partitions.join(',')} (${last})`})
  }

  /**
   * Waits until every one of `records` was delivered at least once to a member owning its partition
   * (a former owner's copy of an in-flight fetch, see `checkRevoked`, does not count).
   */
  async waitDelivered(records: Produced[], timeoutMs = 30_000): Promise<void> {
    const owned = (): Set<string> => new Set(this.deliveries.filter(d => !d.revoked).map(d => d.value))
    await waitFor(() => {
      const seen = owned()
      return records.every(r => seen.has(r.value))
    }, {timeoutMs, message: () => {
      const seen = owned()
      const missing = records.filter(r => !seen.has(r.value))
      return `${records.length} records delivered (${missing.length} missing, e.g. ${missing.slice(0, 3).map(r => r.value).join(', ')}; ` +
        `members: ${this.members.map(m => `${m.name}=${JSON.stringify(m.assigned())}${m.ended ? ' (ended)' : ''}`).join(' ')})`
    }})
  }

  /**
   * Deliveries to a member of records of a partition it no longer owned (only clients that report
   * `revoked`, see startPlatformaticMember) came from a fetch the member issued while it still
   * owned the partition, starting at or before the record: data in flight across the rebalance that
   * revoked it, nothing fetched afterwards. Returns them.
   */
  checkRevoked(): Delivery[] {
    const revoked = this.deliveries.filter(d => d.revoked)
    for (const d of revoked) {
      const o = d.origin
      const what = `${d.value} (${d.partition}/${d.offset}) delivered to ${d.member} after partition ${d.partition} was revoked`
      assert.ok(o, `${what}, from an unknown fetch`)
      assert.ok(o.assigned.includes(d.partition), `${what}, from a fetch issued in generation ${o.generation} when it had ${o.assigned.join(',')}`)
      const from = o.fetchOffsets.get(d.partition)
      assert.ok(from !== undefined && from <= d.offset, `${what}, from a fetch at ${from}`)
    }
    return revoked
  }

  /**
   * Every produced record was delivered to a member that owned its partition (see `checkRevoked`
   * for deliveries to former owners, which are checked there and not counted here), at its
   * partition and offset. A second delivery of a record is allowed only if no commit past it had
   * been acknowledged before, or if it is a re-read from committed offsets (below); `strict`
   * records were delivered once, apart from such re-reads. Returns the number of duplicate
   * deliveries.
   *
   * Re-read: @platformatic/kafka 1.35 re-reads the committed offsets of all its partitions after
   * every rebalance (MessagesStream `#refreshOffsets` on `consumer:group:join`), kept ones too, and
   * moves its fetch positions there when the answer arrives; meanwhile a fetch issued before the
   * rebalance may still deliver records of a kept partition, which the member commits. If the
   * OffsetFetch was sent before those commits were acknowledged, its answer (correctly) predates
   * them and the member reads the records again. Such a delivery is allowed when the fetch it came
   * from started at exactly the offset an OffsetFetch of the same member answered, that OffsetFetch
   * was sent before any commit past the record was acknowledged, and its answer arrived before the
   * fetch was issued. A broker that answered an OffsetFetch sent after a commit with an older
   * offset still fails this check.
   */
  checkDeliveries(strict: Produced[] = []): number {
    this.checkRevoked()
    const byValue = new Map<string, Delivery[]>()
    for (const d of this.deliveries) {
      if (d.revoked) continue
      const l = byValue.get(d.value) ?? []
      l.push(d)
      byValue.set(d.value, l)
    }
    const produced = new Map(this.produced.map(r => [r.value, r]))
    for (const d of this.deliveries) {
      const r = produced.get(d.value)
      assert.ok(r, `delivered a record that was not produced: ${JSON.stringify(d)}`)
      assert.equal(`${d.partition}/${d.offset}`, `${r.partition}/${r.offset}`, `${d.value} delivered at the wrong position`)
    }
    const strictValues = new Set(strict.map(r => r.value))
    let duplicates = 0
    for (const r of this.produced) {
      const ds = byValue.get(r.value) ?? []
      assert.ok(ds.length > 0, `record ${r.value} (${r.partition}/${r.offset}) was never delivered`)
      // The first commit past the record that was acknowledged (commits are in sequence order).
      const c = this.commits.find(x => x.partition === r.partition && x.offset > r.offset)
      for (const again of ds.slice(1)) {
        duplicates++
        const committedBefore = c !== undefined && c.seq < again.seq
        if (!committedBefore && !strictValues.has(r.value)) continue
        const reread = this.rereadFrom(again, r, c)
        assert.ok(!committedBefore || reread, `record ${r.value} (${r.partition}/${r.offset}) delivered again to ${again.member} although ${c?.member} ` +
          `had committed offset ${c?.offset} before (first delivered to ${ds[0].member})`)
        assert.ok(reread, `record ${r.value} delivered ${ds.length} times (${ds.map(d => d.member).join(', ')}), expected exactly once`)
      }
    }
    return duplicates
  }

  /** The OffsetFetch answer `again` was re-read from (see `checkDeliveries`), if any. */
  private rereadFrom(again: Delivery, r: Produced, firstCommitPast: CommitEvent | undefined): OffsetRead | undefined {
    const from = again.origin?.fetchOffsets.get(r.partition)
    if (from === undefined || from > r.offset) return undefined
    return this.offsetReads.find(x => x.member === again.member && x.offsets.get(r.partition) === from &&
      x.answeredSeq < again.origin!.seq && (firstCommitPast === undefined || x.seq < firstCommitPast.seq))
  }

  /**
   * Each of `records` was (first) delivered to the member that owned its partition in `owners`;
   * deliveries to a former owner of data fetched before it lost the partition are checked by
   * `checkRevoked`.
   */
  checkOwners(records: Produced[], owners: Map<GroupMember, number[]>): void {
    this.checkRevoked()
    const ownerOf = new Map<number, string>()
    for (const [m, ps] of owners) for (const p of ps) ownerOf.set(p, m.name)
    for (const r of records) {
      const d = this.deliveries.find(x => x.value === r.value && !x.revoked)
      assert.ok(d, `record ${r.value} not delivered`)
      assert.equal(d.member, ownerOf.get(r.partition), `record ${r.value} of partition ${r.partition} delivered to ${d.member}, owner was ${ownerOf.get(r.partition)}`)
    }
  }

  /** The first delivery of `partition` to `member` (owning it) after sequence point `afterSeq`. */
  firstDeliveryAfter(member: string, partition: number, afterSeq: number): Delivery | undefined {
    return this.deliveries.find(d => d.seq > afterSeq && d.member === member && d.partition === partition && !d.revoked)
  }

  /** Closes members still running (failures ignored), the producer and the admin client. */
  async close(): Promise<void> {
    await Promise.all(this.members.filter(m => !m.ended).map(m => m.kill().catch(() => m.close().catch(() => undefined))))
    await this.producer.disconnect().catch(() => undefined)
    await this.admin.disconnect().catch(() => undefined)
  }
}

// -------------------------------------------------------------------------------------------------
// Raw group requests through the generated codecs

export const API = {OffsetCommit: 8, OffsetFetch: 9, FindCoordinator: 10, JoinGroup: 11, Heartbeat: 12, LeaveGroup: 13,
  SyncGroup: 14, DescribeGroups: 15, ListGroups: 16, DeleteGroups: 42, OffsetDelete: 47} as const

/** ConsumerProtocolSubscription v0 for `topics`. */
export function consumerSubscription(topics: string[]): Buffer {
  const w = new Writer().writeInt16(0).writeArrayLength(topics.length)
  for (const t of topics) w.writeString(t)
  return w.writeNullableBytes(null).toBuffer()
}

/** ConsumerProtocolAssignment v0 of `partitions` of `topic`. */
export function consumerAssignment(topic: string, partitions: number[]): Buffer {
  const w = new Writer().writeInt16(0).writeArrayLength(1).writeString(topic).writeArrayLength(partitions.length)
  for (const p of partitions) w.writeInt32(p)
  return w.writeNullableBytes(null).toBuffer()
}

const RETRIABLE_COORDINATOR_ERRORS: number[] = [ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.NOT_COORDINATOR]

/** Group API requests over one raw connection, encoded and decoded with the generated codecs. */
export class RawGroupClient {
  private constructor(private readonly socket: RawKafkaSocket) {}

  static async connect(port: number): Promise<RawGroupClient> {
    return new RawGroupClient(await RawKafkaSocket.connect(port))
  }

  /** Sends one request and resolves with the decoded response body. */
  async call(apiKey: number, version: number, body: Record<string, unknown>): Promise<any> {
    const codec = API_CODECS.get(apiKey)!
    const correlationId = this.socket.sendRequest(apiKey, version, (w) => codec.writeRequest(w, body, version), {clientId: 'kts-groups-raw'})
    return codec.readResponse(await this.socket.readResponse(correlationId, apiKey, version), version)
  }

  /**
   * Repeats a request while `errorOf(response)` is a coordinator error a client retries
   * (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR), e.g. while
   * __consumer_offsets is created or loaded after a restart.
   */
  async callWhenLoaded(apiKey: number, version: number, body: Record<string, unknown>, errorOf: (res: any) => number, timeoutMs = 20_000): Promise<any> {
    let last = -1
    return waitFor(async () => {
      const res = await this.call(apiKey, version, body)
      last = errorOf(res)
      return RETRIABLE_COORDINATOR_ERRORS.includes(last) ? false : res
    }, {timeoutMs, intervalMs: 100, message: () => `API ${apiKey} without a coordinator error (last error ${last})`})
  }

  /** Waits until FindCoordinator names a coordinator for `groupId` (creating __consumer_offsets on first use). */
  async waitCoordinator(groupId: string): Promise<void> {
    const res = await this.callWhenLoaded(API.FindCoordinator, 3, {key: groupId, keyType: 0}, (r) => r.errorCode)
    assert.equal(res.errorCode, ErrorCode.NONE, `FindCoordinator error ${res.errorCode}`)
  }

  close(): void {
    this.socket.destroy()
  }
}

/**
 * A one-member group formed over the raw client: JoinGroup v5 (MEMBER_ID_REQUIRED, then again with
 * the id), SyncGroup with `partitions` of `topic` assigned to itself. Resolves with the member id
 * and generation. The member sends no heartbeats: keep `sessionTimeoutMs` long enough.
 */
export async function rawJoinAndSync(c: RawGroupClient, groupId: string, topic: string, partitions: number[],
  sessionTimeoutMs = 30_000, groupInstanceId: string | null = null): Promise<{memberId: string, generationId: number}> {
  await c.waitCoordinator(groupId)
  const protocols = [{name: 'range', metadata: consumerSubscription([topic])}]
  const join = (memberId: string) => c.callWhenLoaded(API.JoinGroup, 5, {
    groupId, sessionTimeoutMs, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId, protocolType: 'consumer', protocols,
  }, (r) => r.errorCode)
  let res = await join('')
  if (res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) res = await join(res.memberId)
  assert.equal(res.errorCode, ErrorCode.NONE, `JoinGroup error ${res.errorCode}`)
  assert.equal(res.leader, res.memberId, 'the only member leads')
  const sync = await c.call(API.SyncGroup, 3, {
    groupId, generationId: res.generationId, memberId: res.memberId, groupInstanceId,
    assignments: [{memberId: res.memberId, assignment: consumerAssignment(topic, partitions)}],
  })
  assert.equal(sync.errorCode, ErrorCode.NONE, `SyncGroup error ${sync.errorCode}`)
  assert.deepEqual(decodeAssignment(sync.assignment, topic), partitions)
  return {memberId: res.memberId, generationId: res.generationId}
}

// -------------------------------------------------------------------------------------------------
// kafkajs

export async function startKafkajsMember(h: GroupHarness, name: string, opts: {partitionAssigners?: PartitionAssigner[]} = {}): Promise<GroupMember> {
  const kafka = kafkajsClient(h.broker.bootstrap, name)
  const consumer: KafkajsConsumer = kafka.consumer({
    groupId: h.groupId, sessionTimeout: SESSION_TIMEOUT_MS, rebalanceTimeout: REBALANCE_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS, maxWaitTimeInMs: 100, partitionAssigners: opts.partitionAssigners,
  })
  let assigned: number[] | null = null
  let ended = false
  const assignmentEvents: AssignmentEvent[] = []
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const next = sorted(e.payload.memberAssignment[h.topic] ?? [])
    const prev = assigned ?? []
    assigned = next
    assignmentEvents.push({seq: h.nextSeq(), op: 'assign', delta: next.filter(p => !prev.includes(p)), partitions: next})
  })
  consumer.on(consumer.events.COMMIT_OFFSETS, (e) => {
    for (const t of e.payload.topics) {
      if (t.topic !== h.topic) continue
      for (const p of t.partitions) h.committed(name, p.partition, Number(p.offset))
    }
  })
  await consumer.connect()
  await consumer.subscribe({topic: h.topic, fromBeginning: true})
  await consumer.run({
    eachMessage: async ({partition, message}) => h.deliver(name, partition, Number(message.offset), message.value?.toString() ?? ''),
  })
  return h.track({
    name, assignmentEvents,
    assigned: () => assigned,
    get ended() { return ended },
    stopCommitting: () => Promise.reject(new Error('kafkajs members always commit after each batch')),
    close: async () => {
      if (ended) return
      ended = true
      await consumer.disconnect()
      assigned = null
    },
    kill: () => Promise.reject(new Error('an in-process kafkajs consumer cannot be SIGKILLed')),
  })
}

// -------------------------------------------------------------------------------------------------
// @platformatic/kafka

/**
 * Diagnostics channels of @platformatic/kafka (its docs/diagnostic.md): `consumer:fetches` traces
 * each Fetch request (context `{client, options}`; `asyncStart` runs just before the response is
 * handed to the messages stream), `consumer:receives` each record the stream pushes (context
 * `{client, result: message}`, published synchronously inside that fetch callback),
 * `consumer:offsets` each `listCommittedOffsets` (OffsetFetch; `result`: topic → offset by
 * partition) among other offset look-ups.
 */
const platformaticFetches = tracingChannel('plt:kafka:consumer:fetches')
const platformaticReceives = tracingChannel('plt:kafka:consumer:receives')
const platformaticOffsets = tracingChannel('plt:kafka:consumer:offsets')

const ignore = (): void => undefined

interface PlatformaticFetchContext {
  client: unknown
  options: {topics: {partitions: {partition: number, fetchOffset: bigint}[]}[]}
  origin?: FetchOrigin
}

/**
 * A @platformatic/kafka consumer reading in `committed` mode (earliest when nothing is committed),
 * committing each record of a partition it still owns.
 *
 * @platformatic/kafka 1.35 (eager classic protocol) keeps fetching its old assignment while it
 * rejoins, and its MessagesStream pushes every record of a fetch response without checking that the
 * partition is still assigned (`#pushRecords`; no in-flight fetch is dropped on
 * `consumer:group:join`). So a fetch issued before a rebalance and answered after it delivers records
 * of a revoked partition to the application, even after the new owner started reading it. (The Java
 * consumer, librdkafka and kafka-python discard fetched data of partitions no longer assigned, and
 * later @platformatic/kafka versions drop responses to fetches sent under an earlier membership.) Each
 * delivery therefore records the fetch it came from and whether its partition was still assigned;
 * `checkRevoked` allows a revoked delivery only when its fetch was issued while the member owned the
 * partition. Like a careful application, the member does not commit such records: the classic
 * coordinator accepts an OffsetCommit of the current generation for any partition (Kafka does not
 * check ownership), so committing them would rewrite the new owner's progress.
 */
export async function startPlatformaticMember(h: GroupHarness, name: string): Promise<GroupMember> {
  const consumer = new PlatformaticConsumer({
    groupId: h.groupId, clientId: name, bootstrapBrokers: [h.broker.bootstrap], deserializers: stringDeserializers, maxWaitTime: 100,
    sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: HEARTBEAT_INTERVAL_MS, rebalanceTimeout: REBALANCE_TIMEOUT_MS,
  })
  let ended = false
  const assignmentEvents: AssignmentEvent[] = []
  const owned = (): number[] | null => consumer.assignments === null ? null : sorted(consumer.assignments.find(a => a.topic === h.topic)?.partitions ?? [])
  const current = (): number[] | null => ended ? null : owned()
  // Every record pushed while one of our fetch responses is being handled came from that fetch.
  const origins = new WeakMap<object, FetchOrigin>()
  let answering: FetchOrigin | undefined
  const fetchHandlers = {
    end: ignore, error: ignore,
    start(message: unknown) {
      const ctx = message as PlatformaticFetchContext
      if (ctx.client !== consumer) return
      // The stream subscribes to the test topic only, so every requested partition is one of its.
      const fetchOffsets = new Map(ctx.options.topics.flatMap(t => t.partitions.map(p => [p.partition, Number(p.fetchOffset)] as const)))
      ctx.origin = {seq: h.nextSeq(), generation: consumer.generationId ?? -1, assigned: owned() ?? [], fetchOffsets}
    },
    asyncStart(message: unknown) {
      const ctx = message as PlatformaticFetchContext
      if (ctx.client === consumer) answering = ctx.origin
    },
    asyncEnd(message: unknown) {
      if ((message as PlatformaticFetchContext).client === consumer) answering = undefined
    },
  }
  const receiveHandlers = {
    start: ignore, end: ignore, asyncEnd: ignore, error: ignore,
    asyncStart(message: unknown) {
      const ctx = message as {client: unknown, result?: object}
      if (ctx.client === consumer && ctx.result && answering) origins.set(ctx.result, answering)
    },
  }
  const offsetHandlers = {
    end: ignore, asyncEnd: ignore, error: ignore,
    start(message: unknown) {
      const ctx = message as {client: unknown, operation: string, readSeq?: number}
      if (ctx.client === consumer && ctx.operation === 'listCommittedOffsets') ctx.readSeq = h.nextSeq()
    },
    asyncStart(message: unknown) {
      const ctx = message as {client: unknown, readSeq?: number, result?: Map<string, (bigint | undefined)[]>}
      if (ctx.client !== consumer || ctx.readSeq === undefined || !ctx.result) return
      const offsets = new Map<number, number>()
      ;(ctx.result.get(h.topic) ?? []).forEach((o, p) => { if (o !== undefined) offsets.set(p, Number(o)) })
      h.offsetsRead(name, ctx.readSeq, offsets)
    },
  }
  platformaticFetches.subscribe(fetchHandlers)
  platformaticReceives.subscribe(receiveHandlers)
  platformaticOffsets.subscribe(offsetHandlers)
  const unsubscribe = (): void => {
    platformaticFetches.unsubscribe(fetchHandlers)
    platformaticReceives.unsubscribe(receiveHandlers)
    platformaticOffsets.unsubscribe(offsetHandlers)
  }
  consumer.on('consumer:group:join', () => {
    const partitions = current() ?? []
    assignmentEvents.push({seq: h.nextSeq(), op: 'assign', delta: partitions, partitions})
  })
  const stream = await consumer.consume({topics: [h.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false})
  let streamError: Error | null = null
  const loop = (async () => {
    try {
      for await (const m of stream) {
        const offset = Number(m.offset)
        const revoked = !(owned() ?? []).includes(m.partition)
        h.deliver(name, m.partition, offset, m.value ?? '', {revoked, origin: origins.get(m)})
        if (revoked) continue
        try {
          await m.commit()
          h.committed(name, m.partition, offset + 1)
        } catch {
          // A commit refused during a rebalance (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION): the record stays uncommitted.
        }
      }
    } catch (e) {
      if (!ended) streamError = e as Error
    }
  })()
  return h.track({
    name, assignmentEvents,
    assigned: () => {
      if (streamError) throw streamError
      return current()
    },
    get ended() { return ended },
    stopCommitting: () => Promise.reject(new Error('not supported for @platformatic/kafka members')),
    close: async () => {
      if (ended) return
      ended = true
      try {
        await stream.close()
        await consumer.close()
        await loop
      } finally {
        unsubscribe()
      }
    },
    kill: () => Promise.reject(new Error('an in-process @platformatic/kafka consumer cannot be SIGKILLed')),
  })
}

// -------------------------------------------------------------------------------------------------
// Python members (test/interop/py/groups_*.py)

class PythonMember implements GroupMember {
  readonly assignmentEvents: AssignmentEvent[] = []
  private current: number[] | null = null
  private exited = false
  private exitInfo = ''
  private stderr = ''
  private pending = ''
  private commitsStopped = false
  private closedEvent = false
  ended = false

  constructor(private readonly h: GroupHarness, readonly name: string, private readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      this.pending += d
      let nl: number
      while ((nl = this.pending.indexOf('\n')) >= 0) {
        const line = this.pending.slice(0, nl)
        this.pending = this.pending.slice(nl + 1)
        if (line.trim()) this.onEvent(JSON.parse(line) as Record<string, unknown>)
      }
    })
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr += d))
    child.once('exit', (code, signal) => {
      this.exited = true
      this.exitInfo = signal ?? `code ${code}`
    })
  }

  private onEvent(e: Record<string, unknown>): void {
    switch (e.ev) {
      case 'assigned':
        this.current = sorted(e.partitions as number[])
        this.assignmentEvents.push({seq: this.h.nextSeq(), op: e.op as string, delta: e.delta as number[], partitions: this.current})
        break
      case 'record':
        this.h.deliver(this.name, e.partition as number, e.offset as number, e.value as string)
        break
      case 'committed':
        this.h.committed(this.name, e.partition as number, e.offset as number)
        break
      case 'nocommit':
        this.commitsStopped = true
        break
      case 'closed':
        this.closedEvent = true
        break
      default:
        break
    }
  }

  /** Throws when the process died on its own (with its stderr). */
  private check(): void {
    if (this.exited && !this.ended) throw new Error(`${this.name} exited (${this.exitInfo}): ${this.stderr.slice(-2000)}`)
  }

  assigned(): number[] | null {
    this.check()
    return this.ended ? null : this.current
  }

  async stopCommitting(): Promise<void> {
    this.child.stdin!.write('nocommit\n')
    await waitFor(() => { this.check(); return this.commitsStopped }, {timeoutMs: 10_000, message: `${this.name} to stop committing`})
  }

  async close(): Promise<void> {
    if (this.ended) return
    this.check()
    this.child.stdin!.write('close\n')
    await waitFor(() => this.exited, {timeoutMs: 20_000, message: `${this.name} to close`})
    this.ended = true
    assert.ok(this.closedEvent, `${this.name} did not close cleanly (${this.exitInfo}): ${this.stderr.slice(-2000)}`)
  }

  async kill(): Promise<void> {
    if (this.ended) return
    this.ended = true
    this.child.kill('SIGKILL')
    await waitFor(() => this.exited, {timeoutMs: 10_000, message: `${this.name} to die`})
  }
}

const livePython = new Set<ChildProcess>()
process.once('exit', () => { for (const c of livePython) c.kill('SIGKILL') })

function spawnPython(h: GroupHarness, name: string, script: string, args: string[]): PythonMember {
  const child = spawn(PYTHON, [pyScript(script), ...args], {stdio: ['pipe', 'pipe', 'pipe']})
  livePython.add(child)
  child.once('exit', () => livePython.delete(child))
  child.stdin!.on('error', () => undefined)
  return h.track(new PythonMember(h, name, child))
}

/** A librdkafka member (confluent-kafka); `conf` are extra librdkafka properties (e.g. partition.assignment.strategy). */
export function startConfluentMember(h: GroupHarness, name: string, conf: Record<string, string> = {}): GroupMember {
  const props = Object.entries({'client.id': name, ...conf}).map(([k, v]) => `${k}=${v}`)
  return spawnPython(h, name, 'groups_confluent.py', [h.broker.bootstrap, h.topic, h.groupId, ...props])
}

/** A kafka-python member with the `range` or `roundrobin` assignor. */
export function startKafkaPythonMember(h: GroupHarness, name: string, assignor: 'range' | 'roundrobin' = 'range'): GroupMember {
  return spawnPython(h, name, 'groups_kafka_python.py', [h.broker.bootstrap, h.topic, h.groupId, name, assignor])
}

// -------------------------------------------------------------------------------------------------
// The membership scenario every client runs

/**
 * Three members split six partitions; a fourth joins; one leaves cleanly; with `kill`, one stops
 * committing, reads a batch and is SIGKILLed, and its partitions are handed over after
 * session.timeout.ms to members that resume at its committed offsets (re-delivering exactly what
 * it had not committed). After each change a new batch goes to every partition and must reach the
 * new owners exactly once. `expectEven`: each of three members gets exactly two partitions.
 */
export async function membershipScenario(h: GroupHarness, start: (name: string) => Promise<GroupMember> | GroupMember,
  opts: {kill: boolean, expectEven?: boolean}): Promise<void> {
  const [m1, m2, m3] = [await start('m1'), await start('m2'), await start('m3')]
  let owners = await h.waitStable([m1, m2, m3])
  if (opts.expectEven ?? true) for (const [m, ps] of owners) assert.equal(ps.length, 2, `${m.name} got ${ps.join(',')}`)

  const a = await h.produce()
  await h.waitDelivered(a)
  h.checkOwners(a, owners)
  h.checkDeliveries(a)
  await h.waitCommittedToEnd()

  // A fourth member joins: a rebalance hands partitions over; nothing was left uncommitted, so nothing is read twice.
  const m4 = await start('m4')
  owners = await h.waitStable([m1, m2, m3, m4])
  const b = await h.produce()
  await h.waitDelivered(b)
  h.checkOwners(b, owners)
  h.checkDeliveries([...a, ...b])
  await h.waitCommittedToEnd()

  // m2 leaves cleanly: its partitions go to the others, which resume at its commits.
  const leftBehind = owners.get(m2)!
  const leaveSeq = h.seq()
  await m2.close()
  owners = await h.waitStable([m1, m3, m4])
  const c = await h.produce()
  await h.waitDelivered(c)
  h.checkOwners(c, owners)
  h.checkDeliveries([...a, ...b, ...c])
  for (const p of leftBehind) {
    const first = [m1, m3, m4].map(m => h.firstDeliveryAfter(m.name, p, leaveSeq)).find(Boolean)
    assert.equal(first?.offset, 2 * 10, `partition ${p} of m2 resumed at ${first?.offset}, not at its committed offset 20`)
  }
  await h.waitCommittedToEnd()
  if (!opts.kill) {
    await Promise.all([m1, m3, m4].map(m => m.close()))
    return
  }

  // m3 reads a batch without committing, then is SIGKILLed: no LeaveGroup, so the coordinator
  // waits session.timeout.ms; the new owners of its partitions resume at its last commits.
  const victim = owners.get(m3)!
  const survivors = [m1, m4]
  await m3.stopCommitting()
  const d = await h.produce()
  await h.waitDelivered(d)
  const others = Array.from({length: h.partitions}, (_, p) => p).filter(p => !victim.includes(p))
  await h.waitCommittedToEnd(others)
  const committed = await h.committedOffsets()
  for (const p of victim) assert.equal(committed.get(p), 3 * 10, `m3's partition ${p} committed at ${committed.get(p)} before the kill`)
  const killSeq = h.seq()
  const killedAt = Date.now()
  await m3.kill()
  owners = await h.waitStable(survivors, SESSION_TIMEOUT_MS + 25_000)
  const handoverMs = Date.now() - killedAt
  assert.ok(handoverMs >= SESSION_TIMEOUT_MS - 1000, `rebalance ${handoverMs} ms after the kill, before session.timeout.ms`)
  await waitFor(() => victim.every(p => survivors.some(m => {
    const l = h.deliveries.filter(x => x.seq > killSeq && x.member === m.name && x.partition === p && !x.revoked)
    return l.length > 0 && l[l.length - 1].offset === 4 * 10 - 1
  })), {timeoutMs: 20_000, message: `m3's partitions ${victim.join(',')} read to the end by their new owners`})
  for (const p of victim) {
    const first = survivors.map(m => h.firstDeliveryAfter(m.name, p, killSeq)).find(Boolean)
    assert.equal(first?.offset, committed.get(p), `partition ${p} resumed at ${first?.offset}, committed offset was ${committed.get(p)}`)
  }
  const dups = h.checkDeliveries([...a, ...b, ...c, ...d.filter(r => !victim.includes(r.partition))])
  assert.equal(dups, victim.length * 10, 'exactly the records m3 had not committed are delivered twice')
  await Promise.all(survivors.map(m => m.close()))
}

/** What {@link useGroupBroker} gives a suite: its broker and harness, set up and torn down by mocha hooks. */
export interface GroupBrokerSuite {
  /** The broker the `before` hook started (throws when read before it ran). */
  readonly broker: BrokerHandle
  /** The harness made by {@link GroupBrokerSuite.harness} (throws when there is none yet). */
  readonly h: GroupHarness
  /** Creates the suite's harness on its broker (`GroupHarness.create(broker, prefix)`); the `after` hook closes it. */
  harness(prefix: string): Promise<GroupHarness>
  /** Registers a cleanup for the `after` hook, run (last registered first) before the harness and broker close. */
  onClose(fn: () => unknown): void
}

/**
 * Registers, on the calling `describe`, the hooks every group interop suite repeats: `before`
 * skips the suite unless `/usr/bin/python3` imports each of `pythonModules`, then starts a broker
 * as {@link useBroker} does (with `ownBroker`, skips the suite on an external cluster,
 * `KTS_TEST_BOOTSTRAP`); `after` runs the `onClose` cleanups, closes the harness, then the
 * broker; `afterEach` prints the broker's output when a test failed. Returns accessors to the
 * broker and harness.
 */
export function useGroupBroker(opts: {pythonModules?: string[], ownBroker?: boolean} = {}): GroupBrokerSuite {
  let harness: GroupHarness | undefined
  const cleanups: (() => unknown)[] = []

  // Registered before useBroker's hooks: the module check runs before the broker starts, and the
  // cleanups and harness close before the broker does.
  before(async function () {
    for (const module of opts.pythonModules ?? []) if (!await pythonHasModule(module)) this.skip()
  })
  after(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn()
    await harness?.close()
  })
  const suite = useBroker({ownBroker: opts.ownBroker})

  return {
    get broker() {
      return suite.broker
    },
    get h() {
      if (!harness) throw new Error('useGroupBroker: no harness yet (call harness(prefix) first)')
      return harness
    },
    async harness(prefix: string) {
      harness = await GroupHarness.create(suite.broker, prefix)
      return harness
    },
    onClose(fn: () => unknown) {
      cleanups.push(fn)
    },
  }
}
