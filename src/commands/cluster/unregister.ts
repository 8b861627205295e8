import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {UsageError} from '../../cli/errors.js'
import {clusterToolFlags, clusterToolTarget} from '../../cli/quorum/connection-flags.js'
import {KraftAdmin, UnsupportedApiError} from '../../cli/quorum/kraft-admin.js'

/**
 * `kts cluster unregister --bootstrap-server <brokers> | --bootstrap-controller <controllers> --id <broker id>`
 * (kafka-cluster.sh unregister, KIP-777, Kafka `ClusterTool` 3.9): UnregisterBroker. Prints
 * `Broker N is no longer registered.`; a cluster without the API gets
 * `The target cluster does not support the broker unregistration API.` (exit 0, as Kafka); an
 * error code fails with Java's exception text, e.g.
 * `org.apache.kafka.common.errors.BrokerIdNotRegisteredException: The given broker ID was not registered.`
 */
export default class ClusterUnregister extends KtsCommand {
  static override summary = 'Unregister a broker.'
  static override examples = ['<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --id 3']
  static override flags = {
    ...clusterToolFlags,
    id: Flags.integer({char: 'i', summary: 'The ID of the broker to unregister.', helpValue: '<Integer: broker id>'}),
  }

  async run(): Promise<{brokerId: number, unregistered: boolean}> {
    const {flags, metadata} = await this.parse(ClusterUnregister)
    const target = clusterToolTarget('unregister', flags, metadata.flags['bootstrap-server']?.setFromDefault)
    if (flags.id === undefined) throw new UsageError('kts cluster unregister: error: argument --id/-i is required')
    const admin = new KraftAdmin(target, this.config.version)
    try {
      await admin.unregisterBroker(flags.id)
      if (!this.jsonEnabled()) process.stdout.write(`Broker ${flags.id} is no longer registered.\n`)
      return {brokerId: flags.id, unregistered: true}
    } catch (err) {
      if (!(err instanceof UnsupportedApiError)) throw err
      if (!this.jsonEnabled()) process.stdout.write('The target cluster does not support the broker unregistration API.\n')
      return {brokerId: flags.id, unregistered: false}
    } finally {
      admin.close()
    }
  }
}
