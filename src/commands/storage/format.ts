import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {UsageError} from '../../cli/errors.js'
import {loadServerConfig} from '../../server/config/server-config.js'
import {formatStorage, type FormatResult} from '../../server/storage/formatter.js'

/** `kts storage format -t <cluster id> -c <server.properties>` (kafka-storage.sh format, kafka-tools.md §1.2). */
export default class StorageFormat extends KtsCommand {
  static override summary = 'Format the log directories of a KRaft node (meta.properties, bootstrap.checkpoint).'
  static override examples = ['<%= config.bin %> <%= command.id %> -t $(<%= config.bin %> storage random-uuid) -c config/kraft/server.properties']

  static override flags = {
    config: Flags.string({char: 'c', summary: 'The Kafka configuration file to use.'}),
    'cluster-id': Flags.string({char: 't', summary: 'The cluster ID to use.'}),
    'ignore-formatted': Flags.boolean({char: 'g', summary: 'Skip directories that are already formatted instead of failing.', default: false}),
    'release-version': Flags.string({char: 'r', summary: 'The initial metadata.version, e.g. 3.9 or 3.9-IV0 (default: latest production, 3.9-IV0).'}),
    standalone: Flags.boolean({char: 's', summary: 'Format for a single-voter dynamic quorum (accepted; no voters snapshot yet).', default: false}),
  }

  async run(): Promise<FormatResult> {
    const {flags} = await this.parse(StorageFormat)
    if (flags.config === undefined) throw new UsageError('kts storage format: error: argument --config/-c is required')
    if (flags['cluster-id'] === undefined) throw new UsageError('kts storage format: error: argument --cluster-id/-t is required')
    const config = loadServerConfig(flags.config)
    const result = formatStorage({
      config,
      clusterId: flags['cluster-id'],
      ignoreFormatted: flags['ignore-formatted'],
      releaseVersion: flags['release-version'],
      standalone: flags.standalone,
    })
    if (!this.jsonEnabled()) for (const line of result.lines) process.stdout.write(line + '\n')
    return result
  }
}
