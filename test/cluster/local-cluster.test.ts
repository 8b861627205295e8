// `kts cluster start|status|stop` (real binary): a local 3-node combined cluster in a temp dir on
// free ports, started as daemons, described, and stopped cleanly.
import assert from 'node:assert/strict'
import net from 'node:net'
import path from 'node:path'
import {runCli} from '../helpers/run-cli.js'
import {makeTempDir, removeTempDir} from '../helpers/temp-dir.js'

/** A base port with base..base+2 and base+100..base+102 free on 127.0.0.1. */
async function freeBasePort(): Promise<number> {
  const isFree = (port: number): Promise<boolean> => new Promise(resolve => {
    const s = net.createServer()
    s.once('error', () => resolve(false))
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
  })
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000)
    const ports = [base, base + 1, base + 2, base + 100, base + 101, base + 102]
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base
  }
  throw new Error('no free port range')
}

describe('kts cluster start|status|stop (real binary)', function () {
  this.timeout(120_000)
  let dir: string
  let env: NodeJS.ProcessEnv

  before(() => {
    dir = makeTempDir('kts-local-cluster-')
    env = {KTS_PID_DIR: path.join(dir, 'pids')}
  })
  after(async () => {
    await runCli(['cluster', 'stop', '--dir', path.join(dir, 'c')], {env, timeoutMs: 60_000})
    removeTempDir(dir)
  })

  it('starts three combined nodes, shows one leader and three unfenced brokers, stops them all', async () => {
    const base = await freeBasePort()
    const clusterDir = path.join(dir, 'c')
    const start = await runCli(['cluster', 'start', '--nodes', '3', '--combined', '--dir', clusterDir, '--base-port', String(base), '--host', '127.0.0.1'], {env})
    assert.equal(start.code, 0, start.stdout + start.stderr)
    assert.match(start.stdout, new RegExp(`Bootstrap servers: 127.0.0.1:${base},127.0.0.1:${base + 1},127.0.0.1:${base + 2}`))
    const status = await runCli(['cluster', 'status', '--dir', clusterDir, '--json'], {env})
    assert.equal(status.code, 0, status.stderr)
    const s = JSON.parse(status.stdout) as {leaderId: number, nodes: {id: number, pid: number, raft: string, broker: string}[]}
    assert.ok([1, 2, 3].includes(s.leaderId))
    assert.deepEqual(s.nodes.map(n => n.broker), ['unfenced', 'unfenced', 'unfenced'])
    assert.equal(s.nodes.filter(n => n.raft === 'Leader').length, 1)
    assert.equal(s.nodes.filter(n => n.raft === 'Follower').length, 2)
    assert.ok(s.nodes.every(n => n.pid > 0))
    const human = await runCli(['cluster', 'status', '--dir', clusterDir], {env})
    assert.match(human.stdout, /NodeId.*Roles.*Listeners.*Pid.*Raft.*Broker/)

    const stop = await runCli(['cluster', 'stop', '--dir', clusterDir], {env, timeoutMs: 60_000})
    assert.equal(stop.code, 0, stop.stderr)
    assert.equal(stop.stdout, 'Stopped node(s) 1, 2, 3.\n')
    const after = JSON.parse((await runCli(['cluster', 'status', '--dir', clusterDir, '--json'], {env})).stdout) as {nodes: {pid: number}[]}
    assert.ok(after.nodes.every(n => n.pid === 0))
    // A second start restarts the same cluster (same id), not a new one.
    const again = await runCli(['cluster', 'start', '--dir', clusterDir], {env})
    assert.equal(again.code, 0, again.stdout + again.stderr)
    assert.match(again.stdout, /Starting the cluster in/)
  })
})
