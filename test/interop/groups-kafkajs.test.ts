/**
 * Consumer groups with kafkajs 2.x against a real `kts server start` process: three members (the
 * round-robin assigner, kafkajs' only one) split a 6-partition topic, a fourth joins, one leaves
 * cleanly; each change hands partitions over and the new owners resume at the committed offsets
 * (see groups-check.ts `membershipScenario`).
 */
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {GroupHarness, membershipScenario, startKafkajsMember} from './groups-check.js'
import {printBrokerOutputOnFailure} from './interop-check.js'

describe('interop: consumer groups with kafkajs', function () {
  this.timeout(90_000)
  let broker: BrokerHandle | undefined
  let h: GroupHarness | undefined

  before(async () => {
    broker = await startBroker()
  })
  after(async () => {
    await h?.close()
    await broker?.close()
  })
  afterEach(function () {
    printBrokerOutputOnFailure(this, broker)
  })

  it('splits 6 partitions among 3 members, delivers each record once, rebalances on join and clean leave, resumes at commits', async () => {
    h = await GroupHarness.create(broker!, 'groups-kafkajs')
    await membershipScenario(h, (name) => startKafkajsMember(h!, name), {kill: false})
  })
})
