/**
 * Shared connection flags, with Kafka's option names (`kafka-topics.sh --bootstrap-server`,
 * `--command-config`). Spread them into a command's `static flags`.
 */
import {Flags} from '@oclif/core'

/** `--bootstrap-server host:port[,host:port...]`: the brokers to connect to. */
export const bootstrapServer = Flags.string({
  summary: 'REQUIRED: The Kafka server to connect to, as host:port (comma-separated list allowed).',
  helpValue: '<String: server to connect to>',
})

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
 * controllers' listener instead of brokers. Tools that take it accept exactly one of
 * `--bootstrap-server` / `--bootstrap-controller` (see `cli/quorum/admin-target.ts`).
 */
export const bootstrapController = Flags.string({
  summary: 'A comma-separated list of host:port pairs to use for establishing the connection to the Kafka controllers.',
  helpValue: '<String: controllers to connect to>',
})
