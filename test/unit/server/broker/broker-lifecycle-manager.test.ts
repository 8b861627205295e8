/**
 * BrokerLifecycleManager's registration against a scripted controller: DUPLICATE_BROKER_REGISTRATION
 * is what a broker restarted right after a crash hears until its old session expires; it is fatal
 * only when it outlasts 1.5 x broker.session.timeout.ms under one active controller.
 */
import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {BrokerLifecycleManager} from '../../../../src/server/broker/broker-lifecycle-manager.js'
import type {ApiSpec} from '../../../../src/protocol/generated/api-spec.js'
import {memoryLogger} from '../replica/replication-harness.js'

/** A controller that answers registrations with `answer(nowMs)` and heartbeats with "caught up, unfenced". */
class ScriptedChannel {
  activeControllerEpoch = 1
  registrations = 0
  constructor(private readonly answer: (channel: ScriptedChannel) => number) {}

  async send<Res>(spec: ApiSpec, _request: object): Promise<Res> {
    if (spec.name === 'BrokerRegistration') {
      this.registrations++
      return {errorCode: this.answer(this), brokerEpoch: 7, throttleTimeMs: 0} as Res
    }
    return {errorCode: ErrorCode.NONE, isCaughtUp: true, isFenced: false, shouldShutDown: false, throttleTimeMs: 0} as Res
  }
}

function manager(channel: ScriptedChannel, lines: string[]): BrokerLifecycleManager {
  return new BrokerLifecycleManager({
    nodeId: 1, clusterId: 'c', incarnationId: 'i', channel, listeners: [], rack: null, logDirs: [],
    metadataVersionRange: {min: 1, max: 1}, heartbeatIntervalMs: 50, sessionTimeoutMs: 200, retryBackoffMs: 5,
    metadataOffset: () => 100, logger: memoryLogger(lines),
  })
}

describe('BrokerLifecycleManager registration', () => {
  it('keeps waiting out DUPLICATE_BROKER_REGISTRATION across a controller failover, then registers', async () => {
    const started = Date.now()
    // 250 ms of duplicates from controller epoch 1, then 250 ms from epoch 2 (500 ms > 1.5 x 200 in all), then accepted
    const channel = new ScriptedChannel(c => {
      const t = Date.now() - started
      if (t > 250) c.activeControllerEpoch = 2
      return t < 500 ? ErrorCode.DUPLICATE_BROKER_REGISTRATION : ErrorCode.NONE
    })
    const lines: string[] = []
    const m = manager(channel, lines)
    m.start()
    try {
      await m.caughtUp
      assert.equal(m.brokerEpoch, 7)
      assert.ok(channel.registrations >= 3, `${channel.registrations} registrations`)
    } finally {
      await m.close()
    }
  })

  it('gives up with one line when it lasts 1.5 x broker.session.timeout.ms under one controller', async () => {
    const channel = new ScriptedChannel(() => ErrorCode.DUPLICATE_BROKER_REGISTRATION)
    const lines: string[] = []
    const m = manager(channel, lines)
    const started = Date.now()
    m.start()
    try {
      await assert.rejects(m.caughtUp, /^Error: The controller refused to register broker 1 \(DUPLICATE_BROKER_REGISTRATION\): another live broker is registered with node\.id 1$/)
      assert.ok(Date.now() - started >= 300, 'not before 1.5 x the session timeout')
    } finally {
      await m.close()
    }
  })
})
