/**
 * Consumer groups with @platformatic/kafka 1.35 (its round-robin assigner; reading in `committed`
 * mode, committing each record) against a real `kts server start` process: three members split a
 * 6-partition topic, a fourth joins, one leaves cleanly; each change hands partitions over and the
 * new owners resume at the committed offsets (see groups-check.ts `membershipScenario`).
 */
import {startBroker, type BrokerHandle} from '../helpers/broker-process.js'
import {GroupHarness, membershipScenario, startPlatformaticMember} from './groups-check.js'
import {printBrokerOutputOnFailure} from './interop-check.js'

describe('interop: consumer groups with @platformatic/kafka', function () {
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
    h = await GroupHarness.create(broker!, 'groups-platformatic')
    await membershipScenario(h, (name) => startPlatformaticMember(h!, name), {kill: false})
  })
})
