/**
 * kts as a library: `startKafka()` starts a real Kafka-compatible node for a test suite (in this
 * process or as a child process, on free ports, in a temp dir) and `stop()` removes it again.
 *
 * ```ts
 * import {startKafka} from 'kts'
 * const kafka = await startKafka()
 * // ... new Kafka({brokers: [kafka.bootstrapServers]}) (kafkajs), or any other Kafka client
 * await kafka.stop()
 * ```
 * Importing this module does not load the broker; the first `startKafka()` does.
 */
export {startKafka, STARTKAFKA_DEFAULTS, startKafkaDefaults, type KafkaCluster, type KafkaNode} from './embedded/start-kafka.js'
export type {ConfigValueInput, KafkaLogLevel, KafkaMode, StartKafkaOptions} from './embedded/options.js'
export {ConfigError} from './server/config/config-def.js'
