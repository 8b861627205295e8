/**
 * `startKafka()`: a real kts cluster for a test suite (one node, or `nodes` combined nodes forming
 * one KRaft quorum), on free loopback ports in a temp dir, in this process (one node) or as child
 * processes, ready when the promise resolves; `stop()` leaves nothing behind.
 *
 * Steps: check the options → make the directory → pick free ports → write each
 * `<dir>/node-<id>/server.properties` (startKafkaDefaults(), the ports and the static
 * `controller.quorum.voters`, then `options.config`) → load and check it as `kts server start`
 * does (bad values and refused keys reject with the same one line) → format the storage of every
 * node not formatted yet, with one cluster id → start the nodes concurrently (a static quorum
 * elects its leader once a majority runs). When a picked port is taken meanwhile, it retries with
 * new ports (twice).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {loadServerConfig, type ServerConfig} from '../server/config/server-config.js'
import {preflightNode} from '../server/launch.js'
import {formatStorage} from '../server/storage/formatter.js'
import {configToLogDirectories} from '../server/storage/log-directories.js'
import {readMetaPropertiesRaw} from '../server/storage/meta-properties.js'
import {randomClusterId} from '../server/storage/storage-ids.js'
import {configureLogging} from '../server/util/logger.js'
import {freePorts} from './free-ports.js'
import {ChildProcessNode, InProcessNode, type NodeRunner} from './node-runners.js'
import {validateStartKafkaOptions, type ConfigValueInput, type KafkaMode, type StartKafkaOptions} from './options.js'
import {packageRoot} from './package-root.js'

/**
 * server.properties defaults of a startKafka node besides its listeners, quorum and log.dirs:
 * Kafka's defaults tuned for tests as Testcontainers' Kafka module does (one partition for
 * `__consumer_offsets`, replication factor 1 for the internal topics, no initial rebalance delay).
 * `options.config` overrides any of them.
 */
export const STARTKAFKA_DEFAULTS: Readonly<Record<string, ConfigValueInput>> = Object.freeze({
  'offsets.topic.num.partitions': 1,
  'offsets.topic.replication.factor': 1,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'group.initial.rebalance.delay.ms': 0,
})

/**
 * The defaults of a startKafka cluster of `nodes` nodes: `STARTKAFKA_DEFAULTS` for one node; for
 * several, internal topics replicated as `kts cluster start` does (Kafka's shipped
 * server.properties suggests 3): replication factor min(3, nodes), `transaction.state.log.min.isr`
 * min(2, nodes), so that a consumer group or a transaction survives `kill(nodeId)`.
 */
export function startKafkaDefaults(nodes: number): Readonly<Record<string, ConfigValueInput>> {
  if (nodes <= 1) return STARTKAFKA_DEFAULTS
  return Object.freeze({
    ...STARTKAFKA_DEFAULTS,
    'offsets.topic.replication.factor': Math.min(3, nodes),
    'transaction.state.log.replication.factor': Math.min(3, nodes),
    'transaction.state.log.min.isr': Math.min(2, nodes),
  })
}

/** One node of a started cluster. */
export interface KafkaNode {
  /** node.id. */
  readonly nodeId: number
  /** Host its listeners bind to and advertise. */
  readonly host: string
  /** PLAINTEXT (client) port. */
  readonly port: number
  /** CONTROLLER (KRaft quorum) port. */
  readonly controllerPort: number
  /** Its server.properties (`<dir>/node-<id>/server.properties`). */
  readonly configFile: string
  /** Its log.dirs (`<dir>/node-<id>/data`). */
  readonly logDirs: readonly string[]
  /** Pid of the process running it (this process when in-process), or null while it is down. */
  readonly pid: number | null
  /** False after `kill()`, or during `restart()`, or after `stop()`. */
  readonly running: boolean
}

