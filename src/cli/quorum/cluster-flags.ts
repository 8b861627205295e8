/**
 * Flags of `kts cluster cluster-id` / `kts cluster unregister` with kafka-cluster.sh's names and
 * short aliases (Kafka `ClusterTool` 3.9: `--bootstrap-server/-b`, `--bootstrap-controller/-C`,
 * `--config/-c`), and the admin target they give.
 */
import {Flags} from '@oclif/core'
import type {OptionFlag} from '@oclif/core/interfaces'
import {bootstrapController, bootstrapServer} from '../flags.js'
import {adminTarget, type AdminTarget} from './admin-target.js'

/** The shared connection flags (`cli/flags.ts`, defaults included) with kafka-cluster.sh's short names and help. */
export const clusterToolFlags: {'bootstrap-server': OptionFlag<string | undefined>, 'bootstrap-controller': OptionFlag<string | undefined>, config: OptionFlag<string | undefined>} = {
  'bootstrap-server': {...bootstrapServer, char: 'b', summary: 'A list of host/port pairs to use for establishing the connection to the Kafka cluster.'},
  'bootstrap-controller': {...bootstrapController, char: 'C', summary: 'A list of host/port pairs to use for establishing the connection to the KRaft controllers.'},
  config: Flags.string({char: 'c', summary: 'A property file containing configurations for the Admin client.', helpValue: '<String: config file>'}),
}

/** The target of `kts cluster <sub>` from its parsed flags. */
export function clusterToolTarget(
  sub: string,
  flags: {'bootstrap-server'?: string, 'bootstrap-controller'?: string, config?: string},
  serverFromDefault: boolean | undefined,
): AdminTarget {
  return adminTarget(
    {bootstrapServer: flags['bootstrap-server'], bootstrapController: flags['bootstrap-controller'], serverFromDefault},
    {prog: `kts cluster ${sub}`, server: '--bootstrap-server/-b', controller: '--bootstrap-controller/-C'},
    flags.config,
  )
}
