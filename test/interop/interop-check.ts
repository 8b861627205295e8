/**
 * Shared pieces of the client interop tests (test/interop/*.test.ts): the keyed record set every
 * client produces, topic creation through kafkajs' admin client, and the check that what a client
 * read back is exactly what was produced (each record once, offsets increasing per partition,
 * values in send order per partition, every partition used).
 */
import assert from 'node:assert/strict'
import {Kafka, logLevel} from 'kafkajs'
import {startBroker, type BrokerHandle, type BrokerOptions} from '../helpers/broker-process.js'
import {waitFor} from '../helpers/wait-for.js'

/** One record to send: `key` and `value` are UTF-8 strings; `seq` is its position in send order. */
export interface TestRecord {
  seq: number
  key: string
  value: string
}

/** One record as a client read it back. */
export interface ReadRecord {
  partition: number
  offset: number
  key: string | null
  value: string | null
}

/**
 * `count` records (default 300) over `distinctKeys` keys (default 30), so that any hash partitioner
 * spreads them over every partition of a 3-partition topic. Values are unique and sortable:
 * `v-<seq 6 digits>-<key>`.
 */
export function makeRecords(count = 300, distinctKeys = 30): TestRecord[] {
  const out: TestRecord[] = []
  for (let seq = 0; seq < count; seq++) {
    const key = `key-${seq % distinctKeys}`
    out.push({seq, key, value: `v-${String(seq).padStart(6, '0')}-${key}`})
  }
  return out
}

/** A topic name unique to this process and call (`<prefix>-<pid>-<random>`). */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
}

/** Quiet kafkajs client for admin work in tests. */
/**
 * Offsets of the records of `topic` a kafkajs group consumer reads from the beginning, sorted,
 * once at least `expected` have arrived (15 s deadline).
 */
export async function readOffsetsFromStart(kafka: Kafka, topic: string, expected: number, groupPrefix = 'read-group'): Promise<number[]> {
  const consumer = kafka.consumer({groupId: uniqueTopic(groupPrefix), maxWaitTimeInMs: 200})
  const read: number[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({topic, fromBeginning: true})
    await consumer.run({eachMessage: async ({message}) => {
      read.push(Number(message.offset))
    }})
    await waitFor(() => read.length >= expected, {timeoutMs: 15_000, message: () => `${expected} records (have ${read.length})`})
  } finally {
    await consumer.disconnect()
  }
  return read.sort((a, b) => a - b)
}

export function kafkajsClient(bootstrap: string, clientId = 'kts-interop'): Kafka {
  return new Kafka({clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: {retries: 8, initialRetryTime: 100, maxRetryTime: 1000}})
}

/**
 * Creates `topic` with `partitions` partitions and replication factor 1 via kafkajs' admin client
 * and waits until its metadata shows every partition with a leader. Against an external cluster
 * (KTS_TEST_BOOTSTRAP, e.g. librdkafka's mock cluster without CreateTopics) a failed create is
 * tolerated when the topic then exists (auto-created). Resolves with the partition count seen.
 */
export async function createTopic(broker: BrokerHandle, topic: string, partitions = 3): Promise<number> {
  const admin = kafkajsClient(broker.bootstrap, 'kts-interop-admin').admin()
  await admin.connect()
  try {
    try {
      await admin.createTopics({topics: [{topic, numPartitions: partitions, replicationFactor: 1}], waitForLeaders: true, timeout: 10_000})
    } catch (err) {
      if (!broker.external) throw err
    }
    return await waitFor(async () => {
      const md = await admin.fetchTopicMetadata({topics: [topic]})
      const t = md.topics.find((x) => x.name === topic)
      if (!t || t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)) return false
      return t.partitions.length
    }, {timeoutMs: 15_000, message: `metadata of topic ${topic}`})
  } finally {
    await admin.disconnect()
  }
}

/**
 * Asserts that `read` holds every record of `sent` exactly once and nothing else; that each
 * partition's offsets strictly increase, start at 0 and have no gaps (fresh topic, no control
 * records), and that within a partition values come in send order; that a key always lands in one
 * partition; and, when `partitions` is given, that every partition got records. Returns `read`
 * sorted by (partition, offset) for comparisons across reads.
 */
