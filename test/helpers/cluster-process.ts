/**
 * A real multi-node kts cluster for tests: separate `kts server start` processes on random free
 * loopback ports, each with its own config and `log.dirs` in one temp dir, one cluster id, the same
 * static `controller.quorum.voters` — or, with `dynamicQuorum`, `controller.quorum.bootstrap.servers`
 * naming every controller, the first controller formatted `--standalone` and the others
 * `--no-initial-controllers` (they are observers until `kts metadata-quorum add-controller`, KIP-853).
 *
 * Layouts: `controllers` combined nodes (ids 1..C, `process.roles=broker,controller`) when
 * `brokers` is 0, else C controller-only nodes plus `brokers` broker-only nodes (ids C+1..C+B).
 * `startCluster()` formats every node, starts all processes at once (any order must work) and
 * resolves when each is up (`Kafka Server started` and its first listener accepts connections).
 *
 * Leaks: processes are SIGKILLed and the temp dir removed at process exit; call `close()` in after hooks.
 */
import fs from 'node:fs'
import path from 'node:path'
import {freePorts} from './free-port.js'
import {randomClusterId, renderProperties} from './broker-process.js'
import {NodeProcess, ktsArgs, runNode} from './node-process.js'
import {makeTempDir, removeTempDir} from './temp-dir.js'

export interface ClusterOptions {
  /** Voters of the metadata quorum. */
  controllers: number
  /** Broker-only nodes; 0 (default) makes the controllers combined nodes. */
  brokers?: number
  /** server.properties entries for every node (after the defaults). */
  overrides?: Record<string, string | number | boolean>
  /** Deadline for start-up, ms (default 30,000). */
  startTimeoutMs?: number
  /** A dynamic quorum whose only initial voter is the first controller (default: static voters). */
  dynamicQuorum?: boolean
  /** Extra `kts storage format` arguments for every node (e.g. `--add-scram ...`). */
  formatArgs?: string[]
}

export interface ClusterNode {
  id: number
  roles: ('broker' | 'controller')[]
  /** PLAINTEXT port (brokers), else 0. */
  brokerPort: number
  /** CONTROLLER port (controllers), else 0. */
  controllerPort: number
  configFile: string
  logDir: string
  process: NodeProcess
}

export interface ClusterHandle {
  clusterId: string
  nodes: ClusterNode[]
  /** `127.0.0.1:port,...` of every broker. */
  bootstrap: string
  /** `127.0.0.1:port,...` of every controller. */
  controllerBootstrap: string
  dir: string
  node(id: number): ClusterNode
  /** Starts a stopped node again; waits until it is up unless `waitReady` is false. */
  start(id: number, waitReady?: boolean): Promise<void>
  stop(id: number): Promise<void>
  kill(id: number): Promise<void>
  /** SIGSTOP (the process hangs) / SIGCONT. */
  pause(id: number): Promise<void>
  resume(id: number): Promise<void>
  /** Every node's output, each line prefixed with `[node N] `. */
  output(): string
  close(): Promise<void>
}

export async function startCluster(opts: ClusterOptions): Promise<ClusterHandle> {
  const brokers = opts.brokers ?? 0
  const combined = brokers === 0
  const total = opts.controllers + brokers
  const dir = makeTempDir('kts-cluster-')
  const ports = await freePorts(total * 2)
  const clusterId = randomClusterId()
  const nodes: ClusterNode[] = []
  for (let i = 0; i < total; i++) {
    const id = i + 1
    const isController = id <= opts.controllers
    const isBroker = combined || !isController
    nodes.push({
      id,
      roles: [...(isBroker ? ['broker' as const] : []), ...(isController ? ['controller' as const] : [])],
      brokerPort: isBroker ? ports[i * 2] : 0,
      controllerPort: isController ? ports[i * 2 + 1] : 0,
      configFile: path.join(dir, `node-${id}.properties`),
      logDir: path.join(dir, `node-${id}`),
      process: null as unknown as NodeProcess,
    })
  }
  const voters = nodes.filter(n => n.controllerPort > 0).map(n => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')
  for (const n of nodes) {
    const listeners = [
      ...(n.brokerPort ? [`PLAINTEXT://127.0.0.1:${n.brokerPort}`] : []),
      ...(n.controllerPort ? [`CONTROLLER://127.0.0.1:${n.controllerPort}`] : []),
    ]
    fs.writeFileSync(n.configFile, renderProperties({
      'process.roles': n.roles.join(','),
      'node.id': n.id,
      ...(opts.dynamicQuorum
        ? {'controller.quorum.bootstrap.servers': nodes.filter(x => x.controllerPort > 0).map(x => `127.0.0.1:${x.controllerPort}`).join(',')}
        : {'controller.quorum.voters': voters}),
      'listeners': listeners.join(','),
      ...(n.brokerPort ? {'advertised.listeners': `PLAINTEXT://127.0.0.1:${n.brokerPort}`, 'inter.broker.listener.name': 'PLAINTEXT'} : {}),
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': n.logDir,
      'offsets.topic.replication.factor': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'group.initial.rebalance.delay.ms': 0,
      ...opts.overrides,
    }))
    const quorumFlags = !opts.dynamicQuorum || !n.controllerPort ? [] : n.id === 1 ? ['--standalone'] : ['--no-initial-controllers']
    const format = await runNode(ktsArgs('storage', 'format', '-t', clusterId, '-c', n.configFile, ...quorumFlags, ...(opts.formatArgs ?? [])), 30_000)
    if (format.code !== 0) {
      removeTempDir(dir)
      throw new Error(`kts storage format of node ${n.id} failed (exit ${format.code}):\n${format.out}`)
    }
    n.process = new NodeProcess({configFile: n.configFile, readyPort: n.brokerPort || n.controllerPort, label: `[node ${n.id}] `})
  }
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000
  const output = (): string => nodes.map(n => n.process.output()).join('\n')
  const close = async (): Promise<void> => {
    await Promise.all(nodes.map(n => n.process.kill()))
    removeTempDir(dir)
  }
  try {
    await Promise.all(nodes.map(n => n.process.start(startTimeoutMs, false)))
    await Promise.all(nodes.map(n => n.process.waitReady(startTimeoutMs)))
  } catch (err) {
    const out = output()
    await close()
    throw new Error(`cluster did not start: ${(err as Error).message.split('\n')[0]}\n--- output ---\n${out}`)
  }
  const node = (id: number): ClusterNode => {
    const n = nodes.find(x => x.id === id)
    if (!n) throw new Error(`no node ${id}`)
    return n
  }
  return {
    clusterId,
    nodes,
    bootstrap: nodes.filter(n => n.brokerPort).map(n => `127.0.0.1:${n.brokerPort}`).join(','),
    controllerBootstrap: nodes.filter(n => n.controllerPort).map(n => `127.0.0.1:${n.controllerPort}`).join(','),
    dir,
    node,
    start: async (id, waitReady = true) => {
      const p = node(id).process
      p.note('---- start ----')
      await p.start(startTimeoutMs, waitReady)
    },
    stop: id => node(id).process.stop(),
    kill: id => node(id).process.kill(),
    pause: id => node(id).process.signal('SIGSTOP'),
    resume: id => node(id).process.signal('SIGCONT'),
    output,
    close,
  }
}
