/**
 * Every API this node serves, by listener kind (Kafka's `KafkaApis` on broker listeners and
 * `ControllerApis` on controller listeners). ApiVersions is computed from these lists, so an API
 * missing here is neither advertised nor accepted on that listener.
 */
import type {ApiDefinition} from './registry.js'
import type {BrokerServices, ControllerServices} from '../services.js'
import {forwardedApi} from '../broker/forwarding.js'
import {apiVersions} from './api-versions.js'
import {saslHandshake} from './sasl-handshake.js'
import {saslAuthenticate} from './sasl-authenticate.js'
import {alterUserScramCredentials} from './alter-user-scram-credentials.js'
import {describeUserScramCredentials} from './describe-user-scram-credentials.js'
import {metadata} from './metadata.js'
import {produce} from './produce.js'
import {fetch} from './fetch.js'
import {listOffsets} from './list-offsets.js'
import {offsetForLeaderEpoch} from './offset-for-leader-epoch.js'
import {initProducerId} from './init-producer-id.js'
import {deleteRecords} from './delete-records.js'
import {describeLogDirs} from './describe-log-dirs.js'
import {createTopics} from './create-topics.js'
import {deleteTopics} from './delete-topics.js'
import {createPartitions} from './create-partitions.js'
import {describeConfigs} from './describe-configs.js'
import {alterConfigs} from './alter-configs.js'
import {incrementalAlterConfigs} from './incremental-alter-configs.js'
import {describeCluster} from './describe-cluster.js'
import {describeQuorum} from './describe-quorum.js'
import {findCoordinator} from './find-coordinator.js'
import {joinGroup} from './join-group.js'
import {syncGroup} from './sync-group.js'
import {heartbeat} from './heartbeat.js'
import {leaveGroup} from './leave-group.js'
import {offsetCommit} from './offset-commit.js'
import {offsetFetch} from './offset-fetch.js'
import {listGroups} from './list-groups.js'
import {describeGroups} from './describe-groups.js'
import {deleteGroups} from './delete-groups.js'
import {offsetDelete} from './offset-delete.js'
import {brokerRegistration} from './broker-registration.js'
import {brokerHeartbeat} from './broker-heartbeat.js'
import {allocateProducerIds} from './allocate-producer-ids.js'
import {envelope} from './envelope.js'
import {unregisterBroker} from './unregister-broker.js'
import {alterPartition} from './alter-partition.js'
import {addRaftVoterApi, removeRaftVoterApi} from './raft-voter-changes.js'
import type {RaftRequestHandler} from '../raft/raft-manager.js'
import {electLeaders} from './elect-leaders.js'
import {addPartitionsToTxn} from './add-partitions-to-txn.js'
import {addOffsetsToTxn} from './add-offsets-to-txn.js'
import {endTxn} from './end-txn.js'
import {txnOffsetCommit} from './txn-offset-commit.js'
import {writeTxnMarkers} from './write-txn-markers.js'
import {describeTransactions} from './describe-transactions.js'
import {listTransactions} from './list-transactions.js'
import {describeProducers} from './describe-producers.js'
import {alterPartitionReassignments} from './alter-partition-reassignments.js'
import {listPartitionReassignments} from './list-partition-reassignments.js'
import {createAcls} from './create-acls.js'
import {deleteAcls} from './delete-acls.js'
import {describeAcls} from './describe-acls.js'
import {clusterChecked} from '../security/authorizer/cluster-checked-api.js'

function byKey<S>(listener: 'broker' | 'controller', defs: ApiDefinition<S>[]): Map<number, ApiDefinition<S>> {
  const m = new Map<number, ApiDefinition<S>>()
  for (const d of defs) {
    if (!d.spec.listeners.includes(listener)) continue
    if (m.has(d.spec.apiKey)) throw new Error(`API ${d.spec.name} registered twice`)
    m.set(d.spec.apiKey, d)
  }
  return m
}

/** Admin APIs the active controller decides; brokers forward them (KIP-590). */
const CONTROLLER_ADMIN_APIS: ApiDefinition<ControllerServices>[] = [
  createTopics, deleteTopics, createPartitions, alterConfigs, incrementalAlterConfigs, describeQuorum, unregisterBroker,
  electLeaders, alterPartitionReassignments, listPartitionReassignments, createAcls, deleteAcls, alterUserScramCredentials,
]

/** Brokers only forward the voter changes; the controller's Raft layer answers them. */
const FORWARD_ONLY: RaftRequestHandler = {handleRaftRequest: () => Promise.reject(new Error('a broker forwards this request'))}

/** APIs served on broker listeners (schema `listeners` includes `broker`). */
export function brokerApis(): Map<number, ApiDefinition<BrokerServices>> {
  return byKey<BrokerServices>('broker', [
    apiVersions, saslHandshake, saslAuthenticate, metadata, produce, fetch, listOffsets, offsetForLeaderEpoch, initProducerId, deleteRecords,
    describeConfigs, describeCluster, describeLogDirs, describeAcls, describeUserScramCredentials,
    findCoordinator, joinGroup, syncGroup, heartbeat, leaveGroup, offsetCommit, offsetFetch, listGroups,
    describeGroups, deleteGroups, offsetDelete,
    addPartitionsToTxn, addOffsetsToTxn, endTxn, txnOffsetCommit, writeTxnMarkers, describeTransactions, listTransactions, describeProducers,
    ...CONTROLLER_ADMIN_APIS.map(forwardedApi),
    forwardedApi(addRaftVoterApi<ControllerServices>(FORWARD_ONLY)), forwardedApi(removeRaftVoterApi<ControllerServices>(FORWARD_ONLY)),
  ])
}

/**
 * APIs served on controller listeners (schema `listeners` includes `controller`); `raftApis` are
 * the quorum's own (Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot, AddRaftVoter,
 * RemoveRaftVoter, UpdateRaftVoter). APIs authorized on the cluster as a whole are wrapped in their
 * check (security/authorizer/cluster-checked-api.ts); the others check inside their handler.
 */
export function controllerApis(raftApis: ApiDefinition<ControllerServices>[] = []): Map<number, ApiDefinition<ControllerServices>> {
  return byKey<ControllerServices>('controller', [
    apiVersions, saslHandshake, saslAuthenticate, describeCluster, describeConfigs, describeAcls, describeUserScramCredentials, ...CONTROLLER_ADMIN_APIS,
    brokerRegistration, brokerHeartbeat, allocateProducerIds, alterPartition, envelope, ...raftApis,
  ].map(clusterChecked))
}