/** A running cluster, as `startKafka()` resolves it. */
export interface KafkaCluster {
  /** `host:port` of every node's PLAINTEXT listener, comma-separated: what clients take as bootstrap servers. */
  readonly bootstrapServers: string
  /** The same as a list (`['127.0.0.1:54321']`), as kafkajs' `brokers` option takes it. */
  readonly brokers: readonly string[]
  /** The cluster id (22-char base64url) in meta.properties. */
  readonly clusterId: string
  /** The directory holding every node's config and data. */
  readonly dir: string
  readonly mode: KafkaMode
  /** The nodes by node id (1..N for `nodes: N`); each entry stays valid across `kill()`/`restart()`. */
  readonly nodes: readonly KafkaNode[]
  /**
   * SIGKILLs node `nodeId` (every node when omitted) and waits until its process has exited; its
   * data stays for `restart()`. Child-process mode only (in-process rejects with an Error). The
   * rest of a cluster notices as Kafka does: the controller fences the node after
   * `broker.session.timeout.ms` (9 s) and elects other leaders for its partitions (a dead Raft
   * leader is replaced after `controller.quorum.fetch.timeout.ms`, 2 s); clients retry meanwhile.
   * @throws Error for an unknown node id, or after `stop()`
   */
  kill(nodeId?: number): Promise<void>
  /**
   * Stops node `nodeId` (every node when omitted) cleanly if it runs, then starts it again on the
   * same ports and data; resolves once it accepts connections again and its broker is unfenced.
   * @throws Error for an unknown node id, after `stop()`, or when it does not start again within
   *   `startTimeoutMs`
   */
  restart(nodeId?: number): Promise<void>
  /**
   * Stops every node and removes `dir` unless it is kept (`keepDir`); resolves once every process
   * has exited and the directory is gone. Idempotent: later calls return the same promise.
   * One node stops cleanly (SIGTERM for a child; SIGKILL after 15 s). Several nodes whose
   * directory is removed are SIGKILLed (their data is deleted anyway; a clean stop would take
   * seconds, see below); with a kept directory they stop cleanly, all at once, which takes a few
   * seconds: the last node's controlled shutdown finds no quorum left and gives up after two
   * `broker.heartbeat.interval.ms` (2 s each), as in a Kafka cluster stopped as a whole.
   */
  stop(): Promise<void>
}

const DEFAULT_HOST = '127.0.0.1'
const PORT_ATTEMPTS = 3

/** Temp dirs to delete when the process exits without stop() (a crashed or aborted test run). */
const pendingDirs = new Set<string>()
let exitHandlerInstalled = false

function removeAtExit(dir: string): void {
  pendingDirs.add(dir)
  if (exitHandlerInstalled) return
  exitHandlerInstalled = true
  process.once('exit', () => {
    for (const d of pendingDirs) fs.rmSync(d, {recursive: true, force: true})
  })
}

function render(props: Record<string, ConfigValueInput>): string {
  return '# Written by startKafka() (kts)\n' + Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n'
}

interface NodeSlot {
  nodeId: number
  host: string
  port: number
  controllerPort: number
  configFile: string
  logDirs: string[]
  runner: NodeRunner
}

/**
 * Starts a Kafka-compatible cluster (one kts node, or `nodes` of them) and resolves once clients
 * can use it: every node accepts connections and its broker is unfenced.
 *
 * ```ts
 * import {startKafka} from 'kts'
 * const kafka = await startKafka()   // one node, free ports, temp dir, in-process
 * kafka.bootstrapServers              // '127.0.0.1:54321'
 * await kafka.stop()                  // idempotent; removes the temp dir
 *
 * const cluster = await startKafka({nodes: 3})   // 3 child processes, node ids 1..3
 * cluster.bootstrapServers                         // '127.0.0.1:40001,127.0.0.1:40003,127.0.0.1:40005'
 * await cluster.kill(2); await cluster.restart(2)
 * ```
 * @throws TypeError for unknown options, options of the wrong type, or bad combinations (before anything starts)
 * @throws ConfigError (one line, as `kts server start` prints it) for a bad `config` value or a key kts refuses
 * @throws Error (one line) when a node cannot start, e.g. `Socket server failed to bind to 127.0.0.1:9092: Address already in use.`
 *   (prefixed with `node <id>: ` when there are several); the nodes already started are SIGKILLed
 */
