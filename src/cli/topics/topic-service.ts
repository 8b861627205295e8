/**
 * The operations of `kts topics` over a kafkajs Admin (works against any Kafka cluster); shared
 * by the Kafka form (`kts topics --create ...`) and the subcommand form (`kts topics create ...`).
 * Source: Kafka `TopicCommand.TopicService` (`../shared/spec/kafka-tools.md` §2).
 *
 * Failures reported by the cluster are thrown as `TopicCommandError` carrying Kafka's message
 * (`Topic 't' already exists.`, `Topic 't' does not exist as expected`, ...), which the command
 * prints as `Error while executing topic command : <message>`.
 *
 * `--list` and `--describe` read with our own protocol client (kafkajs fails any Metadata answer
 * holding an offline partition's LEADER_NOT_AVAILABLE, which Kafka's admin client ignores):
 * Metadata v≤12 (partitions, live brokers, topic ids for `TopicId:` and `--topic-id` from v10),
 * DescribeConfigs (overrides, `min.insync.replicas` for the report options) and
 * ListPartitionReassignments (`Adding Replicas:`, `Removing Replicas:`, the replication factor
 * without adding replicas), falling back to kafkajs (Metadata v6, no ids, no reassignments) when
 * the connection needs SASL. ELR is unknown (printed `N/A`, as Kafka's tool prints after falling
 * back to Metadata).
 */
import {clientSecurity} from '../admin/client-properties.js'
import type {Admin, ITopicConfig} from 'kafkajs'
import {TerseError} from '../errors.js'
import {connectAdmin, isInternalTopic, kafkaErrorCodeOf, parseBootstrapServers, readPropertiesFile, toKafkaMessage, type ClientProperties} from '../admin/admin-client.js'
import {BrokerConnection} from '../admin/protocol-client.js'
import {MetadataApi, type MetadataResponse} from '../../protocol/generated/messages/metadata.js'
import {CreateTopicsApi, type CreateTopicsResponse} from '../../protocol/generated/messages/create-topics.js'
import {ListPartitionReassignmentsApi, type ListPartitionReassignmentsResponse} from '../../protocol/generated/messages/list-partition-reassignments.js'
import {DescribeConfigsApi, type DescribeConfigsResponse} from '../../protocol/generated/messages/describe-configs.js'
import {errorMessage} from '../../protocol/errors.js'
import {ZERO_UUID} from '../../protocol/primitives/uuid-text.js'
import type {TopicCommandOptions} from './topic-options.js'
import {topicNameProblem, topicPattern} from './topic-options.js'
import type {DescribeFilter, TopicInfo} from './render-topics.js'

/** A failure of a topic command reported by the cluster (printed as `Error while executing topic command : ...`). */
export class TopicCommandError extends TerseError {
  constructor(message: string, opts: {kafkaErrorCode?: number, cause?: unknown} = {}) {
    super(message, opts)
    this.name = 'TopicCommandError'
  }
}

/** kafkajs config resource type TOPIC / BROKER, and config source DEFAULT_CONFIG. */
const RESOURCE_TOPIC = 2
const RESOURCE_BROKER = 4
const SOURCE_DEFAULT_CONFIG = 5

/** Result of `--create`. `created` is false when `--if-not-exists` skipped an existing topic. */
export interface CreateResult { topic: string, created: boolean }
/** Result of `--describe`: topics in output order plus the facts the filters need. */
export interface DescribeResult { topics: TopicInfo[], filter: DescribeFilter }

type Reassignment = {replicas: number[], addingReplicas: number[], removingReplicas: number[]}

/** What `--describe` reads from the cluster. */
interface DescribeFacts {
  /** Live brokers (Metadata's broker list). */
  brokers: Set<number>
  topics: {name: string, topicId: string | null, partitions: {partition: number, leader: number, replicas: number[], isr: number[]}[]}[]
  /** Topic → config entries; `isDefault` when the source is DEFAULT_CONFIG. */
  configs: Map<string, {name: string, value: string | null, isDefault: boolean}[]>
  /** `topic-partition` → ongoing reassignment. */
  reassignments: Map<string, Reassignment>
}

