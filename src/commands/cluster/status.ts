import path from 'node:path'
import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {TerseError} from '../../cli/errors.js'
import {clusterStatus, readManifest, type ClusterStatus} from '../../cli/local-cluster/local-cluster.js'
import {renderClusterStatus} from '../../cli/local-cluster/render-status.js'

/** `kts cluster status [--dir D]`: each node of a local cluster — id, roles, listeners, pid, Raft role, fenced or not. */
export default class ClusterStatusCommand extends KtsCommand {
  static override summary = 'Show the nodes of a local cluster started with `kts cluster start`.'
  static override examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --dir ./kts-cluster --json']

  static override flags = {
    dir: Flags.string({summary: 'Directory of the cluster.', default: './kts-cluster'}),
  }

  async run(): Promise<ClusterStatus> {
    const {flags} = await this.parse(ClusterStatusCommand)
    const dir = path.resolve(flags.dir)
    const manifest = readManifest(dir)
    if (manifest === null) throw new TerseError(`No kts cluster in ${dir} (start one with \`kts cluster start\`)`)
    const status = await clusterStatus(manifest)
    if (!this.jsonEnabled()) process.stdout.write(renderClusterStatus(status))
    return status
  }
}
