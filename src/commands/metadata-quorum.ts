import {Args, Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError, UsageError} from '../cli/errors.js'
import {kraftConnectionFlags} from '../cli/quorum/connection-flags.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {KraftAdmin, type QuorumInfo} from '../cli/quorum/kraft-admin.js'
import {followerLag, renderReplication, renderStatus, replicationRows} from '../cli/quorum/render-quorum.js'
import {controllerToAdd, describeEndpoint} from '../cli/quorum/controller-properties.js'
import {readPropertiesFile} from '../cli/admin/client-properties.js'
import {uuidStringProblem} from '../protocol/primitives/uuid-text.js'

const PROG = 'kts metadata-quorum'
const SUBCOMMANDS = ['describe', 'add-controller', 'remove-controller']

/** `--json` result of `describe --status` / `describe --replication`. */
export type MetadataQuorumResult =
  | ({clusterId: string, maxFollowerLag: number, maxFollowerLagTimeMs: number} & QuorumInfo)
  | {replication: {nodeId: number, directoryId: string, logEndOffset: number, lag: number, lastFetchTimestamp: string, lastCaughtUpTimestamp: string, status: string}[]}
  | {added: {id: number, directoryId: string, endpoints: {name: string, host: string, port: number}[]}, dryRun: boolean}
  | {removed: {id: number, directoryId: string}, dryRun: boolean}

/**
 * `kts metadata-quorum --bootstrap-server <brokers> | --bootstrap-controller <controllers> describe --status | --replication [--human-readable]`
 * (kafka-metadata-quorum.sh, Kafka `MetadataQuorumCommand` 3.9; kafka-tools.md §7.2). The
 * connection options may come before or after `describe`. `add-controller --command-config
 * <controller's server.properties>` and `remove-controller --controller-id N
 * --controller-directory-id ID` change the voters of a dynamic quorum (KIP-853, Kafka 3.9).
 */
