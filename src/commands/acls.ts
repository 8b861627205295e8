import {Flags} from '@oclif/core'
import {KtsCommand} from '../cli/base-command.js'
import {bootstrapController, bootstrapServerFlag, commandConfig} from '../cli/flags.js'
import {adminTarget} from '../cli/quorum/admin-target.js'
import {runAclCommand, type AclCommandResult} from '../cli/acls/acl-command.js'

const PROG = 'kts acls'

/**
 * `kts acls --bootstrap-server ... --add|--remove|--list ...` (kafka-acls.sh, Kafka 4.0
 * `AclCommand`): manage ACLs through CreateAcls / DescribeAcls / DeleteAcls, with Kafka's options,
 * checks, questions and output.
 */
export default class Acls extends KtsCommand {
  static override summary = 'Add, remove or list ACLs (kafka-acls.sh).'
  static override description = 'This tool helps to manage acls on kafka.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --add --allow-principal User:alice --operation Read --topic orders',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --add --allow-principal User:alice --consumer --topic orders --group billing',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --list --topic orders',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --remove --force --allow-principal User:alice --operation Read --topic orders',
  ]

  static override flags = {
    'bootstrap-server': bootstrapServerFlag('A list of host/port pairs to use for establishing the connection to the Kafka cluster. This list should be in the form host1:port1,host2:port2,... This config is required for acl management using admin client API.'),
    'bootstrap-controller': bootstrapController,
    'command-config': commandConfig,
    add: Flags.boolean({summary: 'Indicates you are trying to add ACLs.'}),
    remove: Flags.boolean({summary: 'Indicates you are trying to remove ACLs.'}),
    list: Flags.boolean({summary: 'List ACLs for the specified resource, use --topic <topic> or --group <group> or --cluster to specify a resource.'}),
    topic: Flags.string({multiple: true, summary: "topic to which ACLs should be added or removed. A value of '*' indicates ACL should apply to all topics.", helpValue: '<String: topic>'}),
    cluster: Flags.boolean({summary: 'Add/Remove cluster ACLs.'}),
    group: Flags.string({multiple: true, summary: "Consumer Group to which the ACLs should be added or removed. A value of '*' indicates the ACLs should apply to all groups.", helpValue: '<String: group>'}),
    'transactional-id': Flags.string({multiple: true, summary: "The transactionalId to which ACLs should be added or removed. A value of '*' indicates the ACLs should apply to all transactionalIds.", helpValue: '<String: transactional-id>'}),
    idempotent: Flags.boolean({summary: 'Enable idempotence for the producer. This should be used in combination with the --producer option. Note that idempotence is enabled automatically if the producer is authorized to a particular transactional-id.'}),
    'delegation-token': Flags.string({multiple: true, summary: "Delegation token to which ACLs should be added or removed. A value of '*' indicates ACL should apply to all tokens.", helpValue: '<String: delegation-token>'}),
    'user-principal': Flags.string({multiple: true, summary: 'Specifies a user principal as a resource in relation with the operation. For instance one could grant CreateTokens or DescribeTokens permission on a given user principal.', helpValue: '<String: user-principal>'}),
    'resource-pattern-type': Flags.string({
      summary: "The type of the resource pattern or pattern filter. When adding acls, this should be a specific pattern type, e.g. 'literal' or 'prefixed'. When listing or removing acls, a specific pattern type can be used to list or remove acls from specific resource patterns, or use the filter values of 'any' or 'match', where 'any' will match any pattern type, but will match the resource name exactly, where as 'match' will perform pattern matching to list or remove all acls that affect the supplied resource(s). WARNING: 'match', when used in combination with the '--remove' switch, should be used with care. (default: LITERAL)",
      helpValue: '<ANY|MATCH|LITERAL|PREFIXED>',
    }),
    operation: Flags.string({multiple: true, summary: 'Operation that is being allowed or denied. Valid operation names are: All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens (default: All)', helpValue: '<String>'}),
    'allow-principal': Flags.string({multiple: true, summary: "principal is in principalType:name format. Note that principalType must be supported by the Authorizer being used. For example, User:'*' is the wild card indicating all users.", helpValue: '<String: allow-principal>'}),
    'deny-principal': Flags.string({multiple: true, summary: "principal is in principalType:name format. By default anyone not added through --allow-principal is denied access. You only need to use this option as negation to already allowed set. Note that principalType must be supported by the Authorizer being used. For example if you wanted to allow access to all users in the system but not test-user you can define an ACL that allows access to User:'*' and specify --deny-principal=User:test@EXAMPLE.COM. AND PLEASE REMEMBER DENY RULES TAKES PRECEDENCE OVER ALLOW RULES.", helpValue: '<String: deny-principal>'}),
    principal: Flags.string({multiple: true, summary: 'List ACLs for the specified principal. principal is in principalType:name format. Note that principalType must be supported by the Authorizer being used. Multiple --principal option can be passed.', helpValue: '<String: principal>'}),
    'allow-host': Flags.string({multiple: true, summary: "Host from which principals listed in --allow-principal will have access. If you have specified --allow-principal then the default for this option will be set to '*' which allows access from all hosts.", helpValue: '<String: allow-host>'}),
    'deny-host': Flags.string({multiple: true, summary: "Host from which principals listed in --deny-principal will be denied access. If you have specified --deny-principal then the default for this option will be set to '*' which denies access from all hosts.", helpValue: '<String: deny-host>'}),
    producer: Flags.boolean({summary: 'Convenience option to add/remove ACLs for producer role. This will generate ACLs that allows WRITE,DESCRIBE and CREATE on topic.'}),
    consumer: Flags.boolean({summary: 'Convenience option to add/remove ACLs for consumer role. This will generate ACLs that allows READ,DESCRIBE on topic and READ on group.'}),
    force: Flags.boolean({summary: 'Assume Yes to all queries and do not prompt.'}),
  }

  async run(): Promise<AclCommandResult> {
    const {flags, metadata} = await this.parse(Acls)
    const target = adminTarget(
      {bootstrapServer: flags['bootstrap-server'], bootstrapController: flags['bootstrap-controller'], serverFromDefault: metadata.flags['bootstrap-server']?.setFromDefault},
      {prog: PROG}, flags['command-config'])
    return runAclCommand(flags, target, this.jsonEnabled())
  }
}
