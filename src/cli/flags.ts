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
