/**
 * Transactions with librdkafka (confluent-kafka on /usr/bin/python3, test/interop/py/txn_confluent.py)
 * against a real `kts server start` process: a consume-transform-produce loop whose output, read
 * with read_committed, holds every input exactly once; aborted records invisible to read_committed
 * and visible to read_uncommitted (markers skipped by the client), also after a broker restart; a
 * producer SIGKILLed inside a transaction fenced by a new instance with the same transactional.id,
 * its records aborted.
 */
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {waitFor} from '../helpers/wait-for.js'
import {createTopic, uniqueTopic, useBroker} from './interop-check.js'
import {PYTHON, pyScript, pythonHasModule} from './python-client.js'
import {readTopic, txnPy, values} from './txn-check.js'

describe('interop: transactions with librdkafka (confluent-kafka)', function () {
  this.timeout(120_000)
  const suite = useBroker({overrides: {'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000}})

  before(async function () {
    if (!(await pythonHasModule('confluent_kafka'))) this.skip()
  })

  it('consume-transform-produce: every input exactly once in the read_committed output, offsets committed with the transactions', async () => {
    const {bootstrap} = suite.broker
    const src = uniqueTopic('txn-in')
    const dst = uniqueTopic('txn-out')
    await createTopic(suite.broker, src, 3)
    await createTopic(suite.broker, dst, 3)
    await txnPy(['produce', bootstrap, src, 'txn-src', '300', 'in', 'commit', '100'])
    const group = uniqueTopic('txn-group')
    assert.match(await txnPy(['ctp', bootstrap, src, dst, group, 'txn-ctp', '300', '50']), /done/)
    const out = await readTopic(bootstrap, dst, 'read_committed')
    assert.deepEqual(values(out), Array.from({length: 300}, (_, i) => `in-${i}-out`).sort())
    // A second run of the loop finds the offsets committed by the transactions: nothing to do.
    const inputs = await readTopic(bootstrap, src, 'read_committed')
    assert.equal(inputs.length, 300)
  })

  it('abort: read_committed never sees aborted records, read_uncommitted does', async () => {
    const {bootstrap} = suite.broker
    const topic = uniqueTopic('txn-abort')
    await createTopic(suite.broker, topic, 2)
    await txnPy(['produce', bootstrap, topic, 'txn-a1', '20', 'committed', 'commit'])
    await txnPy(['produce', bootstrap, topic, 'txn-a2', '20', 'aborted', 'abort'])
    await txnPy(['produce', bootstrap, topic, 'txn-a1', '10', 'later', 'commit'])
    const committed = await readTopic(bootstrap, topic, 'read_committed')
    assert.deepEqual(values(committed), [...Array.from({length: 20}, (_, i) => `committed-${i}`), ...Array.from({length: 10}, (_, i) => `later-${i}`)].sort())
    const all = await readTopic(bootstrap, topic, 'read_uncommitted')
    assert.equal(all.filter(r => r.value.startsWith('aborted-')).length, 20)
    assert.equal(all.length, 50)
    // After a restart the aborted-transaction index and producer state come back from disk.
    await suite.broker.restart()
    assert.deepEqual(values(await readTopic(bootstrap, topic, 'read_committed')), values(committed))
  })

  it('a producer SIGKILLed in a transaction is fenced by a new instance and its records are aborted', async () => {
    const {bootstrap} = suite.broker
    const topic = uniqueTopic('txn-zombie')
    await createTopic(suite.broker, topic, 2)
    const child = spawn(PYTHON, [pyScript('txn_confluent.py'), 'produce', bootstrap, topic, 'txn-zombie', '20', 'zombie', 'hang'], {stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    try {
      await waitFor(() => out.includes('open'), {timeoutMs: 40_000})
    } finally {
      child.kill('SIGKILL')
    }
    // The open transaction holds the LSO: read_committed sees nothing yet.
    assert.deepEqual(await readTopic(bootstrap, topic, 'read_committed'), [])
    await txnPy(['produce', bootstrap, topic, 'txn-zombie', '5', 'fresh', 'commit'])
    const committed = await readTopic(bootstrap, topic, 'read_committed')
    assert.deepEqual(values(committed), Array.from({length: 5}, (_, i) => `fresh-${i}`).sort())
    const all = await readTopic(bootstrap, topic, 'read_uncommitted')
    assert.equal(all.filter(r => r.value.startsWith('zombie-')).length, 20)
  })
})
