/**
 * The `--offset-json-file` of `kts delete-records` (Kafka 3.9 `DeleteRecordsCommand.parseOffsetJsonStringWithoutDedup`):
 * `{"partitions":[{"topic":"foo","partition":1,"offset":1}],"version":1}`; `version` defaults to 1,
 * `offset` -1 means the high watermark.
 */
import {TerseError} from '../errors.js'
import {asArray, asInt, asObject, asString, field, JsonMappingError, parseJson, type Json} from '../replicas/kafka-json.js'
import {tpString, type TopicPartition} from './log-admin.js'

/** Jackson's message for a JSON number that is not a `long`. */
function asLong(v: Json): number {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v
  throw new JsonMappingError(`Expected \`Long\` value, received ${JSON.stringify(v)}`)
}

/**
 * Parses the file's text → the partitions with their offsets, in file order.
 * @throws TerseError `The input string is not a valid JSON`, `Missing partitions field`,
 *   `Not supported version field value N`, Jackson's mapping errors,
 *   `Offset json file contains duplicate topic partitions: foo-1,bar-0`
 */
export function parseOffsetJson(text: string): (TopicPartition & {offset: number})[] {
  const js = parseJson(text)
  if (js === undefined || js === null) throw new TerseError('The input string is not a valid JSON')
  try {
    const o = asObject(js)
    const version = Object.prototype.hasOwnProperty.call(o, 'version') ? asInt(o.version) : 1
    if (version !== 1) throw new TerseError(`Not supported version field value ${version}`)
    if (!Object.prototype.hasOwnProperty.call(o, 'partitions')) throw new TerseError('Missing partitions field')
    const entries = asArray(o.partitions).map(entry => {
      const p = asObject(entry)
      return {topic: asString(field(p, 'topic')), partition: asInt(field(p, 'partition')), offset: asLong(field(p, 'offset'))}
    })
    const names = entries.map(tpString)
    const duplicates = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))]
    if (duplicates.length > 0) throw new TerseError(`Offset json file contains duplicate topic partitions: ${duplicates.join(',')}`)
    return entries
  } catch (err) {
    if (err instanceof JsonMappingError) throw new TerseError(err.javaText, {cause: err})
    throw err
  }
}
