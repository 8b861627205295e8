/**
 * Connection flags of the KRaft tools, built on the shared ones of `cli/flags.ts` (so their
 * defaults apply) with the help text and short names of Kafka 3.9's tools:
 * `kts metadata-quorum` / `kts features` (`--bootstrap-server`, `--bootstrap-controller`), and
 * `kts cluster cluster-id|unregister` (kafka-cluster.sh: `--bootstrap-server/-b`,
 * `--bootstrap-controller/-C`, `--config/-c`) with the admin target they give.
 */
import {Flags} from '@oclif/core'
import type {OptionFlag} from '@oclif/core/interfaces'
import {bootstrapController, bootstrapServerFlag} from '../flags.js'
import {adminTarget, type AdminTarget} from './admin-target.js'

/** A string option flag (annotated so declaration emit can name it). */
export type StringFlag = OptionFlag<string | undefined>

/** `--bootstrap-server` / `--bootstrap-controller` of kafka-metadata-quorum.sh and kafka-features.sh. */
export const kraftConnectionFlags: {'bootstrap-server': StringFlag, 'bootstrap-controller': StringFlag} = {
  'bootstrap-server': bootstrapServerFlag('A comma-separated list of host:port pairs to use for establishing the connection to the Kafka cluster.'),
  'bootstrap-controller': bootstrapController,
}

/** The shared connection flags with kafka-cluster.sh's short names and help. */
export const clusterToolFlags: {'bootstrap-server': StringFlag, 'bootstrap-controller': StringFlag, config: StringFlag} = {
  'bootstrap-server': {...bootstrapServerFlag('A list of host/port pairs to use for establishing the connection to the Kafka cluster.'), char: 'b'},
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
