import path from 'node:path'
import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {TerseError} from '../../cli/errors.js'
import {readManifest, stopNodes} from '../../cli/local-cluster/local-cluster.js'

/** `kts cluster stop [--dir D]`: stops every running node of a local cluster cleanly (brokers, then controllers). */
export default class ClusterStop extends KtsCommand {
  static override summary = 'Stop a local cluster started with `kts cluster start` (its data is kept).'
  static override examples = ['<%= config.bin %> <%= command.id %>']

  static override flags = {
    dir: Flags.string({summary: 'Directory of the cluster.', default: './kts-cluster'}),
  }

  async run(): Promise<{stopped: number[]}> {
    const {flags} = await this.parse(ClusterStop)
    const dir = path.resolve(flags.dir)
    const manifest = readManifest(dir)
    if (manifest === null) throw new TerseError(`No kts cluster in ${dir}`)
    const stopped = await stopNodes(manifest)
    if (!this.jsonEnabled()) {
      process.stdout.write(stopped.length === 0 ? `No node of the cluster in ${dir} is running.\n` : `Stopped node(s) ${stopped.join(', ')}.\n`)
    }
    if (stopped.length === 0) process.exitCode = 1
    return {stopped}
  }
}
