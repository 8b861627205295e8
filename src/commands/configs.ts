import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {TerseError} from '../cli/errors.js'
import {bootstrapServerFlag} from '../cli/flags.js'
import {validateConfigOptions} from '../cli/configs/config-options.js'
import {CONFIG_ENTITIES} from '../cli/configs/entities.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {PartitionAdmin} from '../cli/replicas/partition-admin.js'

const PROG = 'kts configs'

/**
 * `kts configs --bootstrap-server ... --describe [--all] | --alter --add-config k=v,k2=[a,b] |
 * --add-config-file F | --delete-config k1,k2` with `--entity-type topics|brokers [--entity-name N |
 * --entity-default]` or `--topic T`, `--broker B`, `--broker-defaults`; `--entity-type users` / `--user U`
 * for SCRAM credentials (cli/configs/users.ts: DescribeUserScramCredentials / AlterUserScramCredentials) (kafka-configs.sh, Kafka 3.9
 * `ConfigCommand`, DescribeConfigs / IncrementalAlterConfigs). Kafka's output and messages; a
 * broker's error is printed as ConfigCommand prints it: `Error while executing config command with
 * args '...'` and the exception line (no stack trace).
 */
export default class Configs extends KtsCommand {
  static override summary = 'Describe or alter the dynamic configs of topics and brokers, and users\' SCRAM credentials (kafka-configs.sh).'
  static override description = 'This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip, client-metrics or group'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --entity-type topics --entity-name orders --describe',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --topic orders --alter --add-config retention.ms=86400000,cleanup.policy=[compact,delete]',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --entity-type brokers --entity-default --alter --add-config log.retention.ms=3600000',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('The Kafka servers to connect to.'),
    'command-config': Flags.string({summary: 'Property file containing configs to be passed to Admin Client. This is used only with --bootstrap-server option for describing and altering broker configs.', helpValue: '<String: command config property file>'}),
    describe: Flags.boolean({summary: 'List configs for the given entity.'}),
    alter: Flags.boolean({summary: 'Alter the configuration for the entity.'}),
    all: Flags.boolean({summary: 'List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)'}),
    'entity-type': Flags.string({summary: 'Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)', helpValue: '<String>', multiple: true}),
    'entity-name': Flags.string({summary: 'Name of entity (topic name/client id/user principal name/broker id/ip/client metrics/group id)', helpValue: '<String>', multiple: true}),
    'entity-default': Flags.boolean({summary: 'Default entity name for clients/users/brokers/ips (applies to corresponding entity type)'}),
    topic: Flags.string({summary: "The topic's name.", helpValue: '<String>'}),
    broker: Flags.string({summary: "The broker's ID.", helpValue: '<String>'}),
    'broker-defaults': Flags.boolean({summary: 'The config defaults for all brokers.'}),
    'broker-logger': Flags.string({summary: "The broker's ID for its logger config.", helpValue: '<String>'}),
    user: Flags.string({summary: "The user's principal name.", helpValue: '<String>'}),
    'user-defaults': Flags.boolean({summary: 'The config defaults for all users.'}),
    'add-config': Flags.string({
      summary: "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.",
      helpValue: '<String>',
    }),
    'add-config-file': Flags.string({summary: 'Path to a properties file with configs to add. See add-config for a list of valid configurations.', helpValue: '<String>'}),
    'delete-config': Flags.string({summary: 'config keys to remove \'k1,k2\'', helpValue: '<String>', multiple: true}),
    force: Flags.boolean({summary: 'Suppress console prompts'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Configs)
    const opts = validateConfigOptions(flags)
    const entity = CONFIG_ENTITIES.get(opts.entityType)
    if (!entity) throw new TerseError(`kts configs does not support --entity-type ${opts.entityType} yet (supported: ${[...CONFIG_ENTITIES.keys()].join(', ')})`)
    const target = adminTarget({bootstrapServer: opts.bootstrapServer}, {prog: PROG}, opts.commandConfig)
    const admin = new PartitionAdmin(target)
    const out = (line: string): void => {
      if (!this.jsonEnabled()) process.stdout.write(line + '\n')
    }
    try {
      await (opts.action === 'describe' ? entity.describe({admin, target, opts, out}) : entity.alter({admin, target, opts, out}))
    } catch (err) {
      // A broker's answer (ExecutionException in Kafka): ConfigCommand's two lines, without the stack trace.
      if (err instanceof TerseError && err.kafkaErrorCode !== undefined) {
        if (!this.jsonEnabled()) process.stderr.write(`Error while executing config command with args '${this.argv.join(' ')}'\n`)
        throw new TerseError(`java.util.concurrent.ExecutionException: ${err.message}`, {cause: err, kafkaErrorCode: err.kafkaErrorCode})
      }
      throw err
    } finally {
      admin.close()
    }
  }
}
