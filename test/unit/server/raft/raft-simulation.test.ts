/**
 * Deterministic simulation of the Raft core (sim/raft-sim.ts): many seeds of 3 or 5 voters plus
 * observers under message loss, delay, duplication, reordering, partitions, crashes and restarts;
 * half of them a dynamic quorum whose voters are added and removed meanwhile (KIP-853).
 *
 * KTS_RAFT_SIM_SEEDS=<n> runs n seeds (default below); KTS_RAFT_SIM_SEED=<seed> replays one seed
 * (with a trace of the last events on failure); KTS_RAFT_SIM_FIRST=<seed> starts elsewhere.
 */
import assert from 'node:assert/strict'
import {QuorumState} from '../../../../src/server/raft/quorum-state.js'
import {KafkaRaftClient} from '../../../../src/server/raft/kafka-raft-client.js'
import {runSimulation, SimulationFailure} from './sim/raft-sim.js'

const DEFAULT_SEEDS = 2000
const one = process.env.KTS_RAFT_SIM_SEED
const count = Number(process.env.KTS_RAFT_SIM_SEEDS ?? DEFAULT_SEEDS)
const first = Number(process.env.KTS_RAFT_SIM_FIRST ?? 1)

function replayLine(seed: number): string {
  return `KTS_RAFT_SIM_SEED=${seed} npx mocha --no-config --import=tsx test/unit/server/raft/raft-simulation.test.ts`
}

describe('Raft simulation', function () {
  this.timeout(0)

  if (one !== undefined) {
    it(`seed ${one}`, () => {
      const r = runSimulation({seed: Number(one), trace: true})
      console.log(`    ${JSON.stringify(r)}`)
    })
    return
  }

  it(`${count} seeds: one leader per epoch, committed entries never lost or changed, liveness after healing`, () => {
    const started = Date.now()
    const totals: Record<string, number> = {events: 0, committedRecords: 0, elections: 0, crashes: 0, snapshotsInstalled: 0, fiveVoters: 0}
    for (let seed = first; seed < first + count; seed++) {
      try {
        const r = runSimulation({seed})
        totals.events += r.events
        totals.committedRecords += r.committedRecords
        totals.elections += r.elections
        totals.crashes += r.crashes
        totals.snapshotsInstalled += r.snapshotsInstalled
        if (r.voters === 5) totals.fiveVoters++
        if (r.dynamic) totals.dynamicQuorum = (totals.dynamicQuorum ?? 0) + 1
        totals.maxRecoveryMs = Math.max(totals.maxRecoveryMs ?? 0, r.recoveryMs)
        for (const [k, v] of Object.entries(r.counts)) totals[k] = (totals[k] ?? 0) + v
      } catch (err) {
        const msg = err instanceof SimulationFailure ? err.message : `seed ${seed}: ${(err as Error).stack}`
        assert.fail(`${msg.split('\n')[0]}\nreplay: ${replayLine(seed)}\n${msg.split('\n').slice(1).join('\n')}`)
      }
    }
    console.log(`    ${count} seeds in ${Date.now() - started} ms: ${JSON.stringify(totals)}`)
  })

  it('catches a broken rule: votes granted without the log check lose committed entries', () => {
    const canGrantVote = QuorumState.prototype.canGrantVote
    QuorumState.prototype.canGrantVote = function (candidateId, _logUpToDate, preVote, now, fetchTimeoutMs) {
      return canGrantVote.call(this, candidateId, true, preVote, now, fetchTimeoutMs)
    }
    try {
      let caught: string | null = null
      for (let seed = 1; seed <= 300 && caught === null; seed++) {
        try {
          runSimulation({seed})
        } catch (err) {
          if (!(err instanceof SimulationFailure)) throw err
          caught = err.message.split('\n')[0]
        }
      }
      assert.ok(caught, 'no seed of 300 failed with the broken vote rule')
      assert.match(caught, /lacks the committed batch|differs|delivered .* another node delivered|two leaders/)
    } finally {
      QuorumState.prototype.canGrantVote = canGrantVote
    }
  })

  it('catches a broken rule: a voter change while the previous one is not committed', () => {
    // the leader's check that the newest voter set is committed, skipped
    type Checks = {voterChangeProblem(op: string): {error: number, message: string} | null, voterHistory: {latestOffset(): number | null}}
    const proto = KafkaRaftClient.prototype as unknown as Checks
    const voterChangeProblem = proto.voterChangeProblem
    proto.voterChangeProblem = function (this: Checks, op: string) {
      const history = this.voterHistory as {latestOffset(): number | null}
      const latestOffset = history.latestOffset
      history.latestOffset = () => -1
      try {
        return voterChangeProblem.call(this, op)
      } finally {
        history.latestOffset = latestOffset
      }
    }
    try {
      let caught: string | null = null
      for (let seed = 1; seed <= 300 && caught === null; seed++) {
        try {
          runSimulation({seed})
        } catch (err) {
          if (!(err instanceof SimulationFailure)) throw err
          caught = err.message.split('\n')[0]
        }
      }
      assert.ok(caught, 'no seed of 300 failed with concurrent voter changes')
      assert.match(caught, /is not committed|differs|two leaders|lacks the committed batch/)
    } finally {
      proto.voterChangeProblem = voterChangeProblem
    }
  })
})
