/**
 * A real kts broker for tests: one `kts server start` process (combined broker+controller, KRaft
 * single-node quorum) on random free loopback ports with its own temp dir.
 *
 * It writes `<tmp>/server.properties`, runs `node bin/run.js storage format -t <random id> -c <file>`,
 * then starts the node (test/helpers/node-process.ts: its own process group, output captured).
 * `startBroker()` resolves when the output contains `Kafka Server started` AND a TCP connect to the
 * PLAINTEXT port succeeds (deadline 20 s by default); otherwise it kills the process and rejects
 * with the captured output.
 *
 * Leaks: every spawned process group is SIGKILLed and every temp dir deleted in a process 'exit'
 * handler, so a failing test leaves nothing behind; suites should still `await broker.close()` in `after()`.
 *
 * `KTS_TEST_BOOTSTRAP=host:port` (manual runs only) makes `startBroker()` return a handle on that
 * already running cluster instead (`external: true`; stop/kill/restart then throw).
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {freePorts} from './free-port.js'
import {NodeProcess, ktsArgs, runNode} from './node-process.js'
import {makeTempDir, removeTempDir} from './temp-dir.js'

export {canConnect} from './node-process.js'

export interface BrokerOptions {
  /**
   * Extra or replacing server.properties entries (written after the defaults); `{P}` and `{C}` in a
   * value stand for the PLAINTEXT and controller ports.
   */
  overrides?: Record<string, string | number | boolean>
  /** Deadline for start-up and for each restart, ms (default 20,000). */
  startTimeoutMs?: number
  /** Extra environment for the broker process. */
  env?: NodeJS.ProcessEnv
  /** Extra `kts storage format` arguments (e.g. `--add-scram ...`). */
  formatArgs?: string[]
}

export interface BrokerHandle {
  /** `127.0.0.1:PORT` of the PLAINTEXT listener. */
  bootstrap: string
  port: number
  controllerPort: number
  /** The broker's temp dir (holds server.properties and `logs/`). */
  dir: string
  /** `log.dirs` of the broker (`<dir>/logs`). */
  logDir: string
  /** Path of the written server.properties. */
  configFile: string
  /** The cluster id given to `storage format`. */
  clusterId: string
  /** True for a `KTS_TEST_BOOTSTRAP` cluster that this helper did not start. */
  external: boolean
  /** Pid of the running `kts server start` process (0 when not running or external). */
  readonly pid: number
  /** SIGTERM to the process group, then wait for exit (SIGKILL after 15 s). Keeps the dirs. */
  stop(): Promise<void>
  /** SIGKILL to the process group, then wait for exit. Keeps the dirs. */
  kill(): Promise<void>
  /** Stops the process if it runs (SIGTERM) and starts it again with the same dirs and ports. */
  restart(): Promise<void>
  /** Everything the process(es) printed so far, stdout and stderr interleaved, across restarts. */
  output(): string
  /** Kills the process (SIGKILL) if it runs and deletes the temp dir. Idempotent. */
  close(): Promise<void>
}

/** A random cluster id in Kafka's text form (22 chars URL-safe base64, not starting with '-'). */
export function randomClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

/** Renders properties as `key=value` lines (values are written as given; keep them single-line). */
export function renderProperties(props: Record<string, string | number | boolean>): string {
  return Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n'
}

function externalHandle(bootstrap: string): BrokerHandle {
  const port = Number(bootstrap.split(':').pop())
  const unsupported = async (): Promise<never> => {
    throw new Error(`KTS_TEST_BOOTSTRAP=${bootstrap}: an external cluster cannot be stopped or restarted by the tests`)
  }
  return {
    bootstrap, port, controllerPort: 0, dir: '', logDir: '', configFile: '', clusterId: '', external: true, pid: 0,
    stop: unsupported, kill: unsupported, restart: unsupported,
    output: () => `(external cluster ${bootstrap}: no output captured)`,
    close: async () => undefined,
  }
}

/**
 * Formats storage and starts a kts broker+controller; see the file comment. Rejects (with the
 * captured output in the message) when formatting fails or the broker is not up within the deadline.
 */
export async function startBroker(opts: BrokerOptions = {}): Promise<BrokerHandle> {
  const external = process.env.KTS_TEST_BOOTSTRAP
  if (external) return externalHandle(external)

  const startTimeoutMs = opts.startTimeoutMs ?? 20_000
  const dir = makeTempDir('kts-broker-')
  const logDir = path.join(dir, 'logs')
  const configFile = path.join(dir, 'server.properties')
  const [port, controllerPort] = await freePorts(2)
  const clusterId = randomClusterId()
  fs.writeFileSync(configFile, renderProperties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': logDir,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    ...Object.fromEntries(Object.entries(opts.overrides ?? {}).map(([k, v]) =>
      [k, typeof v === 'string' ? v.replaceAll('{P}', String(port)).replaceAll('{C}', String(controllerPort)) : v])),
  }))

  const format = await runNode(ktsArgs('storage', 'format', '-t', clusterId, '-c', configFile, ...(opts.formatArgs ?? [])), 30_000)
  if (format.code !== 0) {
    removeTempDir(dir)
    throw new Error(`kts storage format failed (exit ${format.code}):\n${format.out}`)
  }

  const node = new NodeProcess({configFile, readyPort: port, env: opts.env})
  node.note(format.out)
  try {
    await node.start(startTimeoutMs)
  } catch (err) {
    removeTempDir(dir)
    throw err
  }

  let closed = false
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    controllerPort,
    dir,
    logDir,
    configFile,
    clusterId,
    external: false,
    get pid(): number {
      return node.pid
    },
    stop: () => node.stop(),
    kill: () => node.kill(),
    restart: async () => {
      if (closed) throw new Error('broker handle closed')
      await node.stop()
      node.note('---- restart ----')
      await node.start(startTimeoutMs)
    },
    output: () => node.output(),
    close: async () => {
      if (closed) return
      closed = true
      await node.kill()
      removeTempDir(dir)
    },
  }
}
