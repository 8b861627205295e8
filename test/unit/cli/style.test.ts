import assert from 'node:assert/strict'
import {colorLevel, loadChalk, paintLines, PLAIN, styleFor} from '../../../src/cli/output/style.js'
import {BOOTSTRAP_SERVER_ENV, DEFAULT_BOOTSTRAP_SERVER, resolveBootstrapServer} from '../../../src/cli/flags.js'
import {closestId, editDistance} from '../../../src/cli/hooks/not-found-hint.js'
import {canPrompt} from '../../../src/cli/output/prompt.js'
import {pickDefaultTopic} from '../../../src/cli/console/default-topic.js'

const tty = {isTTY: true, getColorDepth: () => 8}
const pipe = {isTTY: false}

describe('cli/output/style: colour decisions', () => {
  before(() => loadChalk())

  it('colours a colour TTY only; honours NO_COLOR and FORCE_COLOR', () => {
    assert.equal(colorLevel(tty, {}), 2)
    assert.equal(colorLevel({isTTY: true, getColorDepth: () => 1}, {}), 0, 'TERM=dumb-like terminal')
    assert.equal(colorLevel(pipe, {}), 0)
    assert.equal(colorLevel(tty, {NO_COLOR: '1'}), 0)
    assert.equal(colorLevel(tty, {NO_COLOR: ''}), 2, 'an empty NO_COLOR is ignored (no-color.org)')
    assert.equal(colorLevel(pipe, {FORCE_COLOR: '1'}), 1)
    assert.equal(colorLevel(pipe, {FORCE_COLOR: ''}), 1)
    assert.equal(colorLevel(pipe, {FORCE_COLOR: '3'}), 3)
    assert.equal(colorLevel(pipe, {FORCE_COLOR: 'true', NO_COLOR: '1'}), 1, 'FORCE_COLOR wins, as in Node')
    assert.equal(colorLevel(tty, {FORCE_COLOR: '0'}), 0)
    assert.equal(colorLevel(tty, {FORCE_COLOR: 'false'}), 0)
  })

  it('a plain style returns text unchanged; a coloured one adds red/yellow/bold escapes', () => {
    assert.equal(styleFor(pipe, {}), PLAIN)
    assert.equal(PLAIN.error('x'), 'x')
    const s = styleFor(pipe, {FORCE_COLOR: '1'})
    assert.equal(s.enabled, true)
    assert.equal(s.error('x'), '\x1b[31mx\x1b[39m')
    assert.equal(s.warning('x'), '\x1b[33mx\x1b[39m')
    assert.equal(s.header('x'), '\x1b[1mx\x1b[22m')
    assert.equal(paintLines('\nError: x\n', s.error), '\n\x1b[31mError: x\x1b[39m\n')
  })
})

describe('cli/flags: --bootstrap-server default', () => {
  it('flag, else $KTS_BOOTSTRAP_SERVER (not blank), else localhost:9092', () => {
    assert.equal(DEFAULT_BOOTSTRAP_SERVER, 'localhost:9092')
    assert.equal(resolveBootstrapServer('h:1', {[BOOTSTRAP_SERVER_ENV]: 'e:2'}), 'h:1')
    assert.equal(resolveBootstrapServer(undefined, {[BOOTSTRAP_SERVER_ENV]: 'e:2'}), 'e:2')
    assert.equal(resolveBootstrapServer(undefined, {[BOOTSTRAP_SERVER_ENV]: '  '}), 'localhost:9092')
    assert.equal(resolveBootstrapServer(undefined, {}), 'localhost:9092')
  })
})

describe('cli/console/default-topic', () => {
  it('picks the only topic besides internal ones, else Kafka\'s error plus the topics', () => {
    assert.equal(pickDefaultTopic(['__consumer_offsets', 'orders', '__transaction_state', '__share_group_state'], 'b:1'), 'orders')
    assert.throws(() => pickDefaultTopic(['b', '__consumer_offsets', 'a'], 'b:1'),
      {name: 'UsageError', message: 'Exactly one of --include/--topic is required. Topics on b:1: a, b'})
    assert.throws(() => pickDefaultTopic(['__consumer_offsets'], 'b:1'),
      {name: 'UsageError', message: 'Exactly one of --include/--topic is required. The cluster at b:1 has no topics besides internal ones.'})
  })
})

describe('cli/hooks/not-found-hint and cli/output/prompt', () => {
  it('suggests the closest command id', () => {
    assert.equal(editDistance('topcs', 'topics'), 1)
    assert.equal(editDistance('', 'abc'), 3)
    assert.equal(closestId('topcs', ['storage:format', 'topics', 'topics:list']), 'topics')
    assert.equal(closestId('consumer-grups', ['console-consumer', 'consumer-groups']), 'consumer-groups')
    assert.equal(closestId('x', []), undefined)
  })

  it('prompts only when stdin and stdout are terminals', () => {
    assert.equal(canPrompt({stdin: {isTTY: true}, stdout: {isTTY: true}}), true)
    assert.equal(canPrompt({stdin: {isTTY: false}, stdout: {isTTY: true}}), false)
    assert.equal(canPrompt({stdin: {isTTY: true}, stdout: {}}), false)
  })
})
