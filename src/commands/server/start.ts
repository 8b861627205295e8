import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {TerseError} from '../../cli/errors.js'
import {loadServerConfig} from '../../server/config/server-config.js'
import {configToLogDirectories} from '../../server/storage/log-directories.js'
import {readMetaPropertiesRaw} from '../../server/storage/meta-properties.js'
import {formatStorage} from '../../server/storage/formatter.js'
import {loadMetaPropertiesEnsemble} from '../../server/storage/meta-properties-ensemble.js'
import {randomClusterId} from '../../server/storage/storage-ids.js'

type NodeModule = typeof import('../../server/node.js')

/**
 * `kts server start [server.properties] [--override k=v ...]` (kafka-server-start.sh, kafka-tools.md §6).
 * Without a config path, uses the package's `config/kraft/server.properties` and formats its
 * storage on first start; with an explicit path, unformatted storage is an error (like Kafka).
 */
export default class ServerStart extends KtsCommand {
  static override summary = 'Start a KRaft node (broker, controller or both, per process.roles).'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> config/kraft/server.properties --override node.id=2',
  ]

  static override args = {
    config: Args.string({description: 'server.properties file (default: the package\'s config/kraft/server.properties)'}),
  }

  static override flags = {
    override: Flags.string({summary: 'Override a property of the config file (property=value); repeatable.', multiple: true}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ServerStart)
    const explicit = args.config !== undefined
    const configPath = path.resolve(args.config ?? path.join(this.config.root, 'config', 'kraft', 'server.properties'))
    const config = loadServerConfig(configPath, flags.override ?? [])
    if (config.processRoles.length === 0) {
      throw new TerseError(`kts runs only in KRaft mode: set process.roles (broker, controller or both) in ${configPath}`)
    }
    const dirs = configToLogDirectories(config)
    const unformatted = dirs.filter((d) => readMetaPropertiesRaw(d) === null)
    if (unformatted.length > 0) {
      if (explicit || unformatted.length !== dirs.length) {
        throw new TerseError(`No \`meta.properties\` found in ${unformatted[0]} (have you run \`kts storage format\` to format the directory?)`)
      }
      const result = formatStorage({config, clusterId: randomClusterId()})
      process.stdout.write(`Formatted unformatted storage ${result.formattedDirectories.join(', ')} with new cluster id ${result.clusterId} and metadata.version ${result.metadataVersion}.\n`)
    }
    loadMetaPropertiesEnsemble(config) // fails early with Kafka's storage errors

    let nodeModule: NodeModule
    try {
      nodeModule = await import('../../server/node.js')
    } catch (err) {
      throw new TerseError(`Cannot load the node (src/server/node.ts): ${(err as Error).message}`, {cause: err})
    }
    // Signal handlers go in before start-up (Kafka registers its shutdown hook first): a SIGTERM that
    // arrives while the node starts, or right after "Kafka Server started" is logged, must still shut
    // down cleanly instead of killing the process with the default action. Repeated signals are ignored.
    let node: {shutdown(): Promise<void>, done: Promise<void>} | null = null
    let stopRequested = false
    const shutdown = (n: {shutdown(): Promise<void>}): void => {
      n.shutdown().then(
        () => process.exit(0),
        (err) => {
          process.stderr.write(`Error during shutdown: ${(err as Error).message}\n`)
          process.exit(1)
        },
      )
    }
    const stop = (): void => {
      if (stopRequested) return
      stopRequested = true
      if (node !== null) shutdown(node)
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
    node = await nodeModule.startNode({config, configPath})
    if (stopRequested) shutdown(node)
    await node.done
  }
}
