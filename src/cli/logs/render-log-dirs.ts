/**
 * The JSON line of `kts log-dirs --describe` (Kafka 3.9 `LogDirsCommand.formatAsJson`): Jackson
 * writing nested Java `HashMap`s, so object keys, brokers, log dirs and partitions come in Java
 * HashMap iteration order (`java-hash-order.ts`), e.g.
 * `{"brokers":[{"broker":1,"logDirs":[{"partitions":[{"partition":"t-0","size":0,"offsetLag":0,"isFuture":false}],"error":null,"logDir":"/tmp/kraft-combined-logs"}]}],"version":1}`.
 */
import {kafkaJsonString, type KafkaJson} from '../../protocol/json/message-json.js'
import {javaExceptionClass} from '../groups/group-errors.js'
import {intHash, javaHashOrder, stringHash, topicPartitionHash} from '../output/java-hash-order.js'
import type {LogDirDescription} from './log-admin.js'

/** A Java `HashMap<String, Object>` with these entries, as Jackson prints it (keys in hash order). */
function hashMap(entries: [string, KafkaJson][]): {[key: string]: KafkaJson} {
  const out: {[key: string]: KafkaJson} = {}
  for (const [k, v] of javaHashOrder(entries, e => stringHash(e[0]))) out[k] = v
  return out
}

/** Java's class name of the exception for a log dir error code (`KafkaStorageException`, ...). */
function errorClass(code: number): string | null {
  return code === 0 ? null : javaExceptionClass(code)
}

/** Integers in Java `HashSet<Integer>` order, joined by commas (`commaDelimitedStringFromIntegerSet`). */
export function javaIntSetText(ids: Iterable<number>): string {
  return javaHashOrder([...new Set(ids)], intHash).join(',')
}

/** The JSON document; `topics` empty = every topic. */
export function renderLogDirsJson(byBroker: Map<number, LogDirDescription[]>, topics: ReadonlySet<string>): string {
  const brokers = javaHashOrder([...byBroker.keys()], intHash).map(broker => hashMap([
    ['broker', broker],
    ['logDirs', javaHashOrder(byBroker.get(broker)!, d => stringHash(d.logDir)).map(d => hashMap([
      ['logDir', d.logDir],
      ['error', errorClass(d.errorCode)],
      ['partitions', javaHashOrder(d.replicas.filter(r => topics.size === 0 || topics.has(r.topic)), topicPartitionHash).map(r => hashMap([
        ['partition', `${r.topic}-${r.partition}`],
        ['size', r.size],
        ['offsetLag', r.offsetLag],
        ['isFuture', r.isFuture],
      ]))],
    ]))],
  ]))
  return kafkaJsonString(hashMap([['version', 1], ['brokers', brokers]]))
}
