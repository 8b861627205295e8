/**
 * The options of `startKafka()` and their checks (unknown keys and wrong types are a TypeError
 * naming them, before anything starts).
 */

/** Where the nodes run: in the calling process (default for one node), or one child process per node (default, and the only mode, for several). */
export type KafkaMode = 'in-process' | 'child-process'

/** log4js level names, lowest volume first. */
export type KafkaLogLevel = 'off' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** A server.properties value: written as `String(value)`. */
export type ConfigValueInput = string | number | boolean

/** Options of `startKafka()`; every field is optional. */
export interface StartKafkaOptions {
  /**
   * Number of nodes, 1 to 100. Default 1. Several nodes form one cluster: node ids 1..N, each a
   * combined node (`process.roles=broker,controller`) and a voter of a static
   * `controller.quorum.voters` naming them all, each in its own child process (so `nodes > 1`
   * implies `mode: 'child-process'`; `'in-process'` is a TypeError). Internal topics then get
   * replication factor min(3, N) and `transaction.state.log.min.isr` min(2, N) (see
   * `startKafkaDefaults()`); the per-node keys (`node.id`, `process.roles`, `listeners`, ...) are
   * startKafka's and setting them in `config` is a TypeError.
   */
  nodes?: number
  /**
   * `'in-process'` (default for one node): the node runs in this process (fastest start; `kill()`
   * is not available). `'child-process'` (default and required for `nodes > 1`): each node runs
   * in its own child process (the code of `kts server start`, without the CLI layer), which
   * `kill()` can SIGKILL and which stops by itself if this process dies.
   */
  mode?: KafkaMode
  /**
   * server.properties keys applied over startKafka's defaults (see `startKafkaDefaults(nodes)`), e.g.
   * `{'num.partitions': 3, 'auto.create.topics.enable': false}`. A bad value or a key kts refuses
   * rejects `startKafka()` with the node's one-line config error.
   */
  config?: Readonly<Record<string, ConfigValueInput>>
  /**
   * PLAINTEXT (client) port of the node, 1-65535; with several nodes the port of node 1, node i
   * getting `port + i - 1` (as `kts cluster start --base-port`). Default: free ports.
   */
  port?: number
  /** Host to bind and advertise. Default `'127.0.0.1'`. */
  host?: string
  /**
   * Directory for the nodes' configs and data (`<dir>/node-<id>/server.properties`,
   * `<dir>/node-<id>/data`); created if missing and reused (not reformatted) when it already
   * holds the nodes (start it again with the same `nodes`). Default: a new directory under the OS temp dir.
   */
  dir?: string
  /** Keep `dir` when stopping. Default false for the temp dir, true for a `dir` you gave. */
  keepDir?: boolean
  /** Cluster id to format new storage with (22-char base64url). Default: random. */
  clusterId?: string
  /**
   * Log level of the node. In-process this sets the level of the process-wide kts logger (lines go
   * to stdout); a child's output is forwarded to this process's stdout/stderr. Default: `KTS_LOG_LEVEL`, else `'warn'`.
   */
  logLevel?: KafkaLogLevel
  /**
   * Child-process mode: deadline for start-up and for each restart, in ms (the children are then
   * SIGKILLed and the promise rejects); the nodes of a cluster start concurrently, each under this
   * deadline. Default 30,000. An in-process start cannot be abandoned
   * half-way and has no deadline.
   */
  startTimeoutMs?: number
}

