import assert from 'node:assert/strict'
import {addPlan, aclPlan, checkAclArgs, resourceFilters, type RawAclFlags} from '../../../src/cli/acls/acl-options.js'
import {parseOperation, patternText, entryText} from '../../../src/cli/acls/acl-model.js'
import {removeQuestion, renderAdding, renderCurrent} from '../../../src/cli/acls/render-acls.js'
import {AclOperation as Op, AclPermissionType as Perm, PatternType as PT, ResourceType as RT} from '../../../src/server/security/authorizer/acl-binding.js'

const usage = (raw: RawAclFlags, fn: (r: RawAclFlags) => unknown = checkAclArgs): string => {
  try {
    fn(raw)
  } catch (err) {
    assert.equal((err as Error).name, 'UsageError')
    return (err as Error).message
  }
  return assert.fail('no usage error')
}

describe('kts acls options (Kafka 4.0 AclCommand checks and plans)', () => {
  it('checks the action and option combinations with Kafka\'s messages', () => {
    assert.equal(usage({}), 'Command must include exactly one action: --list, --add, --remove. ')
    assert.equal(usage({add: true, list: true}), 'Command must include exactly one action: --list, --add, --remove. ')
    assert.equal(usage({list: true, producer: true}), 'Option "[list]" can\'t be used with option "[producer]"')
    assert.equal(usage({add: true, producer: true, operation: ['Read'], topic: ['t']}), 'Option "[producer]" can\'t be used with option "[operation]"')
    assert.equal(usage({add: true, principal: ['User:a']}), 'The --principal option is only available if --list is set')
    assert.equal(usage({add: true, producer: true}), 'With --producer you must specify a --topic')
    assert.equal(usage({add: true, idempotent: true, topic: ['t']}), 'The --idempotent option is only available if --producer is set')
    assert.equal(usage({add: true, consumer: true, topic: ['t']}), 'With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.')
    assert.equal(usage({add: true, topic: ['t'], 'resource-pattern-type': 'match', 'allow-principal': ['User:a']}, addPlan), "A '--resource-pattern-type' value of 'MATCH' is not valid when adding acls.")
    assert.equal(usage({add: true, 'allow-principal': ['User:a']}, addPlan), 'You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>')
    assert.equal(usage({add: true, topic: ['t'], 'allow-principal': ['alice']}, addPlan), 'expected a string in format principalType:principalName but got alice')
    assert.equal(usage({add: true, topic: ['t'], 'allow-principal': ['User:a'], operation: ['Fly']}, addPlan), 'Unknown operation: Fly')
    assert.equal(usage({add: true, cluster: true, 'allow-principal': ['User:a'], operation: ['Read']}, addPlan),
      'ResourceType CLUSTER only supports operations [CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE, ALL]')
  })

  it('--producer / --consumer / --idempotent expand to Kafka\'s ACLs; hosts default to * for given principals', () => {
    const plan = addPlan({add: true, producer: true, consumer: true, idempotent: true, topic: ['t'], group: ['g'], 'transactional-id': ['tx'], 'allow-principal': ['User:a']})
    const view = plan.map(i => [i.filter.resourceType, i.filter.name, i.entries.map(e => e.operation)])
    assert.deepEqual(view, [
      [RT.TOPIC, 't', [Op.WRITE, Op.DESCRIBE, Op.CREATE, Op.READ]],
      [RT.TRANSACTIONAL_ID, 'tx', [Op.WRITE, Op.DESCRIBE]],
      [RT.CLUSTER, 'kafka-cluster', [Op.IDEMPOTENT_WRITE]],
      [RT.GROUP, 'g', [Op.READ]],
    ])
    const cli = addPlan({add: true, topic: ['t'], 'allow-principal': ['User:a'], 'deny-principal': ['User:b'], 'deny-host': ['10.0.0.1'], operation: ['Read', 'describe_configs']})
    assert.deepEqual(cli[0].entries, [
      {principal: 'User:a', host: '*', operation: Op.READ, permissionType: Perm.ALLOW},
      {principal: 'User:a', host: '*', operation: Op.DESCRIBE_CONFIGS, permissionType: Perm.ALLOW},
      {principal: 'User:b', host: '10.0.0.1', operation: Op.READ, permissionType: Perm.DENY},
      {principal: 'User:b', host: '10.0.0.1', operation: Op.DESCRIBE_CONFIGS, permissionType: Perm.DENY},
    ])
    assert.deepEqual(aclPlan({remove: true, topic: ['t'], 'resource-pattern-type': 'any'}), [{filter: {resourceType: RT.TOPIC, name: 't', patternType: PT.ANY}, entries: []}])
    assert.deepEqual(resourceFilters({list: true, cluster: true, 'resource-pattern-type': 'prefixed'}, false), [], 'the cluster is LITERAL only')
    assert.equal(parseOperation('IdempotentWrite'), Op.IDEMPOTENT_WRITE)
  })

  it('renders Kafka\'s text', () => {
    const p = {resourceType: RT.TOPIC, name: 'orders', patternType: PT.LITERAL}
    const e = [{principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.ALLOW}, {principal: 'User:bob', host: 'h', operation: Op.ALL, permissionType: Perm.DENY}]
    assert.equal(patternText({resourceType: RT.GROUP, name: null, patternType: PT.MATCH}), 'ResourcePattern(resourceType=GROUP, name=<any>, patternType=MATCH)')
    assert.equal(entryText(e[1]), '(principal=User:bob, host=h, operation=ALL, permissionType=DENY)')
    assert.equal(renderAdding(p, e), 'Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`: \n \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n\t(principal=User:bob, host=h, operation=ALL, permissionType=DENY)\n\n')
    assert.equal(renderCurrent(p, e.slice(0, 1)), 'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:\n\t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n\n')
    assert.equal(removeQuestion(p, e.slice(0, 1)), 'Are you sure you want to remove ACLs: \n \t(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)\n from resource filter `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`? (y/n)')
  })
})
