import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {TerseError} from '../../cli/errors.js'
import {startDaemon, type DaemonStarted} from '../../cli/server/daemon.js'
import {logDirFromEnv, runNodeProcess} from '../../cli/server/run-node-process.js'
import {resolveServerConfigPath} from '../../cli/server/shipped-config.js'
import {loadServerConfig} from '../../server/config/server-config.js'
import {preflightNode} from '../../server/launch.js'
import {configToLogDirectories} from '../../server/storage/log-directories.js'
import {readMetaPropertiesRaw} from '../../server/storage/meta-properties.js'
import {formatStorage} from '../../server/storage/formatter.js'
import {loadMetaPropertiesEnsemble} from '../../server/storage/meta-properties-ensemble.js'
import {randomClusterId} from '../../server/storage/storage-ids.js'

/**
 * `kts server start [-daemon] [server.properties] [--override k=v ...]` (kafka-server-start.sh,
 * kafka-tools.md §6).
 * - Without a config path, uses the package's `config/kraft/server.properties` and formats its
 *   storage on first start; with an explicit path, unformatted storage is an error (like Kafka).
 *   `config/kraft/{server,broker,controller}.properties` missing from the current directory means
 *   the package's file of that name (one line on stderr says so).
 * - `-daemon` / `--daemon`: runs the node in the background (output in `$LOG_DIR/kafkaServer.out`,
 *   log also in `$LOG_DIR/server.log`; LOG_DIR defaults to ./logs) and returns once it listens.
 * - Every server process is recorded for `kts server stop` (see cli/server/server-registry.ts).
 */
export default class ServerStart extends KtsCommand {
  static override summary = 'Start a KRaft node (broker, controller or both, per process.roles).'
  static override description = 'With -daemon (or --daemon) the node runs in the background: its output goes to $LOG_DIR/kafkaServer.out and its log also to $LOG_DIR/server.log (LOG_DIR defaults to ./logs), and the command returns once the node accepts connections. Stop it with `kts server stop`.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> config/kraft/server.properties --override node.id=2',
    '<%= config.bin %> <%= command.id %> -daemon config/kraft/server.properties',
  ]

  static override args = {
    config: Args.string({description: 'server.properties file (default: the package\'s config/kraft/server.properties)'}),
  }

  static override flags = {
    override: Flags.string({summary: 'Override a property of the config file (property=value); repeatable.', multiple: true}),
    daemon: Flags.boolean({summary: 'Run in the background (Kafka\'s -daemon); output in $LOG_DIR/kafkaServer.out.', default: false}),
  }

  async run(): Promise<DaemonStarted | void> {
    // Kafka's single-dash `-daemon` would otherwise parse as the short flags -d -a -e -m -o -n.
    const argv = this.argv.map((a) => (a === '-daemon' ? '--daemon' : a))
    const {args, flags} = await this.parse(ServerStart, argv)
    const resolved = resolveServerConfigPath(args.config, this.config.root)
    if (resolved.notice !== null) process.stderr.write(resolved.notice + '\n')
    const configPath = resolved.path
    const overrides = flags.override ?? []
    const config = loadServerConfig(configPath, overrides)
    preflightNode(config, configPath) // refused keys stop here, before anything is formatted or spawned

    const dirs = configToLogDirectories(config)
    const unformatted = dirs.filter((d) => readMetaPropertiesRaw(d) === null)
    if (unformatted.length > 0) {
      if (resolved.explicit || unformatted.length !== dirs.length) {
        throw new TerseError(`No \`meta.properties\` found in ${unformatted[0]} (have you run \`kts storage format\` to format the directory?)`)
      }
      const result = formatStorage({config, clusterId: randomClusterId()})
      process.stdout.write(`Formatted unformatted storage ${result.formattedDirectories.join(', ')} with new cluster id ${result.clusterId} and metadata.version ${result.metadataVersion}.\n`)
    }
    loadMetaPropertiesEnsemble(config) // fails early with Kafka's storage errors

    if (flags.daemon) {
      const started = await startDaemon({runJs: path.join(this.config.root, 'bin', 'run.js'), configPath, overrides, logDir: logDirFromEnv()})
      if (!this.jsonEnabled()) {
        const listeners = started.listeners.map((l) => `${l.name}://${l.host}:${l.port}`).join(',')
        process.stdout.write(`Started kts server in the background: pid ${started.pid}, node.id ${started.nodeId}, listeners ${listeners}; output in ${started.outFile}\n`)
      }
      return started
    }
    await runNodeProcess({config, configPath})
  }
}
