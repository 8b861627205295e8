import assert from 'node:assert/strict'
import {metadata} from '../../../../src/server/apis/metadata.js'
import {describeCluster} from '../../../../src/server/apis/describe-cluster.js'
import {produce} from '../../../../src/server/apis/produce.js'
import type {RequestContext} from '../../../../src/server/apis/registry.js'
import {buildServerConfig} from '../../../../src/server/config/server-config.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {ZERO_UUID} from '../../../../src/protocol/primitives/uuid.js'
import {metadataViewOf} from '../../../../src/server/metadata/image-metadata-view.js'
import {MetadataCache} from '../../../../src/server/metadata/metadata-cache.js'
import {MetadataDelta} from '../../../../src/server/metadata/metadata-delta.js'
import {MetadataRecordType as T} from '../../../../src/server/metadata/metadata-record.js'
import {AclOperation as Op, AclPermissionType as Perm, PatternType as PT, ResourceType as RT} from '../../../../src/server/security/authorizer/acl-binding.js'
import {createAuthorizer} from '../../../../src/server/security/authorizer/authorizer.js'
import {userPrincipal} from '../../../../src/server/security/kafka-principal.js'
import type {BrokerServices} from '../../../../src/server/services.js'

const TOPID = (i: number): string => `AAAAAAAAAAAAAAAAAAAAA${'ABCDEFGH'[i]}`

/** A broker's view with topics `orders`, `payments`, and alice's ACLs; only what the handlers read. */
function fixture() {
  const cache = new MetadataCache('c')
  const d = new MetadataDelta(cache.image)
  d.replay({type: T.REGISTER_BROKER, version: 3, data: {brokerId: 1, brokerEpoch: 1, incarnationId: ZERO_UUID, endPoints: [{name: 'PLAINTEXT', host: 'h', port: 9092, securityProtocol: 0}], rack: null, fenced: false}}, 0)
  ;['orders', 'payments'].forEach((name, i) => {
    d.replay({type: T.TOPIC, version: 0, data: {name, topicId: TOPID(i)}}, 1)
    d.replay({type: T.PARTITION, version: 0, data: {partitionId: 0, topicId: TOPID(i), replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0}}, 1)
  })
  const acl = (id: string, over: object) => d.replay({type: T.ACCESS_CONTROL_ENTRY, version: 0, data: {id, resourceType: RT.TOPIC, resourceName: 'orders',
    patternType: PT.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.ALLOW, ...over}}, 2)
  acl('a', {})
  acl('b', {resourceType: RT.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE})
  cache.publish(d)
  const config = buildServerConfig({'process.roles': 'broker,controller', 'node.id': '1', 'controller.quorum.voters': '1@localhost:9093',
    listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER', 'log.dirs': '/tmp/unused',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'})
  const created: string[] = []
  const services = {
    nodeId: 1, clusterId: 'c', config, metadata: cache, view: () => metadataViewOf(cache.image), authorizer: createAuthorizer(config, cache),
    autoCreateTopics: async (ts: {name: string}[]) => { created.push(...ts.map(t => t.name)); return ts.map(t => ({name: t.name, errorCode: 0})) },
    replicaManager: {appendRecords: () => assert.fail('a denied produce must not append'), awaitWritten: () => null},
  } as unknown as BrokerServices
  const ctx = (apiVersion: number, name = 'alice'): RequestContext => ({apiVersion, correlationId: 1, clientId: 't', listenerName: 'PLAINTEXT',
    clientHost: '127.0.0.1', connectionId: 'c', principal: userPrincipal(name), rawRequest: Buffer.alloc(0), services, apis: new Map()})
  return {ctx, created}
}

describe('per-API authorization (in-process handlers)', () => {
  it('Metadata hides topics without Describe, refuses them by name, needs Create to auto-create, fills authorized operations', async () => {
    const {ctx, created} = fixture()
    const all: any = await metadata.handler({topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true}, ctx(10))
    assert.deepEqual(all.topics.map((t: any) => t.name), ['orders'])
    assert.equal(all.topics[0].topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE))
    assert.equal(all.clusterAuthorizedOperations, 1 << Op.DESCRIBE)
    const named: any = await metadata.handler({topics: [{name: 'payments', topicId: ZERO_UUID}, {name: 'new-one', topicId: ZERO_UUID}, {name: null, topicId: TOPID(1)}],
      allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false}, ctx(12))
    assert.deepEqual(named.topics.map((t: any) => [t.name, t.errorCode]), [
      ['payments', ErrorCode.TOPIC_AUTHORIZATION_FAILED], ['new-one', ErrorCode.TOPIC_AUTHORIZATION_FAILED], [null, ErrorCode.TOPIC_AUTHORIZATION_FAILED]])
    assert.deepEqual(created, [])
    const bob: any = await metadata.handler({topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: true}, ctx(10, 'bob'))
    assert.deepEqual(bob.topics, [])
    assert.equal(bob.clusterAuthorizedOperations, 0)
  })

  it('DescribeCluster: cluster bits only with Describe; Produce: TOPIC_AUTHORIZATION_FAILED without Write, nothing appended', async () => {
    const {ctx} = fixture()
    const dc: any = await describeCluster.handler({includeClusterAuthorizedOperations: true, endpointType: 1}, ctx(1))
    assert.equal(dc.clusterAuthorizedOperations, 1 << Op.DESCRIBE)
    assert.equal((await describeCluster.handler({includeClusterAuthorizedOperations: true, endpointType: 1}, ctx(1, 'bob')) as any).clusterAuthorizedOperations, 0)
    const p: any = await produce.handler({transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{name: 'orders', partitionData: [{index: 0, records: Buffer.alloc(0)}]}]}, ctx(9))
    assert.equal(p.responses[0].partitionResponses[0].errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    const t: any = await produce.handler({transactionalId: 'tx', acks: 1, timeoutMs: 1000, topicData: [{name: 'orders', partitionData: [{index: 0, records: Buffer.alloc(0)}]}]}, ctx(9))
    assert.equal(t.responses[0].partitionResponses[0].errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  })
})
