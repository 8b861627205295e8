/**
 * Consumer groups with @platformatic/kafka 1.35 (its round-robin assigner; reading in `committed`
 * mode, committing each record) against a real `kts server start` process: three members split a
 * 6-partition topic, a fourth joins, one leaves cleanly; each change hands partitions over and the
 * new owners resume at the committed offsets (see groups-check.ts `membershipScenario`).
 */
import {useGroupBroker, membershipScenario, startPlatformaticMember} from './groups-check.js'

describe('interop: consumer groups with @platformatic/kafka', function () {
  this.timeout(90_000)
  const suite = useGroupBroker()

  it('splits 6 partitions among 3 members, delivers each record once, rebalances on join and clean leave, resumes at commits', async () => {
    const h = await suite.harness('groups-platformatic')
    await membershipScenario(h, (name) => startPlatformaticMember(h, name), {kill: false})
  })
})
