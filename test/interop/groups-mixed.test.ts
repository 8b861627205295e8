/**
 * One consumer group of mixed clients against a real `kts server start` process: librdkafka
 * members offering `range,roundrobin` and kafka-python members offering only `roundrobin`, so the
 * coordinator must pick the one protocol every member supports (ClassicGroup.selectProtocol) and
 * hand the leader's assignment to members of the other client. Then the membership scenario of
 * groups-check.ts: join, clean leave, SIGKILL of a librdkafka member and resumption at its commits.
 */
import assert from 'node:assert/strict'
import {useGroupBroker, membershipScenario, startConfluentMember, startKafkaPythonMember, type GroupMember} from './groups-check.js'

describe('interop: a consumer group of librdkafka and kafka-python members', function () {
  this.timeout(120_000)
  const suite = useGroupBroker({pythonModules: ['confluent_kafka', 'kafka']})

  it('agrees on roundrobin, splits, hands over on join, clean leave and SIGKILL, resumes at commits', async () => {
    const h = await suite.harness('groups-mixed')
    const start = (name: string): GroupMember => name === 'm2' || name === 'm4'
      ? startKafkaPythonMember(h, name, 'roundrobin')
      : startConfluentMember(h, name, {'partition.assignment.strategy': 'range,roundrobin'})
    let protocol = ''
    await membershipScenario(h, async (name) => {
      const m = start(name)
      if (name === 'm2') {
        await h.waitStable([h.members[0], m])
        protocol = (await h.describe()).protocol
      }
      return m
    }, {kill: true})
    assert.equal(protocol, 'roundrobin')
  })
})
