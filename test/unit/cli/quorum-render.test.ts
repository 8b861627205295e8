import assert from 'node:assert/strict'
import {parseBootstrapServers} from '../../../src/cli/admin/client-properties.js'
import {resolveBootstrapServer} from '../../../src/cli/flags.js'
import {resolveBootstrap} from '../../../src/cli/quorum/admin-target.js'
import type {QuorumInfo} from '../../../src/cli/quorum/kraft-admin.js'
import {renderFeatures} from '../../../src/cli/quorum/render-features.js'
import {renderReplication, renderStatus} from '../../../src/cli/quorum/render-quorum.js'

const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA'
const DIR = 'b5bVbo7oQ4OGV1Z7iPWUdw'

/** Three voters (2 leads, 3 lags) and one observer, as a Kafka 3.9 quorum would report them. */
const quorum: QuorumInfo = {
  leaderId: 2,
  leaderEpoch: 7,
  highWatermark: 1520,
  voters: [
    {replicaId: 1, replicaDirectoryId: ZERO, logEndOffset: 1520, lastFetchTimestamp: 9_500, lastCaughtUpTimestamp: 9_400},
    {replicaId: 2, replicaDirectoryId: ZERO, logEndOffset: 1520, lastFetchTimestamp: 10_000, lastCaughtUpTimestamp: 10_000},
    {replicaId: 3, replicaDirectoryId: DIR, logEndOffset: 1500, lastFetchTimestamp: 9_000, lastCaughtUpTimestamp: 8_750},
  ],
  observers: [{replicaId: 4, replicaDirectoryId: DIR, logEndOffset: 1519, lastFetchTimestamp: null, lastCaughtUpTimestamp: null}],
  nodes: [
    {nodeId: 1, endpoints: [{name: 'CONTROLLER', host: 'c1', port: 9093}]},
    {nodeId: 2, endpoints: [{name: 'CONTROLLER', host: '::1', port: 9093}, {name: 'C2', host: 'c2', port: 9094}]},
  ],
}

describe('metadata-quorum / features output (Kafka 3.9 layout)', () => {
  it('describe --status: padded labels, lag against the slowest voter, voters with directory ids and endpoints', () => {
    assert.equal(renderStatus('MkU3OEVBNTcwNTJENDM2Qg', quorum), [
      'ClusterId:              MkU3OEVBNTcwNTJENDM2Qg',
      'LeaderId:               2',
      'LeaderEpoch:            7',
      'HighWatermark:          1520',
      'MaxFollowerLag:         20',
      'MaxFollowerLagTimeMs:   1250',
      'CurrentVoters:          [{"id": 1, "directoryId": null, "endpoints": ["CONTROLLER://c1:9093"]}, ' +
        '{"id": 2, "directoryId": null, "endpoints": ["CONTROLLER://[::1]:9093", "C2://c2:9094"]}, ' +
        `{"id": 3, "directoryId": "${DIR}"}]`,
      `CurrentObservers:       [{"id": 4, "directoryId": "${DIR}"}]`,
      '',
    ].join('\n'))
  })

  it('describe --status: -1 lag time when a timestamp is unknown; a leader that is not a voter fails like Java\'s Optional.get', () => {
    const unknown: QuorumInfo = {...quorum, voters: quorum.voters.map(v => (v.replicaId === 3 ? {...v, lastCaughtUpTimestamp: null} : v))}
    assert.match(renderStatus('x', unknown), /\nMaxFollowerLagTimeMs: {3}-1\n/)
    assert.throws(() => renderStatus('x', {...quorum, leaderId: 9}), /^TerseError: No value present$/)
  })

  it('describe --replication: leader, followers, observers; cells padded and TAB-terminated; --human-readable', () => {
    assert.equal(renderReplication(quorum, false), [
      'NodeId\tDirectoryId           \tLogEndOffset\tLag\tLastFetchTimestamp\tLastCaughtUpTimestamp\tStatus  \t',
      `2     \t${ZERO}\t1520        \t0  \t10000             \t10000                \tLeader  \t`,
      `1     \t${ZERO}\t1520        \t0  \t9500              \t9400                 \tFollower\t`,
      `3     \t${DIR}\t1500        \t20 \t9000              \t8750                 \tFollower\t`,
      `4     \t${DIR}\t1519        \t1  \t-1                \t-1                   \tObserver\t`,
      '',
    ].join('\n'))
    const human = renderReplication(quorum, true, 10_250).split('\n')
    assert.equal(human[1].split('\t')[4], '250 ms ago        ')
    assert.equal(human[3].split('\t')[5], '1500 ms ago          ')
    assert.equal(human[4].split('\t')[4], '-1                ')
    assert.throws(() => renderReplication(quorum, true, 9_000), /possible drift in system clock/)
  })

  it('features describe: sorted, release names for metadata.version, 0 when not finalized, - without an epoch', () => {
    assert.equal(renderFeatures({
      supportedFeatures: [{name: 'metadata.version', minVersion: 1, maxVersion: 25}, {name: 'kraft.version', minVersion: 0, maxVersion: 1}],
      finalizedFeatures: [{name: 'metadata.version', minVersionLevel: 21, maxVersionLevel: 21}],
      finalizedFeaturesEpoch: 142,
    }),
    'Feature: kraft.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 1\tFinalizedVersionLevel: 0\tEpoch: 142\n' +
    'Feature: metadata.version\tSupportedMinVersion: 3.0-IV1\tSupportedMaxVersion: 4.0-IV3\tFinalizedVersionLevel: 3.9-IV0\tEpoch: 142\n')
    assert.equal(renderFeatures({supportedFeatures: [{name: 'metadata.version', minVersion: 4, maxVersion: 99}], finalizedFeatures: [], finalizedFeaturesEpoch: null}),
      'Feature: metadata.version\tSupportedMinVersion: 3.3-IV0\tSupportedMaxVersion: UNKNOWN 99\tFinalizedVersionLevel: UNKNOWN 0\tEpoch: -\n')
  })

  it('--bootstrap-server / --bootstrap-controller: at most one, argparse4j\'s message; the default server yields to a controller', () => {
    const names = {prog: 'kts metadata-quorum'}
    assert.deepEqual(resolveBootstrap({bootstrapServer: 'a:1,b:2'}, names), {servers: ['a:1', 'b:2'], controllers: false})
    assert.deepEqual(resolveBootstrap({bootstrapController: 'c:3'}, names), {servers: ['c:3'], controllers: true})
    assert.deepEqual(resolveBootstrap({bootstrapServer: 'localhost:9092', serverFromDefault: true, bootstrapController: 'c:3'}, names), {servers: ['c:3'], controllers: true})
    // kts: neither → the default bootstrap server of every tool (Kafka: `one of the arguments ... is required`)
    assert.deepEqual(resolveBootstrap({}, names), {servers: parseBootstrapServers(resolveBootstrapServer(undefined)), controllers: false})
    assert.throws(() => resolveBootstrap({bootstrapServer: 'a:1', bootstrapController: 'c:3'}, {prog: 'kts cluster cluster-id', server: '--bootstrap-server/-b', controller: '--bootstrap-controller/-C'}),
      {message: 'kts cluster cluster-id: error: argument --bootstrap-controller/-C: not allowed with argument --bootstrap-server/-b'})
    assert.throws(() => resolveBootstrap({bootstrapServer: 'nohost'}, names), {message: 'Please provide valid host:port like host1:9091,host2:9092'})
  })
})