/** Metadata v1-12 of the named topics (all when null), partitions kept whatever their error; null before v1. */
async function sendMetadata(conn: BrokerConnection, names: string[] | null): Promise<MetadataResponse | null> {
  const version = conn.version(MetadataApi, 12)
  if (version < 1) return null
  const topics = names === null ? null : names.map((name) => ({name, topicId: ZERO_UUID}))
  return await conn.send(MetadataApi, version, {topics, allowAutoTopicCreation: false}) as MetadataResponse
}

export class TopicService {
  private constructor(private readonly admin: Admin, private readonly bootstrapServer: string, private readonly properties: ClientProperties) {}

  /** Connects to `--bootstrap-server` with the `--command-config` properties. */
  static async connect(opts: Pick<TopicCommandOptions, 'bootstrapServer' | 'commandConfig'>): Promise<TopicService> {
    const properties = opts.commandConfig === undefined ? {} : readPropertiesFile(opts.commandConfig)
    const admin = await connectAdmin({bootstrapServer: opts.bootstrapServer, properties, clientId: 'kts-topics'})
    return new TopicService(admin, opts.bootstrapServer, properties)
  }

  /**
   * Metadata v10+ over our protocol client, for topic ids: `names` → ids, or one id → its name.
   * Returns null when the cluster cannot answer it (old broker, SASL).
   */
  private metadataWithIds(topics: Array<{name?: string, topicId?: string}>): Promise<MetadataResponse | null> {
    return this.withOwnClient(async (conn) => {
      const version = conn.version(MetadataApi, 12)
      if (version < 10) return null
      return await conn.send(MetadataApi, version, {topics: topics.map((t) => ({name: t.name ?? null, topicId: t.topicId ?? ZERO_UUID})), allowAutoTopicCreation: false}) as MetadataResponse
    })
  }

  /**
   * Metadata (v1-12) of the named topics (all when null) over our protocol client, which, unlike
   * kafkajs, keeps partitions answered with an error (an offline partition: LEADER_NOT_AVAILABLE,
   * leader -1). Null when the cluster cannot answer it (SASL, no connection).
   */
  private ownMetadata(names: string[] | null): Promise<MetadataResponse | null> {
    return this.withOwnClient((conn) => sendMetadata(conn, names))
  }

  /**
   * What `--describe` prints, over one connection of our protocol client: Metadata (partitions,
   * live brokers, topic ids), DescribeConfigs (overrides, min.insync.replicas) and
   * ListPartitionReassignments (as Kafka's `listAllReassignments`: none when the cluster cannot
   * tell). Null when our client cannot be used (SASL, no connection).
   */
  private describeFacts(names: string[]): Promise<DescribeFacts | null> {
    return this.withOwnClient(async (conn) => {
      const md = await sendMetadata(conn, names)
      if (md === null) return null
      const cv = conn.version(DescribeConfigsApi, 4)
      const configs = await conn.send(DescribeConfigsApi, cv, {
        resources: names.map((resourceName) => ({resourceType: RESOURCE_TOPIC, resourceName, configurationKeys: null})), includeSynonyms: false, includeDocumentation: false,
      }) as DescribeConfigsResponse
      const failed = configs.results.find((r) => r.errorCode !== 0)
      if (failed) throw new TopicCommandError(failed.errorMessage ?? errorMessage(failed.errorCode), {kafkaErrorCode: failed.errorCode})
      const reassignments = new Map<string, Reassignment>()
      let rv = -1
      try {
        rv = conn.version(ListPartitionReassignmentsApi, 0)
      } catch {
        // an older cluster: no reassignments shown
      }
      if (rv >= 0) {
        const r = await conn.send(ListPartitionReassignmentsApi, rv, {timeoutMs: 30_000, topics: null}) as ListPartitionReassignmentsResponse
        for (const t of r.errorCode === 0 ? r.topics : []) {
          for (const p of t.partitions) reassignments.set(`${t.name}-${p.partitionIndex}`, {replicas: p.replicas, addingReplicas: p.addingReplicas, removingReplicas: p.removingReplicas})
        }
      }
      return {
        brokers: new Set(md.brokers.map((b) => b.nodeId)),
        topics: md.topics.filter((t) => t.errorCode === 0 && t.name !== null).map((t) => ({
          name: t.name as string, topicId: t.topicId,
          partitions: t.partitions.map((p) => ({partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes})),
        })),
        configs: new Map(configs.results.map((r) => [r.resourceName, r.configs.map((c) => ({
          name: c.name, value: c.value, isDefault: cv >= 1 ? c.configSource === SOURCE_DEFAULT_CONFIG : c.isDefault,
        }))])),
        reassignments,
      }
    }, (err) => err instanceof TopicCommandError)
  }

