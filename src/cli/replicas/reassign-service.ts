/**
 * The actions of `kts reassign-partitions` (Kafka 3.9 `ReassignPartitionsCommand`): `--generate`,
 * `--execute`, `--verify`, `--cancel`, `--list`, over `PartitionAdmin` (works against any Kafka
 * cluster). Text goes to `out` as Kafka prints it; failures are `ReassignCommandError`s, `terse`
 * when Kafka prints only the message (`TerseException`), else Kafka prints `Error: <message>`.
 *
 * Not supported: moving replicas between log directories of a broker (`log_dirs` other than `any`,
 * AlterReplicaLogDirs) — refused before anything is changed.
 */
import {TerseError} from '../errors.js'
import {tpName, type NodeInfo, type PartitionAdmin} from './partition-admin.js'
import {
  CANNOT_EXECUTE_BECAUSE_OF_EXISTING_MESSAGE, YOU_MUST_RUN_VERIFY_PERIODICALLY_MESSAGE, renderCancelled, renderClearing, renderCurrentAssignment,
  renderGenerate, renderPartitionErrors, renderReassignments, renderStarted, renderStates, type PartitionReassignmentState,
} from './render-reassign.js'
import {AssignmentError, assignReplicasToBrokers, type BrokerRack} from './replica-assignment.js'
import {ANY_LOG_DIR, ReassignInputError, checkExecuteTargets, parseGenerateArgs, parseReassignmentJson, type PartitionTarget} from './reassignment-json.js'
import {brokerThrottles, clearThrottles, proposedMoveMap, reassigningBrokers, topicThrottles} from './reassign-throttles.js'

/** A failure of the tool; `terse`: printed as is, else as `Error: <message>`. */
export class ReassignCommandError extends TerseError {
  constructor(message: string, readonly terse: boolean, opts: {kafkaErrorCode?: number, cause?: unknown} = {}) {
    super(message, opts)
    this.name = 'ReassignCommandError'
  }

  /** What Kafka's tool prints on stdout. */
  get kafkaText(): string {
    return this.terse ? this.message : `Error: ${this.message}`
  }
}

type Part = {topic: string, partition: number, replicas: number[]}
type Assignment = Map<string, Part>

/** Wraps input and assignment errors (Kafka prints them as `Error: ...`). */
function asCommandError(err: unknown): unknown {
  if (err instanceof ReassignInputError || err instanceof AssignmentError) return new ReassignCommandError(err.message, false, {cause: err})
  if (err instanceof TerseError && !(err instanceof ReassignCommandError)) return new ReassignCommandError(err.message, false, {cause: err, kafkaErrorCode: err.kafkaErrorCode})
  return err
}

/** `--json` results. */
export type ReassignResult =
  | {action: 'generate', current: Part[], proposed: Part[]}
  | {action: 'execute', current: Part[], started: string[]}
  | {action: 'verify', partitions: PartitionReassignmentState[]}
  | {action: 'cancel', cancelled: string[]}
  | {action: 'list', reassignments: {partition: string, replicas: number[], addingReplicas: number[], removingReplicas: number[]}[]}

export class ReassignService {
  constructor(private readonly admin: PartitionAdmin, private readonly out: (text: string) => void) {}

