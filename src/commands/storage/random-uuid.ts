import {KtsCommand} from '../../cli/base-command.js'
import {randomClusterId} from '../../server/storage/storage-ids.js'

/** `kts storage random-uuid` (kafka-storage.sh random-uuid, kafka-tools.md §1.1). */
export default class StorageRandomUuid extends KtsCommand {
  static override summary = 'Print a random UUID (a new cluster id).'
  static override examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<{uuid: string}> {
    await this.parse(StorageRandomUuid)
    const uuid = randomClusterId()
    if (!this.jsonEnabled()) process.stdout.write(uuid + '\n')
    return {uuid}
  }
}
