import assert from 'node:assert/strict'
import {UsageError} from '../../../src/cli/errors.js'
import {resolveBootstrapServer} from '../../../src/cli/flags.js'
import {GroupCommandError} from '../../../src/cli/groups/group-errors.js'
import {MISSING_EXECUTE_WARNING, normalizeOptionalArgs, parseStateList, parseTopicArg, parseTypeList, validateGroupOptions,
  type RawGroupFlags} from '../../../src/cli/groups/group-options.js'

const BS = {'bootstrap-server': 'localhost:9092'}
const usage = (raw: RawGroupFlags, message: string): void => {
  assert.throws(() => validateGroupOptions(raw), (err: Error) => {
    assert.ok(err instanceof UsageError, `${err.name}: ${err.message}`)
    assert.equal(err.message, message)
    return true
  })
}

describe('kts consumer-groups options', () => {
  it('checks in Kafka\'s order: availability, then exactly one action (the bootstrap server defaults)', () => {
    assert.equal(validateGroupOptions({list: true}).bootstrapServer, resolveBootstrapServer(undefined))
    usage({...BS}, 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets')
    usage({...BS, list: true, delete: true, group: ['g']}, 'Option "[group]" can\'t be used with option "[list]"')
    usage({...BS, list: true, delete: true, 'all-groups': true}, 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets')
    usage({...BS, list: true, members: true}, 'Option(s) [members] are unavailable given other options on the command line')
    usage({...BS, delete: true, group: ['g'], verbose: true}, 'Option(s) [verbose] are unavailable given other options on the command line')
    usage({...BS, delete: true, group: ['g'], state: ''}, 'Option(s) [state] are unavailable given other options on the command line')
    usage({...BS, describe: true, group: ['g'], type: ''}, 'Option(s) [type] are unavailable given other options on the command line')
    usage({...BS, list: true, describe: true, group: ['g']}, 'Option "[group]" can\'t be used with option "[list]"')
  })

  it('describe: needs groups, at most one view, --state without a value', () => {
    usage({...BS, describe: true}, 'Option [describe] takes one of these options: [group], [all-groups]')
    usage({...BS, describe: true, group: ['g'], members: true, offsets: true}, 'Option [describe] takes at most one of these options: [members], [offsets], [state]')
    usage({...BS, describe: true, group: ['g'], members: true, state: ''}, 'Option [describe] takes at most one of these options: [members], [offsets], [state]')
    usage({...BS, describe: true, group: ['g'], state: 'stable'}, 'Option [describe] does not take a value for [state]')
    usage({...BS, describe: true, group: ['g'], 'all-groups': true}, 'Option "[group]" can\'t be used with option "[all-groups]"')
    usage({...BS, describe: true, group: ['g'], topic: ['t']}, 'Option "[topic]" can\'t be used with option "[describe]"')
    const o = validateGroupOptions({...BS, describe: true, group: ['a', 'b']})
    assert.equal(o.action, 'describe')
    assert.equal(o.describeView, 'offsets')
    assert.deepEqual(o.groups, ['a', 'b'])
    assert.equal(o.timeoutMs, 5000)
    assert.equal(validateGroupOptions({...BS, describe: true, 'all-groups': true, members: true, verbose: true}).describeView, 'members')
    assert.equal(validateGroupOptions({...BS, describe: true, group: ['g'], state: ''}).describeView, 'state')
    assert.equal(validateGroupOptions({...BS, describe: true, group: ['g'], offsets: true, timeout: '250'}).timeoutMs, 250)
    usage({...BS, describe: true, group: ['g'], timeout: 'soon'}, 'Cannot parse argument \'soon\' of option timeout')
  })

  it('list: --state/--type add columns and filter', () => {
    const plain = validateGroupOptions({...BS, list: true})
    assert.equal(plain.listStates, null)
    assert.equal(plain.listTypes, null)
    const col = validateGroupOptions({...BS, list: true, state: ''})
    assert.deepEqual(col.listStates, [])
    const filtered = validateGroupOptions({...BS, list: true, state: 'stable, EMPTY', type: 'Classic'})
    assert.deepEqual(filtered.listStates, ['Stable', 'Empty'])
    assert.deepEqual(filtered.listTypes, ['Classic'])
    usage({...BS, list: true, state: 'x'}, 'Invalid state list \'x\'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling')
    usage({...BS, list: true, state: 'stable,unknown'}, 'Invalid state list \'stable,unknown\'. Valid states are: PreparingRebalance, CompletingRebalance, Stable, Dead, Empty, Assigning, Reconciling')
    usage({...BS, list: true, type: 'share'}, 'Invalid types list \'share\'. Valid types are: Consumer, Classic')
    assert.deepEqual(parseStateList('Stable,stable'), ['Stable'])
    assert.deepEqual(parseTypeList('consumer,CLASSIC'), ['Consumer', 'Classic'])
  })

  it('delete and delete-offsets need their groups and topics', () => {
    usage({...BS, delete: true}, 'Option [delete] takes one of these options: [group], [all-groups]')
    usage({...BS, delete: true, group: ['g'], topic: ['t']}, 'The consumer does not support topic-specific offset deletion from a consumer group.')
    usage({...BS, 'delete-offsets': true, group: ['g']}, 'Option [delete-offsets] takes the following options: [group], [topic]')
    usage({...BS, 'delete-offsets': true, topic: ['t']}, 'Option [delete-offsets] takes the following options: [group], [topic]')
    const o = validateGroupOptions({...BS, 'delete-offsets': true, group: ['g'], topic: ['t', 'u:1,2']})
    assert.deepEqual(o.topics, [{raw: 't', topic: 't', partitions: null}, {raw: 'u:1,2', topic: 'u', partitions: [1, 2]}])
  })

  it('reset-offsets: one scenario, a scope, --execute or --dry-run (WARN when neither)', () => {
    const reset = {...BS, 'reset-offsets': true, group: ['g'], 'all-topics': true}
    usage({...reset, 'to-earliest': true, 'dry-run': true, execute: true}, 'Option [reset-offsets] only accepts one of [execute] and [dry-run]')
    usage({...BS, 'reset-offsets': true, 'to-earliest': true, 'all-topics': true}, 'Option [reset-offsets] takes one of these options: [group], [all-groups]')
    usage({...reset, 'to-offset': '3', 'to-latest': true}, 'Option "[to-offset]" can\'t be used with option "[to-latest]"')
    usage({...reset, 'shift-by': '1', 'from-file': 'x.csv'}, 'Option "[shift-by]" can\'t be used with option "[from-file]"')
    usage(reset, 'Option \'[reset-offsets]\' requires one of the following scenarios: [[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], [to-latest], [to-current], [from-file]]')
    usage({...BS, 'reset-offsets': true, group: ['g'], 'to-latest': true}, 'One of the reset scopes should be defined: --all-topics, --topic.')
    usage({...reset, 'to-offset': '1.5'}, 'Cannot parse argument \'1.5\' of option to-offset')
    usage({...reset, topic: ['t:a'], 'to-earliest': true}, 'Invalid partition \'a\' specified in topic arg \'t:a\'\'')

    const dry = validateGroupOptions({...reset, 'to-earliest': true})
    assert.deepEqual(dry.warnings, [MISSING_EXECUTE_WARNING])
    assert.deepEqual(dry.reset, {scenario: {kind: 'to-earliest'}, execute: false, export: false})
    assert.match(MISSING_EXECUTE_WARNING, /option is missing\.In a future major release/)
    const exec = validateGroupOptions({...reset, 'shift-by': '-2', execute: true, export: true})
    assert.deepEqual(exec.warnings, [])
    assert.deepEqual(exec.reset, {scenario: {kind: 'shift-by', shift: -2}, execute: true, export: true})
    assert.deepEqual(validateGroupOptions({...BS, 'reset-offsets': true, 'all-groups': true, 'from-file': 'p.csv', 'dry-run': true}).reset?.scenario, {kind: 'from-file', file: 'p.csv'})
    assert.deepEqual(validateGroupOptions({...reset, 'to-datetime': '2024-01-02T03:04:05.006', 'dry-run': true}).reset?.scenario,
      {kind: 'to-datetime', timestamp: Date.UTC(2024, 0, 2, 3, 4, 5, 6)})
    assert.deepEqual(validateGroupOptions({...reset, 'by-duration': 'PT1H', 'dry-run': true}).reset?.scenario, {kind: 'by-duration', durationMs: 3_600_000})
  })

  it('an unparsable --to-datetime or --by-duration is a command failure with Kafka\'s text', () => {
    const reset = {...BS, 'reset-offsets': true, group: ['g'], 'all-topics': true, 'dry-run': true}
    assert.throws(() => validateGroupOptions({...reset, 'to-datetime': '2024-13-01T00:00:00.000'}),
      (err: Error) => err instanceof GroupCommandError && err.message === 'java.text.ParseException: Unparseable date: "2024-13-01T00:00:00.000Z"')
    assert.throws(() => validateGroupOptions({...reset, 'by-duration': '1h'}),
      (err: Error) => err instanceof GroupCommandError && err.message === 'Text cannot be parsed to a Duration')
  })

  it('--topic t[:partitions] like Kafka\'s parseTopicsWithPartitions', () => {
    assert.deepEqual(parseTopicArg('orders'), {raw: 'orders', topic: 'orders', partitions: null})
    assert.deepEqual(parseTopicArg('orders:0,2'), {raw: 'orders:0,2', topic: 'orders', partitions: [0, 2]})
    assert.deepEqual(parseTopicArg('orders:0,1,'), {raw: 'orders:0,1,', topic: 'orders', partitions: [0, 1]})
    assert.throws(() => parseTopicArg('orders:'), /^UsageError: Invalid topic arg 'orders:', expected topic name and partitions$/)
    assert.throws(() => parseTopicArg('a:1:2'), /^UsageError: Invalid topic arg 'a:1:2', expected topic name and partitions$/)
    assert.throws(() => parseTopicArg('a:1,,2'), /^UsageError: Invalid partition '' specified in topic arg 'a:1,,2''$/)
  })

  it('--state/--type without a value become --state= for oclif; with a value they stay', () => {
    assert.deepEqual(normalizeOptionalArgs(['--list', '--state']), ['--list', '--state='])
    assert.deepEqual(normalizeOptionalArgs(['--state', '--list']), ['--state=', '--list'])
    assert.deepEqual(normalizeOptionalArgs(['--list', '--state', 'stable', '--type']), ['--list', '--state', 'stable', '--type='])
    assert.deepEqual(normalizeOptionalArgs(['--state=empty', '--group', 'state']), ['--state=empty', '--group', 'state'])
    assert.deepEqual(normalizeOptionalArgs(['--group', '--', '--state']), ['--group', '--', '--state'])
  })
})
