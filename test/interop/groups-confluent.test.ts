/**
 * Consumer groups with librdkafka (confluent-kafka on /usr/bin/python3, the eager `range`
 * assignor) against a real `kts server start` process: three member processes split a 6-partition
 * topic, a fourth joins, one leaves cleanly, and one that stopped committing is SIGKILLed: after
 * session.timeout.ms its partitions go to the survivors, which resume at its committed offsets
 * (see groups-check.ts `membershipScenario`).
 */
import {useGroupBroker, membershipScenario, startConfluentMember} from './groups-check.js'

describe('interop: consumer groups with librdkafka (confluent-kafka)', function () {
  this.timeout(120_000)
  const suite = useGroupBroker({pythonModules: ['confluent_kafka']})

  it('range: splits, hands over on join, clean leave and SIGKILL + session timeout, resumes at commits', async () => {
    const h = await suite.harness('groups-rdkafka')
    await membershipScenario(h, (name) => startConfluentMember(h, name, {'partition.assignment.strategy': 'range'}), {kill: true})
  })
})