  /** `describeFacts` through kafkajs (SASL): no topic ids, no reassignments; fails while a partition is offline. */
  private async describeFactsWithKafkajs(names: string[]): Promise<DescribeFacts> {
    const [metadata, configs, cluster, withIds] = await Promise.all([
      this.admin.fetchTopicMetadata({topics: names}),
      this.admin.describeConfigs({resources: names.map((name) => ({type: RESOURCE_TOPIC, name})), includeSynonyms: false}),
      this.admin.describeCluster(),
      this.metadataWithIds(names.map((name) => ({name}))),
    ])
    const ids = new Map((withIds?.topics ?? []).map((t) => [t.name, t.topicId]))
    return {
      brokers: new Set(cluster.brokers.map((b) => b.nodeId)),
      topics: metadata.topics.map((t) => ({
        name: t.name, topicId: ids.get(t.name) ?? null,
        partitions: t.partitions.map((p) => ({partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr})),
      })),
      configs: new Map(configs.resources.map((r) => [r.resourceName, r.configEntries.map((e) => ({
        name: e.configName, value: e.configValue, isDefault: e.configSource === SOURCE_DEFAULT_CONFIG || (e.configSource === undefined && e.isDefault),
      }))])),
      reassignments: new Map(),
    }
  }

  /**
   * The broker's own error message for creating `spec` (CreateTopics v5+ with validateOnly), which
   * kafkajs drops; null when there is none or it cannot be asked.
   */
  private brokerCreateMessage(spec: ITopicConfig): Promise<string | null> {
    return this.withOwnClient(async (conn) => {
      const version = conn.version(CreateTopicsApi, 7)
      if (version < 1) return null
      const res = await conn.send(CreateTopicsApi, version, {
        validateOnly: true,
        timeoutMs: 30_000,
        topics: [{
          name: spec.topic,
          numPartitions: spec.replicaAssignment ? -1 : spec.numPartitions ?? -1,
          replicationFactor: spec.replicaAssignment ? -1 : spec.replicationFactor ?? -1,
          assignments: (spec.replicaAssignment ?? []).map((a) => ({partitionIndex: a.partition, brokerIds: a.replicas})),
          configs: (spec.configEntries ?? []).map((c) => ({name: c.name, value: c.value})),
        }],
      }) as CreateTopicsResponse
      const t = res.topics[0]
      return t !== undefined && t.errorCode !== 0 && t.errorMessage ? t.errorMessage : null
    })
  }

