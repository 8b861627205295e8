import {KtsCommand} from '../../cli/base-command.js'
import {clusterToolFlags, clusterToolTarget} from '../../cli/quorum/connection-flags.js'
import {KraftAdmin} from '../../cli/quorum/kraft-admin.js'

/**
 * `kts cluster cluster-id --bootstrap-server <brokers> | --bootstrap-controller <controllers>`
 * (kafka-cluster.sh cluster-id, Kafka `ClusterTool` 3.9): prints `Cluster ID: <id>` from DescribeCluster.
 */
export default class ClusterId extends KtsCommand {
  static override summary = 'Get information about the ID of a cluster.'
  static override examples = ['<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092']
  static override flags = clusterToolFlags

  async run(): Promise<{clusterId: string | null}> {
    const {flags, metadata} = await this.parse(ClusterId)
    const admin = new KraftAdmin(clusterToolTarget('cluster-id', flags, metadata.flags['bootstrap-server']?.setFromDefault), this.config.version)
    try {
      const {clusterId} = await admin.describeCluster()
      const id = clusterId === '' ? null : clusterId
      if (!this.jsonEnabled()) process.stdout.write(id !== null ? `Cluster ID: ${id}\n` : 'No cluster ID found. The Kafka version is probably too old.\n')
      return {clusterId: id}
    } finally {
      admin.close()
    }
  }
}
