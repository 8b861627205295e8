import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {UsageError} from '../../cli/errors.js'
import {loadServerConfig} from '../../server/config/server-config.js'
import {storageInfo, type StorageInfo} from '../../server/storage/info.js'

/** `kts storage info -c <server.properties>` (kafka-storage.sh info, kafka-tools.md §1.3). Exit 1 when problems are found. */
export default class StorageInfoCommand extends KtsCommand {
  static override summary = 'Show the state of the log directories of a node.'
  static override examples = ['<%= config.bin %> <%= command.id %> -c config/kraft/server.properties']

  static override flags = {
    config: Flags.string({char: 'c', summary: 'The Kafka configuration file to use.'}),
  }

  async run(): Promise<Omit<StorageInfo, 'text'>> {
    const {flags} = await this.parse(StorageInfoCommand)
    if (flags.config === undefined) throw new UsageError('kts storage info: error: argument --config/-c is required')
    const {text, ...info} = storageInfo(loadServerConfig(flags.config))
    if (!this.jsonEnabled()) process.stdout.write(text)
    if (info.exitCode !== 0) process.exitCode = info.exitCode
    return info
  }
}
