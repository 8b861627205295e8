/**
 * MetadataImage: an immutable snapshot of cluster metadata after applying the metadata log up to
 * `offset` (Kafka `org.apache.kafka.image.MetadataImage`). Never mutated: a `MetadataDelta`
 * replays records and `apply()`s into a new image that shares unchanged parts.
 */

import type {StandardAcl} from '../security/authorizer/acl-binding.js'
import type {ScramCredential} from '../../protocol/security/scram.js'

/** SCRAM credentials: mechanism type (UserScramCredentialRecord.mechanism: 1 SHA-256, 2 SHA-512) -> user -> credential. */
export type ScramCredentialsImage = ReadonlyMap<number, ReadonlyMap<string, ScramCredential>>

/** Config resource types (Kafka `ConfigResource.Type`). */
export const ConfigResourceType = {TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8} as const

export interface BrokerEndpoint {
  /** Listener name, e.g. PLAINTEXT. */
  name: string
  host: string
  port: number
  /** Kafka `SecurityProtocol` id (0 PLAINTEXT, 1 SSL, 2 SASL_PLAINTEXT, 3 SASL_SSL). */
  securityProtocol: number
}

export interface BrokerRegistration {
  id: number
  /** Broker epoch: the metadata offset of its RegisterBrokerRecord. */
  epoch: number
  incarnationId: string
  endpoints: readonly BrokerEndpoint[]
  rack: string | null
  fenced: boolean
  inControlledShutdown: boolean
}

export interface PartitionRegistration {
  partitionId: number
  replicas: readonly number[]
  isr: readonly number[]
  removingReplicas: readonly number[]
  addingReplicas: readonly number[]
  /** Leader broker id, -1 if none. */
  leader: number
  leaderEpoch: number
  partitionEpoch: number
}

export interface TopicImage {
  name: string
  /** Base64 Uuid. */
  topicId: string
  /** Partition id -> registration. */
  partitions: ReadonlyMap<number, PartitionRegistration>
}

/** `${resourceType}:${resourceName}`; broker default resource has name ''. */
export function configKey(resourceType: number, resourceName: string): string {
  return `${resourceType}:${resourceName}`
}

export class MetadataImage {
  constructor(
    /** Offset of the last record applied, -1 for the empty image. */
    readonly offset: number,
    /** Leader epoch of the batch holding that record. */
    readonly epoch: number,
    readonly clusterId: string,
    /** Finalized features: name -> level (`metadata.version`, ...). */
    readonly features: ReadonlyMap<string, number>,
    readonly brokers: ReadonlyMap<number, BrokerRegistration>,
    readonly topicsById: ReadonlyMap<string, TopicImage>,
    readonly topicsByName: ReadonlyMap<string, TopicImage>,
    /** configKey(type, name) -> config name -> value (only explicitly set values). */
    readonly configs: ReadonlyMap<string, ReadonlyMap<string, string>>,
    /** Next producer id the controller hands out (ProducerIdsRecord.nextProducerId). */
    readonly nextProducerId: number,
    /** ACLs by id (AccessControlEntryRecord.id), as the StandardAuthorizer reads them. */
    readonly acls: ReadonlyMap<string, StandardAcl> = NO_ACLS,
    /** SCRAM credentials (Kafka `ScramImage`), from UserScramCredentialRecord / RemoveUserScramCredentialRecord. */
    readonly scram: ScramCredentialsImage = new Map(),
  ) {}

  static empty(clusterId = ''): MetadataImage {
    return new MetadataImage(-1, -1, clusterId, new Map(), new Map(), new Map(), new Map(), new Map(), 0)
  }

  /** The SCRAM credential of `user` for mechanism type `mechanism`, or undefined. */
  scramCredential(mechanism: number, user: string): ScramCredential | undefined {
    return this.scram.get(mechanism)?.get(user)
  }

  /** Topics by name (docs/CONTRACTS.md name; same map as `topicsByName`). */
  get topics(): ReadonlyMap<string, TopicImage> {
    return this.topicsByName
  }

  /** Finalized metadata.version feature level (0 before bootstrap). */
  get metadataVersion(): number {
    return this.features.get('metadata.version') ?? 0
  }

  /** Config overrides of a resource (empty map when none). */
  configsOf(resourceType: number, resourceName: string): ReadonlyMap<string, string> {
    return this.configs.get(configKey(resourceType, resourceName)) ?? EMPTY
  }

  topic(name: string): TopicImage | undefined {
    return this.topicsByName.get(name)
  }

  /** Unfenced brokers, sorted by id. */
  liveBrokers(): BrokerRegistration[] {
    return [...this.brokers.values()].filter(b => !b.fenced).sort((a, b) => a.id - b.id)
  }
}

const EMPTY: ReadonlyMap<string, string> = new Map()
const NO_ACLS: ReadonlyMap<string, StandardAcl> = new Map()
