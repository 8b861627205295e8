import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError} from '../cli/errors.js'
import {bootstrapServerFlag} from '../cli/flags.js'
import {stdoutStyle} from '../cli/output/style.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {validateLeaderElectionOptions, type ElectionTypeName} from '../cli/replicas/leader-election-options.js'
import {PartitionAdmin} from '../cli/replicas/partition-admin.js'
import {electionFailureMessage, renderElection, summarizeElection, type ElectionSummary} from '../cli/replicas/render-leader-election.js'

const PROG = 'kts leader-election'
/** REQUEST_TIMED_OUT: the admin call's deadline passed. */
const TIMED_OUT = 7

/** `--json` result. */
export type LeaderElectionResult = {electionType: ElectionTypeName} & ElectionSummary

/**
 * `kts leader-election --bootstrap-server ... --election-type preferred|unclean --all-topic-partitions |
 * --topic T --partition P | --path-to-json-file F` (kafka-leader-election.sh, Kafka 3.9
 * `LeaderElectionCommand`, ElectLeaders). Results on stdout in Kafka's words; any partition that
 * could not be elected makes it fail with `N replica(s) could not be elected` (exit 1).
 */
export default class LeaderElection extends KtsCommand {
  static override summary = 'Elect the preferred replica, or any live replica of an offline partition, as leader (kafka-leader-election.sh).'
  static override description = 'This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --election-type unclean --topic orders --partition 0',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('A hostname and port for the broker to connect to, in the form host:port. Multiple comma separated URLs can be given.'),
    'admin.config': Flags.string({summary: 'Configuration properties files to pass to the admin client', helpValue: '<String: config file>'}),
    'election-type': Flags.string({
      summary: 'Type of election to attempt. Possible values are "preferred" for preferred leader election or "unclean" for unclean leader election. If preferred election is selection, the election is only performed if the current leader is not the preferred leader for the topic partition. If unclean election is selected, the election is only performed if there are no leader for the topic partition. REQUIRED.',
      helpValue: '<[PREFERRED,UNCLEAN]: election type>',
    }),
    topic: Flags.string({summary: 'Name of topic for which to perform an election. Not allowed if --path-to-json-file or --all-topic-partitions is specified.', helpValue: '<String: topic name>'}),
    partition: Flags.string({summary: 'Partition id for which to perform an election. REQUIRED if --topic is specified.', helpValue: '<Integer: partition id>'}),
    'all-topic-partitions': Flags.boolean({summary: 'Perform election on all of the eligible topic partitions based on the type of election (see the --election-type flag). Not allowed if --topic or --path-to-json-file is specified.'}),
    'path-to-json-file': Flags.string({
      summary: 'The JSON file with the list of partition for which leader elections should be performed, e.g. {"partitions": [{"topic": "foo", "partition": 1}]}. Not allowed if --all-topic-partitions or --topic flags are specified.',
      helpValue: '<String: Path to JSON file>',
    }),
  }

  async run(): Promise<LeaderElectionResult> {
    const {flags} = await this.parse(LeaderElection)
    const opts = validateLeaderElectionOptions(flags)
    const target = adminTarget({bootstrapServer: opts.bootstrapServer}, {prog: PROG}, opts.adminConfig)
    const admin = new PartitionAdmin(target)
    const json = this.jsonEnabled()
    const out = (lines: string[]): void => {
      if (!json) process.stdout.write(lines.map(l => l + '\n').join(''))
    }
    try {
      let outcomes
      try {
        outcomes = await admin.electLeaders(opts.electionType === 'PREFERRED' ? 0 : 1, opts.partitions)
      } catch (err) {
        if (err instanceof TerseError && err.kafkaErrorCode === TIMED_OUT) {
          out(['Timeout waiting for election results'])
          throw new TerseError('Timeout waiting for election results', {cause: err, kafkaErrorCode: TIMED_OUT})
        }
        throw err
      }
      const summary = summarizeElection(outcomes)
      const lines = renderElection(opts.electionType, summary)
      const style = stdoutStyle()
      out(lines.map(l => l.startsWith('Error ') ? style.error(l) : l))
      const failure = electionFailureMessage(summary)
      if (failure !== null) {
        if (json) {
          process.exitCode = 1
        } else {
          throw new TerseError(failure)
        }
      }
      return {electionType: opts.electionType, ...summary}
    } finally {
      admin.close()
    }
  }
}