export async function startKafka(options?: StartKafkaOptions): Promise<KafkaCluster> {
  const opts = validateStartKafkaOptions(options)
  const count = opts.nodes ?? 1
  const mode: KafkaMode = opts.mode ?? (count > 1 ? 'child-process' : 'in-process')
  const host = opts.host ?? DEFAULT_HOST
  const logLevel = opts.logLevel ?? process.env.KTS_LOG_LEVEL ?? 'warn'
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000
  const ownDir = opts.dir === undefined
  const keepDir = opts.keepDir ?? !ownDir
  const dir = ownDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'kts-kafka-')) : path.resolve(opts.dir!)
  if (!keepDir) removeAtExit(dir)
  const removeDir = (): void => {
    if (keepDir) return
    fs.rmSync(dir, {recursive: true, force: true})
    pendingDirs.delete(dir)
  }

  try {
    if (mode === 'in-process') configureLogging({level: logLevel, embedded: true})
    const ids = count === 1 ? [Number(opts.config?.['node.id'] ?? 1)] : Array.from({length: count}, (_, i) => i + 1)
    const mainJs = path.join(packageRoot(), 'dist', 'src', 'embedded', 'node-main.js')
    const slots: NodeSlot[] = ids.map((nodeId) => {
      const nodeDir = path.join(dir, `node-${nodeId}`)
      fs.mkdirSync(nodeDir, {recursive: true})
      const configFile = path.join(nodeDir, 'server.properties')
      return {
        nodeId, host, port: 0, controllerPort: 0, configFile, logDirs: [],
        runner: mode === 'in-process' ? new InProcessNode(configFile) : new ChildProcessNode(mainJs, configFile, logLevel),
      }
    })
    const h = host.includes(':') ? `[${host}]` : host // IPv6 literals in brackets, as Kafka writes them
    const defaults = startKafkaDefaults(count)

    let clusterId = ''
    for (let attempt = 1; ; attempt++) {
      // With a fixed port, node i's client port is port + i - 1; the kernel may hand out one of those as free.
      const fixed = opts.port === undefined ? [] : slots.map((_, i) => opts.port! + i)
      const free = (await freePorts(2 * count, host)).filter((p) => !fixed.includes(p))
      slots.forEach((s, i) => {
        s.port = opts.port === undefined ? free[2 * i] : fixed[i]
        s.controllerPort = opts.port === undefined ? free[2 * i + 1] : free[i]
      })
      const voters = slots.map((s) => `${s.nodeId}@${h}:${s.controllerPort}`).join(',')
      const configs = slots.map((s) => {
        fs.writeFileSync(s.configFile, render({
          'process.roles': 'broker,controller',
          'node.id': s.nodeId,
          'controller.quorum.voters': voters,
          'listeners': `PLAINTEXT://${h}:${s.port},CONTROLLER://${h}:${s.controllerPort}`,
          'advertised.listeners': `PLAINTEXT://${h}:${s.port}`,
          'controller.listener.names': 'CONTROLLER',
          'inter.broker.listener.name': 'PLAINTEXT',
          'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          'log.dirs': path.join(path.dirname(s.configFile), 'data'),
          ...defaults,
          ...opts.config,
        }))
        const config = loadServerConfig(s.configFile)
        preflightNode(config, s.configFile)
        const advertised = config.advertisedListeners[0]
        s.host = advertised?.host ?? host
        s.port = advertised?.port ?? s.port
        s.logDirs = configToLogDirectories(config)
        return config
      })
      clusterId = ensureFormatted(configs, opts.clusterId)
      try {
        await startAll(slots, startTimeoutMs)
        break
      } catch (err) {
        const retry = opts.port === undefined && attempt < PORT_ATTEMPTS && /Address already in use/.test((err as Error).message)
        if (!retry) throw err
      }
    }
    return makeCluster({mode, dir, clusterId, slots, keepDir, removeDir, startTimeoutMs})
  } catch (err) {
    removeDir()
    throw err
  }
}

/**
 * Starts `slots` concurrently (a static quorum elects its leader only once a majority of the voters
 * runs); resolves once every node is ready. When one fails, the others are SIGKILLed at once (a
 * node waiting for a quorum that will not form would wait until its deadline) and the first
 * failure is thrown, `node <id>: `-prefixed when there are several nodes.
 */
