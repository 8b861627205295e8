/**
 * The admin calls of the KRaft tools over our protocol client (`cli/admin/protocol-client.ts`), as
 * Kafka's `KafkaAdminClient` makes them: `describeCluster` (DescribeCluster v≤1),
 * `describeMetadataQuorum` (DescribeQuorum v≤2), `unregisterBroker` (UnregisterBroker v0),
 * `describeFeatures` (ApiVersions v≤4), `addRaftVoter` / `removeRaftVoter` (AddRaftVoter v0 /
 * RemoveRaftVoter v0, KIP-853, Kafka 3.9+). Works against any Kafka 3.7+ cluster, not only kts.
 *
 * Routing: with `--bootstrap-server` every call goes to the first reachable bootstrap broker (the
 * broker forwards to the controller where Kafka does). With `--bootstrap-controller` (KIP-919),
 * DescribeCluster (endpoint type controller) goes to a bootstrap controller and tells the active
 * controller's id and endpoint; the other calls go to the active controller.
 *
 * Each call retries connection failures and Kafka's retriable error codes until
 * `default.api.timeout.ms`; then it fails with
 * `org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: <name>`
 * (no answer) or the last error. Kafka errors are `TerseError`s worded as Java's exception
 * `toString()` (`org.apache.kafka.common.errors.<Class>: <message>`), with `kafkaErrorCode` set.
 */
import {ApiVersionsApi, type ApiVersionsResponse} from '../../protocol/generated/messages/api-versions.js'
import {DescribeClusterApi, type DescribeClusterResponse} from '../../protocol/generated/messages/describe-cluster.js'
import {DescribeQuorumApi, type DescribeQuorumResponse, type DescribeQuorumResponseReplicaState} from '../../protocol/generated/messages/describe-quorum.js'
import {UnregisterBrokerApi, type UnregisterBrokerResponse} from '../../protocol/generated/messages/unregister-broker.js'
import {AddRaftVoterApi, type AddRaftVoterResponse} from '../../protocol/generated/messages/add-raft-voter.js'
import {RemoveRaftVoterApi, type RemoveRaftVoterResponse} from '../../protocol/generated/messages/remove-raft-voter.js'
import {DescribeUserScramCredentialsApi, type DescribeUserScramCredentialsResponse} from '../../protocol/generated/messages/describe-user-scram-credentials.js'
import {AlterUserScramCredentialsApi, type AlterUserScramCredentialsResponse} from '../../protocol/generated/messages/alter-user-scram-credentials.js'
import type {ApiSpec} from '../../protocol/generated/api-spec.js'
import {ErrorCode, isRetriable} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid.js'
import {BrokerConnection, ProtocolClientError} from '../admin/protocol-client.js'
import {TerseError} from '../errors.js'
import {javaExceptionText} from '../groups/group-errors.js'
import {connectToFirstServer, connectToServer, type AdminTarget} from './admin-target.js'

const METADATA_TOPIC = '__cluster_metadata'
const METADATA_PARTITION = 0
const BROKER_ENDPOINTS = 1
const CONTROLLER_ENDPOINTS = 2

/** DescribeCluster's answer (Kafka `DescribeClusterResult`). */
export interface ClusterDescription {
  clusterId: string
  /** -1 when unknown. */
  controllerId: number
  /** Brokers, or controllers with `--bootstrap-controller`. */
  nodes: {id: number, host: string, port: number, rack: string | null}[]
}

/** One replica of the metadata quorum (Kafka `QuorumInfo.ReplicaState`). Timestamps in ms since the epoch, null when unknown. */
export interface ReplicaState {
  replicaId: number
  /** Kafka's uuid text; `AAAAAAAAAAAAAAAAAAAAAA` when unknown. */
  replicaDirectoryId: string
  logEndOffset: number
  lastFetchTimestamp: number | null
  lastCaughtUpTimestamp: number | null
}

/** DescribeQuorum's answer (Kafka `QuorumInfo`). */
export interface QuorumInfo {
  leaderId: number
  leaderEpoch: number
  highWatermark: number
  voters: ReplicaState[]
  observers: ReplicaState[]
  /** Voters' endpoints (DescribeQuorum v2 Nodes), e.g. `{nodeId: 1, endpoints: [{name: 'CONTROLLER', host: 'localhost', port: 9093}]}`. */
  nodes: {nodeId: number, endpoints: {name: string, host: string, port: number}[]}[]
}

