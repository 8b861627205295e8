/**
 * `startKafka()`: a real kts node for a test suite, on free loopback ports in a temp dir, in this
 * process or as a child process, ready when the promise resolves; `stop()` leaves nothing behind.
 *
 * Steps: check the options → make the directory → pick free ports → write
 * `<dir>/node-<id>/server.properties` (STARTKAFKA_DEFAULTS, the ports, then `options.config`) →
 * load and check it as `kts server start` does (bad values and refused keys reject with the same
 * one line) → format the storage unless it is formatted already → start the node. When a picked
 * port is taken meanwhile, it retries with new ports (twice).
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
  readonly nodes: readonly KafkaNode[]
  /**
   * SIGKILLs node `nodeId` (every node when omitted) and waits until its process has exited; its
   * data stays for `restart()`. Child-process mode only (in-process rejects with an Error).
   * @throws Error for an unknown node id, or after `stop()`
   */
  kill(nodeId?: number): Promise<void>
  /**
   * Stops node `nodeId` (every node when omitted) cleanly if it runs, then starts it again on the
   * same ports and data; resolves once it accepts connections again.
   * @throws Error for an unknown node id, after `stop()`, or when it does not start again
   */
  restart(nodeId?: number): Promise<void>
  /**
   * Stops every node cleanly (SIGTERM for a child; SIGKILL after 15 s) and removes `dir` unless it
   * is kept (`keepDir`). Idempotent: later calls return the same promise.
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
 * Starts a Kafka-compatible cluster (one kts node for now) and resolves once clients can use it.
 *
 * ```ts
 * import {startKafka} from 'kts'
 * const kafka = await startKafka()   // one node, free ports, temp dir, in-process
 * kafka.bootstrapServers              // '127.0.0.1:54321'
 * await kafka.stop()                  // idempotent; removes the temp dir
 * ```
 * @throws TypeError for unknown options or options of the wrong type (before anything starts)
 * @throws Error for `nodes` other than 1 (not supported yet)
 * @throws ConfigError (one line, as `kts server start` prints it) for a bad `config` value or a key kts refuses
 * @throws Error (one line) when the node cannot start, e.g. `Socket server failed to bind to 127.0.0.1:9092: Address already in use.`
 */
export async function startKafka(options?: StartKafkaOptions): Promise<KafkaCluster> {
  const opts = validateStartKafkaOptions(options)
  const mode: KafkaMode = opts.mode ?? 'in-process'
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
    const nodeId = Number(opts.config?.['node.id'] ?? 1)
    const nodeDir = path.join(dir, `node-${nodeId}`)
    fs.mkdirSync(nodeDir, {recursive: true})
    const configFile = path.join(nodeDir, 'server.properties')
    const runner: NodeRunner = mode === 'in-process'
      ? new InProcessNode(configFile)
      : new ChildProcessNode(path.join(packageRoot(), 'dist', 'src', 'embedded', 'node-main.js'), configFile, logLevel)

    let slot: NodeSlot | null = null
    let clusterId = ''
    for (let attempt = 1; slot === null; attempt++) {
      const [port, controllerPort] = opts.port !== undefined
        ? [opts.port, (await freePorts(1, host))[0]]
        : await freePorts(2, host)
      const h = host.includes(':') ? `[${host}]` : host // IPv6 literals in brackets, as Kafka writes them
      fs.writeFileSync(configFile, render({
        'process.roles': 'broker,controller',
        'node.id': nodeId,
        'controller.quorum.voters': `${nodeId}@${h}:${controllerPort}`,
        'listeners': `PLAINTEXT://${h}:${port},CONTROLLER://${h}:${controllerPort}`,
        'advertised.listeners': `PLAINTEXT://${h}:${port}`,
        'controller.listener.names': 'CONTROLLER',
        'inter.broker.listener.name': 'PLAINTEXT',
        'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        'log.dirs': path.join(nodeDir, 'data'),
        ...STARTKAFKA_DEFAULTS,
        ...opts.config,
      }))
      const config = loadServerConfig(configFile)
      preflightNode(config, configFile)
      clusterId = ensureFormatted(config, opts.clusterId)
      try {
        await runner.start(startTimeoutMs)
        const advertised = config.advertisedListeners[0]
        slot = {
          nodeId, host: advertised?.host ?? host, port: advertised?.port ?? port, controllerPort, configFile,
          logDirs: configToLogDirectories(config), runner,
        }
      } catch (err) {
        const retry = opts.port === undefined && attempt < PORT_ATTEMPTS && /Address already in use/.test((err as Error).message)
        if (!retry) throw err
      }
    }
    return makeCluster({mode, dir, clusterId, slots: [slot], removeDir, startTimeoutMs})
  } catch (err) {
    removeDir()
    throw err
  }
}

/**
 * Formats the node's storage unless every log dir is formatted; returns the cluster id.
 * @throws Error when the directory holds another cluster than `wanted`
 */
function ensureFormatted(config: ServerConfig, wanted: string | undefined): string {
  const dirs = configToLogDirectories(config)
  const metas = dirs.map((d) => readMetaPropertiesRaw(d))
  const existing = metas.find((m) => m !== null)?.['cluster.id']
  if (metas.every((m) => m !== null) && existing !== undefined) {
    if (wanted !== undefined && wanted !== existing) throw new Error(`startKafka(): ${dirs[0]} holds cluster ${existing}, not the requested clusterId ${wanted}`)
    return existing
  }
  return formatStorage({config, clusterId: existing ?? wanted ?? randomClusterId(), ignoreFormatted: true}).clusterId
}

function makeCluster(c: {mode: KafkaMode, dir: string, clusterId: string, slots: NodeSlot[], removeDir: () => void, startTimeoutMs: number}): KafkaCluster {
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
      for (const s of select('kill()', nodeId)) await s.runner.kill()
    },
    async restart(nodeId?: number): Promise<void> {
      for (const s of select('restart()', nodeId)) {
        await s.runner.stop()
        await s.runner.start(c.startTimeoutMs)
      }
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        try {
          for (const s of c.slots) await s.runner.stop()
        } finally {
          c.removeDir()
        }
      })()
      return stopping
    },
  }
}
