/**
 * The JSON files of `kts reassign-partitions` (Kafka 3.9 `ReassignPartitionsCommand`):
 * - `--reassignment-json-file`: `{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[1,2],"log_dirs":["any","any"]}]}`
 *   (`log_dirs` optional; `version` defaults to 1, the only one);
 * - `--topics-to-move-json-file`: `{"topics":[{"topic":"foo"}],"version":1}`.
 * Parsing keeps duplicates so they can be refused with Kafka's messages; output is Jackson's compact
 * JSON, partitions sorted by topic then partition. Failures are `ReassignInputError`s (Kafka's tool
 * prints them as `Error: <message>`).
 */
import {asArray, asInt, asObject, asString, field, JsonMappingError, parseJson, type Json} from './kafka-json.js'
import {tpName} from './partition-admin.js'

/** The log directory value meaning "wherever the broker puts it". */
export const ANY_LOG_DIR = 'any'

/** A bad reassignment or topics file, or bad `--broker-list` (Kafka `AdminCommandFailedException` / `AdminOperationException`). */
export class ReassignInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReassignInputError'
  }
}

/** One entry of a reassignment file. */
export interface PartitionTarget {
  topic: string
  partition: number
  replicas: number[]
  /** Per replica, `any` or an absolute log directory. */
  logDirs: string[]
}

function readVersion(o: {[key: string]: Json}): number {
  return Object.prototype.hasOwnProperty.call(o, 'version') ? asInt(o.version) : 1
}

function mapping<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof JsonMappingError) throw new ReassignInputError(err.message)
    throw err
  }
}

/**
 * Parses a reassignment file without removing duplicates (Kafka `parsePartitionReassignmentData`).
 * @throws ReassignInputError for text that is not JSON (Jackson's parse error), `Not supported version field value 2`,
 *   `Size of replicas list [1, 2] is different from size of log dirs list [any] for partition foo-0`, mapping errors
 */
export function parseReassignmentJson(text: string): PartitionTarget[] {
  const js = parseJson(text)
  if (js === undefined) throw new ReassignInputError(`com.fasterxml.jackson.core.JsonParseException: ${jsonSyntaxProblem(text)}`)
  return mapping(() => {
    const o = asObject(js)
    const version = readVersion(o)
    if (version !== 1) throw new ReassignInputError(`Not supported version field value ${version}`)
    if (!Object.prototype.hasOwnProperty.call(o, 'partitions')) return []
    return asArray(o.partitions).map(entry => {
      const p = asObject(entry)
      const topic = asString(field(p, 'topic'))
      const partition = asInt(field(p, 'partition'))
      const replicas = asArray(field(p, 'replicas')).map(asInt)
      const logDirs = Object.prototype.hasOwnProperty.call(p, 'log_dirs') ? asArray(p.log_dirs).map(asString) : replicas.map(() => ANY_LOG_DIR)
      if (replicas.length !== logDirs.length) {
        throw new ReassignInputError(`Size of replicas list [${replicas.join(', ')}] is different from size of log dirs list [${logDirs.join(', ')}] for partition ${tpName(topic, partition)}`)
      }
      return {topic, partition, replicas, logDirs}
    })
  })
}

/** The message JSON.parse gives for bad text (Jackson's differs; the class name is Kafka's). */
function jsonSyntaxProblem(text: string): string {
  try {
    JSON.parse(text)
    return 'Unexpected input'
  } catch (err) {
    return (err as Error).message
  }
}

/**
 * The checks `--execute` makes before anything is sent (Kafka `parseExecuteAssignmentArgs`).
 * @throws ReassignInputError `Partition reassignment list cannot be empty`, `Partition replica list cannot be empty`,
 *   `Partition reassignment contains duplicate topic partitions: foo-0`,
 *   `Partition replica lists may not contain duplicate entries: foo-0 contains multiple entries for 1`
 */
export function checkExecuteTargets(targets: readonly PartitionTarget[]): void {
  if (targets.length === 0) throw new ReassignInputError('Partition reassignment list cannot be empty')
  if (targets.some(t => t.replicas.length === 0)) throw new ReassignInputError('Partition replica list cannot be empty')
  const names = targets.map(t => tpName(t.topic, t.partition))
  const dupParts = duplicates(names)
  if (dupParts.length > 0) throw new ReassignInputError(`Partition reassignment contains duplicate topic partitions: ${dupParts.join(',')}`)
  const dupReplicas = targets
    .map(t => ({name: tpName(t.topic, t.partition), dups: duplicates(t.replicas)}))
    .filter(d => d.dups.length > 0)
  if (dupReplicas.length > 0) {
    const msg = dupReplicas.map(d => `${d.name} contains multiple entries for ${d.dups.join(',')}`).join('. ')
    throw new ReassignInputError(`Partition replica lists may not contain duplicate entries: ${msg}`)
  }
}

/** Values that occur more than once, sorted (Kafka `ToolsUtils.duplicates`, a HashSet). */
export function duplicates<T extends string | number>(items: readonly T[]): T[] {
  const dups = [...new Set(items.filter((x, i) => items.indexOf(x) !== i))]
  return dups.sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
}

/**
 * `--topics-to-move-json-file` and `--broker-list` (Kafka `parseGenerateAssignmentArgs`).
 * @throws ReassignInputError `For input string: "x"`, `Broker list contains duplicate entries: [1]`,
 *   `List of topics to reassign contains duplicate entries: [foo]`, `The input string is not a valid JSON`,
 *   `Not supported version field value 2`, mapping errors
 */
export function parseGenerateArgs(topicsJson: string, brokerList: string): {brokers: number[], topics: string[]} {
  const brokers = brokerList.split(',').map(s => {
    if (!/^[+-]?\d+$/.test(s) || Math.abs(Number(s)) > 2147483647) throw new ReassignInputError(`For input string: "${s}"`)
    return Number(s)
  })
  const dupBrokers = duplicates(brokers)
  if (dupBrokers.length > 0) throw new ReassignInputError(`Broker list contains duplicate entries: [${dupBrokers.join(', ')}]`)
  const js = parseJson(topicsJson)
  if (js === undefined) throw new ReassignInputError('The input string is not a valid JSON')
  const topics = mapping(() => {
    const o = asObject(js)
    const version = readVersion(o)
    if (version !== 1) throw new ReassignInputError(`Not supported version field value ${version}`)
    if (!Object.prototype.hasOwnProperty.call(o, 'topics')) return []
    return asArray(o.topics).map(t => asString(field(asObject(t), 'topic')))
  })
  const dupTopics = duplicates(topics)
  if (dupTopics.length > 0) throw new ReassignInputError(`List of topics to reassign contains duplicate entries: [${dupTopics.join(', ')}]`)
  return {brokers, topics}
}

/**
 * `{"version":1,"partitions":[...]}` with `log_dirs` `any` for every replica (Kafka
 * `formatAsReassignmentJson`), partitions sorted by topic then partition.
 */
export function formatReassignmentJson(assignment: ReadonlyMap<string, {topic: string, partition: number, replicas: readonly number[]}>): string {
  const partitions = [...assignment.values()].sort(compareTopicPartitions).map(p => ({
    topic: p.topic, partition: p.partition, replicas: [...p.replicas], log_dirs: p.replicas.map(() => ANY_LOG_DIR),
  }))
  return JSON.stringify({version: 1, partitions})
}

/** Kafka `compareTopicPartitions`: by topic (String.compareTo), then partition. */
export function compareTopicPartitions(a: {topic: string, partition: number}, b: {topic: string, partition: number}): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
}
