import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError, UsageError} from '../cli/errors.js'
import {bootstrapServerFlag} from '../cli/flags.js'
import {LogAdmin, type LogDirDescription} from '../cli/logs/log-admin.js'
import {javaIntSetText, renderLogDirsJson} from '../cli/logs/render-log-dirs.js'
import {adminTarget} from '../cli/quorum/admin-target.js'

const PROG = 'kts log-dirs'

/** `--json` result: the log dirs of each queried broker (all topics, or the `--topic-list` ones). */
export type LogDirsResult = {broker: number, logDirs: LogDirDescription[]}[]

/** Kafka splits `--topic-list`/`--broker-list` at commas and drops empty items. */
function items(value: string | undefined): string[] {
  return (value ?? '').split(',').filter(x => x !== '')
}

/**
 * `kts log-dirs --bootstrap-server ... --describe [--broker-list 1,2] [--topic-list t1,t2]
 * [--command-config F]` (kafka-log-dirs.sh, Kafka 3.9 `LogDirsCommand`, DescribeLogDirs): prints
 * `Querying brokers for log directories information`, `Received log directory information from
 * brokers 1,2` and Kafka's JSON line (per broker, per log dir, per partition: size, offsetLag, isFuture).
 */
export default class LogDirs extends KtsCommand {
  static override summary = 'Describe the log directories of brokers: partitions, sizes, lag (kafka-log-dirs.sh).'
  static override description = 'This tool helps to query log directory usage on the specified brokers.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --describe',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --describe --broker-list 1 --topic-list orders',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('the server(s) to use for bootstrapping'),
    'command-config': Flags.string({summary: 'Property file containing configs to be passed to Admin Client.', helpValue: '<String: Admin client property file>'}),
    describe: Flags.boolean({summary: 'Describe the specified log directories on the specified brokers.'}),
    'topic-list': Flags.string({summary: 'The list of topics to be queried in the form "topic1,topic2,topic3". All topics will be queried if no topic list is specified', helpValue: '<String: Topic list>'}),
    'broker-list': Flags.string({summary: 'The list of brokers to be queried in the form "0,1,2". All brokers in the cluster will be queried if no broker list is specified', helpValue: '<String: Broker list>'}),
  }

  async run(): Promise<LogDirsResult> {
    const {flags} = await this.parse(LogDirs)
    if (!flags.describe) throw new UsageError('Missing required argument "[describe]"')
    const topics = new Set(items(flags['topic-list']))
    const input = items(flags['broker-list']).map((b) => {
      if (!/^[+-]?\d+$/.test(b) || Math.abs(Number(b)) > 2147483647) throw new TerseError(`For input string: "${b}"`)
      return Number(b)
    })
    const target = adminTarget({bootstrapServer: flags['bootstrap-server']}, {prog: PROG}, flags['command-config'])
    const json = this.jsonEnabled()
    const print = (s: string): void => {
      if (!json) process.stdout.write(s)
    }
    const admin = new LogAdmin({...target, clientId: target.clientId === 'kts-admin' ? 'log-dirs-tool' : target.clientId})
    try {
      const cluster = await admin.brokerIds()
      const existing = input.length === 0 ? cluster : [...new Set(input)].filter(b => cluster.includes(b))
      const missing = [...new Set(input)].filter(b => !cluster.includes(b))
      if (missing.length > 0) {
        throw new TerseError(`ERROR: The given brokers do not exist from --broker-list: ${javaIntSetText(missing)}. Current existent brokers: ${javaIntSetText(cluster)}`)
      }
      print('Querying brokers for log directories information\n')
      const byBroker = await admin.describeLogDirs(existing)
      print(`Received log directory information from brokers ${javaIntSetText(existing)}\n`)
      print(renderLogDirsJson(byBroker, topics) + '\n')
      return [...byBroker].sort((a, b) => a[0] - b[0]).map(([broker, logDirs]) => ({
        broker, logDirs: logDirs.map(d => ({...d, replicas: d.replicas.filter(r => topics.size === 0 || topics.has(r.topic))})),
      }))
    } finally {
      admin.close()
    }
  }
}