  /** Runs `fn`, turning input/Kafka errors into `ReassignCommandError`s. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw asCommandError(err)
    }
  }

  /** `--generate` (Kafka `generateAssignment`). */
  async generate(topicsJson: string, brokerList: string, rackAware: boolean): Promise<ReassignResult> {
    const {brokers, topics} = parseGenerateArgs(topicsJson, brokerList)
    const current = await this.assignmentForTopics([...new Set(topics)])
    const metas = await this.brokerMetadata(brokers, rackAware)
    const proposed: Assignment = new Map()
    const byTopic = new Map<string, Part[]>()
    for (const p of current.values()) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p])
    for (const [topic, parts] of [...byTopic].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const rf = [...parts].sort((a, b) => a.partition - b.partition)[0].replicas.length
      for (const [partition, replicas] of assignReplicasToBrokers(metas, parts.length, rf)) proposed.set(tpName(topic, partition), {topic, partition, replicas})
    }
    this.out(renderGenerate(current, proposed))
    return {action: 'generate', current: [...current.values()], proposed: [...proposed.values()]}
  }

  /** `--execute` (Kafka `executeAssignment`). */
  async execute(json: string, additional: boolean, throttle: number, logDirThrottle: number): Promise<ReassignResult> {
    const targets = parseReassignmentJson(json)
    checkExecuteTargets(targets)
    refuseLogDirMoves(targets)
    const ongoing = await this.admin.listPartitionReassignments()
    if (!additional && ongoing.size > 0) throw new ReassignCommandError(CANNOT_EXECUTE_BECAUSE_OF_EXISTING_MESSAGE, true)
    const brokers = [...new Set(targets.flatMap(t => t.replicas))].sort((a, b) => a - b)
    const known = new Set((await this.admin.describeCluster()).map(n => n.id))
    const unknown = brokers.find(b => !known.has(b))
    if (unknown !== undefined) throw new ReassignCommandError(`Unknown broker id ${unknown}`, false)
    const current = await this.assignmentForPartitions(targets)
    this.out(renderCurrentAssignment(current))
    if (throttle >= 0 || logDirThrottle >= 0) {
      this.out(YOU_MUST_RUN_VERIFY_PERIODICALLY_MESSAGE + '\n')
      if (throttle >= 0) {
        const moves = proposedMoveMap(ongoing.values(), targets, new Map([...current].map(([k, v]) => [k, v.replicas])))
        await this.admin.incrementalAlterConfigs(topicThrottles(moves))
        await this.admin.incrementalAlterConfigs(brokerThrottles(reassigningBrokers(moves), throttle))
        this.out(`The inter-broker throttle limit was set to ${throttle} B/s\n`)
      }
      // No log directory moves (refused above): no broker gets the log-dir throttle.
      if (logDirThrottle >= 0) this.out(`The replica-alter-dir throttle limit was set to ${logDirThrottle} B/s\n`)
    }
    const outcomes = await this.admin.alterPartitionReassignments(targets.map(t => ({topic: t.topic, partition: t.partition, replicas: t.replicas})))
    const failed = outcomes.filter(o => o.error !== null)
    if (failed.length > 0) {
      throw new ReassignCommandError(renderPartitionErrors('Error reassigning partition(s):', failed.map(o => ({...o, message: o.errorMessage ?? ''}))), true,
        {kafkaErrorCode: failed[0].errorCode})
    }
    this.out(renderStarted(targets))
    return {action: 'execute', current: [...current.values()], started: targets.map(t => tpName(t.topic, t.partition))}
  }

  /** `--verify` (Kafka `verifyAssignment`). */
  async verify(json: string, preserveThrottles: boolean): Promise<ReassignResult> {
    const targets = parseReassignmentJson(json)
    refuseLogDirMoves(targets)
    const ongoing = await this.admin.listPartitionReassignments()
    const states = new Map<string, PartitionReassignmentState>()
    const notFound = targets.filter(t => !ongoing.has(tpName(t.topic, t.partition)))
    const described = notFound.length === 0 ? [] : await this.admin.describeTopics([...new Set(notFound.map(t => t.topic))])
    for (const t of targets) {
      const key = tpName(t.topic, t.partition)
      const r = ongoing.get(key)
      if (r) {
        states.set(key, {topic: t.topic, partition: t.partition, currentReplicas: r.replicas, targetReplicas: t.replicas, done: false})
        continue
      }
      const topic = described.find(d => d.name === t.topic)
      if (topic && topic.errorCode !== 0 && topic.errorCode !== UNKNOWN_TOPIC_OR_PARTITION) throw new ReassignCommandError(topic.error!.message, false, {kafkaErrorCode: topic.errorCode})
      const replicas = topic?.partitions.find(p => p.partition === t.partition)?.replicas ?? []
      states.set(key, {topic: t.topic, partition: t.partition, currentReplicas: replicas, targetReplicas: t.replicas, done: true})
    }
    this.out(renderStates([...states.values()]))
    // The replica log directory moves (none: only `any` log dirs are accepted).
    this.out('\n')
    if (ongoing.size === 0 && !preserveThrottles) await this.clearAllThrottles(targets)
    return {action: 'verify', partitions: [...states.values()]}
  }

  /** `--cancel` (Kafka `cancelAssignment`). */
  async cancel(json: string, preserveThrottles: boolean): Promise<ReassignResult> {
    const targets = parseReassignmentJson(json)
    refuseLogDirMoves(targets)
    const unique = [...new Map(targets.map(t => [tpName(t.topic, t.partition), {topic: t.topic, partition: t.partition}])).values()]
    const ongoing = await this.admin.listPartitionReassignments(unique)
    const active = [...ongoing.values()].filter(r => r.addingReplicas.length > 0 || r.removingReplicas.length > 0)
    if (active.length > 0) {
      const outcomes = await this.admin.alterPartitionReassignments(active.map(r => ({topic: r.topic, partition: r.partition, replicas: null})))
      const failed = outcomes.filter(o => o.error !== null)
      if (failed.length > 0) {
        throw new ReassignCommandError(renderPartitionErrors(`Error cancelling partition reassignment${failed.length === 1 ? '' : 's'} for:`,
          failed.map(o => ({...o, message: o.errorMessage ?? ''}))), true, {kafkaErrorCode: failed[0].errorCode})
      }
      this.out(renderCancelled(active))
    } else {
      this.out('None of the specified partition reassignments are active.\n')
    }
    this.out('None of the specified partition moves are active.')
    if (!preserveThrottles) await this.clearAllThrottles(targets)
    return {action: 'cancel', cancelled: active.map(r => tpName(r.topic, r.partition))}
  }

  /** `--list` (Kafka `listReassignments`). */
  async list(): Promise<ReassignResult> {
    const ongoing = await this.admin.listPartitionReassignments()
    this.out(renderReassignments(ongoing.values()))
    return {action: 'list', reassignments: [...ongoing.values()].map(r => ({
      partition: tpName(r.topic, r.partition), replicas: r.replicas, addingReplicas: r.addingReplicas, removingReplicas: r.removingReplicas,
    }))}
  }

  /** Removes every broker-level throttle of the cluster's and the targets' brokers and the targets' topic throttles (Kafka `clearAllThrottles`). */
  private async clearAllThrottles(targets: readonly PartitionTarget[]): Promise<void> {
    const brokers = new Set((await this.admin.describeCluster()).map(n => n.id))
    for (const t of targets) for (const r of t.replicas) brokers.add(r)
    const brokerList = [...brokers].sort((a, b) => a - b)
    const topics = [...new Set(targets.map(t => t.topic))].sort()
    const ops = clearThrottles(brokerList, topics)
    this.out(renderClearing('broker', brokerList))
    await this.admin.incrementalAlterConfigs(ops.brokers)
    this.out(renderClearing('topic', topics))
    await this.admin.incrementalAlterConfigs(ops.topics)
  }

  /**
   * The replicas of every partition of the topics (Kafka `getReplicaAssignmentForTopics`).
   * @throws ReassignCommandError `org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic foo not found.`
   */
  private async assignmentForTopics(topics: string[]): Promise<Assignment> {
    const out: Assignment = new Map()
    if (topics.length === 0) return out
    const described = await this.admin.describeTopics(topics)
    const failed = described.filter(d => d.errorCode !== 0).sort((a, b) => (a.name < b.name ? -1 : 1))[0]
    if (failed && failed.errorCode !== 0) {
      if (failed.errorCode === UNKNOWN_TOPIC_OR_PARTITION) {
        throw new ReassignCommandError(`org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Topic ${failed.name} not found.`, false, {kafkaErrorCode: failed.errorCode})
      }
      throw new ReassignCommandError(failed.error!.message, false, {kafkaErrorCode: failed.errorCode})
    }
    for (const d of described) {
      if (d.errorCode !== 0) continue
      for (const p of d.partitions) out.set(tpName(d.name, p.partition), {topic: d.name, partition: p.partition, replicas: p.replicas})
    }
    return out
  }

  /**
   * The current replicas of the named partitions (Kafka `getReplicaAssignmentForPartitions`).
   * @throws ReassignCommandError for an unknown topic or `...UnknownTopicOrPartitionException: Unable to find partition: foo-5`
   */
  private async assignmentForPartitions(parts: readonly {topic: string, partition: number}[]): Promise<Assignment> {
    const all = await this.assignmentForTopics([...new Set(parts.map(p => p.topic))])
    const out: Assignment = new Map()
    const missing: string[] = []
    for (const p of parts) {
      const key = tpName(p.topic, p.partition)
      const found = all.get(key)
      if (found) out.set(key, found)
      else if (!missing.includes(key)) missing.push(key)
    }
    if (missing.length > 0) {
      throw new ReassignCommandError(`org.apache.kafka.common.errors.UnknownTopicOrPartitionException: Unable to find partition: ${missing.sort().join(', ')}`, false,
        {kafkaErrorCode: UNKNOWN_TOPIC_OR_PARTITION})
    }
    return out
  }

  /**
   * The brokers of `--broker-list` the cluster knows, with racks unless `rackAware` is false (Kafka `getBrokerMetadata`).
   * @throws ReassignCommandError when only some of them have a rack
   */
  private async brokerMetadata(brokers: readonly number[], rackAware: boolean): Promise<BrokerRack[]> {
    const wanted = new Set(brokers)
    const nodes: NodeInfo[] = (await this.admin.describeCluster()).filter(n => wanted.has(n.id))
    const metas = nodes.map(n => ({id: n.id, rack: rackAware ? n.rack : null}))
    const rackless = metas.filter(m => m.rack === null).length
    if (rackAware && rackless !== 0 && rackless !== metas.length) {
      throw new ReassignCommandError('Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.', false)
    }
    return metas
  }
}

const UNKNOWN_TOPIC_OR_PARTITION = 3

/** kts moves no replicas between a broker's log directories (AlterReplicaLogDirs): refused up front. */
function refuseLogDirMoves(targets: readonly PartitionTarget[]): void {
  const moving = targets.find(t => t.logDirs.some(d => d !== ANY_LOG_DIR))
  if (moving) {
    throw new ReassignCommandError(`kts reassign-partitions does not move replicas between log directories yet: partition ${tpName(moving.topic, moving.partition)} names log_dirs ` +
      `[${moving.logDirs.join(', ')}]; use "any"`, true)
  }
}

