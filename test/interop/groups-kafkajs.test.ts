/**
 * Consumer groups with kafkajs 2.x against a real `kts server start` process: three members (the
 * round-robin assigner, kafkajs' only one) split a 6-partition topic, a fourth joins, one leaves
 * cleanly; each change hands partitions over and the new owners resume at the committed offsets
 * (see groups-check.ts `membershipScenario`).
 */
import {useGroupBroker, membershipScenario, startKafkajsMember} from './groups-check.js'

describe('interop: consumer groups with kafkajs', function () {
  this.timeout(90_000)
  const suite = useGroupBroker()

  it('splits 6 partitions among 3 members, delivers each record once, rebalances on join and clean leave, resumes at commits', async () => {
    const h = await suite.harness('groups-kafkajs')
    await membershipScenario(h, (name) => startKafkajsMember(h, name), {kill: false})
  })
})
