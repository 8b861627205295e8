// Authorization of the transaction APIs (Kafka `KafkaApis`): each handler called in-process with a
// StandardAuthorizer over a fixed ACL set and stub coordinators, as `User:alice` (ACLs below), as a
// principal without ACLs, and as the `super.users` broker principal.
import assert from 'node:assert/strict'
import {addOffsetsToTxn} from '../../../../src/server/apis/add-offsets-to-txn.js'
import {addPartitionsToTxn} from '../../../../src/server/apis/add-partitions-to-txn.js'
import {describeProducers} from '../../../../src/server/apis/describe-producers.js'
import {describeTransactions} from '../../../../src/server/apis/describe-transactions.js'
import {endTxn} from '../../../../src/server/apis/end-txn.js'
import {listTransactions} from '../../../../src/server/apis/list-transactions.js'
import {txnOffsetCommit} from '../../../../src/server/apis/txn-offset-commit.js'
import {writeTxnMarkers} from '../../../../src/server/apis/write-txn-markers.js'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {AclOperation as Op, AclPermissionType as Perm, PatternType as PT, ResourceType as RT, type StandardAcl} from '../../../../src/server/security/authorizer/acl-binding.js'
import {StandardAuthorizer} from '../../../../src/server/security/authorizer/authorizer.js'
import {userPrincipal, type KafkaPrincipal} from '../../../../src/server/security/kafka-principal.js'

const allow = (resourceType: number, resourceName: string, operation: number): StandardAcl =>
  ({resourceType, resourceName, patternType: PT.LITERAL, principal: 'User:alice', host: '*', operation, permissionType: Perm.ALLOW})
const ACLS: StandardAcl[] = [
  allow(RT.TRANSACTIONAL_ID, 'tx', Op.WRITE), allow(RT.TRANSACTIONAL_ID, 'tx', Op.DESCRIBE),
  allow(RT.TOPIC, 'orders', Op.WRITE), allow(RT.TOPIC, 'orders', Op.READ), allow(RT.TOPIC, 'orders', Op.DESCRIBE),
  allow(RT.GROUP, 'g', Op.READ), allow(RT.TOPIC, 'gone', Op.READ),
]
const ALICE = userPrincipal('alice')
const MALLORY = userPrincipal('mallory')
const BROKER = userPrincipal('broker')
const TOPICS = new Map([['orders', 2], ['secret', 1]])

function fixture() {
  const calls: string[] = []
  const authorizer = new StandardAuthorizer({image: {acls: new Map(ACLS.map((a, i) => [String(i), a]))}} as any,
    {superUsers: ['User:broker'], allowEveryoneIfNoAclFound: false})
  const describeOf = (id: string) => ({errorCode: 0, transactionalId: id, transactionState: 'Ongoing', transactionTimeoutMs: 60000,
    transactionStartTimeMs: 1, producerId: 7, producerEpoch: 0, topics: [{topic: 'orders', partitions: [0]}, {topic: 'secret', partitions: [0]}]})
  const services = {
    authorizer,
    config: {offsetsTopicNumPartitions: 50},
    view: () => ({topic: (name: string) => TOPICS.has(name) ? {partitions: Array.from({length: TOPICS.get(name)!}, (_, partition) => ({partition}))} : undefined}),
    txnCoordinator: {
      addPartitions: async (id: string) => { calls.push(`add:${id}`); return 0 },
      verifyPartitions: (id: string, _p: number, _e: number, tps: unknown[]) => { calls.push(`verify:${id}`); return tps.map(() => 0) },
      endTxn: async (id: string) => { calls.push(`end:${id}`); return 0 },
      describe: describeOf,
      list: () => ({errorCode: 0, unknownStateFilters: [], transactionStates: [
        {transactionalId: 'tx', producerId: 7, transactionState: 'Ongoing'}, {transactionalId: 'other', producerId: 8, transactionState: 'Ongoing'}]}),
    },
    groupCoordinator: {
      txnCommitOffsets: async (r: any) => {
        calls.push(`txnCommit:${r.topics.map((t: any) => t.name).join(',')}`)
        return {topics: r.topics.map((t: any) => ({name: t.name, partitions: t.partitions.map((p: any) => ({partitionIndex: p.partitionIndex, errorCode: 0}))}))}
      },
    },
    replicaManager: {getPartition: () => ({producerState: {allEntries: () => new Map()}})},
    writeTxnMarkers: async (_pid: number, _e: number, _c: number, _r: boolean, tps: {topic: string, partition: number}[]) => {
      calls.push('markers')
      return tps.map(tp => ({...tp, errorCode: 0}))
    },
  }
  const ctx = (principal: KafkaPrincipal, apiVersion: number): any => ({apiVersion, correlationId: 1, clientId: null, listenerName: 'PLAINTEXT', clientHost: '127.0.0.1',
    connectionId: 'c', principal, rawRequest: Buffer.alloc(0), services, apis: new Map()})
  return {calls, ctx}
}

