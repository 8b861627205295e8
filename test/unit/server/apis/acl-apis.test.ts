import assert from 'node:assert/strict'
import {createAcls} from '../../../../src/server/apis/create-acls.js'
import {deleteAcls} from '../../../../src/server/apis/delete-acls.js'
import {describeAcls} from '../../../../src/server/apis/describe-acls.js'
import {envelope} from '../../../../src/server/apis/envelope.js'
import {controllerApis} from '../../../../src/server/apis/index.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {AclOperation as Op, AclPermissionType as Perm, PatternType as PT, ResourceType as RT} from '../../../../src/server/security/authorizer/acl-binding.js'
import {userPrincipal, type KafkaPrincipal} from '../../../../src/server/security/kafka-principal.js'
import {serializePrincipal} from '../../../../src/server/security/principal-serde.js'
import {startAdminFixture} from './admin-apis-helper.js'

const STANDARD = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'
const creation = (over: Record<string, unknown> = {}) => ({
  resourceType: RT.TOPIC, resourceName: 'orders', resourcePatternType: PT.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.ALLOW, ...over,
})
const anyFilter = {resourceTypeFilter: RT.ANY, resourceNameFilter: null, patternTypeFilter: PT.ANY, principalFilter: null, hostFilter: null, operation: Op.ANY, permissionType: Perm.ANY}

describe('CreateAcls / DescribeAcls / DeleteAcls and request authorization (in-process controller)', () => {
  it('without an authorizer the ACL APIs answer SECURITY_DISABLED', async () => {
    const fx = await startAdminFixture()
    try {
      const c: any = await createAcls.handler({creations: [creation()]}, fx.ctx(3))
      assert.deepEqual(c.results, [{errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.'}])
      const d: any = await describeAcls.handler(anyFilter, fx.ctx(3))
      assert.equal(d.errorCode, ErrorCode.SECURITY_DISABLED)
      const x: any = await deleteAcls.handler({filters: [anyFilter]}, fx.ctx(3))
      assert.equal(x.filterResults[0].errorCode, ErrorCode.SECURITY_DISABLED)
    } finally {
      await fx.close()
    }
  })

  it('creates (skipping duplicates, refusing bad ACLs), describes with filters and deletes; only Alter/Describe on the cluster may', async () => {
    const fx = await startAdminFixture({'authorizer.class.name': STANDARD, 'super.users': 'User:admin'})
    const as = (principal: KafkaPrincipal, v = 3) => ({...fx.ctx(v), principal})
    const admin = userPrincipal('admin')
    try {
      const denied: any = await createAcls.handler({creations: [creation()]}, fx.ctx(3))
      assert.equal(denied.results[0].errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      assert.equal((await describeAcls.handler(anyFilter, fx.ctx(3)) as any).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)

      const c: any = await createAcls.handler({creations: [
        creation(), creation(), creation({resourceName: 'ord', resourcePatternType: PT.PREFIXED, operation: Op.WRITE}),
        creation({resourcePatternType: PT.MATCH}), creation({principal: 'alice'}),
      ]}, as(admin))
      assert.deepEqual(c.results.map((r: any) => r.errorCode), [0, 0, 0, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST])
      assert.equal(c.results[3].errorMessage, 'Invalid patternType 2')
      assert.match(c.results[4].errorMessage, /^Could not parse principal from `alice`/)
      assert.equal(fx.server.metadata.image.acls.size, 2)
      const again: any = await createAcls.handler({creations: [creation()]}, as(admin))
      assert.equal(again.results[0].errorCode, 0)
      assert.equal(fx.server.metadata.image.acls.size, 2, 'an existing ACL is not stored twice')

      const match: any = await describeAcls.handler({...anyFilter, resourceTypeFilter: RT.TOPIC, resourceNameFilter: 'orders', patternTypeFilter: PT.MATCH}, as(admin))
      assert.deepEqual(match.resources.map((r: any) => [r.resourceName, r.patternType, r.acls.length]), [['orders', PT.LITERAL, 1], ['ord', PT.PREFIXED, 1]])
      const literal: any = await describeAcls.handler({...anyFilter, resourceTypeFilter: RT.TOPIC, resourceNameFilter: 'orders', patternTypeFilter: PT.LITERAL}, as(admin))
      assert.equal(literal.resources.length, 1)
      assert.equal((await describeAcls.handler({...anyFilter, patternTypeFilter: 0}, as(admin)) as any).errorCode, ErrorCode.INVALID_REQUEST)

      // alice may now Read 'orders' but not Alter the cluster: ElectLeaders is refused before the handler.
      const elect = controllerApis().get(43)!
      const e: any = await elect.handler({electionType: 0, topicPartitions: null, timeoutMs: 1000}, as(userPrincipal('alice'), 2))
      assert.equal(e.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)

      const del: any = await deleteAcls.handler({filters: [{...anyFilter, resourceTypeFilter: RT.TOPIC, patternTypeFilter: PT.PREFIXED}, anyFilter]}, as(admin))
      assert.deepEqual(del.filterResults.map((r: any) => r.matchingAcls.length), [1, 2])
      assert.equal(fx.server.metadata.image.acls.size, 0)
    } finally {
      await fx.close()
    }
  })

  it('Envelope: the sender needs ClusterAction; the embedded request runs as Envelope.requestPrincipal', async () => {
    const fx = await startAdminFixture({'authorizer.class.name': STANDARD, 'super.users': 'User:broker'})
    const seen: KafkaPrincipal[] = []
    fx.services.handleForwarded = async (_req, _host, principal) => {
      seen.push(principal)
      return {errorCode: 0, response: Buffer.alloc(0)}
    }
    try {
      const req = {requestData: Buffer.from([0]), requestPrincipal: serializePrincipal(userPrincipal('alice')), clientHostAddress: Buffer.from([10, 0, 0, 7])}
      const refused: any = await envelope.handler(req, fx.ctx(0))
      assert.equal(refused.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
      const ok: any = await envelope.handler(req, {...fx.ctx(0), principal: userPrincipal('broker')})
      assert.equal(ok.errorCode, 0)
      assert.deepEqual(seen, [{principalType: 'User', name: 'alice'}])
      const bad: any = await envelope.handler({...req, requestPrincipal: Buffer.from([0, 9])}, {...fx.ctx(0), principal: userPrincipal('broker')})
      assert.equal(bad.errorCode, ErrorCode.PRINCIPAL_DESERIALIZATION_FAILURE)
    } finally {
      await fx.close()
    }
  })
})
