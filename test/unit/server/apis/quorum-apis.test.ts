import assert from 'node:assert/strict'
import {ErrorCode} from '../../../../src/protocol/errors.js'
import {ZERO_UUID} from '../../../../src/protocol/primitives/uuid.js'
import {apiVersions} from '../../../../src/server/apis/api-versions.js'
import {describeCluster} from '../../../../src/server/apis/describe-cluster.js'
import {describeQuorum} from '../../../../src/server/apis/describe-quorum.js'
import {unregisterBroker} from '../../../../src/server/apis/unregister-broker.js'
import type {RequestContext} from '../../../../src/server/apis/registry.js'
import type {ControllerServices} from '../../../../src/server/services.js'
import {startAdminFixture} from './admin-apis-helper.js'

describe('Quorum tool APIs (DescribeQuorum, DescribeCluster, ApiVersions features, UnregisterBroker)', () => {
  let fx: Awaited<ReturnType<typeof startAdminFixture>>
  before(async () => { fx = await startAdminFixture() })
  after(async () => { await fx.close() })

  const onController = (v: number): RequestContext<ControllerServices> => ({...fx.ctx(v), listenerName: 'CONTROLLER'})

  it('DescribeQuorum v2: the leader reports its log end offset, now as its timestamps, the zero directory id', () => {
    const before = Date.now()
    const r: any = describeQuorum.handler({topics: [{topicName: '__cluster_metadata', partitions: [{partitionIndex: 0}]}]}, fx.ctx(2))
    const [voter] = r.topics[0].partitions[0].currentVoters
    assert.equal(voter.replicaDirectoryId, ZERO_UUID)
    assert.ok(voter.lastFetchTimestamp >= before && voter.lastFetchTimestamp <= Date.now())
    assert.equal(voter.lastCaughtUpTimestamp, voter.lastFetchTimestamp)
    assert.ok(r.topics[0].partitions[0].highWatermark > 0)
  })

  it('DescribeQuorum: another topic is UNKNOWN_TOPIC_OR_PARTITION with Kafka\'s message', () => {
    const r: any = describeQuorum.handler({topics: [{topicName: 'foo', partitions: [{partitionIndex: 0}]}]}, fx.ctx(2))
    const p = r.topics[0].partitions[0]
    assert.equal(p.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    assert.equal(p.errorMessage, 'This server does not host this topic-partition.')
  })

  it('DescribeCluster on the controller listener (KIP-919): voters with their controller endpoints and the Raft leader', () => {
    const r: any = describeCluster.handler({includeClusterAuthorizedOperations: false, endpointType: 2}, onController(1))
    assert.equal(r.errorCode, 0)
    assert.equal(r.endpointType, 2)
    assert.equal(r.clusterId, 'test-cluster')
    assert.equal(r.controllerId, 1)
    assert.deepEqual(r.brokers, [{brokerId: 1, host: 'localhost', port: 9093, rack: null}])
  })

  it('DescribeCluster: endpoint types of the other listener kind, unknown types and v0 on a controller are refused as Kafka does', () => {
    const brokerOnController: any = describeCluster.handler({includeClusterAuthorizedOperations: false, endpointType: 1}, onController(1))
    assert.equal(brokerOnController.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE)
    assert.equal(brokerOnController.errorMessage, 'The request was sent to an endpoint of type CONTROLLER, but we wanted an endpoint of type BROKER')
    const controllerOnBroker: any = describeCluster.handler({includeClusterAuthorizedOperations: false, endpointType: 2}, fx.ctx(1))
    assert.equal(controllerOnBroker.errorCode, ErrorCode.MISMATCHED_ENDPOINT_TYPE)
    const unknown: any = describeCluster.handler({includeClusterAuthorizedOperations: false, endpointType: 7}, fx.ctx(1))
    assert.equal(unknown.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE)
    assert.equal(unknown.errorMessage, 'Unsupported endpoint type 7')
    const v0: any = describeCluster.handler({includeClusterAuthorizedOperations: false, endpointType: 1}, onController(0))
    assert.equal(v0.errorCode, ErrorCode.INVALID_REQUEST)
  })

  it('ApiVersions v3+ carries supported and finalized features with the metadata offset as epoch', () => {
    const r: any = apiVersions.handler({clientSoftwareName: 'kts', clientSoftwareVersion: '1'}, fx.ctx(4))
    assert.deepEqual(r.supportedFeatures, [{name: 'kraft.version', minVersion: 0, maxVersion: 1}, {name: 'metadata.version', minVersion: 4, maxVersion: 21}])
    assert.deepEqual(r.finalizedFeatures, [{name: 'metadata.version', minVersionLevel: 21, maxVersionLevel: 21}])
    assert.equal(r.finalizedFeaturesEpoch, fx.server.metadata.image.offset)
    assert.ok(r.finalizedFeaturesEpoch > 0)
  })

  it('UnregisterBroker: an unknown broker id is BROKER_ID_NOT_REGISTERED', async () => {
    const r: any = await unregisterBroker.handler({brokerId: 42}, fx.ctx(0))
    assert.equal(r.errorCode, ErrorCode.BROKER_ID_NOT_REGISTERED)
    assert.equal(r.errorMessage, 'Broker ID 42 is not currently registered')
  })
})
