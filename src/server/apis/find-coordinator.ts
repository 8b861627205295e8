// FindCoordinator (10): v0-5 (KIP-699 batching v4+). KeyType 0 (group): the leader of
// __consumer_offsets-<abs(hash(groupId)) % offsets.topic.num.partitions>, with host/port of its
// endpoint on the listener the request came in on. If the topic does not exist yet it is created
// through the controller (offsets.topic.* configs, cleanup.policy=compact) and the answer is
// COORDINATOR_NOT_AVAILABLE, which clients retry (storage-and-kraft.md §7.1).
// KeyType 1 (transaction): the same over __transaction_state (transaction.state.log.* configs,
// partition abs(hash(transactionalId)) % transaction.state.log.num.partitions).
import {FindCoordinatorApi, type FindCoordinatorRequest, type FindCoordinatorResponse} from '../../protocol/generated/messages/find-coordinator.js'
import {ErrorCode, errorMessage} from '../../protocol/errors.js'
import type {Input} from '../../protocol/primitives/input.js'
import type {AutoCreatableTopic, BrokerServices} from '../services.js'
import {GROUP_METADATA_TOPIC_NAME, groupPartitionFor} from '../group/group-partition.js'
import {TRANSACTION_STATE_TOPIC_NAME} from '../txn/transaction-state-manager.js'
import {defineApi, type RequestContext} from './registry.js'
import {AclOperation, ResourceType} from '../security/authorizer/acl-binding.js'
import {isAuthorized} from '../security/authorizer/request-authorization.js'

export const COORDINATOR_KEY_TYPE_GROUP = 0
export const COORDINATOR_KEY_TYPE_TRANSACTION = 1

interface Answer { nodeId: number, host: string, port: number, errorCode: number, errorMessage: string | null }

const creating = new WeakSet<object>()

const creatingTxn = new WeakSet<object>()

/** The internal topic of a key type with its configs (Kafka `AutoTopicCreationManager.creatableTopic`). */
function internalTopic(services: BrokerServices, keyType: number): AutoCreatableTopic {
  const {config} = services
  if (keyType === COORDINATOR_KEY_TYPE_TRANSACTION) {
    return {
      name: TRANSACTION_STATE_TOPIC_NAME,
      numPartitions: config.transactionStateLogNumPartitions,
      replicationFactor: config.transactionStateLogReplicationFactor,
      configs: [
        {name: 'cleanup.policy', value: 'compact'},
        {name: 'compression.type', value: 'uncompressed'},
        {name: 'min.insync.replicas', value: String(config.transactionStateLogMinIsr)},
        {name: 'segment.bytes', value: String(config.transactionStateLogSegmentBytes)},
        {name: 'unclean.leader.election.enable', value: 'false'},
      ],
    }
  }
  return {
    name: GROUP_METADATA_TOPIC_NAME,
    numPartitions: config.offsetsTopicNumPartitions,
    replicationFactor: config.offsetsTopicReplicationFactor,
    configs: [
      {name: 'cleanup.policy', value: 'compact'},
      {name: 'compression.type', value: 'producer'},
      {name: 'segment.bytes', value: String(config.offsetsTopicSegmentBytes)},
    ],
  }
}

/** Asks the controller (once at a time per node and topic) to create the key type's internal topic. */
function createInternalTopic(services: BrokerServices, keyType: number): void {
  const guard = keyType === COORDINATOR_KEY_TYPE_TRANSACTION ? creatingTxn : creating
  if (guard.has(services)) return
  const topic = internalTopic(services, keyType)
  guard.add(services)
  services.autoCreateTopics([topic])
    .then(rs => {
      for (const r of rs) if (r.errorCode) services.logger.warn(`Creating ${r.name} failed with error ${r.errorCode}`)
    })
    .catch((e: unknown) => services.logger.warn(`Creating ${topic.name} failed: ${String(e)}`))
    .finally(() => guard.delete(services))
}

function notAvailable(code: number = ErrorCode.COORDINATOR_NOT_AVAILABLE): Answer {
  return {nodeId: -1, host: '', port: -1, errorCode: code, errorMessage: errorMessage(code)}
}

/** Finds the coordinator of one key. */
export function lookupCoordinator(key: string, keyType: number, ctx: RequestContext): Answer {
  // Kafka: Describe on the group / transactional id.
  if (keyType === COORDINATOR_KEY_TYPE_TRANSACTION && !isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
    return notAvailable(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
  }
  if (keyType === COORDINATOR_KEY_TYPE_GROUP && !isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
    return notAvailable(ErrorCode.GROUP_AUTHORIZATION_FAILED)
  }
  if (keyType !== COORDINATOR_KEY_TYPE_GROUP && keyType !== COORDINATOR_KEY_TYPE_TRANSACTION) return notAvailable(ErrorCode.INVALID_REQUEST)
  if (!key) return notAvailable(ErrorCode.INVALID_REQUEST)
  const view = ctx.services.view()
  const topic = view.topic(keyType === COORDINATOR_KEY_TYPE_TRANSACTION ? TRANSACTION_STATE_TOPIC_NAME : GROUP_METADATA_TOPIC_NAME)
  if (!topic || topic.partitions.length === 0) {
    createInternalTopic(ctx.services, keyType)
    return notAvailable()
  }
  const p = topic.partitions[groupPartitionFor(key, topic.partitions.length)]
  if (!p || p.leader < 0) return notAvailable()
  const broker = view.brokers().find(b => b.nodeId === p.leader)
  const ep = broker?.endpoints.find(e => e.listenerName === ctx.listenerName)
  if (!broker || broker.fenced || !ep) return notAvailable()
  return {nodeId: broker.nodeId, host: ep.host, port: ep.port, errorCode: ErrorCode.NONE, errorMessage: null}
}

export const findCoordinator = defineApi(FindCoordinatorApi, 0, 5, (req: FindCoordinatorRequest, ctx: RequestContext): Input<FindCoordinatorResponse> => {
  if (ctx.apiVersion >= 4) {
    return {coordinators: req.coordinatorKeys.map(key => ({key, ...lookupCoordinator(key, req.keyType, ctx)}))}
  }
  const a = lookupCoordinator(req.key, req.keyType, ctx)
  return {...a, errorMessage: a.errorCode ? a.errorMessage : null}
})
