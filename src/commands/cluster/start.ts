import path from 'node:path'
import {Flags} from '@oclif/core'
import {KtsCommand} from '../../cli/base-command.js'
import {UsageError} from '../../cli/errors.js'
import {canPrompt} from '../../cli/output/prompt.js'
import type {ClusterLayout} from '../../cli/local-cluster/layout.js'
import {askLayout} from '../../cli/local-cluster/ask-layout.js'
import {createCluster, readManifest, startNodes, waitUntilServing, type ClusterStatus} from '../../cli/local-cluster/local-cluster.js'
import {renderClusterStatus} from '../../cli/local-cluster/render-status.js'

/**
 * `kts cluster start [--nodes N] [--controllers C | --combined] [--dir D] [--base-port P]`: a local
 * multi-node KRaft cluster in one directory (no Kafka counterpart). The first start writes one
 * config per node, formats them all with one cluster id and starts every node in the background
 * (`kts server start -daemon`); later starts restart the stopped nodes of the cluster in `--dir`.
 * Returns once the quorum has a leader and every broker is unfenced.
 */
export default class ClusterStart extends KtsCommand {
  static override summary = 'Start a local multi-node cluster in the background.'
  static override description = 'Writes one server.properties per node under --dir, formats them with one cluster id and starts each node with `kts server start -daemon`. On a terminal with no flags it asks for the layout. Stop it with `kts cluster stop`.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --nodes 3 --combined',
    '<%= config.bin %> <%= command.id %> --nodes 3 --controllers 3 --dir ./kts-cluster --base-port 9092',
  ]

  static override flags = {
    nodes: Flags.integer({summary: 'Number of brokers (with --combined: of combined broker+controller nodes).', default: 3, min: 1, max: 50}),
    controllers: Flags.integer({summary: 'Run this many separate controller-only nodes (the metadata quorum\'s voters).', min: 1, max: 9, exclusive: ['combined']}),
    combined: Flags.boolean({summary: 'Every node is a broker and a controller (default).', exclusive: ['controllers']}),
    dir: Flags.string({summary: 'Directory of the cluster\'s configs, data and logs.', default: './kts-cluster'}),
    'base-port': Flags.integer({summary: 'First broker port; controllers listen from base-port+100.', default: 9092, min: 1, max: 65000}),
    host: Flags.string({summary: 'Host the nodes listen on and advertise.', default: 'localhost'}),
  }

  async run(): Promise<ClusterStatus> {
    const {flags} = await this.parse(ClusterStart)
    const noFlags = this.argv.filter(a => a.startsWith('-') && a !== '--json').length === 0
    let layout: ClusterLayout = {
      brokers: flags.nodes, controllers: flags.controllers ?? flags.nodes, combined: flags.controllers === undefined,
      host: flags.host, basePort: flags['base-port'],
    }
    let dir = path.resolve(flags.dir)
    let manifest = readManifest(dir)
    if (manifest === null && noFlags && !this.jsonEnabled() && canPrompt()) {
      const answers = await askLayout(layout, flags.dir)
      layout = answers.layout
      dir = path.resolve(answers.dir)
      manifest = readManifest(dir)
    }
    if (layout.combined && layout.brokers > 9) throw new UsageError('A combined cluster has at most 9 nodes (each one votes); use --controllers for more brokers.')
    const out = (line: string): void => {
      if (!this.jsonEnabled()) process.stdout.write(line + '\n')
    }
    if (manifest === null) {
      manifest = createCluster(dir, layout)
      out(`Formatted ${manifest.nodes.length} node(s) in ${dir} with cluster id ${manifest.clusterId}.`)
    } else {
      out(`Starting the cluster in ${dir} (cluster id ${manifest.clusterId}).`)
    }
    await startNodes(manifest, path.join(this.config.root, 'bin', 'run.js'))
    const status = await waitUntilServing(manifest)
    if (!this.jsonEnabled()) process.stdout.write(renderClusterStatus(status))
    return status
  }
}