export default class MetadataQuorum extends KtsCommand {
  static override summary = 'Describe the KRaft metadata quorum (kafka-metadata-quorum.sh).'
  static override description = 'This tool describes kraft metadata quorum status.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe --status',
    '<%= config.bin %> <%= command.id %> --bootstrap-controller localhost:9093 describe --replication --human-readable',
    '<%= config.bin %> <%= command.id %> --bootstrap-controller localhost:9093 --command-config controller2.properties add-controller',
    '<%= config.bin %> <%= command.id %> --bootstrap-controller localhost:9093 remove-controller --controller-id 2 --controller-directory-id <id>',
  ]

  static override args = {
    command: Args.string({description: 'describe | add-controller | remove-controller'}),
  }

  static override flags = {
    ...kraftConnectionFlags,
    'command-config': Flags.string({
      summary: 'Property file containing configs to be passed to Admin Client. For add-controller, the file is used to specify the controller properties as well.',
      helpValue: '<String: command config property file>',
    }),
    status: Flags.boolean({summary: 'describe: a short summary of the quorum status.', helpGroup: 'DESCRIBE'}),
    replication: Flags.boolean({summary: 'describe: detailed information about the status of replication.', helpGroup: 'DESCRIBE'}),
    'human-readable': Flags.boolean({summary: 'describe --replication: human-readable output.', helpGroup: 'DESCRIBE'}),
    'dry-run': Flags.boolean({summary: 'add-controller / remove-controller: print what would be done without doing it.', helpGroup: 'CONTROLLERS'}),
    'controller-id': Flags.integer({summary: 'remove-controller: the id of the controller to remove.', helpGroup: 'CONTROLLERS'}),
    'controller-directory-id': Flags.string({summary: 'remove-controller: the directory id of the controller to remove.', helpGroup: 'CONTROLLERS'}),
  }

  async run(): Promise<MetadataQuorumResult> {
    const {args, flags, metadata} = await this.parse(MetadataQuorum)
    if (args.command === undefined) throw new UsageError(`${PROG}: error: too few arguments`)
    if (!SUBCOMMANDS.includes(args.command)) {
      throw new UsageError(`${PROG}: error: invalid choice: '${args.command}' (choose from ${SUBCOMMANDS.map(s => `'${s}'`).join(', ')})`)
    }
    const target = adminTarget(
      {bootstrapServer: flags['bootstrap-server'], bootstrapController: flags['bootstrap-controller'], serverFromDefault: metadata.flags['bootstrap-server']?.setFromDefault},
      {prog: PROG}, flags['command-config'], (file) => `Properties file ${file} does not exist.`,
    )
    if (args.command === 'add-controller') return this.addController(target, flags['command-config'], flags['dry-run'])
    if (args.command === 'remove-controller') return this.removeController(target, flags['controller-id'], flags['controller-directory-id'], flags['dry-run'])
    if (flags.status && flags.replication) throw new TerseError('Only one of --status or --replication should be specified with describe sub-command')
    if (!flags.status && !flags.replication) throw new TerseError('One of --status or --replication must be specified with describe sub-command')
    if (flags.status && flags['human-readable']) throw new TerseError('The option --human-readable is only supported along with --replication')

    const admin = new KraftAdmin(target, this.config.version)
    try {
      if (flags.replication) {
        const info = await admin.describeMetadataQuorum()
        const now = Date.now()
        if (!this.jsonEnabled()) process.stdout.write(renderReplication(info, flags['human-readable'], now))
        return {replication: replicationRows(info, flags['human-readable'], now).map(r => ({
          nodeId: Number(r[0]), directoryId: r[1], logEndOffset: Number(r[2]), lag: Number(r[3]), lastFetchTimestamp: r[4], lastCaughtUpTimestamp: r[5], status: r[6],
        }))}
      }
      const {clusterId} = await admin.describeCluster()
      const info = await admin.describeMetadataQuorum()
      if (!this.jsonEnabled()) process.stdout.write(renderStatus(clusterId, info))
      return {clusterId, ...followerLag(info), ...info}
    } finally {
      admin.close()
    }
  }

  /** Kafka `handleAddController`: the controller described by `--command-config` joins the voters. */
  private async addController(target: ConstructorParameters<typeof KraftAdmin>[0], configFile: string | undefined, dryRun: boolean): Promise<MetadataQuorumResult> {
    if (configFile === undefined) throw new TerseError('You must supply the configuration file of the controller you are adding when using add-controller.')
    const c = controllerToAdd(readPropertiesFile(configFile))
    if (!dryRun) {
      const admin = new KraftAdmin(target, this.config.version)
      try {
        await admin.addRaftVoter(c.id, c.directoryId, c.endpoints)
      } finally {
        admin.close()
      }
    }
    if (!this.jsonEnabled()) {
      process.stdout.write(`${dryRun ? 'DRY RUN of adding' : 'Added'} controller ${c.id} with directory id ${c.directoryId} and endpoints: ${c.endpoints.map(describeEndpoint).join(', ')}\n`)
    }
    return {added: c, dryRun}
  }

  /** Kafka `handleRemoveController`. */
  private async removeController(target: ConstructorParameters<typeof KraftAdmin>[0], id: number | undefined, directoryId: string | undefined, dryRun: boolean): Promise<MetadataQuorumResult> {
    if (id === undefined) throw new UsageError(`${PROG} remove-controller: error: argument --controller-id/-i is required`)
    if (directoryId === undefined) throw new UsageError(`${PROG} remove-controller: error: argument --controller-directory-id/-d is required`)
    if (id < 0) throw new TerseError(`Invalid negative --controller-id: ${id}`)
    const problem = uuidStringProblem(directoryId)
    if (problem !== null) throw new TerseError(`Failed to parse --controller-directory-id: ${problem}`)
    if (!dryRun) {
      const admin = new KraftAdmin(target, this.config.version)
      try {
        await admin.removeRaftVoter(id, directoryId)
      } finally {
        admin.close()
      }
    }
    if (!this.jsonEnabled()) process.stdout.write(`${dryRun ? 'DRY RUN of removing ' : 'Removed '} KRaft controller ${id} with directory id ${directoryId}\n`)
    return {removed: {id, directoryId}, dryRun}
  }
}