/** ApiVersions' feature part (Kafka `FeatureMetadata`). */
export interface FeatureMetadata {
  supportedFeatures: {name: string, minVersion: number, maxVersion: number}[]
  finalizedFeatures: {name: string, minVersionLevel: number, maxVersionLevel: number}[]
  /** null when the node reports none (-1). */
  finalizedFeaturesEpoch: number | null
}

/** The node does not serve an API (version) a call needs (Kafka `UnsupportedVersionException`). */
export class UnsupportedApiError extends TerseError {
  constructor(api: string) {
    super(`org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support ${api}`, {kafkaErrorCode: ErrorCode.UNSUPPORTED_VERSION})
    this.name = 'UnsupportedApiError'
  }
}

/** A failure a call retries until its deadline; `invalidate` drops cached routing first. */
class Retriable extends Error {
  constructor(readonly reason: Error, readonly invalidate?: () => void) {
    super(reason.message)
    this.name = 'Retriable'
  }
}

/** A Kafka error code answered to a call, worded as Java's exception. */
function kafkaError(code: number, message?: string | null): TerseError {
  return new TerseError(javaExceptionText(code, message), {kafkaErrorCode: code})
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function optionalTimestamp(ms: number): number | null {
  return ms === -1 ? null : ms
}

export class KraftAdmin {
  private bootstrap: Promise<BrokerConnection> | null = null
  private active: Promise<BrokerConnection> | null = null
  private closed = false

  /** @param clientSoftwareVersion sent in ApiVersions v3+ (`ClientSoftwareVersion`). */
  constructor(private readonly target: AdminTarget, private readonly clientSoftwareVersion = '0.0.0') {}

  /** DescribeCluster: cluster id, controller id and nodes. */
  describeCluster(): Promise<ClusterDescription> {
    return this.call('describeCluster', async () => {
      const res = await this.sendDescribeCluster(await this.bootstrapConnection())
      return {clusterId: res.clusterId, controllerId: res.controllerId, nodes: res.brokers.map(b => ({id: b.brokerId, host: b.host, port: b.port, rack: b.rack}))}
    })
  }

  /**
   * DescribeQuorum of `__cluster_metadata-0`, checked as Kafka's admin client checks it.
   * @throws TerseError for error codes (retriable ones, such as NOT_LEADER_OR_FOLLOWER, after the deadline)
   */
  describeMetadataQuorum(): Promise<QuorumInfo> {
    return this.call('describeMetadataQuorum', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, DescribeQuorumApi, 2)
      const res = await conn.send(DescribeQuorumApi, version, {
        topics: [{topicName: METADATA_TOPIC, partitions: [{partitionIndex: METADATA_PARTITION}]}],
      }) as DescribeQuorumResponse
      this.check(res.errorCode, res.errorMessage)
      if (res.topics.length !== 1) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeMetadataQuorum received ${res.topics.length} topics when 1 was expected`)
      const topic = res.topics[0]
      if (topic.topicName !== METADATA_TOPIC) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeMetadataQuorum received a topic with name ${topic.topicName} when ${METADATA_TOPIC} was expected`)
      if (topic.partitions.length !== 1) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeMetadataQuorum received a topic ${topic.topicName} with ${topic.partitions.length} partitions when 1 was expected`)
      const p = topic.partitions[0]
      if (p.partitionIndex !== METADATA_PARTITION) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `DescribeMetadataQuorum received a single partition with index ${p.partitionIndex} when ${METADATA_PARTITION} was expected`)
      this.check(p.errorCode, p.errorMessage)
      const replica = (r: DescribeQuorumResponseReplicaState): ReplicaState => ({
        replicaId: r.replicaId,
        replicaDirectoryId: r.replicaDirectoryId ?? ZERO_UUID,
        logEndOffset: r.logEndOffset,
        lastFetchTimestamp: optionalTimestamp(r.lastFetchTimestamp),
        lastCaughtUpTimestamp: optionalTimestamp(r.lastCaughtUpTimestamp),
      })
      return {
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        highWatermark: p.highWatermark,
        voters: p.currentVoters.map(replica),
        observers: p.observers.map(replica),
        nodes: (res.nodes ?? []).map(n => ({nodeId: n.nodeId, endpoints: n.listeners.map(l => ({name: l.name, host: l.host, port: l.port}))})),
      }
    })
  }

  /**
   * UnregisterBroker. As Kafka's admin client: REQUEST_TIMED_OUT is retried, other codes fail with
   * the code's default message (the broker's message is not shown).
   * @throws UnsupportedApiError when the node does not serve UnregisterBroker; TerseError for error codes
   */
  unregisterBroker(brokerId: number): Promise<void> {
    return this.call('unregisterBroker', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, UnregisterBrokerApi, 0)
      const res = await conn.send(UnregisterBrokerApi, version, {brokerId}) as UnregisterBrokerResponse
      if (res.errorCode === ErrorCode.NONE) return
      if (res.errorCode === ErrorCode.REQUEST_TIMED_OUT) throw new Retriable(kafkaError(res.errorCode))
      throw kafkaError(res.errorCode)
    })
  }

  /**
   * AddRaftVoter (Kafka `Admin.addRaftVoter`): the controller (id, metadata directory id) joins the
   * voters at `endpoints`. Retriable codes (REQUEST_TIMED_OUT while a previous change commits,
   * NOT_LEADER_OR_FOLLOWER) are retried until the deadline.
   * @throws UnsupportedApiError when the node does not serve AddRaftVoter; TerseError for error codes
   */
  addRaftVoter(voterId: number, voterDirectoryId: string, endpoints: {name: string, host: string, port: number}[]): Promise<void> {
    return this.call('addRaftVoter', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, AddRaftVoterApi, 0)
      const res = await conn.send(AddRaftVoterApi, version, {clusterId: null, timeoutMs: this.target.apiTimeoutMs, voterId, voterDirectoryId, listeners: endpoints}) as AddRaftVoterResponse
      this.check(res.errorCode, res.errorMessage)
    })
  }

  /**
   * RemoveRaftVoter (Kafka `Admin.removeRaftVoter`): the voter (id, directory id) leaves the voters.
   * @throws UnsupportedApiError when the node does not serve RemoveRaftVoter; TerseError for error codes
   */
  removeRaftVoter(voterId: number, voterDirectoryId: string): Promise<void> {
    return this.call('removeRaftVoter', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, RemoveRaftVoterApi, 0)
      const res = await conn.send(RemoveRaftVoterApi, version, {clusterId: null, voterId, voterDirectoryId}) as RemoveRaftVoterResponse
      this.check(res.errorCode, res.errorMessage)
    })
  }

  /**
   * DescribeUserScramCredentials (KIP-554) for `users` (all users when empty), as Kafka's admin
   * client: users without credentials (RESOURCE_NOT_FOUND) are left out.
   * @throws TerseError for a top-level error code or a per-user error other than RESOURCE_NOT_FOUND
   */
  describeUserScramCredentials(users: string[]): Promise<{user: string, credentials: {mechanism: number, iterations: number}[]}[]> {
    return this.call('describeUserScramCredentials', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, DescribeUserScramCredentialsApi, 0)
      const res = await conn.send(DescribeUserScramCredentialsApi, version, {users: users.length === 0 ? null : users.map((name) => ({name}))}) as DescribeUserScramCredentialsResponse
      this.check(res.errorCode, res.errorMessage)
      const out: {user: string, credentials: {mechanism: number, iterations: number}[]}[] = []
      for (const r of res.results) {
        if (r.errorCode === ErrorCode.RESOURCE_NOT_FOUND) continue
        if (r.errorCode !== ErrorCode.NONE) throw kafkaError(r.errorCode, r.errorMessage)
        out.push({user: r.user, credentials: r.credentialInfos.map((c) => ({mechanism: c.mechanism, iterations: c.iterations}))})
      }
      return out
    })
  }

  /**
   * AlterUserScramCredentials (KIP-554): deletions and upsertions (salt and salted password
   * computed by the caller). NOT_CONTROLLER and other retriable codes are retried until the deadline.
   * @throws TerseError with the first failed entry's error (Kafka's exception text)
   */
  alterUserScramCredentials(deletions: {name: string, mechanism: number}[], upsertions: {name: string, mechanism: number, iterations: number, salt: Buffer, saltedPassword: Buffer}[]): Promise<void> {
    return this.call('alterUserScramCredentials', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, AlterUserScramCredentialsApi, 0)
      const res = await conn.send(AlterUserScramCredentialsApi, version, {deletions, upsertions}) as AlterUserScramCredentialsResponse
      for (const r of res.results) this.check(r.errorCode, r.errorMessage)
    })
  }

  /** ApiVersions (v3+ carries features): supported and finalized features and their epoch. */
  describeFeatures(): Promise<FeatureMetadata> {
    return this.call('describeFeatures', async () => {
      const conn = await this.targetConnection()
      const version = apiVersion(conn, ApiVersionsApi, 4)
      const res = await conn.send(ApiVersionsApi, version, {clientSoftwareName: 'kts', clientSoftwareVersion: this.clientSoftwareVersion}) as ApiVersionsResponse
      this.check(res.errorCode, null)
      return {
        supportedFeatures: (res.supportedFeatures ?? []).map(f => ({name: f.name, minVersion: f.minVersion, maxVersion: f.maxVersion})),
        finalizedFeatures: (res.finalizedFeatures ?? []).map(f => ({name: f.name, minVersionLevel: f.minVersionLevel, maxVersionLevel: f.maxVersionLevel})),
        finalizedFeaturesEpoch: res.finalizedFeaturesEpoch >= 0 ? res.finalizedFeaturesEpoch : null,
      }
    })
  }

  /** Closes every connection. */
  close(): void {
    this.closed = true
    this.dropConnections()
  }

  /** Throws for a non-zero code: `Retriable` (dropping the routing to the active controller) for Kafka's retriable codes. */
  private check(code: number, message: string | null): void {
    if (code === ErrorCode.NONE) return
    const err = kafkaError(code, message)
    if (isRetriable(code)) throw new Retriable(err, () => this.dropActive())
    throw err
  }

  private async call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.target.apiTimeoutMs
    let backoff = 100
    for (;;) {
      try {
        return await fn()
      } catch (err) {
        let cause: unknown = err
        if (err instanceof Retriable) {
          err.invalidate?.()
          cause = err.reason
        } else if (err instanceof ProtocolClientError) {
          this.dropConnections()
        } else {
          throw err
        }
        if (this.closed || Date.now() + backoff >= deadline) {
          if (cause instanceof ProtocolClientError) {
            throw new TerseError(`org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: ${name}`, {cause})
          }
          throw cause
        }
        await delay(backoff)
        backoff = Math.min(backoff * 2, 1000)
      }
    }
  }

  private dropActive(): void {
    this.active?.then((c) => c.close(), () => undefined)
    this.active = null
  }

  private dropConnections(): void {
    this.dropActive()
    this.bootstrap?.then((c) => c.close(), () => undefined)
    this.bootstrap = null
  }

  /** The first reachable bootstrap server. @throws ProtocolClientError when none answers. */
  private bootstrapConnection(): Promise<BrokerConnection> {
    if (this.bootstrap === null) {
      const attempt = connectToFirstServer(this.target)
      attempt.catch(() => {
        if (this.bootstrap === attempt) this.bootstrap = null
      })
      this.bootstrap = attempt
    }
    return this.bootstrap
  }

  private async sendDescribeCluster(conn: BrokerConnection): Promise<DescribeClusterResponse> {
    const version = apiVersion(conn, DescribeClusterApi, 1)
    if (this.target.controllers && version < 1) throw new UnsupportedApiError('DESCRIBE_CLUSTER with endpoint type controller')
    const res = await conn.send(DescribeClusterApi, version, {
      includeClusterAuthorizedOperations: false,
      endpointType: this.target.controllers ? CONTROLLER_ENDPOINTS : BROKER_ENDPOINTS,
    }) as DescribeClusterResponse
    this.check(res.errorCode, res.errorMessage)
    return res
  }

  /** Where calls other than DescribeCluster go: a bootstrap broker, or the active controller. */
  private targetConnection(): Promise<BrokerConnection> {
    if (!this.target.controllers) return this.bootstrapConnection()
    if (this.active === null) {
      const attempt = (async () => {
        const res = await this.sendDescribeCluster(await this.bootstrapConnection())
        const node = res.brokers.find(b => b.brokerId === res.controllerId)
        if (res.controllerId < 0 || node === undefined) throw new ProtocolClientError('No active controller is known yet')
        return connectToServer(this.target, `${node.host}:${node.port}`)
      })()
      attempt.catch(() => {
        if (this.active === attempt) this.active = null
      })
      this.active = attempt
    }
    return this.active
  }
}

/**
 * Highest version of `spec` both sides serve, capped at `cap`.
 * @throws UnsupportedApiError when there is none (not retried).
 */
function apiVersion(conn: BrokerConnection, spec: ApiSpec, cap: number): number {
  try {
    return conn.version(spec, cap)
  } catch {
    throw new UnsupportedApiError(spec.name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase())
  }
}
