import fs from 'node:fs'
import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {bootstrapServerFlag, commandConfig} from '../cli/flags.js'
import {stdoutStyle} from '../cli/output/style.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {PartitionAdmin} from '../cli/replicas/partition-admin.js'
import {validateReassignOptions, type ReassignOptions} from '../cli/replicas/reassign-options.js'
import {ReassignCommandError, ReassignService, type ReassignResult} from '../cli/replicas/reassign-service.js'

const PROG = 'kts reassign-partitions'

/**
 * Reads a JSON file named on the command line (Kafka `Utils.readFileAsString`).
 * @throws ReassignCommandError whose message is the path when it is missing (Kafka prints `Error: <path>`)
 */
function readFile(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch (err) {
    throw new ReassignCommandError((err as NodeJS.ErrnoException).code === 'ENOENT' ? path : (err as Error).message, false, {cause: err})
  }
}

/**
 * `kts reassign-partitions --bootstrap-server ... --generate | --execute | --verify | --cancel | --list`
 * (kafka-reassign-partitions.sh, Kafka 3.9 `ReassignPartitionsCommand`; AlterPartitionReassignments,
 * ListPartitionReassignments). Output on stdout in Kafka's words; failures print Kafka's line on
 * stdout (`Error: ...` or the terse message) and one line on stderr, exit 1.
 */
export default class ReassignPartitions extends KtsCommand {
  static override summary = 'Move partition replicas between brokers, change replication factors (kafka-reassign-partitions.sh).'
  static override description = 'This tool helps to move topic partitions between replicas.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --generate --topics-to-move-json-file topics.json --broker-list 1,2,3',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --execute --reassignment-json-file plan.json',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --verify --reassignment-json-file plan.json',
  ]

  static override flags = {
    verify: Flags.boolean({summary: 'Verify if the reassignment completed as specified by the --reassignment-json-file option. If there is a throttle engaged for the replicas specified, and the rebalance has completed, the throttle will be removed'}),
    generate: Flags.boolean({summary: 'Generate a candidate partition reassignment configuration. Note that this only generates a candidate assignment, it does not execute it.'}),
    execute: Flags.boolean({summary: 'Kick off the reassignment as specified by the --reassignment-json-file option.'}),
    cancel: Flags.boolean({summary: 'Cancel an active reassignment.'}),
    list: Flags.boolean({summary: 'List all active partition reassignments.'}),
    'bootstrap-server': bootstrapServerFlag('The server(s) to use for bootstrapping.'),
    'command-config': commandConfig,
    'reassignment-json-file': Flags.string({
      summary: 'The JSON file with the partition reassignment configuration, e.g. {"partitions": [{"topic": "foo", "partition": 1, "replicas": [1,2,3], "log_dirs": ["any","any","any"]}], "version": 1}. "log_dirs" is optional; kts accepts only "any".',
      helpValue: '<String: manual assignment json file path>',
    }),
    'topics-to-move-json-file': Flags.string({
      summary: 'Generate a reassignment configuration to move the partitions of the specified topics to the list of brokers specified by the --broker-list option, e.g. {"topics": [{"topic": "foo"}, {"topic": "foo1"}], "version": 1}',
      helpValue: '<String: topics to reassign json file path>',
    }),
    'broker-list': Flags.string({summary: 'The list of brokers to which the partitions need to be reassigned in the form "0,1,2". This is required if --topics-to-move-json-file is used to generate reassignment configuration', helpValue: '<String: brokerlist>'}),
    'disable-rack-aware': Flags.boolean({summary: 'Disable rack aware replica assignment'}),
    throttle: Flags.string({summary: 'The movement of partitions between brokers will be throttled to this value (bytes/sec). kts brokers store the throttle configs but do not throttle replication yet.', helpValue: '<Long: throttle>'}),
    'replica-alter-log-dirs-throttle': Flags.string({summary: 'The movement of replicas between log directories on the same broker will be throttled to this value (bytes/sec).', helpValue: '<Long: replicaAlterLogDirsThrottle>'}),
    timeout: Flags.string({summary: 'The maximum time in ms to wait for log directory replica assignment to begin. (default: 10000)', helpValue: '<Long: timeout>'}),
    additional: Flags.boolean({summary: 'Execute this reassignment in addition to any other ongoing ones. This option can also be used to change the throttle of an ongoing reassignment.'}),
    'preserve-throttles': Flags.boolean({summary: 'Do not modify broker or topic throttles.'}),
  }

  async run(): Promise<ReassignResult> {
    const {flags} = await this.parse(ReassignPartitions)
    const opts: ReassignOptions = validateReassignOptions(flags)
    const json = this.jsonEnabled()
    const target = adminTarget({bootstrapServer: opts.bootstrapServer}, {prog: PROG}, opts.commandConfig)
    const admin = new PartitionAdmin({...target, clientId: target.clientId === 'kts-admin' ? 'reassign-partitions-tool' : target.clientId})
    const service = new ReassignService(admin, text => {
      if (!json) process.stdout.write(text)
    })
    try {
      return await service.run(() => {
        switch (opts.action) {
          case 'generate': return service.generate(readFile(opts.topicsToMoveJsonFile!), opts.brokerList!, !opts.disableRackAware)
          case 'execute': return service.execute(readFile(opts.reassignmentJsonFile!), opts.additional, opts.throttle, opts.logDirThrottle)
          case 'verify': return service.verify(readFile(opts.reassignmentJsonFile!), opts.preserveThrottles)
          case 'cancel': return service.cancel(readFile(opts.reassignmentJsonFile!), opts.preserveThrottles)
          default: return service.list()
        }
      })
    } catch (err) {
      if (!json && err instanceof ReassignCommandError) process.stdout.write(stdoutStyle().error(err.kafkaText) + '\n')
      throw err
    } finally {
      admin.close()
    }
  }
}