export function checkReadBack(sent: TestRecord[], read: ReadRecord[], partitions?: number): ReadRecord[] {
  const bySeq = new Map<string, TestRecord>()
  for (const r of sent) bySeq.set(r.value, r)
  const seen = new Set<string>()
  for (const r of read) {
    assert.ok(r.value !== null, `record at ${r.partition}/${r.offset} has a null value`)
    const orig = bySeq.get(r.value)
    assert.ok(orig, `unexpected record ${JSON.stringify(r)}`)
    assert.equal(r.key, orig.key, `key of ${r.value} at ${r.partition}/${r.offset}`)
    assert.ok(!seen.has(r.value), `record ${r.value} read twice (again at ${r.partition}/${r.offset})`)
    seen.add(r.value)
  }
  const missing = sent.filter((r) => !seen.has(r.value))
  assert.equal(missing.length, 0, `${missing.length} of ${sent.length} records missing, first: ${missing.slice(0, 3).map((r) => r.value).join(', ')}`)

  const sorted = [...read].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  const keyPartition = new Map<string, number>()
  const perPartition = new Map<number, ReadRecord[]>()
  for (const r of sorted) {
    const list = perPartition.get(r.partition) ?? []
    list.push(r)
    perPartition.set(r.partition, list)
    const p = keyPartition.get(r.key!)
    assert.ok(p === undefined || p === r.partition, `key ${r.key} found in partitions ${p} and ${r.partition}`)
    keyPartition.set(r.key!, r.partition)
  }
  for (const [p, list] of perPartition) {
    for (let i = 0; i < list.length; i++) {
      assert.equal(list[i].offset, i, `partition ${p}: offset ${list[i].offset} at position ${i} (expected contiguous offsets from 0)`)
      if (i > 0) {
        assert.ok(bySeq.get(list[i].value!)!.seq > bySeq.get(list[i - 1].value!)!.seq,
          `partition ${p}: ${list[i].value} at offset ${list[i].offset} comes after ${list[i - 1].value} (send order broken)`)
      }
    }
  }
  if (partitions !== undefined) {
    for (let p = 0; p < partitions; p++) assert.ok((perPartition.get(p)?.length ?? 0) > 0, `partition ${p} got no records`)
    for (const p of perPartition.keys()) assert.ok(p >= 0 && p < partitions, `record in unknown partition ${p}`)
  }
  return sorted
}

/** Asserts two sorted reads are the same records at the same partitions and offsets. */
export function assertSameRecords(before: ReadRecord[], after: ReadRecord[], what = 'after restart'): void {
  const fmt = (r: ReadRecord): string => `${r.partition}/${r.offset} ${r.key} ${r.value}`
  assert.deepEqual(after.map(fmt), before.map(fmt), `records ${what} differ from the first read`)
}

/**
 * Mocha `afterEach` hook body: prints the broker's captured output (last 20,000 chars) when the test
 * just failed.
 */
export function printBrokerOutputOnFailure(ctx: Mocha.Context, broker: BrokerHandle | undefined): void {
  if (ctx.currentTest?.state === 'failed' && broker) {
    const out = broker.output()
    process.stderr.write(`\n----- broker output (${ctx.currentTest.title}) -----\n${out.slice(-20_000)}\n----- end of broker output -----\n`)
  }
}

/** The broker of a suite that called {@link useBroker}. */
export interface BrokerSuite {
  /** The broker the `before` hook started (throws when read before it ran). */
  readonly broker: BrokerHandle
}

/**
 * Registers, on the calling `describe`, the hooks the interop suites repeat: `before` starts a
 * broker (`startBroker(opts)`), or with `ownBroker` skips the suite when the tests run against an
 * external cluster (`KTS_TEST_BOOTSTRAP`: the suite needs the broker's files, settings or
 * process); `after` closes it; `afterEach` prints its output when a test failed.
 */
export function useBroker(opts: BrokerOptions & {ownBroker?: boolean} = {}): BrokerSuite {
  const {ownBroker, ...brokerOpts} = opts
  let broker: BrokerHandle | undefined
  before(async function () {
    if (ownBroker && process.env.KTS_TEST_BOOTSTRAP) this.skip()
    broker = await startBroker(brokerOpts)
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })
  return {
    get broker() {
      if (!broker) throw new Error('useBroker: the broker is not started yet')
      return broker
    },
  }
}

/** Parses JSON-lines output of the Python clients (`{"partition", "offset", "key", "value"}` per line). */
export function parseJsonLines(stdout: string): ReadRecord[] {
  return stdout.split('\n').filter((l) => l.trim().length > 0).map((l) => JSON.parse(l) as ReadRecord)
}

/** Asserts each record was read at the partition/offset its producer's delivery report gave. */
export function assertMatchesDeliveryReports(reports: ReadRecord[], read: ReadRecord[]): void {
  const at = new Map(read.map((r) => [r.value, r]))
  for (const d of reports) {
    const r = at.get(d.value)
    assert.ok(r, `delivered record ${d.value} not read back`)
    assert.equal(`${r.partition}/${r.offset}`, `${d.partition}/${d.offset}`, `record ${d.value}: read at ${r.partition}/${r.offset}, delivery report said ${d.partition}/${d.offset}`)
  }
}
