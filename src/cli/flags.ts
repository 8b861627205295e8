/**
 * Shared connection flags, with Kafka's option names (`kafka-topics.sh --bootstrap-server`,
 * `--command-config`). Spread them into a command's `static flags`.
 *
 * `--bootstrap-server` is optional in every kts tool (a deliberate difference from Kafka's tools,
 * which require it): the flag, else the environment variable `KTS_BOOTSTRAP_SERVER`, else
 * `localhost:9092` (`resolveBootstrapServer`). Tools that also take `--bootstrap-controller` apply
 * the default only when neither flag is given (`cli/quorum/admin-target.ts`).
 */
import {Flags} from '@oclif/core'

/** The bootstrap server used when neither `--bootstrap-server` nor `KTS_BOOTSTRAP_SERVER` is given. */
export const DEFAULT_BOOTSTRAP_SERVER = 'localhost:9092'
/** The environment variable that supplies a default `--bootstrap-server`. */
export const BOOTSTRAP_SERVER_ENV = 'KTS_BOOTSTRAP_SERVER'

const DEFAULT_NOTE = `(default: $${BOOTSTRAP_SERVER_ENV}, else ${DEFAULT_BOOTSTRAP_SERVER})`

/**
 * A `--bootstrap-server` flag whose help names the default. `summary` is the tool's own Kafka
 * description (without Kafka's `REQUIRED:`).
 */
export function bootstrapServerFlag(summary = 'The Kafka server to connect to, as host:port (comma-separated list allowed).') {
  return Flags.string({summary: `${summary} ${DEFAULT_NOTE}`, helpValue: '<String: server to connect to>'})
}

/**
 * The bootstrap servers to use: `flagValue` (the flag, or its alias such as `--broker-list`), else
 * `$KTS_BOOTSTRAP_SERVER` when set and not blank, else `localhost:9092`.
 */
export function resolveBootstrapServer(flagValue: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flagValue !== undefined) return flagValue
  const fromEnv = env[BOOTSTRAP_SERVER_ENV]
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim()
  return DEFAULT_BOOTSTRAP_SERVER
}

/** `--bootstrap-server host:port[,host:port...]`: the brokers to connect to. */
export const bootstrapServer = bootstrapServerFlag()

/** `--command-config <file>`: client properties file (Java .properties) passed to the admin client. */
export const commandConfig = Flags.string({
  summary: 'Property file containing configs to be passed to Admin Client.',
  helpValue: '<String: command config property file>',
})

/** Both connection flags, for `static flags = {...connectionFlags, ...}`. */
export const connectionFlags = {
  'bootstrap-server': bootstrapServer,
  'command-config': commandConfig,
}

/**
 * `--bootstrap-controller host:port[,host:port...]` (KIP-919, Kafka 3.7+): talk to the KRaft
 * controllers' listener instead of brokers. Tools that take it refuse both `--bootstrap-server` and
 * `--bootstrap-controller`; with neither, the default bootstrap server applies (see `cli/quorum/admin-target.ts`).
 */
export const bootstrapController = Flags.string({
  summary: 'A comma-separated list of host:port pairs to use for establishing the connection to the Kafka controllers.',
  helpValue: '<String: controllers to connect to>',
})
