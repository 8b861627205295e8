import assert from 'node:assert/strict'
import {AclOperation as Op, AclPermissionType as Perm, PatternType as PT, ResourceType as RT, type StandardAcl} from '../../../../src/server/security/authorizer/acl-binding.js'
import {aclMatchesFilter, type AclFilter} from '../../../../src/server/security/authorizer/acl-filter.js'
import {AclIndex} from '../../../../src/server/security/authorizer/acl-index.js'
import {StandardAuthorizer} from '../../../../src/server/security/authorizer/authorizer.js'
import {LOCAL_NODE_PRINCIPAL} from '../../../../src/server/security/authorizer/local-node-principal.js'
import {userPrincipal} from '../../../../src/server/security/kafka-principal.js'
import {deserializePrincipal, serializePrincipal} from '../../../../src/server/security/principal-serde.js'
import {MetadataCache} from '../../../../src/server/metadata/metadata-cache.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {MetadataRecordType as T} from '../../../../src/server/metadata/metadata-record.js'
import {imageToRecords} from '../../../../src/server/metadata/image-records.js'

const acl = (over: Partial<StandardAcl>): StandardAcl => ({
  resourceType: RT.TOPIC, resourceName: 'orders', patternType: PT.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.ALLOW, ...over,
})

function authorizerWith(acls: StandardAcl[], settings = {superUsers: ['User:admin'], allowEveryoneIfNoAclFound: false}): StandardAuthorizer {
  const cache = new MetadataCache('c')
  const delta = new MetadataDelta(cache.image)
  acls.forEach((a, i) => delta.replay({type: T.ACCESS_CONTROL_ENTRY, version: 0, data: {id: `id-${i}`, ...a}}, i))
  cache.publish(delta)
  return new StandardAuthorizer(cache, settings)
}

const who = (name: string, host = '10.0.0.1') => ({principal: userPrincipal(name), clientHost: host})

