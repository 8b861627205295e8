import {Args, Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError, UsageError} from '../cli/errors.js'
import {commandConfig} from '../cli/flags.js'
import {kraftConnectionFlags} from '../cli/quorum/connection-flags.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {KraftAdmin, type FeatureMetadata} from '../cli/quorum/kraft-admin.js'
import {renderFeatures} from '../cli/quorum/render-features.js'

const PROG = 'kts features'
const SUBCOMMANDS = ['describe', 'upgrade', 'downgrade', 'disable']

/**
 * `kts features --bootstrap-server <brokers> | --bootstrap-controller <controllers> describe`
 * (kafka-features.sh, Kafka `FeatureCommand` 3.9): the supported and finalized feature levels from
 * ApiVersions. The connection options may come before or after the subcommand. `upgrade`,
 * `downgrade` and `disable` (UpdateFeatures) are not supported yet: one line, exit 1.
 */
export default class Features extends KtsCommand {
  static override summary = 'Describe feature flags (kafka-features.sh).'
  static override description = 'This tool manages feature flags in Kafka.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe',
    '<%= config.bin %> <%= command.id %> --bootstrap-controller localhost:9093 describe',
  ]

  static override args = {
    command: Args.string({description: 'describe | upgrade | downgrade | disable'}),
  }

  static override flags = {
    ...kraftConnectionFlags,
    'command-config': commandConfig,
    metadata: Flags.string({summary: 'upgrade / downgrade: the metadata.version to move to, e.g. 3.3-IV3 (not supported yet).', helpGroup: 'UPDATE'}),
    feature: Flags.string({summary: 'upgrade / downgrade / disable: a feature=level change (repeatable; not supported yet).', multiple: true, helpGroup: 'UPDATE'}),
    unsafe: Flags.boolean({summary: 'downgrade / disable: even if it may irreversibly destroy metadata (not supported yet).', helpGroup: 'UPDATE'}),
    'dry-run': Flags.boolean({summary: 'upgrade / downgrade / disable: validate only (not supported yet).', helpGroup: 'UPDATE'}),
  }

  async run(): Promise<FeatureMetadata> {
    const {args, flags, metadata} = await this.parse(Features)
    if (args.command === undefined) throw new UsageError(`${PROG}: error: too few arguments`)
    if (!SUBCOMMANDS.includes(args.command)) {
      throw new UsageError(`${PROG}: error: invalid choice: '${args.command}' (choose from ${SUBCOMMANDS.map(s => `'${s}'`).join(', ')})`)
    }
    const target = adminTarget(
      {bootstrapServer: flags['bootstrap-server'], bootstrapController: flags['bootstrap-controller'], serverFromDefault: metadata.flags['bootstrap-server']?.setFromDefault},
      {prog: PROG}, flags['command-config'],
    )
    if (args.command !== 'describe') throw new TerseError(`${PROG} ${args.command} is not supported yet (UpdateFeatures is not implemented).`)
    const admin = new KraftAdmin(target, this.config.version)
    try {
      const meta = await admin.describeFeatures()
      if (!this.jsonEnabled()) process.stdout.write(renderFeatures(meta))
      return meta
    } finally {
      admin.close()
    }
  }
}
