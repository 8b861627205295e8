/**
 * Option validation of `kts leader-election` (Kafka 3.9 `LeaderElectionCommand`
 * `LeaderElectionCommandOptions.validate` and `parseReplicaElectionData`), with Kafka's messages.
 * Pure apart from reading `--path-to-json-file`.
 */
import fs from 'node:fs'
import {TerseError, UsageError} from '../errors.js'
import {resolveBootstrapServer} from '../flags.js'
import {asArray, asInt, asObject, asString, field, JsonMappingError, parseJson} from './kafka-json.js'
import {tpName} from './partition-admin.js'

/** Raw command-line values, as parsed by oclif (Kafka's option names). */
export interface RawLeaderElectionFlags {
  'bootstrap-server'?: string
  'admin.config'?: string
  'election-type'?: string
  topic?: string
  partition?: string
  'all-topic-partitions'?: boolean
  'path-to-json-file'?: string
}

/** Kafka `ElectionType`: PREFERRED (0) or UNCLEAN (1). */
export type ElectionTypeName = 'PREFERRED' | 'UNCLEAN'

export interface LeaderElectionOptions {
  bootstrapServer: string
  adminConfig?: string
  electionType: ElectionTypeName
  /** The partitions to elect for; null for `--all-topic-partitions`. */
  partitions: {topic: string, partition: number}[] | null
}

/**
 * Validates the flags and reads the JSON file.
 * @throws UsageError `Missing required option(s): election-type`, `One and only one of the following
 *   options is required: topic, all-topic-partitions, path-to-json-file`, `Missing required option(s): partition`,
 *   `Option partition is only allowed if topic is used`, `Cannot parse argument 'x' of option partition`;
 *   TerseError for the JSON file (see `parseElectionJson`)
 */
export function validateLeaderElectionOptions(raw: RawLeaderElectionFlags): LeaderElectionOptions {
  const bootstrapServer = resolveBootstrapServer(raw['bootstrap-server'])
  if (raw['election-type'] === undefined) throw new UsageError('Missing required option(s): election-type')
  const given = [raw.topic !== undefined, raw['all-topic-partitions'] === true, raw['path-to-json-file'] !== undefined].filter(Boolean).length
  if (given !== 1) throw new UsageError('One and only one of the following options is required: topic, all-topic-partitions, path-to-json-file')
  if (raw.topic !== undefined && raw.partition === undefined) throw new UsageError('Missing required option(s): partition')
  if (raw.topic === undefined && raw.partition !== undefined) throw new UsageError('Option partition is only allowed if topic is used')
  const type = raw['election-type'].trim().toUpperCase()
  if (type !== 'PREFERRED' && type !== 'UNCLEAN') throw new UsageError(`Cannot parse argument '${raw['election-type']}' of option election-type`)
  let partitions: {topic: string, partition: number}[] | null = null
  if (raw.topic !== undefined) {
    const p = raw.partition!.trim()
    const n = Number(p)
    if (!/^[+-]?\d+$/.test(p) || n > 2147483647 || n < -2147483648) throw new UsageError(`Cannot parse argument '${raw.partition}' of option partition`)
    partitions = [{topic: raw.topic, partition: n}]
  } else if (raw['path-to-json-file'] !== undefined) {
    partitions = parseElectionJson(readJsonFile(raw['path-to-json-file']))
  }
  return {bootstrapServer, adminConfig: raw['admin.config'], electionType: type, partitions}
}

/** Reads a JSON file. @throws TerseError `java.nio.file.NoSuchFileException: <path>` when it is missing. */
export function readJsonFile(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new TerseError(code === 'ENOENT' ? `java.nio.file.NoSuchFileException: ${path}` : `java.io.IOException: ${(err as Error).message}`, {cause: err})
  }
}

/**
 * `{"partitions": [{"topic": "foo", "partition": 1}, ...]}` → the partitions (Kafka
 * `parseReplicaElectionData`).
 * @throws TerseError `Replica election data is empty` (no JSON), `Replica election data is missing "partitions" field`,
 *   `Replica election data contains duplicate partitions: [foo-1]`, Jackson's mapping errors
 */
export function parseElectionJson(text: string): {topic: string, partition: number}[] {
  const js = parseJson(text)
  if (js === undefined || js === null) throw new TerseError('Replica election data is empty')
  try {
    const o = asObject(js)
    if (!Object.prototype.hasOwnProperty.call(o, 'partitions')) throw new TerseError('Replica election data is missing "partitions" field')
    const out = asArray(o.partitions).map(entry => {
      const p = asObject(entry)
      return {topic: asString(field(p, 'topic')), partition: asInt(field(p, 'partition'))}
    })
    const names = out.map(p => tpName(p.topic, p.partition))
    const duplicates = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))].sort()
    if (duplicates.length > 0) throw new TerseError(`Replica election data contains duplicate partitions: [${duplicates.join(', ')}]`)
    return out.filter((p, i) => names.indexOf(tpName(p.topic, p.partition)) === i)
  } catch (err) {
    if (err instanceof JsonMappingError) throw new TerseError(err.javaText, {cause: err})
    throw err
  }
}