const codesV3 = (r: any) => r.resultsByTopicV3AndBelow.flatMap((t: any) => t.resultsByPartition.map((p: any) => [t.name, p.partitionIndex, p.partitionErrorCode]))
const codesOf = (topics: any[]) => topics.flatMap((t: any) => t.partitions.map((p: any) => [t.name, p.partitionIndex, p.errorCode]))

describe('transaction APIs: authorization (StandardAuthorizer, in-process handlers)', () => {
  it('AddPartitionsToTxn v0-3: Write on the transactional id, then Write on each topic', async () => {
    const {calls, ctx} = fixture()
    const req = (transactionalId: string, topics: {name: string, partitions: number[]}[]) =>
      ({v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: 7, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: topics})
    assert.deepEqual(codesV3(await addPartitionsToTxn.handler(req('tx', [{name: 'orders', partitions: [0, 1]}]), ctx(ALICE, 3))),
      [['orders', 0, 0], ['orders', 1, 0]])
    assert.deepEqual(codesV3(await addPartitionsToTxn.handler(req('tx', [{name: 'orders', partitions: [0]}]), ctx(MALLORY, 3))),
      [['orders', 0, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]])
    assert.deepEqual(codesV3(await addPartitionsToTxn.handler(req('tx', [{name: 'orders', partitions: [0]}, {name: 'secret', partitions: [0]}, {name: 'orders', partitions: [5]}]), ctx(ALICE, 3))),
      [['orders', 0, ErrorCode.OPERATION_NOT_ATTEMPTED], ['secret', 0, ErrorCode.TOPIC_AUTHORIZATION_FAILED], ['orders', 5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
    assert.deepEqual(calls, ['add:tx'], 'nothing added when a check fails')
  })

  it('AddPartitionsToTxn v4 (broker batches, VerifyOnly): ClusterAction on the cluster', async () => {
    const {calls, ctx} = fixture()
    const req = {transactions: [{transactionalId: 'tx', producerId: 7, producerEpoch: 0, verifyOnly: true, topics: [{name: 'orders', partitions: [0]}]}]}
    const denied: any = await addPartitionsToTxn.handler(req, ctx(ALICE, 4))
    assert.equal(denied.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
    assert.deepEqual(denied.resultsByTransaction, [])
    const ok: any = await addPartitionsToTxn.handler(req, ctx(BROKER, 4))
    assert.equal(ok.errorCode, 0)
    assert.deepEqual(ok.resultsByTransaction[0].topicResults[0].resultsByPartition, [{partitionIndex: 0, partitionErrorCode: 0}])
    assert.deepEqual(calls, ['verify:tx'])
  })

  it('AddOffsetsToTxn: Write on the transactional id, Read on the group', async () => {
    const {calls, ctx} = fixture()
    const req = (transactionalId: string, groupId: string) => ({transactionalId, producerId: 7, producerEpoch: 0, groupId})
    assert.equal((await addOffsetsToTxn.handler(req('tx', 'g'), ctx(ALICE, 3)) as any).errorCode, 0)
    assert.equal((await addOffsetsToTxn.handler(req('other', 'g'), ctx(ALICE, 3)) as any).errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    assert.equal((await addOffsetsToTxn.handler(req('tx', 'other'), ctx(ALICE, 3)) as any).errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED)
    assert.deepEqual(calls, ['add:tx'])
  })

  it('EndTxn: Write on the transactional id', async () => {
    const {calls, ctx} = fixture()
    const req = {transactionalId: 'tx', producerId: 7, producerEpoch: 0, committed: true}
    assert.equal((await endTxn.handler(req, ctx(ALICE, 3)) as any).errorCode, 0)
    assert.equal((await endTxn.handler(req, ctx(MALLORY, 3)) as any).errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
    assert.deepEqual(calls, ['end:tx'])
  })

  it('TxnOffsetCommit: Write on the transactional id, Read on the group, Read on each topic', async () => {
    const {calls, ctx} = fixture()
    const part = (partitionIndex: number) => ({partitionIndex, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null})
    const req = (transactionalId: string, groupId: string, topics: string[]) => ({transactionalId, groupId, producerId: 7, producerEpoch: 0,
      generationId: -1, memberId: '', groupInstanceId: null, topics: topics.map(name => ({name, partitions: [part(0)]}))})
    assert.deepEqual(codesOf((await txnOffsetCommit.handler(req('tx', 'g', ['orders']), ctx(ALICE, 3)) as any).topics), [['orders', 0, 0]])
    assert.deepEqual(codesOf((await txnOffsetCommit.handler(req('other', 'g', ['orders']), ctx(ALICE, 3)) as any).topics),
      [['orders', 0, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]])
    assert.deepEqual(codesOf((await txnOffsetCommit.handler(req('tx', 'other', ['orders']), ctx(ALICE, 3)) as any).topics),
      [['orders', 0, ErrorCode.GROUP_AUTHORIZATION_FAILED]])
    assert.deepEqual(codesOf((await txnOffsetCommit.handler(req('tx', 'g', ['secret', 'orders', 'gone']), ctx(ALICE, 3)) as any).topics),
      [['secret', 0, ErrorCode.TOPIC_AUTHORIZATION_FAILED], ['gone', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION], ['orders', 0, 0]])
    assert.deepEqual(calls, ['txnCommit:orders', 'txnCommit:orders'], 'only the allowed, existing topics reach the coordinator')
  })

  it('WriteTxnMarkers: ClusterAction on the cluster', async () => {
    const {calls, ctx} = fixture()
    const req = {markers: [{producerId: 7, producerEpoch: 0, transactionResult: true, topics: [{name: 'orders', partitionIndexes: [0, 1]}], coordinatorEpoch: 0}]}
    const denied: any = await writeTxnMarkers.handler(req, ctx(ALICE, 1))
    assert.deepEqual(codesOf(denied.markers[0].topics), [['orders', 0, ErrorCode.CLUSTER_AUTHORIZATION_FAILED], ['orders', 1, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]])
    const ok: any = await writeTxnMarkers.handler(req, ctx(BROKER, 1))
    assert.deepEqual(codesOf(ok.markers[0].topics), [['orders', 0, 0], ['orders', 1, 0]])
    assert.deepEqual(calls, ['markers'])
  })

  it('DescribeTransactions: Describe on each id, topics without Describe left out; ListTransactions lists only describable ids', async () => {
    const {ctx} = fixture()
    const d: any = await describeTransactions.handler({transactionalIds: ['tx', 'other']}, ctx(ALICE, 0))
    assert.deepEqual(d.transactionStates.map((s: any) => [s.transactionalId, s.errorCode]), [['tx', 0], ['other', ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]])
    assert.deepEqual(d.transactionStates[0].topics, [{topic: 'orders', partitions: [0]}])
    const all: any = await describeTransactions.handler({transactionalIds: ['tx']}, ctx(BROKER, 0))
    assert.equal(all.transactionStates[0].topics.length, 2)

    const l: any = await listTransactions.handler({stateFilters: [], producerIdFilters: [], durationFilter: -1}, ctx(ALICE, 1))
    assert.deepEqual(l.transactionStates.map((s: any) => s.transactionalId), ['tx'])
    assert.deepEqual((await listTransactions.handler({stateFilters: [], producerIdFilters: [], durationFilter: -1}, ctx(MALLORY, 1)) as any).transactionStates, [])
  })

  it('DescribeProducers: Read on the topic, TOPIC_AUTHORIZATION_FAILED per partition', async () => {
    const {ctx} = fixture()
    const r: any = await describeProducers.handler({topics: [{name: 'orders', partitionIndexes: [0]}, {name: 'secret', partitionIndexes: [0]}]}, ctx(ALICE, 0))
    assert.deepEqual(codesOf(r.topics), [['orders', 0, 0], ['secret', 0, ErrorCode.TOPIC_AUTHORIZATION_FAILED]])
    assert.equal(r.topics[1].partitions[0].errorMessage, 'Topic authorization failed.')
  })
})
