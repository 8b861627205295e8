/**
 * Interop with kafka-python (Python, test/interop/py/kafka_python_client.py) against a real `kts server start`
 * process: keyed produce, read back without a consumer group (assign + explicit start offsets);
 * then SIGKILL, restart, read everything again.
 */
import assert from 'node:assert/strict'
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {assertMatchesDeliveryReports, assertSameRecords, checkReadBack, createTopic, makeRecords, printBrokerOutputOnFailure, uniqueTopic} from './interop-check.js'
import {pyConsume, pyProduce, pythonHasModule} from './python-client.js'

const SCRIPT = 'kafka_python_client.py'
/**
 * kafka-python 2.0.2 probes the broker version itself (api_version auto-detection) unless
 * KTS_KAFKA_PYTHON_API_VERSION (e.g. "2.5.0") pins it.
 */
const EXTRA: string[] = process.env.KTS_KAFKA_PYTHON_API_VERSION ? [process.env.KTS_KAFKA_PYTHON_API_VERSION] : []

describe('interop: kafka-python (Python)', function () {
  this.timeout(120_000)
  let broker: BrokerHandle | undefined

  before(async function () {
    if (!(await pythonHasModule('kafka'))) this.skip() // .ci/run installs it
    broker = await startBroker()
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('produces 300 keyed records (acks=all), reads each once in order via assign() + seek_to_beginning, and again after SIGKILL + restart', async function () {
    const b = broker!
    const topic = uniqueTopic('kafka-python')
    const partitions = await createTopic(b, topic, 3)
    const records = makeRecords(300)
    const reports = await pyProduce(SCRIPT, b.bootstrap, topic, records, EXTRA)
    assert.equal(reports.length, records.length, 'one delivery report per record')
    const first = checkReadBack(records, await pyConsume(SCRIPT, b.bootstrap, topic, EXTRA), partitions)
    assertMatchesDeliveryReports(reports, first)

    if (b.external) return
    await b.kill()
    await b.restart()
    const again = checkReadBack(records, await pyConsume(SCRIPT, b.bootstrap, topic, EXTRA), partitions)
    assertSameRecords(first, again)
  })
})