  /**
   * Runs `fn` on a connection of our protocol client to the first bootstrap server; null on any
   * failure (except those `rethrow` picks).
   */
  private async withOwnClient<T>(fn: (conn: BrokerConnection) => Promise<T | null>, rethrow: (err: unknown) => boolean = () => false): Promise<T | null> {
    const security = clientSecurity(this.properties)
    const [server] = parseBootstrapServers(this.bootstrapServer)
    const i = server.lastIndexOf(':')
    let conn: BrokerConnection | undefined
    try {
      conn = await BrokerConnection.connect({host: server.slice(0, i), port: Number(server.slice(i + 1)), clientId: 'kts-topics', security})
      return await fn(conn)
    } catch (err) {
      if (rethrow(err)) throw err
      return null
    } finally {
      conn?.close()
    }
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined)
  }

  /**
   * Creates `opts.topic`. Without `--partitions`/`--replication-factor` the broker defaults
   * (`num.partitions`, `default.replication.factor`) are read with DescribeConfigs first, since
   * kafkajs speaks CreateTopics v3 (no -1 defaults, KIP-464).
   * @throws TopicCommandError `Topic 't' already exists.` (unless `ifNotExists`), RF/name/config errors.
   */
  async create(opts: TopicCommandOptions): Promise<CreateResult> {
    const topic = opts.topic as string
    const spec: ITopicConfig = {topic, configEntries: Object.entries(opts.configs).map(([name, value]) => ({name, value}))}
    if (opts.replicaAssignment !== undefined) {
      spec.replicaAssignment = opts.replicaAssignment.map((replicas, partition) => ({partition, replicas}))
    } else {
      let {partitions, replicationFactor} = opts
      if (partitions === undefined || replicationFactor === undefined) {
        const defaults = await this.brokerDefaults()
        partitions ??= defaults.numPartitions
        replicationFactor ??= defaults.replicationFactor
      }
      spec.numPartitions = partitions
      spec.replicationFactor = replicationFactor
    }
    let created: boolean
    try {
      created = await this.admin.createTopics({topics: [spec], waitForLeaders: false})
    } catch (err) {
      const mapped = await this.mapError(err, topic, spec.replicationFactor)
      const brokerMessage = await this.brokerCreateMessage(spec)
      throw brokerMessage === null ? mapped : new TopicCommandError(brokerMessage, {kafkaErrorCode: mapped.kafkaErrorCode, cause: err})
    }
    if (!created && !opts.ifNotExists) throw new TopicCommandError(`Topic '${topic}' already exists.`, {kafkaErrorCode: 36})
    return {topic, created}
  }

  /** Sorted topic names matching `--topic` (all when absent), internal ones unless `excludeInternal`. */
  async list(opts: Pick<TopicCommandOptions, 'topic' | 'excludeInternal'>): Promise<string[]> {
    let names: string[]
    // Our Metadata request first: kafkajs fails the whole listing when a partition is offline.
    const own = await this.ownMetadata(null)
    if (own !== null) {
      names = own.topics.filter((t) => t.errorCode === 0 && t.name !== null).map((t) => t.name as string)
    } else {
      try {
        names = await this.admin.listTopics()
      } catch (err) {
        throw new TopicCommandError(toKafkaMessage(err), {kafkaErrorCode: kafkaErrorCodeOf(err), cause: err})
      }
    }
    const re = opts.topic === undefined ? null : topicPattern(opts.topic)
    return names.filter((n) => (re === null || re.test(n)) && !(opts.excludeInternal && isInternalTopic(n))).sort()
  }

  /** Names matched by `--topic`; none without `ifExists` → `Topic 't' does not exist as expected`. */
  private async matching(opts: TopicCommandOptions): Promise<string[]> {
    const names = await this.list({topic: opts.topic, excludeInternal: opts.excludeInternal})
    if (names.length === 0 && opts.topic !== undefined && !opts.ifExists) {
      throw new TopicCommandError(`Topic '${opts.topic}' does not exist as expected`, {kafkaErrorCode: 3})
    }
    return names
  }

  /** Metadata and non-default configs of the matching topics (all topics without `--topic`). */
  async describe(opts: TopicCommandOptions): Promise<DescribeResult> {
    let names: string[]
    if (opts.topicId !== undefined) {
      const md = await this.metadataWithIds([{topicId: opts.topicId}])
      if (md === null) throw new TopicCommandError('--topic-id needs a cluster that answers Metadata v10+')
      const found = md.topics.find((t) => t.errorCode === 0 && t.name !== null)
      if (found === undefined && !opts.ifExists) throw new TopicCommandError(`TopicId '${opts.topicId}' does not exist as expected`, {kafkaErrorCode: 100})
      names = found === undefined ? [] : [found.name as string]
    } else {
      names = await this.matching(opts)
    }
    const topics: TopicInfo[] = []
    const minIsr = new Map<string, number>()
    let liveBrokers = new Set<number>()
    try {
      if (names.length > 0) {
        const facts = await this.describeFacts(names) ?? await this.describeFactsWithKafkajs(names)
        liveBrokers = facts.brokers
        for (const t of facts.topics) {
          const entries = facts.configs.get(t.name) ?? []
          const isr = entries.find((e) => e.name === 'min.insync.replicas')
          if (isr?.value) minIsr.set(t.name, Number(isr.value))
          topics.push({
            name: t.name,
            topicId: t.topicId,
            internal: isInternalTopic(t.name),
            configs: entries.filter((e) => !e.isDefault).map((e) => ({name: e.name, value: e.value})),
            partitions: t.partitions.map((p) => ({
              // Kafka's admin client has no leader node for an id outside the response's brokers.
              partition: p.partition, leader: liveBrokers.has(p.leader) ? p.leader : -1, replicas: p.replicas, isr: p.isr, elr: null, lastKnownElr: null,
              reassignment: facts.reassignments.get(`${t.name}-${p.partition}`) ?? null,
            })),
          })
        }
      }
    } catch (err) {
      throw await this.mapError(err, opts.topic ?? '')
    }
    topics.sort((a, b) => a.name.localeCompare(b.name))
    return {
      topics,
      filter: {
        reportUnderReplicated: opts.reportUnderReplicated,
        reportUnavailable: opts.reportUnavailable,
        reportUnderMinIsr: opts.reportUnderMinIsr,
        reportAtMinIsr: opts.reportAtMinIsr,
        topicsWithOverrides: opts.topicsWithOverrides,
        liveBrokers,
        minIsr,
      },
    }
  }

  /**
   * Deletes the matching topics; returns their names. Internal topics cannot be deleted.
   * `confirm` (kts only), when given, is asked before deleting more than one topic; when it
   * answers false nothing is deleted and null is returned.
   */
  async delete(opts: TopicCommandOptions, confirm?: (names: string[]) => Promise<boolean>): Promise<string[] | null> {
    const names = await this.matching(opts)
    const internal = names.find(isInternalTopic)
    if (internal !== undefined) throw new TopicCommandError(`Topic ${internal} is a kafka internal topic and is not allowed to be marked for deletion.`)
    if (names.length === 0) return names
    if (names.length > 1 && confirm !== undefined && !await confirm(names)) return null
    try {
      await this.admin.deleteTopics({topics: names})
    } catch (err) {
      throw await this.mapError(err, names[0])
    }
    return names
  }

  /** Raises the partition count of the matching topics to `--partitions` (with `--replica-assignment` for the new ones). */
  async alter(opts: TopicCommandOptions): Promise<string[]> {
    const names = await this.matching(opts)
    if (names.length === 0) return names
    const count = opts.partitions as number
    for (const topic of names) {
      try {
        const current = await this.partitionCount(topic)
        const assignments = opts.replicaAssignment?.slice(current)
        await this.admin.createPartitions({topicPartitions: [{topic, count, assignments}]})
      } catch (err) {
        throw await this.mapError(err, topic, undefined, count)
      }
    }
    return names
  }

  private async partitionCount(topic: string): Promise<number> {
    const md = await this.admin.fetchTopicMetadata({topics: [topic]})
    return md.topics[0]?.partitions.length ?? 0
  }

  /** Broker defaults for CreateTopics (`num.partitions`, `default.replication.factor`; Kafka's 1/1 when unknown). */
  private async brokerDefaults(): Promise<{numPartitions: number, replicationFactor: number}> {
    try {
      const cluster = await this.admin.describeCluster()
      const broker = cluster.controller ?? cluster.brokers[0]?.nodeId
      if (broker === undefined) return {numPartitions: 1, replicationFactor: 1}
      const res = await this.admin.describeConfigs({
        resources: [{type: RESOURCE_BROKER, name: String(broker), configNames: ['num.partitions', 'default.replication.factor']}],
        includeSynonyms: false,
      })
      const entries = res.resources[0]?.configEntries ?? []
      const get = (name: string): number => {
        const n = Number(entries.find((e) => e.configName === name)?.configValue)
        return Number.isInteger(n) && n > 0 ? n : 1
      }
      return {numPartitions: get('num.partitions'), replicationFactor: get('default.replication.factor')}
    } catch {
      return {numPartitions: 1, replicationFactor: 1}
    }
  }

  /**
   * kafkajs drops the broker's error message (it speaks old API versions), so the messages
   * Kafka's controller would send are rebuilt from the error code plus cluster facts.
   */
  private async mapError(err: unknown, topic: string, replicationFactor?: number, newCount?: number): Promise<TopicCommandError> {
    const code = kafkaErrorCodeOf(err)
    let message = toKafkaMessage(err)
    try {
      switch (code) {
        case 36: message = `Topic '${topic}' already exists.`; break
        case 3: message = `Topic '${topic}' does not exist as expected`; break
        case 17: message = topicNameProblem(topic) ?? message; break
        case 38: if (replicationFactor !== undefined) {
          const brokers = (await this.admin.describeCluster()).brokers.length
          message = `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers} broker(s) are registered.`
        } break
        case 37: if (newCount !== undefined) {
          const current = await this.partitionCount(topic)
          message = current === newCount ? `Topic already has ${current} partition(s).`
            : `The topic ${topic} currently has ${current} partition(s); ${newCount} would not be an increase.`
        } break
      }
    } catch {
      // keep the kafkajs message
    }
    return new TopicCommandError(message, {kafkaErrorCode: code, cause: err})
  }
}
