import assert from 'node:assert/strict'
import {UsageError} from '../../../src/cli/errors.js'
import {GroupCommandError} from '../../../src/cli/groups/group-errors.js'
import {tpKey, type CommittedOffset} from '../../../src/cli/groups/group-model.js'
import {checkOffsetRange, computeResetPlan, type ResetInputs} from '../../../src/cli/groups/reset-plan.js'
import {csvField, exportResetPlanCsv, parseResetPlanCsv, splitCsvLine} from '../../../src/cli/groups/reset-csv.js'
import {parseJavaDuration, parseKafkaDateTime} from '../../../src/cli/groups/reset-time.js'

const tp = (topic: string, partition: number) => ({topic, partition})
const offsets = (entries: Array<[string, number, number]>): Map<string, number> =>
  new Map(entries.map(([t, p, o]) => [tpKey(tp(t, p)), o]))
const committed = (entries: Array<[string, number, number]>): Map<string, CommittedOffset> =>
  new Map(entries.map(([topic, partition, offset]) => [tpKey(tp(topic, partition)), {topic, partition, offset}]))

// orders-0: log 2..10, orders-1: log 0..5 (empty of timestamps), committed 7 and none
const inputs: ResetInputs = {
  committed: committed([['orders', 0, 7]]),
  start: offsets([['orders', 0, 2], ['orders', 1, 0]]),
  end: offsets([['orders', 0, 10], ['orders', 1, 5]]),
  byTimestamp: offsets([['orders', 0, 4], ['orders', 1, -1]]),
}
const both = [tp('orders', 1), tp('orders', 0)]
const plan = (kind: any, extra: object = {}, ps = both, inp: ResetInputs = inputs) => computeResetPlan('g', {kind, ...extra} as any, ps, inp)

describe('kts consumer-groups reset plan', () => {
  it('earliest / latest / current, sorted by topic and partition', () => {
    assert.deepEqual(plan('to-earliest').offsets, [{topic: 'orders', partition: 0, offset: 2}, {topic: 'orders', partition: 1, offset: 0}])
    assert.deepEqual(plan('to-latest').offsets.map((o) => o.offset), [10, 5])
    // to-current keeps commits, log end where there is none
    assert.deepEqual(plan('to-current').offsets.map((o) => o.offset), [7, 5])
  })

  it('to-offset and shift-by are clamped to the log with Kafka\'s WARN text', () => {
    const high = plan('to-offset', {offset: 9})
    assert.deepEqual(high.offsets.map((o) => o.offset), [9, 5])
    assert.deepEqual(high.warnings, ['New offset (9) is higher than latest offset for topic partition orders-1. Value will be set to 5'])
    const low = plan('to-offset', {offset: 1}, [tp('orders', 0)])
    assert.deepEqual(low.offsets, [{topic: 'orders', partition: 0, offset: 2}])
    assert.deepEqual(low.warnings, ['New offset (1) is lower than earliest offset for topic partition orders-0. Value will be set to 2'])
    assert.deepEqual(plan('shift-by', {shift: -3}, [tp('orders', 0)]).offsets.map((o) => o.offset), [4])
    assert.deepEqual(plan('shift-by', {shift: 100}, [tp('orders', 0)]).offsets.map((o) => o.offset), [10])
    assert.throws(() => plan('shift-by', {shift: 1}),
      (err: Error) => err instanceof UsageError && err.message === 'Cannot shift offset for partition orders-1 since there is no current committed offset')
    // unknown bounds leave the requested offset
    assert.equal(checkOffsetRange(tp('x', 0), 42, {start: new Map(), end: new Map()}, []), 42)
  })

  it('by timestamp: the found offset, else the log end with Kafka\'s stdout notice', () => {
    const p = plan('to-datetime', {timestamp: 1})
    assert.deepEqual(p.offsets.map((o) => o.offset), [4, 5])
    assert.deepEqual(p.notices, ['\nWarn: Partition 1 from topic orders is empty. Falling back to latest known offset.'])
    assert.deepEqual(plan('by-duration', {durationMs: 1}).offsets.map((o) => o.offset), [4, 5])
  })

  it('unknown partitions are usage errors naming the partition', () => {
    const missing = [tp('orders', 7)]
    assert.throws(() => plan('to-earliest', {}, missing), /^UsageError: Error getting starting offset of topic partition: orders-7$/)
    assert.throws(() => plan('to-latest', {}, missing), /^UsageError: Error getting ending offset of topic partition: orders-7$/)
    assert.throws(() => plan('to-datetime', {timestamp: 0}, missing), /^UsageError: Error getting offset by timestamp of topic partition: orders-7$/)
  })

  it('from-file: the group\'s entries, clamped; none → Kafka\'s printError text and an empty plan', () => {
    const filePlan: CommittedOffset[] = [{topic: 'orders', partition: 0, offset: 50}, {topic: 'orders', partition: 1, offset: 3}]
    const p = plan('from-file', {file: 'x'}, [], {...inputs, filePlan})
    assert.deepEqual(p.offsets.map((o) => o.offset), [10, 3])
    assert.equal(p.warnings.length, 1)
    const none = plan('from-file', {file: 'x'}, [], {...inputs, filePlan: null})
    assert.deepEqual(none.offsets, [])
    assert.deepEqual(none.errors, ['No reset plan for group g found'])
  })
})