const KNOWN: Record<keyof StartKafkaOptions, true> = {
  nodes: true, mode: true, config: true, port: true, host: true, dir: true, keepDir: true, clusterId: true, logLevel: true, startTimeoutMs: true,
}
const LEVELS: readonly KafkaLogLevel[] = ['off', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']

/** Most nodes one startKafka() cluster may have. */
export const MAX_NODES = 100

/**
 * server.properties keys startKafka writes per node of a multi-node cluster (ids, roles, ports,
 * quorum, directories): `config` may not set them when `nodes > 1`.
 */
export const PER_NODE_KEYS: readonly string[] = [
  'node.id', 'broker.id', 'process.roles', 'listeners', 'advertised.listeners', 'controller.listener.names',
  'inter.broker.listener.name', 'controller.quorum.voters', 'controller.quorum.bootstrap.servers', 'log.dirs', 'log.dir', 'metadata.log.dir',
]

/**
 * Checks `options` as given by a (possibly untyped) caller.
 * @throws TypeError naming unknown options (`startKafka(): unknown option 'prot' (known options: nodes, mode, ...)`)
 *   or an option of the wrong type or range, or a bad combination (`nodes > 1` with `mode:
 *   'in-process'`, with per-node `config` keys, or with a `port` whose last node's port exceeds 65535)
 */
export function validateStartKafkaOptions(options: unknown): StartKafkaOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`startKafka(): options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`)
  }
  const o = options as Record<string, unknown>
  const unknown = Object.keys(o).filter((k) => !(k in KNOWN))
  if (unknown.length > 0) {
    throw new TypeError(`startKafka(): unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known options: ${Object.keys(KNOWN).join(', ')})`)
  }
  const bad = (name: string, expected: string): TypeError =>
    new TypeError(`startKafka(): option '${name}' must be ${expected}, got ${JSON.stringify(o[name]) ?? String(o[name])}`)
  const isInt = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
  const present = (k: string): boolean => o[k] !== undefined

  if (present('nodes') && !isInt(o.nodes, 1, MAX_NODES)) throw bad('nodes', `an integer from 1 to ${MAX_NODES}`)
  if (present('mode') && o.mode !== 'in-process' && o.mode !== 'child-process') throw bad('mode', `'in-process' or 'child-process'`)
  if (present('port') && !isInt(o.port, 1, 65535)) throw bad('port', 'an integer from 1 to 65535')
  if (present('host') && (typeof o.host !== 'string' || o.host === '')) throw bad('host', 'a non-empty string')
  if (present('dir') && (typeof o.dir !== 'string' || o.dir === '')) throw bad('dir', 'a non-empty string')
  if (present('keepDir') && typeof o.keepDir !== 'boolean') throw bad('keepDir', 'a boolean')
  if (present('clusterId') && (typeof o.clusterId !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(o.clusterId))) throw bad('clusterId', 'a 22-character base64url cluster id')
  if (present('logLevel') && !LEVELS.includes(o.logLevel as KafkaLogLevel)) throw bad('logLevel', `one of ${LEVELS.join(', ')}`)
  if (present('startTimeoutMs') && !isInt(o.startTimeoutMs, 1, 3_600_000)) throw bad('startTimeoutMs', 'a positive integer (ms)')
  if (present('config')) {
    const c = o.config
    if (typeof c !== 'object' || c === null || Array.isArray(c)) throw bad('config', 'an object of server.properties keys')
    for (const [k, v] of Object.entries(c)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new TypeError(`startKafka(): config['${k}'] must be a string, number or boolean, got ${v === null ? 'null' : typeof v}`)
      }
      if (/[\r\n]/.test(k) || (typeof v === 'string' && /[\r\n]/.test(v))) throw new TypeError(`startKafka(): config['${k}'] must be on one line`)
    }
  }
  const nodes = (o.nodes as number | undefined) ?? 1
  if (nodes > 1) {
    if (o.mode === 'in-process') {
      throw new TypeError(`startKafka(): options nodes: ${nodes} and mode: 'in-process' cannot be combined: several nodes run in child processes (mode: 'child-process', their default)`)
    }
    const perNode = Object.keys((o.config ?? {}) as object).filter((k) => PER_NODE_KEYS.includes(k))
    if (perNode.length > 0) {
      throw new TypeError(`startKafka(): with nodes: ${nodes}, config may not set ${perNode.map((k) => `'${k}'`).join(', ')}: startKafka writes ${perNode.length > 1 ? 'them' : 'it'} per node`)
    }
    if (present('port') && (o.port as number) + nodes - 1 > 65535) {
      throw new TypeError(`startKafka(): options port: ${String(o.port)} and nodes: ${nodes} cannot be combined: node ${nodes} would get port ${(o.port as number) + nodes - 1} (above 65535)`)
    }
  }
  return o as StartKafkaOptions
}