async function startAll(slots: readonly NodeSlot[], timeoutMs: number): Promise<void> {
  if (slots.length === 1) return slots[0].runner.start(timeoutMs)
  let first: Error | null = null
  await Promise.all(slots.map(async (s) => {
    try {
      await s.runner.start(timeoutMs)
    } catch (err) {
      if (first !== null) return
      first = new Error(`node ${s.nodeId}: ${(err as Error).message}`, {cause: err})
      await Promise.all(slots.map((o) => o.runner.kill()))
    }
  }))
  if (first !== null) {
    await Promise.all(slots.map((o) => o.runner.kill())) // a node that became ready while the others were killed
    throw first
  }
}

/**
 * Formats the storage of every node whose log dirs are not all formatted, with the cluster id the
 * formatted ones hold (else `wanted`, else a new one); returns the cluster id.
 * @throws Error when the directories hold another cluster than `wanted`, or several clusters
 */
function ensureFormatted(configs: readonly ServerConfig[], wanted: string | undefined): string {
  const nodes = configs.map((config) => {
    const dirs = configToLogDirectories(config)
    return {config, dirs, metas: dirs.map((d) => readMetaPropertiesRaw(d))}
  })
  const held = new Map<string, string>() // cluster id -> a log dir holding it
  for (const n of nodes) n.metas.forEach((m, i) => m?.['cluster.id'] !== undefined && !held.has(m['cluster.id']) && held.set(m['cluster.id'], n.dirs[i]))
  if (held.size > 1) throw new Error(`startKafka(): the directories hold several clusters: ${[...held].map(([id, d]) => `${id} (${d})`).join(', ')}`)
  const existing = held.keys().next().value as string | undefined
  if (existing !== undefined && wanted !== undefined && wanted !== existing) {
    throw new Error(`startKafka(): ${held.get(existing)} holds cluster ${existing}, not the requested clusterId ${wanted}`)
  }
  const clusterId = existing ?? wanted ?? randomClusterId()
  for (const n of nodes) {
    if (n.metas.every((m) => m !== null)) continue
    formatStorage({config: n.config, clusterId, ignoreFormatted: true})
  }
  return clusterId
}

/**
 * Stops the running nodes of `slots` cleanly, all at once (SIGTERM to each child). With several
 * nodes the last one's controlled shutdown finds no quorum left and gives up after two broker
 * heartbeat intervals (`broker.heartbeat.interval.ms`, 2 s), as a Kafka cluster stopped as a whole does.
 */
async function stopAll(slots: readonly NodeSlot[]): Promise<void> {
  await Promise.all(slots.map((s) => s.runner.stop()))
}

interface ClusterParts {
  mode: KafkaMode
  dir: string
  clusterId: string
  slots: NodeSlot[]
  keepDir: boolean
  removeDir: () => void
  startTimeoutMs: number
}

function makeCluster(c: ClusterParts): KafkaCluster {
  let stopping: Promise<void> | null = null
  const select = (what: string, nodeId?: number): NodeSlot[] => {
    if (stopping !== null) throw new Error(`${what}: the cluster is stopped`)
    if (nodeId === undefined) return c.slots
    const s = c.slots.find((x) => x.nodeId === nodeId)
    if (s === undefined) throw new Error(`${what}: no node ${nodeId} (node ids: ${c.slots.map((x) => x.nodeId).join(', ')})`)
    return [s]
  }
  const nodes: KafkaNode[] = c.slots.map((s) => ({
    nodeId: s.nodeId, host: s.host, port: s.port, controllerPort: s.controllerPort, configFile: s.configFile, logDirs: s.logDirs,
    get pid() {
      return s.runner.pid
    },
    get running() {
      return s.runner.running
    },
  }))
  const brokers = c.slots.map((s) => `${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`)
  return {
    bootstrapServers: brokers.join(','),
    brokers,
    clusterId: c.clusterId,
    dir: c.dir,
    mode: c.mode,
    nodes,
    async kill(nodeId?: number): Promise<void> {
      await Promise.all(select('kill()', nodeId).map((s) => s.runner.kill()))
    },
    async restart(nodeId?: number): Promise<void> {
      const targets = select('restart()', nodeId)
      await stopAll(targets)
      await startAll(targets, c.startTimeoutMs)
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        try {
          if (c.slots.length > 1 && !c.keepDir) await Promise.all(c.slots.map((s) => s.runner.kill()))
          else await stopAll(c.slots)
        } finally {
          c.removeDir()
        }
      })()
      return stopping
    },
  }
}