describe('kts consumer-groups reset CSV', () => {
  const plans = [
    {groupId: 'g1', offsets: [{topic: 'orders', partition: 0, offset: 5}, {topic: 'orders', partition: 1, offset: 0}]},
    {groupId: 'g,2', offsets: [{topic: 'pay', partition: 3, offset: 12}]},
  ]

  it('exports topic,partition,offset for one group and group,... for several (quoted when needed)', () => {
    assert.equal(exportResetPlanCsv(plans.slice(0, 1), false), 'orders,0,5\norders,1,0\n')
    assert.equal(exportResetPlanCsv(plans, true), 'g1,orders,0,5\ng1,orders,1,0\n"g,2",pay,3,12\n')
    assert.equal(exportResetPlanCsv([], true), '')
    assert.equal(csvField('a"b'), '"a""b"')
    assert.deepEqual(splitCsvLine('"a""b",c,"d,e"'), ['a"b', 'c', 'd,e'])
    assert.throws(() => splitCsvLine('"abc'), /unterminated/)
  })

  it('round-trips both forms; the first line decides the form', () => {
    const single = parseResetPlanCsv(exportResetPlanCsv(plans.slice(0, 1), false) + '\n', 'g1', 'p.csv')
    assert.deepEqual([...single], [['g1', plans[0].offsets]])
    const multi = parseResetPlanCsv(exportResetPlanCsv(plans, true).replace(/\n/g, '\r\n'), null, 'p.csv')
    assert.deepEqual([...multi], plans.map((p) => [p.groupId, p.offsets]))
    // a 4-field file with one --group still reads the group column
    assert.deepEqual([...parseResetPlanCsv('g9,t,0,1\n', 'g1', 'p.csv')], [['g9', [{topic: 't', partition: 0, offset: 1}]]])
    assert.equal(parseResetPlanCsv('\n\n', 'g1', 'p.csv').size, 0)
  })

  it('malformed lines fail with one line naming the file and line', () => {
    const fails = (text: string, group: string | null, message: string): void => {
      assert.throws(() => parseResetPlanCsv(text, group, 'plan.csv'), (err: Error) => err instanceof GroupCommandError && err.message === message)
    }
    fails('t,0,1\nt,1\n', 'g', 'plan.csv: line 2: expected topic,partition,offset but got \'t,1\'')
    fails('t,0,1\n', null, 'plan.csv: line 1: expected group,topic,partition,offset but got \'t,0,1\'')
    fails('t,x,1\n', 'g', 'plan.csv: line 1: partition \'x\' is not an integer')
    fails('g,t,0,1.5\n', null, 'plan.csv: line 1: offset \'1.5\' is not an integer')
    fails('"g,t,0,1\n', null, 'plan.csv: line 1: unterminated quoted field')
  })
})

describe('kts consumer-groups --to-datetime / --by-duration', () => {
  it('parses Kafka\'s datetime formats (UTC without a zone)', () => {
    assert.equal(parseKafkaDateTime('2024-02-29T23:59:58.123'), Date.UTC(2024, 1, 29, 23, 59, 58, 123))
    assert.equal(parseKafkaDateTime('2024-01-01T00:00:00.000Z'), Date.UTC(2024, 0, 1))
    assert.equal(parseKafkaDateTime('2024-01-01T02:00:00.000+02:00'), Date.UTC(2024, 0, 1))
    assert.equal(parseKafkaDateTime('2024-01-01T00:00:00.000-0130'), Date.UTC(2024, 0, 1, 1, 30))
    assert.equal(parseKafkaDateTime('2024-01-01T05:00:00.000+05'), Date.UTC(2024, 0, 1))
  })

  it('rejects what SimpleDateFormat (non-lenient) rejects, with Kafka\'s message', () => {
    assert.throws(() => parseKafkaDateTime('2024-01-01'), /^Error: java\.text\.ParseException: Error parsing timestamp\. It does not contain a 'T' according to ISO8601 format$/)
    for (const bad of ['2023-02-29T00:00:00.000', '2024-01-01T24:00:00.000', '2024-01-01T00:00:00', 'yesterdayT12']) {
      assert.throws(() => parseKafkaDateTime(bad), (err: Error) => err.message === `java.text.ParseException: Unparseable date: "${bad}Z"`, bad)
    }
    assert.throws(() => parseKafkaDateTime('2024-01-01T00:00:00.000+25:00'), /Unparseable date: "2024-01-01T00:00:00.000\+25:00"/)
  })

  it('parses Java durations', () => {
    assert.equal(parseJavaDuration('PT1H'), 3_600_000)
    assert.equal(parseJavaDuration('P1DT2H3M4.5S'), ((24 + 2) * 3600 + 3 * 60 + 4) * 1000 + 500)
    assert.equal(parseJavaDuration('pt-30s'), -30_000)
    assert.equal(parseJavaDuration('-PT1M'), -60_000)
    assert.equal(parseJavaDuration('P2D'), 2 * 86_400_000)
    for (const bad of ['PT', 'P', '1H', 'PT1H1D', 'P1W', '']) {
      assert.throws(() => parseJavaDuration(bad), /^Error: Text cannot be parsed to a Duration$/, bad)
    }
  })
})
