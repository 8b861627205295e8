/**
 * Interop with kcat (librdkafka) against a real `kts server start` process: keyed produce with
 * enable.idempotence=true and acks=all, consume from the beginning to the end of every partition;
 * then SIGKILL, restart, read everything again.
 */
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {runProcessOk} from '../helpers/run-process.js'
import {assertSameRecords, checkReadBack, createTopic, makeRecords, printBrokerOutputOnFailure, uniqueTopic, type ReadRecord, type TestRecord} from './interop-check.js'

async function produceAll(bootstrap: string, topic: string, records: TestRecord[]): Promise<void> {
  const input = records.map((r) => `${r.key}:${r.value}\n`).join('')
  await runProcessOk('kcat', ['-P', '-b', bootstrap, '-t', topic, '-K:', '-X', 'enable.idempotence=true', '-X', 'acks=all'], {input, timeoutMs: 30_000})
}

async function consumeAll(bootstrap: string, topic: string): Promise<ReadRecord[]> {
  const {stdout} = await runProcessOk('kcat', ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p %o %k %s\n'], {timeoutMs: 30_000})
  return stdout.split('\n').filter((l) => l.length > 0).map((line) => {
    const [p, o, k, v] = line.split(' ')
    return {partition: Number(p), offset: Number(o), key: k, value: v}
  })
}

describe('interop: kcat (librdkafka)', function () {
  this.timeout(90_000)
  let broker: BrokerHandle | undefined

  before(async function () {
    try {
      await runProcessOk('kcat', ['-V'], {timeoutMs: 5000})
    } catch {
      this.skip() // kcat not installed (.ci/run installs it)
    }
    broker = await startBroker()
  })
  after(async () => {
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('produces 300 keyed records (idempotent, acks=all), reads each once in order, and again after SIGKILL + restart', async function () {
    const b = broker!
    const topic = uniqueTopic('kcat')
    const partitions = await createTopic(b, topic, 3)
    const records = makeRecords(300)
    await produceAll(b.bootstrap, topic, records)
    const first = checkReadBack(records, await consumeAll(b.bootstrap, topic), partitions)

    if (b.external) return
    await b.kill()
    await b.restart()
    const again = checkReadBack(records, await consumeAll(b.bootstrap, topic), partitions)
    assertSameRecords(first, again)
  })
})
