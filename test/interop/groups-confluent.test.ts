/**
 * Consumer groups with librdkafka (confluent-kafka on /usr/bin/python3, the eager `range`
 * assignor) against a real `kts server start` process: three member processes split a 6-partition
 * topic, a fourth joins, one leaves cleanly, and one that stopped committing is SIGKILLed: after
 * session.timeout.ms its partitions go to the survivors, which resume at its committed offsets
 * (see groups-check.ts `membershipScenario`).
 */
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {GroupHarness, membershipScenario, startConfluentMember} from './groups-check.js'
import {printBrokerOutputOnFailure} from './interop-check.js'
import {pythonHasModule} from './python-client.js'

describe('interop: consumer groups with librdkafka (confluent-kafka)', function () {
  this.timeout(120_000)
  let broker: BrokerHandle | undefined
  let h: GroupHarness | undefined

  before(async function () {
    if (!await pythonHasModule('confluent_kafka')) this.skip()
    broker = await startBroker()
  })
  after(async () => {
    await h?.close()
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('range: splits, hands over on join, clean leave and SIGKILL + session timeout, resumes at commits', async () => {
    h = await GroupHarness.create(broker!, 'groups-rdkafka')
    await membershipScenario(h, (name) => startConfluentMember(h!, name, {'partition.assignment.strategy': 'range'}), {kill: true})
  })
})
