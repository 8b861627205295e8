import path from 'node:path'
import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {loadServerConfig} from '../../server/config/server-config.js'
import {formatStorage, type FormatResult} from '../../server/storage/formatter.js'
import {randomClusterId} from '../../server/storage/storage-ids.js'

/**
 * `kts storage format [-t <cluster id>] [-c <server.properties>]` (kafka-storage.sh format, kafka-tools.md §1.2).
 * Deliberate differences from Kafka, where both are required: without `-c` the package's
 * `config/kraft/server.properties` (the default of `kts server start`) is formatted; without `-t` a
 * new cluster id is generated (Kafka `Uuid.randomUuid()`). Each default is announced in one line on
 * stdout before Kafka's `Formatting ...` lines.
 */
export default class StorageFormat extends KtsCommand {
  static override summary = 'Format the log directories of a KRaft node (meta.properties, bootstrap.checkpoint).'
  static override examples = [
    '<%= config.bin %> <%= command.id %>    # the package\'s config/kraft/server.properties, a new cluster id',
    '<%= config.bin %> <%= command.id %> -t $(<%= config.bin %> storage random-uuid) -c config/kraft/server.properties',
  ]

  static override flags = {
    config: Flags.string({char: 'c', summary: 'The Kafka configuration file to use (default: the package\'s config/kraft/server.properties, as kts server start).'}),
    'cluster-id': Flags.string({char: 't', summary: 'The cluster ID to use (default: a new random one, printed).'}),
    'ignore-formatted': Flags.boolean({char: 'g', summary: 'Skip directories that are already formatted instead of failing.', default: false}),
    'release-version': Flags.string({char: 'r', summary: 'The initial metadata.version, e.g. 3.9 or 3.9-IV0 (default: latest production, 3.9-IV0).'}),
    standalone: Flags.boolean({char: 's', summary: 'Used to initialize a controller as a single-node dynamic quorum.', default: false, exclusive: ['initial-controllers', 'no-initial-controllers']}),
    'initial-controllers': Flags.string({char: 'I', summary: 'Used to initialize a dynamic quorum: a comma-separated list of id@hostname:port:directory-id.', exclusive: ['standalone', 'no-initial-controllers']}),
    'add-scram': Flags.string({char: 'S', multiple: true, summary: 'A SCRAM_CREDENTIAL to add to the __cluster_metadata log e.g. \'SCRAM-SHA-256=[name=alice,password=alice-secret]\' or \'SCRAM-SHA-512=[name=alice,iterations=8192,salt="N3E=",saltedpassword="YCE="]\'.'}),
    'no-initial-controllers': Flags.boolean({char: 'N', summary: 'Used to initialize a server without a dynamic quorum topology (it joins later).', default: false, exclusive: ['standalone', 'initial-controllers']}),
  }

  async run(): Promise<FormatResult & {configFile: string}> {
    const {flags} = await this.parse(StorageFormat)
    const notes: string[] = []
    let configFile = flags.config
    if (configFile === undefined) {
      configFile = path.join(this.config.root, 'config', 'kraft', 'server.properties')
      notes.push(`Using the default config file ${configFile}.`)
    }
    let clusterId = flags['cluster-id']
    if (clusterId === undefined) {
      clusterId = randomClusterId()
      notes.push(`Generated new cluster id ${clusterId}.`)
    }
    const config = loadServerConfig(configFile)
    const result = formatStorage({
      config,
      clusterId,
      ignoreFormatted: flags['ignore-formatted'],
      releaseVersion: flags['release-version'],
      standalone: flags.standalone,
      initialControllers: flags['initial-controllers'],
      noInitialControllers: flags['no-initial-controllers'],
      addScram: flags['add-scram'],
    })
    if (!this.jsonEnabled()) for (const line of [...notes, ...result.lines]) process.stdout.write(line + '\n')
    return {...result, configFile}
  }
}
