/**
 * Where the KRaft tools (`kts metadata-quorum`, `kts cluster`, `kts features`) connect, from their
 * flags and client properties, as Kafka's argparse4j tools decide it: at most one of
 * `--bootstrap-server` (brokers) and `--bootstrap-controller` (controllers, KIP-919), argparse4j's
 * message for both, and the admin client properties the tools honour. With neither, kts uses the
 * default bootstrap server of every tool (`resolveBootstrapServer`: `$KTS_BOOTSTRAP_SERVER`, else
 * `localhost:9092`) where Kafka says `one of the arguments ... is required`.
 */
import {TerseError, UsageError} from '../errors.js'
import {clientSecurity, parseBootstrapServers, readPropertiesFile, type ClientProperties} from '../admin/client-properties.js'
import type {ClientSecurity} from '../../protocol/security/client-security.js'
import {resolveBootstrapServer} from '../flags.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'

/** A resolved connection target. Times in ms. */
export interface AdminTarget {
  /** `host:port` entries. */
  servers: string[]
  /** True for `--bootstrap-controller` (requests go to the controller listener). */
  controllers: boolean
  /** `client.id` (default `kts-admin`). */
  clientId: string
  /** `security.protocol` SSL or SASL_SSL. */
  tls: boolean
  /** TLS and SASL settings of `security.protocol` (client-security.ts). */
  security: ClientSecurity
  /** `request.timeout.ms` (default 30000): per request. */
  requestTimeoutMs: number
  /** `default.api.timeout.ms` (default 60000): deadline of each admin call, retries included. */
  apiTimeoutMs: number
}

/** The two connection options as the command parsed them. */
export interface BootstrapOptions {
  bootstrapServer?: string
  bootstrapController?: string
  /**
   * True when `bootstrapServer` came from a default (environment / `localhost:9092`) rather than
   * the command line: then `--bootstrap-controller` wins instead of conflicting.
   */
  serverFromDefault?: boolean
}

/** How a tool names its options in argparse4j errors (`kafka-cluster` adds the short names). */
export interface OptionNames {
  /** e.g. `kts metadata-quorum` or `kts cluster unregister` */
  prog: string
  server?: string
  controller?: string
}

/**
 * Picks brokers or controllers: `--bootstrap-controller` when given, else `--bootstrap-server`,
 * else the default bootstrap server (a deliberate difference from Kafka, see README).
 * @throws UsageError `<prog>: error: argument --bootstrap-controller: not allowed with argument --bootstrap-server`
 *   (argparse4j's mutually exclusive group), or a malformed `host:port` list.
 */
export function resolveBootstrap(opts: BootstrapOptions, names: OptionNames): {servers: string[], controllers: boolean} {
  const server = names.server ?? '--bootstrap-server'
  const controller = names.controller ?? '--bootstrap-controller'
  const fromCommandLine = opts.bootstrapServer !== undefined && !opts.serverFromDefault
  if (fromCommandLine && opts.bootstrapController !== undefined) {
    throw new UsageError(`${names.prog}: error: argument ${controller}: not allowed with argument ${server}`)
  }
  if (opts.bootstrapController !== undefined) return {servers: parseBootstrapServers(opts.bootstrapController), controllers: true}
  return {servers: parseBootstrapServers(resolveBootstrapServer(opts.bootstrapServer)), controllers: false}
}

function intProperty(props: ClientProperties, key: string, fallback: number): number {
  const v = props[key]
  if (v === undefined || v.trim() === '') return fallback
  const n = Number(v.trim())
  if (!Number.isInteger(n) || n < 0) throw new TerseError(`Invalid value ${v} for configuration ${key}: Not a number of type INT`)
  return n
}

/**
 * The full target: bootstrap choice plus the properties file (`--command-config` / `--config`).
 * @throws TerseError when the file is missing (`missingFileMessage`, else `<file> (No such file or directory)`),
 *   a timeout property is not a number, or the security settings are unusable (unknown protocol or mechanism, bad JAAS config)
 */
export function adminTarget(opts: BootstrapOptions, names: OptionNames, configFile: string | undefined, missingFileMessage?: (file: string) => string): AdminTarget {
  const {servers, controllers} = resolveBootstrap(opts, names)
  let props: ClientProperties = {}
  if (configFile !== undefined) {
    try {
      props = readPropertiesFile(configFile)
    } catch (err) {
      if (missingFileMessage) throw new TerseError(missingFileMessage(configFile), {cause: err})
      throw err
    }
  }
  const security = clientSecurity(props)
  return {
    servers,
    controllers,
    clientId: props['client.id'] ?? 'kts-admin',
    tls: security.tls !== undefined,
    security,
    requestTimeoutMs: intProperty(props, 'request.timeout.ms', 30_000),
    apiTimeoutMs: intProperty(props, 'default.api.timeout.ms', 60_000),
  }
}

/**
 * Opens a connection to `host:port` (IPv6 in brackets allowed) with the target's client id, TLS and
 * SASL settings and timeouts: the one place the admin tools connect, so none forgets `security`.
 * @throws whatever BrokerConnection.connect throws (unreachable, TLS or SASL failure)
 */
export function connectToServer(target: AdminTarget, address: string): Promise<BrokerConnection> {
  const i = address.lastIndexOf(':')
  return BrokerConnection.connect({
    host: address.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(i + 1)),
    clientId: target.clientId, tls: target.tls, security: target.security,
    connectTimeoutMs: Math.min(target.requestTimeoutMs, target.apiTimeoutMs), requestTimeoutMs: target.requestTimeoutMs,
  })
}

/**
 * The first of `target.servers` that accepts a connection, tried in order.
 * @throws the last connection error, or ProtocolClientError when there is no server
 */
export async function connectToFirstServer(target: AdminTarget): Promise<BrokerConnection> {
  let last: unknown
  for (const s of target.servers) {
    try {
      return await connectToServer(target, s)
    } catch (err) {
      last = err
    }
  }
  throw last instanceof Error ? last : new ProtocolClientError('No bootstrap server could be reached')
}