describe('StandardAuthorizer ACL matching (StandardAuthorizerData semantics)', () => {
  const cases: {name: string, acls: StandardAcl[], user: string, host?: string, op: number, type?: number, resource: string, allowed: boolean, allowEveryone?: boolean}[] = [
    {name: 'literal allow', acls: [acl({})], user: 'alice', op: Op.READ, resource: 'orders', allowed: true},
    {name: 'literal: other name', acls: [acl({})], user: 'alice', op: Op.READ, resource: 'orders2', allowed: false},
    {name: 'literal: other principal', acls: [acl({})], user: 'bob', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'literal: other operation', acls: [acl({})], user: 'alice', op: Op.WRITE, resource: 'orders', allowed: false},
    {name: 'wildcard resource', acls: [acl({resourceName: '*'})], user: 'alice', op: Op.READ, resource: 'anything', allowed: true},
    {name: 'wildcard principal User:*', acls: [acl({principal: 'User:*'})], user: 'bob', op: Op.READ, resource: 'orders', allowed: true},
    {name: 'prefixed matches', acls: [acl({resourceName: 'ord', patternType: PT.PREFIXED})], user: 'alice', op: Op.READ, resource: 'orders', allowed: true},
    {name: 'prefixed equal name', acls: [acl({resourceName: 'orders', patternType: PT.PREFIXED})], user: 'alice', op: Op.READ, resource: 'orders', allowed: true},
    {name: 'prefixed does not match', acls: [acl({resourceName: 'pay', patternType: PT.PREFIXED})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'prefixed `*` is not a wildcard', acls: [acl({resourceName: '*', patternType: PT.PREFIXED})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'DENY beats ALLOW', acls: [acl({}), acl({permissionType: Perm.DENY})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'prefixed DENY beats literal ALLOW', acls: [acl({}), acl({resourceName: 'o', patternType: PT.PREFIXED, permissionType: Perm.DENY})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'wildcard-principal DENY beats ALLOW', acls: [acl({}), acl({principal: 'User:*', permissionType: Perm.DENY})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'DENY ALL denies Describe', acls: [acl({operation: Op.DESCRIBE}), acl({operation: Op.ALL, permissionType: Perm.DENY})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: false},
    {name: 'DENY READ does not deny Describe', acls: [acl({operation: Op.DESCRIBE}), acl({permissionType: Perm.DENY})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: true},
    {name: 'host exact', acls: [acl({host: '10.0.0.1'})], user: 'alice', op: Op.READ, resource: 'orders', allowed: true},
    {name: 'host other', acls: [acl({host: '10.0.0.2'})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'deny from one host only', acls: [acl({}), acl({host: '10.0.0.9', permissionType: Perm.DENY})], user: 'alice', op: Op.READ, resource: 'orders', allowed: true},
    {name: 'ALL allows Write', acls: [acl({operation: Op.ALL})], user: 'alice', op: Op.WRITE, resource: 'orders', allowed: true},
    {name: 'Read implies Describe', acls: [acl({})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: true},
    {name: 'Write implies Describe', acls: [acl({operation: Op.WRITE})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: true},
    {name: 'Delete implies Describe', acls: [acl({operation: Op.DELETE})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: true},
    {name: 'Alter implies Describe', acls: [acl({operation: Op.ALTER})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: true},
    {name: 'Create does not imply Describe', acls: [acl({operation: Op.CREATE})], user: 'alice', op: Op.DESCRIBE, resource: 'orders', allowed: false},
    {name: 'AlterConfigs implies DescribeConfigs', acls: [acl({operation: Op.ALTER_CONFIGS})], user: 'alice', op: Op.DESCRIBE_CONFIGS, resource: 'orders', allowed: true},
    {name: 'Describe does not imply Read', acls: [acl({operation: Op.DESCRIBE})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'other resource type', acls: [acl({resourceType: RT.GROUP})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'no ACLs: denied by default', acls: [], user: 'alice', op: Op.READ, resource: 'orders', allowed: false},
    {name: 'no ACLs + allow.everyone.if.no.acl.found', acls: [], user: 'alice', op: Op.READ, resource: 'orders', allowed: true, allowEveryone: true},
    {name: 'ACLs for others + allow.everyone: denied', acls: [acl({principal: 'User:bob'})], user: 'alice', op: Op.READ, resource: 'orders', allowed: false, allowEveryone: true},
    {name: 'super user without ACLs', acls: [acl({permissionType: Perm.DENY, principal: 'User:admin'})], user: 'admin', op: Op.READ, resource: 'orders', allowed: true},
  ]
  for (const c of cases) {
    it(c.name, () => {
      const a = authorizerWith(c.acls, {superUsers: ['User:admin'], allowEveryoneIfNoAclFound: c.allowEveryone ?? false})
      assert.equal(a.authorize(who(c.user, c.host), c.op, c.type ?? RT.TOPIC, c.resource), c.allowed)
    })
  }

  it('the in-process node principal is a super user by identity, not by name', () => {
    const a = authorizerWith([])
    assert.equal(a.authorize({principal: LOCAL_NODE_PRINCIPAL, clientHost: '127.0.0.1'}, Op.ALTER, RT.CLUSTER, 'kafka-cluster'), true)
    assert.equal(a.authorize(who(LOCAL_NODE_PRINCIPAL.name), Op.ALTER, RT.CLUSTER, 'kafka-cluster'), false)
  })

  it('authorizedOperations bits and authorizeByResourceType', () => {
    const a = authorizerWith([acl({}), acl({operation: Op.WRITE, resourceName: 'x', patternType: PT.PREFIXED})])
    assert.equal(a.authorizedOperations(who('alice'), RT.TOPIC, 'orders'), (1 << Op.READ) | (1 << Op.DESCRIBE))
    assert.equal(a.authorizeByResourceType(who('alice'), Op.WRITE, RT.TOPIC), true)
    assert.equal(a.authorizeByResourceType(who('bob'), Op.WRITE, RT.TOPIC), false)
    const denied = authorizerWith([acl({operation: Op.WRITE}), acl({operation: Op.WRITE, permissionType: Perm.DENY})])
    assert.equal(denied.authorizeByResourceType(who('alice'), Op.WRITE, RT.TOPIC), false)
  })

  it('the index rebuilds when the image ACLs change; snapshots carry ACLs; RemoveAccessControlEntryRecord drops one', () => {
    const cache = new MetadataCache('c')
    const a = new StandardAuthorizer(cache, {superUsers: [], allowEveryoneIfNoAclFound: false})
    assert.equal(a.authorize(who('alice'), Op.READ, RT.TOPIC, 'orders'), false)
    let d = new MetadataDelta(cache.image)
    d.replay({type: T.ACCESS_CONTROL_ENTRY, version: 0, data: {id: 'A', ...acl({})}}, 1)
    cache.publish(d)
    assert.equal(a.authorize(who('alice'), Op.READ, RT.TOPIC, 'orders'), true)
    const snapshot = imageToRecords(cache.image).filter(r => r.type === T.ACCESS_CONTROL_ENTRY)
    assert.deepEqual(snapshot.map(r => r.data), [{id: 'A', ...acl({})}])
    d = new MetadataDelta(cache.image)
    d.replay({type: T.REMOVE_ACCESS_CONTROL_ENTRY, version: 0, data: {id: 'A'}}, 2)
    cache.publish(d)
    assert.equal(a.authorize(who('alice'), Op.READ, RT.TOPIC, 'orders'), false)
  })
})

describe('ACL filters (AclBindingFilter semantics)', () => {
  const any: AclFilter = {resourceType: RT.ANY, resourceName: null, patternType: PT.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY}
  const lit = acl({})
  const wild = acl({resourceName: '*'})
  const pre = acl({resourceName: 'ord', patternType: PT.PREFIXED})
  const other = acl({resourceName: 'pay', patternType: PT.PREFIXED})
  const pick = (f: Partial<AclFilter>) => [lit, wild, pre, other].filter(a => aclMatchesFilter({...any, ...f}, a))
  it('null fields and ANY match everything; LITERAL/PREFIXED/ANY compare names exactly; MATCH finds what applies', () => {
    assert.deepEqual(pick({}), [lit, wild, pre, other])
    assert.deepEqual(pick({resourceName: 'orders', patternType: PT.LITERAL}), [lit])
    assert.deepEqual(pick({resourceName: 'ord', patternType: PT.PREFIXED}), [pre])
    assert.deepEqual(pick({resourceName: 'orders', patternType: PT.ANY}), [lit])
    assert.deepEqual(pick({resourceName: 'orders', patternType: PT.MATCH}), [lit, wild, pre])
    assert.deepEqual(pick({principal: 'User:bob'}), [])
    assert.deepEqual(pick({operation: Op.WRITE}), [])
    assert.deepEqual(pick({resourceType: RT.GROUP}), [])
  })
})

describe('Envelope requestPrincipal (DefaultKafkaPrincipalBuilder format)', () => {
  it('round-trips, with the int16 version prefix', () => {
    const b = serializePrincipal(userPrincipal('alice'))
    assert.equal(b.readInt16BE(0), 0)
    assert.deepEqual(deserializePrincipal(b), {principalType: 'User', name: 'alice'})
    assert.throws(() => deserializePrincipal(Buffer.from([0, 1, 2])))
  })
  it('AclIndex.governing lists literal, wildcard and prefixed ACLs', () => {
    const idx = new AclIndex([acl({}), acl({resourceName: '*'}), acl({resourceName: 'o', patternType: PT.PREFIXED})])
    assert.equal([...idx.governing(RT.TOPIC, 'orders')].length, 3)
  })
})
