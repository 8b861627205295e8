/**
 * Consumer groups with kafka-python 2.0.2 (/usr/bin/python3, the round-robin assignor) against a
 * real `kts server start` process: three member processes split a 6-partition topic, a fourth
 * joins, one leaves cleanly, and one that stopped committing is SIGKILLed: after
 * session.timeout.ms its partitions go to the survivors, which resume at its committed offsets
 * (see groups-check.ts `membershipScenario`).
 */
import {useGroupBroker, membershipScenario, startKafkaPythonMember} from './groups-check.js'

describe('interop: consumer groups with kafka-python', function () {
  this.timeout(120_000)
  const suite = useGroupBroker({pythonModules: ['kafka']})

  it('roundrobin: splits, hands over on join, clean leave and SIGKILL + session timeout, resumes at commits', async () => {
    const h = await suite.harness('groups-kafka-python')
    await membershipScenario(h, (name) => startKafkaPythonMember(h, name, 'roundrobin'), {kill: true})
  })
})
